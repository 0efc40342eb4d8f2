// A metrics stream while a view shows charts: opened through the Bridge with the topics and groups
// the view wants, reopened when they (or the connection) change, cancelled when the view goes.
import { onBeforeUnmount, ref, shallowRef, watch } from 'vue';
import type { MetricsArgs } from '../../../core/console/bridge.ts';
import { messageOf } from '../bridge/errors.ts';
import { useBridge } from '../bridge/use-bridge.ts';
import { MetricsHistory } from '../lib/series.ts';
import { useConnectionStore } from '../stores/connection.ts';

export type MetricsWanted = Pick<MetricsArgs, 'topics' | 'groups'> | null;

export function useMetrics(wanted: () => MetricsWanted, intervalMs = 2000) {
  const history = shallowRef(new MetricsHistory());
  /** Bumped on every sample (the history is mutated in place). */
  const tick = ref(0);
  const error = ref<string | null>(null);
  const conn = useConnectionStore();
  let subscription: string | null = null;
  let token = 0;

  async function close(): Promise<void> {
    token++;
    const sub = subscription;
    subscription = null;
    if (sub)
      await useBridge()
        .invoke('tailCancel', { subscription: sub })
        .catch(() => undefined);
  }

  async function open(w: MetricsWanted): Promise<void> {
    await close();
    const mine = token;
    history.value = new MetricsHistory();
    tick.value++;
    error.value = null;
    if (!w || ((w.topics === undefined || (Array.isArray(w.topics) && w.topics.length === 0)) && !w.groups?.length))
      return;
    try {
      const opened = await useBridge().openTail({ stream: 'metrics', ...w, intervalMs }, (e) => {
        if (mine !== token) return;
        if (e.type === 'sample') {
          history.value.add(e.sample);
          tick.value++;
          error.value = null;
        } else if (e.type === 'error') error.value = e.message;
      });
      if (mine !== token)
        await useBridge()
          .invoke('tailCancel', { subscription: opened.subscription })
          .catch(() => undefined);
      else subscription = opened.subscription;
    } catch (e) {
      if (mine === token) error.value = messageOf(e);
    }
  }

  watch(
    () => JSON.stringify([wanted(), conn.generation]),
    () => {
      void open(wanted());
    },
    { immediate: true },
  );
  onBeforeUnmount(() => {
    void close();
  });
  return { history, tick, error };
}
