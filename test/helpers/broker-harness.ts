// Starts an in-process Broker on an OS-chosen port with in-memory topics.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker } from '../../core/broker/broker.ts';
import type { BrokerOptions } from '../../core/broker/broker.ts';
import { BrokerConfig } from '../../core/broker/configs.ts';
import { KafkaClient } from './kafka-client.ts';
import { MemoryTopics } from './fake-topics.ts';

export interface Harness {
  broker: Broker;
  topics: MemoryTopics;
  port: number;
  client(): Promise<KafkaClient>;
  stop(): Promise<void>;
}

export async function startBroker(
  opts: Partial<BrokerOptions> & { overrides?: Record<string, string> } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-broker-'));
  const topics = new MemoryTopics();
  const broker = new Broker({
    port: 0,
    dataDir,
    topics: topics.asTopicManager(),
    config: new BrokerConfig(opts.overrides ?? {}),
    ...opts,
  });
  const { port } = await broker.start();
  const clients: KafkaClient[] = [];
  return {
    broker,
    topics,
    port,
    async client() {
      const c = await KafkaClient.connect(port);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
