// Emits one TypeScript module for an API (request + response schemas) or a
// standalone "data" schema. For every struct (the message itself, nested
// structs, common structs) it emits:
//   interface X           — the decoded shape, every field present
//   interface XInput      — what encode accepts: every field optional
//                           (undefined → the field's default), records may be
//                           Buffer[] (appended by reference)
//   defaultX / isDefaultX — the all-defaults value, and the check used to
//                           decide whether a tagged struct must be written
//   decodeX / encodeX     — straight-line code with `version` checks

import {
  ALL,
  camelCase,
  hull,
  intersect,
  isEmpty,
  kebabCase,
  parseRange,
  sameRange,
  versionCond,
  type FieldSchema,
  type MessageSchema,
  type Range,
} from './schema.ts';

export interface ModuleSummary {
  apiKey: number;
  apiName: string;
  moduleFile: string;
  requestName: string;
  responseName: string;
  min: number;
  max: number;
  flexibleMin: number;
  latestVersionUnstable: boolean;
}

interface StructDef {
  name: string; // schema name
  tsName: string; // MessageName + StructName
  fields: FieldSchema[];
  ctx: Range; // hull of the versions in which the struct can appear
}

interface FieldInfo {
  s: FieldSchema;
  js: string;
  versions: Range;
  tagged: Range; // EMPTY when not a tagged field
  tag: number;
  array: boolean;
  elem: string; // element type (the type itself when not an array)
  struct: StructDef | null;
  nullable: Range; // versions in which null is allowed on the wire
  nullableAny: boolean; // nullable in some version, or default null
  defaultNull: boolean;
}

const NUMERIC = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64']);
const PRIMITIVES = new Set([...NUMERIC, 'bool', 'string', 'bytes', 'uuid', 'records']);

/** Generation state for one message schema. */
class MessageEmitter {
  readonly schema: MessageSchema;
  readonly structs = new Map<string, StructDef>();
  readonly flex: Range;
  readonly valid: Range;
  readonly top: StructDef;

  constructor(schema: MessageSchema) {
    this.schema = schema;
    this.flex = parseRange(schema.flexibleVersions);
    this.valid = parseRange(schema.validVersions);
    for (const cs of schema.commonStructs ?? []) this.define(cs.name, cs.fields);
    this.collect(schema.fields);
    this.top = { name: schema.name, tsName: schema.name, fields: schema.fields, ctx: this.valid };
    this.visit(this.top.fields, this.valid);
  }

  private define(name: string, fields: FieldSchema[]): void {
    const existing = this.structs.get(name);
    if (existing) {
      if (existing.fields !== fields) throw new Error(`${this.schema.name}: struct ${name} defined twice`);
      return;
    }
    // Struct types are prefixed with the message name to avoid collisions,
    // unless the schema name already carries it (MetadataResponseTopic).
    const tsName = name.startsWith(this.schema.name) ? name : this.schema.name + name;
    this.structs.set(name, { name, tsName, fields, ctx: { lo: 1, hi: 0 } });
    this.collect(fields);
  }

  /** Registers every struct defined inline below `fields`. */
  private collect(fields: FieldSchema[]): void {
    for (const f of fields) {
      if (f.fields) this.define(elemType(f.type), f.fields);
    }
  }

  /** Computes each struct's version context (hull of all its uses). */
  private visit(fields: FieldSchema[], ctx: Range): void {
    for (const f of fields) {
      const elem = elemType(f.type);
      if (PRIMITIVES.has(elem)) continue;
      const def = this.structs.get(elem);
      if (!def) throw new Error(`${this.schema.name}: unknown type ${f.type}`);
      const use = intersect(ctx, fieldVersions(f));
      if (isEmpty(use)) continue;
      const h = hull(def.ctx, use);
      if (!sameRange(h, def.ctx)) {
        def.ctx = h;
        this.visit(def.fields, h);
      }
    }
  }

