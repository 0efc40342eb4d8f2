// The TCP listener: accepts sockets and wraps each in a Connection.

import net from 'node:net';
import { Connection } from './connection.ts';
import type { ConnectionOptions, Dispatch } from './connection.ts';

export class SocketServer {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();

  constructor(dispatch: Dispatch, opts: ConnectionOptions) {
    this.server = net.createServer({ noDelay: true }, (socket) => {
      const conn = new Connection(socket, dispatch, opts);
      this.connections.add(conn);
      conn.onClose(() => this.connections.delete(conn));
    });
    // A listener error after start (e.g. EMFILE on accept) must not crash the broker.
    this.server.on('error', (err) => opts.onLog?.(`listener error: ${err.message}`));
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port }, () => {
        this.server.off('error', onError);
        const addr = this.server.address() as net.AddressInfo;
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  /** Stops accepting and closes every connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const c of [...this.connections]) c.close();
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }
}
