// Loaded with `node --import` before the built main bundle: maps `electron` to the stand-in, waits
// for the app to start, then acts as the page and as an attacker would (calls every IPC handler from
// a foreign frame, from a subframe, and from the real page; loads app:// URLs; navigates; opens
// windows), quits, and writes what happened to $FAKE_REPORT as JSON.
import { registerHooks } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const fakeUrl = new URL('./fake-electron.mjs', import.meta.url).href;
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'electron') return { url: fakeUrl, shortCircuit: true, format: 'module' };
    return next(specifier, context);
  },
});

const { record, app } = await import(fakeUrl);
const report = { steps: [], errors: [] };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(what, cond, ms = 60_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function summary() {
  return {
    singleInstanceLockRequested: record.singleInstanceLockRequested,
    appName: record.appName,
    logsPathSet: record.logsPathSet,
    privilegedSchemes: record.privilegedSchemes,
    protocolSchemes: [...record.protocolHandlers.keys()],
    handleCalls: record.handleCalls,
    onChannels: [...record.onListeners.keys()],
    windows: record.windows.map((w) => ({
      options: w.options,
      titles: w.titles,
      loaded: w.loaded,
      visible: w.visible,
      hasWindowOpenHandler: !!w.webContents.windowOpenHandler,
      navigationListeners: w.webContents.listenerCount('will-navigate'),
    })),
    applicationMenu: record.applicationMenu?.template ?? null,
    trays: record.trays.map((t) => ({
      tooltip: t.tooltip,
      menu: t.menu?.template ?? null,
      template: t.image?.template,
    })),
    dialogs: record.dialogs,
    errorBoxes: record.errorBoxes,
    forks: record.forks,
    quitRequested: record.quitRequested,
    quitCompleted: record.quitCompleted,
    exitCode: record.exitCode,
  };
}

async function drive() {
  if (process.env.FAKE_SECOND_INSTANCE === '1') {
    await sleep(300);
    return;
  }
  await waitFor(
    'the main window and the Bridge handlers',
    () =>
      (record.windows.some((w) => w.visible) && record.handlers.size > 0) ||
      record.errorBoxes.length > 0 ||
      record.quitCompleted,
  );
  if (record.errorBoxes.length > 0 || record.quitCompleted) return;
  const win = record.windows.find((w) => w.visible);
  const wc = win.webContents;
  const trusted = { sender: wc, senderFrame: wc.mainFrame };
  const foreignFrame = { url: 'https://evil.example/', parent: null };
  const subFrame = { url: wc.mainFrame.url, parent: wc.mainFrame };
  const otherOrigin = { url: 'file:///etc/passwd', parent: null };

  // Every handler refuses callers other than the app's own top-level page.
  report.refusals = {};
  for (const [channel, fn] of record.handlers) {
    const outcomes = [];
    for (const frame of [foreignFrame, subFrame, otherOrigin, null]) {
      try {
        await fn({ sender: wc, senderFrame: frame }, {});
        outcomes.push('accepted');
      } catch (e) {
        outcomes.push(`rejected: ${e.message}`);
      }
    }
    report.refusals[channel] = outcomes;
  }

  const call = async (method, args) => record.handlers.get(`samsa:bridge:${method}`)(trusted, args);
  report.connection = await call('connection', {});
  report.overview = await call('clusterOverview', {});
  try {
    report.clusterFileWhileRunning = JSON.parse(
      readFileSync(
        join(
          JSON.parse(readFileSync(join(process.env.FAKE_USERDATA, 'settings.json'), 'utf8')).dataDir,
          'cluster.json',
        ),
        'utf8',
      ),
    );
  } catch (e) {
    report.errors.push(`cluster.json: ${e.message}`);
  }
  report.unknownArgs = await call('topicDetail', { name: 5 });
  report.nonPlainArgs = await call('listTopics', { includeInternal: new Map() });
  report.createTopic = await call('createTopic', { name: 'desktop-topic', partitions: 2 });
  report.listTopics = await call('listTopics', {});
  report.getSettings = await record.handlers.get('samsa:shell:getSettings')(trusted);
  report.clusterStatus = await record.handlers.get('samsa:shell:clusterStatus')(trusted);
  report.saveBadSettings = await record.handlers.get('samsa:shell:saveSettings')(trusted, { brokers: 0 });

  // A tail: open, receive the produced record over webContents.send, acknowledge, cancel.
  const opened = await call('openTail', { topic: 'desktop-topic', start: { kind: 'earliest' } });
  report.openTail = opened;
  if (opened.ok) {
    report.produce = await call('produce', {
      topic: 'desktop-topic',
      partition: 1,
      key: 'k',
      value: 'hello from the desktop',
    });
    const sub = opened.result.subscription;
    await waitFor(
      'a tail event',
      () => wc.sent.some(([ch, s, ev]) => ch === 'samsa:stream' && s === sub && ev.type === 'records'),
      20_000,
    ).catch((e) => report.errors.push(e.message));
    const ev = wc.sent.find(([ch, s, e]) => ch === 'samsa:stream' && s === sub && e.type === 'records');
    report.tailRecords = ev ? ev[2].records.map((r) => ({ partition: r.partition, value: r.value?.data })) : [];
    const seq = ev?.[3];
    for (const ack of record.onListeners.get('samsa:stream-ack') ?? []) ack(trusted, sub, seq);
    report.tailCancel = await call('tailCancel', { subscription: sub });
    await sleep(100);
    report.tailClosedEvent = wc.sent.some(([ch, s, e]) => ch === 'samsa:stream' && s === sub && e.type === 'closed');
  }

  // The app:// protocol: the renderer with its CSP; nothing outside the renderer folder.
  const serve = record.protocolHandlers.get('app');
  const index = await serve(new Request('app://samsa/index.html'));
  const indexBody = await index.text();
  report.index = {
    status: index.status,
    csp: index.headers.get('content-security-policy'),
    hasApp: indexBody.includes('<div id="app">'),
  };
  const traversal = await serve(new Request('app://samsa/..%2f..%2fpackage.json'));
  report.traversal = traversal.status;
  const otherHost = await serve(new Request('app://elsewhere/index.html'));
  report.otherHost = otherHost.status;
  const settingsPage = await serve(new Request('app://samsa/settings/settings.html'));
  report.settingsPage = { status: settingsPage.status, csp: settingsPage.headers.get('content-security-policy') };

  // Navigation, new windows, permissions.
  let prevented = false;
  wc.emit(
    'will-navigate',
    {
      preventDefault() {
        prevented = true;
      },
    },
    'https://evil.example/',
  );
  report.navigationPrevented = prevented;
  prevented = false;
  wc.emit(
    'will-navigate',
    {
      preventDefault() {
        prevented = true;
      },
    },
    'https://kafka.apache.org/documentation/',
  );
  report.allowlistedNavigation = { prevented, openedExternal: [...record.openedExternal] };
  report.windowOpen = [
    wc.windowOpenHandler({ url: 'https://evil.example/' }),
    wc.windowOpenHandler({ url: 'https://kafka.apache.org/' }),
  ];
  report.openedExternal = [...record.openedExternal];
  let webviewPrevented = false;
  wc.emit(
    'will-attach-webview',
    {
      preventDefault() {
        webviewPrevented = true;
      },
    },
    {},
    {},
  );
  report.webviewPrevented = webviewPrevented;
  report.permission = await new Promise((resolve) => wc.permissionRequestHandler(wc, 'geolocation', resolve, {}));

  // A second launch focuses this one.
  const before = record.windows.length;
  app.emit('second-instance', {}, [], '');
  report.secondInstanceNewWindow = record.windows.length !== before;

  report.trayBeforeQuit = record.trays.map((t) => ({ tooltip: t.tooltip, menu: t.menu?.template ?? null }));
  report.brokerPidsBeforeQuit = record.forks.map((f) => f.pid);
  app.quit();
  await waitFor('quit', () => record.quitCompleted, 40_000);
  report.brokerExits = record.forks.map((f) => f.exit);
  report.brokersAliveAfterQuit = record.forks.map((f) => alive(f.pid));
}

const timer = setTimeout(() => {}, 120_000);
drive()
  .catch((e) => report.errors.push(e.stack ?? String(e)))
  .finally(() => {
    clearTimeout(timer);
    writeFileSync(process.env.FAKE_REPORT, JSON.stringify({ ...report, record: summary() }, null, 1));
    for (const f of record.forks)
      if (f.exit === null) {
        try {
          process.kill(f.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    process.exit(0);
  });
