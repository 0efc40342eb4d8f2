// Showing record bytes: text, pretty JSON, hex.
import type { Payload } from '../../../core/console/bridge.ts';

export function bytesOf(p: Payload | null): Uint8Array {
  if (!p) return new Uint8Array();
  if (p.encoding === 'utf8') return new TextEncoder().encode(p.data);
  const bin = atob(p.data);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** One line for a table cell: the text (or "<N bytes>" for binary), cut at `max` characters. */
export function preview(p: Payload | null, max = 200): string {
  if (!p) return 'null';
  if (p.encoding === 'base64') return `<${p.size} bytes binary>`;
  const flat = p.data.length > max ? `${p.data.slice(0, max)}…` : p.data;
  return flat.replace(/\s+/g, ' ');
}

export function prettyJson(p: Payload | null): string | null {
  if (!p || p.encoding !== 'utf8') return null;
  try {
    return JSON.stringify(JSON.parse(p.data), null, 2);
  } catch {
    return null;
  }
}

/** Classic hex dump: offset, 16 bytes in hex, printable ASCII. */
export function hexDump(p: Payload | null, limit = 64 * 1024): string {
  const bytes = bytesOf(p).subarray(0, limit);
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

/** Checks a JSON text; returns the parser's complaint, or null when it is valid. */
export function jsonError(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
