import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Compression, ProduceResult } from '../../../core/console/bridge.ts';
import { fieldOf, messageOf } from '../bridge/errors.ts';
import { useBridge } from '../bridge/use-bridge.ts';
import { jsonError } from '../lib/payload.ts';

export interface SentRecord extends ProduceResult {
  key: string;
  value: string;
  headers: number;
  at: number;
}

export const useProducerStore = defineStore('producer', () => {
  const topic = ref('');
  const partition = ref<number | null>(null);
  const key = ref('');
  const value = ref('');
  const format = ref<'text' | 'json'>('json');
  const compression = ref<Compression>('none');
  const headers = ref<{ key: string; value: string }[]>([]);
  const sending = ref(false);
  const error = ref<{ field: string | undefined; message: string } | null>(null);
  const history = ref<SentRecord[]>([]);
  const last = computed(() => history.value[0] ?? null);

  const valueError = computed(() => (format.value === 'json' && value.value.trim() !== '' ? jsonError(value.value) : null));

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
        ...(partition.value !== null ? { partition: partition.value } : {}),
        key: key.value === '' ? null : key.value,
        value: value.value,
        valueFormat: format.value,
        headers: hs,
        compression: compression.value,
      });
      history.value = [{ ...result, key: key.value, value: value.value, headers: hs.length, at: Date.now() }, ...history.value].slice(0, 500);
      return result;
    } catch (e) {
      error.value = { field: fieldOf(e), message: messageOf(e) };
      return null;
    } finally {
      sending.value = false;
    }
  }

  return { topic, partition, key, value, format, compression, headers, sending, error, history, last, valueError, send };
});
