// The fixtures every spec uses: a fresh terminal per test, and screenshots in both kiosk orientations.
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';

import { missingPrerequisite, TerminalUnderTest, type TerminalOptions } from './terminal.js';

/** The kiosk's two screen orientations. */
export const ORIENTATIONS = {
  portrait: { width: 800, height: 1280 },
  landscape: { width: 1280, height: 800 },
} as const;

interface Fixtures {
  terminalOptions: TerminalOptions;
  terminal: TerminalUnderTest;
}

export const test = base.extend<Fixtures>({
  terminalOptions: [{}, { option: true }],
  terminal: async ({ terminalOptions }, use, testInfo) => {
    const missing = missingPrerequisite();
    testInfo.skip(missing !== undefined, missing);
    const terminal = await TerminalUnderTest.start(terminalOptions);
    if (terminalOptions.withAdmin ?? true) await terminal.loginAsAdmin();
    try {
      await use(terminal);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('terminal.log', { body: terminal.logText(), contentType: 'text/plain' });
      await terminal.stop();
    }
  },
});

export { expect };

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
