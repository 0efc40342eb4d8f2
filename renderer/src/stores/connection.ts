// The bridge transport's state, the connections (the local cluster first, then remote ones) and
// which one every view works against. `generation` changes on every switch so views reload.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ConnectionState, ConnectionTestResult, ConnectionView } from '../../../core/console/bridge.ts';
import { fieldOf, messageOf } from '../bridge/errors.ts';
import { useBridge } from '../bridge/use-bridge.ts';
import { toInput, type ConnectionForm } from '../lib/connection-form.ts';

export interface FieldError {
  field: string | undefined;
  message: string;
}

export const useConnectionStore = defineStore('connection', () => {
  const state = ref<ConnectionState>('connecting');
  const bootstrap = ref('');
  const name = ref('');
  const selected = ref('local');
  const controllable = ref(false);
  const clusterReachable = ref<boolean | null>(null);
  const error = ref<string | null>(null);
  const connections = shallowRef<ConnectionView[]>([]);
  const generation = ref(0);
  let started = false;

  const current = computed(() => connections.value.find((c) => c.id === selected.value) ?? null);

  async function refresh(): Promise<void> {
    try {
      const info = await useBridge().invoke('connection', {});
      bootstrap.value = info.bootstrap;
      name.value = info.name;
      selected.value = info.id;
      controllable.value = info.controllable;
      clusterReachable.value = info.connected;
      error.value = null;
    } catch (e) {
      clusterReachable.value = false;
      error.value = messageOf(e);
    }
    await loadConnections();
  }

  async function loadConnections(): Promise<void> {
    try {
      const s = await useBridge().invoke('listConnections', {});
      connections.value = s.connections;
      selected.value = s.selected;
    } catch (e) {
      error.value = messageOf(e);
    }
  }

  /** Switches every view to a connection; returns the error (with its field) or null. */
  async function select(id: string, password?: string): Promise<FieldError | null> {
    try {
      const info = await useBridge().invoke('selectConnection', password ? { id, password } : { id });
      bootstrap.value = info.bootstrap;
      name.value = info.name;
      selected.value = info.id;
      controllable.value = info.controllable;
      clusterReachable.value = info.connected;
      error.value = null;
      generation.value++;
      await loadConnections();
      return null;
    } catch (e) {
      return { field: fieldOf(e), message: messageOf(e) };
    }
  }

  async function test(form: ConnectionForm): Promise<{ ok: ConnectionTestResult } | { error: FieldError }> {
    try {
      return { ok: await useBridge().invoke('testConnection', toInput(form)) };
    } catch (e) {
      return { error: { field: fieldOf(e), message: messageOf(e) } };
    }
  }

  /** Saves a connection; returns its id, or the error (the form keeps its values). */
  async function save(form: ConnectionForm): Promise<{ id: string } | { error: FieldError }> {
    try {
      const r = await useBridge().invoke('saveConnection', toInput(form));
      connections.value = r.connections;
      if (r.saved === selected.value) {
        generation.value++;
        await refresh();
      }
      return { id: r.saved };
    } catch (e) {
      return { error: { field: fieldOf(e), message: messageOf(e) } };
    }
  }

  async function remove(id: string): Promise<string | null> {
    try {
      const wasSelected = id === selected.value;
      const r = await useBridge().invoke('deleteConnection', { id });
      connections.value = r.connections;
      if (wasSelected) {
        generation.value++;
        await refresh();
      }
      return null;
    } catch (e) {
      return messageOf(e);
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

  return {
    state,
    bootstrap,
    name,
    selected,
    controllable,
    clusterReachable,
    error,
    connections,
    generation,
    current,
    start,
    refresh,
    loadConnections,
    select,
    test,
    save,
    remove,
  };
});
