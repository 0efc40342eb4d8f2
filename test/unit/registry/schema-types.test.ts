// The registry's three schema types as Confluent's Schema Registry documents them: the text it
// stores (Avro's canonical `Schema.toString()`, Protobuf's printed .proto, compact JSON), the
// same schema written differently getting the same text, `?normalize=true` (sorted keys and
// options), references, unparsable schemas, and the backward-compatibility rules of
// Confluent's "Schema Evolution and Compatibility" page for each type (a new schema reads data
// written with the old one). Each case calls the type's provider directly.
import { describe, expect, it } from 'vitest';
import { avroProvider } from '../../../core/registry/avro.ts';
import { jsonSchemaProvider } from '../../../core/registry/json-schema.ts';
import { protobufProvider } from '../../../core/registry/protobuf.ts';

const avro = (s: unknown) => avroProvider.parse(typeof s === 'string' ? s : JSON.stringify(s), [], []);
const proto = (s: string) => protobufProvider.parse(s, [], []);
const json = (s: unknown) => jsonSchemaProvider.parse(JSON.stringify(s), [], []);

const user = (fields: unknown[]) => ({ type: 'record', name: 'User', namespace: 'com.example', fields });

describe('Avro', () => {
  it('stores the canonical text: compact, keys in Avro Java order, whatever order the user wrote', () => {
    const a = avro(`{ "fields": [ {"type": "string", "name": "name"} ], "namespace": "com.example",
      "name": "User", "type": "record" }`);
    expect(a.canonical).toBe(
      '{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"name","type":"string"}]}',
    );
    expect(avro(user([{ name: 'name', type: 'string' }])).canonical).toBe(a.canonical);
  });

  it('writes a primitive as its name and {"type": primitive} the same way', () => {
    expect(avro('"string"').canonical).toBe('"string"');
    expect(avro({ type: 'string' }).canonical).toBe('"string"');
  });

  it('keeps custom properties in the canonical text and sorts them when normalised', () => {
    const a = avro({ ...user([{ name: 'n', type: 'int' }]), zeta: 1, alpha: 2 });
    expect(a.canonical).toContain('"zeta":1,"alpha":2');
    expect(a.normalize().canonical).toContain('"alpha":2,"zeta":1');
  });

  it('writes a named type referenced from another subject by its name', () => {
    const dep = '{"type":"record","name":"Dep","namespace":"a","fields":[{"name":"x","type":"int"}]}';
    const ref = { name: 'a.Dep', subject: 'dep-value', version: 1 };
    const main = avroProvider.parse(
      '{"type":"record","name":"Main","namespace":"a","fields":[{"name":"d","type":"a.Dep"}]}',
      [ref],
      [{ ...ref, schemaType: 'AVRO', schema: dep, references: [] }],
    );
    expect(main.canonical).toBe('{"type":"record","name":"Main","namespace":"a","fields":[{"name":"d","type":"Dep"}]}');
    expect(main.references).toEqual([ref]);
    expect(() => avro('{"type":"record","name":"Main","fields":[{"name":"d","type":"a.Dep"}]}')).toThrow();
  });

  it('rejects what Avro cannot parse: unknown types, bad defaults, broken JSON', () => {
    expect(() => avro('{"type":"recordx"}')).toThrow(/recordx/);
    expect(() => avro(user([{ name: 'f', type: 'int', default: 'x' }]))).toThrow();
    expect(() => avro('{"type":')).toThrow(/Invalid schema JSON/);
  });

  const v1 = avro(user([{ name: 'name', type: 'string' }]));
  it('adding a field with a default is backward compatible; without one it is not', () => {
    expect(
      avro(
        user([
          { name: 'name', type: 'string' },
          { name: 'age', type: 'int', default: 0 },
        ]),
      ).backwardIncompatibilities(v1),
    ).toEqual([]);
    const details = avro(
      user([
        { name: 'name', type: 'string' },
        { name: 'age', type: 'int' },
      ]),
    ).backwardIncompatibilities(v1);
    expect(details).toHaveLength(1);
    expect(details[0]).toContain("errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'");
    expect(details[0]).toContain("additionalInfo:'age'");
  });

  it('deleting a field is backward compatible (the reader ignores it)', () => {
    const v2 = avro(
      user([
        { name: 'name', type: 'string' },
        { name: 'age', type: 'int' },
      ]),
    );
    expect(v1.backwardIncompatibilities(v2)).toEqual([]);
  });

  it('widens int to long but does not narrow long to int', () => {
    const i = avro(user([{ name: 'n', type: 'int' }]));
    const l = avro(user([{ name: 'n', type: 'long' }]));
    expect(l.backwardIncompatibilities(i)).toEqual([]);
    expect(i.backwardIncompatibilities(l)).toHaveLength(1);
  });

  it('an enum that loses a symbol cannot read old data; one that gains a symbol can', () => {
    const ab = avro({ type: 'enum', name: 'E', symbols: ['A', 'B'] });
    const a = avro({ type: 'enum', name: 'E', symbols: ['A'] });
    expect(ab.backwardIncompatibilities(a)).toEqual([]);
    expect(a.backwardIncompatibilities(ab)).toHaveLength(1);
  });

  it('a renamed record is incompatible unless it names the old one as an alias', () => {
    const renamed = avro({ ...user([{ name: 'name', type: 'string' }]), name: 'Person' });
    expect(renamed.backwardIncompatibilities(v1)[0]).toContain("errorType:'NAME_MISMATCH'");
    const aliased = avro({ ...user([{ name: 'name', type: 'string' }]), name: 'Person', aliases: ['User'] });
    expect(aliased.backwardIncompatibilities(v1)).toEqual([]);
  });

  it('a schema of another type is incompatible', () => {
    expect(v1.backwardIncompatibilities(json({ type: 'string' }))).toEqual([
      'Incompatible because of different schema type',
    ]);
  });
});

