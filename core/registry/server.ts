// The built-in Schema Registry as one service: the Kafka store on the local cluster's `_schemas`
// topic, the registry state it feeds, and the REST API listening on host:port (127.0.0.1:8081
// by default, Confluent's port). It reads `_schemas` to the end before it listens, so its first
// answer already reflects every schema stored before a restart.
import type http from 'node:http';
import { createRegistryServer } from './http.ts';
import { KafkaStore } from './kafka-store.ts';
import { Registry } from './registry.ts';

export const DEFAULT_REGISTRY_PORT = 8081;

export interface SchemaRegistryOptions {
  /** The cluster's bootstrap addresses, `host:port`. */
  bootstrap: string[];
  host?: string;
  port?: number;
  topic?: string;
}

export interface RunningSchemaRegistry {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly registry: Registry;
  close(): Promise<void>;
}

/** Thrown when the port cannot be listened on; `code` is Node's (EADDRINUSE, EACCES). */
export class RegistryListenError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export async function startSchemaRegistry(o: SchemaRegistryOptions): Promise<RunningSchemaRegistry> {
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? DEFAULT_REGISTRY_PORT;
  let registry: Registry | undefined;
  const store = new KafkaStore({ bootstrap: o.bootstrap, topic: o.topic, onRecord: (r) => registry?.apply(r) });
  registry = new Registry(store);
  const server = createRegistryServer(registry);
  // Claim the port first, so a taken one fails at once; answer only once the store is read.
  await listen(server, host, port);
  try {
    await store.start();
  } catch (e) {
    await new Promise((r) => server.close(r));
    throw e;
  }
  const bound = (server.address() as { port: number }).port;
  return {
    host,
    port: bound,
    url: `http://${host}:${bound}`,
    registry,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await store.stop();
    },
  };
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use; pick another with --schema-registry-port`
          : e.code === 'EACCES'
            ? `not allowed to listen on ${host}:${port}`
            : `cannot listen on ${host}:${port}: ${e.message}`;
      reject(new RegistryListenError(e.code ?? 'ERROR', why));
    });
    server.listen(port, host, () => resolve());
  });
}
