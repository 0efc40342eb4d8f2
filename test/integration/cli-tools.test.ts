// The Kafka-style command-line tools (`samsa topics`, `console-producer`, …) run as a user runs
// them: real processes against a real broker, output compared with the shape Kafka's tools print.
// The tools that only need produce/consume/metadata also run against the reference broker.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, uniqueTopic } from '../helpers/clients.ts';
import {
  nodeBinary,
  REFERENCE_BROKER,
  REPO_ROOT,
  startBroker,
  TARGET,
  type RunningBroker,
} from '../helpers/spawn-broker.ts';
import { removeAllTmpDirs } from '../helpers/tmp.ts';

const SAMSA = join(REPO_ROOT, 'bin', 'samsa.js');
const samsa = (args: string[], input?: string, timeoutMs = 20_000) =>
  run(nodeBinary(), [SAMSA, ...args], { input, timeoutMs });

const TOOLS = [
  'topics',
  'console-producer',
  'console-consumer',
  'consumer-groups',
  'configs',
  'producer-perf-test',
  'consumer-perf-test',
];

let broker: RunningBroker;
let bs: string;

beforeAll(async () => {
  broker = await startBroker();
  bs = broker.bootstrap;
}, 30_000);

afterAll(async () => {
  await broker?.dispose();
  removeAllTmpDirs();
});

// Tests that need admin APIs the reference broker (librdkafka's mock) lacks run against Samsa only.
const samsaOnly = TARGET === 'samsa' ? it : it.skip;
if (TARGET !== 'samsa') console.log(`[skip] admin-tool tests need Samsa (target is '${TARGET}')`);

describe("Kafka's quickstart with samsa in place of bin/kafka-*.sh", () => {
  samsaOnly('creates, lists, describes, produces three events and reads them back', async () => {
    const created = await samsa(['topics', '--create', '--topic', 'quickstart-events', '--bootstrap-server', bs]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('Created topic quickstart-events.\n');

    const list = await samsa(['topics', '--list', '--bootstrap-server', bs]);
    expect(list.stdout.split('\n')).toContain('quickstart-events');

    const desc = await samsa(['topics', '--describe', '--topic', 'quickstart-events', '--bootstrap-server', bs]);
    const lines = desc.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^Topic: quickstart-events\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: .*$/,
    );
    expect(lines[1]).toBe(
      '\tTopic: quickstart-events\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A',
    );

    const produced = await samsa(
      ['console-producer', '--topic', 'quickstart-events', '--bootstrap-server', bs],
      'This is my first event\nThis is my second event\nThis is my third event\n',
    );
    expect(produced.code).toBe(0);
    expect(produced.stderr).toBe('');

    const consumed = await samsa([
      'console-consumer',
      '--topic',
      'quickstart-events',
      '--from-beginning',
      '--max-messages',
      '3',
      '--bootstrap-server',
      bs,
    ]);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout).toBe('This is my first event\nThis is my second event\nThis is my third event\n');
    expect(consumed.stderr).toBe('Processed a total of 3 messages\n');
  });
});

