// Kafka's small text files, read and written in Kafka's exact formats.
// All writes go through <file>.tmp + fsync + rename + directory fsync.
import * as fs from 'node:fs';
import { writeFileAtomic, writeFileAtomicSync } from './file-io.ts';

export const CHECKPOINT_FILES = {
  recoveryPoint: 'recovery-point-offset-checkpoint',
  logStartOffset: 'log-start-offset-checkpoint',
  replicationOffset: 'replication-offset-checkpoint',
} as const;

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const PARTITION_METADATA = 'partition.metadata';

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** Broker-level offset checkpoint: `0` (version), count, then `topic partition offset` lines. */
export function formatOffsetCheckpoint(entries: TopicPartitionOffset[]): string {
  let s = `0\n${entries.length}\n`;
  for (const e of entries) s += `${e.topic} ${e.partition} ${e.offset}\n`;
  return s;
}

export function parseOffsetCheckpoint(text: string): Map<string, number> {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== '0') throw new Error(`unsupported checkpoint version ${lines[0]}`);
  const count = Number(lines[1]);
  const out = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const line = lines[2 + i];
    if (line === undefined) throw new Error('checkpoint file has fewer entries than its count');
    const parts = line.split(' ');
    if (parts.length !== 3) throw new Error(`malformed checkpoint line "${line}"`);
    out.set(`${parts[0]}-${parts[1]}`, Number(parts[2]));
  }
  return out;
}

/** Reads a checkpoint; a missing or unreadable file yields an empty map (Kafka logs and starts over). */
export function readOffsetCheckpoint(path: string): Map<string, number> {
  try {
    return parseOffsetCheckpoint(fs.readFileSync(path, 'utf8'));
  } catch {
    return new Map();
  }
}

export function writeOffsetCheckpoint(path: string, entries: TopicPartitionOffset[]): Promise<void> {
  return writeFileAtomic(path, formatOffsetCheckpoint(entries));
}

// ---- leader-epoch-checkpoint: `0`, count, then `epoch startOffset` lines ----

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export function formatLeaderEpochCheckpoint(entries: EpochEntry[]): string {
  let s = `0\n${entries.length}\n`;
  for (const e of entries) s += `${e.epoch} ${e.startOffset}\n`;
  return s;
}

export function readLeaderEpochCheckpoint(path: string): EpochEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== '0') return [];
  const out: EpochEntry[] = [];
  for (const line of lines.slice(2, 2 + Number(lines[1]))) {
    const [e, o] = line.split(' ');
    out.push({ epoch: Number(e), startOffset: Number(o) });
  }
  return out;
}

// ---- partition.metadata: `version: 0` / `topic_id: <Kafka Uuid string>` ----

/** As Kafka's PartitionMetadataFile writes it: two lines, no newline after the second. */
export function formatPartitionMetadata(topicId: string): string {
  return `version: 0\ntopic_id: ${topicId}`;
}

/** What a partition.metadata file says: nothing (no file), a topic id, or that it is damaged (and why). */
export type PartitionMetadata = { topicId: string } | { damaged: string } | undefined;

/** A Kafka Uuid string: 16 bytes in unpadded URL-safe base64. */
const UUID_STRING = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/** Reads partition.metadata as Kafka's PartitionMetadataFile does: version 0 and a well-formed topic id, or damaged. */
export function readPartitionMetadataFile(path: string): PartitionMetadata {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { damaged: `cannot be read (${(e as Error).message})` };
  }
  const lines = text.split('\n').map((l) => l.trim());
  if (lines[0] !== 'version: 0') return { damaged: `does not start with "version: 0"` };
  const m = /^topic_id: (\S+)$/.exec(lines[1] ?? '');
  if (!m) return { damaged: 'has no topic_id line' };
  if (!UUID_STRING.test(m[1]!)) return { damaged: `names an invalid topic id "${m[1]!.slice(0, 40)}"` };
  return { topicId: m[1]! };
}

/** The topic id of a well-formed partition.metadata; undefined when missing or damaged. */
export function readPartitionMetadata(path: string): string | undefined {
  const m = readPartitionMetadataFile(path);
  return m && 'topicId' in m ? m.topicId : undefined;
}

export function writePartitionMetadataSync(path: string, topicId: string): void {
  writeFileAtomicSync(path, formatPartitionMetadata(topicId));
}
