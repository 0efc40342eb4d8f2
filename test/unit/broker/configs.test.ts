import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BrokerConfig,
  ConfigSource,
  TOPIC_CONFIGS,
  configValueError,
  effectiveTopicConfigs,
  topicConfigsError,
  topicNameError,
} from '../../../core/broker/configs.ts';
import { MetadataStore } from '../../../core/cluster/metadata-store.ts';
import { defaultDataDir } from '../../../core/cli/data-dir.ts';
import { parseArgs, UsageError } from '../../../core/cli/args.ts';

describe('topic names (Kafka rules)', () => {
  it.each(['a', 'orders.v1', 'A_b-c.9', 'x'.repeat(249)])('accepts %s', (n) => expect(topicNameError(n)).toBeNull());
  it.each(['', '.', '..', 'x'.repeat(250), 'has space', 'slash/y', 'ünicode', 'semi;colon'])('rejects %j', (n) => {
    expect(topicNameError(n)).toMatch(/illegal|cannot|can't/);
  });
});

describe('config validation', () => {
  it("rejects a non-numeric retention.ms with Kafka's wording", () => {
    expect(topicConfigsError({ 'retention.ms': 'abc' })).toBe(
      'Invalid value abc for configuration retention.ms: Not a number of type LONG',
    );
  });
  it('rejects unknown names, out-of-range and bad enum values', () => {
    expect(topicConfigsError({ 'no.such.config': '1' })).toMatch(/Unknown topic config/);
    expect(topicConfigsError({ 'segment.bytes': '10' })).toMatch(/at least 14/);
    expect(topicConfigsError({ 'cleanup.policy': 'compact,nope' })).toMatch(/must be one of/);
    expect(topicConfigsError({ 'message.timestamp.type': 'Sometime' })).toMatch(/must be one of/);
    expect(topicConfigsError({ 'min.cleanable.dirty.ratio': '1.5' })).toMatch(/no more than 1/);
    expect(topicConfigsError({ 'max.message.bytes': '99999999999' })).toMatch(/INT/);
    expect(topicConfigsError({ preallocate: 'yes' })).toMatch(/true or false/);
  });
  it('accepts good values', () => {
    expect(
      topicConfigsError({ 'retention.ms': '-1', 'cleanup.policy': 'compact,delete', 'min.insync.replicas': '2' }),
    ).toBeNull();
  });
  it('every topic config default is itself valid', () => {
    for (const d of TOPIC_CONFIGS.values()) expect(configValueError(d, d.default), d.name).toBeNull();
  });
});

describe('broker config and synonyms', () => {
  it('topic defaults come from the broker synonyms, scaled to the topic unit', () => {
    const c = new BrokerConfig();
    expect(c.topicDefault('retention.ms')).toEqual({
      value: '604800000',
      source: ConfigSource.DEFAULT_CONFIG,
      synonym: 'log.retention.hours',
    });
    expect(c.topicDefault('segment.ms').value).toBe('604800000');
    expect(c.topicDefault('max.message.bytes').value).toBe('1048588');
  });
  it('an explicit broker setting wins, and the most specific synonym first', () => {
    const c = BrokerConfig.fromOverrides(['log.retention.hours=1', 'log.retention.minutes=5']);
    expect(c.topicDefault('retention.ms')).toEqual({
      value: '300000',
      source: ConfigSource.STATIC_BROKER_CONFIG,
      synonym: 'log.retention.minutes',
    });
    const eff = effectiveTopicConfigs(c, { 'retention.ms': '42' });
    expect(eff['retention.ms']).toBe('42');
  });
  it('rejects unknown or invalid overrides', () => {
    expect(() => BrokerConfig.fromOverrides(['nope=1'])).toThrow(/Unknown broker config/);
    expect(() => BrokerConfig.fromOverrides(['num.partitions=zero'])).toThrow(/Invalid value/);
    expect(() => BrokerConfig.fromOverrides(['num.partitions'])).toThrow(/key=value/);
  });
  it('typed getters', () => {
    const c = BrokerConfig.fromOverrides(['auto.create.topics.enable=false', 'num.partitions=3']);
    expect(c.autoCreateTopicsEnable).toBe(false);
    expect(c.numPartitions).toBe(3);
    expect(c.socketRequestMaxBytes).toBe(104857600);
  });
});

describe('metadata store', () => {
  it('persists the cluster id, topics and configs across reopen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-meta-'));
    try {
      const a = MetadataStore.open(dir);
      const t = a.createTopic({
        name: 't1',
        partitions: 3,
        replicationFactor: 1,
        internal: false,
        configs: { 'retention.ms': '1000' },
      });
      expect(t.topicId).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      a.createTopic({ name: 't2', partitions: 1, replicationFactor: 1, internal: false, configs: {} });
      a.deleteTopic('t2');
      const id = a.clusterId;
      a.close();
      const b = MetadataStore.open(dir);
      expect(b.clusterId).toBe(id);
      expect(b.listTopics()).toEqual([
        {
          name: 't1',
          topicId: t.topicId,
          partitions: 3,
          replicationFactor: 1,
          internal: false,
          configs: { 'retention.ms': '1000' },
        },
      ]);
      // One record per topic and per partition, and one for the deletion.
      expect(b.changesAfter(0).changes.map((c) => c.type)).toEqual([
        'topic',
        'partition',
        'partition',
        'partition',
        'topic',
        'partition',
        'topicRemoved',
      ]);
      expect(b.lastChange()).toBe(7);
      b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cli helpers', () => {
  it('default data dir per platform, SAMSA_DATA_DIR overrides', () => {
    expect(defaultDataDir({ SAMSA_DATA_DIR: '/x' }, 'linux')).toBe('/x');
    expect(defaultDataDir({ XDG_DATA_HOME: '/d' }, 'linux')).toBe(join('/d', 'samsa'));
    expect(defaultDataDir({}, 'darwin')).toMatch(/Library\/Application Support\/Samsa$/);
  });
  it('parses options strictly', () => {
    const spec = {
      port: { value: true, description: '' },
      override: { value: true, repeat: true, description: '' },
      help: { description: '' },
    };
    const p = parseArgs(['--port=1', '--override', 'a=b', '--override', 'c=d', '--help'], spec);
    expect(p.values.get('port')).toEqual(['1']);
    expect(p.values.get('override')).toEqual(['a=b', 'c=d']);
    expect(p.flags.has('help')).toBe(true);
    expect(() => parseArgs(['--nope'], spec)).toThrow(UsageError);
    expect(() => parseArgs(['--port'], spec)).toThrow(/needs a value/);
    expect(() => parseArgs(['--port', '1', '--port', '2'], spec)).toThrow(/more than once/);
  });
});
