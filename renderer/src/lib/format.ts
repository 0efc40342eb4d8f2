// Numbers as the console shows them.

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n / 1024,
    i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[i]}`;
}

/** Thousands separated: "1234567" → "1,234,567"; decimal strings of any size. */
export function formatCount(n: string | number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const s = typeof n === 'number' ? String(Math.round(n)) : n;
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A rate: "0", "3.5", "1,200". */
export function formatRate(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n === 0) return '0';
  return n < 10 ? n.toFixed(1) : formatCount(Math.round(n));
}
