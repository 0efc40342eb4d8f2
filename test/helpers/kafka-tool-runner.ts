// Kafka's command-line tools run one after another in one long-lived JVM
// (test/peers/kafka/ToolRunner.java), so that a suite running dozens of commands pays for one
// JVM start and warms up once: on a 2-core machine a tool's own JVM costs 1-2 s of CPU before it
// does anything. Each command still gets what its own JVM would give it (its own classes of the
// kafka-tools jar, stdin/stdout/stderr, exit status, shutdown hooks; see ToolRunner.java), and
// answers as `kafkaTool()` (a JVM per command, as bin/kafka-*.sh) does: the runner's frames are
// taken out of stack traces. Commands sent to one runner run in turn; use one runner per target
// to run targets side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { RunResult } from './clients.ts';
import { JAVA, KAFKA_PEER_DIR, KAFKA_TOOLS, TOOL_JVM_FLAGS, kafkaClasspath, toolsLog4j } from './kafka-peer.ts';
import type { KafkaToolName } from './kafka-peer.ts';

const SOURCE = join(KAFKA_PEER_DIR, 'ToolRunner.java');

export interface KafkaToolRunner {
  /** Runs one tool to completion, as `kafkaTool(tool, args, opts)`. */
  run(tool: KafkaToolName, args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** Ends the JVM (closing its stdin; SIGKILL if it lingers). */
  close(): Promise<void>;
}

interface Pending {
  resolve: (r: RunResult) => void;
  reject: (e: Error) => void;
}

/** Starts a runner JVM. It fails each command with one line when Java or Kafka's jars are missing. */
export function startKafkaToolRunner(): KafkaToolRunner {
  const jars = kafkaClasspath().split(':');
  const toolsJar = jars.find((j) => /\/kafka-tools-[\d.]+\.jar$/.test(j));
  if (!toolsJar) throw new Error("Real Kafka's classpath has no kafka-tools jar: re-run test/peers/setup.sh.");
  const child: ChildProcess = spawn(
    JAVA,
    [
      ...TOOL_JVM_FLAGS,
      `-Dlog4j2.configurationFile=${toolsLog4j()}`,
      '-cp',
      jars.filter((j) => j !== toolsJar).join(':'),
      SOURCE,
      toolsJar,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let buffered = '';
  let ownErr = '';
  let failure: Error | undefined;
  const exited = new Promise<void>((res) => child.once('exit', () => res()));

  const fail = (e: Error): void => {
    failure ??= e;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  child.once('error', (e) => fail(new Error(`the Kafka tool runner did not start (${JAVA}): ${e.message}`)));
  child.once('exit', (code, signal) =>
    fail(new Error(`the Kafka tool runner exited (code ${code}, signal ${signal}): ${ownErr.slice(-3000)}`)),
  );
  child.stderr!.on('data', (d: Buffer) => {
    ownErr = (ownErr + d.toString()).slice(-20_000);
  });
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const [id, code, out, err] = line.split('\t');
      const p = pending.get(Number(id));
      if (!p || out === undefined || err === undefined) continue;
      pending.delete(Number(id));
      p.resolve({
        code: code === '' ? null : Number(code),
        signal: code === '' ? 'SIGKILL' : null,
        stdout: withoutRunnerFrames(Buffer.from(out, 'base64').toString()),
        stderr: withoutRunnerFrames(Buffer.from(err, 'base64').toString()),
      });
    }
  });
  child.stdin!.on('error', () => {
    /* the exit handler reports it */
  });

  return {
    run(tool, args, opts = {}) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      const b64 = (s: string): string => Buffer.from(s).toString('base64');
      return new Promise<RunResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.stdin!.write(
          [id, KAFKA_TOOLS[tool], b64(args.join('\0')), b64(opts.input ?? ''), opts.timeoutMs ?? 120_000].join('\t') +
            '\n',
        );
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A frame the runner adds below a tool's main (reflection, the runner, its thread). */
const RUNNER_FRAME =
  /^\tat (java\.base\/jdk\.internal\.reflect\.|java\.base\/java\.lang\.reflect\.Method\.invoke\(|ToolRunner[.$]|java\.base\/java\.lang\.Thread\.run\()/;

/**
 * Stack traces as a tool's own JVM prints them: the frames below the tool's main are dropped,
 * and a cause's "... N more" (frames shared with the trace above it) counts them no more.
 */
export function withoutRunnerFrames(text: string): string {
  if (!text.includes('ToolRunner')) return text;
  const out: string[] = [];
  let dropped = 0;
  let belowMain = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('\t')) {
      belowMain = false;
      if (!/^(Caused by|Suppressed): /.test(line.trimStart())) dropped = 0;
      out.push(line);
      continue;
    }
    if (belowMain && RUNNER_FRAME.test(line)) {
      dropped++;
      continue;
    }
    const more = /^\t\.\.\. (\d+) more$/.exec(line);
    if (more && dropped > 0) {
      const n = Number(more[1]) - dropped;
      if (n > 0) out.push(`\t... ${n} more`);
      continue;
    }
    belowMain = /^\tat \S+\.main\(/.test(line);
    out.push(line);
  }
  return out.join('\n');
}
