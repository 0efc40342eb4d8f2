// Micro-benchmark: native SIMD CRC-32C (@node-rs/crc32) vs a pure-JS table
// implementation, on 1 MiB inputs. Run: ./node_modules/.bin/node test/bench/crc32c.bench.ts
import { randomBytes } from 'node:crypto';
import { crc32c } from '../../core/protocol/crc32c.ts';

const TABLE = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  TABLE[i] = c >>> 0;
}
function tableCrc32c(buf: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < buf.length; i++) crc = TABLE[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const input = randomBytes(1024 * 1024);
if (crc32c(input) !== tableCrc32c(input)) throw new Error('implementations disagree');

function bench(name: string, fn: (b: Uint8Array) => number, minMs = 500): void {
  for (let i = 0; i < 5; i++) fn(input); // warm-up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn(input);
    n++;
  }
  const secs = (performance.now() - start) / 1000;
  console.log(`${name.padEnd(22)} ${((n * input.length) / secs / 1e6).toFixed(0).padStart(7)} MB/s  (${n} x 1 MiB)`);
}

bench('native (@node-rs/crc32)', crc32c);
bench('pure JS table', tableCrc32c);
