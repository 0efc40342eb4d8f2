// Cluster metadata in SQLite (`<data-dir>/metadata.db`, WAL mode), owned by the
// controller: the cluster id, registered brokers, topics with their UUID topic
// ids and config overrides, partitions (replicas, ISR, leader and epochs),
// dynamic broker configs, and a numbered change log of `MetadataChange`
// records that brokers follow.
//
// Every mutation goes through `commit(changes)`: one transaction that applies
// the (full-state) change records to the tables and appends them to the log,
// so the log and the tables never disagree. The tables and their mapping to
// the records are metadata-tables.ts's.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { BrokerInfo, MetadataChange, MetadataSnapshot, PartitionInfo, TopicInfo } from '../metadata/types.ts';
import {
  applyToTables,
  readAllBrokerConfigs,
  readBrokerConfigs,
  readBrokers,
  readPartitions,
  readTopicInfos,
  readTopics,
  SCHEMA,
  type TopicRecord,
} from './metadata-tables.ts';

export type { TopicRecord };

/** Kafka's Uuid text form: 16 random bytes, URL-safe base64 without padding. */
export function newUuid(): string {
  for (;;) {
    const b = randomBytes(16);
    // Kafka reserves the all-zero id and ids that start with '-' in text form.
    const s = b.toString('base64url');
    if (!s.startsWith('-') && !b.equals(Buffer.alloc(16))) return s;
  }
}

/** How many change records the log keeps; a broker further behind gets a snapshot. */
const RETAINED_CHANGES = 20_000;

export interface MetadataStoreOptions {
  /** Replica of the partitions of a topic written before partitions had rows, when no broker is registered. Default 1. */
  defaultBrokerId?: number;
}

export class MetadataStore {
  private readonly db: Database.Database;
  readonly clusterId: string;
  private readonly defaultBrokerId: number;
  private readonly insChange: Database.Statement;
  private last: number;
  /** Changes at or below this seq are no longer (or never were) in the log in `MetadataChange` form. */
  private floorSeq: number;
  private commitsSinceTrim = 0;

  private constructor(db: Database.Database, opts: MetadataStoreOptions) {
    this.db = db;
    this.defaultBrokerId = opts.defaultBrokerId ?? 1;
    const row = db.prepare(`SELECT value FROM cluster WHERE key = 'cluster.id'`).get() as { value: string } | undefined;
    if (row) {
      this.clusterId = row.value;
    } else {
      this.clusterId = newUuid();
      db.prepare(`INSERT INTO cluster (key, value) VALUES ('cluster.id', ?)`).run(this.clusterId);
    }
    this.insChange = db.prepare(`INSERT INTO changes (ts_ms, kind, body) VALUES (?, ?, ?)`);
    this.last = this.readLastChange();
    this.floorSeq = Number(this.getKey('changes.floor') ?? -1);
    this.migrate();
  }

