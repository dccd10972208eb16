// End-to-end tests of the kiosk. The `browser` project drives the headless terminal (`lintel serve`) in
// Debian's Chromium; the `electron` project runs the same specs in the Electron app where its binary is present.
import { existsSync } from 'node:fs';

import { defineConfig } from '@playwright/test';

import { CHROMIUM_ARGS, chromiumPath, electronBinary } from './support/environment.js';

const electron = electronBinary();

export default defineConfig({
  testDir: './specs',
  outputDir: '../test-results/e2e',
  // Each test starts its own terminal (models in a worker thread): two at once saturate this machine's cores.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['html', { outputFolder: '../test-results/e2e-report', open: 'never' }]],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'browser',
      use: {
        browserName: 'chromium',
        viewport: { width: 800, height: 1280 },
        hasTouch: true,
        launchOptions: { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] },
      },
    },
    // The Electron kiosk needs better-sqlite3 built for Electron's ABI (npx electron-builder install-app-deps).
    ...(electron && existsSync(electron) ? [{ name: 'electron', use: { viewport: { width: 800, height: 1280 }, launchOptions: { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] } } }] : []),
  ],
});
