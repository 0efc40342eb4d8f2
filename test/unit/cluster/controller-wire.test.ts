// The controller listener and the broker's socket client together: every RPC
// over a real loopback connection, a CreateTopics forwarded in an Envelope, a
// long poll that does not hold up other requests, and a controller restart
// the client reconnects through.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ControllerClient } from '../../../core/broker/controller-client.ts';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import { ControllerServer } from '../../../core/cluster/controller-server.ts';
import { Controller } from '../../../core/cluster/controller.ts';
import { ErrorCode, KafkaError } from '../../../core/protocol/errors.ts';
import type * as ct from '../../../core/protocol/messages/create-topics.ts';
import type * as iac from '../../../core/protocol/messages/incremental-alter-configs.ts';
import type * as lpr from '../../../core/protocol/messages/list-partition-reassignments.ts';
import { makeTmpDir } from '../../helpers/tmp.ts';
import { createTopicsRequest } from './cluster-harness.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function cluster(dir = makeTmpDir('samsa-wire-'), port = 0) {
  const controller = Controller.open(dir, new BrokerConfig({}), { timers: false });
  const server = new ControllerServer(controller);
  const addr = await server.listen(port);
  const stop = async () => {
    await server.close();
    controller.close();
  };
  cleanups.push(stop);
  return { controller, server, port: addr.port, dir, stop };
}

function client(
  port: number,
  extra: Partial<ConstructorParameters<typeof ControllerClient>[0]> = {},
): ControllerClient {
  const c = new ControllerClient({ host: '127.0.0.1', port, ...extra });
  cleanups.push(() => c.close());
  return c;
}

const incarnation = () => randomBytes(16).toString('base64url');

