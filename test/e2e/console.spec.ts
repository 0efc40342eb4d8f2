// The console as a user drives it, against `samsa start --ui` with a real broker.
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { expect, test } from './fixtures.ts';
import { ConsolePage, GroupsPage, ProducerPage, TailPage, TopicDetailPage, TopicsPage } from './pages/console.ts';

test.describe.configure({ mode: 'serial' });

function kafka(bootstrap: string) {
  return new Kafka({ brokers: [bootstrap], clientId: 'e2e', logLevel: logLevel.NOTHING });
}

async function createTopic(bootstrap: string, topic: string, numPartitions = 1) {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

/** Produces `count` lines "record-<i>" to partition 0 with kcat. */
function kcat(bootstrap: string, topic: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/kcat', ['-b', bootstrap, '-P', '-t', topic, '-p', '0', '-X', 'linger.ms=20'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited with ${code}: ${err}`))));
    const lines: string[] = [];
    for (let i = 0; i < count; i++) lines.push(`record-${i}`);
    p.stdin.end(`${lines.join('\n')}\n`);
  });
}

test('create a topic with 3 partitions, with live name validation', async ({ page, samsa, shot }) => {
  const app = new ConsolePage(page);
  await app.open(samsa.url);
  const topics = new TopicsPage(page);
  await topics.typeName('bad name!');
  await expect(page.getByTestId('create-dialog')).toContainText('is illegal');
  await page.keyboard.press('Escape');
  await topics.createTopic('orders', 3);
  await expect(topics.row('orders')).toBeVisible();
  await expect(page.getByTestId('topics-view').locator('tr', { hasText: 'orders' })).toContainText('3');
  await shot(page, 'topics');
  await topics.openTopic('orders');
  await expect(page.getByTestId('partitions-table').locator('tbody tr')).toHaveCount(3);
  await shot(page, 'topic-detail');
  await app.nav('cluster');
  await expect(page.getByTestId('cluster-view')).toContainText('Brokers');
  await shot(page, 'cluster');
});

test('produce JSON with a key and a header, and see it in the tail', async ({ page, samsa, shot }) => {
  const app = new ConsolePage(page);
  await app.open(samsa.url);
  await app.nav('produce');
  const producer = new ProducerPage(page);
  const result = await producer.send({
    topic: 'orders',
    key: 'customer-42',
    value: '{"id": 7, "total": 19.5}',
    header: ['source', 'e2e'],
  });
  expect(result).toMatch(/partition \d+ at offset 0/);
  await shot(page, 'producer');

  await app.nav('tail');
  const tail = new TailPage(page);
  await tail.start('orders', 'Earliest');
  await expect(tail.received()).toHaveText('1');
  const drawer = await tail.openRecord('customer-42');
  await expect(drawer.getByTestId('record-json')).toContainText('"total": 19.5');
  await expect(drawer).toContainText('source: e2e');
  await shot(page, 'tail-record');
  await page.keyboard.press('Escape');
  await tail.stop();
});

test('send 20,000 records from a template, round robin, with a summary', async ({ page, samsa, shot }) => {
  await createTopic(samsa.bootstrap, 'generated', 2);
  const app = new ConsolePage(page);
  await app.open(samsa.url);
  await app.nav('produce');
  const producer = new ProducerPage(page);
  const summary = await producer.generate({
    topic: 'generated',
    count: 20_000,
    valueTemplate: '{"n": {{i}}}',
    acks: 'acks=1 (leader)',
  });
  await expect(summary).toContainText('Sent 20,000 records');
  await expect(summary.getByTestId('produce-summary-partition')).toHaveText([
    /partition 0: 10000 records, offsets 0–9999/,
    /partition 1: 10000 records, offsets 0–9999/,
  ]);
  await shot(page, 'producer-generate');
});

test('seek the running tail to an offset', async ({ page, samsa }) => {
  await createTopic(samsa.bootstrap, 'seekable');
  await kcat(samsa.bootstrap, 'seekable', 10);
  const app = new ConsolePage(page);
  await app.open(samsa.url);
  await app.nav('tail');
  const tail = new TailPage(page);
  await tail.start('seekable', 'Earliest');
  await expect(tail.received()).toHaveText('10');
  await tail.seekTo(7);
  await expect(tail.received()).toHaveText('3');
  await expect(tail.last()).toHaveText('0:9');
  await expect(tail.rows().first()).toContainText('record-7');

  // Filter what is shown, and export it.
  await tail.filter('record-8');
  await expect(tail.matching()).toHaveText('1');
  await expect(tail.rows()).toHaveCount(1);
  const jsonl = await tail.export('jsonl');
  expect(jsonl.name).toMatch(/^seekable-.*\.jsonl$/);
  expect(JSON.parse(jsonl.text.trim())).toMatchObject({ partition: 0, offset: '8', value: 'record-8' });
  await tail.filter('');
  const csv = await tail.export('csv');
  expect(csv.text.trim().split('\r\n')).toHaveLength(4);
  await tail.stop();
});

