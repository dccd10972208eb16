// Live enrollment is one at a time, visibly: an admin who finds the camera taken sees who holds it and since when,
// and may take it over; the admin whose capture was taken sees that at once.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { expect, screenshotBoth, test } from '../support/fixtures.js';
import { logIn, openKiosk } from '../support/kiosk.js';
import { ROOT } from '../support/terminal.js';

const SECOND = { username: 'bea', pin: '1357' } as const;

test('a capture held by another admin is named, can be taken over, and its admin is told', async ({ page, terminal }, testInfo) => {
  const added = spawnSync(process.execPath, [join(ROOT, 'dist', 'electron', 'cli', 'lintel.js'), 'admin', 'add', '--data', terminal.dataDir, '--username', SECOND.username, '--pin', SECOND.pin], { encoding: 'utf8' });
  expect(added.status, added.stderr).toBe(0);

  // The fixture's admin (`admin`, over HTTP) holds the camera.
  const held = await terminal.call<{ sessionId: string }>('enroll:live-start', {});
  expect(held.sessionId).toBeTruthy();

  await openKiosk(page, terminal);
  await logIn(page, SECOND.pin, SECOND.username);
  await page.getByRole('button', { name: 'Enroll', exact: true }).click();
  await page.getByRole('button', { name: /Capture at the camera/ }).click();
  const notice = page.getByTestId('capture-held');
  await expect(notice).toContainText('The camera is in use for another enrollment');
  await expect(notice).toContainText(/admin has been enrolling at the camera since \d\d:\d\d/);
  await screenshotBoth(page, testInfo, 'enroll-capture-held');

  await notice.getByRole('button', { name: 'Take over' }).click();
  await expect(page.getByRole('progressbar', { name: 'Samples taken' })).toBeVisible();
  // The first admin's capture is over: committing it finds no session.
  await expect(terminal.call('enroll:live-commit', { sessionId: held.sessionId, person: { name: 'Nobody' } })).rejects.toThrow(/not-found/);

  // And the other way round: the fixture's admin takes the camera back; this screen says so.
  await terminal.call('enroll:live-start', { takeOver: true });
  const ended = page.getByTestId('capture-ended');
  await expect(ended).toHaveAttribute('data-reason', 'taken-over');
  await expect(ended).toContainText('This capture was taken over');
  await expect(ended).toContainText(/admin took over the camera at \d\d:\d\d: this capture has ended/);
  await expect(page.getByRole('progressbar', { name: 'Samples taken' })).toHaveCount(0);
  await screenshotBoth(page, testInfo, 'enroll-capture-taken');
});