describe('controller listener and client', () => {
  it('serves every RPC', async () => {
    const { controller, port } = await cluster();
    const cc = client(port);
    const reg = await cc.register({
      brokerId: 1,
      incarnationId: incarnation(),
      host: '127.0.0.1',
      port: 9092,
      rack: 'r1',
      previousBrokerEpoch: -1,
    });
    expect(reg.errorCode).toBe(0);
    expect(controller.broker(1)).toMatchObject({
      host: '127.0.0.1',
      port: 9092,
      rack: 'r1',
      epoch: reg.brokerEpoch,
      fenced: true,
    });
    const snap = await cc.fetchMetadata({ brokerId: 1, brokerEpoch: reg.brokerEpoch, fromSeq: 0, maxWaitMs: 0 });
    expect(snap.seq).toBe(controller.seq);
    expect(snap.snapshot!.brokers[0]).toMatchObject({ id: 1, fenced: true });
    const hb = await cc.heartbeat({
      brokerId: 1,
      brokerEpoch: reg.brokerEpoch,
      metadataOffset: snap.seq,
      wantFence: false,
      wantShutDown: false,
    });
    expect(hb).toEqual({ errorCode: 0, isCaughtUp: true, isFenced: false, shouldShutDown: false });
    const stale = await cc.heartbeat({
      brokerId: 1,
      brokerEpoch: reg.brokerEpoch + 100,
      metadataOffset: 0,
      wantFence: false,
      wantShutDown: false,
    });
    expect(stale.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    const ids = await cc.allocateProducerIds({ brokerId: 1, brokerEpoch: reg.brokerEpoch });
    expect(ids).toEqual({ errorCode: 0, producerIdStart: 0, producerIdLen: 1000 });

    // A deltas fetch after the snapshot carries the unfencing.
    const d = await cc.fetchMetadata({ brokerId: 1, brokerEpoch: reg.brokerEpoch, fromSeq: snap.seq, maxWaitMs: 1000 });
    expect(d.changes).toContainEqual({ type: 'broker', broker: expect.objectContaining({ id: 1, fenced: false }) });

    // CreateTopics forwarded in an Envelope, answered once this broker applied it: keep fetching meanwhile.
    let seq = d.seq;
    let following = true;
    const follow = (async () => {
      while (following)
        seq = (await cc.fetchMetadata({ brokerId: 1, brokerEpoch: reg.brokerEpoch, fromSeq: seq, maxWaitMs: 100 })).seq;
    })();
    const created = (await cc.forward(
      19,
      7,
      createTopicsRequest([
        { name: 'wire', numPartitions: 2, replicationFactor: 1, configs: [{ name: 'retention.ms', value: '1000' }] },
        { name: 'bad', numPartitions: 1, replicationFactor: 2 },
      ]),
      { clientId: 'cli' },
    )) as ct.CreateTopicsResponse;
    following = false;
    await follow;
    expect(created.topics[0]).toMatchObject({
      name: 'wire',
      errorCode: 0,
      numPartitions: 2,
      replicationFactor: 1,
      topicId: controller.topic('wire')!.topicId,
    });
    expect(created.topics[0]!.configs!.find((x) => x.name === 'retention.ms')).toMatchObject({
      value: '1000',
      configSource: 1,
    });
    expect(created.topics[1]).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICATION_FACTOR });
    expect(created.topics[1]!.errorMessage).toContain('only 1 broker(s) are registered');
    expect(seq).toBeGreaterThanOrEqual(controller.seq - 0);
    // Older versions go through their own codecs.
    const v2 = (await cc.forward(
      19,
      2,
      createTopicsRequest([{ name: 'old', numPartitions: 1, replicationFactor: 1 }], { timeoutMs: 0 }),
      { clientId: null },
    )) as ct.CreateTopicsResponse;
    expect(v2.topics[0]).toMatchObject({ name: 'old', errorCode: 0 });

    // The forwarding broker's id travels with the Envelope.
    const inc = (await cc.forward(
      44,
      1,
      { validateOnly: true, resources: [{ resourceType: 4, resourceName: '2', configs: [] }] },
      { clientId: null, brokerId: 1 },
    )) as iac.IncrementalAlterConfigsResponse;
    expect(inc.responses[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Unexpected broker id, expected 1 or empty string, but received 2',
    });
    const list = (await cc.forward(
      46,
      0,
      { timeoutMs: 1000, topics: null },
      { clientId: null },
    )) as lpr.ListPartitionReassignmentsResponse;
    expect(list).toMatchObject({ errorCode: 0, topics: [] });
    await expect(cc.forward(3, 12, {}, { clientId: null })).rejects.toBeInstanceOf(KafkaError);

    // AlterPartition from the leader.
    const p = controller.partitions(controller.topic('wire')!.topicId)[0]!;
    const alter = await cc.alterPartition({
      brokerId: 1,
      brokerEpoch: reg.brokerEpoch,
      topics: [
        {
          topicName: 'wire',
          topicId: p.topicId,
          partitions: [
            {
              partitionIndex: 0,
              leaderEpoch: p.leaderEpoch,
              partitionEpoch: p.partitionEpoch,
              newIsr: [],
              newIsrWithEpochs: [{ brokerId: 1, brokerEpoch: reg.brokerEpoch }],
              leaderRecoveryState: 0,
            },
            {
              partitionIndex: 1,
              leaderEpoch: 9,
              partitionEpoch: 0,
              newIsr: [],
              newIsrWithEpochs: [{ brokerId: 1, brokerEpoch: reg.brokerEpoch }],
              leaderRecoveryState: 0,
            },
          ],
        },
      ],
    });
    expect(alter.topics![0]!.partitions!.map((x) => [x.errorCode, x.partitionEpoch])).toEqual([
      [0, 1],
      [ErrorCode.FENCED_LEADER_EPOCH, -1],
    ]);
  });

  it('answers other requests while a long poll waits on the same connection', async () => {
    const { controller, port } = await cluster();
    const cc = client(port);
    const reg = await cc.register({
      brokerId: 1,
      incarnationId: incarnation(),
      host: 'h',
      port: 1,
      rack: null,
      previousBrokerEpoch: -1,
    });
    const poll = cc.fetchMetadata({
      brokerId: 1,
      brokerEpoch: reg.brokerEpoch,
      fromSeq: controller.seq,
      maxWaitMs: 5000,
    });
    const t0 = Date.now();
    const hb = await cc.heartbeat({
      brokerId: 1,
      brokerEpoch: reg.brokerEpoch,
      metadataOffset: controller.seq,
      wantFence: false,
      wantShutDown: false,
    });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(hb.isFenced).toBe(false);
    const d = await poll; // woken by the unfencing
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(d.changes.some((c) => c.type === 'broker')).toBe(true);
  });

  it('reconnects after a controller restart; the broker registers again', async () => {
    const first = await cluster();
    let reconnects = 0;
    const cc = client(first.port, {
      onReconnect: () => {
        reconnects++;
      },
    });
    const inc = incarnation();
    const reg = await cc.register({
      brokerId: 1,
      incarnationId: inc,
      host: 'h',
      port: 1,
      rack: null,
      previousBrokerEpoch: -1,
    });
    await cc.heartbeat({
      brokerId: 1,
      brokerEpoch: reg.brokerEpoch,
      metadataOffset: first.controller.seq,
      wantFence: false,
      wantShutDown: false,
    });
    await cc.forward(
      19,
      7,
      createTopicsRequest([{ name: 'kept', numPartitions: 1, replicationFactor: 1 }], { timeoutMs: 0 }),
      { clientId: null },
    );
    // A long poll in flight when the controller goes away rejects.
    const poll = cc.fetchMetadata({
      brokerId: 1,
      brokerEpoch: reg.brokerEpoch,
      fromSeq: first.controller.seq,
      maxWaitMs: 10_000,
    });
    const pollResult = poll.then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    await first.stop();
    cleanups.splice(cleanups.indexOf(first.stop), 1);
    expect(await pollResult).toMatch(/closed|resolved/);
    // The controller comes back on the same port a moment later; the next call waits for it.
    const restarted = new Promise<Awaited<ReturnType<typeof cluster>>>((resolve) =>
      setTimeout(() => resolve(cluster(first.dir, first.port)), 300),
    );
    const hb = await cc.heartbeat({
      brokerId: 1,
      brokerEpoch: reg.brokerEpoch,
      metadataOffset: 0,
      wantFence: false,
      wantShutDown: false,
    });
    const second = await restarted;
    expect(hb.errorCode).toBe(ErrorCode.BROKER_ID_NOT_REGISTERED);
    expect(reconnects).toBe(1);
    const again = await cc.register({
      brokerId: 1,
      incarnationId: inc,
      host: 'h',
      port: 1,
      rack: null,
      previousBrokerEpoch: reg.brokerEpoch,
    });
    expect(again.errorCode).toBe(0);
    expect(again.brokerEpoch).toBeGreaterThan(reg.brokerEpoch);
    const snap = await cc.fetchMetadata({ brokerId: 1, brokerEpoch: again.brokerEpoch, fromSeq: 0, maxWaitMs: 0 });
    expect(snap.snapshot!.topics.map((t) => t.name)).toEqual(['kept']);
    expect(second.controller.broker(1)!.epoch).toBe(again.brokerEpoch);
  });

  it('a call rejects when no controller answers within connectTimeoutMs', async () => {
    const { port, stop } = await cluster();
    await stop();
    const cc = client(port, { connectTimeoutMs: 300 });
    const t0 = Date.now();
    await expect(
      cc.heartbeat({ brokerId: 1, brokerEpoch: 1, metadataOffset: 0, wantFence: false, wantShutDown: false }),
    ).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(3000);
    cc.close();
    await expect(cc.allocateProducerIds({ brokerId: 1, brokerEpoch: 1 })).rejects.toThrow(/closed/);
  });
});
