// Kill a broker from the Cluster view and see leaders move: the console against
// `samsa start --brokers 3 --ui` (a controller and three broker processes).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from './fixtures.ts';
import { ClusterPage, ConsolePage, TopicDetailPage, TopicsPage } from './pages/console.ts';

test.describe.configure({ mode: 'serial' });

const run = promisify(execFile);
let proc: ChildProcess | undefined;
let dataDir = '';
let url = '';
/** Every broker process seen during the test, by pid. */
const brokerPids = new Set<number>();

interface BrokerProcess {
  id: number;
  pid: number | null;
  status: string;
}

/** The cluster's broker processes, as `samsa broker list --json` reports them. */
async function brokerProcesses(): Promise<BrokerProcess[]> {
  const { stdout } = await run(process.execPath, ['bin/samsa.js', 'broker', 'list', '--json', '--data-dir', dataDir]);
  const list = JSON.parse(stdout) as BrokerProcess[];
  for (const b of list) if (b.pid !== null) brokerPids.add(b.pid);
  return list;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Processes whose command line names the data dir (where /proc exists). */
function processesUsing(dir: string): number[] {
  if (!existsSync('/proc/self/cmdline')) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(dir)) found.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

test.beforeAll(async () => {
  test.setTimeout(90_000);
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-e2e-cluster-'));
  proc = spawn(
    process.execPath,
    ['bin/samsa.js', 'start', '--brokers', '3', '--port', '0', '--ui', '--ui-port', '0', '--data-dir', dataDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the cluster did not start:\n${out}`)), 80_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const ready = /Samsa cluster of 3 brokers ready/.test(out);
      const ui = /Samsa console: (http\S+)/.exec(out);
      if (ready && ui) {
        clearTimeout(timer);
        resolve(ui[1]!);
      }
      if (/Samsa console: not available/.test(out)) {
        clearTimeout(timer);
        reject(new Error(out));
      }
    };
    proc!.stdout!.on('data', onData);
    proc!.stderr!.on('data', onData);
    proc!.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`samsa exited with ${code}:\n${out}`));
    });
  });
  expect((await brokerProcesses()).map((b) => b.status)).toEqual(['running', 'running', 'running']);
  // The check in afterAll sees the brokers while they run.
  if (existsSync('/proc/self/cmdline'))
    expect(processesUsing(dataDir)).toEqual(expect.arrayContaining([...brokerPids]));
});

test.afterAll(async () => {
  test.setTimeout(60_000);
  if (!proc) return;
  if (proc.exitCode === null && proc.signalCode === null) {
    await brokerProcesses().catch(() => undefined);
    const exited = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  try {
    expect(proc.exitCode).toBe(0);
    // No broker outlives the cluster: neither one the test saw nor any other process on its data dir.
    await expect.poll(() => [...brokerPids].filter(alive), { timeout: 10_000 }).toEqual([]);
    expect(processesUsing(dataDir)).toEqual([]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('kill the broker leading a partition from the Cluster view, see leadership move, start it again', async ({
  page,
  shot,
}) => {
  test.setTimeout(120_000);
  const app = new ConsolePage(page);
  await app.open(url);
  const cluster = new ClusterPage(page);
  await app.nav('cluster');
  for (const id of [1, 2, 3]) await expect(cluster.status(id)).toHaveText('online');

  // A topic with 3 partitions, each on all 3 brokers, created as a user does.
  await app.nav('topics');
  const topics = new TopicsPage(page);
  await topics.createTopic('failover', 3, 3);
  await topics.openTopic('failover');
  const detail = new TopicDetailPage(page);
  await expect(page.getByTestId('partitions-table').locator('tbody tr')).toHaveCount(3);
  for (const p of [0, 1, 2]) {
    await expect(detail.leader(p)).toHaveText(/^[123]$/);
    await expect(detail.isr(p)).toHaveText(/^[123], [123], [123]$/);
  }
  const before = await Promise.all([0, 1, 2].map((p) => detail.replicaState(p)));
  for (const s of before) expect(new Set(s.isr)).toEqual(new Set([1, 2, 3]));
  const victim = before[0]!.leader;
  const ledByVictim = before.filter((s) => s.leader === victim).length;

  // Kill the leader of partition 0 (SIGKILL, as a crash).
  await app.nav('cluster');
  await expect(cluster.led(victim)).toHaveText(String(ledByVictim));
  const victimPid = (await brokerProcesses()).find((b) => b.id === victim)!.pid!;
  expect(alive(victimPid)).toBe(true);
  await cluster.kill(victim);
  await expect(cluster.status(victim)).toHaveText('dead', { timeout: 15_000 });
  expect(alive(victimPid)).toBe(false);
  await expect(cluster.led(victim)).toHaveText('0', { timeout: 15_000 });
  for (const id of [1, 2, 3].filter((i) => i !== victim)) await expect(cluster.status(id)).toHaveText('online');
  await expect(cluster.stat('brokers')).toHaveText('2');
  await expect(page.getByTestId('broker-action-error')).toBeHidden();
  // Shown in the theme's error red (once the tag's color transition has ended, for the screenshot).
  await expect(cluster.status(victim)).toHaveCSS('color', 'rgb(208, 48, 80)');
  await shot(page, 'cluster-broker-killed');

  // The topic: partition 0 is led by another broker, and the killed one is in no ISR.
  await app.nav('topics');
  await topics.openTopic('failover');
  await expect(async () => {
    await detail.refresh();
    for (const p of [0, 1, 2]) {
      await expect(detail.leader(p)).toHaveText(/^[123]$/, { timeout: 1_000 });
      await expect(detail.leader(p)).not.toHaveText(String(victim), { timeout: 1_000 });
      await expect(detail.isr(p)).not.toContainText(String(victim), { timeout: 1_000 });
    }
  }).toPass({ timeout: 20_000 });
  const after = await detail.replicaState(0);
  expect(after.leader).not.toBe(victim);
  expect(before[0]!.isr).toContain(after.leader);
  expect(after.isr).not.toContain(victim);
  expect(after.isr).toContain(after.leader);

  // Start it again: it runs and is a broker of the cluster once more.
  await app.nav('cluster');
  await cluster.start(victim);
  await expect(cluster.status(victim)).toHaveText('online', { timeout: 30_000 });
  await expect(cluster.stat('brokers')).toHaveText('3');
  const restarted = (await brokerProcesses()).find((b) => b.id === victim)!;
  expect(restarted.status).toBe('running');
  expect(restarted.pid).not.toBe(victimPid);

  // Once it has caught up, it is back in every partition's ISR.
  await app.nav('topics');
  await topics.openTopic('failover');
  await expect(async () => {
    await detail.refresh();
    for (const p of [0, 1, 2]) await expect(detail.isr(p)).toHaveText(/^[123], [123], [123]$/, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
});