test('edit topic configs, and delete records before an offset', async ({ page, samsa, shot }) => {
  await createTopic(samsa.bootstrap, 'editable');
  await kcat(samsa.bootstrap, 'editable', 5);
  const app = new ConsolePage(page);
  await app.open(samsa.url);
  await new TopicsPage(page).openTopic('editable');
  const detail = new TopicDetailPage(page);
  const bad = await detail.setConfig('retention.ms', 'abc');
  await expect(bad.getByTestId('config-error')).toContainText('INVALID_CONFIG');
  await expect(bad.locator('input')).toHaveValue('abc');
  await shot(page, 'topic-configs-error');
  await detail.setConfig('retention.ms', '3600000');
  await expect(detail.source('retention.ms')).toHaveText('topic override');
  await page.getByTestId('config-retention.ms').getByTestId('config-reset').first().click();
  await expect(detail.source('retention.ms')).toHaveText('default');
  await expect(await detail.deleteRecordsBefore(0, 3)).toHaveText('Partition 0 now starts at offset 3.');
  await expect(page.getByTestId('partitions-table').locator('tbody tr').first()).toContainText('3');
});

test('the tail keeps up with 50,000 records produced by kcat', async ({ page, samsa, shot }) => {
  await createTopic(samsa.bootstrap, 'firehose');
  const app = new ConsolePage(page);
  await app.open(samsa.url);
  await app.nav('tail');
  const tail = new TailPage(page);
  await tail.start('firehose', 'Latest');
  await kcat(samsa.bootstrap, 'firehose', 50_000);
  await expect(tail.received()).toHaveText('50000', { timeout: 20_000 });
  await expect(tail.shown()).toHaveText('10000');
  await expect(tail.last()).toHaveText('0:49999');
  await expect(tail.rows().first()).toBeVisible();
  await shot(page, 'tail-firehose');
  await tail.stop();
});

test("see a kafkajs consumer group's lag", async ({ page, samsa, shot }) => {
  await createTopic(samsa.bootstrap, 'payments', 2);
  const k = kafka(samsa.bootstrap);
  const producer = k.producer();
  await producer.connect();
  await producer.send({
    topic: 'payments',
    messages: Array.from({ length: 10 }, (_, i) => ({ value: `p${i}`, partition: 0 })),
  });
  const consumer = k.consumer({ groupId: 'billing', heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'payments', fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async () => {
        if (++seen === 10) resolve();
      },
    });
  });
  await consumer.stop();
  await consumer.disconnect();
  await producer.send({
    topic: 'payments',
    messages: Array.from({ length: 4 }, (_, i) => ({ value: `late${i}`, partition: 0 })),
  });
  await producer.disconnect();

  const app = new ConsolePage(page);
  await app.open(samsa.url);
  await app.nav('groups');
  const detail = await new GroupsPage(page).open('billing');
  await expect(detail.getByTestId('lag-payments-0')).toHaveText('4');
  await expect(detail.getByTestId('total-lag')).toHaveText('4');
  await shot(page, 'groups');

  // The consumer has left, so the group is Empty: reset its offsets, then delete it.
  const groups = new GroupsPage(page);
  await groups.resetTo('Earliest');
  await expect(detail.getByTestId('total-lag')).toHaveText('14');
  await groups.resetTo({ offset: 12 });
  await expect(detail.getByTestId('lag-payments-0')).toHaveText('2');
  await page.getByTestId('delete-group').click();
  await page.locator('.n-popconfirm').getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByTestId('group-billing')).toBeHidden();
});

test('requests without the token are refused', async ({ request, samsa }) => {
  const base = samsa.url.replace(/\?token=.*/, '');
  expect((await request.get(base)).status()).toBe(401);
  expect((await request.get(`${base}?token=wrong`)).status()).toBe(401);
  expect((await request.get(samsa.url)).status()).toBe(200);
});

// Cross-site WebSocket hijacking: a page served from another port of 127.0.0.1 counts as the same
// site, so the console's SameSite=Strict cookie would go along with its requests. Once the console
// has been opened (the cookie is set), such a page must still not reach the bridge.
test('a page from another origin cannot drive the console', async ({ page, samsa }) => {
  await page.goto(samsa.url);
  await expect(page.getByTestId('nav-topics')).toBeVisible();
  const consoleUrl = new URL(samsa.url);
  const attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>');
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (attacker.address() as AddressInfo).port;
    await page.goto(`http://127.0.0.1:${port}/`);
    const tries = await page.evaluate(
      async (target) => {
        const attempt = (url: string) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(url);
            ws.onopen = () => {
              ws.send(JSON.stringify({ id: 1, op: 'deleteTopic', args: { topic: 'victim' } }));
              ws.onmessage = (m) => resolve(`answered: ${String(m.data)}`);
            };
            ws.onerror = () => resolve('refused');
            ws.onclose = () => resolve('refused');
          });
        const host = target.host;
        return [
          await attempt(`ws://${host}/bridge`), // the cookie alone
          await attempt(`ws://${host}/bridge?token=${target.token}`), // even with a stolen token: wrong Origin
        ];
      },
      { host: consoleUrl.host, token: consoleUrl.searchParams.get('token') ?? '' },
    );
    expect(tries).toEqual(['refused', 'refused']);
  } finally {
    await new Promise((r) => attacker.close(r));
  }
  // The console's own page still works.
  await page.goto(samsa.url);
  await expect(page.getByTestId('nav-topics')).toBeVisible();
});

test('requests naming another Host are refused (DNS rebinding)', async ({ samsa }) => {
  const url = new URL(samsa.url);
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: `/${url.search}`, headers: { host: `rebound.example:${url.port}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(403);
});
