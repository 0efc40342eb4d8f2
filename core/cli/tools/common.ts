// Shared pieces of the Kafka-style command-line tools (`samsa topics`, `samsa console-producer`, …):
// option specs, bootstrap parsing, client options with bounded connection attempts, and turning
// client-library errors into the one-line messages Kafka's tools print.
import { parseArgs, usage, UsageError, type OptionSpec, type Parsed } from '../args.ts';

export const DEFAULT_BOOTSTRAP = 'localhost:9092';

/** How long one connection attempt may take before the tool gives up on that address. */
export const CONNECT_TIMEOUT_MS = 3000;

export const BOOTSTRAP_OPTION: OptionSpec = {
  value: true,
  arg: 'HOST:PORT[,...]',
  description: `The Kafka server(s) to connect to (default ${DEFAULT_BOOTSTRAP})`,
};

export const HELP_OPTION: OptionSpec = { description: 'Show this help' };

/** An error the tool reports as one line on stderr, exiting with `code`. */
export class ToolError extends Error {
  code: number;
  constructor(message: string, code = 1) {
    super(message);
    this.code = code;
  }
}

export interface Tool {
  name: string;
  summary: string;
  spec: Record<string, OptionSpec>;
  /** Extra text after the option list (examples, notes). */
  notes?: string;
}

/**
 * Parses argv for a tool; prints the usage and returns undefined for --help. Unknown options
 * and stray arguments are UsageErrors (main.ts prints them with a pointer to --help).
 */
export function parseToolArgs(tool: Tool, argv: readonly string[]): Parsed | undefined {
  const args = parseArgs(argv, tool.spec);
  if (args.flags.has('help')) {
    console.log(toolUsage(tool));
    return undefined;
  }
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  return args;
}

export function toolUsage(tool: Tool): string {
  const text = usage(tool.name, tool.summary, tool.spec);
  return tool.notes ? `${text}\n\n${tool.notes}` : text;
}

export function one(args: Parsed, name: string): string | undefined {
  return args.values.get(name)?.[0];
}

export function all(args: Parsed, name: string): string[] {
  return args.values.get(name) ?? [];
}

export function required(args: Parsed, name: string, why = ''): string {
  const v = one(args, name);
  if (v === undefined) throw new UsageError(`missing required option --${name}${why ? ` ${why}` : ''}`);
  return v;
}

export function intOption(args: Parsed, name: string, min = Number.MIN_SAFE_INTEGER): number | undefined {
  const v = one(args, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min)
    throw new UsageError(
      `--${name} must be an integer${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''}, got "${v}"`,
    );
  return Number(v);
}

/** Exactly one of `actions` must be given (like kafka-topics.sh's --create/--list/…). */
export function pickAction(args: Parsed, actions: readonly string[]): string {
  const given = actions.filter((a) => args.flags.has(a));
  if (given.length !== 1) {
    throw new UsageError(`exactly one of ${actions.map((a) => `--${a}`).join(', ')} must be given`);
  }
  return given[0]!;
}

/** "a:1,b:2" → ["a:1", "b:2"], checking each address has a port. */
export function parseBootstrap(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new UsageError('--bootstrap-server needs at least one HOST:PORT');
  for (const a of list) {
    const m = /^(.+):(\d+)$/.exec(a);
    if (!m || Number(m[2]) > 65535) throw new UsageError(`invalid bootstrap server "${a}" (expected HOST:PORT)`);
  }
  return list;
}

/** The bootstrap servers from --bootstrap-server (or an alias such as --broker-list). */
export function bootstrapOf(args: Parsed, aliases: readonly string[] = []): string[] {
  for (const name of ['bootstrap-server', ...aliases]) {
    const v = one(args, name);
    if (v !== undefined) return parseBootstrap(v);
  }
  return parseBootstrap(DEFAULT_BOOTSTRAP);
}

