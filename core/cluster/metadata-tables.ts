// The tables of the cluster metadata (`<data-dir>/metadata.db`) and their mapping to the metadata
// records: the schema, the writing of one (full-state) `MetadataChange` record into the tables, and
// the reading of the tables back as brokers, topics, partitions and dynamic broker configs. A
// record carries the whole state of what it names, as Kafka's metadata records do, so applying it
// replaces the rows it covers. The transaction and the change log around these are
// metadata-store.ts's.
import type Database from 'better-sqlite3';
import type { BrokerInfo, MetadataChange, PartitionInfo, TopicInfo } from '../metadata/types.ts';

export interface TopicRecord {
  name: string;
  topicId: string;
  partitions: number;
  replicationFactor: number;
  internal: boolean;
  configs: Record<string, string>;
}

export const SCHEMA = `
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
CREATE TABLE IF NOT EXISTS brokers (
  id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  rack TEXT,
  epoch INTEGER NOT NULL,
  incarnation_id TEXT NOT NULL,
  fenced INTEGER NOT NULL DEFAULT 1,
  shutting_down INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS partitions (
  topic_id TEXT NOT NULL REFERENCES topics(topic_id) ON DELETE CASCADE,
  partition INTEGER NOT NULL,
  replicas TEXT NOT NULL,
  isr TEXT NOT NULL,
  leader INTEGER NOT NULL,
  leader_epoch INTEGER NOT NULL,
  partition_epoch INTEGER NOT NULL,
  adding TEXT NOT NULL DEFAULT '[]',
  removing TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (topic_id, partition)
);
`;

/** Writes one change record into the tables (inside the caller's transaction). */
export function applyToTables(db: Database.Database, c: MetadataChange): void {
  switch (c.type) {
    case 'broker': {
      const b = c.broker;
      db.prepare(
        `INSERT OR REPLACE INTO brokers (id, host, port, rack, epoch, incarnation_id, fenced, shutting_down)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(b.id, b.host, b.port, b.rack, b.epoch, b.incarnationId, b.fenced ? 1 : 0, b.shuttingDown ? 1 : 0);
      break;
    }
    case 'brokerRemoved':
      db.prepare(`DELETE FROM brokers WHERE id = ?`).run(c.id);
      break;
    case 'topic': {
      const t = c.topic;
      const existing = db.prepare(`SELECT topic_id FROM topics WHERE name = ?`).get(t.name) as
        { topic_id: string } | undefined;
      if (existing && existing.topic_id !== t.topicId) db.prepare(`DELETE FROM topics WHERE name = ?`).run(t.name);
      if (existing && existing.topic_id === t.topicId) {
        db.prepare(`UPDATE topics SET partitions = ?, replication_factor = ?, internal = ? WHERE name = ?`).run(
          t.numPartitions,
          t.replicationFactor,
          t.internal ? 1 : 0,
          t.name,
        );
      } else {
        db.prepare(
          `INSERT INTO topics (name, topic_id, partitions, replication_factor, internal, created_ms) VALUES (?, ?, ?, ?, ?, ?)`,
        ).run(t.name, t.topicId, t.numPartitions, t.replicationFactor, t.internal ? 1 : 0, Date.now());
      }
      db.prepare(`DELETE FROM topic_configs WHERE topic = ?`).run(t.name);
      const ins = db.prepare(`INSERT INTO topic_configs (topic, name, value) VALUES (?, ?, ?)`);
      for (const [k, v] of Object.entries(t.configs)) ins.run(t.name, k, v);
      break;
    }
    case 'topicRemoved':
      db.prepare(`DELETE FROM partitions WHERE topic_id = ?`).run(c.topicId);
      db.prepare(`DELETE FROM topics WHERE topic_id = ?`).run(c.topicId);
      break;
    case 'partition': {
      const p = c.partition;
      db.prepare(
        `INSERT OR REPLACE INTO partitions (topic_id, partition, replicas, isr, leader, leader_epoch, partition_epoch, adding, removing)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        p.topicId,
        p.partition,
        JSON.stringify(p.replicas),
        JSON.stringify(p.isr),
        p.leader,
        p.leaderEpoch,
        p.partitionEpoch,
        JSON.stringify(p.addingReplicas),
        JSON.stringify(p.removingReplicas),
      );
      break;
    }
    case 'brokerConfigs': {
      db.prepare(`DELETE FROM broker_configs WHERE broker = ?`).run(c.resource);
      const ins = db.prepare(`INSERT INTO broker_configs (broker, name, value) VALUES (?, ?, ?)`);
      for (const [k, v] of Object.entries(c.configs)) ins.run(c.resource, k, v);
      break;
    }
  }
}

