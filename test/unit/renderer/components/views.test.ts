// @vitest-environment happy-dom
// Views mounted with a fake Bridge: the Producer's JSON check (a bad value says why and sends
// nothing), the Tail's table (a window of the kept records is rendered; the kept records are capped)
// and the Topics table with 10,000 topics (a window of rows rendered; search filters).
import { VIEWPORT_HEIGHT } from '../../../helpers/renderer/layout.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordView, TopicSummary } from '../../../../core/console/bridge.ts';
import { useProducerStore } from '../../../../renderer/src/stores/producer.ts';
import { useTailStore } from '../../../../renderer/src/stores/tail.ts';
import ProducerView from '../../../../renderer/src/views/ProducerView.vue';
import TailView from '../../../../renderer/src/views/TailView.vue';
import TopicsView from '../../../../renderer/src/views/TopicsView.vue';
import {
  byTestId,
  cleanup,
  click,
  exists,
  FakeBridge,
  feedback,
  mountWith,
  overview,
  settle,
  status,
  topic,
  typeInto,
  type Mounted,
} from '../../../helpers/renderer/mount.ts';

let m: Mounted | undefined;
afterEach(() => {
  cleanup(m);
  m = undefined;
});

/** The body rows the table put in the document (not the rows it has data for). */
const renderedRows = (id: string) => byTestId(id).querySelectorAll('tbody tr.n-data-table-tr');
/** Rows of a small table (28 px) that fill the viewport, with a row of slack either side. */
const WINDOW = Math.ceil(VIEWPORT_HEIGHT / 28) + 2;

// The chart (a canvas) has nothing to do with these tests.
const stubs = { LineChart: true };

describe('ProducerView', () => {
  it('says why a value is not JSON and sends nothing; valid JSON is sent', async () => {
    const b = new FakeBridge();
    b.answers.listTopics = () => [topic('orders', { partitions: 3 })];
    b.answers.clusterOverview = () => overview(['online']);
    b.answers.produce = () => ({ topic: 'orders', partition: 1, offset: '41', timestamp: 0 });
    m = await mountWith(ProducerView, b, {}, stubs);
    useProducerStore().topic = 'orders';
    expect(feedback('Value')).toBe('');
    await typeInto('produce-value', '{"id": 1,');
    expect(feedback('Value')).toMatch(/^Not valid JSON: /);
    expect(status('Value')).toBe('error');
    await click('produce-send');
    expect(b.of('produce')).toEqual([]);
    expect(exists('produce-result')).toBe(false);
    expect(feedback('Value')).toMatch(/JSON/);

    await typeInto('produce-value', '{"id": 1}');
    expect(feedback('Value')).toBe('');
    await click('produce-send');
    expect(b.of('produce')).toHaveLength(1);
    expect(b.of('produce')[0]).toMatchObject({ topic: 'orders', value: '{"id": 1}', valueFormat: 'json' });
    expect(byTestId('produce-result').textContent).toMatch(/orders.*partition.*1.*offset.*41/);
  });
});

const rec = (offset: number): RecordView => ({
  partition: 0,
  offset: String(offset),
  timestamp: 1_700_000_000_000 + offset,
  timestampType: 'CreateTime',
  key: null,
  value: { encoding: 'utf8', data: `value-${offset}`, size: 10 },
  headers: [],
});

describe('TailView', () => {
  it('renders a window of the kept records, and keeps only the newest `cap`', async () => {
    const b = new FakeBridge();
    b.answers.listTopics = () => [topic('events')];
    m = await mountWith(TailView, b, {}, stubs);
    const tail = useTailStore();
    tail.topic = 'events';
    tail.autoScroll = false;
    await click('tail-start-button');
    expect(b.streams).toMatchObject([{ topic: 'events', start: { kind: 'latest' } }]);
    // The cap, as typed in the view.
    const capInput = byTestId('tail-view').querySelector<HTMLInputElement>('.stats input')!;
    capInput.value = '2000';
    capInput.dispatchEvent(new Event('input', { bubbles: true }));
    capInput.dispatchEvent(new Event('blur'));
    await settle();
    expect(tail.cap).toBe(2000);

    const listener = b.listeners.at(-1)!;
    for (let i = 0; i < 5000; i += 500)
      listener({ type: 'records', records: Array.from({ length: 500 }, (_, j) => rec(i + j)) });
    tail.flush();
    await settle();
    expect(byTestId('tail-received').textContent).toBe('5000');
    expect(byTestId('tail-shown').textContent).toBe('2000');
    expect(tail.rows[0]!.offset).toBe('3000');
    expect(tail.rows.at(-1)!.offset).toBe('4999');
    const rows = renderedRows('tail-table');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThanOrEqual(WINDOW);
    // The window starts at the oldest kept record.
    expect(rows[0]!.textContent).toContain('3000');
    expect(rows[0]!.textContent).toContain('value-3000');
  });
});

describe('TopicsView', () => {
  it('renders a window of 10,000 topics, and search filters them', async () => {
    const all: TopicSummary[] = Array.from({ length: 10_000 }, (_, i) =>
      topic(`topic-${String(i).padStart(5, '0')}`, { recordCount: String(i) }),
    );
    const b = new FakeBridge();
    b.answers.listTopics = () => all;
    b.answers.clusterOverview = () => overview(['online']);
    m = await mountWith(TopicsView, b, {}, stubs);
    expect(byTestId('topic-count').textContent).toBe('10000');
    const rows = renderedRows('topics-table');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThanOrEqual(WINDOW);
    expect(exists('topic-topic-00000')).toBe(true);
    expect(exists('topic-topic-09999')).toBe(false);

    await typeInto('topic-search', 'topic-0999');
    expect(byTestId('topic-count').textContent).toBe('10');
    const shown = [...renderedRows('topics-table')].map((r) => r.querySelector('.topic-link')?.textContent);
    expect(shown).toEqual(Array.from({ length: 10 }, (_, i) => `topic-0999${i}`));
    expect(byTestId('records-topic-09999').textContent).not.toBe('');

    await typeInto('topic-search', 'no-such-topic');
    expect(byTestId('topic-count').textContent).toBe('0');
    expect(renderedRows('topics-table')).toHaveLength(0);
  });
});
