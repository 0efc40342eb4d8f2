// Real Apache Kafka as a test peer: the one place tests find it. Starts a KRaft Kafka on
// loopback in a temp dir (a combined single node, or three brokers whose first node is also
// the one controller of the quorum), waits until every broker is registered and unfenced, and
// stops it by pid. Also runs Kafka's own command-line tools (`kafkaTool('kafka-topics', …)`).
//
// The jars come from test/peers/kafka/pom.xml (`mvn … dependency:build-classpath`, done by
// .ci/run). When Java, Maven or the resolved classpath is missing, `kafkaClasspath()` throws
// one line saying so: a suite that needs Kafka fails instead of skipping silently.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Api, KafkaClient } from './kafka-client.ts';
import { run, type RunOptions, type RunResult } from './clients.ts';
import { REPO_ROOT } from './spawn-broker.ts';
import { makeTmpDir, removeTmpDir } from './tmp.ts';

export const KAFKA_PEER_DIR = join(REPO_ROOT, 'test', 'peers', 'kafka');
const CLASSPATH_FILE = join(KAFKA_PEER_DIR, 'target', 'classpath.txt');
const RESOLVE_COMMAND = 'mvn -q -B -f test/peers/kafka/pom.xml dependency:build-classpath';

/** The Kafka release the peer runs (test/peers/kafka/pom.xml). */
export const KAFKA_VERSION = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(
  readFileSync(join(KAFKA_PEER_DIR, 'pom.xml'), 'utf8'),
)![1]!;

/** `java` to run Kafka with: $JAVA_HOME/bin/java when set, else the one on PATH. */
export const JAVA = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';

let classpath: string | undefined;

/** The resolved classpath of Kafka's jars; throws a one-line reason when it cannot be had. */
export function kafkaClasspath(): string {
  if (classpath) return classpath;
  const java = spawnSync(JAVA, ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    throw new Error(
      `Real Kafka needs Java 17+, and '${JAVA} -version' failed (${java.error?.message ?? java.stderr.trim()}): install a JDK (.ci/run does).`,
    );
  }
  if (!existsSync(CLASSPATH_FILE)) {
    const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
    if (mvn.error)
      throw new Error(
        `Real Kafka's jars are not resolved and Maven is missing: install maven, then run ${RESOLVE_COMMAND} (.ci/run does).`,
      );
    throw new Error(`Real Kafka's jars are not resolved: run ${RESOLVE_COMMAND} (.ci/run does).`);
  }
  const cp = readFileSync(CLASSPATH_FILE, 'utf8').trim();
  const missing = cp.split(':').find((jar) => !existsSync(jar));
  if (missing)
    throw new Error(`Real Kafka's classpath names a jar that is gone (${missing}): run ${RESOLVE_COMMAND} again.`);
  classpath = cp;
  return cp;
}

// ---- Kafka's command-line tools -----------------------------------------------------------

/** Each bin/kafka-*.sh script of Kafka's distribution and the class it runs. */
export const KAFKA_TOOLS = {
  'kafka-topics': 'org.apache.kafka.tools.TopicCommand',
  'kafka-console-producer': 'org.apache.kafka.tools.ConsoleProducer',
  'kafka-console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  'kafka-consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  'kafka-configs': 'org.apache.kafka.tools.ConfigCommand',
  'kafka-get-offsets': 'org.apache.kafka.tools.GetOffsetShell',
  'kafka-log-dirs': 'org.apache.kafka.tools.LogDirsCommand',
  'kafka-delete-records': 'org.apache.kafka.tools.DeleteRecordsCommand',
  'kafka-leader-election': 'org.apache.kafka.tools.LeaderElectionCommand',
  'kafka-reassign-partitions': 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand',
  'kafka-producer-perf-test': 'org.apache.kafka.tools.ProducerPerformance',
  'kafka-consumer-perf-test': 'org.apache.kafka.tools.ConsumerPerformance',
  'kafka-dump-log': 'org.apache.kafka.tools.DumpLogSegments',
  'kafka-transactions': 'org.apache.kafka.tools.TransactionsCommand',
  'kafka-acls': 'org.apache.kafka.tools.AclCommand',
  'kafka-features': 'org.apache.kafka.tools.FeatureCommand',
  'kafka-broker-api-versions': 'org.apache.kafka.tools.BrokerApiVersionsCommand',
  'kafka-storage': 'kafka.tools.StorageTool',
} as const;
export type KafkaToolName = keyof typeof KAFKA_TOOLS;

