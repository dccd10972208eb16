import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ResponseOf } from '../../contract.js';
import { fireEvent, renderScreen, screen, waitFor, within } from '../../test/render-screen.js';
import { PersonEditor } from './PersonEditor.js';

const personId = '0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01';
const ann: ResponseOf<'persons:get'> = { id: personId, name: 'Ann Lee', externalId: null, enabled: true, validFromMs: null, validUntilMs: null, groups: [], credential: null, createdAtMs: 0, updatedAtMs: 0 };
const quality = { interOcularPx: 48, yawDeg: 0, pitchDeg: 0, rollDeg: 0, sharpness: 100, brightness: 120, contrast: 40, presence: 1, detectorScore: 0.9 };

test('the person’s photo at the top follows their samples: removing the one it showed shows the next', async () => {
  let samples = [
    { id: '1b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01', createdAtMs: 1, quality, modelIds: ['m'], cropBase64: 'AAAA', estimatedAgeYears: 40 },
    { id: '2b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01', createdAtMs: 2, quality, modelIds: ['m'], cropBase64: 'BBBB', estimatedAgeYears: 41 },
  ];
  renderScreen(<PersonEditor personId={personId} onClose={() => undefined} />, {
    'persons:get': () => ann,
    'persons:samples': () => ({ personId, samples, youngChild: null }),
    // The terminal's photo is its best remaining sample.
    'persons:photo': () => ({ personId, mimeType: 'image/jpeg' as const, dataBase64: samples[0]?.cropBase64 ?? '' }),
    'persons:remove-sample': ({ sampleId }) => {
      samples = samples.filter((sample) => sample.id !== sampleId);
      return { removed: true, remaining: samples.length };
    },
  });
  const photo = async (): Promise<string | null> => (await screen.findByRole('img', { name: 'Photo of Ann Lee' })).getAttribute('src');
  assert.equal(await photo(), 'data:image/jpeg;base64,AAAA');

  fireEvent.click(await screen.findByRole('button', { name: 'Remove sample 1' }));
  fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove' }));
  await screen.findByText('The sample was removed.');
  await waitFor(async () => assert.equal(await photo(), 'data:image/jpeg;base64,BBBB'));
});
