// What a person does at the kiosk, as steps the specs share: open it, log in on the PIN pad, type on the
// on-screen keyboard, read the decision.
import { expect, type Locator, type Page } from '@playwright/test';

import { ADMIN, type TerminalUnderTest } from './terminal.js';

/** Opens the kiosk as its screen would: the pairing address, then the door screen. */
export async function openKiosk(page: Page, terminal: TerminalUnderTest): Promise<void> {
  if (terminal.opensInBrowser) await page.goto(terminal.pairingUrl());
  await expect(page.getByTestId('door-canvas')).toBeVisible();
}

/** The on-screen keyboard. */
export const keyboard = (page: Page): Locator => page.getByRole('group', { name: 'On-screen keyboard' });

/** Types `text` into the focused field with the on-screen keyboard's keys only. */
export async function typeOnScreen(page: Page, text: string): Promise<void> {
  const keys = keyboard(page);
  await expect(keys).toBeVisible();
  for (const char of text) {
    if (char === ' ') await keys.getByRole('button', { name: 'Space', exact: true }).click();
    else if (/[A-Z]/.test(char)) {
      await keys.getByRole('button', { name: 'Shift', exact: true }).click();
      await keys.getByRole('button', { name: char, exact: true }).click();
    } else await keys.getByRole('button', { name: char, exact: true }).click();
  }
}

/** Enters a PIN on the login screen's PIN pad. */
export async function enterPin(page: Page, pin: string): Promise<void> {
  const pad = page.getByRole('group', { name: 'PIN pad' });
  for (const digit of pin) await pad.getByRole('button', { name: digit, exact: true }).click();
}

/** From the door screen to the admin area: the Admin button, the username on the keyboard, the PIN on the pad. */
export async function logIn(page: Page, pin: string = ADMIN.pin, username: string = ADMIN.username): Promise<void> {
  await page.getByRole('button', { name: 'Admin', exact: true }).click();
  await expect(page.getByRole('heading', { name: /Administrator/ })).toBeVisible();
  await page.getByLabel('Username').click();
  await typeOnScreen(page, username);
  await keyboard(page).getByRole('button', { name: 'Done', exact: true }).click();
  await enterPin(page, pin);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

/** The decision shown at the door (waits for one). */
export async function expectDecision(page: Page, decision: 'granted' | 'denied', reason?: string, timeoutMs = 30_000): Promise<Locator> {
  const shown = page.getByTestId('decision');
  await expect(shown).toHaveAttribute('data-decision', decision, { timeout: timeoutMs });
  if (reason) await expect(shown).toHaveAttribute('data-reason', reason);
  return shown;
}
