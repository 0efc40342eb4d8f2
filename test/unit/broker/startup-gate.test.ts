// A broker binds its listener before it has the cluster metadata (the bound
// port is what it registers). Requests that arrive in that window wait until
// the snapshot is loaded and the topics are built, instead of being answered
// as if no topic existed; ApiVersions is answered at once; requests still
// waiting when the broker stops are dropped with their connection.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '../../../core/broker/broker.ts';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import { Controller } from '../../../core/cluster/controller.ts';
import { InProcessChannel } from '../../../core/cluster/in-process-channel.ts';
import type { BrokerRegistration } from '../../../core/metadata/controller-channel.ts';
import type { MetadataDelta } from '../../../core/metadata/types.ts';
import { Api, KafkaClient } from '../../helpers/kafka-client.ts';
import { createTopicsRequest } from '../cluster/cluster-harness.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const topic = 'existing';

/** Holds the first metadata fetch (the snapshot) until `release()`; reports the registered port. */
class SlowSnapshotChannel extends InProcessChannel {
  private releaseFn!: () => void;
  private readonly released = new Promise<void>((r) => {
    this.releaseFn = r;
  });
  private portFn!: (port: number) => void;
  readonly registeredPort = new Promise<number>((r) => {
    this.portFn = r;
  });

  release(): void {
    this.releaseFn();
  }

  override register(req: BrokerRegistration) {
    this.portFn(req.port);
    return super.register(req);
  }

  override async fetchMetadata(req: {
    brokerId: number;
    brokerEpoch: number;
    fromSeq: number;
    maxWaitMs: number;
  }): Promise<MetadataDelta> {
    if (req.fromSeq === 0) await this.released;
    return super.fetchMetadata(req);
  }
}

let dataDir: string;
let controller: Controller;

function metadata(c: KafkaClient) {
  return c.send(Api.Metadata, 12, {
    topics: [{ topicId: ZERO_UUID, name: topic }],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
}

function newBroker(channel: InProcessChannel): Broker {
  return new Broker({
    brokerId: 1,
    port: 0,
    dataDir,
    config: new BrokerConfig({ 'node.id': '1' }),
    controller: channel,
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-startup-gate-'));
  controller = Controller.open(dataDir, new BrokerConfig());
  // A first run of broker 1 creates the topic, then stops.
  const first = newBroker(new InProcessChannel(controller));
  await first.start();
  const res = (await first.forward(
    19,
    7,
    createTopicsRequest([{ name: topic, numPartitions: 2, replicationFactor: 1 }]),
    { clientId: null },
  )) as { topics: { errorCode: number }[] };
  expect(res.topics[0]!.errorCode).toBe(0);
  await first.stop();
}, 30_000);

afterAll(() => {
  controller?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('requests before the broker has the metadata', () => {
  it('wait for the snapshot and get the right answer; ApiVersions is answered at once', async () => {
    const channel = new SlowSnapshotChannel(controller);
    const broker = newBroker(channel);
    const started = broker.start();
    try {
      const c = await KafkaClient.connect(await channel.registeredPort);
      try {
        // (Responses on a connection keep the request order: ApiVersions goes first, as clients send it.)
        const versions = await c.send(Api.ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
        expect(versions.errorCode).toBe(0);
        let answered = false;
        const md = metadata(c).then((r) => {
          answered = true;
          return r;
        });
        await new Promise((r) => setTimeout(r, 100));
        expect(answered).toBe(false);
        channel.release();
        await started;
        const res = await md;
        expect(res.brokers.map((b) => b.nodeId)).toEqual([1]);
        expect(res.topics).toHaveLength(1);
        expect(res.topics[0]!.errorCode).toBe(0);
        expect(res.topics[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode, p.leaderId]).sort()).toEqual([
          [0, 0, 1],
          [1, 0, 1],
        ]);
      } finally {
        c.close();
      }
    } finally {
      channel.release();
      await started.catch(() => undefined);
      await broker.stop();
    }
  }, 30_000);

  it('still waiting when the broker stops: the connection closes, stop() does not hang', async () => {
    const channel = new SlowSnapshotChannel(controller);
    const broker = newBroker(channel);
    const started = broker.start();
    const c = await KafkaClient.connect(await channel.registeredPort);
    try {
      const md = metadata(c).then(
        () => 'answered',
        (e: Error) => e.message,
      );
      await new Promise((r) => setTimeout(r, 50));
      await broker.stop();
      expect(await md).toBe('connection closed');
    } finally {
      c.close();
      channel.release();
      await started.catch(() => undefined);
      await broker.stop();
    }
  }, 30_000);
});
