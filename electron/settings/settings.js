// The settings window: reads and saves the desktop app's settings through the preload's shell
// calls (window.samsaIpc.shell). Plain script: it runs under the page's CSP (script-src 'self').
// @ts-check
(function () {
  /** @type {any} */
  const ipc = /** @type {any} */ (window).samsaIpc;
  const form = /** @type {HTMLFormElement} */ (document.getElementById('form'));
  const message = /** @type {HTMLElement} */ (document.getElementById('message'));

  /** @param {string} text @param {boolean} [error] */
  function say(text, error) {
    message.textContent = text;
    message.className = error ? 'error' : '';
  }

  /** @param {any} settings */
  function fill(settings) {
    for (const el of Array.from(form.querySelectorAll('input'))) {
      const [top, sub] = el.name.split('.');
      const value = sub ? settings[top][sub] : settings[top];
      if (el.type === 'checkbox') el.checked = Boolean(value);
      else el.value = String(value);
    }
  }

  function read() {
    /** @type {any} */
    const out = { topicDefaults: {} };
    for (const el of Array.from(form.querySelectorAll('input'))) {
      const [top, sub] = el.name.split('.');
      const value = el.type === 'checkbox' ? el.checked : el.type === 'number' ? Number(el.value) : el.value.trim();
      if (sub) out[top][sub] = value;
      else out[top] = value;
    }
    return out;
  }

  if (!ipc) {
    say('Settings are available in the desktop app only.', true);
    return;
  }
  ipc.shell('getSettings').then((/** @type {any} */ outcome) => {
    if (outcome.ok) fill(outcome.result.settings);
    else say(outcome.error.message, true);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const el of Array.from(form.querySelectorAll('input'))) el.classList.remove('invalid');
    ipc.shell('saveSettings', read()).then((/** @type {any} */ outcome) => {
      if (outcome.ok) {
        fill(outcome.result.settings);
        say('Saved. Restart Samsa to apply.');
        return;
      }
      say(outcome.error.message, true);
      const field = outcome.error.field && form.querySelector(`input[name="${outcome.error.field}"]`);
      if (field) field.classList.add('invalid');
    });
  });
  document.getElementById('open-folder')?.addEventListener('click', () => {
    ipc.shell('openDataFolder').then((/** @type {any} */ outcome) => {
      if (!outcome.ok) say(outcome.error.message, true);
    });
  });
})();
