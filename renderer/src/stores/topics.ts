import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type {
  ClusterOverview,
  CreateTopicArgs,
  ReassignmentView,
  TopicDetail,
  TopicSummary,
} from '../../../core/console/bridge.ts';
import { fieldOf, messageOf } from '../bridge/errors.ts';
import { useBridge } from '../bridge/use-bridge.ts';

export interface CreateForm {
  name: string;
  partitions: number | null;
  replicationFactor: number | null;
  configs: { key: string; value: string }[];
}

export const useTopicsStore = defineStore('topics', () => {
  const topics = shallowRef<TopicSummary[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const search = ref('');
  const showInternal = ref(false);
  const overview = shallowRef<ClusterOverview | null>(null);
  const detail = shallowRef<TopicDetail | null>(null);
  const detailError = ref<string | null>(null);

  const filtered = computed(() => {
    const q = search.value.trim().toLowerCase();
    return topics.value.filter(
      (t) => (showInternal.value || !t.internal) && (q === '' || t.name.toLowerCase().includes(q)),
    );
  });

  async function load(): Promise<void> {
    loading.value = true;
    try {
      const bridge = useBridge();
      const [list, ov] = await Promise.all([
        bridge.invoke('listTopics', { includeInternal: true }),
        bridge.invoke('clusterOverview', {}),
      ]);
      topics.value = list;
      overview.value = ov;
      error.value = null;
    } catch (e) {
      error.value = messageOf(e);
    } finally {
      loading.value = false;
    }
  }

  /** Creates a topic; returns null on success, else the error with the field it belongs to (the form keeps its values). */
  async function create(form: CreateForm): Promise<{ field: string | undefined; message: string } | null> {
    const args: CreateTopicArgs = { name: form.name.trim() };
    if (form.partitions !== null) args.partitions = form.partitions;
    if (form.replicationFactor !== null) args.replicationFactor = form.replicationFactor;
    const configs: Record<string, string> = {};
    for (const c of form.configs) if (c.key.trim() !== '') configs[c.key.trim()] = c.value;
    args.configs = configs;
    try {
      await useBridge().invoke('createTopic', args);
    } catch (e) {
      return { field: fieldOf(e), message: messageOf(e) };
    }
    await load();
    return null;
  }

  async function remove(name: string): Promise<string | null> {
    try {
      await useBridge().invoke('deleteTopic', { name });
    } catch (e) {
      return messageOf(e);
    }
    await load();
    return null;
  }

  async function loadDetail(name: string): Promise<void> {
    detail.value = null;
    detailError.value = null;
    try {
      detail.value = await useBridge().invoke('topicDetail', { name });
    } catch (e) {
      detailError.value = messageOf(e);
    }
  }

  /** Sets (value) or deletes (null) one config override of the open topic; returns the error (the form keeps its value) or null. */
  async function alterConfig(configName: string, value: string | null): Promise<string | null> {
    const name = detail.value?.name;
    if (!name) return 'No topic is open.';
    try {
      detail.value = await useBridge().invoke(
        'alterTopicConfigs',
        value === null ? { name, remove: [configName] } : { name, set: { [configName]: value } },
      );
      return null;
    } catch (e) {
      return messageOf(e);
    }
  }

  async function addPartitions(count: number): Promise<string | null> {
    const name = detail.value?.name;
    if (!name) return 'No topic is open.';
    try {
      detail.value = await useBridge().invoke('addPartitions', { name, count });
      return null;
    } catch (e) {
      return messageOf(e);
    }
  }

  /** Deletes the records before `offset` in one partition; returns the new start offset, or the error. */
  async function deleteRecords(
    partition: number,
    offset: string,
  ): Promise<{ startOffset: string } | { error: string }> {
    const name = detail.value?.name;
    if (!name) return { error: 'No topic is open.' };
    try {
      const r = await useBridge().invoke('deleteRecords', { name, partitions: [{ partition, offset: offset.trim() }] });
      detail.value = await useBridge().invoke('topicDetail', { name });
      return { startOffset: r.partitions[0]?.startOffset ?? offset };
    } catch (e) {
      return { error: messageOf(e) };
    }
  }

  type Moves = { partitions: ReassignmentView[] } | { error: string };
  async function reassignCall(
    op: 'alterReplicationFactor' | 'listReassignments' | 'cancelReassignments',
    extra: Record<string, unknown> = {},
  ): Promise<Moves> {
    const name = detail.value?.name;
    if (!name) return { error: 'No topic is open.' };
    try {
      const r = await useBridge().invoke(op, { name, ...extra } as never);
      return { partitions: (r as { partitions: ReassignmentView[] }).partitions };
    } catch (e) {
      return { error: messageOf(e) };
    }
  }
  /** Starts moving the open topic's partitions to `rf` replicas; returns the partitions being moved, or the error. */
  const alterReplicationFactor = (rf: number) => reassignCall('alterReplicationFactor', { replicationFactor: rf });
  const reassignments = () => reassignCall('listReassignments');
  const cancelReassignments = () => reassignCall('cancelReassignments');

  return {
    alterReplicationFactor,
    reassignments,
    cancelReassignments,
    topics,
    loading,
    error,
    search,
    showInternal,
    filtered,
    overview,
    detail,
    detailError,
    load,
    create,
    remove,
    loadDetail,
    alterConfig,
    addPartitions,
    deleteRecords,
  };
});
