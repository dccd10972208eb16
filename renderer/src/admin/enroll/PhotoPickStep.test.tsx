import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fireEvent, renderScreen, screen, within } from '../../test/render-screen.js';
import { PhotoPickStep } from './PhotoPickStep.js';

const photo = (name: string, sizeBytes = 1_000): File => new File([new Uint8Array(sizeBytes)], name, { type: 'image/jpeg' });

test('chosen photos are listed with a thumbnail each and can be removed one by one', () => {
  renderScreen(<PhotoPickStep onBack={() => undefined} onContinue={() => undefined} />);
  assert.equal((screen.getByRole('button', { name: 'Continue' }) as HTMLButtonElement).disabled, true);

  fireEvent.change(screen.getByLabelText('Choose photos'), { target: { files: [photo('ann-1.jpg'), photo('ann-2.jpg')] } });
  const list = screen.getByRole('list', { name: 'Chosen photos' });
  assert.deepEqual(
    within(list).getAllByRole('img').map((image) => image.getAttribute('alt')),
    ['ann-1.jpg', 'ann-2.jpg'],
  );

  fireEvent.click(screen.getByRole('button', { name: 'Remove ann-1.jpg' }));
  assert.deepEqual(
    within(list).getAllByRole('img').map((image) => image.getAttribute('alt')),
    ['ann-2.jpg'],
  );
  assert.equal((screen.getByRole('button', { name: 'Continue' }) as HTMLButtonElement).disabled, false);
});
