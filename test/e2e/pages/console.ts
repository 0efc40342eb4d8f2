// Page objects: the console as a user sees it.
import { expect, type Locator, type Page } from '@playwright/test';

/** Picks an option of a Naive UI select by its visible label. */
async function choose(page: Page, select: Locator, label: string): Promise<void> {
  await select.click();
  const input = select.locator('input');
  if (await input.count()) await input.first().fill(label);
  await page
    .locator('.n-base-select-option', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) })
    .first()
    .click();
}

export class ConsolePage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.getByTestId('connection')).toContainText(/127\.0\.0\.1:\d+/);
  }

  nav(view: 'cluster' | 'topics' | 'produce' | 'tail' | 'groups'): Promise<void> {
    return this.page.getByTestId(`nav-${view}`).click();
  }
}

export class TopicsPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  async createTopic(name: string, partitions: number, replicationFactor?: number): Promise<void> {
    await this.page.getByTestId('create-topic').click();
    const dialog = this.page.getByTestId('create-dialog');
    await dialog.getByTestId('topic-name').locator('input').fill(name);
    await dialog.getByTestId('topic-partitions').locator('input').fill(String(partitions));
    if (replicationFactor !== undefined)
      await dialog.getByTestId('topic-rf').locator('input').fill(String(replicationFactor));
    await dialog.getByTestId('create-submit').click();
    await expect(dialog).toBeHidden();
  }

  async typeName(name: string): Promise<void> {
    await this.page.getByTestId('create-topic').click();
    await this.page.getByTestId('create-dialog').getByTestId('topic-name').locator('input').fill(name);
  }

  row(name: string): Locator {
    return this.page.getByTestId(`topic-${name}`);
  }

  records(name: string): Locator {
    return this.page.getByTestId(`records-${name}`);
  }
  size(name: string): Locator {
    return this.page.getByTestId(`size-${name}`);
  }
  rate(name: string): Locator {
    return this.page.getByTestId(`rate-${name}`);
  }
  chart(): Locator {
    return this.page.getByTestId('topics-chart');
  }

  async search(text: string): Promise<void> {
    await this.page.getByTestId('topic-search').locator('input').fill(text);
  }

  async openTopic(name: string): Promise<void> {
    await this.row(name).click();
    await expect(this.page.getByTestId('topic-detail-view')).toBeVisible();
  }
}

export class TopicDetailPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  async tab(name: 'Partitions' | 'Configs'): Promise<void> {
    await this.page.getByTestId('topic-tabs').locator('.n-tabs-tab', { hasText: name }).click();
  }

  /** Types a value for a config and presses Set; returns the config's cell. */
  async setConfig(name: string, value: string): Promise<Locator> {
    await this.tab('Configs');
    await this.page.getByTestId('config-filter').locator('input').fill(name);
    const cell = this.page.getByTestId(`config-${name}`);
    await cell.locator('input').fill(value);
    await cell.getByTestId('config-save').click();
    return cell;
  }

  source(name: string): Locator {
    return this.page.getByTestId(`config-source-${name}`);
  }

  async refresh(): Promise<void> {
    await this.page.getByTestId('topic-refresh').click();
  }
  leader(partition: number): Locator {
    return this.page.getByTestId(`partition-leader-${partition}`);
  }
  isr(partition: number): Locator {
    return this.page.getByTestId(`partition-isr-${partition}`);
  }

  /** The leader and in-sync replicas of a partition, as the Partitions table shows them now. */
  async replicaState(partition: number): Promise<{ leader: number; isr: number[] }> {
    const leader = Number(await this.leader(partition).textContent());
    const isr = ((await this.isr(partition).textContent()) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(Number);
    return { leader, isr };
  }

  chart(): Locator {
    return this.page.getByTestId('topic-chart');
  }
  rate(): Locator {
    return this.page.getByTestId('detail-rate');
  }

  /** Asks for a new replication factor; returns where the outcome shows (error, progress or done). */
  async changeReplicationFactor(rf: number): Promise<Locator> {
    await this.tab('Partitions');
    await this.page.getByTestId('rf-input').locator('input').fill(String(rf));
    await this.page.getByTestId('rf-submit').click();
    return this.page.locator('[data-testid="rf-error"], [data-testid="rf-progress"], [data-testid="rf-done"]').first();
  }

  async deleteRecordsBefore(partition: number, offset: number): Promise<Locator> {
    await this.tab('Partitions');
    await choose(this.page, this.page.getByTestId('delete-records-partition'), `Partition ${partition}`);
    await this.page.getByTestId('delete-records-offset').locator('input').fill(String(offset));
    await this.page.getByTestId('delete-records-submit').click();
    await this.page.locator('.n-popconfirm').getByRole('button', { name: 'Confirm' }).click();
    return this.page.getByTestId('delete-records-result');
  }
}

