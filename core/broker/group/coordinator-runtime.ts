// The group coordinator's partitions of `__consumer_offsets` and its path to
// them (Kafka's CoordinatorRuntime with its loader): which partitions this
// broker leads, their loading, and the write path.
//
// As in Kafka, a group belongs to partition abs(hash(groupId)) %
// offsets.topic.num.partitions, and its coordinator is that partition's
// leader. The broker tells the coordinator when it gains or loses the
// leadership of a partition. Gaining it replays the partition from its start,
// each record handed to the shard (the coordinator's groups and offsets); its
// groups answer COORDINATOR_LOAD_IN_PROGRESS meanwhile — committed offsets
// come back, and classic groups come back Empty with their generation and
// protocol type, so members must rejoin. Losing it unloads the partition's
// groups (waiting joins and syncs are answered NOT_COORDINATOR); groups of
// partitions led elsewhere get NOT_COORDINATOR.
// A write appends one group's records to its partition, only while this
// broker leads it and has loaded it, and with replication is acknowledged
// once the in-sync replicas have them (acks=all, within Kafka's
// offsets.commit.timeout.ms default).

import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { TopicRegistry } from '../topic-manager.ts';
import type { BrokerConfig } from '../configs.ts';
import type { PartitionState } from '../topic-manager.ts';
import { GroupLog, OFFSETS_TOPIC, partitionForGroup, type CoordinatorRecord } from './group-log.ts';
import type { KeyValue } from './coordinator-record.ts';

/** What the coordinator needs from replication to make its writes durable (Replication's acks=all path). */
export interface CoordinatorReplication {
  /** Before appending with acks=all: NONE, or NOT_ENOUGH_REPLICAS when the ISR is below min.insync.replicas. */
  checkAcksAll?(p: PartitionState, minInsyncReplicas: number): number;
  /** The leader appended up to `endOffset` (exclusive). */
  onLeaderAppend?(p: PartitionState, endOffset: number): void;
  /** Resolves with ErrorCode.NONE once the high watermark reached `endOffset`, else an error code. */
  awaitHighWatermark?(p: PartitionState, endOffset: number, timeoutMs: number): Promise<number>;
}

export interface CoordinatorHost {
  topics: TopicRegistry;
  config: BrokerConfig;
  partitionChanged(topicId: string, partition: number): void;
  log(msg: string): void;
  /** This broker's id (defaults to the config's node.id). */
  readonly brokerId?: number;
  /** Replication, when the broker has it: writes wait for the in-sync replicas. */
  readonly replication?: CoordinatorReplication | undefined;
  /** Store groups in `__consumer_offsets` (default: when the topics are a real TopicManager). */
  readonly persistOffsets?: boolean;
}

/** What the runtime asks of the coordinator's state, per `__consumer_offsets` partition (Kafka's shard). */
export interface CoordinatorShard {
  /** Applies one record read back from the log. */
  replay(rec: CoordinatorRecord): void;
  /** The replay of a partition is over: its groups begin coordinating. */
  loaded(partition: number): void;
  /** How many classic and consumer groups a partition has (for the load's log line). */
  groupCounts(partition: number): { classic: number; consumer: number };
  /** Forgets every group of a partition; returns how many were dropped. */
  unload(partition: number): number;
}

/** Where FindCoordinator should send a group's clients. */
export type CoordinatorLocation = { errorCode: number; leader: number };

/** Kafka's offsets.commit.timeout.ms default: how long a write waits for the in-sync replicas. */
const COMMIT_TIMEOUT_MS = 5000;

/** A `__consumer_offsets` partition this broker leads. */
interface LedPartition {
  leaderEpoch: number;
  loading: boolean;
  /** The replay began (it waits for the partition's state when the broker's topics are not open yet). */
  started: boolean;
  /** Settles when the load is over. */
  loaded: Promise<void>;
  finish(): void;
}

const STALE_LOAD = Symbol('stale load');

export class CoordinatorRuntime {
  private readonly host: CoordinatorHost;
  private readonly log: GroupLog;
  private readonly shard: CoordinatorShard;
  /** `__consumer_offsets` partitions this broker leads → their load state. */
  private readonly led = new Map<number, LedPartition>();
  private halted = false;

  constructor(host: CoordinatorHost, log: GroupLog, shard: CoordinatorShard) {
    this.host = host;
    this.log = log;
    this.shard = shard;
  }

  private get brokerId(): number {
    return this.host.brokerId ?? this.host.config.nodeId;
  }

