// Runs a real Apache Kafka (KRaft, loopback, a temp dir, free ports) until Ctrl-C:
//   node test/peers/kafka/run-kafka.ts [--brokers 1|3] [--override key=value ...]
// Prints `Kafka <version> ready, bootstrap 127.0.0.1:…` when every broker is registered, and
// stops every node by its pid on SIGINT/SIGTERM. Tests use test/helpers/kafka-peer.ts directly.
import { startKafka } from '../../helpers/kafka-peer.ts';

const argv = process.argv.slice(2);
let brokers = 1;
const overrides: Record<string, string> = {};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--brokers') brokers = Number(argv[++i]);
  else if (a === '--override') {
    const [k, ...v] = argv[++i]!.split('=');
    overrides[k!] = v.join('=');
  } else {
    console.error(`unknown argument ${a}; usage: run-kafka.ts [--brokers N] [--override key=value ...]`);
    process.exit(2);
  }
}

const started = Date.now();
try {
  const kafka = await startKafka({ brokers, overrides });
  console.log(
    `Kafka ${kafka.version} ready in ${Date.now() - started} ms, bootstrap ${kafka.bootstrap} (dir ${kafka.dir}, pids ${kafka.nodes.map((n) => n.pid).join(' ')})`,
  );
  const stop = async (): Promise<void> => {
    await kafka.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
