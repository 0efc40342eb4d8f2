// Bad input over raw sockets against a running broker: garbage, truncated and oversized
// frames, a produce with a corrupted CRC, CreateTopics with an illegal name. Afterwards a
// normal client must still work on new connections. Frames are hand-built here (Produce v7,
// CreateTopics v4: both non-flexible, request header v1) so the test depends on nothing
// but the wire format.
import { crc32c } from '@node-rs/crc32';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caps, lacks, startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { runPython, uniqueTopic, withTimeout } from '../helpers/clients.ts';

// ---- a tiny writer/reader -----------------------------------------------------------------

class W {
  parts: Buffer[] = [];
  i8(v: number) {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    this.parts.push(b);
    return this;
  }
  i16(v: number) {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    this.parts.push(b);
    return this;
  }
  i64(v: bigint) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }
  str(s: string | null) {
    if (s === null) return this.i16(-1);
    const b = Buffer.from(s);
    this.i16(b.length);
    this.parts.push(b);
    return this;
  }
  bytes(b: Buffer) {
    this.i32(b.length);
    this.parts.push(b);
    return this;
  }
  raw(b: Buffer) {
    this.parts.push(b);
    return this;
  }
  varint(v: number) {
    // zigzag
    let z = (v << 1) ^ (v >> 31);
    const out: number[] = [];
    z >>>= 0;
    while (z > 0x7f) {
      out.push((z & 0x7f) | 0x80);
      z >>>= 7;
    }
    out.push(z);
    this.parts.push(Buffer.from(out));
    return this;
  }
  buf() {
    return Buffer.concat(this.parts);
  }
}

class R {
  o = 0;
  readonly b: Buffer;
  constructor(b: Buffer) {
    this.b = b;
  }
  i16() {
    const v = this.b.readInt16BE(this.o);
    this.o += 2;
    return v;
  }
  i32() {
    const v = this.b.readInt32BE(this.o);
    this.o += 4;
    return v;
  }
  i64() {
    const v = this.b.readBigInt64BE(this.o);
    this.o += 8;
    return v;
  }
  str() {
    const n = this.i16();
    if (n < 0) return null;
    const s = this.b.toString('utf8', this.o, this.o + n);
    this.o += n;
    return s;
  }
}

function frame(apiKey: number, apiVersion: number, correlationId: number, body: Buffer): Buffer {
  const payload = new W().i16(apiKey).i16(apiVersion).i32(correlationId).str('samsa-bad-input').raw(body).buf();
  return Buffer.concat([new W().i32(payload.length).buf(), payload]);
}

/** A record batch v2 with the given records (no compression), CRC-32C over attributes..end. */
function recordBatch(records: Array<{ key: string; value: string }>, corruptCrc = false): Buffer {
  const now = BigInt(Date.now());
  const recs = records.map((r, i) => {
    const k = Buffer.from(r.key),
      v = Buffer.from(r.value);
    const body = new W().i8(0).varint(0).varint(i).varint(k.length).raw(k).varint(v.length).raw(v).varint(0).buf();
    return new W().varint(body.length).raw(body).buf();
  });
  const afterCrc = new W()
    .i16(0)
    .i32(records.length - 1)
    .i64(now)
    .i64(now)
    .i64(-1n)
    .i16(-1)
    .i32(-1)
    .i32(records.length)
    .raw(Buffer.concat(recs))
    .buf();
  let crc = crc32c(afterCrc) >>> 0;
  if (corruptCrc) crc = (crc ^ 0xdeadbeef) >>> 0;
  const afterLength = new W().i32(0).i8(2).u32(crc).raw(afterCrc).buf();
  return new W().i64(0n).i32(afterLength.length).raw(afterLength).buf();
}

function produceV7(correlationId: number, topic: string, partition: number, batch: Buffer): Buffer {
  const body = new W().str(null).i16(-1).i32(10_000).i32(1).str(topic).i32(1).i32(partition).bytes(batch).buf();
  return frame(0, 7, correlationId, body);
}

