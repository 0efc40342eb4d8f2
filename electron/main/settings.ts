// The desktop app's settings, kept as JSON in the app's user-data folder. Every value is checked
// when loaded and when saved: a hand-edited or damaged file falls back to the defaults field by field.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

export interface TopicDefaults {
  /** num.partitions */
  partitions: number;
  /** default.replication.factor (capped by the number of brokers) */
  replicationFactor: number;
  /** log.retention.hours */
  retentionHours: number;
  /** auto.create.topics.enable */
  autoCreateTopics: boolean;
}

export interface Settings {
  /** Broker processes of the local cluster. */
  brokers: number;
  /** Listener port of broker 1; broker N listens on port + N - 1. */
  port: number;
  /** Port of the controller's loopback controller listener. */
  controllerPort: number;
  /** Listen address of the brokers (127.0.0.1: only this machine). */
  host: string;
  /** Where the cluster keeps its data. */
  dataDir: string;
  topicDefaults: TopicDefaults;
}

export const MAX_BROKERS = 9;

export function defaultSettings(dataDir: string): Settings {
  return {
    brokers: 1,
    port: 9092,
    controllerPort: 9091,
    host: '127.0.0.1',
    dataDir,
    topicDefaults: { partitions: 1, replicationFactor: 1, retentionHours: 168, autoCreateTopics: true },
  };
}

export class SettingsError extends Error {
  field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\d{1,3}(?:\.\d{1,3}){3}|::|::1|0\.0\.0\.0)$/;

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new SettingsError(field, `${field} must be a whole number from ${min} to ${max}`);
  return v;
}

/** Checks a full settings object (as the settings window sends it); throws SettingsError naming the field. */
export function validateSettings(raw: unknown): Settings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SettingsError('settings', 'settings must be an object');
  const r = raw as Record<string, unknown>;
  const brokers = int(r.brokers, 'brokers', 1, MAX_BROKERS);
  const port = int(r.port, 'port', 1024, 65535 - (brokers - 1));
  const controllerPort = int(r.controllerPort, 'controllerPort', 1024, 65535);
  if (controllerPort >= port && controllerPort < port + brokers)
    throw new SettingsError(
      'controllerPort',
      `controllerPort ${controllerPort} collides with a broker port (${port}–${port + brokers - 1})`,
    );
  if (typeof r.host !== 'string' || !HOST.test(r.host))
    throw new SettingsError('host', 'host must be an IP address or host name, e.g. 127.0.0.1');
  if (typeof r.dataDir !== 'string' || !isAbsolute(r.dataDir) || r.dataDir.includes('\0'))
    throw new SettingsError('dataDir', 'dataDir must be an absolute path');
  const td = r.topicDefaults;
  if (typeof td !== 'object' || td === null || Array.isArray(td))
    throw new SettingsError('topicDefaults', 'topicDefaults must be an object');
  const t = td as Record<string, unknown>;
  if (typeof t.autoCreateTopics !== 'boolean')
    throw new SettingsError('topicDefaults.autoCreateTopics', 'topicDefaults.autoCreateTopics must be true or false');
  return {
    brokers,
    port,
    controllerPort,
    host: r.host,
    dataDir: r.dataDir,
    topicDefaults: {
      partitions: int(t.partitions, 'topicDefaults.partitions', 1, 10_000),
      replicationFactor: int(t.replicationFactor, 'topicDefaults.replicationFactor', 1, MAX_BROKERS),
      retentionHours: int(t.retentionHours, 'topicDefaults.retentionHours', 1, 1_000_000),
      autoCreateTopics: t.autoCreateTopics,
    },
  };
}

/** Reads the settings file; missing or invalid fields take their defaults (a missing file: all defaults). */
export function loadSettings(file: string, defaults: Settings, log: (msg: string) => void = () => undefined): Settings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      log(`settings: ${file} is unreadable (${(e as Error).message}); using defaults`);
    return structuredClone(defaults);
  }
  const merged = structuredClone(defaults) as unknown as Record<string, unknown>;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw)) {
      if (!Object.hasOwn(defaults, k)) continue;
      if (k === 'topicDefaults' && typeof v === 'object' && v !== null) {
        for (const [tk, tv] of Object.entries(v))
          if (Object.hasOwn(defaults.topicDefaults, tk)) (merged.topicDefaults as Record<string, unknown>)[tk] = tv;
      } else merged[k] = v;
    }
  }
  // One bad value does not reset everything: each failing field falls back to its default in turn.
  for (let attempt = 0; attempt < 16; attempt++) {
    try {
      return validateSettings(merged);
    } catch (e) {
      const field = e instanceof SettingsError ? e.field : '';
      log(`settings: ${(e as Error).message}; using the default`);
      const [top, sub] = field.split('.');
      if (top === 'topicDefaults' && sub)
        (merged.topicDefaults as Record<string, unknown>)[sub] = (
          defaults.topicDefaults as unknown as Record<string, unknown>
        )[sub];
      else if (top && Object.hasOwn(defaults, top))
        merged[top] = structuredClone((defaults as unknown as Record<string, unknown>)[top]);
      else break;
    }
  }
  return structuredClone(defaults);
}

/** Writes the settings atomically (temp file, then rename). */
export function saveSettings(file: string, settings: Settings): void {
  const valid = validateSettings(settings);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.settings-${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(valid, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Broker configs (`--override key=value`) the topic defaults stand for. */
export function brokerOverrides(s: Settings): string[] {
  return [
    `num.partitions=${s.topicDefaults.partitions}`,
    `default.replication.factor=${Math.min(s.topicDefaults.replicationFactor, s.brokers)}`,
    `log.retention.hours=${s.topicDefaults.retentionHours}`,
    `auto.create.topics.enable=${s.topicDefaults.autoCreateTopics}`,
  ];
}
