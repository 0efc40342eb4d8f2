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
// This is the code emission; the schema's structs and fields are analysed by
// struct-registry.ts, and a field's TypeScript type and default come from
// field-types.ts.

import { defaultExpr, docComment, notDefault, tsElem, tsType } from './field-types.ts';
import { intersect, isEmpty, kebabCase, parseRange, versionCond, type MessageSchema, type Range } from './schema.ts';
import { StructRegistry, type FieldInfo, type StructDef } from './struct-registry.ts';

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

/** Emits the code of one message schema over its analysed structs. */
class MessageEmitter extends StructRegistry {
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
      `${indent}    const a: ${tsElem(fi, false)}[] = [];`,
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
      out.push(`  let _${fi.js}: ${tsType(fi, false)} = ${defaultExpr(fi, false)};`);
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
    const d = defaultExpr(fi, true);
    if (!fi.nullableAny) return `const ${name} = ${src} ?? ${d};`;
    return `const ${name} = ${src} === undefined ? ${d} : ${src};`;
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
            `const has${fi.tag} = ${cond === 'true' ? '' : `${cond} && `}${t} !== undefined && ${notDefault(fi, t)};`,
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
        out.push(`  ${fi.js}${input ? '?' : ''}: ${tsType(fi, input)};`);
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
      ...fields.map((fi) => `    ${fi.js}: ${defaultExpr(fi, false)},`),
      '  };',
      '}',
    ];
  }

  isDefaultFunction(def: StructDef): string[] {
    const fields = def.fields.map((f) => this.info(f));
    const checks = fields.map((fi) => `(m.${fi.js} === undefined || !(${notDefault(fi, `m.${fi.js}`)}))`);
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