export class ProducerPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  async send(opts: {
    topic: string;
    key?: string;
    value: string;
    header?: [string, string];
    partition?: number;
  }): Promise<string> {
    await choose(this.page, this.page.getByTestId('produce-topic'), opts.topic);
    if (opts.partition !== undefined)
      await this.page.getByTestId('produce-partition').locator('input').fill(String(opts.partition));
    if (opts.key !== undefined) await this.page.getByTestId('produce-key').locator('input').fill(opts.key);
    await this.page.getByTestId('produce-value').locator('textarea').fill(opts.value);
    if (opts.header) {
      const headers = this.page.getByTestId('produce-headers');
      await headers.getByRole('button').first().click();
      const inputs = headers.locator('input');
      await inputs.nth(0).fill(opts.header[0]);
      await inputs.nth(1).fill(opts.header[1]);
    }
    await this.page.getByTestId('produce-send').click();
    const result = this.page.getByTestId('produce-result');
    await expect(result).toBeVisible();
    return (await result.textContent()) ?? '';
  }

  /** Sends `count` records from a value template, round robin, and returns the summary shown at the end. */
  async generate(opts: {
    topic: string;
    count: number;
    valueTemplate: string;
    acks?: 'acks=all' | 'acks=1 (leader)' | 'acks=0 (none)';
  }) {
    await choose(this.page, this.page.getByTestId('produce-topic'), opts.topic);
    if (opts.acks) await choose(this.page, this.page.getByTestId('produce-acks'), opts.acks);
    await this.page.getByTestId('produce-partitioning').getByText('Round robin').click();
    await this.page.getByTestId('produce-mode').getByText('Send N from a template').click();
    await this.page.getByTestId('produce-total').locator('input').fill(String(opts.count));
    await this.page.getByTestId('produce-value-template').locator('textarea').fill(opts.valueTemplate);
    await this.page.getByTestId('produce-generate').click();
    const summary = this.page.getByTestId('produce-summary');
    await expect(summary).toBeVisible({ timeout: 60_000 });
    return summary;
  }
}

export class TailPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  async start(topic: string, from: 'Earliest' | 'Latest' | { offset: number }): Promise<void> {
    await choose(this.page, this.page.getByTestId('tail-topic'), topic);
    await this.setStart(from);
    await this.page.getByTestId('tail-start-button').click();
    await expect(this.page.getByTestId('tail-status')).toHaveText('running');
  }

  async setStart(from: 'Earliest' | 'Latest' | { offset: number }): Promise<void> {
    await choose(this.page, this.page.getByTestId('tail-start'), typeof from === 'string' ? from : 'Offset');
    if (typeof from !== 'string') await this.page.getByTestId('tail-offset').locator('input').fill(String(from.offset));
  }

  async seekTo(offset: number): Promise<void> {
    await this.setStart({ offset });
    await this.page.getByTestId('tail-seek').click();
  }

  received(): Locator {
    return this.page.getByTestId('tail-received');
  }
  shown(): Locator {
    return this.page.getByTestId('tail-shown');
  }
  last(): Locator {
    return this.page.getByTestId('tail-last');
  }
  rows(): Locator {
    return this.page.getByTestId('tail-table').locator('tbody tr');
  }

  async filter(text: string): Promise<void> {
    await this.page.getByTestId('tail-filter').locator('input').fill(text);
  }

  matching(): Locator {
    return this.page.getByTestId('tail-matching');
  }

  /** Clicks an export button and returns the downloaded file's name and text. */
  async export(format: 'jsonl' | 'csv'): Promise<{ name: string; text: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId(`tail-export-${format}`).click(),
    ]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return { name: download.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
  }

  async openRecord(text: string): Promise<Locator> {
    await this.rows().filter({ hasText: text }).first().click();
    const drawer = this.page.getByTestId('record-drawer');
    await expect(drawer).toBeVisible();
    return drawer;
  }

  async stop(): Promise<void> {
    await this.page.getByTestId('tail-stop').click();
    await expect(this.page.getByTestId('tail-status')).toHaveText('idle');
  }
}

