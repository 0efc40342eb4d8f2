// Connections, charts and the topic list's columns, against `samsa start --ui`.
import { Kafka, logLevel } from 'kafkajs';
import { expect, test } from './fixtures.ts';
import { ChartsPage, ConnectionsPage, ConsolePage, GroupsPage, TopicDetailPage, TopicsPage } from './pages/console.ts';

test.describe.configure({ mode: 'serial' });

function kafka(bootstrap: string) {
  return new Kafka({ brokers: [bootstrap], clientId: 'e2e-cluster', logLevel: logLevel.NOTHING });
}

async function createTopic(bootstrap: string, topic: string, numPartitions = 1) {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

/** The same broker under its other loopback name. */
function otherName(bootstrap: string): string {
  const port = bootstrap.split(':').at(-1);
  return bootstrap.startsWith('127.0.0.1') ? `localhost:${port}` : `127.0.0.1:${port}`;
}

test('add a second connection to the same broker, test it, switch to it and back', async ({ page, samsa, shot }) => {
  await createTopic(samsa.bootstrap, 'visible-everywhere');
  const app = new ConsolePage(page);
  await app.open(samsa.url);
  const conns = new ConnectionsPage(page);
  const dialog = await conns.openDialog();
  const other = otherName(samsa.bootstrap);

  // SASL against a broker without it: a readable error next to the SASL switch, the form kept.
  await conns.fill({
    name: 'Loopback',
    bootstrap: other,
    sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'secret' },
  });
  await expect(await conns.test()).toContainText('SASL does not seem to be enabled');
  await expect(dialog.getByTestId('conn-username').locator('input')).toHaveValue('alice');
  await shot(page, 'connections-sasl-error');

  await conns.setSasl(false);
  await expect(await conns.test()).toContainText(/Connected in \d+ ms: 1 broker/);
  await shot(page, 'connections');
  await conns.saveAndConnect();
  await expect(page.getByTestId('connection')).toContainText(other);
  await expect(new TopicsPage(page).row('visible-everywhere')).toBeVisible();

  await conns.switchTo('Local cluster');
  await expect(page.getByTestId('connection')).toContainText(samsa.bootstrap);
  await expect(new TopicsPage(page).row('visible-everywhere')).toBeVisible();
});

test('the topic list shows record counts and sizes', async ({ page, samsa, shot }) => {
  await createTopic(samsa.bootstrap, 'counted', 2);
  const producer = kafka(samsa.bootstrap).producer();
  await producer.connect();
  await producer.send({
    topic: 'counted',
    messages: Array.from({ length: 120 }, (_, i) => ({ value: `value-${i}`, partition: i % 2 })),
  });
  await producer.disconnect();
  const app = new ConsolePage(page);
  await app.open(samsa.url);
  const topics = new TopicsPage(page);
  await topics.search('counted');
  await expect(topics.records('counted')).toHaveText('120');
  await expect(topics.size('counted')).toHaveText(/^\d+(\.\d+)? (B|KiB)$/);
  await topics.search('');
  await shot(page, 'topics-columns');
});

test('records/s and lag charts appear and update while producing; internal topics only when asked', async ({
  page,
  samsa,
  shot,
}) => {
  await createTopic(samsa.bootstrap, 'charted');
  const k = kafka(samsa.bootstrap);
  const producer = k.producer();
  await producer.connect();
  let producing = true;
  const loop = (async () => {
    let i = 0;
    while (producing) {
      await producer.send({ topic: 'charted', messages: Array.from({ length: 50 }, () => ({ value: `r${i++}` })) });
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const app = new ConsolePage(page);
    await app.open(samsa.url);
    const topics = new TopicsPage(page);
    const charts = new ChartsPage(page);
    await expect.poll(() => charts.points(topics.chart()), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await expect(topics.rate('charted')).toHaveText(/^[1-9][\d,.]*$/, { timeout: 10_000 });
    await shot(page, 'topics-chart');

    await topics.openTopic('charted');
    const detail = new TopicDetailPage(page);
    const before = await charts.points(detail.chart());
    await expect.poll(() => charts.points(detail.chart()), { timeout: 15_000 }).toBeGreaterThan(Math.max(before, 1));
    await expect(detail.rate()).toHaveText(/^[1-9][\d,.]*$/);
    await shot(page, 'topic-detail-chart');

    // A consumer group's lag over time.
    const consumer = k.consumer({ groupId: 'charted-readers', heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'charted', fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async () => {
          if (++seen === 50) resolve();
        },
      });
    });
    await consumer.stop();
    await consumer.disconnect();
    await app.nav('groups');
    const groupDetail = await new GroupsPage(page).open('charted-readers');
    const lagChart = groupDetail.getByTestId('lag-chart');
    await expect.poll(() => charts.points(lagChart), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await shot(page, 'groups-lag-chart');

    // The group's commits created __consumer_offsets: listed only when internal topics are asked for.
    await app.nav('topics');
    await expect(topics.row('charted')).toBeVisible();
    await expect(topics.row('__consumer_offsets')).toBeHidden();
    await page.getByTestId('show-internal').click();
    await expect(topics.row('__consumer_offsets')).toBeVisible();
    await page.getByTestId('show-internal').click();
  } finally {
    producing = false;
    await loop;
    await producer.disconnect();
  }
});

test('the Cluster view shows brokers with status and disk, and no broker controls for a remote connection', async ({
  page,
  samsa,
  shot,
}) => {
  const app = new ConsolePage(page);
  await app.open(samsa.url);
  await app.nav('cluster');
  await expect(page.getByTestId('broker-status-1')).toHaveText('online');
  await expect(page.getByTestId('stat-offline')).toHaveText('0');
  await expect(page.getByTestId('brokers-table')).toContainText(/\d+(\.\d+)? (B|KiB|MiB)/);
  // One broker inside samsa start: nothing to stop or add, and the view says how to get more.
  await expect(page.getByTestId('broker-kill-1')).toBeHidden();
  await expect(page.getByTestId('cluster-hint')).toContainText('--brokers 3');
  await shot(page, 'cluster');
  await new ConnectionsPage(page).switchTo('Loopback');
  await expect(page.getByTestId('broker-stop-1')).toBeHidden();
  await expect(page.getByTestId('cluster-view')).toContainText(
    'can be stopped, killed, started and added on the local cluster',
  );
  await new ConnectionsPage(page).switchTo('Local cluster');
});
