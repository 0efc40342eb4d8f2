// A small, strict argument parser for `samsa` subcommands: `--name value`,
// `--name=value`, boolean flags, and repeatable options.

export interface OptionSpec {
  /** Takes a value (`--port 9092`); otherwise a boolean flag. */
  value?: boolean;
  /** May be given several times; values are collected in order. */
  repeat?: boolean;
  description: string;
  /** Shown in usage, e.g. "DIR". */
  arg?: string;
}

export class UsageError extends Error {}

export type Parsed = { values: Map<string, string[]>; flags: Set<string>; positional: string[] };

export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>): Parsed {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq === -1 ? undefined : eq);
    const opt = spec[name];
    if (!opt) throw new UsageError(`unknown option --${name}`);
    if (!opt.value) {
      if (eq !== -1) throw new UsageError(`option --${name} takes no value`);
      flags.add(name);
      continue;
    }
    let v: string | undefined;
    if (eq !== -1) v = a.slice(eq + 1);
    else {
      v = argv[++i];
      if (v === undefined) throw new UsageError(`option --${name} needs a value`);
    }
    const list = values.get(name) ?? [];
    if (list.length > 0 && !opt.repeat) throw new UsageError(`option --${name} given more than once`);
    list.push(v);
    values.set(name, list);
  }
  return { values, flags, positional };
}

export function usage(command: string, summary: string, spec: Record<string, OptionSpec>): string {
  const lines = [`Usage: samsa ${command} [options]`, '', summary, '', 'Options:'];
  const rows = Object.entries(spec).map(([name, o]) => [
    `--${name}${o.value ? ` ${o.arg ?? 'VALUE'}` : ''}`,
    o.description + (o.repeat ? ' (repeatable)' : ''),
  ]);
  const w = Math.max(...rows.map((r) => r[0]!.length));
  for (const [l, r] of rows) lines.push(`  ${l!.padEnd(w)}  ${r}`);
  return lines.join('\n');
}
