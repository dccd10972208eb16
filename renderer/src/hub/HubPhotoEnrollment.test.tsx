import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { MAX_PHOTOS } from '../contract.js';
import { fakeDocuments } from '../test/fake-hub-documents.js';
import { renderHubScreen } from '../test/render-hub-screen.js';
import { fireEvent, screen, waitFor, within } from '../test/render-screen.js';
import { HubPhotoEnrollment, photoSelectionProblem } from './HubPhotoEnrollment.js';

const PERSON = {
  id: '0b5e1c2a-7f6d-4c3b-9a8e-1d2c3b4a5f60',
  name: 'Ada Lovelace',
  externalId: null,
  enabled: true,
  validFromMs: null,
  validUntilMs: null,
  groups: [],
  credentials: [],
  version: 1,
  createdAtMs: 1_700_000_000_000,
  updatedAtMs: 1_700_000_000_000,
};

function choosePhotos(names: readonly string[]): void {
  const files = names.map((name) => new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], name, { type: 'image/jpeg' }));
  fireEvent.change(screen.getByLabelText('Photos'), { target: { files } });
}

describe('hub enrollment from photos', () => {
  test('too many or too large photos are refused before sending', () => {
    assert.equal(photoSelectionProblem([]), 'Choose at least one photo.');
    assert.equal(photoSelectionProblem(Array.from({ length: MAX_PHOTOS + 1 }, (_, index) => ({ name: `${index}.jpg`, size: 1 }))), `At most ${MAX_PHOTOS} photos at once.`);
    assert.match(photoSelectionProblem([{ name: 'huge.jpg', size: 64 * 1024 * 1024 }]) ?? '', /huge\.jpg is larger than 12 MB/);
    assert.equal(photoSelectionProblem([{ name: 'a.jpg', size: 1000 }]), null);
  });

  test('the photos go to the hub as base64 with the groups chosen; a photo it could not use is shown with why before leaving', async () => {
    let done: { readonly name: string } | null | undefined;
    const rendered = renderHubScreen(<HubPhotoEnrollment onDone={(created) => (done = created)} />, {
      ...fakeDocuments({ group: ['staff', 'visitors'].map((name) => ({ id: name, body: { name, description: null } })) }).handlers,
      'persons:create-from-photos': ({ photos }) => ({
        person: PERSON,
        photos: photos.map((photo, index) => (index === 0 ? { name: photo.name, status: 'accepted' as const, detail: '' } : { name: photo.name, status: 'no-face' as const, detail: 'no face was found' })),
      }),
    });
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: 'Ada Lovelace' } });
    choosePhotos(['front.jpg', 'wall.jpg']);
    fireEvent.click(within(await screen.findByRole('group', { name: 'Groups' })).getByRole('button', { name: 'staff' }));
    await waitFor(() => assert.equal((screen.getByRole('button', { name: 'Enroll' }) as HTMLButtonElement).disabled, false));
    fireEvent.click(screen.getByRole('button', { name: 'Enroll' }));
    await screen.findByText('No face found');
    screen.getByText(/is enrolled from 1 of 2 photos/);
    const request = rendered.requestsOf('persons:create-from-photos')[0];
    assert.deepEqual(request?.photos, [
      { name: 'front.jpg', base64: '/9j/4A==' },
      { name: 'wall.jpg', base64: '/9j/4A==' },
    ]);
    assert.deepEqual(request?.groups, ['staff']);
    assert.equal(done, undefined, 'the screen stays until the verdicts are read');
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    assert.deepEqual(done, { name: 'Ada Lovelace' });
  });

  test('every photo used but the face looks like a young child’s: the advice is shown before leaving', async () => {
    let done: { readonly name: string } | null | undefined;
    renderHubScreen(<HubPhotoEnrollment onDone={(created) => (done = created)} />, {
      ...fakeDocuments({ group: [] }).handlers,
      'persons:create-from-photos': ({ photos }) => ({
        person: { ...PERSON, name: 'Mia' },
        photos: photos.map((photo) => ({ name: photo.name, status: 'accepted' as const, detail: '' })),
        youngChild: { estimatedAgeYears: 1.2 },
      }),
    });
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: 'Mia' } });
    choosePhotos(['front.jpg']);
    await waitFor(() => assert.equal((screen.getByRole('button', { name: 'Enroll' }) as HTMLButtonElement).disabled, false));
    fireEvent.click(screen.getByRole('button', { name: 'Enroll' }));
    await screen.findByText(/Mia looks like a young child \(about 1 year old\).*card and face.*\(the site settings or the door policy\)/);
    assert.equal(done, undefined);
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    assert.deepEqual(done, { name: 'Mia' });
  });
});
