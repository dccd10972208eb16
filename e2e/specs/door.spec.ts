// The door's whole story through the kiosk, one test per step so a failure names the step: enroll someone at the
// camera with the wizard and the on-screen keyboard, then the door grants them by name, denies a stranger, denies
// them once disabled, and forgets them once deleted; the events screen lists every decision. The steps share one
// terminal and run in order; a failed step skips the rest. Each waits for the state it needs (a decision, a
// screen, a row), never for time, so a loaded machine is slower, not failing.
import { expectDecision, keyboard, logIn, openKiosk, typeOnScreen } from '../support/kiosk.js';
import { expect, screenshotBoth, startSharedKiosk, test, type SharedKiosk } from '../support/fixtures.js';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { Page } from '@playwright/test';
import sharp from 'sharp';

import { ORIENTATIONS } from '../support/fixtures.js';
import { lfwPhoto } from '../support/terminal.js';

const ENROLLED = 'Tony_Blair';
const STRANGER = 'Colin_Powell';
const person = (name: string, count = 3): string[] => Array.from({ length: count }, (_, index) => lfwPhoto(name, index + 1));
/** A decision on a machine the other test runs load: the models share two cores. */
const DECISION_TIMEOUT_MS = 60_000;

/** Back to the door screen from the admin area. */
async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await expect(page.getByTestId('door-canvas')).toBeVisible();
}

/** The person's page, from the people list. */
async function openPerson(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'People', exact: true }).click();
  await page.getByText(name, { exact: true }).first().click();
}