function parseProduceV7(b: Buffer) {
  const r = new R(b);
  const correlationId = r.i32();
  const out: Array<{ topic: string | null; partition: number; errorCode: number; baseOffset: bigint }> = [];
  for (let t = r.i32(); t > 0; t--) {
    const topic = r.str();
    for (let p = r.i32(); p > 0; p--) {
      const partition = r.i32(),
        errorCode = r.i16(),
        baseOffset = r.i64();
      r.i64();
      r.i64(); // log_append_time_ms, log_start_offset
      // v7 has no per-partition record errors (those arrive in v8)
      out.push({ topic, partition, errorCode, baseOffset });
    }
  }
  return { correlationId, partitions: out };
}

function createTopicsV4(correlationId: number, name: string): Buffer {
  const body = new W().i32(1).str(name).i32(1).i16(1).i32(0).i32(0).i32(10_000).i8(0).buf();
  return frame(19, 4, correlationId, body);
}

// ---- a raw connection ---------------------------------------------------------------------

class RawConn {
  sock!: Socket;
  chunks: Buffer[] = [];
  closed = false;
  #closedP!: Promise<void>;
  #waiter: (() => void) | undefined;
  async open(b: RunningBroker) {
    this.sock = connect({ host: b.host, port: b.port });
    this.#closedP = new Promise((r) =>
      this.sock.once('close', () => {
        this.closed = true;
        r();
        this.#waiter?.();
      }),
    );
    this.sock.on('error', () => {
      /* a reset is one way to be closed */
    });
    this.sock.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.#waiter?.();
    });
    await withTimeout(
      new Promise<void>((r, j) => {
        this.sock.once('connect', r);
        this.sock.once('error', j);
      }),
      5_000,
      'connect',
    );
    return this;
  }
  write(b: Buffer) {
    this.sock.write(b);
  }
  /** Reads one size-prefixed response. */
  async response(ms = 10_000): Promise<Buffer> {
    const deadline = Date.now() + ms;
    for (;;) {
      const all = Buffer.concat(this.chunks);
      if (all.length >= 4 && all.length >= 4 + all.readInt32BE(0)) {
        const n = all.readInt32BE(0);
        this.chunks = [all.subarray(4 + n)];
        return all.subarray(4, 4 + n);
      }
      if (this.closed) throw new Error('connection closed before a response');
      if (Date.now() > deadline) throw new Error('no response in time');
      await new Promise<void>((r) => {
        this.#waiter = r;
        setTimeout(r, 50);
      });
    }
  }
  /** Resolves true when the broker closes the connection within `ms`. */
  async closedWithin(ms: number): Promise<boolean> {
    return Promise.race([this.#closedP.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
  }
  destroy() {
    this.sock.destroy();
  }
}

// ---- tests --------------------------------------------------------------------------------

let broker: RunningBroker;
const conns: RawConn[] = [];
const open = async () => {
  const c = await new RawConn().open(broker);
  conns.push(c);
  return c;
};

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  for (const c of conns) c.destroy();
  await broker?.dispose();
});

/** The broker is alive and a normal client works on new connections. */
async function expectHealthy(): Promise<void> {
  expect(broker.exited, `broker exited; output:\n${broker.output()}`).toBe(false);
  const topic = uniqueTopic('bad-health');
  const prod = await runPython<{ acked: number; errors: unknown[] }>('ck.py', {
    cmd: 'produce',
    bootstrap: broker.bootstrap,
    topic,
    count: 100,
    partitions: 1,
    timeout_s: 20,
  });
  expect(prod).toMatchObject({ acked: 100, errors: [] });
  const parts = caps.autoCreatePartitions(1);
  const cons = await runPython<{ total: number }>('ck.py', {
    cmd: 'consume',
    bootstrap: broker.bootstrap,
    topic,
    partitions: parts,
    expected: 100,
    timeout_s: 20,
  });
  expect(cons.total).toBe(100);
}

