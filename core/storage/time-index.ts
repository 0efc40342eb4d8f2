// Kafka's time index (.timeindex): 12-byte entries of int64 timestamp and int32
// offset relative to the segment's base offset. An entry is added (at the same
// byte interval as the offset index) only when the largest timestamp seen so far
// exceeds the last indexed one; when a segment becomes inactive or is closed, a
// final entry for its largest timestamp is added the same way.
import { IndexBuffer } from './index-buffer.ts';
import { readInt64, writeInt64 } from '../protocol/record-batch.ts';

export const TIME_INDEX_ENTRY = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex {
  readonly baseOffset: number;
  readonly index: IndexBuffer;

  constructor(baseOffset: number, maxIndexBytes: number, initial?: Buffer) {
    this.baseOffset = baseOffset;
    this.index = new IndexBuffer(TIME_INDEX_ENTRY, maxIndexBytes, initial);
  }

  get entries(): number {
    return this.index.entries;
  }
  get isFull(): boolean {
    return this.index.isFull;
  }

  entry(i: number): TimestampOffset {
    const p = i * TIME_INDEX_ENTRY;
    return { timestamp: readInt64(this.index.buf, p), offset: this.baseOffset + this.index.buf.readInt32BE(p + 8) };
  }

  /** Kafka: (-1, baseOffset) when empty. */
  lastEntry(): TimestampOffset {
    return this.entries === 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(this.entries - 1);
  }

  /** Appends (timestamp, offset) if timestamp is larger than the last entry's (Kafka's maybeAppend). */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    if (!skipFullCheck && this.isFull) return;
    const last = this.lastEntry();
    if (timestamp <= last.timestamp || (this.entries > 0 && offset < last.offset)) return;
    const p = this.index.reserve();
    writeInt64(this.index.buf, p, timestamp);
    this.index.buf.writeInt32BE(offset - this.baseOffset, p + 8);
  }

  /** Largest entry whose timestamp is <= target, or (-1, baseOffset). */
  lookup(target: number): TimestampOffset {
    let lo = 0,
      hi = this.entries - 1,
      found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (readInt64(this.index.buf, mid * TIME_INDEX_ENTRY) <= target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(found);
  }

  isSane(): boolean {
    let prevTs = -Infinity,
      prevRel = -1;
    for (let i = 0; i < this.entries; i++) {
      const ts = readInt64(this.index.buf, i * TIME_INDEX_ENTRY);
      const rel = this.index.buf.readInt32BE(i * TIME_INDEX_ENTRY + 8);
      if (ts <= prevTs || rel < prevRel || rel < 0) return false;
      prevTs = ts;
      prevRel = rel;
    }
    return true;
  }

  contents(): Buffer {
    return this.index.contents();
  }
  writeFileSync(path: string, fsync: boolean): void {
    this.index.writeFileSync(path, fsync);
  }
}