test.describe('a person through the door, step by step', () => {
  test.describe.configure({ mode: 'serial' });
  let kiosk: SharedKiosk;

  test.beforeAll(async ({ browser }, testInfo) => {
    testInfo.setTimeout(120_000);
    kiosk = await startSharedKiosk(browser, testInfo);
  });
  test.afterEach(async () => {
    const testInfo = test.info();
    if (kiosk && testInfo.status !== testInfo.expectedStatus) await testInfo.attach('terminal.log', { body: kiosk.terminal.logText(), contentType: 'text/plain' });
  });
  test.afterAll(async () => {
    await kiosk?.close();
  });

  test('the kiosk opens on the door screen', async () => {
    const testInfo = test.info();
    await openKiosk(kiosk.page, kiosk.terminal);
    await expect(kiosk.page.getByRole('list', { name: 'Terminal status' })).toContainText('Camera live');
    await screenshotBoth(kiosk.page, testInfo, 'door-empty');
  });

  test('enrolled at the camera with the wizard and the on-screen keyboard', async () => {
    const testInfo = test.info();
    test.setTimeout(180_000);
    const { page, terminal } = kiosk;
    // The person stands at the camera while the admin runs the wizard.
    await terminal.show(person(ENROLLED));
    await logIn(page);
    await page.getByRole('button', { name: 'Enroll', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Enroll a person' })).toBeVisible();
    await screenshotBoth(page, testInfo, 'enroll-start');
    await page.getByRole('button', { name: /Capture at the camera/ }).click();
    await expect(page.getByRole('progressbar', { name: 'Samples taken' })).toBeVisible();
    await screenshotBoth(page, testInfo, 'enroll-capture');
    // The details step follows once every sample is in.
    await page.getByLabel('Name').click({ timeout: 90_000 });
    await typeOnScreen(page, 'Tony Blair');
    await keyboard(page).getByRole('button', { name: 'Done', exact: true }).click();
    await expect(page.getByLabel('Name')).toHaveValue('Tony Blair');
    await screenshotBoth(page, testInfo, 'enroll-details');
    await page.getByRole('button', { name: /^(Next|Continue|Review)/ }).click();
    await page.getByRole('button', { name: /^Enroll/ }).last().click();
    await expect(page.getByText(/Tony Blair.*enrolled|enrolled.*Tony Blair/i).first()).toBeVisible();
    await screenshotBoth(page, testInfo, 'enroll-done');
    await logOut(page);
  });

  test('the enrolled person is granted by name', async () => {
    const testInfo = test.info();
    const { page, terminal } = kiosk;
    // A new camera folder: a new track, a decision of its own.
    await terminal.show(person(ENROLLED));
    const granted = await expectDecision(page, 'granted', 'granted', DECISION_TIMEOUT_MS);
    await expect(granted).toContainText('Tony Blair');
    await expect(granted).toContainText('Access granted');
    await screenshotBoth(page, testInfo, 'decision-granted');
  });

  test('a stranger is denied as not recognised', async () => {
    const testInfo = test.info();
    const { page, terminal } = kiosk;
    await terminal.show(person(STRANGER));
    const denied = await expectDecision(page, 'denied', 'unknown', DECISION_TIMEOUT_MS);
    await expect(denied).toContainText('Access denied');
    await screenshotBoth(page, testInfo, 'decision-denied');
  });

  test('disabled on their page, the person is denied', async () => {
    const testInfo = test.info();
    const { page, terminal } = kiosk;
    await terminal.showNobody();
    await logIn(page);
    await openPerson(page, 'Tony Blair');
    await screenshotBoth(page, testInfo, 'person-edit');
    await page.getByRole('switch', { name: 'Access' }).or(page.getByLabel('Access')).first().click();
    await page.getByRole('button', { name: /^Save/ }).click();
    await logOut(page);
    await terminal.show(person(ENROLLED));
    await expectDecision(page, 'denied', 'disabled', DECISION_TIMEOUT_MS);
  });

  test('deleted, the person is gone from the people list', async () => {
    const testInfo = test.info();
    const { page, terminal } = kiosk;
    await terminal.showNobody();
    await logIn(page);
    await openPerson(page, 'Tony Blair');
    await page.getByRole('button', { name: /^Delete/ }).first().click();
    const confirm = page.getByRole('alertdialog');
    await expect(confirm).toContainText('Tony Blair');
    await screenshotBoth(page, testInfo, 'person-delete-confirm');
    await confirm.getByRole('button', { name: /^Delete/ }).click();
    await expect(page.getByText('Tony Blair was deleted.')).toBeVisible();
    await expect(page.getByText('Nobody is enrolled yet.')).toBeVisible();
  });

  test('the events list every decision, the deleted name erased', async () => {
    const testInfo = test.info();
    const { page } = kiosk;
    await page.getByRole('button', { name: 'Events', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Events' })).toBeVisible();
    // A face that stays at the door is decided once per track; a slow machine that loses the track decides it
    // again, so each reason is asserted on one row of its own, not counted.
    const rows = page.getByRole('list', { name: 'Events, newest first' }).getByRole('listitem');
    const row = (reason: string) => rows.filter({ hasText: reason }).first();
    await expect(row('Face not recognised')).toBeVisible();
    await expect(row('Access disabled')).toContainText('Denied');
    await expect(row('Access granted')).toContainText('Granted');
    // Their decisions (granted, then disabled) stay in the log; their name does not.
    await expect(row('Access granted')).toContainText('erased');
    await expect(row('Access disabled')).toContainText('erased');
    await expect(rows.filter({ hasText: 'Tony Blair' })).toHaveCount(0);
    await screenshotBoth(page, testInfo, 'events');
    await logOut(page);
  });

  test("the deleted person's face is a stranger's now", async () => {
    const { page, terminal } = kiosk;
    await terminal.show(person(ENROLLED));
    await expectDecision(page, 'denied', 'unknown', DECISION_TIMEOUT_MS);
  });
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

test('a camera fault: a short sentence at the door, the details on the System screen', async ({ page, terminal }, testInfo) => {
  const folder = testInfo.outputPath('camera-going-away');
  mkdirSync(folder, { recursive: true });
  await sharp({ create: { width: 640, height: 480, channels: 3, background: '#606870' } }).jpeg().toFile(join(folder, 'wall.jpg'));
  await terminal.showFolder(folder, 5);
  await openKiosk(page, terminal);
  const status = page.getByRole('list', { name: 'Terminal status' });
  await expect(status).toContainText('Camera live');

  // The camera's folder goes away, as an unplugged camera would.
  rmSync(folder, { recursive: true, force: true });
  await expect(status).toContainText('Camera unavailable — please contact reception');
  await expect(page.locator('.camera-notice')).toHaveText('Camera unavailable — please contact reception');
  await expect(page.getByRole('main')).not.toContainText('does not exist');
  await screenshotBoth(page, testInfo, 'door-camera-fault');

  await logIn(page);
  await page.getByRole('button', { name: 'System', exact: true }).click();
  const faults = page.getByRole('region', { name: 'Faults' });
  await expect(faults).toContainText('camera-going-away does not exist');
  await expect(faults).toContainText('The door screen says: “Camera unavailable — please contact reception”');
  await screenshotBoth(page, testInfo, 'system-faults');
});

test('settings: the camera is a list, and one that gives no picture is refused at its field', async ({ page, terminal }, testInfo) => {
  await openKiosk(page, terminal);
  await logIn(page);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const camera = page.getByLabel('Camera', { exact: true });
  await expect(camera).toHaveValue('default');
  await expect(page.getByLabel('Passive liveness model')).toBeVisible();
  await screenshotBoth(page, testInfo, 'settings-terminal');

  await camera.selectOption('file');
  await page.getByLabel('Photos or video').fill('/nowhere/door-test');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Not saved: the terminal refused a setting (shown at its field).')).toBeVisible();
  await expect(page.locator('.camera-field')).toContainText('/nowhere/door-test does not exist');
  await screenshotBoth(page, testInfo, 'settings-camera-refused');
  // Nothing was saved: the door still watches its own camera.
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await expect(page.getByRole('list', { name: 'Terminal status' })).toContainText('Camera live');
});

test('a grant whose door may not open says so, in the public screen’s words', async ({ page, terminal }, testInfo) => {
  test.skip(!terminal.opensInBrowser, 'rewrites the stream in the browser');
  // This machine has no GPIO chip to fail, so the terminal's health on the stream is given a door controller fault,
  // as a relay whose line another program holds would report it.
  await page.routeWebSocket('**/api/stream', (socket) => {
    const server = socket.connectToServer();
    server.onMessage((raw) => {
      const message = JSON.parse(String(raw)) as { kind: string; health?: Record<string, unknown> };
      if (message.kind === 'health' && message.health) message.health.doorController = { status: 'fault', message: 'relay: door relay unavailable: GPIO_V2_GET_LINE_IOCTL /dev/gpiochip3: EBUSY' };
      socket.send(JSON.stringify(message));
    });
  });
  const photos = await Promise.all([1, 2, 3].map(async (index) => ({ name: `${index}.jpg`, dataBase64: (await sharp(lfwPhoto(ENROLLED, index)).jpeg().toBuffer()).toString('base64') })));
  await terminal.call('enroll:photos', { person: { name: 'Tony Blair' }, photos });
  await openKiosk(page, terminal);
  const status = page.getByRole('list', { name: 'Terminal status' });
  await expect(status).toContainText('Door controller fault — please contact reception');
  await expect(status).not.toContainText('EBUSY');

  await terminal.show(person(ENROLLED));
  const granted = await expectDecision(page, 'granted', 'granted', DECISION_TIMEOUT_MS);
  await expect(granted.getByTestId('decision-fault')).toHaveText('The door may not open — please contact reception');
  await page.screenshot({ path: testInfo.outputPath('screens', 'decision-door-fault-portrait.png') });
  await page.setViewportSize(ORIENTATIONS.landscape);
  await page.screenshot({ path: testInfo.outputPath('screens', 'decision-door-fault-landscape.png') });
});

test('at a card and face door: the screen asks for the card, a face alone is refused card-required, and a read card asks for the face', async ({ page, terminal }, testInfo) => {
  test.skip(!terminal.opensInBrowser, 'rewrites the stream in the browser');
  // The real terminal, set to card and face, decides the face alone. This machine has no card reader: the one
  // message a card would bring (the door waiting for the holder's face) is added to the terminal's own stream.
  let toKiosk: ((message: unknown) => void) | undefined;
  await page.routeWebSocket('**/api/stream', (socket) => {
    const server = socket.connectToServer();
    server.onMessage((raw) => socket.send(String(raw)));
    toKiosk = (message) => socket.send(JSON.stringify(message));
  });
  const photos = await Promise.all([1, 2, 3].map(async (index) => ({ name: `${index}.jpg`, dataBase64: (await sharp(lfwPhoto(ENROLLED, index)).jpeg().toBuffer()).toString('base64') })));
  await terminal.call('enroll:photos', { person: { name: 'Tony Blair' }, photos });
  const { settings } = await terminal.call<{ settings: { 'access.policy': { credential: Record<string, unknown> } & Record<string, unknown> } }>('settings:get', {});
  const policy = settings['access.policy'];
  await terminal.call('settings:update', { values: { 'access.policy': { ...policy, credential: { ...policy.credential, mode: 'card+face' } } } });

  await openKiosk(page, terminal);
  await expect(page.getByTestId('card-hint')).toHaveText('Present your card, then look at the camera');
  await screenshotBoth(page, testInfo, 'door-card-hint');
  await terminal.show(person(ENROLLED));
  await expectDecision(page, 'denied', 'card-required', DECISION_TIMEOUT_MS);
  await expect(page.getByText('Present your card, then look at the camera').first()).toBeVisible();
  await screenshotBoth(page, testInfo, 'door-card-required');

  await expect.poll(() => toKiosk !== undefined).toBe(true);
  const nowMs = Date.now();
  toKiosk!({ kind: 'card', seq: 1_000_000, timestampMs: nowMs, waiting: { untilMs: nowMs + 10_000 } });
  await expect(page.getByTestId('card-prompt')).toHaveText('Card read — look at the camera');
  await screenshotBoth(page, testInfo, 'door-card-read');
  toKiosk!({ kind: 'card', seq: 1_000_001, timestampMs: nowMs + 1, waiting: null });
  await expect(page.getByTestId('card-prompt')).toHaveCount(0);
  await expect(page.getByTestId('card-hint')).toBeVisible();
});