describe('Protobuf', () => {
  const p1 = proto('syntax = "proto3";\npackage com.acme;\n\nmessage MyRecord {\n  string f1 = 1;\n}\n');

  it('stores the printed .proto, the same for the same file written differently', () => {
    expect(p1.canonical).toBe('syntax = "proto3";\npackage com.acme;\n\nmessage MyRecord {\n  string f1 = 1;\n}\n');
    const compact = proto('syntax="proto3"; package com.acme; // a comment\n message MyRecord { string f1 = 1; }');
    expect(compact.canonical).toBe(p1.canonical);
  });

  it('accepts the base64 FileDescriptorProto form and prints it as the same file', () => {
    const b64 = p1.formatted('serialized');
    expect(b64).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(proto(b64!).canonical).toBe(p1.canonical);
  });

  it('resolves an import from a reference', () => {
    const dep = 'syntax = "proto3"; package com.acme; message Other { int32 x = 1; }';
    const ref = { name: 'other.proto', subject: 'other', version: 1 };
    const m = protobufProvider.parse(
      'syntax = "proto3"; package com.acme; import "other.proto"; message M { Other o = 1; }',
      [ref],
      [{ ...ref, schemaType: 'PROTOBUF', schema: dep, references: [] }],
    );
    expect(m.canonical).toContain('import "other.proto";');
    expect(() => proto('syntax = "proto3"; package com.acme; message M { Missing o = 1; }')).toThrow();
  });

  it('rejects text that is not a .proto file', () => {
    expect(() => proto('message {')).toThrow();
  });

  it('adding and removing fields is compatible; changing a field number’s scalar kind is not', () => {
    const added = proto('syntax = "proto3"; package com.acme; message MyRecord { string f1 = 1; string f2 = 2; }');
    expect(added.backwardIncompatibilities(p1)).toEqual([]);
    expect(p1.backwardIncompatibilities(added)).toEqual([]);
    const changed = proto('syntax = "proto3"; package com.acme; message MyRecord { int32 f1 = 1; }');
    const details = changed.backwardIncompatibilities(p1);
    expect(details).toHaveLength(1);
    expect(details[0]).toContain('FIELD_SCALAR_KIND_CHANGED');
    expect(details[0]).toContain('#/MyRecord/1');
  });

  it('renaming a field keeps the wire format and stays compatible', () => {
    const renamed = proto('syntax = "proto3"; package com.acme; message MyRecord { string first = 1; }');
    expect(renamed.backwardIncompatibilities(p1)).toEqual([]);
  });

  it('removing a message type that the old schema had is incompatible', () => {
    const two = proto(
      'syntax = "proto3"; package com.acme; message MyRecord { string f1 = 1; } message B { int32 x = 1; }',
    );
    expect(p1.backwardIncompatibilities(two).join()).toContain('MESSAGE_REMOVED');
  });
});

