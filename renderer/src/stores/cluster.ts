// The Cluster view's data: the overview (brokers, counts), refreshed live while the view is open so a
// failover can be watched, and the local cluster's broker controls.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { BrokerAction, ClusterOverview } from '../../../core/console/bridge.ts';
import { messageOf } from '../bridge/errors.ts';
import { useBridge } from '../bridge/use-bridge.ts';

export const REFRESH_MS = 1500;

export const useClusterStore = defineStore('cluster', () => {
  const overview = shallowRef<ClusterOverview | null>(null);
  const error = ref<string | null>(null);
  const actionError = ref<{ broker: number | null; message: string } | null>(null);
  /** Broker id (or 'add') with an action under way. */
  const busy = ref<number | 'add' | null>(null);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let live = false;

  async function load(): Promise<void> {
    try {
      overview.value = await useBridge().invoke('clusterOverview', {});
      error.value = null;
    } catch (e) {
      error.value = messageOf(e);
    }
  }

  async function tick(): Promise<void> {
    timer = null;
    await load();
    if (live) timer = setTimeout(() => void tick(), REFRESH_MS);
  }

  function startLive(): void {
    if (live) return;
    live = true;
    void tick();
  }

  function stopLive(): void {
    live = false;
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  }

  async function act(id: number, action: BrokerAction): Promise<boolean> {
    busy.value = id;
    actionError.value = null;
    try {
      overview.value = await useBridge().invoke('brokerControl', { id, action });
      return true;
    } catch (e) {
      actionError.value = { broker: id, message: messageOf(e) };
      return false;
    } finally {
      busy.value = null;
    }
  }

  async function add(): Promise<boolean> {
    busy.value = 'add';
    actionError.value = null;
    try {
      overview.value = await useBridge().invoke('addBroker', {});
      return true;
    } catch (e) {
      actionError.value = { broker: null, message: messageOf(e) };
      return false;
    } finally {
      busy.value = null;
    }
  }

  return { overview, error, actionError, busy, load, startLive, stopLive, act, add };
});
