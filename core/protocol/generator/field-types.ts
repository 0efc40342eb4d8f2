// The TypeScript side of a field, for the message emitter: its type in the
// decoded and the encode-input interfaces, its default as an expression, the
// test for "differs from its default" (tagged fields are written only then)
// and its doc comment. Follows the type table of core/protocol/README.md.
import { NUMERIC, type FieldInfo } from './struct-registry.ts';

export function tsElem(fi: FieldInfo, input: boolean): string {
  if (fi.struct) return input ? `${fi.struct.tsName}Input` : fi.struct.tsName;
  return tsPrimitive(fi.elem, input);
}

export function tsType(fi: FieldInfo, input: boolean): string {
  const base = fi.array ? `${tsElem(fi, input)}[]` : tsElem(fi, input);
  return fi.nullableAny ? `${base} | null` : base;
}

/** The value a field takes when absent. `input`: for encode ({} stands for a default struct). */
export function defaultExpr(fi: FieldInfo, input: boolean): string {
  if (fi.defaultNull) return 'null';
  if (fi.array) return '[]';
  if (fi.struct) return input ? '{}' : `default${fi.struct.tsName}()`;
  const d = fi.s.default;
  if (NUMERIC.has(fi.elem)) {
    const n = d === undefined || d === '' ? 0 : Number(d);
    if (!Number.isFinite(n)) throw new Error(`${fi.owner}.${fi.s.name}: bad default ${String(d)}`);
    return String(n);
  }
  switch (fi.elem) {
    case 'bool':
      return d === true || d === 'true' ? 'true' : 'false';
    case 'string':
      return JSON.stringify(d === undefined ? '' : String(d));
    case 'bytes':
      return 'EMPTY_BUFFER';
    case 'uuid':
      return 'ZERO_UUID';
    case 'records':
      return 'null';
  }
  throw new Error(`no default for ${fi.elem}`);
}

/** Expression: is `v` (not undefined) different from the field's default? */
export function notDefault(fi: FieldInfo, v: string): string {
  if (fi.defaultNull) return `${v} !== null`;
  let nonNull: string;
  if (fi.array || fi.elem === 'bytes') nonNull = `${v}.length > 0`;
  else if (fi.struct) nonNull = `!isDefault${fi.struct.tsName}(${v})`;
  else if (fi.elem === 'records') return `${v} !== null`;
  else return `${v} !== ${defaultExpr(fi, true)}`;
  return fi.nullableAny ? `(${v} === null || ${nonNull})` : nonNull;
}

/** The doc comment of a field in the emitted interfaces: its "about" and versions. */
export function docComment(fi: FieldInfo): string {
  const about = (fi.s as { about?: string }).about;
  const v = fi.versions;
  const range = v.hi === Infinity ? `v${v.lo}+` : v.lo === v.hi ? `v${v.lo}` : `v${v.lo}-${v.hi}`;
  const parts = [about?.trim(), `(${range}${fi.tag >= 0 ? `, tagged ${fi.tag}` : ''})`].filter(Boolean);
  return `/** ${parts.join(' ').replace(/\*\//g, '*\\/')} */`;
}

function tsPrimitive(t: string, input: boolean): string {
  if (NUMERIC.has(t)) return 'number';
  switch (t) {
    case 'bool':
      return 'boolean';
    case 'string':
    case 'uuid':
      return 'string';
    case 'bytes':
      return 'Buffer';
    case 'records':
      return input ? 'Buffer | Buffer[]' : 'Buffer';
  }
  throw new Error(`unknown type ${t}`);
}
