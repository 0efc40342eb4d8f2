import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type {
  Acks,
  Compression,
  Partitioning,
  ProduceManyResult,
  ProduceResult,
} from '../../../core/console/bridge.ts';
import { fieldOf, messageOf } from '../bridge/errors.ts';
import { useBridge } from '../bridge/use-bridge.ts';
import { jsonError } from '../lib/payload.ts';

export interface SentRecord extends ProduceResult {
  key: string;
  value: string;
  headers: number;
  at: number;
}

/** Records per produceMany call when sending N from a template. */
export const GENERATE_BATCH = 2000;
export const MAX_GENERATE = 100_000;

export interface GenerateSummary {
  count: number;
  requested: number;
  cancelled: boolean;
  ms: number;
  partitions: { partition: number; count: number; firstOffset: string | null; lastOffset: string | null }[];
}

/** Folds one batch's per-partition result into the running summary (first offset kept, last replaced). */
export function mergeBatch(into: GenerateSummary, batch: ProduceManyResult): void {
  into.count += batch.count;
  for (const b of batch.partitions) {
    const p = into.partitions.find((x) => x.partition === b.partition);
    if (!p) into.partitions.push({ ...b });
    else {
      p.count += b.count;
      p.firstOffset ??= b.firstOffset;
      p.lastOffset = b.lastOffset ?? p.lastOffset;
    }
  }
  into.partitions.sort((x, y) => x.partition - y.partition);
}

export const useProducerStore = defineStore('producer', () => {
  const topic = ref('');
  const partition = ref<number | null>(null);
  const partitioning = ref<Partitioning>('key');
  const acks = ref<Acks>('all');
  const mode = ref<'one' | 'many'>('one');
  const keyTemplate = ref('key-{{i}}');
  const valueTemplate = ref('{"n": {{i}}, "at": {{now}}}');
  const total = ref(1000);
  const generating = ref(false);
  const progress = ref(0);
  const summary = ref<GenerateSummary | null>(null);
  let cancelRequested = false;
  const key = ref('');
  const value = ref('');
  const format = ref<'text' | 'json'>('json');
  const compression = ref<Compression>('none');
  const headers = ref<{ key: string; value: string }[]>([]);
  const sending = ref(false);
  const error = ref<{ field: string | undefined; message: string } | null>(null);
  const history = ref<SentRecord[]>([]);
  const last = computed(() => history.value[0] ?? null);

  const valueError = computed(() =>
    format.value === 'json' && value.value.trim() !== '' ? jsonError(value.value) : null,
  );
  // An error about the value is about the value that was sent: it goes once the value (or its format) changes.
  watch(
    [value, format],
    () => {
      if (error.value?.field === 'value') error.value = null;
    },
    { flush: 'sync' },
  );

  function partitionArgs() {
    // A partition typed while "by key" is chosen still means that partition (as before the partitioning choice existed).
    const how = partitioning.value === 'key' && partition.value !== null ? 'fixed' : partitioning.value;
    return how === 'fixed' && partition.value !== null
      ? { partitioning: how, partition: partition.value }
      : { partitioning: how };
  }

  /** Sends `total` records from the templates in batches, with progress; cancel() stops after the batch under way. */
  async function generate(): Promise<GenerateSummary | null> {
    error.value = null;
    if (topic.value === '') {
      error.value = { field: 'topic', message: 'Pick a topic to produce to.' };
      return null;
    }
    const n = Math.floor(total.value);
    if (!Number.isFinite(n) || n < 1 || n > MAX_GENERATE) {
      error.value = { field: 'total', message: `Send from 1 to ${MAX_GENERATE.toLocaleString('en-US')} records.` };
      return null;
    }
    if (partitioning.value === 'fixed' && partition.value === null) {
      error.value = { field: 'partition', message: 'Pick the partition to send to.' };
      return null;
    }
    generating.value = true;
    cancelRequested = false;
    progress.value = 0;
    const started = Date.now();
    const s: GenerateSummary = { count: 0, requested: n, cancelled: false, ms: 0, partitions: [] };
    summary.value = null;
    try {
      const hs = headers.value.filter((h) => h.key.trim() !== '');
      for (let from = 0; from < n; from += GENERATE_BATCH) {
        if (cancelRequested) {
          s.cancelled = true;
          break;
        }
        const r = await useBridge().invoke('produceMany', {
          topic: topic.value,
          ...partitionArgs(),
          acks: acks.value,
          keyTemplate: keyTemplate.value === '' ? null : keyTemplate.value,
          valueTemplate: valueTemplate.value,
          valueFormat: format.value,
          headers: hs,
          compression: compression.value,
          from,
          count: Math.min(GENERATE_BATCH, n - from),
        });
        mergeBatch(s, r);
        progress.value = s.count;
      }
      return s;
    } catch (e) {
      error.value = { field: fieldOf(e), message: messageOf(e) };
      return s.count > 0 ? s : null;
    } finally {
      s.ms = Date.now() - started;
      if (s.count > 0 || s.cancelled) summary.value = { ...s, partitions: [...s.partitions] };
      generating.value = false;
    }
  }

  function cancel(): void {
    cancelRequested = true;
  }

  async function send(): Promise<ProduceResult | null> {
    error.value = null;
    if (topic.value === '') {
      error.value = { field: 'topic', message: 'Pick a topic to produce to.' };
      return null;
    }
    if (valueError.value) {
      error.value = { field: 'value', message: `The value is not valid JSON: ${valueError.value}` };
      return null;
    }
    sending.value = true;
    try {
      const hs = headers.value.filter((h) => h.key.trim() !== '');
      const result = await useBridge().invoke('produce', {
        topic: topic.value,
        ...partitionArgs(),
        acks: acks.value,
        key: key.value === '' ? null : key.value,
        value: value.value,
        valueFormat: format.value,
        headers: hs,
        compression: compression.value,
      });
      history.value = [
        { ...result, key: key.value, value: value.value, headers: hs.length, at: Date.now() },
        ...history.value,
      ].slice(0, 500);
      return result;
    } catch (e) {
      error.value = { field: fieldOf(e), message: messageOf(e) };
      return null;
    } finally {
      sending.value = false;
    }
  }

  return {
    partitioning,
    acks,
    mode,
    keyTemplate,
    valueTemplate,
    total,
    generating,
    progress,
    summary,
    generate,
    cancel,
    topic,
    partition,
    key,
    value,
    format,
    compression,
    headers,
    sending,
    error,
    history,
    last,
    valueError,
    send,
  };
});
