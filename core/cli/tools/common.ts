// Shared pieces of the Kafka-style command-line tools (`samsa topics`, `samsa console-producer`, …):
// option specs and parsing, the --bootstrap-server option, and running a tool body so that a
// failure is the one-line message Kafka's tools print. The Kafka-client helpers the tools use
// (client options, bootstrap parsing, error description, the partition reader) are in core/client.
import { BootstrapError, parseBootstrap } from '../../client/bootstrap.ts';
import { describeFailure, ReadableError } from '../../client/errors.ts';
import { parseArgs, usage, UsageError, type OptionSpec, type Parsed } from '../args.ts';

export const DEFAULT_BOOTSTRAP = 'localhost:9092';

export const BOOTSTRAP_OPTION: OptionSpec = {
  value: true,
  arg: 'HOST:PORT[,...]',
  description: `The Kafka server(s) to connect to (default ${DEFAULT_BOOTSTRAP})`,
};

export const HELP_OPTION: OptionSpec = { description: 'Show this help' };

/** An error the tool reports as one line on stderr, exiting with `code`. */
export class ToolError extends ReadableError {
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

/** The servers of a --bootstrap-server value; a malformed list is a usage error. */
export function bootstrapList(text: string): string[] {
  try {
    return parseBootstrap(text);
  } catch (e) {
    throw e instanceof BootstrapError ? new UsageError(e.message) : e;
  }
}

/** The bootstrap servers from --bootstrap-server (or an alias such as --broker-list). */
export function bootstrapOf(args: Parsed, aliases: readonly string[] = []): string[] {
  for (const name of ['bootstrap-server', ...aliases]) {
    const v = one(args, name);
    if (v !== undefined) return bootstrapList(v);
  }
  return bootstrapList(DEFAULT_BOOTSTRAP);
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

/**
 * Runs a tool body, turning failures into one line on stderr and a non-zero exit code.
 * UsageErrors pass through to main.ts, which prints them with a pointer to --help.
 */
export async function runTool(name: string, bootstrap: () => string[], body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof ReadableError) {
      console.error(e.message);
      return e instanceof ToolError ? e.code : 1;
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