  info(f: FieldSchema): FieldInfo {
    const versions = fieldVersions(f);
    const tagged = f.tag !== undefined ? intersect(parseRange(f.taggedVersions), versions) : { lo: 1, hi: 0 };
    if (f.tag !== undefined && !sameRange(tagged, versions)) {
      throw new Error(`${this.schema.name}.${f.name}: tagged in only some of its versions (unsupported)`);
    }
    const array = f.type.startsWith('[]');
    const elem = elemType(f.type);
    const struct = PRIMITIVES.has(elem) ? null : this.structs.get(elem)!;
    const defaultNull = f.default === 'null';
    // Records are nullable bytes in every version.
    const nullable = elem === 'records' ? versions : intersect(parseRange(f.nullableVersions), versions);
    const nullableAny = defaultNull || !isEmpty(nullable);
    return {
      s: f,
      js: camelCase(f.name),
      versions,
      tagged,
      tag: f.tag ?? -1,
      array,
      elem,
      struct,
      nullable,
      nullableAny,
      defaultNull,
    };
  }

  // ---------------------------------------------------------------- types

  tsElem(fi: FieldInfo, input: boolean): string {
    if (fi.struct) return input ? `${fi.struct.tsName}Input` : fi.struct.tsName;
    return tsPrimitive(fi.elem, input);
  }

  tsType(fi: FieldInfo, input: boolean): string {
    const base = fi.array ? `${this.tsElem(fi, input)}[]` : this.tsElem(fi, input);
    return fi.nullableAny ? `${base} | null` : base;
  }

