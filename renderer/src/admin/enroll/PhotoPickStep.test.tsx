import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { RequestOf } from '../../contract.js';
import { fireEvent, renderScreen, screen, waitFor, within } from '../../test/render-screen.js';
import type { PhotoUpload } from './enroll-types.js';
import { PhotoPickStep } from './PhotoPickStep.js';

const photo = (name: string, sizeBytes = 1_000): File => new File([new Uint8Array(sizeBytes).fill(7)], name, { type: 'image/jpeg' });

/** The terminal's verdicts, by file name. */
const checkPhoto = ({ photo }: RequestOf<'enroll:check-photo'>) =>
  photo.name.startsWith('group')
    ? { file: photo.name, status: 'several-faces' as const, detail: '3 faces and none clearly the subject' }
    : photo.name.startsWith('far')
      ? { file: photo.name, status: 'too-small' as const, detail: 'face too small: 20 px between the eyes, at least 32 needed' }
      : { file: photo.name, status: 'usable' as const, detail: '48 px between the eyes' };

const continueButton = (): HTMLButtonElement => screen.getByRole('button', { name: /Continue|Checking/ }) as HTMLButtonElement;

test('each photo shows the terminal’s verdict beside its thumbnail as soon as it is added; only usable ones go on', async () => {
  const handedOn: (readonly PhotoUpload[])[] = [];
  const screenUnderTest = renderScreen(<PhotoPickStep onBack={() => undefined} onContinue={(photos) => handedOn.push(photos)} />, { 'enroll:check-photo': checkPhoto });
  assert.equal(continueButton().disabled, true, 'nothing chosen yet');

  fireEvent.change(screen.getByLabelText('Choose photos'), { target: { files: [photo('ann-1.jpg'), photo('group.jpg'), photo('far.jpg')] } });
  const list = screen.getByRole('list', { name: 'Chosen photos' });
  assert.deepEqual(
    within(list).getAllByRole('img').map((image) => image.getAttribute('alt')),
    ['ann-1.jpg', 'group.jpg', 'far.jpg'],
    'thumbnails at once, before the verdicts',
  );
  await waitFor(() => assert.equal(within(list).queryAllByText('Checking…').length, 0));

  assert.ok(within(screen.getByRole('listitem', { name: 'ann-1.jpg' })).getByText('Good'));
  const group = within(screen.getByRole('listitem', { name: 'group.jpg' }));
  assert.ok(group.getByText('Several faces'));
  assert.ok(group.getByText('3 faces and none clearly the subject'));
  assert.ok(within(screen.getByRole('listitem', { name: 'far.jpg' })).getByText('Face too small'));
  assert.ok(screen.getByText('2 photos cannot be used and will be left out.'));
  assert.equal(screenUnderTest.requestsOf('enroll:check-photo').length, 3, 'one check per photo');

  fireEvent.click(continueButton());
  assert.deepEqual(
    handedOn[0]?.map((upload) => upload.name),
    ['ann-1.jpg'],
  );
  assert.equal(handedOn[0]?.[0]?.dataBase64, screenUnderTest.requestsOf('enroll:check-photo')[0]?.photo.dataBase64, 'the bytes checked are the bytes sent');
});

test('a photo can be removed; with no usable photo left the step says so and does not go on', async () => {
  renderScreen(<PhotoPickStep onBack={() => undefined} onContinue={() => assert.fail('nothing usable to hand on')} />, { 'enroll:check-photo': checkPhoto });
  fireEvent.change(screen.getByLabelText('Choose photos'), { target: { files: [photo('ann-1.jpg'), photo('group.jpg')] } });
  await waitFor(() => assert.equal(screen.queryAllByText('Checking…').length, 0));
  fireEvent.click(screen.getByRole('button', { name: 'Remove ann-1.jpg' }));
  assert.deepEqual(
    within(screen.getByRole('list', { name: 'Chosen photos' }))
      .getAllByRole('img')
      .map((image) => image.getAttribute('alt')),
    ['group.jpg'],
  );
  assert.ok(screen.getByText(/None of these photos can be used/));
  assert.equal(continueButton().disabled, true);
});

test('too large a photo is refused by name before it is read', () => {
  const screenUnderTest = renderScreen(<PhotoPickStep onBack={() => undefined} onContinue={() => undefined} />, { 'enroll:check-photo': checkPhoto });
  fireEvent.change(screen.getByLabelText('Choose photos'), { target: { files: [photo('huge.jpg', 13 * 1024 * 1024)] } });
  assert.ok(screen.getByText(/huge\.jpg: larger than 12\.0 MB/i));
  assert.equal(screenUnderTest.requestsOf('enroll:check-photo').length, 0);
});
