import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { GroupDetail, GroupSummary, ResetTarget } from '../../../core/console/bridge.ts';
import { messageOf } from '../bridge/errors.ts';
import { useBridge } from '../bridge/use-bridge.ts';

export const useGroupsStore = defineStore('groups', () => {
  const groups = shallowRef<GroupSummary[]>([]);
  const selected = ref<string | null>(null);
  const detail = shallowRef<GroupDetail | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      groups.value = await useBridge().invoke('listGroups', {});
      error.value = null;
      if (selected.value) await select(selected.value);
    } catch (e) {
      error.value = messageOf(e);
    } finally {
      loading.value = false;
    }
  }

  async function select(groupId: string): Promise<void> {
    selected.value = groupId;
    try {
      detail.value = await useBridge().invoke('describeGroup', { groupId });
      error.value = null;
    } catch (e) {
      detail.value = null;
      error.value = messageOf(e);
    }
  }

  /** Resets the selected group's committed offsets (all its topics, or one); returns the error or null. */
  async function resetOffsets(to: ResetTarget, topic?: string | null): Promise<string | null> {
    const groupId = selected.value;
    if (!groupId) return 'Pick a group first.';
    try {
      detail.value = await useBridge().invoke('resetGroupOffsets', topic ? { groupId, topic, to } : { groupId, to });
      return null;
    } catch (e) {
      return messageOf(e);
    }
  }

  async function remove(groupId: string): Promise<string | null> {
    try {
      await useBridge().invoke('deleteGroup', { groupId });
    } catch (e) {
      return messageOf(e);
    }
    if (selected.value === groupId) {
      selected.value = null;
      detail.value = null;
    }
    await load();
    return null;
  }

  return { groups, selected, detail, error, loading, load, select, resetOffsets, remove };
});
