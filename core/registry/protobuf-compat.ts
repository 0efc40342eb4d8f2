// Protobuf compatibility as Confluent's registry decides it (its protobuf/diff package): the
// differences between an original and an updated .proto file, each of a kind Confluent names
// (MESSAGE_REMOVED, FIELD_KIND_CHANGED, FIELD_SCALAR_KIND_CHANGED, FIELD_NAMED_TYPE_CHANGED,
// FIELD_NUMERIC_LABEL_CHANGED, REQUIRED_FIELD_ADDED / _REMOVED, ONEOF_FIELD_REMOVED,
// MULTIPLE_FIELDS_MOVED_TO_ONEOF, FIELD_MOVED_TO_EXISTING_ONEOF, PACKAGE_CHANGED, …), of which
// the incompatible ones are reported. Fields are matched by number; scalar kinds are grouped
// as protobuf's wire format allows (int32/int64/uint32/uint64/bool/enums; sint32/sint64;
// string/bytes; fixed32/sfixed32; fixed64/sfixed64; float; double); adding or removing
// optional fields, messages, enums and enum constants is compatible.
import protobuf from 'protobufjs';
import type { ProtoFile } from './protobuf.ts';

const COMPATIBLE = new Set([
  'MESSAGE_ADDED',
  'MESSAGE_MOVED',
  'ENUM_ADDED',
  'ENUM_REMOVED',
  'ENUM_CONST_ADDED',
  'ENUM_CONST_CHANGED',
  'ENUM_CONST_REMOVED',
  'FIELD_ADDED',
  'FIELD_REMOVED',
  'FIELD_NAME_CHANGED',
  'FIELD_STRING_OR_BYTES_LABEL_CHANGED',
  'ONEOF_ADDED',
  'ONEOF_REMOVED',
  'ONEOF_FIELD_ADDED',
]);

const DESCRIPTIONS: Record<string, string> = {
  PACKAGE_CHANGED: "The package at '%p' in the %1 schema does not match the package in the %2 schema",
  MESSAGE_REMOVED: "The %1 schema is missing a MESSAGE type at path '%p' in the %2 schema",
  FIELD_KIND_CHANGED: "The type of a field at path '%p' in the %1 schema does not match the %2 schema",
  FIELD_SCALAR_KIND_CHANGED:
    "The kind of a SCALAR field at path '%p' in the %1 schema does not match its kind in the %2 schema",
  FIELD_NAMED_TYPE_CHANGED:
    "The type of a MESSAGE field at path '%p' in the %1 schema does not match its type in the %2 schema",
  FIELD_NUMERIC_LABEL_CHANGED:
    "The label for a NUMERIC field at path '%p' in the %1 schema does not match its label in the %2 schema",
  REQUIRED_FIELD_ADDED: "A required field  at path '%p' in the %1 schema is missing in the %2 schema",
  REQUIRED_FIELD_REMOVED: "The %1 schema is missing a required field at path: '%p' in the %2 schema",
  ONEOF_FIELD_REMOVED: "The %1 schema is missing a oneof field at path '%p' in the %2 schema",
  MULTIPLE_FIELDS_MOVED_TO_ONEOF:
    "Multiple fields in the oneof at path '%p' in the %1 schema are outside a oneof in the %2 schema",
  FIELD_MOVED_TO_EXISTING_ONEOF:
    "A field in the oneof at path '%p' in the %1 schema is outside an existing oneof in the %2 schema",
};

interface Diff {
  type: string;
  path: string;
}

class Ctx {
  readonly diffs: Diff[] = [];
  readonly path: string[] = [];
  /** Message pairs already being compared (recursive types). */
  readonly seen = new Set<string>();
  readonly original: ProtoFile;
  readonly update: ProtoFile;
  constructor(original: ProtoFile, update: ProtoFile) {
    this.original = original;
    this.update = update;
  }
  add(type: string): void {
    this.diffs.push({ type, path: `#/${this.path.join('/')}` });
  }
  in<T>(part: string, f: () => T): T {
    this.path.push(part);
    try {
      return f();
    } finally {
      this.path.pop();
    }
  }
}

const isMapEntry = (t: protobuf.Type) => (t.options as any)?.map_entry === true;

