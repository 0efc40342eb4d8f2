// Protobuf schemas: a .proto file's text (or, as Confluent's serializers may send it, a base64
// FileDescriptorProto) parsed with protobufjs, its imports resolved from the schema's references
// (by import path, as Confluent names them) and from Google's well-known types; written back in
// Confluent's canonical layout (ProtobufSchemaUtils' printer: syntax, package, imports, options,
// then messages before enums; in a message its reserved ranges, options, fields, oneofs, nested
// messages, nested enums; two-space indentation), normalised as `?normalize=true` does (fields
// and enum constants by number, imports sorted, types fully qualified), and given as a
// FileDescriptorProto for `?format=serialized` (what Confluent's deserializers ask for). The
// compatibility rules are in protobuf-compat.ts.
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { protobufIncompatibilities } from './protobuf-compat.ts';
import type { ParsedSchema, ResolvedReference, SchemaProvider, SchemaReference } from './types.ts';

const descriptor = createRequire(import.meta.url)('protobufjs/ext/descriptor.js') as any;

export interface ProtoFile {
  syntax: 'proto2' | 'proto3';
  package: string | undefined;
  imports: string[];
  publicImports: string[];
  /** The file's own definitions (types, enums, services), in order. */
  own: protobuf.Namespace;
  /** Every definition the file can see: its own, its imports' and the well-known types. */
  all: protobuf.Root;
}

const PARSE = { keepCase: true } as const;

/** The namespace holding a file's top-level definitions. */
function packageNamespace(root: protobuf.Root, pkg: string | undefined): protobuf.Namespace {
  if (!pkg) return root;
  const ns = root.lookup(pkg);
  return ns instanceof protobuf.Namespace ? ns : root;
}

function fromText(text: string, into: protobuf.Root): { pkg?: string; imports: string[]; publicImports: string[] } {
  const r = protobuf.parse(text, into, PARSE) as protobuf.IParserResult & { publicImports?: string[] };
  return {
    pkg: r.package,
    imports: [...(r.imports ?? []), ...(r.weakImports ?? [])],
    publicImports: r.publicImports ?? [],
  };
}

/** A FileDescriptorProto given as base64, or undefined when `text` is not one. */
function descriptorOf(text: string): any {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/=\s]+$/.test(t)) return undefined;
  try {
    const fdp = descriptor.FileDescriptorProto.decode(Buffer.from(t, 'base64'));
    return fdp.messageType?.length || fdp.enumType?.length || fdp.package ? fdp : undefined;
  } catch {
    return undefined;
  }
}

