// Entry point of the `samsa` command: dispatches to subcommands.
import { UsageError } from './args.ts';

const COMMANDS: Record<string, { summary: string; run: (argv: string[]) => Promise<number>; internal?: boolean }> = {
  start: {
    summary: 'Run a local Kafka-compatible broker',
    run: async (argv) => (await import('./start.ts')).start(argv),
  },
  broker: {
    summary: 'List, stop, kill, start and add the brokers of the running local cluster',
    run: async (argv) => (await import('./broker.ts')).broker(argv),
  },
  'broker-node': {
    summary: 'One broker process of a multi-broker cluster (run by samsa start)',
    internal: true,
    run: async (argv) => (await import('./broker-node.ts')).brokerNode(argv),
  },
  topics: {
    summary: 'Create, list, describe, alter and delete topics (kafka-topics)',
    run: async (argv) => (await import('./tools/topics.ts')).topics(argv),
  },
  'console-producer': {
    summary: 'Produce lines from stdin or a file (kafka-console-producer)',
    run: async (argv) => (await import('./tools/console-producer.ts')).consoleProducer(argv),
  },
  'console-consumer': {
    summary: 'Print records of a topic (kafka-console-consumer)',
    run: async (argv) => (await import('./tools/console-consumer.ts')).consoleConsumer(argv),
  },
  'consumer-groups': {
    summary: 'List, describe, reset and delete consumer groups (kafka-consumer-groups)',
    run: async (argv) => (await import('./tools/consumer-groups.ts')).consumerGroups(argv),
  },
  configs: {
    summary: 'Describe and alter topic and broker configs (kafka-configs)',
    run: async (argv) => (await import('./tools/configs.ts')).configs(argv),
  },
  schemas: {
    summary: 'List, get, register, check, delete schemas and set compatibility (Schema Registry)',
    run: async (argv) => (await import('./schemas.ts')).schemas(argv),
  },
  'producer-perf-test': {
    summary: 'Measure produce throughput and latency (kafka-producer-perf-test)',
    run: async (argv) => (await import('./tools/producer-perf-test.ts')).producerPerfTest(argv),
  },
  'consumer-perf-test': {
    summary: 'Measure consume throughput (kafka-consumer-perf-test)',
    run: async (argv) => (await import('./tools/consumer-perf-test.ts')).consumerPerfTest(argv),
  },
};

function help(): string {
  const lines = ['Usage: samsa <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) if (!c.internal) lines.push(`  ${name.padEnd(20)} ${c.summary}`);
  lines.push('', 'Run `samsa <command> --help` for the options of a command.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(help());
    return cmd === undefined ? 1 : 0;
  }
  if (cmd === '--version') {
    const { createRequire } = await import('node:module');
    console.log((createRequire(import.meta.url)('../../package.json') as { version: string }).version);
    return 0;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    console.error(`samsa: unknown command "${cmd}"\n\n${help()}`);
    return 2;
  }
  try {
    return await c.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`samsa ${cmd}: ${e.message} (see samsa ${cmd} --help)`);
      return 2;
    }
    throw e;
  }
}
