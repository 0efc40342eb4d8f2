import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ConnectionState } from '../../../core/console/bridge.ts';
import { messageOf } from '../bridge/errors.ts';
import { useBridge } from '../bridge/use-bridge.ts';

/** The bridge transport's state and the cluster it points at. */
export const useConnectionStore = defineStore('connection', () => {
  const state = ref<ConnectionState>('connecting');
  const bootstrap = ref('');
  const clusterReachable = ref<boolean | null>(null);
  const error = ref<string | null>(null);
  let started = false;

  async function refresh(): Promise<void> {
    try {
      const info = await useBridge().invoke('connection', {});
      bootstrap.value = info.bootstrap;
      clusterReachable.value = info.connected;
      error.value = null;
    } catch (e) {
      clusterReachable.value = false;
      error.value = messageOf(e);
    }
  }

  function start(): void {
    if (started) return;
    started = true;
    useBridge().onState((s) => {
      state.value = s;
      if (s === 'open') void refresh();
    });
  }

  return { state, bootstrap, clusterReachable, error, start, refresh };
});