  /** True between stop() and the next start(): every group answers COORDINATOR_NOT_AVAILABLE. */
  get stopped(): boolean {
    return this.halted;
  }

  /** True while some led partition is being loaded. */
  get isLoading(): boolean {
    for (const l of this.led.values()) if (l.loading) return true;
    return false;
  }

  /** Settles once every partition led so far is loaded. */
  get ready(): Promise<void> {
    this.resumeLoads();
    const wait = async (): Promise<void> => {
      for (;;) {
        const pending = [...this.led.values()].filter((l) => l.loading).map((l) => l.loaded);
        if (pending.length === 0) return;
        await Promise.all(pending);
      }
    };
    return wait();
  }

  /** The `__consumer_offsets` partitions this broker leads and has loaded. */
  ledPartitions(): number[] {
    return [...this.led]
      .filter(([, l]) => !l.loading)
      .map(([p]) => p)
      .sort((a, b) => a - b);
  }

  /** The group's `__consumer_offsets` partition. */
  partitionOf(groupId: string): number {
    return this.log.partitionFor(groupId);
  }

  /**
   * NONE when this broker coordinates the group now, NOT_COORDINATOR when
   * another broker leads its partition, COORDINATOR_LOAD_IN_PROGRESS while
   * the partition loads. A broker on in-memory topics, or before
   * `__consumer_offsets` exists, answers for every group (nothing is stored
   * yet; writes create the topic first).
   */
  coordinatorError(groupId: string): number {
    if (this.halted) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (!this.log.persistent || !this.log.topicState) return ErrorCode.NONE;
    this.resumeLoads();
    const l = this.led.get(this.partitionOf(groupId));
    if (!l) return ErrorCode.NOT_COORDINATOR;
    return l.loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
  }

  /** As coordinatorError, after creating `__consumer_offsets` if it doesn't exist yet (the first write of a group). */
  async prepareWrite(groupId: string): Promise<number> {
    if (this.halted) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.log.persistent && !this.log.topicState) {
      try {
        await this.log.ensureTopic();
      } catch (e) {
        this.host.log(`creating ${OFFSETS_TOPIC} failed: ${String(e)}`);
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      }
      this.followPartitionStates();
      if (!this.log.topicState) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return this.coordinatorError(groupId);
  }

  /** See GroupCoordinator.onPartitionLeadership. */
  onPartitionLeadership(partition: number, isLeader: boolean, leaderEpoch: number, state?: PartitionState): void {
    if (this.halted) return;
    const cur = this.led.get(partition);
    if (isLeader) {
      if (cur) {
        if (leaderEpoch > cur.leaderEpoch) cur.leaderEpoch = leaderEpoch;
        return;
      }
      this.load(partition, leaderEpoch, state);
      return;
    }
    if (!cur || (leaderEpoch >= 0 && leaderEpoch < cur.leaderEpoch)) return;
    this.led.delete(partition);
    cur.finish();
    const n = this.shard.unload(partition);
    this.host.log(
      `group coordinator: resigned ${OFFSETS_TOPIC}-${partition} (epoch ${leaderEpoch}), unloaded ${n} group(s)`,
    );
  }

  /**
   * Takes the leadership of the `__consumer_offsets` partitions that the
   * topic's partition states give this broker (all of them when the states
   * carry no leader: a broker that is not part of a cluster).
   */
  followPartitionStates(): void {
    const t = this.log.topicState;
    if (!t) return;
    for (const p of t.partitions) {
      if (!p) continue; // not hosted here
      const leader = (p as { leader?: number }).leader;
      if (leader === undefined || leader === this.brokerId)
        this.onPartitionLeadership(p.partition, true, p.leaderEpoch, p);
    }
    this.resumeLoads();
  }

  private load(partition: number, leaderEpoch: number, state?: PartitionState): void {
    let finish = () => {};
    const loaded = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const entry: LedPartition = { leaderEpoch, loading: true, started: false, loaded, finish };
    this.led.set(partition, entry);
    this.startLoad(partition, entry, state);
  }

  /** Loads that waited for the broker's partition state (leadership told before the topics were open) begin now. */
  private resumeLoads(): void {
    if (this.led.size === 0) return;
    for (const [partition, entry] of this.led) if (!entry.started) this.startLoad(partition, entry);
  }

