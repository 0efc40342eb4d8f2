// Shared pieces for real-client integration tests: the deterministic data set every client
// produces, per-partition digests to compare what comes back, and child-process runners
// (Python scripts, kcat) that can never hang a test.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLIENTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'integration', 'clients');
export const PYTHON = process.env.SAMSA_TEST_PYTHON ?? '/usr/bin/python3';
export const KCAT = process.env.SAMSA_TEST_KCAT ?? '/usr/bin/kcat';

export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];

export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

// ---- the data set -------------------------------------------------------------------------
// Record i goes to partition i % partitions, with key "key-<i>" and a value whose length
// varies from ~20 to ~90 bytes and that mixes a pseudo-random hex part with a run, so every
// codec has something to do. The same definition lives in clients/common.py.

export function keyOf(i: number): string {
  return `key-${i}`;
}

export function valueOf(i: number): string {
  const h = (Math.imul(i, 2654435761) >>> 0).toString(16);
  return `value-${i}-${h}-${'abcdefghij'[i % 10]!.repeat(i % 64)}`;
}

export function partitionOf(i: number, partitions: number): number {
  return i % partitions;
}

/**
 * Digest of one partition's records in offset order: sha256 over
 * (u32 key length, key, u32 value length, value) for each record. clients/common.py
 * computes the same thing, so a Python consumer can return just digests and counts.
 */
export class PartitionDigest {
  readonly #hash = createHash('sha256');
  count = 0;
  add(key: Buffer | string, value: Buffer | string): void {
    const k = typeof key === 'string' ? Buffer.from(key) : key;
    const v = typeof value === 'string' ? Buffer.from(value) : value;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(k.length);
    this.#hash.update(len);
    this.#hash.update(k);
    len.writeUInt32BE(v.length);
    this.#hash.update(len);
    this.#hash.update(v);
    this.count++;
  }
  hex(): string {
    return this.#hash.digest('hex');
  }
}

export interface PartitionSummary {
  count: number;
  digest: string;
}

/** What consuming records [start, start+count) of the data set must give, per partition. */
export function expectedSummary(count: number, partitions: number, start = 0): Record<string, PartitionSummary> {
  const digests = Array.from({ length: partitions }, () => new PartitionDigest());
  for (let i = start; i < start + count; i++) digests[partitionOf(i, partitions)]!.add(keyOf(i), valueOf(i));
  const out: Record<string, PartitionSummary> = {};
  digests.forEach((d, p) => {
    out[String(p)] = { count: d.count, digest: d.hex() };
  });
  return out;
}

// ---- child processes ----------------------------------------------------------------------

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** Runs a process to completion; SIGKILLs it (and rejects) when the timeout passes. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(
        new Error(
          `${cmd} ${args.join(' ').slice(0, 300)} timed out after ${timeoutMs} ms\nstderr: ${Buffer.concat(err).toString().slice(-4000)}`,
        ),
      );
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => {
      /* child may exit before reading everything */
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/**
 * Runs test/integration/clients/<script> with one JSON argument and parses the JSON object
 * it prints last on stdout. Throws with the script's stderr when it fails.
 */
export async function runPython<T = Record<string, unknown>>(
  script: string,
  args: unknown,
  timeoutMs = 60_000,
): Promise<T> {
  const r = await run(PYTHON, [join(CLIENTS_DIR, script), JSON.stringify(args)], { timeoutMs });
  const lines = r.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  if (r.code !== 0 || !last.startsWith('{')) {
    throw new Error(
      `${script} ${JSON.stringify(args).slice(0, 300)} failed (code ${r.code}, signal ${r.signal})\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-4000)}`,
    );
  }
  return JSON.parse(last) as T;
}

export async function runKcat(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(KCAT, args, opts);
  if (r.code !== 0) {
    throw new Error(
      `kcat ${args.join(' ')} failed (code ${r.code}, signal ${r.signal})\nstderr: ${r.stderr.slice(-4000)}`,
    );
  }
  return r;
}

/** Rejects when `p` has not settled within `ms` (to bound awaits on JS clients). */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  ms: number,
  what: string,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + ms;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached within ${ms} ms${lastErr ? `; last error: ${String(lastErr)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