function syntaxOf(text: string): 'proto2' | 'proto3' {
  return /^\s*syntax\s*=\s*["']proto3["']/m.test(text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ''))
    ? 'proto3'
    : 'proto2';
}

/** Loads one file (text or descriptor) into `root`; returns what it declares of itself. */
function load(schema: string, root: protobuf.Root) {
  const fdp = descriptorOf(schema);
  if (fdp) {
    const set = descriptor.FileDescriptorSet.create({ file: [fdp] });
    const part = (protobuf.Root as any).fromDescriptor(set, PARSE) as protobuf.Root;
    root.addJSON(((part.toJSON() as any).nested ?? {}) as any);
    return {
      syntax: (fdp.syntax === 'proto3' ? 'proto3' : 'proto2') as 'proto2' | 'proto3',
      pkg: fdp.package || undefined,
      imports: [...(fdp.dependency ?? [])].filter((_: string, i: number) => !(fdp.publicDependency ?? []).includes(i)),
      publicImports: (fdp.publicDependency ?? []).map((i: number) => fdp.dependency[i]),
    };
  }
  return { syntax: syntaxOf(schema), ...fromText(schema, root) };
}

function addWellKnown(root: protobuf.Root, file: string): void {
  const common = (protobuf as any).common.get(file);
  if (common) root.addJSON(common.nested);
}

export function parseProtoFile(schema: string, resolved: ResolvedReference[]): ProtoFile {
  const own = new protobuf.Root();
  const head = load(schema, own);
  const all = new protobuf.Root();
  const loaded = new Set<string>();
  const loadDeps = (imports: string[], refs: ResolvedReference[]): void => {
    for (const imp of imports) {
      if (loaded.has(imp)) continue;
      loaded.add(imp);
      const ref = refs.find((r) => r.name === imp);
      if (ref) {
        const h = load(ref.schema, all);
        loadDeps([...h.imports, ...h.publicImports], ref.references);
      } else if (imp.startsWith('google/protobuf/')) addWellKnown(all, imp);
      else throw new Error(`import "${imp}" was not found in the schema's references`);
    }
  };
  loadDeps([...head.imports, ...head.publicImports], resolved);
  load(schema, all);
  all.resolveAll();
  return {
    syntax: head.syntax,
    package: head.pkg,
    imports: head.imports,
    publicImports: head.publicImports,
    own: packageNamespace(own, head.pkg),
    all,
  };
}

// ---- the canonical text ----------------------------------------------------------------------

const ENUM_OPTIONS = new Set(['optimize_for', 'ctype', 'jstype', 'idempotency_level', 'retention']);

function optionValue(name: string, v: unknown): string {
  if (typeof v === 'string') return ENUM_OPTIONS.has(name) && /^[A-Z_0-9]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

function optionName(name: string): string {
  return name.startsWith('(') || !name.includes('.') ? name : `(${name.split('.')[0]})${name.slice(name.indexOf('.'))}`;
}

function options(o: Record<string, unknown> | undefined, skip: Set<string>): [string, string][] {
  return Object.entries(o ?? {})
    .filter(([k]) => !skip.has(k))
    .map(([k, v]) => [optionName(k), optionValue(k, v)]);
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');

interface Printing {
  syntax: 'proto2' | 'proto3';
  normalize: boolean;
  /** Resolves a field's type name to its full name (normalisation), from the type using it. */
  resolve(type: protobuf.Field): string;
}

function fieldLine(f: protobuf.Field, p: Printing): string {
  const o = (f.options ?? {}) as Record<string, unknown>;
  let label = '';
  if (f instanceof protobuf.MapField || (f as any).map) label = '';
  else if (f.rule === 'repeated') label = 'repeated ';
  else if (f.rule === 'required') label = 'required ';
  else if (p.syntax === 'proto2' || o.proto3_optional) label = 'optional ';
  const type = (f as any).map
    ? `map<${(f as any).keyType}, ${p.normalize ? p.resolve(f) : f.type}>`
    : p.normalize
      ? p.resolve(f)
      : f.type;
  const opts = options(o, new Set(['proto3_optional', 'default', 'json_name', ...(p.normalize ? ['packed'] : [])]));
  if (o.default !== undefined) opts.push(['default', optionValue('default', o.default)]);
  if (o.json_name !== undefined) opts.push(['json_name', JSON.stringify(o.json_name)]);
  const tail = opts.length ? ` [${opts.map(([k, v]) => `${k} = ${v}`).join(', ')}]` : '';
  return `${label}${type} ${f.name} = ${f.id}${tail};\n`;
}

function reservedLines(reserved: (number[] | string)[] | undefined, normalize: boolean): string {
  if (!reserved?.length) return '';
  const item = (r: number[] | string) =>
    typeof r === 'string'
      ? JSON.stringify(r)
      : r[0] === r[1]
        ? String(r[0])
        : `${r[0]} to ${r[1] === 536870911 ? 'max' : r[1]}`;
  if (normalize) {
    const key = (r: number[] | string) => (typeof r === 'string' ? Number.MAX_SAFE_INTEGER : r[0]!);
    return [...reserved]
      .sort((a, b) => key(a) - key(b) || String(a).localeCompare(String(b)))
      .map((r) => `reserved ${item(r)};\n`)
      .join('');
  }
  return `reserved ${reserved.map(item).join(', ')};\n`;
}

function enumText(e: protobuf.Enum, p: Printing): string {
  let out = `enum ${e.name} {`;
  const reserved = reservedLines(e.reserved as any, p.normalize);
  const opts = options(e.options as any, new Set());
  let values = Object.entries(e.values);
  if (p.normalize) values = values.sort(([an, a], [bn, b]) => a - b || an.localeCompare(bn));
  if (reserved) out += `\n${indent(reserved)}`;
  else if (opts.length || values.length) out += '\n';
  for (const [k, v] of opts) out += indent(`option ${k} = ${v};\n`);
  for (const [name, n] of values) {
    const vo = options((e as any).valuesOptions?.[name], new Set());
    out += indent(`${name} = ${n}${vo.length ? ` [${vo.map(([k, v]) => `${k} = ${v}`).join(', ')}]` : ''};\n`);
  }
  return `${out}}\n`;
}

function messageText(t: protobuf.Type, p: Printing): string {
  let out = `message ${t.name} {`;
  const reserved = reservedLines(t.reserved as any, p.normalize);
  if (reserved) out += `\n${indent(reserved)}`;
  const opts = options(t.options as any, new Set());
  if (opts.length) out += `\n${indent(opts.map(([k, v]) => `option ${k} = ${v};\n`).join(''))}`;
  const realOneof = (f: protobuf.Field) => f.partOf && !(f.options as any)?.proto3_optional;
  let fields = t.fieldsArray.filter((f) => !realOneof(f));
  if (p.normalize) fields = [...fields].sort((a, b) => a.id - b.id);
  if (fields.length) out += `\n${indent(fields.map((f) => fieldLine(f, p)).join(''))}`;
  let oneofs = t.oneofsArray.filter((o) => o.fieldsArray.some((f) => realOneof(f)));
  if (p.normalize)
    oneofs = [...oneofs].sort(
      (a, b) => Math.min(...a.fieldsArray.map((f) => f.id)) - Math.min(...b.fieldsArray.map((f) => f.id)),
    );
  if (oneofs.length) {
    const text = oneofs.map((o) => {
      let fs = o.fieldsArray;
      if (p.normalize) fs = [...fs].sort((a, b) => a.id - b.id);
      return `oneof ${o.name} {\n${indent(fs.map((f) => fieldLine(f, p)).join(''))}}\n`;
    });
    out += `\n${indent(text.join(''))}`;
  }
  if (t.extensions?.length)
    out += `\n${indent(`extensions ${t.extensions.map((r) => (r[0] === r[1] ? `${r[0]}` : `${r[0]} to ${r[1] === 536870911 ? 'max' : r[1]}`)).join(', ')};\n`)}`;
  const nested = typesText(t, p);
  if (nested) out += `\n${indent(nested)}`;
  return `${out}}\n`;
}

function typesText(ns: protobuf.Namespace, p: Printing): string {
  const all = ns.nestedArray;
  return [
    ...all.filter((o) => o instanceof protobuf.Type).map((o) => messageText(o as protobuf.Type, p)),
    ...all.filter((o) => o instanceof protobuf.Enum).map((o) => enumText(o as protobuf.Enum, p)),
  ].join('');
}

function serviceText(s: protobuf.Service): string {
  const methods = s.methodsArray.map((m) => {
    const req = `${m.requestStream ? 'stream ' : ''}${m.requestType}`;
    const res = `${m.responseStream ? 'stream ' : ''}${m.responseType}`;
    const opts = options(m.options as any, new Set());
    return opts.length
      ? `rpc ${m.name} (${req}) returns (${res}) {\n${indent(opts.map(([k, v]) => `option ${k} = ${v};\n`).join(''))}};\n`
      : `rpc ${m.name} (${req}) returns (${res});\n`;
  });
  return `service ${s.name} {${methods.length ? `\n${indent(methods.join(''))}` : ''}}\n`;
}

export function protoText(file: ProtoFile, normalize: boolean): string {
  const p: Printing = {
    syntax: file.syntax,
    normalize,
    resolve: (f) => {
      if (!normalize) return f.type;
      const full = (file.all.lookup(f.fullName) as protobuf.Field | null)?.resolvedType?.fullName;
      return full ?? f.type;
    },
  };
  let out = '';
  if (!normalize || file.syntax === 'proto3') out += `syntax = "${file.syntax}";\n`;
  if (file.package) out += `package ${file.package};\n`;
  const imports = normalize ? [...new Set(file.imports)].sort() : file.imports;
  const publicImports = normalize ? [...new Set(file.publicImports)].sort() : file.publicImports;
  if (imports.length || publicImports.length)
    out += `\n${imports.map((i) => `import "${i}";\n`).join('')}${publicImports.map((i) => `import public "${i}";\n`).join('')}`;
  const opts = options(file.own.options as any, new Set());
  if (opts.length) out += `\n${opts.map(([k, v]) => `option ${k} = ${v};\n`).join('')}`;
  const types = typesText(file.own, p);
  if (types) out += `\n${types}`;
  const services = file.own.nestedArray.filter((o) => o instanceof protobuf.Service) as protobuf.Service[];
  if (services.length) out += `\n${services.map(serviceText).join('')}`;
  return out;
}

/** The file as a base64 FileDescriptorProto (`?format=serialized`). */
export function protoDescriptor(file: ProtoFile): string {
  const syntax = file.syntax;
  const ns = packageNamespace(file.all, file.package);
  const ownNames = new Set(file.own.nestedArray.map((o) => o.name));
  const mine = ns.nestedArray.filter((o) => ownNames.has(o.name));
  const fdp = descriptor.FileDescriptorProto.create({
    name: 'schema.proto',
    package: file.package,
    dependency: [...file.imports, ...file.publicImports],
    publicDependency: file.publicImports.map((_, i) => file.imports.length + i),
    messageType: mine.filter((o) => o instanceof protobuf.Type).map((o) => (o as any).toDescriptor(syntax)),
    enumType: mine.filter((o) => o instanceof protobuf.Enum).map((o) => (o as any).toDescriptor()),
    service: mine.filter((o) => o instanceof protobuf.Service).map((o) => (o as any).toDescriptor()),
    syntax: syntax === 'proto3' ? 'proto3' : undefined,
  });
  return Buffer.from(descriptor.FileDescriptorProto.encode(fdp).finish()).toString('base64');
}

class ProtobufSchema implements ParsedSchema {
  readonly schemaType = 'PROTOBUF' as const;
  readonly file: ProtoFile;
  readonly canonical: string;
  readonly references: SchemaReference[];
  constructor(file: ProtoFile, references: SchemaReference[], normalize: boolean) {
    this.file = file;
    this.references = references;
    this.canonical = protoText(file, normalize);
  }
  normalize(): ParsedSchema {
    const refs = [...new Map(this.references.map((r) => [JSON.stringify([r.name, r.subject, r.version]), r])).values()];
    return new ProtobufSchema(
      this.file,
      refs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      true,
    );
  }
  backwardIncompatibilities(previous: ParsedSchema): string[] {
    if (!(previous instanceof ProtobufSchema)) return ['Incompatible because of different schema type'];
    return protobufIncompatibilities(previous.file, this.file);
  }
  formatted(format: string): string | undefined {
    return format.toLowerCase() === 'serialized' ? protoDescriptor(this.file) : undefined;
  }
}

export const protobufProvider: SchemaProvider = {
  schemaType: 'PROTOBUF',
  parse(schema, references, resolved) {
    return new ProtobufSchema(parseProtoFile(schema, resolved), references, false);
  },
};
