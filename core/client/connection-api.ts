// Requests sent through @platformatic/kafka's connection API (one broker connection, one raw
// request) for what its Admin helpers do not offer in the shape needed: the request function of an
// API at the highest version both the client and the broker speak (from the broker's ApiVersions,
// as the client's own helpers pick it), answers whose partitions carried errors still read for the
// partitions that did not, and the key per-partition results are mapped by.
import * as kafka from '@platformatic/kafka';
import type { Admin, Connection } from '@platformatic/kafka';

export type ApiFn = (conn: Connection, ...args: unknown[]) => Promise<unknown>;

const apisByClient = new WeakMap<Admin, Promise<Map<string, { minVersion: number; maxVersion: number }>>>();

/** The request function of `name` (e.g. 'ListOffsets') at the highest version both sides support. */
export async function apiFor(admin: Admin, name: string): Promise<ApiFn> {
  let listed = apisByClient.get(admin);
  if (!listed) {
    listed = admin.listApis().then((apis) => new Map(apis.map((a) => [a.name, a])));
    listed.catch(() => apisByClient.delete(admin));
    apisByClient.set(admin, listed);
  }
  const range = (await listed).get(name);
  const base = name.slice(0, 1).toLowerCase() + name.slice(1);
  if (range) {
    for (let v = range.maxVersion; v >= range.minVersion; v--) {
      const mod = (kafka as unknown as Record<string, { api?: { async: ApiFn } } | undefined>)[`${base}V${v}`];
      if (mod?.api) return mod.api.async;
    }
  }
  throw new kafka.UnsupportedApiError(`Unsupported API ${name}.`);
}

/** A response whose partitions carried error codes still gives the partitions that did not. */
export async function partial<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    const response = (e as { response?: T }).response;
    if (response && typeof response === 'object') return response;
    throw e;
  }
}

/** The key of a partition in per-partition result maps: "topic\0partition". */
export const partitionKey = (topic: string, partition: number) => `${topic}\0${partition}`;
