import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { GroupDetail, GroupSummary } from '../../../core/console/bridge.ts';
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

  return { groups, selected, detail, error, loading, load, select };
});
