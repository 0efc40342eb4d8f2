// Draws the app icon (build/icon.png, 1024×1024) and the menu-bar icon
// (electron/resources/trayTemplate.png and @2x, black on transparent as macOS template images want)
// without any image library: a few shapes, anti-aliased by supersampling, written as PNG.
// Run: node build/make-icons.ts
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

type Pixel = [number, number, number, number];
type Shader = (x: number, y: number) => Pixel | undefined;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function png(size: number, shade: Shader, samples = 4): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++) {
          const p = shade((x + (sx + 0.5) / samples) / size, (y + (sy + 0.5) / samples) / size);
          if (p) {
            r += p[0] * p[3];
            g += p[1] * p[3];
            b += p[2] * p[3];
            a += p[3];
          }
        }
      const o = y * (size * 4 + 1) + 1 + x * 4;
      const n = samples * samples;
      raw[o] = a ? Math.round(r / a) : 0;
      raw[o + 1] = a ? Math.round(g / a) : 0;
      raw[o + 2] = a ? Math.round(b / a) : 0;
      raw[o + 3] = Math.round(a / n);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function inRoundedRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): boolean {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r),
    cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

// Three stacked log segments of decreasing length: a partition log, appended to from the left.
const BARS = [
  [0.22, 0.3, 0.78],
  [0.22, 0.47, 0.66],
  [0.22, 0.64, 0.52],
] as const;
function bars(x: number, y: number, h: number): boolean {
  return BARS.some(([x0, y0, x1]) => inRoundedRect(x, y, x0, y0, x1, y0 + h, h / 2));
}

const app: Shader = (x, y) => {
  if (!inRoundedRect(x, y, 0.1, 0.1, 0.9, 0.9, 0.18)) return undefined;
  if (bars(x, y, 0.1)) return [255, 255, 255, 255];
  const t = y; // a vertical gradient, deep teal to ink
  return [Math.round(18 + 10 * t), Math.round(110 - 60 * t), Math.round(120 - 50 * t), 255];
};
const tray: Shader = (x, y) => (bars(x, y * 1.1 - 0.05, 0.13) ? [0, 0, 0, 255] : undefined);

if (import.meta.main) {
  const root = new URL('..', import.meta.url);
  writeFileSync(new URL('build/icon.png', root), png(1024, app, 2));
  writeFileSync(new URL('electron/resources/trayTemplate.png', root), png(16, tray, 8));
  writeFileSync(new URL('electron/resources/trayTemplate@2x.png', root), png(32, tray, 8));
  console.log('wrote build/icon.png and electron/resources/trayTemplate{,@2x}.png');
}