  private startLoad(partition: number, entry: LedPartition, state?: PartitionState): void {
    const p = state ?? this.log.topicState?.partitions[partition];
    if (!p) return;
    entry.started = true;
    const done = () => {
      entry.loading = false;
      entry.finish();
    };
    // Nothing to read (a new partition): coordinating at once.
    if (p.log.logEndOffset <= p.log.logStartOffset) {
      done();
      return;
    }
    const started = Date.now();
    void (async () => {
      let n = 0;
      try {
        n = await this.log.replayPartition(
          p,
          (rec) => {
            if (this.led.get(partition) !== entry) throw STALE_LOAD;
            this.shard.replay(rec);
          },
          (msg) => this.host.log(`group coordinator: ${msg}`),
        );
      } catch (e) {
        if (e !== STALE_LOAD)
          this.host.log(
            `group coordinator: loading ${OFFSETS_TOPIC}-${partition} failed: ${(e as Error)?.stack ?? String(e)}`,
          );
      }
      if (this.led.get(partition) !== entry) {
        // Resigned (or stopped) while loading: drop what was read.
        this.shard.unload(partition);
        done();
        return;
      }
      this.shard.loaded(partition);
      done();
      if (n > 0) {
        const { classic, consumer } = this.shard.groupCounts(partition);
        this.host.log(
          `group coordinator loaded ${OFFSETS_TOPIC}-${partition} in ${Date.now() - started} ms: ${n} record(s), ${classic} classic and ${consumer} consumer group(s)`,
        );
      }
    })();
  }

  /**
   * Writes records of one group to its partition: only while this broker
   * leads it, and with replication only acknowledged once the in-sync
   * replicas have them. Throws KafkaError (see writeErrorCode).
   */
  async write(groupId: string, records: KeyValue[]): Promise<void> {
    if (records.length === 0 || !this.log.persistent) return;
    let t = this.log.topicState;
    if (!t) {
      t = await this.log.ensureTopic();
      this.followPartitionStates();
    }
    if (!t) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC} is not available`);
    const partition = partitionForGroup(groupId, t.partitions.length);
    const p = t.partitions[partition];
    const entry = this.led.get(partition);
    if (!p || !entry || entry.loading || this.halted)
      throw new KafkaError(ErrorCode.NOT_COORDINATOR, `this broker does not lead ${OFFSETS_TOPIC}-${partition}`);
    const replication = this.host.replication;
    if (replication?.checkAcksAll) {
      const minIsr = (t as { minInsyncReplicas?: number }).minInsyncReplicas ?? 1;
      const code = replication.checkAcksAll(p, minIsr);
      if (code !== ErrorCode.NONE)
        throw new KafkaError(code, `${OFFSETS_TOPIC}-${partition}: fewer in-sync replicas than min.insync.replicas`);
    }
    const end = await this.log.appendTo(p, records, (endOffset) => replication?.onLeaderAppend?.(p, endOffset));
    if (replication?.awaitHighWatermark) {
      const code = await replication.awaitHighWatermark(p, end, COMMIT_TIMEOUT_MS);
      if (code !== ErrorCode.NONE)
        throw new KafkaError(
          code,
          `${OFFSETS_TOPIC}-${partition}: the in-sync replicas did not confirm the write (error ${code})`,
        );
    }
    if (this.led.get(partition) !== entry)
      throw new KafkaError(ErrorCode.NOT_COORDINATOR, `lost the leadership of ${OFFSETS_TOPIC}-${partition}`);
  }

  /** See GroupCoordinator.findGroupCoordinator. */
  async findCoordinator(groupId: string, leaderOf?: (partition: number) => number): Promise<CoordinatorLocation> {
    const unavailable = { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, leader: -1 };
    let t = this.log.topicState;
    if (!t) {
      try {
        t = await this.log.ensureTopic();
      } catch (e) {
        this.host.log(`creating ${OFFSETS_TOPIC} failed: ${String(e)}`);
        return unavailable;
      }
      this.followPartitionStates();
      // In-memory topics: this broker answers for every group.
      if (!t) return this.log.persistent ? unavailable : { errorCode: ErrorCode.NONE, leader: this.brokerId };
    }
    const partition = partitionForGroup(groupId, t.partitions.length);
    let leader: number;
    if (leaderOf) {
      leader = leaderOf(partition);
    } else {
      const p = t.partitions[partition];
      leader = p ? ((p as { leader?: number }).leader ?? this.brokerId) : -1;
    }
    return leader < 0 ? unavailable : { errorCode: ErrorCode.NONE, leader };
  }

  /** Coordinating (again) after a stop. */
  start(): void {
    this.halted = false;
  }

  /** Broker stop: every led partition is let go (their loads settle) and every group is unavailable. */
  stop(): void {
    this.halted = true;
    for (const l of this.led.values()) l.finish();
    this.led.clear();
  }
}
