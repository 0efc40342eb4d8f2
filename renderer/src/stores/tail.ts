// The live tail: opens a subscription through the Bridge, keeps at most `cap` rows (the newest),
// and batches incoming records so a fast topic updates the view a few times a second, not per record.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { RecordView, StartPosition, TailEvent } from '../../../core/console/bridge.ts';
import { messageOf } from '../bridge/errors.ts';
import { matches, toCsv, toJsonLines, type FilterField } from '../lib/export.ts';
import { useBridge } from '../bridge/use-bridge.ts';

export type StartKind = StartPosition['kind'];

export interface TailRow {
  id: number;
  partition: number;
  offset: string;
  timestamp: number;
  record: RecordView;
}

export const DEFAULT_CAP = 10_000;
/** How often buffered records reach the view when animation frames are not available (a hidden page, tests). */
export const FLUSH_MS = 100;

// Browser globals looked up at run time (the store also runs in tests without a DOM).
const env = globalThis as {
  requestAnimationFrame?: (cb: () => void) => number;
  cancelAnimationFrame?: (id: number) => void;
  document?: { hidden: boolean };
};
const frame = env.requestAnimationFrame ? (cb: () => void) => env.requestAnimationFrame!(cb) : null;
const cancelFrame = env.cancelAnimationFrame ? (id: number) => env.cancelAnimationFrame!(id) : null;
/** Least time between two updates of the rows. */
export const MIN_GAP_MS = 50;
const pageHidden = () => env.document?.hidden === true;

