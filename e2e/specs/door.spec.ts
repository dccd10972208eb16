// The door's whole story through the kiosk: enroll someone at the camera with the wizard and the on-screen
// keyboard, then the door grants them by name, denies a stranger, denies them once disabled, and forgets them
// once deleted; the events screen lists every decision.
import { expectDecision, keyboard, logIn, openKiosk, typeOnScreen } from '../support/kiosk.js';
import { expect, screenshotBoth, test } from '../support/fixtures.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';

import { ORIENTATIONS } from '../support/fixtures.js';
import { lfwPhoto } from '../support/terminal.js';

const ENROLLED = 'Tony_Blair';
const STRANGER = 'Colin_Powell';
const person = (name: string, count = 3): string[] => Array.from({ length: count }, (_, index) => lfwPhoto(name, index + 1));

test('enroll at the camera, granted by name, unknown denied, disabled denied, deleted forgotten, all in the events', async ({ page, terminal }, testInfo) => {
  await openKiosk(page, terminal);
  await screenshotBoth(page, testInfo, 'door-empty');

  // Enrollment: the person stands at the camera while the admin runs the wizard.
  await terminal.show(person(ENROLLED));
  await logIn(page);
  await page.getByRole('button', { name: 'Enroll', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Enroll a person' })).toBeVisible();
  await screenshotBoth(page, testInfo, 'enroll-start');
  await page.getByRole('button', { name: /Capture at the camera/ }).click();
  await expect(page.getByRole('progressbar', { name: 'Samples taken' })).toBeVisible();
  await screenshotBoth(page, testInfo, 'enroll-capture');
  await page.getByLabel('Name').click({ timeout: 60_000 });
  await typeOnScreen(page, 'Tony Blair');
  await keyboard(page).getByRole('button', { name: 'Done', exact: true }).click();
  await expect(page.getByLabel('Name')).toHaveValue('Tony Blair');
  await screenshotBoth(page, testInfo, 'enroll-details');
  await page.getByRole('button', { name: /^(Next|Continue|Review)/ }).click();
  await page.getByRole('button', { name: /^Enroll/ }).last().click();
  await expect(page.getByText(/Tony Blair.*enrolled|enrolled.*Tony Blair/i).first()).toBeVisible();
  await screenshotBoth(page, testInfo, 'enroll-done');
  await page.getByRole('button', { name: 'Log out', exact: true }).click();

  // At the door: a new camera, a new track, a decision.
  await terminal.show(person(ENROLLED));
  const granted = await expectDecision(page, 'granted', 'granted');
  await expect(granted).toContainText('Tony Blair');
  await expect(granted).toContainText('Access granted');
  await screenshotBoth(page, testInfo, 'decision-granted');

  await terminal.show(person(STRANGER));
  const denied = await expectDecision(page, 'denied', 'unknown');
  await expect(denied).toContainText('Access denied');
  await screenshotBoth(page, testInfo, 'decision-denied');

  // Disabled from the people screen.
  await terminal.showNobody();
  await logIn(page);
  await page.getByRole('button', { name: 'People', exact: true }).click();
  await page.getByText('Tony Blair').first().click();
  await screenshotBoth(page, testInfo, 'person-edit');
  await page.getByRole('switch', { name: 'Access' }).or(page.getByLabel('Access')).first().click();
  await page.getByRole('button', { name: /^Save/ }).click();
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await terminal.show(person(ENROLLED));
  await expectDecision(page, 'denied', 'disabled');

  // Deleted: gone everywhere at once, so the same face is now a stranger.
  await terminal.showNobody();
  await logIn(page);
  await page.getByRole('button', { name: 'People', exact: true }).click();
  await page.getByText('Tony Blair').first().click();
  await page.getByRole('button', { name: /^Delete/ }).first().click();
  const confirm = page.getByRole('alertdialog');
  await expect(confirm).toContainText('Tony Blair');
  await screenshotBoth(page, testInfo, 'person-delete-confirm');
  await confirm.getByRole('button', { name: /^Delete/ }).click();
  await expect(page.getByText('Tony Blair was deleted.')).toBeVisible();
  await expect(page.getByText('Nobody is enrolled yet.')).toBeVisible();

  // The events screen lists the decisions, newest first, the deleted person's name erased.
  await page.getByRole('button', { name: 'Events', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Events' })).toBeVisible();
  // A face that stays at the door is decided once per track; a slow machine that loses the track decides it
  // again, so each reason is asserted present, not counted.
  const events = page.getByRole('main');
  await expect(events.getByText('Face not recognised').first()).toBeVisible();
  await expect(events.getByText('Access disabled').first()).toBeVisible();
  await expect(events.getByText('Access granted').first()).toBeVisible();
  // Their decisions (granted, then disabled) stay in the log; their name does not.
  await expect(events.getByText('erased').nth(1)).toBeVisible();
  await expect(events.getByText('Tony Blair')).toHaveCount(0);
  await screenshotBoth(page, testInfo, 'events');
  await page.getByRole('button', { name: 'Log out', exact: true }).click();

  await terminal.show(person(ENROLLED));
  await expectDecision(page, 'denied', 'unknown');
});

test('the public door screen: no diagnostics unless set, a far face told to come closer, the clock off the picture', async ({ page, terminal }, testInfo) => {
  // A camera standing up (480 × 800) with someone at the far end of the corridor: LFW's face shrunk to a
  // quarter, too small to decide on.
  const folder = testInfo.outputPath('far-camera');
  mkdirSync(folder, { recursive: true });
  const far = await sharp(lfwPhoto(STRANGER, 1)).resize({ width: 150 }).toBuffer();
  await sharp({ create: { width: 480, height: 800, channels: 3, background: '#303030' } })
    .composite([{ input: far, left: 165, top: 220 }])
    .jpeg()
    .toFile(join(folder, '000.jpg'));
  await terminal.showFolder(folder, 5);
  await openKiosk(page, terminal);
  const status = page.getByRole('list', { name: 'Terminal status' });
  await expect(status).toContainText('Camera live');
  await expect.poll(() => page.evaluate(() => (globalThis as { __lintelMetrics?: { firstOverlayAtMs: number | null } }).__lintelMetrics?.firstOverlayAtMs ?? null)).not.toBeNull();
  await expect(status).not.toContainText('fps processed');
  await expect(status).not.toContainText('Latency');
  await screenshotBoth(page, testInfo, 'door-far');

  // Standing up, the clock sits above the camera picture, not over it.
  await page.setViewportSize(ORIENTATIONS.portrait);
  await expect.poll(async () => {
    const clock = await page.locator('.clock').boundingBox();
    const canvas = await page.getByTestId('door-canvas').boundingBox();
    return clock && canvas ? canvas.y - (clock.y + clock.height) : -1;
  }).toBeGreaterThanOrEqual(0);

  // The administrator's diagnostics setting brings the technical figures back.
  await terminal.call('settings:update', { values: { 'door.showDiagnostics': true } });
  await expect(status).toContainText('fps processed');
  await screenshotBoth(page, testInfo, 'door-diagnostics');
});
