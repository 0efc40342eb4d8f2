import { describe, expect, it } from 'vitest';
import { Reader, ProtocolError } from '../../../core/protocol/reader.ts';
import { Writer } from '../../../core/protocol/writer.ts';

const bytes = (...b: number[]) => Buffer.from(b);
function written(f: (w: Writer) => void): number[] {
  const w = new Writer(8);
  f(w);
  return [...w.toBuffer()];
}

describe('Writer/Reader primitives: hand-computed bytes', () => {
  it('fixed-width integers are big-endian', () => {
    expect(written((w) => w.int8(-2))).toEqual([0xfe]);
    expect(written((w) => w.int16(-2))).toEqual([0xff, 0xfe]);
    expect(written((w) => w.uint16(65535))).toEqual([0xff, 0xff]);
    expect(written((w) => w.int32(0x01020304))).toEqual([1, 2, 3, 4]);
    expect(written((w) => w.uint32(0xfffffffe))).toEqual([0xff, 0xff, 0xff, 0xfe]);
    expect(written((w) => w.int64(-1))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(written((w) => w.int64(0x0102030405))).toEqual([0, 0, 0, 1, 2, 3, 4, 5]);
    expect(written((w) => w.int64(-2n))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
    expect(written((w) => w.boolean(true).boolean(false))).toEqual([1, 0]);
    expect(written((w) => w.float64(1))).toEqual([0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
  });

  it('int64 reads as a number, exact to 2^53, approximate (never throwing) beyond', () => {
    for (const v of [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53) + 1, 1509285569484]) {
      const r = new Reader(new Writer().int64(v).toBuffer());
      expect(r.int64()).toBe(v);
    }
    const max = new Reader(bytes(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    expect(max.int64()).toBe(2 ** 63); // 9223372036854775807 rounds to 2^63
    const min = new Reader(bytes(0x80, 0, 0, 0, 0, 0, 0, 0));
    expect(min.int64()).toBe(-(2 ** 63));
  });

  const uvarints: [number, number[]][] = [
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [16383, [0xff, 0x7f]],
    [16384, [0x80, 0x80, 0x01]],
    [2 ** 31, [0x80, 0x80, 0x80, 0x80, 0x08]],
    [2 ** 32 - 1, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ];
  it.each(uvarints)('uvarint %d', (v, b) => {
    expect(written((w) => w.uvarint(v))).toEqual(b);
    const r = new Reader(Buffer.from(b));
    expect(r.uvarint()).toBe(v);
    expect(r.remaining()).toBe(0);
  });

  const varints: [number, number[]][] = [
    [0, [0x00]],
    [-1, [0x01]],
    [1, [0x02]],
    [-64, [0x7f]],
    [64, [0x80, 0x01]],
    [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
    [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ];
  it.each(varints)('varint %d', (v, b) => {
    expect(written((w) => w.varint(v))).toEqual(b);
    expect(new Reader(Buffer.from(b)).varint()).toBe(v);
  });

  it('varlong', () => {
    expect(written((w) => w.varlong(-1))).toEqual([0x01]);
    expect(written((w) => w.varlong(150))).toEqual([0xac, 0x02]);
    expect(written((w) => w.varlong(2 ** 40))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
    expect(written((w) => w.varlong(9223372036854775807n))).toEqual([
      0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
    expect(written((w) => w.varlong(-9223372036854775808n))).toEqual([
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
    for (const v of [0, 1, -1, 63, -64, 2 ** 31, -(2 ** 31) - 1, 2 ** 40, -(2 ** 52), 2 ** 53 - 1, -(2 ** 53) + 1]) {
      const r = new Reader(new Writer().varlong(v).toBuffer());
      expect(r.varlong()).toBe(v);
      expect(r.remaining()).toBe(0);
    }
    expect(new Reader(Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).varlong()).toBe(
      2 ** 63,
    );
  });

  it('strings: classic and compact, null forms', () => {
    expect(written((w) => w.string('abc'))).toEqual([0, 3, 97, 98, 99]);
    expect(written((w) => w.nullableString(null))).toEqual([0xff, 0xff]);
    expect(written((w) => w.compactString('abc'))).toEqual([4, 97, 98, 99]);
    expect(written((w) => w.compactString(''))).toEqual([1]);
    expect(written((w) => w.compactNullableString(null))).toEqual([0]);
    expect(written((w) => w.string('é'))).toEqual([0, 2, 0xc3, 0xa9]);
    expect(new Reader(bytes(4, 97, 98, 99)).compactString()).toBe('abc');
    expect(new Reader(bytes(0)).compactNullableString()).toBeNull();
    expect(new Reader(bytes(1)).compactNullableString()).toBe('');
    expect(new Reader(bytes(0xff, 0xff)).nullableString()).toBeNull();
    expect(() => new Reader(bytes(0xff, 0xff)).string()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(0)).compactString()).toThrow(ProtocolError);
  });

  it('bytes: classic and compact, zero-copy reads', () => {
    expect(written((w) => w.bytes(bytes(1, 2)))).toEqual([0, 0, 0, 2, 1, 2]);
    expect(written((w) => w.nullableBytes(null))).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(written((w) => w.compactBytes(bytes(1, 2)))).toEqual([3, 1, 2]);
    expect(written((w) => w.compactNullableBytes(null))).toEqual([0]);
    const src = bytes(3, 9, 8);
    const b = new Reader(src).compactBytes();
    expect([...b]).toEqual([9, 8]);
    b[0] = 7;
    expect(src[1]).toBe(7); // a view, not a copy
    expect(new Reader(bytes(0)).compactNullableBytes()).toBeNull();
  });

  it('arrays: classic and compact lengths, null', () => {
    expect(written((w) => w.arrayLength(-1))).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(written((w) => w.compactArrayLength(-1))).toEqual([0]);
    expect(written((w) => w.compactArrayLength(0))).toEqual([1]);
    expect(new Reader(bytes(0)).compactArrayLength()).toBe(-1);
    expect(new Reader(bytes(0xff, 0xff, 0xff, 0xff)).arrayLength()).toBe(-1);
  });

  it('uuid: Kafka text form is 22-char URL-safe base64 without padding', () => {
    const raw = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const text = new Reader(raw).uuid();
    expect(text).toBe('ABEiM0RVZneImaq7zN3u_w');
    expect(text).toHaveLength(22);
    expect(new Writer().uuid(text).toBuffer().equals(raw)).toBe(true);
    expect(new Reader(Buffer.alloc(16)).uuid()).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(() => new Writer().uuid('short')).toThrow();
  });
});

describe('Writer buffering', () => {
  it('grows across many writes and keeps every byte', () => {
    const w = new Writer(4);
    for (let i = 0; i < 10000; i++) w.int32(i);
    expect(w.length).toBe(40000);
    const r = new Reader(w.toBuffer());
    for (let i = 0; i < 10000; i++) expect(r.int32()).toBe(i);
    const chunks = w.toChunks();
    expect(Buffer.concat(chunks).equals(w.toBuffer())).toBe(true);
  });

  it('raw() appends large buffers by reference as their own chunk', () => {
    const big = Buffer.alloc(4096, 7);
    const w = new Writer();
    w.int32(1).raw(big).int16(2);
    const chunks = w.toChunks();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(big);
    expect(w.length).toBe(4 + 4096 + 2);
    expect(w.toBuffer().length).toBe(4102);
  });

  it('records() writes several buffers under one length without concatenating them', () => {
    const a = Buffer.alloc(1000, 1);
    const b = Buffer.alloc(2000, 2);
    const w = new Writer();
    w.records([a, b], false);
    const chunks = w.toChunks();
    expect(chunks[0]).toEqual(bytes(0, 0, 0x0b, 0xb8)); // 3000
    expect(chunks[1]).toBe(a);
    expect(chunks[2]).toBe(b);
    const w2 = new Writer();
    w2.records([a, b], true);
    expect([...w2.toChunks()[0]!]).toEqual([0xb9, 0x17]); // uvarint 3001
    expect(written((x) => x.records(null, true))).toEqual([0]);
    expect(written((x) => x.records(null, false))).toEqual([0xff, 0xff, 0xff, 0xff]);
  });

  it('reserveInt32/fillSize frames a response as int32 size | payload, across chunks', () => {
    const w = new Writer(8);
    const slot = w.reserveInt32();
    w.int32(42);
    w.raw(Buffer.alloc(1000, 3));
    w.string('x');
    w.fillSize(slot);
    const out = w.toBuffer();
    expect(out.readInt32BE(0)).toBe(out.length - 4);
    expect(out.readInt32BE(4)).toBe(42);
  });
});

describe('Reader robustness', () => {
  it('reading past the end throws ProtocolError', () => {
    expect(() => new Reader(bytes(1)).int16()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(0, 5, 97)).string()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(0, 0, 0, 9, 1)).bytes()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(10, 1)).compactBytes()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.alloc(15)).uuid()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.alloc(7)).int64()).toThrow(ProtocolError);
    expect(() => new Reader(bytes()).int8()).toThrow(ProtocolError);
  });

  it('overlong or truncated varints throw', () => {
    expect(() => new Reader(bytes(0x80)).uvarint()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).uvarint()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0x1f)).uvarint()).toThrow(ProtocolError); // > 32 bits
    expect(() => new Reader(Buffer.alloc(11, 0xff)).varlong()).toThrow(ProtocolError);
  });

  it('array lengths larger than the remaining bytes, or below -1, are rejected before allocating', () => {
    expect(() => new Reader(bytes(0x7f, 0xff, 0xff, 0xff)).arrayLength()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(0, 0, 0, 3, 1, 2)).arrayLength()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(0xff, 0xff, 0xff, 0xfe)).arrayLength()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(0x80, 0x80, 0x80, 0x80, 0x08)).compactArrayLength()).toThrow(ProtocolError);
    expect(new Reader(bytes(0, 0, 0, 2, 1, 2)).arrayLength()).toBe(2);
  });

  it('tagged-field sections with sizes past the end throw', () => {
    expect(() => new Reader(bytes(1, 0, 50, 1)).skipTaggedFields()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(5)).skipTaggedFields()).toThrow(ProtocolError);
    const r = new Reader(bytes(1, 3, 2, 9, 9, 0x55));
    r.skipTaggedFields();
    expect(r.int8()).toBe(0x55);
  });
});