function compareNamespaces(ctx: Ctx, original: protobuf.Namespace, update: protobuf.Namespace): void {
  const messages = (ns: protobuf.Namespace) =>
    new Map(
      ns.nestedArray
        .filter((o): o is protobuf.Type => o instanceof protobuf.Type && !isMapEntry(o))
        .map((t, i) => [t.name, { t, i }] as const),
    );
  const enums = (ns: protobuf.Namespace) =>
    new Map(ns.nestedArray.filter((o): o is protobuf.Enum => o instanceof protobuf.Enum).map((e) => [e.name, e]));
  const om = messages(original);
  const um = messages(update);
  for (const name of new Set([...om.keys(), ...um.keys()])) {
    ctx.in(name, () => {
      const o = om.get(name);
      const u = um.get(name);
      if (!u) ctx.add('MESSAGE_REMOVED');
      else if (!o) ctx.add('MESSAGE_ADDED');
      else {
        compareMessages(ctx, o.t, u.t);
        if (o.i !== u.i) ctx.add('MESSAGE_MOVED');
      }
    });
  }
  const oe = enums(original);
  const ue = enums(update);
  for (const name of new Set([...oe.keys(), ...ue.keys()])) {
    ctx.in(name, () => {
      if (!ue.has(name)) ctx.add('ENUM_REMOVED');
      else if (!oe.has(name)) ctx.add('ENUM_ADDED');
      // Changes to an enum's constants are all compatible.
    });
  }
}

const realOneof = (f: protobuf.Field) => f.partOf && !(f.options as any)?.proto3_optional;

function compareMessages(ctx: Ctx, original: protobuf.Type, update: protobuf.Type): void {
  const key = `${original.fullName}\0${update.fullName}`;
  if (ctx.seen.has(key)) return;
  ctx.seen.add(key);
  const originalByTag = new Map(original.fieldsArray.filter((f) => !realOneof(f)).map((f) => [f.id, f]));
  const updateByTag = new Map(update.fieldsArray.filter((f) => !realOneof(f)).map((f) => [f.id, f]));
  const originalOneofTags = new Set(original.fieldsArray.filter(realOneof).map((f) => f.id));
  const oneofs = (t: protobuf.Type) =>
    new Map(t.oneofsArray.filter((o) => o.fieldsArray.some(realOneof)).map((o) => [o.name, o]));
  const oo = oneofs(original);
  const uo = oneofs(update);
  for (const oneof of uo.values()) {
    ctx.in(oneof.name, () => {
      let moved = 0;
      let existing = 0;
      for (const f of oneof.fieldsArray) {
        if (originalByTag.delete(f.id)) moved++;
        else if (originalOneofTags.has(f.id)) existing++;
      }
      if (moved > 1) ctx.add('MULTIPLE_FIELDS_MOVED_TO_ONEOF');
      else if (moved === 1 && existing > 0) ctx.add('FIELD_MOVED_TO_EXISTING_ONEOF');
    });
  }
  for (const name of new Set([...oo.keys(), ...uo.keys()])) {
    ctx.in(name, () => {
      const o = oo.get(name);
      const u = uo.get(name);
      if (!u) ctx.add('ONEOF_REMOVED');
      else if (!o) ctx.add('ONEOF_ADDED');
      else {
        const ob = new Map(o.fieldsArray.map((f) => [f.id, f]));
        const ub = new Map(u.fieldsArray.map((f) => [f.id, f]));
        for (const tag of new Set([...ob.keys(), ...ub.keys()]))
          ctx.in(String(tag), () => {
            const of = ob.get(tag);
            const uf = ub.get(tag);
            if (!uf) ctx.add('ONEOF_FIELD_REMOVED');
            else if (!of) ctx.add('ONEOF_FIELD_ADDED');
            else compareFields(ctx, of, uf);
          });
      }
    });
  }
  for (const tag of new Set([...originalByTag.keys(), ...updateByTag.keys()])) {
    ctx.in(String(tag), () => {
      const o = originalByTag.get(tag);
      const u = updateByTag.get(tag);
      if (!u) ctx.add(o!.rule === 'required' ? 'REQUIRED_FIELD_REMOVED' : 'FIELD_REMOVED');
      else if (!o) ctx.add(u.rule === 'required' ? 'REQUIRED_FIELD_ADDED' : 'FIELD_ADDED');
      else compareFields(ctx, o, u);
    });
  }
  compareNamespaces(ctx, original, update);
}

type Kind = 'SCALAR' | 'MESSAGE' | 'MAP';

function scalarGroup(type: string, resolved: protobuf.ReflectionObject | null): string {
  if (resolved instanceof protobuf.Enum) return 'GENERAL_NUMBER';
  switch (type) {
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
    case 'bool':
      return 'GENERAL_NUMBER';
    case 'sint32':
    case 'sint64':
      return 'SIGNED_NUMBER';
    case 'string':
    case 'bytes':
      return 'STRING_OR_BYTES';
    case 'fixed32':
    case 'sfixed32':
      return 'FIXED32';
    case 'fixed64':
    case 'sfixed64':
      return 'FIXED64';
    default:
      return type.toUpperCase();
  }
}

