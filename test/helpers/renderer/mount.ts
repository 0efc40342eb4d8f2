// Mounting real console components in a DOM (happy-dom) with a fake Bridge: the same providers as
// App.vue (config, message, dialog), a fresh Pinia per test, and helpers that act as a user does
// (type into an input, click a button) and read what the user sees (a form item's feedback).
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { defineComponent, h, reactive, type Component } from 'vue';
import { NConfigProvider, NDialogProvider, NMessageProvider } from 'naive-ui';
import type { Bridge, BridgeErrorInfo, ClusterOverview, TopicSummary } from '../../../core/console/bridge.ts';
import { BridgeError } from '../../../renderer/src/bridge/errors.ts';
import { installBridge } from '../../../renderer/src/bridge/use-bridge.ts';
import { FakeBridge } from '../fake-bridge.ts';

export { FakeBridge };

/** What the bridge throws for a failed operation. */
export const fails = (info: BridgeErrorInfo) => () => {
  throw new BridgeError(info);
};

export function topic(name: string, extra: Partial<TopicSummary> = {}): TopicSummary {
  return {
    name,
    partitions: 1,
    replicationFactor: 1,
    internal: false,
    underReplicatedPartitions: 0,
    recordCount: '0',
    sizeBytes: 0,
    ...extra,
  };
}

export function overview(statuses: ClusterOverview['brokers'][number]['status'][]): ClusterOverview {
  return {
    bootstrap: 'localhost:9092',
    clusterId: 'c1',
    controllerId: 1,
    topicCount: 0,
    internalTopicCount: 0,
    partitionCount: 0,
    underReplicatedPartitions: 0,
    offlinePartitions: 0,
    controllable: false,
    brokers: statuses.map((status, i) => ({
      nodeId: i + 1,
      host: 'localhost',
      port: 9092 + i,
      rack: null,
      isController: i === 0,
      partitionsLed: 0,
      status,
      diskBytes: 0,
      pid: null,
      inProcess: false,
    })),
  };
}

export interface Mounted {
  wrapper: VueWrapper;
  /** The component's props; changing one re-renders it (`show` is also written back by v-model:show). */
  props: Record<string, unknown>;
  pinia: Pinia;
  bridge: FakeBridge;
}

/** Mounts `component` inside the app's providers, attached to the document (modals teleport to its body). */
export async function mountWith(
  component: Component,
  bridge: FakeBridge,
  props: Record<string, unknown> = {},
  stubs: Record<string, unknown> = {},
): Promise<Mounted> {
  const pinia = createPinia();
  setActivePinia(pinia);
  installBridge(bridge as unknown as Bridge);
  const state = reactive({ ...props });
  const Host = defineComponent({
    setup: () => () =>
      h(NConfigProvider, null, () =>
        h(NMessageProvider, null, () =>
          h(NDialogProvider, null, () =>
            h(component, {
              ...state,
              'onUpdate:show': (v: boolean) => {
                state.show = v;
              },
            }),
          ),
        ),
      ),
  });
  const wrapper = mount(Host, { global: { plugins: [pinia], stubs: stubs as never }, attachTo: document.body });
  await settle();
  return { wrapper, props: state, pinia, bridge };
}

/** Lets promises, watchers and renders run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await flushPromises();
    await new Promise((r) => setTimeout(r, 0));
  }
}

export function byTestId(id: string): HTMLElement {
  const el = document.body.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`no element with data-testid "${id}"`);
  return el;
}

export const exists = (id: string) => document.body.querySelector(`[data-testid="${id}"]`) !== null;

/** Types into the input (or textarea) of the element with this test id, as the user does: input, then blur. */
export async function typeInto(id: string, text: string): Promise<void> {
  const host = byTestId(id);
  const input = host.matches('input, textarea')
    ? (host as HTMLInputElement)
    : host.querySelector<HTMLInputElement>('input, textarea');
  if (!input) throw new Error(`no input in "${id}"`);
  input.focus();
  input.dispatchEvent(new Event('focus'));
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
  input.dispatchEvent(new Event('blur'));
  input.blur();
  await settle();
}

export async function click(id: string): Promise<void> {
  byTestId(id).click();
  await settle();
}

/** The form item labelled `label` (its label text starts with it). */
export function formItem(label: string, within: ParentNode = document.body): HTMLElement {
  const items = [...within.querySelectorAll<HTMLElement>('.n-form-item')];
  const item = items.find((i) => i.querySelector('.n-form-item-label')?.textContent?.trim().startsWith(label));
  if (!item)
    throw new Error(
      `no form item "${label}" (have: ${items.map((i) => i.querySelector('.n-form-item-label')?.textContent?.trim()).join(' | ')})`,
    );
  return item;
}

/** The feedback shown under a form item ('' when none). */
export function feedback(label: string, within?: ParentNode): string {
  return formItem(label, within).querySelector('.n-form-item-feedback')?.textContent?.trim() ?? '';
}

/** How a form item's feedback shows: 'error' (red), 'warning', or null. */
export function status(label: string, within?: ParentNode): 'error' | 'warning' | null {
  const fb = formItem(label, within).querySelector('.n-form-item-feedback');
  return fb?.classList.contains('n-form-item-feedback--error')
    ? 'error'
    : fb?.classList.contains('n-form-item-feedback--warning')
      ? 'warning'
      : null;
}

/** Mounts a dialog closed, then opens it as the app does (opening is what loads its data). */
export async function openDialog(component: Component, bridge: FakeBridge): Promise<Mounted> {
  const m = await mountWith(component, bridge, { show: false });
  m.props.show = true;
  await settle();
  return m;
}

export function cleanup(m: Mounted | undefined): void {
  m?.wrapper.unmount();
  document.body.innerHTML = '';
}
