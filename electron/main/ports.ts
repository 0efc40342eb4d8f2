// Whether the ports the cluster wants are free, checked before anything starts, so a taken port
// becomes a question to the user instead of a failed broker.
import { createServer } from 'node:net';

/** True when nothing listens on host:port (we could bind it). */
export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The first port of `ports` that is taken, or undefined. */
export async function firstTaken(host: string, ports: number[]): Promise<number | undefined> {
  for (const p of ports) if (!(await portFree(host, p))) return p;
  return undefined;
}

/** The first `count` consecutive free ports from `from` up (avoiding `avoid`), or undefined. */
export async function freeRange(
  host: string,
  from: number,
  count: number,
  avoid: number[] = [],
): Promise<number | undefined> {
  for (let base = from; base + count - 1 <= 65535 && base < from + 200; base++) {
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = !avoid.includes(p) && (await portFree(host, p));
    if (ok) return base;
  }
  return undefined;
}
