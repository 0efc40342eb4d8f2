// Page objects: the console as a user sees it.
import { expect, type Locator, type Page } from '@playwright/test';

/** Picks an option of a Naive UI select by its visible label. */
async function choose(page: Page, select: Locator, label: string): Promise<void> {
  await select.click();
  const input = select.locator('input');
  if (await input.count()) await input.first().fill(label);
  await page.locator('.n-base-select-option', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first().click();
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

  async createTopic(name: string, partitions: number): Promise<void> {
    await this.page.getByTestId('create-topic').click();
    const dialog = this.page.getByTestId('create-dialog');
    await dialog.getByTestId('topic-name').locator('input').fill(name);
    await dialog.getByTestId('topic-partitions').locator('input').fill(String(partitions));
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

  async openTopic(name: string): Promise<void> {
    await this.row(name).click();
    await expect(this.page.getByTestId('topic-detail-view')).toBeVisible();
  }
}

export class ProducerPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  async send(opts: { topic: string; key?: string; value: string; header?: [string, string]; partition?: number }): Promise<string> {
    await choose(this.page, this.page.getByTestId('produce-topic'), opts.topic);
    if (opts.partition !== undefined) await this.page.getByTestId('produce-partition').locator('input').fill(String(opts.partition));
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

  received(): Locator { return this.page.getByTestId('tail-received'); }
  shown(): Locator { return this.page.getByTestId('tail-shown'); }
  last(): Locator { return this.page.getByTestId('tail-last'); }
  rows(): Locator { return this.page.getByTestId('tail-table').locator('tbody tr'); }

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
}
