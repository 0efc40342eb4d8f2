import { defineStore } from 'pinia';
import { ref } from 'vue';

export type ViewName = 'cluster' | 'topics' | 'topic' | 'produce' | 'tail' | 'groups';

/** Which view is shown (a tiny router: the console has a handful of views). */
export const useNavStore = defineStore('nav', () => {
  const view = ref<ViewName>('topics');
  const topic = ref<string | null>(null);
  function go(v: ViewName, t?: string): void {
    view.value = v;
    if (t !== undefined) topic.value = t;
  }
  return { view, topic, go };
});
