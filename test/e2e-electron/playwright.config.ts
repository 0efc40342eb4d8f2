import { defineConfig } from '@playwright/test';

// Tests of the desktop app itself, through Playwright's Electron driver. They need an Electron
// binary (node_modules/electron fetches it on first use) and a display; without them every test
// is skipped with the reason printed.
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  outputDir: '../../test-results/playwright-electron',
});
