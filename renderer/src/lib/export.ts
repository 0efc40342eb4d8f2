// Filtering and exporting tail rows (pure functions, so they are tested without a DOM).
import type { Payload, RecordView } from '../../../core/console/bridge.ts';

export type FilterField = 'any' | 'key' | 'value' | 'headers';

const text = (p: Payload | null): string => (p === null ? '' : p.data);

/** Whether a record matches `query` (case-insensitive) in the given field; an empty query matches everything. */
export function matches(r: RecordView, query: string, field: FilterField): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  const has = (s: string) => s.toLowerCase().includes(q);
  const inHeaders = () => r.headers.some((h) => has(h.key) || has(text(h.value)));
  switch (field) {
    case 'key':
      return has(text(r.key));
    case 'value':
      return has(text(r.value));
    case 'headers':
      return inHeaders();
    default:
      return has(text(r.key)) || has(text(r.value)) || inHeaders();
  }
}

function plain(r: RecordView) {
  return {
    partition: r.partition,
    offset: r.offset,
    timestamp: new Date(r.timestamp).toISOString(),
    key: r.key?.data ?? null,
    keyEncoding: r.key?.encoding ?? null,
    value: r.value?.data ?? null,
    valueEncoding: r.value?.encoding ?? null,
    headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.data ?? null])),
  };
}

/** One JSON object per line (key and value as text, or base64 when not UTF-8, with their encoding). */
export function toJsonLines(records: readonly RecordView[]): string {
  return records.map((r) => JSON.stringify(plain(r))).join('\n') + (records.length ? '\n' : '');
}

function csvCell(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header row; headers as a JSON object in one column. */
export function toCsv(records: readonly RecordView[]): string {
  const lines = ['partition,offset,timestamp,key,value,headers'];
  for (const r of records) {
    const p = plain(r);
    lines.push(
      [p.partition, p.offset, p.timestamp, p.key, p.value, r.headers.length ? JSON.stringify(p.headers) : '']
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
