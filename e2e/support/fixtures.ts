// The fixtures every spec uses: a fresh terminal per test — the headless host driven in Chromium, or the
// Electron kiosk itself in the `electron` project — and screenshots in both kiosk orientations.
import { join } from 'node:path';

import { _electron, test as base, expect, type Browser, type ElectronApplication, type Page, type TestInfo } from '@playwright/test';

import { electronBinary } from './environment.js';
import { missingPrerequisite, originFrom, ROOT, TerminalUnderTest, type Launcher, type TerminalOptions } from './terminal.js';

/** The kiosk's two screen orientations. */
export const ORIENTATIONS = {
  portrait: { width: 800, height: 1280 },
  landscape: { width: 1280, height: 800 },
} as const;

interface Fixtures {
  terminalOptions: TerminalOptions;
  terminal: TerminalUnderTest;
}

/**
 * The Electron kiosk as the terminal: its window is the page under test, and it also serves the browser host
 * on a free loopback port (LINTEL_HTTP_PORT) so the fixture can put photos in front of the camera.
 */
function electronLauncher(onStarted: (app: ElectronApplication) => void): Launcher {
  return async ({ dataDir, cameraUri }) => {
    const app = await _electron.launch({
      executablePath: electronBinary(),
      args: [join(ROOT, 'dist', 'electron', 'main', 'main.js')],
      env: { ...process.env, LINTEL_DATA_DIR: dataDir, LINTEL_CAMERA: cameraUri, LINTEL_HTTP_PORT: '0' } as Record<string, string>,
    });
    onStarted(app);
    return { process: app.process(), origin: await originFrom(app.process(), []), close: () => app.close() };
  };
}

let electronApp: ElectronApplication | undefined;

export const test = base.extend<Fixtures>({
  terminalOptions: [{}, { option: true }],
  terminal: async ({ terminalOptions }, use, testInfo) => {
    const missing = missingPrerequisite();
    testInfo.skip(missing !== undefined, missing);
    const launcher = testInfo.project.name === 'electron' ? electronLauncher((app) => (electronApp = app)) : undefined;
    const terminal = await TerminalUnderTest.start(terminalOptions, launcher);
    if (terminalOptions.withAdmin ?? true) {
      await terminal.loginAsAdmin();
      const livenessMode = terminalOptions.livenessMode === undefined ? 'off' : terminalOptions.livenessMode;
      if (livenessMode !== null) await terminal.setLivenessMode(livenessMode);
    }
    try {
      await use(terminal);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('terminal.log', { body: terminal.logText(), contentType: 'text/plain' });
      await terminal.stop();
      electronApp = undefined;
    }
  },
  // In the electron project the page is the kiosk window.
  page: async ({ page, terminal }, use, testInfo) => {
    // `terminal` is a dependency so the kiosk has started (and electronApp is set) before this runs.
    if (testInfo.project.name !== 'electron' || !electronApp || !terminal) return use(page);
    return use(await electronApp.firstWindow());
  },
});

export { expect };

/** A terminal and its kiosk page kept across the tests of a serial describe: one story told step by step. */
export interface SharedKiosk {
  readonly terminal: TerminalUnderTest;
  readonly page: Page;
  close(): Promise<void>;
}

/**
 * Starts a terminal for a serial describe's `beforeAll`, as the `terminal` fixture does for one test (its admin,
 * liveness off unless asked), with the page under test: the kiosk window in the electron project, a new page with
 * the project's viewport otherwise.
 */
export async function startSharedKiosk(browser: Browser, testInfo: TestInfo, options: TerminalOptions = {}): Promise<SharedKiosk> {
  const missing = missingPrerequisite();
  testInfo.skip(missing !== undefined, missing);
  let app: ElectronApplication | undefined;
  const launcher = testInfo.project.name === 'electron' ? electronLauncher((started) => (app = started)) : undefined;
  const terminal = await TerminalUnderTest.start(options, launcher);
  try {
    await terminal.loginAsAdmin();
    const livenessMode = options.livenessMode === undefined ? 'off' : options.livenessMode;
    if (livenessMode !== null) await terminal.setLivenessMode(livenessMode);
    const { viewport, hasTouch } = testInfo.project.use;
    const page = app ? await app.firstWindow() : await browser.newPage({ viewport: viewport ?? ORIENTATIONS.portrait, hasTouch: hasTouch ?? true });
    return {
      terminal,
      page,
      close: async () => {
        if (!app) await page.close().catch(() => undefined);
        await terminal.stop();
      },
    };
  } catch (error) {
    await terminal.stop();
    throw error;
  }
}

/** Saves the page in both orientations as test artifacts (`screens/<name>-<orientation>.png`). */
export async function screenshotBoth(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const original = page.viewportSize();
  for (const [orientation, size] of Object.entries(ORIENTATIONS)) {
    await page.setViewportSize(size);
    // Layout and the canvas settle on the next frames.
    await page.waitForTimeout(300);
    const path = testInfo.outputPath('screens', `${name}-${orientation}.png`);
    await page.screenshot({ path });
    await testInfo.attach(`${name}-${orientation}`, { path, contentType: 'image/png' });
  }
  if (original) await page.setViewportSize(original);
}