export const useTailStore = defineStore('tail', () => {
  const topic = ref('');
  const partitions = ref<number[]>([]);
  const startKind = ref<StartKind>('latest');
  const startOffset = ref('0');
  const startTimestamp = ref<number>(Date.now() - 3_600_000);
  const lastN = ref(100);
  const cap = ref(DEFAULT_CAP);

  const subscription = ref<string | null>(null);
  const status = ref<'idle' | 'starting' | 'running' | 'paused'>('idle');
  const error = ref<string | null>(null);
  const rows = shallowRef<TailRow[]>([]);
  const received = ref(0);
  const positions = ref<Record<number, string>>({});
  const selected = shallowRef<TailRow | null>(null);
  const filterText = ref('');
  const filterField = ref<FilterField>('any');
  /** Keep the newest record in view as records arrive. */
  const autoScroll = ref(true);

  let pending: RecordView[] = [];
  /** Records that arrived while buffered beyond the cap: counted, never shown. */
  let skipped = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let frameId: number | null = null;
  let lastFlush = 0;
  let seq = 0;

  /** Asks for one flush at the next animation frame (or after FLUSH_MS when frames do not run). */
  function schedule(): void {
    if (timer !== null || frameId !== null) return;
    if (frame && !pageHidden()) {
      const onFrame = () => {
        // At most one update per MIN_GAP_MS however fast frames come: each one re-renders the table.
        if (performance.now() - lastFlush < MIN_GAP_MS) {
          frameId = frame!(onFrame);
          return;
        }
        frameId = null;
        flush();
      };
      frameId = frame(onFrame);
    } else
      timer = setTimeout(() => {
        timer = null;
        flush();
      }, FLUSH_MS);
  }

  function unschedule(): void {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (frameId !== null) {
      cancelFrame?.(frameId);
      frameId = null;
    }
  }

  const dropped = computed(() => Math.max(0, received.value - rows.value.length));
  /** The rows the filter lets through (all of them when there is no filter text). */
  const shown = computed(() =>
    filterText.value.trim() === ''
      ? rows.value
      : rows.value.filter((r) => matches(r.record, filterText.value, filterField.value)),
  );
  /** What is shown, as a file's contents. */
  function exportShown(format: 'jsonl' | 'csv'): string {
    const records = shown.value.map((r) => r.record);
    return format === 'csv' ? toCsv(records) : toJsonLines(records);
  }
  const lastRow = computed(() => rows.value[rows.value.length - 1] ?? null);

  function start(): StartPosition {
    switch (startKind.value) {
      case 'offset':
        return { kind: 'offset', offset: startOffset.value.trim() };
      case 'timestamp':
        return { kind: 'timestamp', timestamp: startTimestamp.value };
      case 'lastN':
        return { kind: 'lastN', n: lastN.value };
      default:
        return { kind: startKind.value };
    }
  }

  /** Moves buffered records into the rows (keeping the newest `cap`). */
  function flush(): void {
    unschedule();
    if (pending.length === 0) return;
    lastFlush = typeof performance !== 'undefined' ? performance.now() : Date.now();
    const incoming = pending;
    pending = [];
    received.value += incoming.length + skipped;
    skipped = 0;
    const fresh = incoming.length > cap.value ? incoming.slice(incoming.length - cap.value) : incoming;
    const keep = Math.max(0, cap.value - fresh.length);
    const old = rows.value.length > keep ? rows.value.slice(rows.value.length - keep) : rows.value;
    rows.value = old.concat(
      fresh.map((r) => ({ id: seq++, partition: r.partition, offset: r.offset, timestamp: r.timestamp, record: r })),
    );
  }

  function clear(): void {
    pending = [];
    skipped = 0;
    unschedule();
    rows.value = [];
    received.value = 0;
    selected.value = null;
  }

  function onEvent(sub: string, e: TailEvent): void {
    if (sub !== subscription.value) return;
    switch (e.type) {
      case 'records':
        for (const r of e.records) pending.push(r);
        // While frames do not run (a hidden page) the buffer keeps only what could be shown.
        if (pending.length > 2 * cap.value) {
          skipped += pending.length - cap.value;
          pending = pending.slice(pending.length - cap.value);
        }
        schedule();
        break;
      case 'seeked':
        // Records still buffered are from the old position.
        clear();
        positions.value = e.positions;
        break;
      case 'paused':
        status.value = 'paused';
        break;
      case 'resumed':
        status.value = 'running';
        break;
      case 'error':
        error.value = e.message;
        break;
      case 'closed':
        flush();
        subscription.value = null;
        status.value = 'idle';
        break;
    }
  }

  async function open(): Promise<boolean> {
    await stop();
    error.value = null;
    if (topic.value === '') {
      error.value = 'Pick a topic to tail.';
      return false;
    }
    clear();
    status.value = 'starting';
    let id: string | null = null;
    try {
      const opened = await useBridge().openTail(
        { topic: topic.value, partitions: partitions.value, start: start() },
        (e) => onEvent(id ?? '', e),
      );
      id = opened.subscription;
      subscription.value = id;
      positions.value = opened.positions;
      status.value = 'running';
      return true;
    } catch (e) {
      status.value = 'idle';
      error.value = messageOf(e);
      return false;
    }
  }

  async function control(op: 'tailPause' | 'tailResume' | 'tailCancel'): Promise<void> {
    const sub = subscription.value;
    if (!sub) return;
    try {
      await useBridge().invoke(op, { subscription: sub });
      if (op === 'tailPause') status.value = 'paused';
      if (op === 'tailResume') status.value = 'running';
    } catch (e) {
      error.value = messageOf(e);
    }
  }

  const pause = () => control('tailPause');
  const resume = () => control('tailResume');

  async function stop(): Promise<void> {
    const sub = subscription.value;
    if (!sub) return;
    await control('tailCancel');
    if (subscription.value === sub) {
      subscription.value = null;
      status.value = 'idle';
    }
  }

  /** Seeks the running tail to the start position in the form; rows start over. */
  async function seek(): Promise<boolean> {
    const sub = subscription.value;
    if (!sub) return open();
    error.value = null;
    try {
      const r = await useBridge().invoke('tailSeek', { subscription: sub, start: start() });
      positions.value = r.positions;
      return true;
    } catch (e) {
      error.value = messageOf(e);
      return false;
    }
  }

  function setCap(n: number): void {
    cap.value = Math.max(1, Math.floor(n));
    if (rows.value.length > cap.value) rows.value = rows.value.slice(rows.value.length - cap.value);
  }

  return {
    autoScroll,
    topic,
    partitions,
    startKind,
    startOffset,
    startTimestamp,
    lastN,
    cap,
    subscription,
    status,
    error,
    rows,
    received,
    positions,
    selected,
    dropped,
    lastRow,
    filterText,
    filterField,
    shown,
    exportShown,
    open,
    pause,
    resume,
    stop,
    seek,
    flush,
    clear,
    setCap,
  };
});