export function readBrokers(db: Database.Database): BrokerInfo[] {
  const rows = db.prepare(`SELECT * FROM brokers ORDER BY id`).all() as {
    id: number;
    host: string;
    port: number;
    rack: string | null;
    epoch: number;
    incarnation_id: string;
    fenced: number;
    shutting_down: number;
  }[];
  return rows.map((r) => ({
    id: r.id,
    host: r.host,
    port: r.port,
    rack: r.rack,
    epoch: r.epoch,
    incarnationId: r.incarnation_id,
    fenced: r.fenced !== 0,
    shuttingDown: r.shutting_down !== 0,
  }));
}

export function readTopicInfos(db: Database.Database): TopicInfo[] {
  return readTopics(db).map((t) => ({
    name: t.name,
    topicId: t.topicId,
    internal: t.internal,
    numPartitions: t.partitions,
    replicationFactor: t.replicationFactor,
    configs: t.configs,
  }));
}

export function readPartitions(db: Database.Database): PartitionInfo[] {
  const rows = db
    .prepare(
      `SELECT t.name AS topic, p.* FROM partitions p JOIN topics t ON t.topic_id = p.topic_id
    ORDER BY t.name, p.partition`,
    )
    .all() as {
    topic: string;
    topic_id: string;
    partition: number;
    replicas: string;
    isr: string;
    leader: number;
    leader_epoch: number;
    partition_epoch: number;
    adding: string;
    removing: string;
  }[];
  return rows.map((r) => ({
    topicId: r.topic_id,
    topic: r.topic,
    partition: r.partition,
    replicas: JSON.parse(r.replicas) as number[],
    isr: JSON.parse(r.isr) as number[],
    leader: r.leader,
    leaderEpoch: r.leader_epoch,
    partitionEpoch: r.partition_epoch,
    addingReplicas: JSON.parse(r.adding) as number[],
    removingReplicas: JSON.parse(r.removing) as number[],
  }));
}

export function readAllBrokerConfigs(db: Database.Database): Record<string, Record<string, string>> {
  const rows = db.prepare(`SELECT broker, name, value FROM broker_configs`).all() as {
    broker: string;
    name: string;
    value: string;
  }[];
  const out: Record<string, Record<string, string>> = {};
  for (const r of rows) (out[r.broker] ??= {})[r.name] = r.value;
  return out;
}

export function readTopics(db: Database.Database): TopicRecord[] {
  const rows = db
    .prepare(`SELECT name, topic_id, partitions, replication_factor, internal FROM topics ORDER BY name`)
    .all() as {
    name: string;
    topic_id: string;
    partitions: number;
    replication_factor: number;
    internal: number;
  }[];
  const cfgRows = db.prepare(`SELECT topic, name, value FROM topic_configs`).all() as {
    topic: string;
    name: string;
    value: string;
  }[];
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

export function readBrokerConfigs(db: Database.Database, broker: string): Record<string, string> {
  const rows = db.prepare(`SELECT name, value FROM broker_configs WHERE broker = ?`).all(broker) as {
    name: string;
    value: string;
  }[];
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}