/** The field's label as Wire's parser gives it: none for a proto3 singular field. */
function label(f: protobuf.Field, syntax: string): string | undefined {
  if (f.rule === 'repeated') return 'REPEATED';
  if (f.rule === 'required') return 'REQUIRED';
  if (syntax === 'proto2' || (f.options as any)?.proto3_optional) return 'OPTIONAL';
  return undefined;
}

/** The field of the fully resolved file (the one whose types are resolved). */
function resolvedField(file: ProtoFile, f: protobuf.Field): protobuf.Field {
  return (file.all.lookup(f.fullName) as protobuf.Field | null) ?? f;
}

function compareFields(ctx: Ctx, original: protobuf.Field, update: protobuf.Field): void {
  if (original.name !== update.name) ctx.add('FIELD_NAME_CHANGED');
  const o = resolvedField(ctx.original, original);
  const u = resolvedField(ctx.update, update);
  const kind = (f: protobuf.Field): Kind =>
    (f as any).map ? 'MAP' : f.resolvedType instanceof protobuf.Type ? 'MESSAGE' : 'SCALAR';
  const ok = kind(o);
  if (ok !== kind(u)) return ctx.add('FIELD_KIND_CHANGED');
  if (ok === 'MAP') {
    if (scalarGroup((o as any).keyType, null) !== scalarGroup((u as any).keyType, null))
      return ctx.add('FIELD_SCALAR_KIND_CHANGED');
  }
  if (ok === 'SCALAR' || (ok === 'MAP' && !(o.resolvedType instanceof protobuf.Type))) {
    if (u.resolvedType instanceof protobuf.Type !== o.resolvedType instanceof protobuf.Type)
      return ctx.add('FIELD_KIND_CHANGED');
    const og = scalarGroup(o.type, o.resolvedType);
    if (og !== scalarGroup(u.type, u.resolvedType)) return ctx.add('FIELD_SCALAR_KIND_CHANGED');
    const ol = label(o, ctx.original.syntax);
    const ul = label(u, ctx.update.syntax);
    if (ok === 'SCALAR' && ol && ul && ol !== ul)
      ctx.add(og === 'STRING_OR_BYTES' ? 'FIELD_STRING_OR_BYTES_LABEL_CHANGED' : 'FIELD_NUMERIC_LABEL_CHANGED');
    return;
  }
  const ot = o.resolvedType as protobuf.Type;
  const ut = u.resolvedType as protobuf.Type | null;
  if (!(ut instanceof protobuf.Type)) return ctx.add('FIELD_KIND_CHANGED');
  // Types compare by their name within their package.
  const local = (t: protobuf.Type, file: ProtoFile) => {
    const full = t.fullName.slice(1);
    const pkg = packageOf(t) ?? file.package;
    return pkg && full.startsWith(`${pkg}.`) ? full.slice(pkg.length + 1) : full;
  };
  if (local(ot, ctx.original) !== local(ut, ctx.update)) return ctx.add('FIELD_NAMED_TYPE_CHANGED');
  const sub = new Ctx(ctx.original, ctx.update);
  for (const s of ctx.seen) sub.seen.add(s);
  sub.path.push(...ctx.path);
  compareMessages(sub, ot, ut);
  ctx.diffs.push(...sub.diffs);
  if (sub.diffs.some((d) => !COMPATIBLE.has(d.type))) ctx.add('FIELD_NAMED_TYPE_CHANGED');
}

/** The package a type was declared in: the chain of plain namespaces above it. */
function packageOf(t: protobuf.ReflectionObject): string | undefined {
  const parts: string[] = [];
  let p = t.parent;
  while (p && !(p instanceof protobuf.Root)) {
    if (!(p instanceof protobuf.Type)) parts.unshift(p.name);
    p = p.parent;
  }
  return parts.length ? parts.join('.') : undefined;
}

/** Confluent's messages for the incompatible differences from `original` to `update`. */
export function protobufIncompatibilities(original: ProtoFile, update: ProtoFile): string[] {
  const ctx = new Ctx(original, update);
  if ((original.package ?? '') !== (update.package ?? '')) ctx.add('PACKAGE_CHANGED');
  compareNamespaces(ctx, original.own, update.own);
  return ctx.diffs
    .filter((d) => !COMPATIBLE.has(d.type))
    .map((d) => `{errorType:"${d.type}", description:"${(DESCRIPTIONS[d.type] ?? '').replace('%p', d.path)}"}`);
}
