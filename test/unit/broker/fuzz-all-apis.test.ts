// Every API the broker serves, every version, with degenerate and random
// bodies, against a broker wired as in production (SQLite metadata, real logs,
// group coordinator, admin APIs): the broker must never crash or hang, and
// must keep serving other connections.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Broker } from '../../../core/broker/broker.ts';
import { singleNodeBroker } from '../../../core/cluster/single-node.ts';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import { getApi } from '../../../core/protocol/messages/index.ts';
import { Writer } from '../../../core/protocol/writer.ts';
import { Api, KafkaClient } from '../../helpers/kafka-client.ts';

let dir: string;
let broker: Broker;
let port: number;
const logged: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'samsa-fuzz-'));
  broker = singleNodeBroker({
    port: 0,
    dataDir: dir,
    config: new BrokerConfig({ 'offsets.topic.num.partitions': '2', 'group.initial.rebalance.delay.ms': '0' }),
    log: (m) => logged.push(m),
  });
  ({ port } = await broker.start());
  await broker.topics.create({ name: 'fuzz', numPartitions: 2, replicationFactor: 1, configs: {} });
});
afterAll(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A request frame: size, header (v1, or v2 for flexible versions), body. */
function frame(apiKey: number, version: number, body: Buffer, correlationId: number): Buffer {
  const api = getApi(apiKey)!;
  const w = new Writer();
  const size = w.reserveInt32();
  w.int16(apiKey).int16(version).int32(correlationId).nullableString('fuzz');
  if (api.flexibleMin >= 0 && version >= api.flexibleMin) w.uvarint(0);
  w.raw(body);
  w.fillSize(size);
  return Buffer.concat(w.toChunks());
}

/** The request with every field at its default (empty arrays and strings, zeros): valid but degenerate. */
function defaults(apiKey: number, version: number): Buffer {
  const w = new Writer();
  getApi(apiKey)!.encodeRequest(w, version, {});
  return Buffer.concat(w.toChunks());
}

/** Sends each frame on its own connection (a malformed one closes it) and waits for an answer or the close. */
async function blast(frames: Buffer[]): Promise<void> {
  await Promise.all(
    frames.map(async (f) => {
      const c = await KafkaClient.connect(port);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 300); // a parked request (long-poll, join) may not answer yet
        c.socket.once('data', () => {
          clearTimeout(t);
          resolve();
        });
        c.socket.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        c.sendRaw(f);
      });
      c.socket.destroy();
    }),
  );
}

it('survives degenerate and random requests to every API and version, and keeps serving', async () => {
  const entries = broker.apis.entries();
  expect(entries.length).toBeGreaterThan(25);
  let id = 1;
  for (const e of entries) {
    const frames: Buffer[] = [];
    for (let v = e.min; v <= e.max; v++) {
      frames.push(frame(e.apiKey, v, defaults(e.apiKey, v), id++));
      for (let i = 0; i < 12; i++) frames.push(frame(e.apiKey, v, randomBytes(i * 11), id++));
      frames.push(frame(e.apiKey, v, Buffer.alloc(64, 0xff), id++));
      frames.push(frame(e.apiKey, v, Buffer.alloc(64, 0), id++));
    }
    await blast(frames);
  }
  // Still alive: metadata, produce and fetch on a fresh connection.
  const c = await KafkaClient.connect(port);
  try {
    const md = await c.send(Api.Metadata, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(md.topics.map((t) => t.name)).toContain('fuzz');
    const av = await c.send(Api.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    expect(av.errorCode).toBe(0);
  } finally {
    c.socket.destroy();
  }
  // The only acceptable outcome besides an answer is Kafka's: a request that
  // cannot be parsed closes its connection. Anything else logged (a handler
  // that threw, a request that failed) is a bug.
  const failures = logged.filter((m) => !/: malformed \w+ v\d+ request: /.test(m));
  expect(failures.slice(0, 5)).toEqual([]);
}, 120_000);