describe('JSON Schema', () => {
  const closed = (properties: object, extra: object = {}) => ({
    type: 'object',
    properties,
    additionalProperties: false,
    ...extra,
  });
  const open = (properties: object) => ({ type: 'object', properties });

  it('stores the compact JSON in the user’s key order, and sorts keys when normalised', () => {
    const s = jsonSchemaProvider.parse(
      '{ "type": "object",  "properties": {"b": {"type":"string"}, "a": {}} }',
      [],
      [],
    );
    expect(s.canonical).toBe('{"type":"object","properties":{"b":{"type":"string"},"a":{}}}');
    expect(s.normalize().canonical).toBe('{"properties":{"a":{},"b":{"type":"string"}},"type":"object"}');
  });

  it('rejects a schema its draft’s meta-schema rejects, and JSON that does not parse', () => {
    expect(() => json({ type: 'nope' })).toThrow(/schema is invalid/);
    expect(() => jsonSchemaProvider.parse('{"type":', [], [])).toThrow(/Invalid JSON/);
    expect(() => json([1])).toThrow();
  });

  it('resolves a $ref to a referenced subject by the reference’s name', () => {
    const ref = { name: 'address.json', subject: 'address', version: 1 };
    const s = jsonSchemaProvider.parse(
      JSON.stringify(open({ home: { $ref: 'address.json' } })),
      [ref],
      [{ ...ref, schemaType: 'JSON', schema: JSON.stringify(open({ street: { type: 'string' } })), references: [] }],
    );
    expect(s.references).toEqual([ref]);
    expect(() => json(open({ home: { $ref: 'address.json' } }))).toThrow();
  });

  it('closed content model: adding a property is compatible, removing one is not', () => {
    const a = json(closed({ a: { type: 'string' } }));
    const ab = json(closed({ a: { type: 'string' }, b: { type: 'integer' } }));
    expect(ab.backwardIncompatibilities(a)).toEqual([]);
    expect(a.backwardIncompatibilities(ab).join()).toContain('PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL');
  });

  it('open content model: adding a typed property is incompatible (old data may hold anything there)', () => {
    const a = json(open({ a: { type: 'string' } }));
    const ab = json(open({ a: { type: 'string' }, b: { type: 'integer' } }));
    expect(ab.backwardIncompatibilities(a).join()).toContain('PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
    expect(a.backwardIncompatibilities(ab)).toEqual([]);
  });

  it('a new required property is incompatible; a changed type is incompatible', () => {
    const a = json(closed({ a: { type: 'string' } }));
    const required = json(closed({ a: { type: 'string' } }, { required: ['a'] }));
    expect(required.backwardIncompatibilities(a).join()).toContain('REQUIRED_ATTRIBUTE_ADDED');
    const retyped = json(closed({ a: { type: 'integer' } }));
    expect(retyped.backwardIncompatibilities(a).join()).toContain('TYPE_CHANGED');
  });

  it('widening integer to number is compatible, narrowing is not', () => {
    const i = json(closed({ a: { type: 'integer' } }));
    const n = json(closed({ a: { type: 'number' } }));
    expect(n.backwardIncompatibilities(i)).toEqual([]);
    expect(i.backwardIncompatibilities(n)).not.toEqual([]);
  });
});
