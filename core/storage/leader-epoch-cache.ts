// Leader epoch → start offset history (Kafka's LeaderEpochFileCache), persisted
// in leader-epoch-checkpoint. An entry is added when a batch arrives with an
// epoch larger than the latest one; entries past a truncation point are dropped.
import { join } from 'node:path';
import {
  formatLeaderEpochCheckpoint,
  LEADER_EPOCH_CHECKPOINT,
  readLeaderEpochCheckpoint,
  type EpochEntry,
} from './checkpoint.ts';
import { writeFileAtomic } from './file-io.ts';

export class LeaderEpochCache {
  readonly path: string;
  entries: EpochEntry[];
  private writing: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.path = join(dir, LEADER_EPOCH_CHECKPOINT);
    this.entries = readLeaderEpochCheckpoint(this.path);
  }

  latestEpoch(): number {
    return this.entries.length === 0 ? -1 : this.entries[this.entries.length - 1]!.epoch;
  }

  /** Returns true when an entry was added (and a write scheduled). */
  assign(epoch: number, startOffset: number): boolean {
    if (epoch < 0 || epoch <= this.latestEpoch()) return false;
    this.entries.push({ epoch, startOffset });
    this.persist();
    return true;
  }

  /**
   * A new leader epoch starts at `startOffset` (Kafka's assign on becoming
   * leader): entries with an epoch at least as large, or starting at or after
   * `startOffset`, are dropped first, so the history stays monotonic.
   */
  assignStart(epoch: number, startOffset: number): boolean {
    if (epoch < 0 || startOffset < 0) return false;
    const latest = this.entries[this.entries.length - 1];
    if (latest && latest.epoch === epoch && latest.startOffset <= startOffset) return false;
    this.entries = this.entries.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.entries.push({ epoch, startOffset });
    this.persist();
    return true;
  }

  /**
   * Kafka's OffsetForLeaderEpoch lookup (LeaderEpochFileCache.endOffsetFor):
   * the largest known epoch <= `requested` and its end offset, i.e. the start
   * offset of the next larger epoch, or `logEndOffset` for the latest epoch.
   * Unknown (-1, -1) when `requested` is -1 or larger than every known epoch;
   * a requested epoch older than every entry answers (requested, first start).
   */
  endOffsetFor(requested: number, logEndOffset: number): { epoch: number; endOffset: number } {
    if (requested < 0 || this.entries.length === 0) return { epoch: -1, endOffset: -1 };
    if (this.latestEpoch() === requested) return { epoch: requested, endOffset: logEndOffset };
    let higher = -1;
    for (let i = 0; i < this.entries.length; i++) {
      if (this.entries[i]!.epoch > requested) {
        higher = i;
        break;
      }
    }
    if (higher < 0) return { epoch: -1, endOffset: -1 };
    const endOffset = this.entries[higher]!.startOffset;
    if (higher === 0) return { epoch: requested, endOffset };
    return { epoch: this.entries[higher - 1]!.epoch, endOffset };
  }

  /** Drops entries starting at or after endOffset (log truncated to endOffset). */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length !== this.entries.length) {
      this.entries = kept;
      this.persist();
    }
  }

  /** Log start moved: the entry covering it is moved to start there, older ones dropped. */
  truncateFromStart(startOffset: number): void {
    let i = 0;
    while (i + 1 < this.entries.length && this.entries[i + 1]!.startOffset <= startOffset) i++;
    if (this.entries.length === 0) return;
    const changed = i > 0 || this.entries[0]!.startOffset < startOffset;
    if (!changed) return;
    const first = this.entries[i]!;
    this.entries = [
      { epoch: first.epoch, startOffset: Math.max(first.startOffset, startOffset) },
      ...this.entries.slice(i + 1),
    ];
    this.persist();
  }

  private persist(): void {
    const text = formatLeaderEpochCheckpoint(this.entries);
    this.writing = this.writing.then(() => writeFileAtomic(this.path, text)).catch(() => {});
  }

  flushed(): Promise<void> {
    return this.writing;
  }
}
