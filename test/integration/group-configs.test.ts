// Group configs (KIP-848's GROUP config resource) on `samsa start` with default settings, as a
// user sets them: Kafka's own kafka-configs tool and `samsa configs --entity-type groups` alter and
// describe consumer.session.timeout.ms / consumer.heartbeat.interval.ms; a KIP-848 member's next
// heartbeat answers the group's new interval (the raw ConsumerGroupHeartbeat, read off the wire);
// a value outside the broker's bounds is refused with Kafka's message; the configs survive a
// restart (they are in the cluster metadata). Real Kafka answers the same requests identically in
// the differential check (test/peers/differential/corpus.ts, the GROUP cases).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, uniqueTopic, waitFor } from '../helpers/clients.ts';
import { kafkaTool } from '../helpers/kafka-peer.ts';
import { nodeBinary, REPO_ROOT, startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { WireClient } from '../peers/differential/wire.ts';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const SAMSA = join(REPO_ROOT, 'bin', 'samsa.js');
const samsa = (args: string[]) => run(nodeBinary(), [SAMSA, ...args], { timeoutMs: 30_000 });
const GROUP = 32;
const SET = 0;
const DELETE = 1;

let dataDir: string;
let broker: RunningBroker;
let wire: WireClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-group-configs-'));
  broker = await startBroker({ dataDir });
  wire = await WireClient.connect(broker.port);
}, 60_000);

afterAll(async () => {
  wire?.close();
  await broker?.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

const alter = (group: string, configs: { name: string; configOperation: number; value: string | null }[]) =>
  wire.send('IncrementalAlterConfigs', 1, {
    resources: [{ resourceType: GROUP, resourceName: group, configs }],
    validateOnly: false,
  });

const describeGroup = async (group: string) => {
  const r = await wire.send('DescribeConfigs', 4, {
    resources: [{ resourceType: GROUP, resourceName: group, configurationKeys: null }],
    includeSynonyms: true,
    includeDocumentation: false,
  });
  return r.results[0];
};

/** One ConsumerGroupHeartbeat (v1: the member picks its id), retried while the coordinator loads. */
async function heartbeat(group: string, topic: string, memberId: string, memberEpoch: number): Promise<any> {
  return waitFor(
    async () => {
      const r = await wire.send('ConsumerGroupHeartbeat', 1, {
        groupId: group,
        memberId,
        memberEpoch,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: 60_000,
        subscribedTopicNames: memberEpoch === 0 ? [topic] : null,
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: memberEpoch === 0 ? [] : null,
      });
      return r.errorCode === 14 || r.errorCode === 15 ? undefined : r; // loading / not available yet
    },
    30_000,
    'the group coordinator',
  );
}

describe('group configs (KIP-848)', () => {
  it("a member's next heartbeat answers the group's new consumer.heartbeat.interval.ms, and its removal", async () => {
    const group = uniqueTopic('gc-hb');
    const topic = uniqueTopic('gc-topic');
    const memberId = 'gc-member-0000000000000';
    const joined = await heartbeat(group, topic, memberId, 0);
    expect(joined.errorCode).toBe(0);
    expect(joined.heartbeatIntervalMs).toBe(5000); // group.consumer.heartbeat.interval.ms's default

    const set = await alter(group, [{ name: 'consumer.heartbeat.interval.ms', configOperation: SET, value: '6000' }]);
    expect(set.responses[0]).toMatchObject({ errorCode: 0, errorMessage: null });
    const next = await heartbeat(group, topic, memberId, joined.memberEpoch);
    expect(next).toMatchObject({ errorCode: 0, heartbeatIntervalMs: 6000 });

    await alter(group, [{ name: 'consumer.heartbeat.interval.ms', configOperation: DELETE, value: null }]);
    const after = await heartbeat(group, topic, memberId, next.memberEpoch);
    expect(after).toMatchObject({ errorCode: 0, heartbeatIntervalMs: 5000 });
  });

  it("refuses a session timeout outside the broker's bounds with Kafka's message, and stores nothing", async () => {
    const group = uniqueTopic('gc-bad');
    const r = await alter(group, [{ name: 'consumer.session.timeout.ms', configOperation: SET, value: '30000' }]);
    expect(r.responses[0]).toMatchObject({
      errorCode: 40,
      errorMessage: 'consumer.session.timeout.ms must be in the range 45000 to 60000 inclusive.',
    });
    const d = await describeGroup(group);
    const cfg = d.configs.find((c: any) => c.name === 'consumer.session.timeout.ms');
    expect(cfg).toMatchObject({ value: '45000', configSource: 5 });
    expect(cfg.synonyms).toEqual([{ name: 'group.consumer.session.timeout.ms', value: '45000', source: 5 }]);
  });

  it('kafka-configs and samsa configs alter and describe a group as Kafka prints it; the configs survive a restart', async () => {
    const group = uniqueTopic('gc-tools');
    const altered = await kafkaTool('kafka-configs', [
      '--bootstrap-server',
      broker.bootstrap,
      '--alter',
      '--entity-type',
      'groups',
      '--entity-name',
      group,
      '--add-config',
      'consumer.session.timeout.ms=50000',
    ]);
    expect(altered.stdout.trim()).toBe(`Completed updating config for group ${group}.`);
    const ours = await samsa([
      'configs',
      '--alter',
      '--entity-type',
      'groups',
      '--entity-name',
      group,
      '--add-config',
      'consumer.heartbeat.interval.ms=7000',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    expect(ours.stdout).toBe(`Completed updating config for group ${group}.\n`);

    const args = [
      '--describe',
      '--entity-type',
      'groups',
      '--entity-name',
      group,
      '--bootstrap-server',
      broker.bootstrap,
    ];
    const theirs = await kafkaTool('kafka-configs', args);
    const lines = [
      `Dynamic configs for group ${group} are:`,
      '  consumer.heartbeat.interval.ms=7000 sensitive=false synonyms={DYNAMIC_GROUP_CONFIG:consumer.heartbeat.interval.ms=7000, DEFAULT_CONFIG:group.consumer.heartbeat.interval.ms=5000}',
      '  consumer.session.timeout.ms=50000 sensitive=false synonyms={DYNAMIC_GROUP_CONFIG:consumer.session.timeout.ms=50000, DEFAULT_CONFIG:group.consumer.session.timeout.ms=45000}',
    ];
    expect(theirs.stdout.trimEnd().split('\n').sort()).toEqual([...lines].sort());
    const mine = await samsa(['configs', ...args]);
    expect(mine.stdout.trimEnd().split('\n')).toEqual(lines);

    await broker.stop();
    wire.close();
    broker = await startBroker({ dataDir });
    wire = await WireClient.connect(broker.port);
    const d = await describeGroup(group);
    const set = d.configs.filter((c: any) => c.configSource === 8).map((c: any) => [c.name, c.value]);
    expect(set.sort()).toEqual([
      ['consumer.heartbeat.interval.ms', '7000'],
      ['consumer.session.timeout.ms', '50000'],
    ]);
  }, 120_000);
});