/** `k=v` pairs (each value may itself contain '='). */
export function parseKeyValues(list: readonly string[], option: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${option} expects KEY=VALUE, got "${item}"`);
    out.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  return out;
}

/** Options every client of the tools gets: a short connect timeout and few retries, so an unreachable broker fails fast. */
export function clientOptions(bootstrap: string[], clientId: string) {
  return {
    clientId,
    bootstrapBrokers: bootstrap,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retries: 1,
    retryDelay: 200,
  };
}

// ---- errors ------------------------------------------------------------------------------

interface ErrorLike {
  message: string;
  code?: string;
  apiId?: string;
  /** The broker's own error message, when its response carried one. */
  serverErrorMessage?: string | null;
  errors?: unknown[];
  cause?: unknown;
}

/** The innermost errors of a client-library error tree (MultipleErrors / ResponseError / causes). */
export function leafErrors(e: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const walk = (x: unknown, depth: number) => {
    if (!x || typeof x !== 'object' || depth > 8) return;
    const err = x as ErrorLike;
    if (err.apiId !== undefined) {
      out.push(err);
      return;
    }
    if (Array.isArray(err.errors) && err.errors.length > 0) {
      for (const c of err.errors) walk(c, depth + 1);
      return;
    }
    if (err.code === 'PLT_KFK_NETWORK' || !err.cause) {
      out.push(err);
      return;
    }
    walk(err.cause, depth + 1);
  };
  walk(e, 0);
  return out.length > 0 ? out : [{ message: String((e as Error)?.message ?? e) }];
}

/** The Kafka error name (e.g. TOPIC_ALREADY_EXISTS) inside a client error, if any. */
export function kafkaErrorId(e: unknown): string | undefined {
  return leafErrors(e).find((l) => l.apiId !== undefined)?.apiId;
}

export function isUnreachable(e: unknown): boolean {
  const leaves = leafErrors(e);
  return leaves.every(
    (l) =>
      l.code === 'PLT_KFK_NETWORK' ||
      l.code === 'PLT_KFK_TIMEOUT' ||
      /Cannot connect to any broker|timed out/i.test(l.message),
  );
}

/**
 * One line describing a failure: the broker being unreachable (naming the addresses tried),
 * a Kafka error code with the broker's message, or the client's message.
 */
export function describeFailure(e: unknown, bootstrap: string[]): string {
  if (e instanceof ToolError) return e.message;
  if (isUnreachable(e)) {
    const leaf = leafErrors(e)[0];
    const cause = (leaf?.cause as { code?: string } | undefined)?.code;
    const why =
      cause === 'ECONNREFUSED'
        ? 'connection refused'
        : cause === 'ENOTFOUND' || cause === 'EAI_AGAIN'
          ? 'host not found'
          : /timed out/i.test(leaf?.message ?? '') || cause === 'ETIMEDOUT'
            ? `no answer within ${CONNECT_TIMEOUT_MS} ms`
            : (cause ?? leaf?.message ?? 'unreachable');
    return `Could not connect to the Kafka broker at ${bootstrap.join(',')} (${why}).`;
  }
  const leaves = leafErrors(e);
  const withId = leaves.find((l) => l.apiId !== undefined);
  if (withId) return `${withId.apiId}: ${withId.serverErrorMessage || withId.message}`;
  const unsupported = leaves.find((l) => l.code === 'PLT_KFK_UNSUPPORTED_API');
  if (unsupported) return `The broker does not support this operation (${unsupported.message.replace(/\.$/, '')}).`;
  return leaves[0]!.message;
}

/**
 * Runs a tool body, turning failures into one line on stderr and a non-zero exit code.
 * UsageErrors pass through to main.ts, which prints them with a pointer to --help.
 */
export async function runTool(name: string, bootstrap: () => string[], body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof ToolError) {
      console.error(e.message);
      return e.code;
    }
    let servers: string[] = [];
    try {
      servers = bootstrap();
    } catch {
      /* already reported as a usage error */
    }
    console.error(`samsa ${name}: ${describeFailure(e, servers)}`);
    return 1;
  }
}

/** Kafka prints topic ids as URL-safe base64 of the 16 bytes, without padding. */
export function kafkaUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) return uuid;
  return Buffer.from(hex, 'hex').toString('base64url');
}

/** Pads columns like Java's `%-Ns` (left-justified, at least N wide). */
export function padRight(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

/** Closes clients, ignoring errors (a failed connection may already have closed them). */
export async function closeAll(...clients: ({ close(): Promise<void> } | undefined)[]): Promise<void> {
  await Promise.all(clients.map((c) => c?.close().catch(() => undefined)));
}
