import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrapFor, listenSummary } from '../../../electron/main/cluster.ts';
import { firstTaken, freeRange, portFree } from '../../../electron/main/ports.ts';
import {
  brokerOverrides,
  defaultSettings,
  loadSettings,
  saveSettings,
  SettingsError,
  validateSettings,
} from '../../../electron/main/settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'samsa-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const defaults = defaultSettings('/data/samsa');

describe('desktop settings', () => {
  it('a missing file gives the defaults; saved settings load back', () => {
    const file = join(dir, 'a.json');
    expect(loadSettings(file, defaults)).toEqual(defaults);
    const s = { ...defaults, brokers: 3, port: 19092, topicDefaults: { ...defaults.topicDefaults, partitions: 6 } };
    saveSettings(file, s);
    expect(loadSettings(file, defaults)).toEqual(s);
  });

  it('a bad value falls back to its default alone, and unknown keys are dropped', () => {
    const file = join(dir, 'b.json');
    writeFileSync(
      file,
      JSON.stringify({
        brokers: 99,
        port: 20000,
        host: 'not a host!',
        extra: 1,
        topicDefaults: { partitions: 0, retentionHours: 5 },
      }),
    );
    const logged: string[] = [];
    const s = loadSettings(file, defaults, (m) => logged.push(m));
    expect(s).toEqual({ ...defaults, port: 20000, topicDefaults: { ...defaults.topicDefaults, retentionHours: 5 } });
    expect(logged.length).toBe(3);
    writeFileSync(file, '{ not json');
    expect(loadSettings(file, defaults, () => undefined)).toEqual(defaults);
  });

  it('validation names the field', () => {
    const bad = (patch: object, field: string) => {
      let err: unknown;
      try {
        validateSettings({ ...defaults, ...patch });
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(SettingsError);
      expect((err as SettingsError).field).toBe(field);
    };
    bad({ brokers: 0 }, 'brokers');
    bad({ port: 80 }, 'port');
    bad({ brokers: 3, port: 9092, controllerPort: 9093 }, 'controllerPort');
    bad({ host: 'a b' }, 'host');
    bad({ dataDir: 'relative/dir' }, 'dataDir');
    bad({ topicDefaults: { ...defaults.topicDefaults, autoCreateTopics: 'yes' } }, 'topicDefaults.autoCreateTopics');
    expect(() => saveSettings(join(dir, 'c.json'), { ...defaults, brokers: 0 })).toThrow(SettingsError);
    expect(() => readFileSync(join(dir, 'c.json'))).toThrow();
  });

  it('topic defaults become broker configs, the replication factor capped by the brokers', () => {
    expect(
      brokerOverrides({
        ...defaults,
        brokers: 2,
        topicDefaults: { partitions: 3, replicationFactor: 3, retentionHours: 24, autoCreateTopics: false },
      }),
    ).toEqual([
      'num.partitions=3',
      'default.replication.factor=2',
      'log.retention.hours=24',
      'auto.create.topics.enable=false',
    ]);
  });

  it('bootstrap and the title name every broker port', () => {
    expect(bootstrapFor({ host: '127.0.0.1', port: 9092, brokers: 3 })).toBe(
      '127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094',
    );
    expect(bootstrapFor({ host: '0.0.0.0', port: 9092, brokers: 1 })).toBe('localhost:9092');
    expect(bootstrapFor({ host: '::1', port: 9092, brokers: 1 })).toBe('[::1]:9092');
    expect(listenSummary({ host: '127.0.0.1', port: 9092, brokers: 3 })).toBe('127.0.0.1:9092–9094');
    expect(listenSummary({ host: '127.0.0.1', port: 9092, brokers: 1 })).toBe('127.0.0.1:9092');
  });
});

describe('port checks', () => {
  it('see a taken port and find the next free range around it', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const taken = (server.address() as { port: number }).port;
    try {
      expect(await portFree('127.0.0.1', taken)).toBe(false);
      expect(await firstTaken('127.0.0.1', [taken])).toBe(taken);
      const free = await freeRange('127.0.0.1', taken - 1, 2);
      expect(free === undefined || free + 1 < taken || free > taken).toBe(true);
      const after = await freeRange('127.0.0.1', taken + 1, 1);
      expect(after).toBeGreaterThan(taken);
      expect(await portFree('127.0.0.1', after!)).toBe(true);
    } finally {
      server.close();
    }
  });
});
