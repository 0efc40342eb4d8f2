// Cluster metadata in SQLite (`<data-dir>/metadata.db`, WAL mode): the cluster
// id, topics with their UUID topic ids, partition counts and config overrides,
// and a numbered change log. The coordinator of the multi-broker cluster builds
// on this store; a single broker uses it directly.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export interface TopicRecord {
  name: string;
  topicId: string;
  partitions: number;
  replicationFactor: number;
  internal: boolean;
  configs: Record<string, string>;
}

/** Kafka's Uuid text form: 16 random bytes, URL-safe base64 without padding. */
export function newUuid(): string {
  for (;;) {
    const b = randomBytes(16);
    // Kafka reserves the all-zero id and ids that start with '-' in text form.
    const s = b.toString('base64url');
    if (!s.startsWith('-') && !b.equals(Buffer.alloc(16))) return s;
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cluster (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS topics (
  name TEXT PRIMARY KEY,
  topic_id TEXT NOT NULL UNIQUE,
  partitions INTEGER NOT NULL,
  replication_factor INTEGER NOT NULL,
  internal INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS topic_configs (
  topic TEXT NOT NULL REFERENCES topics(name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (topic, name)
);
CREATE TABLE IF NOT EXISTS broker_configs (
  broker TEXT NOT NULL,  -- '' = cluster-wide default
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (broker, name)
);
CREATE TABLE IF NOT EXISTS changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ts_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL
);
`;

export class MetadataStore {
  private readonly db: Database.Database;
  readonly clusterId: string;

  private constructor(db: Database.Database) {
    this.db = db;
    const row = db.prepare(`SELECT value FROM cluster WHERE key = 'cluster.id'`).get() as { value: string } | undefined;
    if (row) {
      this.clusterId = row.value;
    } else {
      this.clusterId = newUuid();
      db.prepare(`INSERT INTO cluster (key, value) VALUES ('cluster.id', ?)`).run(this.clusterId);
    }
  }

  /** Opens (creating if needed) `<dataDir>/metadata.db`. */
  static open(dataDir: string): MetadataStore {
    const db = new Database(join(dataDir, 'metadata.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    return new MetadataStore(db);
  }

  close(): void {
    this.db.close();
  }

  listTopics(): TopicRecord[] {
    const rows = this.db.prepare(`SELECT name, topic_id, partitions, replication_factor, internal FROM topics ORDER BY name`).all() as {
      name: string; topic_id: string; partitions: number; replication_factor: number; internal: number;
    }[];
    const cfgRows = this.db.prepare(`SELECT topic, name, value FROM topic_configs`).all() as { topic: string; name: string; value: string }[];
    const cfgs = new Map<string, Record<string, string>>();
    for (const c of cfgRows) {
      let m = cfgs.get(c.topic);
      if (!m) cfgs.set(c.topic, (m = {}));
      m[c.name] = c.value;
    }
    return rows.map((r) => ({
      name: r.name,
      topicId: r.topic_id,
      partitions: r.partitions,
      replicationFactor: r.replication_factor,
      internal: r.internal !== 0,
      configs: cfgs.get(r.name) ?? {},
    }));
  }

  createTopic(t: Omit<TopicRecord, 'topicId'> & { topicId?: string }): TopicRecord {
    const topicId = t.topicId ?? newUuid();
    const rec: TopicRecord = { ...t, topicId, configs: { ...t.configs } };
    this.db.transaction(() => {
      this.db.prepare(`INSERT INTO topics (name, topic_id, partitions, replication_factor, internal, created_ms) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(rec.name, topicId, rec.partitions, rec.replicationFactor, rec.internal ? 1 : 0, Date.now());
      const ins = this.db.prepare(`INSERT INTO topic_configs (topic, name, value) VALUES (?, ?, ?)`);
      for (const [k, v] of Object.entries(rec.configs)) ins.run(rec.name, k, v);
      this.logChange('CreateTopic', rec);
    })();
    return rec;
  }

  deleteTopic(name: string): void {
    this.db.transaction(() => {
      const row = this.db.prepare(`SELECT topic_id FROM topics WHERE name = ?`).get(name) as { topic_id: string } | undefined;
      this.db.prepare(`DELETE FROM topics WHERE name = ?`).run(name);
      this.logChange('DeleteTopic', { name, topicId: row?.topic_id });
    })();
  }

  setPartitionCount(name: string, partitions: number): void {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE topics SET partitions = ? WHERE name = ?`).run(partitions, name);
      this.logChange('CreatePartitions', { name, partitions });
    })();
  }

  /** Replaces the topic's overrides with `configs`. */
  setTopicConfigs(name: string, configs: Record<string, string>): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM topic_configs WHERE topic = ?`).run(name);
      const ins = this.db.prepare(`INSERT INTO topic_configs (topic, name, value) VALUES (?, ?, ?)`);
      for (const [k, v] of Object.entries(configs)) ins.run(name, k, v);
      this.logChange('TopicConfigs', { name, configs });
    })();
  }

  brokerConfigs(broker: string): Record<string, string> {
    const rows = this.db.prepare(`SELECT name, value FROM broker_configs WHERE broker = ?`).all(broker) as { name: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }

  /** Replaces the dynamic configs of a broker ('' = the cluster-wide default). */
  setBrokerConfigs(broker: string, configs: Record<string, string>): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM broker_configs WHERE broker = ?`).run(broker);
      const ins = this.db.prepare(`INSERT INTO broker_configs (broker, name, value) VALUES (?, ?, ?)`);
      for (const [k, v] of Object.entries(configs)) ins.run(broker, k, v);
      this.logChange('BrokerConfigs', { broker, configs });
    })();
  }

  /**
   * Reserves the next `count` producer ids and returns the first (Kafka's
   * controller hands out blocks of 1000 the same way, ProducerIdsRecord): the
   * counter is persisted, so no id is ever handed out twice, even after a crash.
   */
  allocateProducerIds(count: number): number {
    return this.db.transaction(() => {
      const row = this.db.prepare(`SELECT value FROM cluster WHERE key = 'next.producer.id'`).get() as { value: string } | undefined;
      const first = row ? Number(row.value) : 0;
      this.db.prepare(`INSERT OR REPLACE INTO cluster (key, value) VALUES ('next.producer.id', ?)`).run(String(first + count));
      return first;
    })();
  }

  /** The last change-log sequence number (0 when empty). */
  lastChange(): number {
    const row = this.db.prepare(`SELECT MAX(seq) AS seq FROM changes`).get() as { seq: number | null };
    return row.seq ?? 0;
  }

  private logChange(kind: string, body: unknown): void {
    this.db.prepare(`INSERT INTO changes (ts_ms, kind, body) VALUES (?, ?, ?)`).run(Date.now(), kind, JSON.stringify(body));
  }
}
