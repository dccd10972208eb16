import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { RequestOf, ResponseOf } from '../../contract.js';
import { useLintel } from '../../store/store.js';
import type { TerminalHealth } from '../../store/types.js';
import { act, fireEvent, renderScreen, screen, waitFor, within, type FakeHandlers } from '../../test/render-screen.js';
import { PersonSamples } from './PersonSamples.js';

type Sample = ResponseOf<'persons:samples'>['samples'][number];

const personId = '0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01';
const ann: ResponseOf<'persons:get'> = { id: personId, name: 'Ann Lee', externalId: null, enabled: true, validFromMs: null, validUntilMs: null, groups: [], credential: null, createdAtMs: 0, updatedAtMs: 0 };
const HEALTH: TerminalHealth = { camera: { status: 'live', fps: 30 }, models: { detector: 'd', fitter: 'f', extractor: 'e' }, backend: 'auto', engines: [], processedFps: 30, framesProcessed: 10, framesDropped: 0, workerRestarts: 0 };
const quality = { interOcularPx: 48.4, yawDeg: 2, pitchDeg: 1, rollDeg: 0, sharpness: 180, brightness: 120, contrast: 40, presence: 1, detectorScore: 0.98 };
const sample = (n: number, estimatedAgeYears: number | null = 34): Sample => ({
  id: `${n}b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01`,
  createdAtMs: 1_700_000_000_000 + n * 60_000,
  quality,
  modelIds: ['arcface'],
  cropBase64: '/9j/AA==',
  estimatedAgeYears,
});

/** A terminal holding Ann's samples: remove and add change what persons:samples answers next. */
function terminal(initial: readonly Sample[], extra: FakeHandlers = {}): FakeHandlers {
  let samples = [...initial];
  return {
    // The terminal's judgement in small: young while most estimated samples are (its own rule takes the median).
    'persons:samples': () => {
      const ages = samples.flatMap((s) => (s.estimatedAgeYears === null ? [] : [s.estimatedAgeYears]));
      const young = ages.filter((years) => years < 6);
      return { personId, samples, youngChild: young.length * 2 > ages.length ? { estimatedAgeYears: Math.max(...young) } : null };
    },
    'persons:remove-sample': ({ sampleId }) => {
      const before = samples.length;
      samples = samples.filter((s) => s.id !== sampleId);
      return { removed: samples.length < before, remaining: samples.length };
    },
    'enroll:check-photo': ({ photo }: RequestOf<'enroll:check-photo'>) => ({ file: photo.name, status: 'usable' as const, detail: 'fine' }),
    'persons:add-photos': ({ photos, replace }) => {
      const added = photos.map((_, i) => sample(10 + i));
      samples = replace ? added : [...samples, ...added];
      return { outcome: 'added', person: ann, sampleIds: added.map((s) => s.id), photos: photos.map((p) => ({ file: p.name, status: 'enrolled' as const, detail: 'used' })), duplicates: [] };
    },
    ...extra,
  };
}

const tiles = (): string[] =>
  within(screen.getByRole('list', { name: 'Samples of Ann Lee' }))
    .getAllByRole('img')
    .map((image) => image.getAttribute('alt') ?? '');

async function choosePhotos(...names: string[]): Promise<void> {
  fireEvent.change(screen.getByLabelText('Choose photos'), { target: { files: names.map((name) => new File([new Uint8Array(32).fill(3)], name, { type: 'image/jpeg' })) } });
  await waitFor(() => assert.equal(screen.queryAllByText('Checking…').length, 0));
}

test('lists the person’s samples with their crop, quality and date; removing one asks first, then the list follows', async () => {
  const rendered = renderScreen(<PersonSamples personId={personId} name="Ann Lee" />, terminal([sample(1), sample(2)]));
  await screen.findByRole('list', { name: 'Samples of Ann Lee' });
  assert.deepEqual(tiles(), ['Sample 1 of Ann Lee', 'Sample 2 of Ann Lee']);
  assert.equal(screen.getAllByText('48 px between the eyes').length, 2);

  fireEvent.click(screen.getByRole('button', { name: 'Remove sample 1' }));
  const dialog = screen.getByRole('alertdialog');
  assert.ok(within(dialog).getByText(/stops matching Ann Lee/));
  assert.equal(rendered.requestsOf('persons:remove-sample').length, 0, 'nothing removed before the answer');
  fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));
  await screen.findByText('The sample was removed.');
  assert.deepEqual(rendered.requestsOf('persons:remove-sample'), [{ sampleId: sample(1).id }]);
  await waitFor(() => assert.deepEqual(tiles(), ['Sample 1 of Ann Lee']));
});

