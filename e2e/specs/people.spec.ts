// A person's faces from the admin side: photos checked as they are chosen, the samples page (remove, add), a
// look-alike offered to the person it matches, a zip imported from the browser, a snapshot opened large. Each
// changed screen is saved in both orientations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { zipSync } from 'fflate';

import { logIn, openKiosk } from '../support/kiosk.js';
import { expect, screenshotBoth, test } from '../support/fixtures.js';
import { lfwPhoto, ROOT } from '../support/terminal.js';

const GROUP_PHOTO = join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo', 'sample1.jpg');
const asUpload = (file: string, name = file.split('/').at(-1) ?? 'photo.jpg') => ({ name, dataBase64: readFileSync(file).toString('base64') });
/** A file as the browser's file picker would hand it over (Playwright takes paths or buffers, not both at once). */
const asFile = (file: string, name = file.split('/').at(-1) ?? 'photo.jpg') => ({ name, mimeType: 'image/jpeg', buffer: readFileSync(file) });

test('photos are judged as they are chosen: a good one, a group photo and a file that is no image each say so', async ({ page, terminal }, testInfo) => {
  await openKiosk(page, terminal);
  await logIn(page);
  await page.getByRole('button', { name: 'Enroll', exact: true }).click();
  await page.getByRole('button', { name: /Enroll from photos/ }).click();
  await page.getByLabel('Choose photos').setInputFiles([
    asFile(lfwPhoto('Colin_Powell', 1)),
    asFile(GROUP_PHOTO),
    { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('these are meeting notes, not a photo') },
  ]);
  const tile = (name: string) => page.getByRole('listitem', { name });
  await expect(tile('Colin_Powell_0001.jpg').getByText('Good')).toBeVisible();
  await expect(tile('sample1.jpg').getByText(/Several faces|Face too small/)).toBeVisible();
  await expect(tile('notes.jpg').getByText('Not an image')).toBeVisible();
  await expect(page.getByText('2 photos cannot be used and will be left out.')).toBeVisible();
  await screenshotBoth(page, testInfo, 'enroll-photo-verdicts');

  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Name', { exact: true }).fill('Colin Powell');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByRole('button', { name: /Enroll this person/ }).click();
  await expect(page.getByText('Colin Powell is enrolled.')).toBeVisible();
  // Only the good photo was sent.
  await expect(page.getByRole('table', { name: /Result per photo/ }).getByRole('row')).toHaveCount(2);
});

test('a person’s samples: listed with their crops, one removed, photos added; a look-alike is offered to them', async ({ page, terminal }, testInfo) => {
  await terminal.call('enroll:photos', { person: { name: 'Colin Powell', externalId: 'E-100' }, photos: [asUpload(lfwPhoto('Colin_Powell', 1)), asUpload(lfwPhoto('Colin_Powell', 2))] });
  await openKiosk(page, terminal);
  await logIn(page);
  await page.getByRole('button', { name: 'People', exact: true }).click();
  await page.getByRole('button', { name: /^Colin Powell/ }).click();
  const samples = page.getByRole('list', { name: 'Samples of Colin Powell' });
  await expect(samples.getByRole('listitem')).toHaveCount(2);
  await screenshotBoth(page, testInfo, 'person-samples');

  await page.getByRole('button', { name: 'Remove sample 1' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog.getByText(/stops matching Colin Powell/)).toBeVisible();
  await screenshotBoth(page, testInfo, 'person-sample-remove');
  await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(page.getByText('The sample was removed.')).toBeVisible();
  await expect(samples.getByRole('listitem')).toHaveCount(1);

  await page.getByRole('button', { name: 'Add photos', exact: true }).click();
  await page.getByLabel('Choose photos').setInputFiles([lfwPhoto('Colin_Powell', 3)]);
  await expect(page.getByRole('listitem', { name: 'Colin_Powell_0003.jpg' }).getByText('Good')).toBeVisible();
  await screenshotBoth(page, testInfo, 'person-add-photos');
  await page.getByRole('button', { name: 'Add these photos', exact: true }).click();
  await expect(page.getByText('1 sample added.')).toBeVisible();
  await expect(samples.getByRole('listitem')).toHaveCount(2);

  // Enrolling him again under another name: the terminal says who he is, and the photo can go to him.
  await page.getByRole('button', { name: 'Enroll', exact: true }).click();
  await page.getByRole('button', { name: /Enroll from photos/ }).click();
  await page.getByLabel('Choose photos').setInputFiles([lfwPhoto('Colin_Powell', 4)]);
  await expect(page.getByRole('listitem', { name: 'Colin_Powell_0004.jpg' }).getByText('Good')).toBeVisible();
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Name', { exact: true }).fill('C. Powell');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByRole('button', { name: /Enroll this person/ }).click();
  await expect(page.getByRole('button', { name: 'Enroll anyway', exact: true })).toBeVisible();
  await screenshotBoth(page, testInfo, 'enroll-duplicate');
  await page.getByRole('button', { name: 'Add to Colin Powell', exact: true }).click();
  await expect(page.getByText('The photos were added to Colin Powell.')).toBeVisible();
  const persons = await terminal.call<{ persons: { name: string; sampleCount: number }[] }>('persons:list', {});
  expect(persons.persons.map((person) => [person.name, person.sampleCount])).toEqual([['Colin Powell', 3]]);
});

test('a zip uploaded from the browser is imported with a result per person; a damaged one is refused in words', async ({ page, terminal }, testInfo) => {
  const zip = zipSync({
    staff: {
      Colin_Powell: { '1.jpg': readFileSync(lfwPhoto('Colin_Powell', 1)), '2.jpg': readFileSync(lfwPhoto('Colin_Powell', 2)) },
      Tony_Blair: { '1.jpg': readFileSync(lfwPhoto('Tony_Blair', 2)) },
    },
  });
  await openKiosk(page, terminal);
  await logIn(page);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByLabel('Choose a zip').setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: Buffer.from('PK not a zip') });
  await page.getByRole('button', { name: 'Start import', exact: true }).click();
  await expect(page.getByText(/not a readable zip archive/)).toBeVisible();

  await page.getByLabel('Choose a zip').setInputFiles({ name: 'staff.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
  await expect(page.getByText('staff.zip')).toBeVisible();
  await screenshotBoth(page, testInfo, 'import-upload');
  await page.getByRole('button', { name: 'Start import', exact: true }).click();
  await expect(page.getByText(/Colin Powell/).first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText(/Tony Blair/).first()).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => (await terminal.call<{ persons: { name: string }[] }>('persons:list', {})).persons.map((person) => person.name).sort(), { timeout: 60_000 }).toEqual(['Colin Powell', 'Tony Blair']);
  await screenshotBoth(page, testInfo, 'import-upload-done');
});

