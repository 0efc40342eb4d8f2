// Kafka's sparse offset index (.index): 8-byte entries of int32 offset relative
// to the segment's base offset and int32 byte position of a batch in the .log file.
// An entry (batch last offset, batch start position) is added when more than
// index.interval.bytes were appended since the previous entry.
import { IndexBuffer } from './index-buffer.ts';

export const OFFSET_INDEX_ENTRY = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex {
  readonly baseOffset: number;
  readonly index: IndexBuffer;

  constructor(baseOffset: number, maxIndexBytes: number, initial?: Buffer) {
    this.baseOffset = baseOffset;
    this.index = new IndexBuffer(OFFSET_INDEX_ENTRY, maxIndexBytes, initial);
  }

  get entries(): number {
    return this.index.entries;
  }
  get isFull(): boolean {
    return this.index.isFull;
  }

  entry(i: number): OffsetPosition {
    const p = i * OFFSET_INDEX_ENTRY;
    return { offset: this.baseOffset + this.index.buf.readInt32BE(p), position: this.index.buf.readInt32BE(p + 4) };
  }

  lastEntry(): OffsetPosition {
    return this.entries === 0 ? { offset: this.baseOffset, position: 0 } : this.entry(this.entries - 1);
  }

  append(offset: number, position: number): void {
    if (this.entries > 0 && offset <= this.lastEntry().offset) return; // Kafka requires increasing offsets
    const p = this.index.reserve();
    this.index.buf.writeInt32BE(offset - this.baseOffset, p);
    this.index.buf.writeInt32BE(position, p + 4);
  }

  /** Largest entry whose offset is <= target, or (baseOffset, 0). */
  lookup(target: number): OffsetPosition {
    const rel = target - this.baseOffset;
    const buf = this.index.buf;
    let lo = 0,
      hi = this.entries - 1,
      found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (buf.readInt32BE(mid * OFFSET_INDEX_ENTRY) <= rel) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(found);
  }

  /** Kafka-like sanity check of a loaded index against its segment's size. */
  isSane(logSize: number): boolean {
    let prevRel = -1,
      prevPos = -1;
    for (let i = 0; i < this.entries; i++) {
      const rel = this.index.buf.readInt32BE(i * OFFSET_INDEX_ENTRY);
      const pos = this.index.buf.readInt32BE(i * OFFSET_INDEX_ENTRY + 4);
      if (rel <= prevRel || pos <= prevPos || pos >= logSize || rel < 0) return false;
      prevRel = rel;
      prevPos = pos;
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