test('a person whose samples look like a young child’s is named so, with what the door asks of them; re-enrolled as an adult, the notice goes', async () => {
  renderScreen(<PersonSamples personId={personId} name="Ann Lee" />, terminal([sample(1, 2.4), sample(2, 3.1), sample(3, null)]));
  await screen.findByRole('list', { name: 'Samples of Ann Lee' });
  assert.ok(screen.getByText(/Ann Lee looks like a young child \(about 3 years old\).*the door asks for their card and face.*Settings › Card and face/));
  assert.equal(screen.queryByText(/no card reader/), null, 'nothing said of a reader before the terminal has told its health');
  // A terminal with no card reader: health names none.
  act(() => useLintel.getState().receiveHealth(HEALTH, Date.now()));
  assert.ok(screen.getByText(/This door has no card reader \(Settings › Door inputs\), so here they cannot get in by face/));
  act(() => useLintel.getState().receiveHealth({ ...HEALTH, cardReader: { status: 'ok' } }, Date.now()));
  assert.equal(screen.queryByText(/no card reader/), null, 'a door with a reader lets them present their card');

  fireEvent.click(screen.getByRole('button', { name: /Re-enroll from photos/ }));
  fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Continue' }));
  await choosePhotos('adult.jpg');
  fireEvent.click(screen.getByRole('button', { name: 'Re-enroll from these photos' }));
  await screen.findByText('Ann Lee is re-enrolled with 1 new sample.');
  await waitFor(() => assert.ok(screen.queryByText(/looks like a young child/) === null, 'the young-child notice is still shown'));
});

test('adds photos to the person; re-enrolling asks first and replaces', async () => {
  const rendered = renderScreen(<PersonSamples personId={personId} name="Ann Lee" />, terminal([sample(1)]));
  await screen.findByRole('list', { name: 'Samples of Ann Lee' });

  fireEvent.click(screen.getByRole('button', { name: /Add photos/ }));
  await choosePhotos('new-1.jpg', 'new-2.jpg');
  fireEvent.click(screen.getByRole('button', { name: 'Add these photos' }));
  await screen.findByText('2 samples added.');
  await waitFor(() => assert.equal(tiles().length, 3));
  assert.equal(rendered.requestsOf('persons:add-photos')[0]?.replace, false);

  fireEvent.click(screen.getByRole('button', { name: /Re-enroll from photos/ }));
  fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Continue' }));
  await choosePhotos('fresh.jpg');
  fireEvent.click(screen.getByRole('button', { name: 'Re-enroll from these photos' }));
  await screen.findByText('Ann Lee is re-enrolled with 1 new sample.');
  await waitFor(() => assert.equal(tiles().length, 1));
  assert.equal(rendered.requestsOf('persons:add-photos')[1]?.replace, true);
});

test('photos that look like someone else are refused with their name; “Enroll anyway” adds them deliberately', async () => {
  const duplicate = { personId: '1b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01', name: 'Bo Chen', externalId: null, similarity: 0.8, matchScore: 58, sampleIndices: [0], message: 'already enrolled as Bo Chen' };
  const base = terminal([sample(1)]);
  const rendered = renderScreen(
    <PersonSamples personId={personId} name="Ann Lee" />,
    terminal([sample(1)], {
      'persons:add-photos': (request) =>
        request.allowDuplicate ? base['persons:add-photos']!(request) : { outcome: 'refused', reason: 'duplicate-of', photos: [{ file: 'x.jpg', status: 'duplicate', detail: duplicate.message }], duplicates: [duplicate] },
    }),
  );
  await screen.findByRole('list', { name: 'Samples of Ann Lee' });
  fireEvent.click(screen.getByRole('button', { name: /Add photos/ }));
  await choosePhotos('x.jpg');
  fireEvent.click(screen.getByRole('button', { name: 'Add these photos' }));
  const warning = await screen.findByRole('alert');
  assert.ok(within(warning).getByText(/Bo Chen/));
  fireEvent.click(within(warning).getByRole('button', { name: 'Enroll anyway' }));
  await screen.findByText('1 sample added.');
  assert.deepEqual(
    rendered.requestsOf('persons:add-photos').map((request) => request.allowDuplicate),
    [false, true],
  );
});

test('a capture held by another admin is named; taking it over starts this one', async () => {
  let held = true;
  const rendered = renderScreen(
    <PersonSamples personId={personId} name="Ann Lee" />,
    terminal([sample(1)], {
      'enroll:live-start': ({ takeOver }) =>
        held && !takeOver ? { ok: false, error: { code: 'conflict', message: 'bea has been enrolling at the camera since 10:02; take over to end their capture' } } : ((held = false), { sessionId: '5b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01', samplesWanted: 5 }),
      'enroll:live-cancel': () => null,
    }),
  );
  await screen.findByRole('list', { name: 'Samples of Ann Lee' });
  fireEvent.click(screen.getByRole('button', { name: /^Capture at the camera/ }));
  await screen.findByText(/bea has been enrolling at the camera/);
  fireEvent.click(screen.getByRole('button', { name: /Take over/ }));
  await screen.findByRole('progressbar', { name: 'Samples taken' });
  assert.deepEqual(
    rendered.requestsOf('enroll:live-start').map((request) => request.takeOver ?? false),
    [false, true],
  );
});