  /** Opens (creating if needed) `<dataDir>/metadata.db`. */
  static open(dataDir: string, opts: MetadataStoreOptions = {}): MetadataStore {
    const db = new Database(join(dataDir, 'metadata.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    return new MetadataStore(db, opts);
  }

  close(): void {
    this.db.close();
  }

  /**
   * A store written before brokers and partitions had tables: its change log
   * holds other records (the log starts after them), and every topic gets
   * partition rows on one broker (the lowest registered id, else the default).
   */
  private migrate(): void {
    this.db.transaction(() => {
      if (this.floorSeq < 0) {
        this.floorSeq = this.last;
        this.setKey('changes.floor', String(this.floorSeq));
      }
      const missing = this.db
        .prepare(
          `
        SELECT t.name, t.topic_id, t.partitions FROM topics t
        WHERE (SELECT COUNT(*) FROM partitions p WHERE p.topic_id = t.topic_id) < t.partitions`,
        )
        .all() as {
        name: string;
        topic_id: string;
        partitions: number;
      }[];
      if (missing.length === 0) return;
      const low = this.db.prepare(`SELECT MIN(id) AS id FROM brokers`).get() as { id: number | null };
      const broker = low.id ?? this.defaultBrokerId;
      const ins = this.db
        .prepare(`INSERT OR IGNORE INTO partitions (topic_id, partition, replicas, isr, leader, leader_epoch, partition_epoch)
        VALUES (?, ?, ?, ?, ?, 0, 0)`);
      const one = JSON.stringify([broker]);
      for (const t of missing) {
        for (let p = 0; p < t.partitions; p++) ins.run(t.topic_id, p, one, one, broker);
      }
    })();
  }

  private getKey(key: string): string | undefined {
    return (this.db.prepare(`SELECT value FROM cluster WHERE key = ?`).get(key) as { value: string } | undefined)
      ?.value;
  }

  private setKey(key: string, value: string): void {
    this.db.prepare(`INSERT OR REPLACE INTO cluster (key, value) VALUES (?, ?)`).run(key, value);
  }

  // ---- the change log ----

  /**
   * Applies the change records to the tables and appends them to the log, in
   * one transaction. Returns the seq of the last record (the current seq when
   * `changes` is empty).
   */
  commit(changes: readonly MetadataChange[]): number {
    if (changes.length === 0) return this.last;
    const now = Date.now();
    this.db.transaction(() => {
      for (const c of changes) {
        applyToTables(this.db, c);
        const r = this.insChange.run(now, c.type, JSON.stringify(c));
        this.last = Number(r.lastInsertRowid);
      }
    })();
    if (++this.commitsSinceTrim >= 1000) this.trim();
    return this.last;
  }

  /** Drops log records older than the retained window. */
  private trim(): void {
    this.commitsSinceTrim = 0;
    const upTo = this.last - RETAINED_CHANGES;
    if (upTo <= this.floorSeq) return;
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM changes WHERE seq <= ?`).run(upTo);
      this.floorSeq = upTo;
      this.setKey('changes.floor', String(upTo));
    })();
  }

  /** The last change-log sequence number (0 when empty). */
  lastChange(): number {
    return this.last;
  }

  private readLastChange(): number {
    // AUTOINCREMENT never reuses a seq, even after the log was trimmed.
    const seqRow = this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'changes'`).get() as
      { seq: number } | undefined;
    const row = this.db.prepare(`SELECT MAX(seq) AS seq FROM changes`).get() as { seq: number | null };
    return Math.max(seqRow?.seq ?? 0, row.seq ?? 0);
  }

  /** The oldest seq a broker can continue from with `changesAfter`; older positions need a snapshot. */
  firstResumableSeq(): number {
    return this.floorSeq;
  }

  /** Up to `limit` change records after `seq`, with the seq of the last one returned. */
  changesAfter(seq: number, limit = 5000): { seq: number; changes: MetadataChange[] } {
    const rows = this.db
      .prepare(`SELECT seq, body FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`)
      .all(seq, limit) as { seq: number; body: string }[];
    if (rows.length === 0) return { seq, changes: [] };
    return { seq: rows[rows.length - 1]!.seq, changes: rows.map((r) => JSON.parse(r.body) as MetadataChange) };
  }

  // ---- reading the whole state ----

  listBrokers(): BrokerInfo[] {
    return readBrokers(this.db);
  }

  listTopicInfos(): TopicInfo[] {
    return readTopicInfos(this.db);
  }

  listPartitions(): PartitionInfo[] {
    return readPartitions(this.db);
  }

  allBrokerConfigs(): Record<string, Record<string, string>> {
    return readAllBrokerConfigs(this.db);
  }

  /** The full state with the seq it corresponds to. */
  snapshot(): { seq: number; snapshot: MetadataSnapshot } {
    return this.db.transaction(() => ({
      seq: this.last,
      snapshot: {
        clusterId: this.clusterId,
        brokers: this.listBrokers(),
        topics: this.listTopicInfos(),
        partitions: this.listPartitions(),
        brokerConfigs: this.allBrokerConfigs(),
      },
    }))();
  }

  listTopics(): TopicRecord[] {
    return readTopics(this.db);
  }

  brokerConfigs(broker: string): Record<string, string> {
    return readBrokerConfigs(this.db, broker);
  }

  /**
   * Reserves the next `count` producer ids and returns the first (Kafka's
   * controller hands out blocks of 1000 the same way, ProducerIdsRecord): the
   * counter is persisted, so no id is ever handed out twice, even after a crash.
   */
  allocateProducerIds(count: number): number {
    return this.db.transaction(() => {
      const first = Number(this.getKey('next.producer.id') ?? 0);
      this.setKey('next.producer.id', String(first + count));
      return first;
    })();
  }

  /** The next broker epoch (Kafka's broker epoch: new at every registration, never reused). */
  nextBrokerEpoch(): number {
    return this.db.transaction(() => {
      const next = Number(this.getKey('next.broker.epoch') ?? 1);
      this.setKey('next.broker.epoch', String(next + 1));
      return next;
    })();
  }

  // ---- single-broker helpers (direct mutations, each one commit) ----

  private partitionsOf(topic: TopicInfo, from: number, to: number): MetadataChange[] {
    const out: MetadataChange[] = [];
    const low = this.db.prepare(`SELECT MIN(id) AS id FROM brokers`).get() as { id: number | null };
    const b = low.id ?? this.defaultBrokerId;
    for (let p = from; p < to; p++) {
      out.push({
        type: 'partition',
        partition: {
          topicId: topic.topicId,
          topic: topic.name,
          partition: p,
          replicas: [b],
          isr: [b],
          leader: b,
          leaderEpoch: 0,
          partitionEpoch: 0,
          addingReplicas: [],
          removingReplicas: [],
        },
      });
    }
    return out;
  }

  private topicInfo(name: string): TopicInfo | undefined {
    return this.listTopicInfos().find((t) => t.name === name);
  }

  createTopic(t: Omit<TopicRecord, 'topicId'> & { topicId?: string }): TopicRecord {
    const topicId = t.topicId ?? newUuid();
    const rec: TopicRecord = { ...t, topicId, configs: { ...t.configs } };
    const info: TopicInfo = {
      name: rec.name,
      topicId,
      internal: rec.internal,
      numPartitions: rec.partitions,
      replicationFactor: rec.replicationFactor,
      configs: rec.configs,
    };
    this.commit([{ type: 'topic', topic: info }, ...this.partitionsOf(info, 0, rec.partitions)]);
    return rec;
  }

  deleteTopic(name: string): void {
    const t = this.topicInfo(name);
    if (t) this.commit([{ type: 'topicRemoved', name, topicId: t.topicId }]);
  }

  setPartitionCount(name: string, partitions: number): void {
    const t = this.topicInfo(name);
    if (!t) return;
    const old = t.numPartitions;
    const next = { ...t, numPartitions: partitions };
    this.commit([{ type: 'topic', topic: next }, ...this.partitionsOf(next, old, partitions)]);
  }

  /** Replaces the topic's overrides with `configs`. */
  setTopicConfigs(name: string, configs: Record<string, string>): void {
    const t = this.topicInfo(name);
    if (t) this.commit([{ type: 'topic', topic: { ...t, configs: { ...configs } } }]);
  }

  /** Replaces the dynamic configs of a broker ('' = the cluster-wide default). */
  setBrokerConfigs(broker: string, configs: Record<string, string>): void {
    this.commit([{ type: 'brokerConfigs', resource: broker, configs: { ...configs } }]);
  }
}