describe('bad input on raw sockets', () => {
  it('a well-formed Produce built by this test is accepted (checks the frame builder)', async () => {
    const topic = uniqueTopic('bad-ok');
    await runPython('ck.py', { cmd: 'metadata', bootstrap: broker.bootstrap, topic }); // auto-create
    const c = await open();
    c.write(
      produceV7(
        41,
        topic,
        0,
        recordBatch([
          { key: 'k0', value: 'v0' },
          { key: 'k1', value: 'v1' },
        ]),
      ),
    );
    const res = parseProduceV7(await c.response());
    expect(res).toEqual({ correlationId: 41, partitions: [{ topic, partition: 0, errorCode: 0, baseOffset: 0n }] });
    // librdkafka reads it back with check.crcs=true.
    const cons = await runPython<{ total: number; partitions: Record<string, { count: number }> }>('ck.py', {
      cmd: 'consume',
      bootstrap: broker.bootstrap,
      topic,
      partitions: caps.autoCreatePartitions(1),
      expected: null,
      timeout_s: 20,
    });
    expect(cons.total).toBe(2);
  });

  it('a frame of random bytes with an unknown API key gets the connection closed', async () => {
    const c = await open();
    const body = randomBytes(1020);
    body.writeInt16BE(0x7ff0, 0); // api key that does not exist
    c.write(Buffer.concat([new W().i32(body.length).buf(), body]));
    expect(await c.closedWithin(10_000)).toBe(true);
    await expectHealthy();
  });

  it('unframed random bytes do not harm the broker', async () => {
    const c = await open();
    c.write(randomBytes(8192));
    await c.closedWithin(1_000); // may or may not be closed: it may be waiting for a huge frame
    c.destroy();
    await expectHealthy();
  });

  it('a truncated frame followed by end of stream does not harm the broker', async () => {
    const c = await open();
    const f = produceV7(7, 'whatever', 0, recordBatch([{ key: 'a', value: 'b' }]));
    c.write(f.subarray(0, Math.floor(f.length / 2)));
    c.sock.end();
    expect(await c.closedWithin(10_000)).toBe(true);
    await expectHealthy();
  });

  it.skipIf(lacks('validatesCrc'))(
    'a produce with a corrupted CRC gets CORRUPT_MESSAGE and appends nothing',
    async () => {
      const topic = uniqueTopic('bad-crc');
      await runPython('ck.py', { cmd: 'metadata', bootstrap: broker.bootstrap, topic }); // auto-create
      const c = await open();
      c.write(produceV7(99, topic, 0, recordBatch([{ key: 'x', value: 'y' }], true)));
      const res = parseProduceV7(await c.response());
      expect(res.correlationId).toBe(99);
      expect(res.partitions).toEqual([{ topic, partition: 0, errorCode: 2, baseOffset: -1n }]); // CORRUPT_MESSAGE
      // A good batch on the same connection still lands at offset 0: nothing was appended.
      c.write(produceV7(100, topic, 0, recordBatch([{ key: 'k', value: 'v' }])));
      const ok = parseProduceV7(await c.response());
      expect(ok.partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 0n });
      const parts = caps.autoCreatePartitions(1);
      const cons = await runPython<{ total: number; partitions: Record<string, { count: number }> }>('ck.py', {
        cmd: 'consume',
        bootstrap: broker.bootstrap,
        topic,
        partitions: parts,
        expected: null,
        timeout_s: 20,
      });
      expect(cons.total).toBe(1);
    },
  );

  it.skipIf(lacks('validatesTopicNames'))(
    'CreateTopics with an illegal name gets INVALID_TOPIC_EXCEPTION',
    async () => {
      const c = await open();
      for (const [i, name] of ['bad name!', '..', 'x'.repeat(250)].entries()) {
        c.write(createTopicsV4(200 + i, name));
        const r = new R(await c.response());
        expect(r.i32()).toBe(200 + i);
        r.i32(); // throttle
        expect(r.i32()).toBe(1);
        expect(r.str()).toBe(name);
        expect(r.i16(), `error for ${JSON.stringify(name)}`).toBe(17);
      }
      await expectHealthy();
    },
  );

  it.skipIf(lacks('limitsFrameSize'))('an oversized frame (200 MB announced) gets the connection closed', async () => {
    const c = await open();
    c.write(new W().i32(200 * 1024 * 1024).buf());
    c.write(randomBytes(64 * 1024));
    expect(await c.closedWithin(10_000)).toBe(true);
    await expectHealthy();
  });

  it('the broker still serves normal clients after all of the above', async () => {
    await expectHealthy();
  });
});