describe('samsa topics', () => {
  samsaOnly(
    'creates with partitions and configs, shows non-default configs, deletes; --if-not-exists; --zookeeper note',
    async () => {
      const topic = uniqueTopic('tools-topics');
      const c = await samsa([
        'topics',
        '--create',
        '--topic',
        topic,
        '--partitions',
        '3',
        '--replication-factor',
        '1',
        '--config',
        'retention.ms=60000',
        '--config',
        'cleanup.policy=compact',
        '--bootstrap-server',
        bs,
      ]);
      expect(c.stdout).toContain(`Created topic ${topic}.`);
      const d = await samsa(['topics', '--describe', '--topic', topic, '--bootstrap-server', bs]);
      const lines = d.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(
        new RegExp(`^Topic: ${topic}\\tTopicId: \\S+\\tPartitionCount: 3\\tReplicationFactor: 1\\tConfigs: (.*)$`),
      );
      const configs = lines[0]!.split('Configs: ')[1]!.split(',').sort();
      expect(configs).toEqual(['cleanup.policy=compact', 'retention.ms=60000']);
      for (let p = 0; p < 3; p++)
        expect(lines[p + 1]).toBe(
          `\tTopic: ${topic}\tPartition: ${p}\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A`,
        );

      const again = await samsa([
        'topics',
        '--create',
        '--if-not-exists',
        '--topic',
        topic,
        '--zookeeper',
        'localhost:2181',
        '--bootstrap-server',
        bs,
      ]);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe(
        "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\n".repeat(
          /[._]/.test(topic) ? 1 : 0,
        ),
      );
      expect(again.stderr).toMatch(/^Note: --zookeeper is not needed/);

      const del = await samsa(['topics', '--delete', '--topic', topic, '--bootstrap-server', bs]);
      expect(del.code).toBe(0);
      const list = await samsa(['topics', '--list', '--bootstrap-server', bs]);
      expect(list.stdout.split('\n')).not.toContain(topic);
    },
  );

  samsaOnly('one-line errors: topic exists, unknown topic, bad flag with usage pointer, missing flag', async () => {
    const topic = uniqueTopic('tools-dup');
    await samsa(['topics', '--create', '--topic', topic, '--bootstrap-server', bs]);
    const dup = await samsa(['topics', '--create', '--topic', topic, '--bootstrap-server', bs]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toBe(`Error while executing topic command : Topic '${topic}' already exists.\n`);

    const missing = await samsa(['topics', '--describe', '--topic', 'no-such-topic', '--bootstrap-server', bs]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      "Error while executing topic command : Topic 'no-such-topic' does not exist as expected\n",
    );

    const bad = await samsa(['topics', '--lst']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('samsa topics: unknown option --lst (see samsa topics --help)\n');

    const noTopic = await samsa(['topics', '--create', '--bootstrap-server', bs]);
    expect(noTopic.code).toBe(2);
    expect(noTopic.stderr).toBe('samsa topics: --create needs --topic (see samsa topics --help)\n');
  });
});

describe('connection failures and help', () => {
  it('an unreachable broker fails fast with one line naming the address', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const addr = `127.0.0.1:${port}`;
    for (const args of [
      ['topics', '--list', '--bootstrap-server', addr],
      ['console-consumer', '--topic', 't', '--bootstrap-server', addr],
      [
        'producer-perf-test',
        '--topic',
        't',
        '--num-records',
        '10',
        '--record-size',
        '10',
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${addr}`,
      ],
    ]) {
      const t0 = Date.now();
      const r = await samsa(args, args[0] === 'console-producer' ? 'x\n' : undefined);
      expect(Date.now() - t0).toBeLessThan(8000);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `samsa ${args[0]}: Could not connect to the Kafka broker at ${addr} (connection refused).\n`,
      );
    }
  });

  it('every tool has --help, and samsa --help lists them all', async () => {
    const top = await samsa(['--help']);
    for (const t of TOOLS) expect(top.stdout).toMatch(new RegExp(`^  ${t} `, 'm'));
    for (const t of TOOLS) {
      const h = await samsa([t, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`^Usage: samsa ${t} \\[options\\]`));
      expect(h.stdout).toContain('--bootstrap-server');
    }
  });
});

describe('console producer and consumer', () => {
  samsaOnly(
    'keys, headers, timestamps, partitions, offsets and JSON output; --partition/--offset; SIGINT prints the count',
    async () => {
      const topic = uniqueTopic('tools-console');
      await samsa(['topics', '--create', '--topic', topic, '--partitions', '2', '--bootstrap-server', bs]);
      const p = await samsa(
        [
          'console-producer',
          '--broker-list',
          bs,
          '--topic',
          topic,
          '--property',
          'parse.key=true',
          '--property',
          'key.separator=:',
          '--compression-codec',
          'gzip',
          '--producer-property',
          'acks=1',
        ],
        'k1:v1\nk2:v2\nk1:v3\nk2:v4\n',
      );
      expect(p.code).toBe(0);

      const c = await samsa([
        'console-consumer',
        '--topic',
        topic,
        '--from-beginning',
        '--max-messages',
        '4',
        '--bootstrap-server',
        bs,
        '--property',
        'print.key=true',
        '--property',
        'print.partition=true',
        '--property',
        'print.offset=true',
        '--property',
        'print.timestamp=true',
        '--property',
        'print.headers=true',
      ]);
      const lines = c.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(4);
      for (const l of lines)
        expect(l).toMatch(/^CreateTime:\d{13}\tPartition:[01]\tOffset:[0-3]\tNO_HEADERS\tk[12]\tv[1-4]$/);
      // Records with the same key stay in order on one partition.
      const k1 = lines.filter((l) => l.includes('\tk1\t'));
      expect(k1.map((l) => l.split('\t').slice(-1)[0])).toEqual(['v1', 'v3']);
      expect(new Set(k1.map((l) => l.split('\t')[1])).size).toBe(1);

      const part = k1[1]!.split('\t')[1]!.split(':')[1]!;
      const off = k1[1]!.split('\t')[2]!.split(':')[1]!;
      const json = await samsa([
        'console-consumer',
        '--topic',
        topic,
        '--partition',
        part,
        '--offset',
        off,
        '--formatter',
        'json',
        '--timeout-ms',
        '1000',
        '--bootstrap-server',
        bs,
      ]);
      expect(json.code).toBe(0);
      const recs = json.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      // v3 and whatever came after it on that partition.
      expect(recs[0]).toMatchObject({
        topic,
        partition: Number(part),
        offset: Number(off),
        key: 'k1',
        value: 'v3',
        timestampType: 'CreateTime',
        headers: {},
      });
      expect(json.stderr).toBe(`Processed a total of ${recs.length} messages\n`);

      const child = spawn(
        nodeBinary(),
        [SAMSA, 'console-consumer', '--topic', topic, '--from-beginning', '--bootstrap-server', bs],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const deadline = Date.now() + 10_000;
      while (out.split('\n').length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(0);
      expect(out.trimEnd().split('\n').sort()).toEqual(['v1', 'v2', 'v3', 'v4']);
      expect(err).toBe('Processed a total of 4 messages\n');
    },
  );
});

describe('samsa consumer-groups', () => {
  samsaOnly(
    'a group consumes, then list, describe (Kafka columns), reset --dry-run/--execute, delete',
    async () => {
      const topic = uniqueTopic('tools-groups');
      const group = uniqueTopic('grp');
      await samsa(['topics', '--create', '--topic', topic, '--bootstrap-server', bs]);
      await samsa(['console-producer', '--topic', topic, '--bootstrap-server', bs], 'a\nb\nc\nd\ne\n');
      const c = await samsa(
        [
          'console-consumer',
          '--topic',
          topic,
          '--group',
          group,
          '--from-beginning',
          '--max-messages',
          '3',
          '--bootstrap-server',
          bs,
        ],
        undefined,
        30_000,
      );
      expect(c.stdout).toBe('a\nb\nc\n');

      const list = await samsa(['consumer-groups', '--list', '--bootstrap-server', bs]);
      expect(list.stdout.split('\n')).toContain(group);

      const d = await samsa(['consumer-groups', '--describe', '--group', group, '--bootstrap-server', bs]);
      expect(d.stderr).toBe(`\nConsumer group '${group}' has no active members.\n`);
      const rows = d.stdout.split('\n');
      expect(rows[0]).toBe('');
      expect(rows[1]!.split(/\s+/)).toEqual([
        'GROUP',
        'TOPIC',
        'PARTITION',
        'CURRENT-OFFSET',
        'LOG-END-OFFSET',
        'LAG',
        'CONSUMER-ID',
        'HOST',
        'CLIENT-ID',
      ]);
      expect(rows[2]!.split(/\s+/)).toEqual([group, topic, '0', '3', '5', '2', '-', '-', '-']);
      // Columns line up: each header starts where its values start.
      expect(rows[2]!.indexOf(' 3 ') + 1).toBe(rows[1]!.indexOf('CURRENT-OFFSET'));

      const dry = await samsa([
        'consumer-groups',
        '--reset-offsets',
        '--group',
        group,
        '--topic',
        topic,
        '--to-earliest',
        '--dry-run',
        '--bootstrap-server',
        bs,
      ]);
      expect(dry.stdout).toBe(
        `\n${'GROUP'.padEnd(30)} ${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(10)} ${'NEW-OFFSET'.padEnd(15)}\n${group.padEnd(30)} ${topic.padEnd(30)} ${'0'.padEnd(10)} ${'0'.padEnd(15)}\n`,
      );
      const still = await samsa(['consumer-groups', '--describe', '--group', group, '--bootstrap-server', bs]);
      expect(still.stdout.split('\n')[2]!.split(/\s+/)[3]).toBe('3');

      const exec = await samsa([
        'consumer-groups',
        '--reset-offsets',
        '--group',
        group,
        '--topic',
        topic,
        '--shift-by',
        '-2',
        '--execute',
        '--bootstrap-server',
        bs,
      ]);
      expect(exec.stdout.split('\n')[2]!.split(/\s+/)).toEqual([group, topic, '0', '1', '']);
      const after = await samsa(['consumer-groups', '--describe', '--group', group, '--bootstrap-server', bs]);
      expect(after.stdout.split('\n')[2]!.split(/\s+/).slice(3, 6)).toEqual(['1', '5', '4']);

      const del = await samsa(['consumer-groups', '--delete', '--group', group, '--bootstrap-server', bs]);
      expect(del.stdout).toBe(`Deletion of requested consumer groups ('${group}') was successful.\n`);
      const gone = await samsa(['consumer-groups', '--describe', '--group', group, '--bootstrap-server', bs]);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toBe(`Error: Consumer group '${group}' does not exist.\n`);
    },
    40_000,
  );
});

describe('samsa configs', () => {
  samsaOnly("--describe prints Kafka's dynamic-config lines; --alter reports the broker's answer", async () => {
    const topic = uniqueTopic('tools-configs');
    await samsa(['topics', '--create', '--topic', topic, '--config', 'retention.ms=1234', '--bootstrap-server', bs]);
    const d = await samsa([
      'configs',
      '--describe',
      '--entity-type',
      'topics',
      '--entity-name',
      topic,
      '--bootstrap-server',
      bs,
    ]);
    const lines = d.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Dynamic configs for topic ${topic} are:`);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^ {2}retention\.ms=1234 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention\.ms=1234, DEFAULT_CONFIG:log\.retention\.hours=168\}$/,
    );
    const short = await samsa(['configs', '--describe', '--topic', topic, '--bootstrap-server', bs]);
    expect(short.stdout).toBe(d.stdout);
    const b = await samsa(['configs', '--describe', '--all', '--broker', '1', '--bootstrap-server', bs]);
    expect(b.stdout.split('\n')[0]).toBe('All configs for broker 1 are:');
    expect(b.stdout).toMatch(
      /^ {2}num\.partitions=1 sensitive=false synonyms=\{.*DEFAULT_CONFIG:num\.partitions=1\}$/m,
    );

    const alter = await samsa([
      'configs',
      '--alter',
      '--topic',
      topic,
      '--add-config',
      'retention.ms=5000',
      '--bootstrap-server',
      bs,
    ]);
    expect(alter.code).toBe(0);
    expect(alter.stdout).toBe(`Completed updating config for topic ${topic}.\n`);
    const after = await samsa(['configs', '--describe', '--topic', topic, '--bootstrap-server', bs]);
    expect(after.stdout).toMatch(
      /^ {2}retention\.ms=5000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention\.ms=5000, /m,
    );
    const bad = await samsa(['configs', '--alter', '--topic', topic, '--bootstrap-server', bs]);
    expect(bad.code).toBe(2);
    const del = await samsa([
      'configs',
      '--alter',
      '--topic',
      topic,
      '--delete-config',
      'retention.ms',
      '--bootstrap-server',
      bs,
    ]);
    expect(del.code).toBe(0);
    const cleared = await samsa(['configs', '--describe', '--topic', topic, '--bootstrap-server', bs]);
    expect(cleared.stdout).toBe(`Dynamic configs for topic ${topic} are:\n`);
    const invalid = await samsa([
      'configs',
      '--alter',
      '--topic',
      topic,
      '--add-config',
      'retention.ms=abc',
      '--bootstrap-server',
      bs,
    ]);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(/Invalid value abc for configuration retention\.ms/);
  });
});

describe('samsa topics --alter', () => {
  samsaOnly('adds partitions; refuses to shrink', async () => {
    const topic = uniqueTopic('tools-alter');
    await samsa(['topics', '--create', '--topic', topic, '--partitions', '2', '--bootstrap-server', bs]);
    const r = await samsa(['topics', '--alter', '--topic', topic, '--partitions', '5', '--bootstrap-server', bs]);
    expect(r.code).toBe(0);
    const d = await samsa(['topics', '--describe', '--topic', topic, '--bootstrap-server', bs]);
    expect(d.stdout).toContain('PartitionCount: 5');
    expect(d.stdout.trimEnd().split('\n')).toHaveLength(6);
    const shrink = await samsa(['topics', '--alter', '--topic', topic, '--partitions', '3', '--bootstrap-server', bs]);
    expect(shrink.code).not.toBe(0);
    expect(shrink.stderr).toContain(`The topic ${topic} currently has 5 partition(s); 3 would not be an increase.`);
  });
});

describe('perf tests', () => {
  samsaOnly("producer-perf-test and consumer-perf-test print Kafka's lines", async () => {
    const topic = uniqueTopic('tools-perf');
    const p = await samsa([
      'producer-perf-test',
      '--topic',
      topic,
      '--num-records',
      '20000',
      '--record-size',
      '100',
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${bs}`,
      'acks=1',
    ]);
    expect(p.code).toBe(0);
    expect(p.stdout.trimEnd().split('\n').slice(-1)[0]).toMatch(
      /^20000 records sent, \d+\.\d{6} records\/sec \(\d+\.\d{2} MB\/sec\), \d+\.\d{2} ms avg latency, \d+\.\d{2} ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/,
    );

    const c = await samsa([
      'consumer-perf-test',
      '--topic',
      topic,
      '--messages',
      '20000',
      '--timeout',
      '5000',
      '--bootstrap-server',
      bs,
    ]);
    expect(c.code).toBe(0);
    const [header, line] = c.stdout.trimEnd().split('\n');
    expect(header).toBe(
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
    );
    const cols = line!.split(', ');
    expect(cols).toHaveLength(10);
    expect(cols[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}$/);
    expect(cols[2]).toBe('1.9073');
    expect(cols[4]).toBe('20000');

    const throttled = await samsa([
      'producer-perf-test',
      '--topic',
      topic,
      '--num-records',
      '300',
      '--record-size',
      '10',
      '--throughput',
      '1000',
      '--bootstrap-server',
      bs,
    ]);
    const rate = Number(/records sent, ([\d.]+) records\/sec/.exec(throttled.stdout)![1]);
    expect(rate).toBeLessThan(1300);
  });
});

// ---- against the reference broker (librdkafka's mock cluster) ----------------------------------

async function startReference(): Promise<{ bootstrap: string; stop(): void }> {
  const child = spawn(REFERENCE_BROKER, ['1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const bootstrap = await new Promise<string>((res, rej) => {
    let buf = '';
    const t = setTimeout(() => rej(new Error('reference broker did not start')), 10_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /^(\S+:\d+)\s*$/m.exec(buf);
      if (m) {
        clearTimeout(t);
        res(m[1]!);
      }
    });
    child.once('exit', () => {
      clearTimeout(t);
      rej(new Error('reference broker exited'));
    });
  });
  return { bootstrap, stop: () => child.kill('SIGKILL') };
}

describe('against the reference broker', () => {
  it('console-producer/consumer, topics --list/--describe and producer-perf-test work there too', async () => {
    const ref = await startReference();
    try {
      const rb = ref.bootstrap;
      const topic = uniqueTopic('ref');
      const p = await samsa(['console-producer', '--topic', topic, '--bootstrap-server', rb], 'one\ntwo\nthree\n');
      expect(p.code).toBe(0);
      const c = await samsa([
        'console-consumer',
        '--topic',
        topic,
        '--from-beginning',
        '--max-messages',
        '3',
        '--bootstrap-server',
        rb,
      ]);
      expect(c.stdout.trimEnd().split('\n').sort()).toEqual(['one', 'three', 'two']);
      expect(c.stderr).toBe('Processed a total of 3 messages\n');

      const list = await samsa(['topics', '--list', '--bootstrap-server', rb]);
      expect(list.stdout.split('\n')).toContain(topic);
      const d = await samsa(['topics', '--describe', '--topic', topic, '--bootstrap-server', rb]);
      const lines = d.stdout.trimEnd().split('\n');
      // The mock has no topic ids (so no TopicId column, as Kafka's tool does) and no DescribeConfigs.
      expect(lines[0]).toBe(`Topic: ${topic}\tPartitionCount: 4\tReplicationFactor: 1\tConfigs: `);
      expect(lines.slice(1)).toEqual(
        [0, 1, 2, 3].map(
          (i) => `\tTopic: ${topic}\tPartition: ${i}\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A`,
        ),
      );

      const perf = await samsa([
        'producer-perf-test',
        '--topic',
        topic,
        '--num-records',
        '20000',
        '--record-size',
        '100',
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${rb}`,
        'acks=1',
      ]);
      expect(perf.code).toBe(0);
      expect(perf.stdout).toMatch(/^20000 records sent, .* ms 99\.9th\.$/m);
    } finally {
      ref.stop();
    }
  });
});
