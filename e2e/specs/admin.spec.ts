// The admin side: a terminal out of the box is claimed at its own screen; wrong PINs lock the account; every
// admin screen, in both orientations, for the record.
import { enterPin, keyboard, logIn, openKiosk, typeOnScreen } from '../support/kiosk.js';
import { expect, screenshotBoth, test } from '../support/fixtures.js';
import { ADMIN, lfwPhoto } from '../support/terminal.js';

test.describe('a terminal out of the box', () => {
  test.use({ terminalOptions: { withAdmin: false } });

  test('the first administrator is set up at the kiosk, and only once', async ({ page, terminal }, testInfo) => {
    await openKiosk(page, terminal);
    await page.getByRole('button', { name: 'Admin', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Set up the first administrator' })).toBeVisible();
    // The kiosk shows the code another device would need to claim it.
    await expect(page.getByTestId('setup-code')).toContainText(/\d{8}/);
    await screenshotBoth(page, testInfo, 'setup');
    await page.getByLabel('Username').click();
    await typeOnScreen(page, 'Ada');
    await keyboard(page).getByRole('button', { name: 'Done', exact: true }).click();
    await page.getByLabel('PIN', { exact: true }).click();
    await typeOnScreen(page, '135790');
    await page.getByLabel('PIN again').click();
    await typeOnScreen(page, '135790');
    await page.getByRole('button', { name: 'Create administrator', exact: true }).click();
    await expect(page.getByRole('navigation', { name: 'Administration' })).toContainText('Ada');

    // The terminal is claimed: setting up again is refused by the terminal itself.
    const again = await page.evaluate(async () => {
      const response = await fetch('/api/call/admin:setup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'eve', kind: 'pin', secret: '1111' }) });
      return ((await response.json()) as { ok: boolean; error?: { code: string } }).error?.code;
    });
    expect(again).toBe('conflict');
  });
});

test('the admin login locks after repeated wrong PINs, and says until when', async ({ page, terminal }, testInfo) => {
  await openKiosk(page, terminal);
  await page.getByRole('button', { name: 'Admin', exact: true }).click();
  await expect(page.getByRole('heading', { name: /Administrator/ })).toBeVisible();
  await screenshotBoth(page, testInfo, 'login');
  await page.getByLabel('Username').click();
  await typeOnScreen(page, ADMIN.username);
  await keyboard(page).getByRole('button', { name: 'Done', exact: true }).click();
  for (let attempt = 1; attempt <= 4; attempt++) {
    await enterPin(page, '0000');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect(page.getByText('Wrong PIN or username')).toBeVisible();
    const left = 5 - attempt;
    await expect(page.getByText(`${left} ${left === 1 ? 'try' : 'tries'} left`)).toBeVisible();
  }
  await enterPin(page, '0000');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(page.getByText(/try again at \d\d:\d\d:\d\d/)).toBeVisible();
  await screenshotBoth(page, testInfo, 'login-locked');

  // Even the right PIN waits out the lock.
  await enterPin(page, ADMIN.pin);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(page.getByText(/try again at/)).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Administration' })).toHaveCount(0);
});

test('every admin screen, in both orientations', async ({ page, terminal }, testInfo) => {
  await terminal.show([1, 2, 3].map((index) => lfwPhoto('Colin_Powell', index)));
  await openKiosk(page, terminal);
  await expect.poll(() => page.evaluate(() => (globalThis as { __lintelMetrics?: { firstOverlayAtMs: number | null } }).__lintelMetrics?.firstOverlayAtMs ?? null)).not.toBeNull();
  await screenshotBoth(page, testInfo, 'door-face');
  await logIn(page);
  for (const [tab, heading] of [
    ['People', 'People'],
    ['Import', 'Import'],
    ['Settings', 'Settings'],
    ['System', 'System'],
  ] as const) {
    await page.getByRole('button', { name: tab, exact: true }).click();
    await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
    await screenshotBoth(page, testInfo, tab.toLowerCase());
  }
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await expect(page.getByTestId('door-canvas')).toBeVisible();
});