/**
 * JVM flags for the tools. Kafka's scripts run them with the JVM's defaults; these only make
 * a short-lived JVM start faster (C1 only, serial GC) and change nothing a tool prints.
 */
export const TOOL_JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xss1m', '-Djava.awt.headless=true'];

let toolLogConfig: string | undefined;
/**
 * As Kafka's tools-log4j2.yaml: warnings and errors to stderr (following System.setErr, for the
 * tool runner; the same for a JVM of its own).
 */
export function toolsLog4j(): string {
  if (toolLogConfig && existsSync(toolLogConfig)) return toolLogConfig;
  const dir = makeTmpDir('kafka-tools-log-');
  toolLogConfig = join(dir, 'tools-log4j2.properties');
  writeFileSync(
    toolLogConfig,
    [
      'appender.stderr.type = Console',
      'appender.stderr.name = STDERR',
      'appender.stderr.target = SYSTEM_ERR',
      'appender.stderr.follow = true',
      'appender.stderr.layout.type = PatternLayout',
      'appender.stderr.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = WARN',
      'rootLogger.appenderRef.stderr.ref = STDERR',
      '',
    ].join('\n'),
  );
  return toolLogConfig;
}

let cdsDir: string | undefined;
const cdsPending = new Set<KafkaToolName>();

/**
 * Class data sharing, to start a tool faster on a small machine (it changes nothing a tool
 * prints): the first run of each tool in this process records the classes it loaded in an
 * archive (-XX:ArchiveClassesAtExit), later runs map it (-XX:SharedArchiveFile). Measured on 2
 * cores: kafka-topics --describe 2.2 s → 0.9 s of CPU. -Xlog:disable keeps the JVM's notes about
 * the archive off stdout; the JVM ignores an archive it cannot use.
 */
function cdsFlags(tool: KafkaToolName): { flags: string[]; done?: (ok: boolean) => void } {
  cdsDir ??= makeTmpDir('kafka-tools-cds-');
  const archive = join(cdsDir, `${tool}.jsa`);
  if (existsSync(archive)) return { flags: ['-Xlog:disable', `-XX:SharedArchiveFile=${archive}`] };
  if (cdsPending.has(tool)) return { flags: [] };
  cdsPending.add(tool);
  // Written under another name and renamed once the run ended well, so no run maps half a file.
  const partial = `${archive}.partial`;
  return {
    flags: ['-Xlog:disable', `-XX:ArchiveClassesAtExit=${partial}`],
    done: (ok) => {
      if (ok && existsSync(partial)) renameSync(partial, archive);
      else cdsPending.delete(tool);
    },
  };
}

/** Runs one of Kafka's tools (`kafka-topics`, …) with `java -cp`, as its bin/*.sh script does. */
export async function kafkaTool(tool: KafkaToolName, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const cds = cdsFlags(tool);
  let ok = false;
  try {
    const r = await run(
      JAVA,
      [
        ...TOOL_JVM_FLAGS,
        ...cds.flags,
        `-Dlog4j2.configurationFile=${toolsLog4j()}`,
        '-cp',
        kafkaClasspath(),
        KAFKA_TOOLS[tool],
        ...args,
      ],
      { timeoutMs: 120_000, ...opts },
    );
    ok = r.signal === null;
    return r;
  } finally {
    cds.done?.(ok);
  }
}

// ---- the broker ---------------------------------------------------------------------------

export interface KafkaOptions {
  /** 1: one combined broker+controller node; 3: node 1 is broker and the quorum's one controller, nodes 2 and 3 brokers. */
  brokers?: number;
  /** Broker configs beyond the needed ones (listeners, quorum, log dirs). */
  overrides?: Record<string, string | number | boolean>;
  /** Per-node overrides, by node id. */
  nodeOverrides?: Record<number, Record<string, string | number | boolean>>;
  /** JVM heap (-Xmx and -Xms); Kafka's kafka-server-start.sh uses 1G. */
  heap?: string;
  startTimeoutMs?: number;
  /** Called just before each node's JVM is spawned (`performance.now()`), e.g. to time its start. */
  onSpawn?: (node: { id: number; port: number }, spawnedAt: number) => void;
}

export interface KafkaNode {
  id: number;
  port: number;
  logDir: string;
  readonly pid: number | undefined;
  readonly running: boolean;
}