test('an event’s snapshot opens large', async ({ page, terminal }, testInfo) => {
  await terminal.call('enroll:photos', { person: { name: 'Colin Powell' }, photos: [asUpload(lfwPhoto('Colin_Powell', 1))] });
  await terminal.show([2, 3, 4].map((index) => lfwPhoto('Colin_Powell', index)));
  await expect.poll(async () => (await terminal.call<{ events: unknown[] }>('events:query', {})).events.length, { timeout: 60_000 }).toBeGreaterThan(0);
  await openKiosk(page, terminal);
  await logIn(page);
  await page.getByRole('button', { name: 'Events', exact: true }).click();
  const open = page.getByRole('button', { name: /Open the snapshot large/ }).first();
  await open.click();
  const viewer = page.getByRole('dialog');
  await expect(viewer.getByRole('img', { name: /Snapshot:/ })).toBeVisible();
  await screenshotBoth(page, testInfo, 'snapshot-viewer');
  await viewer.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(viewer).toHaveCount(0);
});

test('more samples captured at the camera for an enrolled person go to them', async ({ page, terminal }, testInfo) => {
  test.setTimeout(180_000);
  await terminal.call('enroll:photos', { person: { name: 'Tony Blair' }, photos: [asUpload(lfwPhoto('Tony_Blair', 2))] });
  // He stands at the camera while the administrator opens his page.
  await terminal.show([1, 3, 4].map((index) => lfwPhoto('Tony_Blair', index)));
  await openKiosk(page, terminal);
  await logIn(page);
  await page.getByRole('button', { name: 'People', exact: true }).click();
  await page.getByRole('button', { name: /^Tony Blair/ }).click();
  await expect(page.getByRole('list', { name: 'Samples of Tony Blair' }).getByRole('listitem')).toHaveCount(1);
  await page.getByRole('button', { name: 'Capture at the camera', exact: true }).click();
  await expect(page.getByRole('progressbar', { name: 'Samples taken' })).toBeVisible();
  await screenshotBoth(page, testInfo, 'person-capture');
  await expect(page.getByText(/^\d+ samples added\.$/)).toBeVisible({ timeout: 120_000 });
  const persons = await terminal.call<{ persons: { name: string; sampleCount: number }[] }>('persons:list', {});
  expect(persons.persons).toHaveLength(1);
  expect(persons.persons[0]?.sampleCount).toBeGreaterThan(1);
  await expect(page.getByRole('list', { name: 'Samples of Tony Blair' }).getByRole('listitem')).toHaveCount(persons.persons[0]?.sampleCount ?? 0);
});

test('a young child is marked in the people list and on their page, and the door asks for their card', async ({ page, terminal }, testInfo) => {
  await terminal.call('enroll:photos', { person: { name: 'Princess Aiko' }, photos: [asUpload(lfwPhoto('Princess_Aiko', 1))] });
  await terminal.show([lfwPhoto('Princess_Aiko', 2)]);
  // Her face alone does not open the door (access.policy.credential.youngChildren, card and face by default).
  await expect
    .poll(async () => (await terminal.call<{ events: { reason: string }[] }>('events:query', {})).events.map((event) => event.reason)[0], { timeout: 60_000 })
    .toBe('card-required');
  await openKiosk(page, terminal);
  await logIn(page);
  await page.getByRole('button', { name: 'People', exact: true }).click();
  const row = page.getByRole('button', { name: /^Princess Aiko/ });
  await expect(row.getByText('young child', { exact: true })).toBeVisible();
  await row.click();
  await expect(page.getByText(/Princess Aiko looks like a young child \(about \d+ years? old\).*the door asks for their card and face/)).toBeVisible();
  await screenshotBoth(page, testInfo, 'person-young-child');
});
