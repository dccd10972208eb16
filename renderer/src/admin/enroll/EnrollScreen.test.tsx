import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { RequestOf, ResponseOf } from '../../contract.js';
import { fireEvent, renderScreen, screen, waitFor, type FakeHandlers } from '../../test/render-screen.js';
import { EnrollScreen } from './EnrollScreen.js';

type Person = ResponseOf<'persons:get'>;

const person = (name: string, id = '0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01'): Person => ({
  id,
  name,
  externalId: null,
  enabled: true,
  validFromMs: null,
  validUntilMs: null,
  groups: [],
  credential: null,
  createdAtMs: 1_700_000_000_000,
  updatedAtMs: 1_700_000_000_000,
});

const usable = ({ photo }: RequestOf<'enroll:check-photo'>) => ({ file: photo.name, status: 'usable' as const, detail: '48 px between the eyes' });

/** Start → photos (checked) → details with a name typed → confirm. */
async function toConfirm(name: string): Promise<void> {
  fireEvent.click(screen.getByRole('button', { name: /Enroll from photos/ }));
  fireEvent.change(screen.getByLabelText('Choose photos'), { target: { files: [new File([new Uint8Array(64).fill(1)], 'ann.jpg', { type: 'image/jpeg' })] } });
  await waitFor(() => assert.equal((screen.getByRole('button', { name: 'Continue' }) as HTMLButtonElement).disabled, false));
  fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
  fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: name } });
  fireEvent.change(screen.getByLabelText(/^External id/), { target: { value: 'E-7' } });
  fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
  await screen.findByRole('button', { name: /Enroll this person/ });
}

test('a refused enrollment keeps what was typed: back from the error, the details are all there', async () => {
  renderScreen(<EnrollScreen />, {
    'enroll:check-photo': usable,
    'enroll:photos': () => ({ ok: false, error: { code: 'conflict', message: 'external id "E-7" already belongs to another person' } }),
  });
  await toConfirm('Ann Lee');
  fireEvent.click(screen.getByRole('button', { name: /Enroll this person/ }));
  await screen.findByText(/already belongs to another person/);
  fireEvent.click(screen.getByRole('button', { name: /Back/ }));
  assert.equal((screen.getByLabelText(/^Name/) as HTMLInputElement).value, 'Ann Lee');
  assert.equal((screen.getByLabelText(/^External id/) as HTMLInputElement).value, 'E-7');
});

test('photos no one can use: choosing other photos keeps the details typed', async () => {
  const photoResult = { file: 'ann.jpg', status: 'no-face' as const, detail: 'no face found' };
  renderScreen(<EnrollScreen />, { 'enroll:check-photo': usable, 'enroll:photos': () => ({ outcome: 'refused' as const, reason: 'no-usable-photo' as const, photos: [photoResult], duplicates: [] }) });
  await toConfirm('Ann Lee');
  fireEvent.click(screen.getByRole('button', { name: /Enroll this person/ }));
  fireEvent.click(await screen.findByRole('button', { name: /Choose other photos/ }));
  fireEvent.change(screen.getByLabelText('Choose photos'), { target: { files: [new File([new Uint8Array(64).fill(2)], 'ann-2.jpg', { type: 'image/jpeg' })] } });
  await waitFor(() => assert.equal((screen.getByRole('button', { name: 'Continue' }) as HTMLButtonElement).disabled, false));
  fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
  assert.equal((screen.getByLabelText(/^Name/) as HTMLInputElement).value, 'Ann Lee');
});

test('a face that matches someone enrolled offers “Add to <name>” beside “Enroll anyway”; adding sends the photos to them', async () => {
  const colin = person('Colin Powell');
  const duplicate = { personId: colin.id, name: colin.name, externalId: null, similarity: 0.82, matchScore: 61, sampleIndices: [0], message: 'already enrolled as Colin Powell' };
  const handlers: FakeHandlers = {
    'enroll:check-photo': usable,
    'enroll:photos': () => ({ outcome: 'refused', reason: 'duplicate-of', photos: [{ file: 'ann.jpg', status: 'duplicate', detail: duplicate.message, duplicateOf: duplicate }], duplicates: [duplicate] }),
    'persons:add-photos': ({ photos }) => ({ outcome: 'added', person: colin, sampleIds: ['9b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01'], photos: photos.map((photo) => ({ file: photo.name, status: 'enrolled' as const, detail: 'used' })), duplicates: [] }),
  };
  const rendered = renderScreen(<EnrollScreen />, handlers);
  await toConfirm('C. Powell');
  fireEvent.click(screen.getByRole('button', { name: /Enroll this person/ }));
  assert.ok(await screen.findByRole('button', { name: 'Enroll anyway' }));
  fireEvent.click(screen.getByRole('button', { name: /Add to Colin Powell/ }));
  await screen.findByText('The photos were added to Colin Powell.');
  const [request] = rendered.requestsOf('persons:add-photos');
  assert.equal(request?.id, colin.id);
  assert.deepEqual(
    request?.photos.map((photo) => photo.name),
    ['ann.jpg'],
  );
  assert.equal(rendered.requestsOf('enroll:photos').length, 1, 'no second person was enrolled');
});

test('photos that look like a young child’s: enrolled, with the advice to ask for card and face', async () => {
  const enrolled = (youngChild?: { estimatedAgeYears: number }) => () => ({
    outcome: 'enrolled' as const,
    person: person('Mia Lee'),
    sampleIds: ['9b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01'],
    photos: [{ file: 'ann.jpg', status: 'enrolled' as const, detail: 'used' }],
    duplicates: [],
    ...(youngChild ? { youngChild } : {}),
  });
  const child = renderScreen(<EnrollScreen />, { 'enroll:check-photo': usable, 'enroll:photos': enrolled({ estimatedAgeYears: 2.6 }) });
  await toConfirm('Mia Lee');
  fireEvent.click(screen.getByRole('button', { name: /Enroll this person/ }));
  await screen.findByText('Mia Lee is enrolled.');
  assert.ok(screen.getByText(/Mia Lee looks like a young child \(about 3 years old\).*card and face/));
  child.unmount();

  renderScreen(<EnrollScreen />, { 'enroll:check-photo': usable, 'enroll:photos': enrolled() });
  await toConfirm('Mia Lee');
  fireEvent.click(screen.getByRole('button', { name: /Enroll this person/ }));
  await screen.findByText('Mia Lee is enrolled.');
  assert.equal(screen.queryByText(/looks like a young child/), null);
});