  /** The value a field takes when absent. `input`: for encode ({} stands for a default struct). */
  defaultExpr(fi: FieldInfo, input: boolean): string {
    if (fi.defaultNull) return 'null';
    if (fi.array) return '[]';
    if (fi.struct) return input ? '{}' : `default${fi.struct.tsName}()`;
    const d = fi.s.default;
    if (NUMERIC.has(fi.elem)) {
      const n = d === undefined || d === '' ? 0 : Number(d);
      if (!Number.isFinite(n)) throw new Error(`${this.schema.name}.${fi.s.name}: bad default ${String(d)}`);
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

  // ---------------------------------------------------------------- decode

  /** A condition (relative to the struct's context) under which the field may be null on the wire. */
  nullCond(fi: FieldInfo, ctx: Range): string {
    return versionCond(fi.nullable, intersect(ctx, fi.versions));
  }

  readScalar(fi: FieldInfo, nullCond: string, flex: string): string {
    if (fi.struct) {
      const call = `decode${fi.struct.tsName}(r, version)`;
      // Nullable structs carry an int8 presence marker: -1 null, 1 present.
      return pick(nullCond, `(r.int8() < 0 ? null : ${call})`, call);
    }
    switch (fi.elem) {
      case 'int8':
      case 'int16':
      case 'int32':
      case 'int64':
      case 'uint16':
      case 'uint32':
      case 'float64':
      case 'uuid':
        return `r.${fi.elem}()`;
      case 'bool':
        return 'r.boolean()';
      case 'string':
        return pick(
          nullCond,
          sel(flex, 'r.compactNullableString()', 'r.nullableString()'),
          sel(flex, 'r.compactString()', 'r.string()'),
        );
      case 'bytes':
        return pick(
          nullCond,
          sel(flex, 'r.compactNullableBytes()', 'r.nullableBytes()'),
          sel(flex, 'r.compactBytes()', 'r.bytes()'),
        );
      case 'records':
        return sel(flex, 'r.compactNullableBytes()', 'r.nullableBytes()');
    }
    throw new Error(`cannot read ${fi.elem}`);
  }

  decodeLines(fi: FieldInfo, target: string, flex: string, indent: string, ctx: Range): string[] {
    const nullCond = this.nullCond(fi, ctx);
    if (!fi.array) return [`${indent}${target} = ${this.readScalar(fi, nullCond, flex)};`];
    const fail = `throw new ProtocolError('non-nullable field ${this.schema.name}.${fi.s.name} was null');`;
    const out = [`${indent}{`, `${indent}  const n = ${sel(flex, 'r.compactArrayLength()', 'r.arrayLength()')};`];
    if (nullCond === 'true') {
      out.push(`${indent}  if (n < 0) {`, `${indent}    ${target} = null;`, `${indent}  } else {`);
    } else if (nullCond === 'false') {
      out.push(`${indent}  if (n < 0) ${fail}`, `${indent}  {`);
    } else {
      out.push(
        `${indent}  if (n < 0) {`,
        `${indent}    if (!(${nullCond})) ${fail}`,
        `${indent}    ${target} = null;`,
        `${indent}  } else {`,
      );
    }
    out.push(
      `${indent}    const a: ${this.tsElem(fi, false)}[] = [];`,
      `${indent}    for (let i = 0; i < n; i++) a.push(${this.readScalar(fi, 'false', flex)});`,
      `${indent}    ${target} = a;`,
      `${indent}  }`,
      `${indent}}`,
    );
    return out;
  }

  decodeFunction(def: StructDef, exported: boolean): string[] {
    const ctx = def.ctx;
    const fields = def.fields.map((f) => this.info(f));
    const flexCond = versionCond(this.flex, ctx);
    const flexVar = flexCond === 'true' || flexCond === 'false' ? flexCond : 'flexible';
    const out: string[] = [];
    out.push(`${exported ? 'export ' : ''}function decode${def.tsName}(r: Reader, version: number): ${def.tsName} {`);
    if (flexVar === 'flexible') out.push(`  const flexible = ${flexCond};`);
    for (const fi of fields) {
      out.push(`  let _${fi.js}: ${this.tsType(fi, false)} = ${this.defaultExpr(fi, false)};`);
    }
    for (const fi of fields) {
      if (fi.tag >= 0) continue;
      const cond = versionCond(fi.versions, ctx);
      if (cond === 'false') continue;
      if (cond === 'true') {
        out.push(...this.decodeLines(fi, `_${fi.js}`, flexVar, '  ', ctx));
      } else {
        out.push(`  if (${cond}) {`, ...this.decodeLines(fi, `_${fi.js}`, flexVar, '    ', ctx), '  }');
      }
    }
    if (flexCond !== 'false') {
      const tagged = fields
        .filter((fi) => fi.tag >= 0 && versionCond(fi.tagged, ctx) !== 'false')
        .sort((a, b) => a.tag - b.tag);
      const body: string[] = [];
      if (tagged.length === 0) {
        body.push('r.skipTaggedFields();');
      } else {
        body.push(
          'const numTagged = r.uvarint();',
          'for (let t = 0; t < numTagged; t++) {',
          '  const tag = r.uvarint();',
          '  const end = r.taggedFieldEnd(r.uvarint());',
          '  switch (tag) {',
        );
        for (const fi of tagged) {
          const cond = versionCond(fi.tagged, ctx);
          body.push(`    case ${fi.tag}:`);
          if (cond === 'true') {
            body.push(...this.decodeLines(fi, `_${fi.js}`, 'true', '      ', ctx));
          } else {
            body.push(`      if (${cond}) {`, ...this.decodeLines(fi, `_${fi.js}`, 'true', '        ', ctx), '      }');
          }
          body.push('      break;');
        }
        body.push('  }', '  r.endTaggedField(end);', '}');
      }
      if (flexCond === 'true') out.push(...body.map((l) => '  ' + l));
      else out.push(`  if (flexible) {`, ...body.map((l) => '    ' + l), '  }');
    }
    out.push(`  return {`);
    for (const fi of fields) out.push(`    ${fi.js}: _${fi.js},`);
    out.push('  };', '}');
    return out;
  }

  // ---------------------------------------------------------------- encode

  /**
   * Statements writing one value. Where null is not allowed on the wire in
   * this version, a null value is written as the type's empty value.
   */
  writeScalar(fi: FieldInfo, v: string, nullCond: string, flex: string, w: string): string[] {
    const orEmpty = (empty: string) => (fi.nullableAny && !fi.array ? `${v} ?? ${empty}` : v);
    if (fi.struct) {
      const call = `encode${fi.struct.tsName}(${w}, version, ${v});`;
      const marked = [`if (${v} === null) {`, `  ${w}.int8(-1);`, '} else {', `  ${w}.int8(1);`, `  ${call}`, '}'];
      const plain = [`encode${fi.struct.tsName}(${w}, version, ${orEmpty('{}')});`];
      return pickLines(nullCond, marked, plain);
    }
    switch (fi.elem) {
      case 'int8':
      case 'int16':
      case 'int32':
      case 'int64':
      case 'uint16':
      case 'uint32':
      case 'float64':
      case 'uuid':
        return [`${w}.${fi.elem}(${v});`];
      case 'bool':
        return [`${w}.boolean(${v});`];
      case 'string':
        return pickLines(
          nullCond,
          [call(flex, w, 'compactNullableString', 'nullableString', v)],
          [call(flex, w, 'compactString', 'string', orEmpty("''"))],
        );
      case 'bytes':
        return pickLines(
          nullCond,
          [call(flex, w, 'compactNullableBytes', 'nullableBytes', v)],
          [call(flex, w, 'compactBytes', 'bytes', orEmpty('EMPTY_BUFFER'))],
        );
      case 'records':
        return [`${w}.records(${v}, ${flex});`];
    }
    throw new Error(`cannot write ${fi.elem}`);
  }

  /** Statements writing `v` (already defaulted, never undefined). */
  writeLines(fi: FieldInfo, v: string, flex: string, w: string, ctx: Range): string[] {
    const nullCond = this.nullCond(fi, ctx);
    if (!fi.array) return this.writeScalar(fi, v, nullCond, flex, w);
    const out: string[] = [];
    const inner = [
      call(flex, w, 'compactArrayLength', 'arrayLength', `${v}.length`),
      `for (const e of ${v}) {`,
      ...this.writeScalar(fi, 'e', 'false', flex, w).map((l) => '  ' + l),
      '}',
    ];
    if (fi.nullableAny) {
      const asNull = [call(flex, w, 'compactArrayLength', 'arrayLength', '-1')];
      const asEmpty = [call(flex, w, 'compactArrayLength', 'arrayLength', '0')];
      out.push(`if (${v} === null) {`, ...pickLines(nullCond, asNull, asEmpty).map((l) => '  ' + l), '} else {');
      out.push(...inner.map((l) => '  ' + l), '}');
    } else {
      out.push(...inner);
    }
    return out;
  }

  /** `const name = <m.field or its default>;` */
  valueLine(fi: FieldInfo, name: string, src: string): string {
    const d = this.defaultExpr(fi, true);
    if (!fi.nullableAny) return `const ${name} = ${src} ?? ${d};`;
    return `const ${name} = ${src} === undefined ? ${d} : ${src};`;
  }

  /** Expression: is `v` (not undefined) different from the field's default? */
  notDefault(fi: FieldInfo, v: string): string {
    if (fi.defaultNull) return `${v} !== null`;
    let nonNull: string;
    if (fi.array || fi.elem === 'bytes') nonNull = `${v}.length > 0`;
    else if (fi.struct) nonNull = `!isDefault${fi.struct.tsName}(${v})`;
    else if (fi.elem === 'records') return `${v} !== null`;
    else return `${v} !== ${this.defaultExpr(fi, true)}`;
    return fi.nullableAny ? `(${v} === null || ${nonNull})` : nonNull;
  }

  encodeFunction(def: StructDef, exported: boolean): string[] {
    const ctx = def.ctx;
    const fields = def.fields.map((f) => this.info(f));
    const flexCond = versionCond(this.flex, ctx);
    const flexVar = flexCond === 'true' || flexCond === 'false' ? flexCond : 'flexible';
    const out: string[] = [];
    out.push(
      `${exported ? 'export ' : ''}function encode${def.tsName}(w: Writer, version: number, m: ${def.tsName}Input): void {`,
    );
    if (flexVar === 'flexible') out.push(`  const flexible = ${flexCond};`);
    for (const fi of fields) {
      if (fi.tag >= 0) continue;
      const cond = versionCond(fi.versions, ctx);
      if (cond === 'false') continue;
      const body = [this.valueLine(fi, 'v', `m.${fi.js}`), ...this.writeLines(fi, 'v', flexVar, 'w', ctx)];
      out.push(cond === 'true' ? '  {' : `  if (${cond}) {`, ...body.map((l) => '    ' + l), '  }');
    }
    if (flexCond !== 'false') {
      const tagged = fields
        .filter((fi) => fi.tag >= 0 && versionCond(fi.tagged, ctx) !== 'false')
        .sort((a, b) => a.tag - b.tag);
      const body: string[] = [];
      if (tagged.length === 0) {
        body.push('w.uvarint(0);');
      } else {
        // Tagged fields are written only when they differ from their default,
        // in ascending tag order, each as uvarint tag, uvarint size, data (KIP-482).
        body.push('let numTagged = 0;');
        for (const fi of tagged) {
          const cond = versionCond(fi.tagged, ctx);
          const t = `t${fi.tag}`;
          body.push(`const ${t} = m.${fi.js};`);
          body.push(
            `const has${fi.tag} = ${cond === 'true' ? '' : `${cond} && `}${t} !== undefined && ${this.notDefault(fi, t)};`,
          );
          body.push(`if (has${fi.tag}) numTagged++;`);
        }
        body.push('w.uvarint(numTagged);');
        for (const fi of tagged) {
          const t = `t${fi.tag}`;
          body.push(
            `if (has${fi.tag}) {`,
            `  const tw = new Writer(64);`,
            ...[this.valueLine(fi, 'v', t), ...this.writeLines(fi, 'v', 'true', 'tw', ctx)].map((l) => '  ' + l),
            `  w.uvarint(${fi.tag});`,
            '  w.uvarint(tw.length);',
            '  w.append(tw);',
            '}',
          );
        }
      }
      if (flexCond === 'true') out.push(...body.map((l) => '  ' + l));
      else out.push(`  if (flexible) {`, ...body.map((l) => '    ' + l), '  }');
    }
    out.push('}');
    return out;
  }

  // ---------------------------------------------------------------- structs

  interfaces(def: StructDef): string[] {
    const fields = def.fields.map((f) => this.info(f));
    const out: string[] = [];
    for (const input of [false, true]) {
      const name = input ? `${def.tsName}Input` : def.tsName;
      if (input) {
        out.push(`/** What encode${def.tsName} accepts: omitted fields are written as their defaults. */`);
      }
      out.push(`export interface ${name} {`);
      for (const fi of fields) {
        const doc = docComment(fi);
        if (doc) out.push(`  ${doc}`);
        out.push(`  ${fi.js}${input ? '?' : ''}: ${this.tsType(fi, input)};`);
      }
      out.push('}', '');
    }
    return out;
  }

  defaultFunction(def: StructDef): string[] {
    const fields = def.fields.map((f) => this.info(f));
    return [
      `function default${def.tsName}(): ${def.tsName} {`,
      '  return {',
      ...fields.map((fi) => `    ${fi.js}: ${this.defaultExpr(fi, false)},`),
      '  };',
      '}',
    ];
  }

  isDefaultFunction(def: StructDef): string[] {
    const fields = def.fields.map((f) => this.info(f));
    const checks = fields.map((fi) => `(m.${fi.js} === undefined || !(${this.notDefault(fi, `m.${fi.js}`)}))`);
    return [
      `function isDefault${def.tsName}(m: ${def.tsName}Input): boolean {`,
      `  return ${checks.length ? checks.join(' &&\n    ') : 'true'};`,
      '}',
    ];
  }

  emit(): string[] {
    const s = this.schema;
    const flexibleMin = isEmpty(this.flex) ? -1 : this.flex.lo;
    const out: string[] = [];
    out.push(`// ---- ${s.name} (${s.fileName}) ----`, '');
    out.push(
      `export const ${s.name}Versions = { min: ${this.valid.lo}, max: ${this.valid.hi}, flexibleMin: ${flexibleMin}, latestVersionUnstable: ${s.latestVersionUnstable === true} } as const;`,
      '',
    );
    out.push(...this.interfaces(this.top));
    const used = [...this.structs.values()].filter((d) => !isEmpty(d.ctx));
    for (const d of used) out.push(...this.interfaces(d));
    out.push(...this.decodeFunction(this.top, true), '');
    out.push(...this.encodeFunction(this.top, true), '');
    for (const d of used) {
      out.push(...this.defaultFunction(d), '');
      out.push(...this.isDefaultFunction(d), '');
      out.push(...this.decodeFunction(d, false), '');
      out.push(...this.encodeFunction(d, false), '');
    }
    return out;
  }
}

function elemType(t: string): string {
  return t.startsWith('[]') ? t.slice(2) : t;
}

function fieldVersions(f: FieldSchema): Range {
  // A field given only `taggedVersions` exists in those versions (as Kafka's generator reads it).
  if (f.versions === undefined) return f.taggedVersions !== undefined ? parseRange(f.taggedVersions) : ALL;
  return parseRange(f.versions);
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

/** Picks between compact (flexible) and classic forms of an expression. */
function sel(flex: string, compact: string, classic: string): string {
  if (flex === 'true') return compact;
  if (flex === 'false') return classic;
  return `(${flex} ? ${compact} : ${classic})`;
}

/** Picks by a version condition ('true', 'false' or an expression). */
function pick(cond: string, ifTrue: string, ifFalse: string): string {
  if (cond === 'true') return ifTrue;
  if (cond === 'false') return ifFalse;
  return `(${cond} ? ${ifTrue} : ${ifFalse})`;
}

function pickLines(cond: string, ifTrue: string[], ifFalse: string[]): string[] {
  if (cond === 'true') return ifTrue;
  if (cond === 'false') return ifFalse;
  return [`if (${cond}) {`, ...ifTrue.map((l) => '  ' + l), '} else {', ...ifFalse.map((l) => '  ' + l), '}'];
}

/** A writer call in its compact (flexible) or classic form. */
function call(flex: string, w: string, compact: string, classic: string, args: string): string {
  if (flex === 'true') return `${w}.${compact}(${args});`;
  if (flex === 'false') return `${w}.${classic}(${args});`;
  return `if (${flex}) ${w}.${compact}(${args}); else ${w}.${classic}(${args});`;
}

function docComment(fi: FieldInfo): string {
  const about = (fi.s as { about?: string }).about;
  const v = fi.versions;
  const range = v.hi === Infinity ? `v${v.lo}+` : v.lo === v.hi ? `v${v.lo}` : `v${v.lo}-${v.hi}`;
  const parts = [about?.trim(), `(${range}${fi.tag >= 0 ? `, tagged ${fi.tag}` : ''})`].filter(Boolean);
  return `/** ${parts.join(' ').replace(/\*\//g, '*\\/')} */`;
}

export function generateMessageModule(
  schemas: MessageSchema[],
  schemaFolder = 'message',
): { fileName: string; source: string; summary: ModuleSummary } {
  const first = schemas[0]!;
  const apiName = first.type === 'data' ? first.name : first.name.replace(/(Request|Response)$/, '');
  const fileName = `${kebabCase(apiName)}.ts`;
  const body: string[] = [];
  for (const s of schemas) body.push(...new MessageEmitter(s).emit());
  const text = body.join('\n');
  const header = [
    `// Code generated by core/protocol/generator/generate.ts from Kafka's ${schemas.map((s) => s.fileName).join(' and ')}`,
    `// (../shared/kafka-protocol/${schemaFolder}). DO NOT EDIT. Run \`npm run gen:protocol\`.`,
    '// @generated',
    '',
    "import { ProtocolError, type Reader } from '../reader.ts';",
    "import { Writer } from '../writer.ts';",
    '',
    'const EMPTY_BUFFER: Buffer = Buffer.alloc(0);',
    "const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';",
    '',
    '// Keep the imports used even in modules that need no run-time error or sub-writer.',
    'void ProtocolError;',
    'void Writer;',
    'void EMPTY_BUFFER;',
    'void ZERO_UUID;',
    '',
  ];
  const req = schemas.find((s) => s.type === 'request');
  const res = schemas.find((s) => s.type === 'response');
  const valid = parseRange(first.validVersions);
  const flex = parseRange(first.flexibleVersions);
  const summary: ModuleSummary = {
    apiKey: first.apiKey ?? -1,
    apiName,
    moduleFile: fileName,
    requestName: req?.name ?? '',
    responseName: res?.name ?? '',
    min: valid.lo,
    max: valid.hi,
    flexibleMin: isEmpty(flex) ? -1 : flex.lo,
    latestVersionUnstable: req?.latestVersionUnstable === true,
  };
  return { fileName, source: header.join('\n') + text + '\n', summary };
}
