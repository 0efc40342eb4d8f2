// Runs the differential corpus against one target (real Kafka or Samsa, one broker or three)
// and collects each case's normalised outcome per version. The same corpus, with the same topic
// and group names, runs on every target; test/peers/differential.test.ts compares the results.
import { buildRecordBatch, type RecordInput } from '../../../core/protocol/record-batch.ts';
import { encodeConsumerProtocolAssignment } from '../../../core/protocol/messages/consumer-protocol-assignment.ts';
import { encodeConsumerProtocolSubscription } from '../../../core/protocol/messages/consumer-protocol-subscription.ts';
import { Writer } from '../../../core/protocol/writer.ts';
import { normalise, type NormaliseEnv } from './compare.ts';
import { WireClient } from './wire.ts';

export type Side = 'kafka' | 'samsa';
export type Mode = 'single' | 'cluster';

export interface Endpoint {
  side: Side;
  mode: Mode;
  /** Node id → port of every broker. */
  nodes: Map<number, number>;
}

/** The records' timestamps: one clock reading shared by every target of a run (near now, so retention keeps them). */
export const T0 = Math.floor(Date.now() / 1000) * 1000;

/** A request that failed on the wire (timeout, closed connection, undecodable response). */
export interface WireError {
  $error: string;
}

export function isWireError(x: unknown): x is WireError {
  return typeof x === 'object' && x !== null && '$error' in x;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An error that ends a poll at once. */
export class NoCoordinator extends Error {}

/** Polls `fn` until it returns a value other than undefined, or throws `what` at the deadline. */
export async function poll<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof NoCoordinator) throw e;
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached in ${ms} ms${last ? ` (${(last as Error).message})` : ''}`);
    await sleep(100);
  }
}

/** A consumer-protocol subscription (JoinGroup protocol metadata). */
export function subscription(topics: string[], version = 1): Buffer {
  const w = new Writer();
  w.int16(version);
  encodeConsumerProtocolSubscription(w, version, { topics, userData: null });
  return w.toBuffer();
}

/** A consumer-protocol assignment (SyncGroup assignment). */
export function assignment(parts: { topic: string; partitions: number[] }[], version = 1): Buffer {
  const w = new Writer();
  w.int16(version);
  encodeConsumerProtocolAssignment(w, version, { assignedPartitions: parts, userData: null });
  return w.toBuffer();
}

export interface JoinResult {
  memberId: string;
  generationId: number;
  leader: string;
  protocolName: string | null;
  response: any;
}

/** The requests a case can make on one target, and what normalising needs to know of it. */
export class Ctx {
  readonly topicIds = new Map<string, string>();
  readonly nameToId = new Map<string, string>();
  /** Values a case keeps for later cases (producer ids, member ids, …). */
  readonly state = new Map<string, unknown>();
  private readonly conns = new Map<number, WireClient>();

  readonly ep: Endpoint;

  constructor(ep: Endpoint) {
    this.ep = ep;
  }

  get side(): Side {
    return this.ep.side;
  }
  get mode(): Mode {
    return this.ep.mode;
  }
  get brokers(): number {
    return this.ep.nodes.size;
  }
  get firstNode(): number {
    return Math.min(...this.ep.nodes.keys());
  }

  env(): NormaliseEnv {
    return {
      ports: new Map([...this.ep.nodes].map(([id, port]) => [port, id])),
      topicIds: this.topicIds,
      cluster: this.mode === 'cluster',
    };
  }

  async conn(node = this.firstNode): Promise<WireClient> {
    const c = this.conns.get(node);
    if (c && !c.closed) return c;
    const port = this.ep.nodes.get(node);
    if (port === undefined) throw new Error(`no broker ${node}`);
    const fresh = await WireClient.connect(port);
    this.conns.set(node, fresh);
    return fresh;
  }

  /** Sends a request; a failure on the wire comes back as `{ $error }`. */
  async call(api: string, version: number, body: unknown, node = this.firstNode): Promise<any> {
    let c: WireClient | undefined;
    try {
      c = await this.conn(node);
      return await c.send(api, version, body);
    } catch (e) {
      // A broker handles one request of a connection at a time: after a lost answer, start afresh.
      c?.close();
      this.conns.delete(node);
      return { $error: (e as Error).message } satisfies WireError;
    }
  }

  /** Sends a request on a connection of its own (for requests that may close it, or that block it). */
  async callAlone(
    api: string,
    version: number,
    body: unknown,
    node = this.firstNode,
    timeoutMs?: number,
  ): Promise<any> {
    let c: WireClient | undefined;
    try {
      c = await WireClient.connect(this.ep.nodes.get(node)!);
      return await c.send(api, version, body, timeoutMs);
    } catch (e) {
      return { $error: (e as Error).message } satisfies WireError;
    } finally {
      c?.close();
    }
  }

  /** As `call`, but throws on a wire error or a non-zero top-level or first-level error code (setup steps). */
  async must(api: string, version: number, body: unknown, node?: number): Promise<any> {
    const r = await this.call(api, version, body, node);
    if (isWireError(r)) throw new Error(`${this.side}: ${api} v${version}: ${r.$error}`);
    return r;
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }

  // ---- topics -------------------------------------------------------------------------------

  async metadata(topics: string[] | null, node?: number): Promise<any> {
    return this.must(
      'Metadata',
      12,
      { topics: topics?.map((name) => ({ name })) ?? null, allowAutoTopicCreation: false },
      node,
    );
  }

  /** Waits until every broker lists the topic with a leader for each of its partitions; records its id. */
  async waitTopic(name: string, partitions: number): Promise<void> {
    for (const node of this.ep.nodes.keys()) {
      await poll(`${this.side}: topic ${name} ready on broker ${node}`, async () => {
        const md = await this.metadata([name], node);
        const t = md.topics?.[0];
        if (!t || t.errorCode !== 0 || t.partitions.length !== partitions) return undefined;
        if (!t.partitions.every((p: any) => p.errorCode === 0 && p.leaderId >= 0)) return undefined;
        this.topicIds.set(t.topicId, name);
        this.nameToId.set(name, t.topicId);
        return true;
      });
    }
  }

  /** Creates a topic (CreateTopics v7) and waits until it is ready everywhere. */
  async createTopic(
    name: string,
    opts: { partitions?: number; replicationFactor?: number; configs?: Record<string, string> } = {},
  ): Promise<void> {
    const partitions = opts.partitions ?? 1;
    const res = await this.must('CreateTopics', 7, {
      topics: [
        {
          name,
          numPartitions: partitions,
          replicationFactor: opts.replicationFactor ?? 1,
          assignments: [],
          configs: Object.entries(opts.configs ?? {}).map(([k, v]) => ({ name: k, value: v })),
        },
      ],
      timeoutMs: 30_000,
    });
    const t = res.topics[0];
    if (t.errorCode !== 0) throw new Error(`${this.side}: creating ${name}: error ${t.errorCode} ${t.errorMessage}`);
    await this.waitTopic(name, partitions);
  }

  topicId(name: string): string {
    const id = this.nameToId.get(name);
    if (!id) throw new Error(`${this.side}: no topic id known for ${name}`);
    return id;
  }

  async leaderOf(topic: string, partition: number): Promise<number> {
    const md = await this.metadata([topic]);
    const p = md.topics[0]?.partitions.find((x: any) => x.partitionIndex === partition);
    return p && p.leaderId >= 0 ? p.leaderId : this.firstNode;
  }

  /** Appends one batch (timestamps T0 + i) to a partition with acks=-1; returns the produce response. */
  async produce(
    topic: string,
    partition: number,
    records: RecordInput[],
    opts: { producerId?: number; producerEpoch?: number; baseSequence?: number; compression?: number } = {},
  ): Promise<any> {
    const batch = buildRecordBatch(records, { baseTimestamp: T0, ...opts });
    const node = await this.leaderOf(topic, partition);
    const res = await this.must(
      'Produce',
      9,
      {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30_000,
        topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
      },
      node,
    );
    const code = res.responses[0].partitionResponses[0].errorCode;
    if (code !== 0) throw new Error(`${this.side}: produce to ${topic}-${partition}: error ${code}`);
    return res;
  }

  // ---- coordinators and groups --------------------------------------------------------------

  /** Polls FindCoordinator until the coordinator of `key` is available; returns its node id. */
  async coordinator(key: string, keyType = 0): Promise<number> {
    // A broker without a coordinator of this type answers COORDINATOR_NOT_AVAILABLE for ever: wait once only.
    const missing = this.state.get(`no-coordinator-${keyType}`) as string | undefined;
    if (missing) throw new NoCoordinator(missing);
    try {
      return await poll(
        `${this.side}: coordinator for ${key} (key type ${keyType})`,
        async () => {
          const r = await this.must('FindCoordinator', 3, { key, keyType });
          if (r.errorCode === 0) return r.nodeId as number;
          // COORDINATOR_NOT_AVAILABLE / COORDINATOR_LOAD_IN_PROGRESS: still starting; any other error is the answer.
          if (r.errorCode !== 15 && r.errorCode !== 14)
            throw new NoCoordinator(
              `${this.side}: no coordinator for ${key} (key type ${keyType}): error ${r.errorCode} ${r.errorMessage ?? ''}`,
            );
          return undefined;
        },
        20_000,
      );
    } catch (e) {
      this.state.set(`no-coordinator-${keyType}`, (e as Error).message);
      throw e;
    }
  }

  /** Joins a classic group as a consumer (JoinGroup v9, answering MEMBER_ID_REQUIRED), on a connection of its own. */
  async joinClassic(
    groupId: string,
    opts: { topics?: string[]; instanceId?: string | null; sessionTimeoutMs?: number; memberId?: string } = {},
  ): Promise<JoinResult> {
    const node = await this.coordinator(groupId);
    const body = (memberId: string) => ({
      groupId,
      sessionTimeoutMs: opts.sessionTimeoutMs ?? 300_000,
      rebalanceTimeoutMs: 60_000,
      memberId,
      groupInstanceId: opts.instanceId ?? null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription(opts.topics ?? ['d-data']) }],
      reason: null,
    });
    let r = await this.callAlone('JoinGroup', 9, body(opts.memberId ?? ''), node);
    if (!isWireError(r) && r.errorCode === 79) r = await this.callAlone('JoinGroup', 9, body(r.memberId), node);
    if (isWireError(r)) throw new Error(`${this.side}: joining ${groupId}: ${r.$error}`);
    if (r.errorCode !== 0) throw new Error(`${this.side}: joining ${groupId}: error ${r.errorCode}`);
    return {
      memberId: r.memberId,
      generationId: r.generationId,
      leader: r.leader,
      protocolName: r.protocolName,
      response: r,
    };
  }

  /** Joins and syncs (as the leader, assigning every partition of `topic` to itself). */
  async stableMember(groupId: string, topic: string, partitions: number): Promise<JoinResult> {
    const j = await this.joinClassic(groupId, { topics: [topic] });
    const node = await this.coordinator(groupId);
    const s = await this.must(
      'SyncGroup',
      5,
      {
        groupId,
        generationId: j.generationId,
        memberId: j.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: j.protocolName,
        assignments: [
          {
            memberId: j.memberId,
            assignment: assignment([{ topic, partitions: Array.from({ length: partitions }, (_, i) => i) }]),
          },
        ],
      },
      node,
    );
    if (s.errorCode !== 0) throw new Error(`${this.side}: syncing ${groupId}: error ${s.errorCode}`);
    return j;
  }

  /** Commits offsets as a standalone (generation -1) group. */
  async commitStandalone(groupId: string, topic: string, offsets: Record<number, number>): Promise<void> {
    const node = await this.coordinator(groupId);
    const r = await this.must(
      'OffsetCommit',
      8,
      {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          {
            name: topic,
            partitions: Object.entries(offsets).map(([p, o]) => ({
              partitionIndex: Number(p),
              committedOffset: o,
              committedLeaderEpoch: 0,
              committedMetadata: 'meta',
            })),
          },
        ],
      },
      node,
    );
    const bad = r.topics.flatMap((t: any) => t.partitions).find((p: any) => p.errorCode !== 0);
    if (bad) throw new Error(`${this.side}: committing for ${groupId}: error ${bad.errorCode}`);
  }
}

// ---- cases and results --------------------------------------------------------------------

export interface Case {
  /** The API this case exercises (its name in core/protocol/messages/index.ts). */
  api: string;
  /** What a user does, e.g. 'create a topic that already exists'. */
  name: string;
  /** The versions of the API this case applies to (default: every version both brokers support). */
  versions?: (v: number) => boolean;
  /** Where it runs (default: one broker). */
  modes?: Mode[];
  /** Once per target, before the first version. */
  setup?(ctx: Ctx): Promise<void>;
  /** Runs the case at one version; returns what is compared (usually one response). */
  run(ctx: Ctx, v: number): Promise<unknown>;
  /** The control, checked on Kafka's (normalised) result: a reason when Kafka did not answer as the case expects. */
  expect?(res: any, v: number): string | undefined;
  /** A case-specific normalisation after the generic one. */
  normalise?(res: any, v: number, ctx: Ctx): any;
  /** Runs every version at once (each on its own connections), for cases that wait (group joins). */
  parallel?: boolean;
}

/** The result id of the shared state's preparation: the list of steps that failed. */
export const PREPARE = '(prepare)';

export const caseId = (c: Pick<Case, 'api' | 'name'>): string => `${c.api}: ${c.name}`;

/** Normalised outcome per case id, per version. */
export type Results = Map<string, Map<number, unknown>>;

/** Runs every case of `cases` (in order) at the versions `versionsOf` gives. */
export async function runCorpus(
  ep: Endpoint,
  cases: Case[],
  versionsOf: (api: string) => number[],
  prepare: (ctx: Ctx) => Promise<string[]>,
  log: (line: string) => void = () => {},
): Promise<Results> {
  const ctx = new Ctx(ep);
  const results: Results = new Map();
  try {
    // What could not be prepared, as a result of its own (compared like a case).
    const failures = await prepare(ctx);
    results.set(PREPARE, new Map([[0, failures]]));
    for (const f of failures) log(`${ep.side}/${ep.mode} prepare: ${f}`);
    for (const c of cases) {
      if (!(c.modes ?? ['single']).includes(ep.mode)) continue;
      const versions = versionsOf(c.api).filter((v) => c.versions?.(v) ?? true);
      const byVersion = new Map<number, unknown>();
      results.set(caseId(c), byVersion);
      const started = Date.now();
      try {
        await c.setup?.(ctx);
      } catch (e) {
        for (const v of versions) byVersion.set(v, { $error: `setup failed: ${(e as Error).message}` });
        log(`${ep.side}/${ep.mode} ${caseId(c)}: setup failed: ${(e as Error).message}`);
        continue;
      }
      const one = async (v: number): Promise<void> => {
        let res: unknown;
        try {
          res = await c.run(ctx, v);
        } catch (e) {
          res = { $error: `case failed: ${(e as Error).message}` };
        }
        let n = normalise(res, ctx.env());
        if (c.normalise && !isWireError(n)) {
          try {
            n = c.normalise(n, v, ctx);
          } catch (e) {
            n = { $error: `normalise failed: ${(e as Error).message}` };
          }
        }
        byVersion.set(v, n);
      };
      if (c.parallel) await Promise.all(versions.map(one));
      else for (const v of versions) await one(v);
      log(`${ep.side}/${ep.mode} ${caseId(c)}: v${versions.join(',')} in ${Date.now() - started} ms`);
    }
  } finally {
    ctx.close();
  }
  return results;
}