export interface KafkaCluster {
  version: string;
  /** `127.0.0.1:port,…` of every broker. */
  bootstrap: string;
  nodes: KafkaNode[];
  dir: string;
  /** The broker's own log (server.log) of a node, for diagnostics. */
  log(id: number): string;
  /** SIGKILLs a node and waits for its exit. */
  kill(id: number): Promise<void>;
  /** SIGTERMs a node (a controlled shutdown) and waits for its exit. */
  stopNode(id: number): Promise<void>;
  /** Starts a stopped node again on its port and waits until it is registered. */
  startNode(id: number): Promise<void>;
  /** Stops every node (SIGTERM, SIGKILL after a grace period) and removes the temp dir. */
  stop(): Promise<void>;
}

/** Kafka's kafka-server-start.sh / kafka-run-class.sh JVM settings, so the peer runs as users run it. */
function brokerJvmFlags(heap: string): string[] {
  return [
    `-Xmx${heap}`,
    `-Xms${heap}`,
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:MaxInlineLevel=15',
    '-Djava.awt.headless=true',
  ];
}

/** Ports free now (asked of the OS together, so they differ). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((res, rej) => {
          const s = net.createServer();
          s.once('error', rej);
          s.listen(0, '127.0.0.1', () => res(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

function propsFile(values: Record<string, string | number | boolean>): string {
  return (
    Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n'
  );
}

async function runOrThrow(args: string[], what: string): Promise<void> {
  const r = await run(
    JAVA,
    [...TOOL_JVM_FLAGS, `-Dlog4j2.configurationFile=${toolsLog4j()}`, '-cp', kafkaClasspath(), ...args],
    { timeoutMs: 120_000 },
  );
  if (r.code !== 0)
    throw new Error(`${what} failed (code ${r.code}): ${r.stderr.slice(-2000)}${r.stdout.slice(-2000)}`);
}

/** Asks every broker for Metadata until each answers and lists all `n` brokers. */
async function waitRegistered(
  ports: number[],
  n: number,
  deadline: number,
  why: () => string | undefined,
): Promise<void> {
  for (;;) {
    const dead = why();
    if (dead) throw new Error(dead);
    let ok = true;
    for (const port of ports) {
      let client: KafkaClient | undefined;
      try {
        client = await KafkaClient.connect(port);
        const md = await Promise.race([
          client.send(Api.Metadata, 12, {
            topics: [],
            allowAutoTopicCreation: false,
            includeTopicAuthorizedOperations: false,
          }),
          new Promise<never>((_, rej) => setTimeout(() => rej(new Error('metadata timed out')), 2000)),
        ]);
        if ((md.brokers ?? []).length < n) ok = false;
      } catch {
        ok = false;
      } finally {
        client?.close();
      }
      if (!ok) break;
    }
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Kafka did not list ${n} registered broker(s) in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a real KRaft Kafka on loopback. */
export async function startKafka(opts: KafkaOptions = {}): Promise<KafkaCluster> {
  const cp = kafkaClasspath();
  const n = opts.brokers ?? 1;
  const heap = opts.heap ?? '1G';
  const dir = makeTmpDir(`kafka-peer-${n}-`);
  const ports = await freePorts(n + 1);
  const controllerPort = ports[n]!;
  const clusterId = base64Uuid();
  const voters = `1@127.0.0.1:${controllerPort}`;
  const internalRf = Math.min(3, n);

  const nodes = Array.from({ length: n }, (_, i) => {
    const id = i + 1;
    const nodeDir = join(dir, `node-${id}`);
    mkdirSync(nodeDir, { recursive: true });
    const controller = id === 1;
    const props: Record<string, string | number | boolean> = {
      'process.roles': controller ? 'broker,controller' : 'broker',
      'node.id': id,
      'controller.quorum.voters': voters,
      listeners: controller
        ? `PLAINTEXT://127.0.0.1:${ports[i]},CONTROLLER://127.0.0.1:${controllerPort}`
        : `PLAINTEXT://127.0.0.1:${ports[i]}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${ports[i]}`,
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'log.dirs': join(nodeDir, 'logs'),
      // As Kafka's config/server.properties does for a cluster smaller than three brokers.
      'offsets.topic.replication.factor': internalRf,
      'transaction.state.log.replication.factor': internalRf,
      'transaction.state.log.min.isr': Math.min(2, internalRf),
      'share.controller.state.topic.replication.factor': internalRf,
      'share.controller.state.topic.min.isr': Math.min(2, internalRf),
      ...opts.overrides,
      ...opts.nodeOverrides?.[id],
    };
    const config = join(nodeDir, 'server.properties');
    writeFileSync(config, propsFile(props));
    const log4j = join(nodeDir, 'log4j2.properties');
    writeFileSync(
      log4j,
      [
        'appender.file.type = File',
        'appender.file.name = FILE',
        `appender.file.fileName = ${join(nodeDir, 'server.log')}`,
        'appender.file.layout.type = PatternLayout',
        'appender.file.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = INFO',
        'rootLogger.appenderRef.file.ref = FILE',
        'logger.kafka.name = kafka',
        'logger.kafka.level = INFO',
        '',
      ].join('\n'),
    );
    return {
      id,
      port: ports[i]!,
      logDir: join(nodeDir, 'logs'),
      nodeDir,
      config,
      log4j,
      child: undefined as ChildProcess | undefined,
      out: '',
      exit: undefined as Promise<void> | undefined,
    };
  });

  // `kafka-storage format`, every node at once.
  await Promise.all(
    nodes.map((node) =>
      runOrThrow(
        ['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', node.config, '--ignore-formatted'],
        `kafka-storage format (node ${node.id})`,
      ),
    ),
  );

  const spawnNode = (node: (typeof nodes)[number]): void => {
    opts.onSpawn?.({ id: node.id, port: node.port }, performance.now());
    const child = spawn(
      JAVA,
      [
        ...brokerJvmFlags(heap),
        `-Dlog4j2.configurationFile=${node.log4j}`,
        `-Dkafka.logs.dir=${node.nodeDir}`,
        '-cp',
        cp,
        'kafka.Kafka',
        node.config,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    live.add(child);
    node.child = child;
    node.out = '';
    const append = (d: Buffer): void => {
      node.out += d.toString();
      if (node.out.length > 100_000) node.out = node.out.slice(-50_000);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    node.exit = new Promise((res) =>
      child.once('exit', () => {
        live.delete(child);
        if (node.child === child) node.child = undefined;
        res();
      }),
    );
  };

  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  for (const node of nodes) spawnNode(node);
  const deadNode = (): string | undefined => {
    const gone = nodes.find((x) => !x.child);
    return gone
      ? `Kafka node ${gone.id} exited while starting:\n${gone.out.slice(-3000)}\n${tail(join(gone.nodeDir, 'server.log'))}`
      : undefined;
  };
  try {
    await waitRegistered(
      nodes.map((x) => x.port),
      n,
      deadline,
      deadNode,
    );
  } catch (e) {
    await Promise.all(nodes.map((x) => stopChild(x, 'SIGKILL')));
    removeTmpDir(dir);
    throw e;
  }

  async function stopChild(node: (typeof nodes)[number], signal: NodeJS.Signals, graceMs = 30_000): Promise<void> {
    const child = node.child;
    if (!child) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await node.exit;
    clearTimeout(timer);
  }
  const byId = (id: number): (typeof nodes)[number] => {
    const node = nodes.find((x) => x.id === id);
    if (!node) throw new Error(`no Kafka node ${id}`);
    return node;
  };

  return {
    version: KAFKA_VERSION,
    bootstrap: nodes.map((x) => `127.0.0.1:${x.port}`).join(','),
    nodes: nodes.map((x) => ({
      id: x.id,
      port: x.port,
      logDir: x.logDir,
      get pid() {
        return x.child?.pid;
      },
      get running() {
        return x.child !== undefined;
      },
    })),
    dir,
    log: (id) => tail(join(byId(id).nodeDir, 'server.log'), 200_000),
    kill: (id) => stopChild(byId(id), 'SIGKILL'),
    stopNode: (id) => stopChild(byId(id), 'SIGTERM'),
    async startNode(id) {
      const node = byId(id);
      if (node.child) return;
      spawnNode(node);
      await waitRegistered([node.port], n, Date.now() + timeoutMs, () =>
        node.child ? undefined : `Kafka node ${id} exited while starting:\n${node.out.slice(-3000)}`,
      );
    },
    async stop() {
      // Brokers first, then the controller node, as Kafka's docs advise.
      await Promise.all(nodes.filter((x) => x.id !== 1).map((x) => stopChild(x, 'SIGTERM')));
      await stopChild(nodes[0]!, 'SIGTERM');
      removeTmpDir(dir);
    },
  };
}

function tail(file: string, bytes = 4000): string {
  try {
    const s = readFileSync(file, 'utf8');
    return s.slice(-bytes);
  } catch {
    return '';
  }
}

/**
 * A cluster id as `kafka-storage random-uuid` prints it: a UUID in URL-safe base64, no padding,
 * and (as Kafka's Uuid.randomUuid) never starting with '-', which the tool would read as an option.
 */
function base64Uuid(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
