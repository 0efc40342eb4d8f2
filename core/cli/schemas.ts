// `samsa schemas …`: the Schema Registry from the command line, over its REST API (the built-in
// one of `samsa start --schema-registry`, or any Confluent-compatible registry with --registry):
// list subjects, show versions and schemas, register, check compatibility, delete (soft, then
// --permanent), and show or set compatibility. A registry error prints its message and
// error_code (Confluent's) and exits 1.
import { readFileSync } from 'node:fs';
import { parseArgs, usage, UsageError, type OptionSpec } from './args.ts';

const SPEC: Record<string, OptionSpec> = {
  registry: { value: true, arg: 'URL', description: 'Registry URL (default http://127.0.0.1:8081)' },
  version: { value: true, arg: 'V', description: 'A version number or "latest" (get, delete, compat)' },
  file: { value: true, arg: 'FILE', description: 'The schema to register or check (register, compat)' },
  type: { value: true, arg: 'TYPE', description: 'AVRO (default), PROTOBUF or JSON (register, compat)' },
  permanent: { description: 'Delete permanently (after a soft delete)' },
  deleted: { description: 'Include soft-deleted subjects and versions (list, versions)' },
  set: {
    value: true,
    arg: 'LEVEL',
    description: 'Set the compatibility level (config): NONE, BACKWARD, FULL_TRANSITIVE…',
  },
  help: { description: 'Show this help' },
};

const SUMMARY = `Works with a Schema Registry's subjects and schemas.
  samsa schemas list                                  subjects
  samsa schemas versions SUBJECT                      version numbers
  samsa schemas get SUBJECT [--version V]             a version (latest by default) as JSON
  samsa schemas register SUBJECT --file F [--type T]  register a schema; prints its id
  samsa schemas compat SUBJECT --file F [--type T]    is it compatible with the subject (at --version)?
  samsa schemas delete SUBJECT [--version V] [--permanent]
  samsa schemas config [SUBJECT] [--set LEVEL]        show or set the compatibility level`;

const ACTIONS = ['list', 'versions', 'get', 'register', 'compat', 'delete', 'config'];

export async function schemas(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.flags.has('help')) {
    console.log(usage('schemas list|versions|get|register|compat|delete|config', SUMMARY, SPEC));
    return 0;
  }
  const one = (k: string) => args.values.get(k)?.at(-1);
  const [action, subject, ...extra] = args.positional;
  if (!action) throw new UsageError(`missing action: ${ACTIONS.join(', ')}`);
  if (!ACTIONS.includes(action)) throw new UsageError(`unknown action "${action}" (${ACTIONS.join(', ')})`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!subject && !['list', 'config'].includes(action)) throw new UsageError(`${action} needs a SUBJECT`);
  const base = (one('registry') ?? 'http://127.0.0.1:8081').replace(/\/+$/, '');
  const s = subject ? encodeURIComponent(subject) : '';
  const deleted = args.flags.has('deleted') ? '?deleted=true' : '';
  const body = () => {
    const file = one('file');
    if (!file) throw new UsageError(`${action} needs --file`);
    const type = (one('type') ?? 'AVRO').toUpperCase();
    return { schemaType: type, schema: readFileSync(file, 'utf8') };
  };
  let r: Answer;
  switch (action) {
    case 'list':
      r = await call(base, 'GET', `/subjects${deleted}`);
      if (r.ok) for (const x of r.json as string[]) console.log(x);
      break;
    case 'versions':
      r = await call(base, 'GET', `/subjects/${s}/versions${deleted}`);
      if (r.ok) console.log((r.json as number[]).join('\n'));
      break;
    case 'get':
      r = await call(base, 'GET', `/subjects/${s}/versions/${encodeURIComponent(one('version') ?? 'latest')}`);
      if (r.ok) console.log(JSON.stringify(r.json, null, 2));
      break;
    case 'register':
      r = await call(base, 'POST', `/subjects/${s}/versions`, body());
      if (r.ok) console.log(`registered under ${subject}: id ${(r.json as { id: number }).id}`);
      break;
    case 'compat': {
      const v = one('version');
      r = await call(
        base,
        'POST',
        `/compatibility/subjects/${s}/versions${v ? `/${encodeURIComponent(v)}` : ''}?verbose=true`,
        body(),
      );
      if (r.ok) {
        const c = r.json as { is_compatible: boolean; messages?: string[] };
        console.log(c.is_compatible ? 'compatible' : 'incompatible');
        for (const m of c.messages ?? []) console.log(`  ${m}`);
        if (!c.is_compatible) return 1;
      }
      break;
    }
    case 'delete': {
      const v = one('version');
      const q = args.flags.has('permanent') ? '?permanent=true' : '';
      r = await call(base, 'DELETE', `/subjects/${s}${v ? `/versions/${encodeURIComponent(v)}` : ''}${q}`);
      if (r.ok) console.log(`deleted ${subject} version(s) ${[r.json].flat().join(', ')}`);
      break;
    }
    default: {
      const path = subject ? `/config/${s}` : '/config';
      const level = one('set');
      r = level
        ? await call(base, 'PUT', path, { compatibility: level })
        : await call(base, 'GET', subject ? `${path}?defaultToGlobal=true` : path);
      if (r.ok) {
        const c = r.json as { compatibility?: string; compatibilityLevel?: string };
        console.log(c.compatibility ?? c.compatibilityLevel);
      }
    }
  }
  if (r.ok) return 0;
  console.error(`samsa schemas: ${r.message}`);
  return 1;
}

type Answer = { ok: true; json: unknown } | { ok: false; message: string };

async function call(base: string, method: string, path: string, body?: unknown): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return { ok: false, message: `cannot reach the registry at ${base}${cause ? ` (${cause})` : ''}` };
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  if (res.ok) return { ok: true, json };
  const err = json as { error_code?: number; message?: string };
  return { ok: false, message: `${err.message ?? text} (HTTP ${res.status}, error_code ${err.error_code ?? '?'})` };
}
