// The broker survives hostile input and slow readers: bad frames close only
// the offending connection, and a client that never reads is paused.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Writer } from '../../core/protocol/writer.ts';
import { buildRecordBatch } from '../../core/protocol/record-batch.ts';
import { Api, KafkaClient } from '../helpers/kafka-client.ts';
import { startBroker, type Harness } from '../helpers/broker-harness.ts';

let h: Harness;
let healthy: KafkaClient;
beforeAll(async () => {
  h = await startBroker({ maxInFlightPerConnection: 8, writeHighWaterMark: 256 * 1024 });
  healthy = await h.client();
});
afterAll(async () => h.stop());

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

function header(apiKey: number, version: number, corr = 1): Buffer {
  const w = new Writer();
  w.int16(apiKey).int16(version).int32(corr).nullableString('fuzz');
  return w.toBuffer();
}

async function stillServes(): Promise<void> {
  const res = await healthy.send(Api.ApiVersions, 3, { clientSoftwareName: 'ok', clientSoftwareVersion: '1' });
  expect(res.errorCode).toBe(0);
}

/** Sends bytes on a fresh connection, then waits for the broker to close it (or a timeout). */
async function sendAndWaitClose(bytes: Buffer, timeoutMs = 1000): Promise<boolean> {
  const sock = net.connect({ port: h.port, host: '127.0.0.1' });
  await new Promise((r) => sock.once('connect', r));
  sock.on('error', () => {});
  sock.on('data', () => {});
  sock.write(bytes);
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    sock.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  sock.destroy();
  return closed;
}

describe('bad input', () => {
  it('closes the connection on an oversized or negative frame size only', async () => {
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(104857600 + 1);
    expect(await sendAndWaitClose(huge)).toBe(true);
    const neg = Buffer.alloc(4);
    neg.writeInt32BE(-5);
    expect(await sendAndWaitClose(neg)).toBe(true);
    await stillServes();
  });

  it('closes on an unknown api key and on an unsupported version of a non-ApiVersions API', async () => {
    expect(await sendAndWaitClose(frame(header(999, 0)))).toBe(true);
    expect(await sendAndWaitClose(frame(header(3, 99)))).toBe(true);
    expect(await sendAndWaitClose(frame(Buffer.from([0, 3])))).toBe(true);
    await stillServes();
  });

  it('closes on a valid header with a garbage body, for every served API', async () => {
    for (const [key, v] of [
      [0, 9],
      [1, 12],
      [1, 4],
      [2, 7],
      [3, 12],
      [3, 1],
      [18, 3],
    ] as const) {
      const body = Buffer.concat([header(key, v), Buffer.from([0xff, 0xff, 0xff, 0x7f, 0x80, 0x80, 0x80])]);
      expect(await sendAndWaitClose(frame(body))).toBe(true);
    }
    await stillServes();
  });

  it('survives random bytes and truncated frames (fuzz)', async () => {
    const conns: Promise<boolean>[] = [];
    for (let i = 0; i < 150; i++) {
      let bytes: Buffer;
      switch (i % 4) {
        case 0:
          bytes = randomBytes(1 + ((i * 37) % 300));
          break;
        case 1: {
          // header of a real API, random body
          const keys = [0, 1, 2, 3, 18];
          bytes = frame(Buffer.concat([header(keys[i % 5]!, [9, 12, 5, 9, 3][i % 5]!), randomBytes(i % 64)]));
          break;
        }
        case 2: {
          // a truncated valid request
          const full = frame(Buffer.concat([header(3, 9), Buffer.from([2, 5, 0, 0, 0, 0])]));
          bytes = full.subarray(0, 1 + (i % (full.length - 1)));
          break;
        }
        default: {
          // size prefix claims more than is sent
          const b = randomBytes(20);
          b.writeInt32BE(1000, 0);
          bytes = b;
        }
      }
      conns.push(sendAndWaitClose(bytes, 200));
    }
    await Promise.all(conns);
    await stillServes();
    // A normal produce still works afterwards.
    h.topics.create('after-fuzz', 1);
    const p = await healthy.send(Api.Produce, 9, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: 'after-fuzz', partitionData: [{ index: 0, records: buildRecordBatch([{ value: 'v' }]) }] }],
    });
    expect(p.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
  });
});

describe('backpressure', () => {
  it('pauses a connection whose client does not read, bounding buffered responses', async () => {
    h.topics.create('bp', 1);
    // ~200 KB of data, so each fetch response is large.
    for (let i = 0; i < 4; i++) {
      await healthy.send(Api.Produce, 9, {
        acks: 1,
        timeoutMs: 1000,
        topicData: [
          {
            name: 'bp',
            partitionData: [{ index: 0, records: buildRecordBatch([{ value: Buffer.alloc(50_000, i) }]) }],
          },
        ],
      });
    }
    const w = new Writer();
    const size = w.reserveInt32();
    w.int16(1).int16(12).int32(1).nullableString('slow').uvarint(0);
    const { encodeFetchRequest } = await import('../../core/protocol/messages/fetch.ts');
    encodeFetchRequest(w, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 'bp', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
    });
    w.fillSize(size);
    const req = w.toBuffer();

    const sock = net.connect({ port: h.port, host: '127.0.0.1' });
    await new Promise((r) => sock.once('connect', r));
    sock.on('error', () => {});
    sock.pause(); // never read
    // 2000 requests would be ~400 MB of responses if the broker kept answering.
    const burst = Buffer.concat(Array.from({ length: 200 }, () => req));
    for (let i = 0; i < 10; i++) sock.write(burst);
    await new Promise((r) => setTimeout(r, 1500));

    const conn = [
      ...(
        h.broker as unknown as {
          server: { connections: Set<{ isPaused: boolean; socket: net.Socket; inFlightCount: number }> };
        }
      ).server.connections,
    ].find((cn) => cn.socket.remotePort === sock.localPort)!;
    expect(conn).toBeTruthy();
    expect(conn.isPaused).toBe(true);
    // Buffered output stays near the high-water mark plus at most the in-flight cap of responses.
    expect(conn.socket.writableLength).toBeGreaterThan(256 * 1024);
    expect(conn.socket.writableLength).toBeLessThan(256 * 1024 + 9 * 210_000);
    await stillServes();
    sock.destroy();
  });
});
