// The settings screen's lists where the terminal knows the choices. This machine has neither V4L2 cameras nor GPIO
// chips, so the terminal's answer to hardware:list is replaced in the browser with a board's (a UVC webcam and the
// RK3568's GPIO banks); everything else is the real terminal.
import { expect, screenshotBoth, test } from '../support/fixtures.js';
import { logIn, openKiosk } from '../support/kiosk.js';

const BOARD = {
  cameras: [
    { devicePath: '/dev/video0', name: 'rkisp_mainpath', driver: 'rkisp', captures: true, formats: [{ format: 'NV12', sizes: [{ widthPx: 1280, heightPx: 720 }, { widthPx: 1920, heightPx: 1080 }] }] },
    { devicePath: '/dev/video9', name: 'HD Pro Webcam C920', driver: 'uvcvideo', captures: true, formats: [{ format: 'YUYV', sizes: [{ widthPx: 640, heightPx: 480 }, { widthPx: 1280, heightPx: 720 }] }, { format: 'MJPG', sizes: [{ widthPx: 1280, heightPx: 720 }, { widthPx: 1920, heightPx: 1080 }] }] },
  ],
  gpioChips: [0, 1, 2, 3, 4].map((bank) => ({ path: `/dev/gpiochip${bank}`, name: `gpiochip${bank}`, label: `gpio${bank}`, lines: 32 })),
};

test('cameras, models and GPIO lines are lists of what the terminal has', async ({ page, terminal }, testInfo) => {
  test.skip(!terminal.opensInBrowser, 'replaces a call in the browser');
  await page.route('**/api/call/hardware:list', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ok: true, value: BOARD }) }));
  await openKiosk(page, terminal);
  await logIn(page);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();

  const camera = page.getByLabel('Camera', { exact: true });
  await expect(camera.locator('option')).toHaveText(["The terminal's default camera", 'rkisp_mainpath (/dev/video0)', 'HD Pro Webcam C920 (/dev/video9)', 'Photos or a video on the terminal']);
  await camera.selectOption('v4l2:/dev/video9');
  await expect(page.getByLabel('Picture format')).toHaveValue('YUYV');
  await expect(page.getByLabel('Picture size')).toHaveValue('1280x720');
  await expect(page.getByLabel('Passive liveness model').locator('option').first()).toHaveText("The manifest's passive check");
  await screenshotBoth(page, testInfo, 'settings-camera-list');

  // A door relay: the chip from the banks, the line by its pin name.
  const outputs = page.getByRole('group', { name: 'Door outputs' });
  await outputs.getByRole('radio', { name: 'Door relay (GPIO)' }).or(outputs.getByRole('button', { name: 'Door relay (GPIO)' })).first().click();
  await outputs.getByRole('button', { name: 'Add output' }).click();
  const relay = page.getByRole('group', { name: /Door relay \(GPIO\) relay/ });
  await relay.getByLabel('GPIO chip').selectOption('/dev/gpiochip3');
  await relay.getByLabel('Line', { exact: true }).selectOption({ label: '7 — GPIO3_A7' });
  await expect(relay.getByLabel('Line', { exact: true })).toHaveValue('7');
  await relay.scrollIntoViewIfNeeded();
  await screenshotBoth(page, testInfo, 'settings-gpio-list');
});

test('a Wiegand card reader on the board’s lines, and card and face after hours', async ({ page, terminal }, testInfo) => {
  test.skip(!terminal.opensInBrowser, 'replaces a call in the browser');
  await page.route('**/api/call/hardware:list', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ok: true, value: BOARD }) }));
  await openKiosk(page, terminal);
  await logIn(page);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();

  await page.getByRole('switch', { name: 'Card reader (Wiegand)' }).click();
  await page.getByLabel('Reader GPIO chip').selectOption('/dev/gpiochip3');
  await page.getByLabel('D0 line', { exact: true }).selectOption({ label: '8 — GPIO3_B0' });
  await page.getByLabel('D1 line', { exact: true }).selectOption({ label: '9 — GPIO3_B1' });
  await page.getByLabel('D1 line', { exact: true }).scrollIntoViewIfNeeded();
  await screenshotBoth(page, testInfo, 'settings-card-reader');

  const section = page.getByRole('group', { name: 'Card and face' });
  await section.getByRole('radiogroup', { name: 'What this door asks for' }).getByRole('radio', { name: 'Card, then face' }).click();
  await section.scrollIntoViewIfNeeded();
  await screenshotBoth(page, testInfo, 'settings-card-and-face');
  // The site's own 37-bit format, typed as its data sheet prints it, read by the reader.
  const cards = page.getByRole('group', { name: 'Card format' });
  await cards.getByRole('button', { name: 'Add site format' }).click();
  const h10304 = cards.getByRole('group', { name: /^Site format / });
  await h10304.getByLabel('Name').fill('h10304');
  await h10304.getByLabel('Layout').fill('PFFFFFFFFFFFFFFFFCCCCCCCCCCCCCCCCCCCP');
  for (const line of ['EXXXXXXXXXXXXXXXXXX..................', '..................XXXXXXXXXXXXXXXXXXO']) {
    await h10304.getByRole('button', { name: /^Add a parity line/ }).click();
    await h10304.getByLabel(/^Parity line \d/).last().fill(line);
  }
  await cards.getByLabel('Format of the people’s cards').selectOption('h10304');
  await h10304.scrollIntoViewIfNeeded();
  await screenshotBoth(page, testInfo, 'settings-card-format');
  // This machine has no GPIO chip: the terminal refuses the reader's lines by name, at their field, and keeps the rest.
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText(/cardReader\.chipPath: \/dev\/gpiochip3: no such GPIO chip|\/dev\/gpiochip3: no such GPIO chip/).first()).toBeVisible();
});