export class GroupsPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  async open(group: string): Promise<Locator> {
    await this.page.getByTestId('groups-refresh').click();
    await this.page.getByTestId(`group-${group}`).click();
    const detail = this.page.getByTestId('group-detail');
    await expect(detail).toBeVisible();
    return detail;
  }

  async resetTo(kind: 'Earliest' | 'Latest' | { offset: number }): Promise<void> {
    await choose(this.page, this.page.getByTestId('reset-kind'), typeof kind === 'string' ? kind : 'Offset');
    if (typeof kind !== 'string')
      await this.page.getByTestId('reset-offset').locator('input').fill(String(kind.offset));
    await this.page.getByTestId('reset-submit').click();
  }
}

export class ConnectionsPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  dialog(): Locator {
    return this.page.getByTestId('connections-dialog');
  }

  async openDialog(): Promise<Locator> {
    await this.page.getByTestId('manage-connections').click();
    await expect(this.dialog()).toBeVisible();
    return this.dialog();
  }

  /** Fills the form of a new connection (SASL when `sasl` is given). */
  async fill(opts: {
    name: string;
    bootstrap: string;
    sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
  }): Promise<void> {
    const d = this.dialog();
    await d.getByTestId('conn-new').click();
    await d.getByTestId('conn-name').locator('input').fill(opts.name);
    await d.getByTestId('conn-bootstrap').locator('input').fill(opts.bootstrap);
    if (opts.sasl) {
      await d.getByTestId('conn-sasl').click();
      await choose(this.page, d.getByTestId('conn-mechanism'), opts.sasl.mechanism);
      await d.getByTestId('conn-username').locator('input').fill(opts.sasl.username);
      await d.getByTestId('conn-password').locator('input').fill(opts.sasl.password);
    }
  }

  async setSasl(on: boolean): Promise<void> {
    const sw = this.dialog().getByTestId('conn-sasl');
    if ((await sw.getAttribute('aria-checked')) !== String(on)) await sw.click();
  }

  /** Presses "Test connection"; returns the line that says what happened (result or error). */
  async test(): Promise<Locator> {
    await this.dialog().getByTestId('conn-test').click();
    return this.dialog()
      .locator('[data-testid="conn-result"], .n-form-item-feedback--error, [data-testid="conn-error"]')
      .first();
  }

  async saveAndConnect(): Promise<void> {
    await this.dialog().getByTestId('conn-save-connect').click();
    await expect(this.dialog()).toBeHidden();
  }

  /** Switches with the header's connection picker. */
  async switchTo(name: string): Promise<void> {
    await choose(this.page, this.page.getByTestId('connection-select'), name);
  }
}

export class ChartsPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  /** How many points a chart draws (all its series). */
  async points(chart: Locator): Promise<number> {
    return Number(await chart.getByTestId('line-chart').getAttribute('data-points'));
  }
}

export class ClusterPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  status(id: number): Locator {
    return this.page.getByTestId(`broker-status-${id}`);
  }
  led(id: number): Locator {
    return this.page.getByTestId(`broker-led-${id}`);
  }
  stat(name: 'brokers' | 'topics' | 'partitions' | 'under-replicated' | 'offline'): Locator {
    return this.page.getByTestId(`stat-${name}`);
  }

  /** Partitions led by a broker, as the (live) table shows now. */
  async partitionsLed(id: number): Promise<number> {
    return Number(await this.led(id).textContent());
  }

  private async confirmAction(testId: string): Promise<void> {
    await this.page.getByTestId(testId).click();
    await this.page.locator('.n-popconfirm').getByRole('button', { name: 'Confirm' }).click();
  }

  async kill(id: number): Promise<void> {
    await this.confirmAction(`broker-kill-${id}`);
  }
  async stop(id: number): Promise<void> {
    await this.confirmAction(`broker-stop-${id}`);
  }
  async start(id: number): Promise<void> {
    await this.page.getByTestId(`broker-start-${id}`).click();
  }
  async add(): Promise<void> {
    await this.page.getByTestId('broker-add').click();
  }
}
