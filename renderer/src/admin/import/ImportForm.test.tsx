import assert from 'node:assert/strict';
import { test } from 'node:test';

import { unzipSync } from 'fflate';

import { fireEvent, renderScreen, screen, waitFor } from '../../test/render-screen.js';
import { ImportForm } from './ImportForm.js';

const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

test('a zip chosen in this browser is uploaded as it is; the terminal’s refusal is shown in words', async () => {
  const started: string[] = [];
  let refuse = true;
  const rendered = renderScreen(<ImportForm onStarted={(importId) => started.push(importId)} />, {
    'import:upload': ({ name }) =>
      refuse ? { ok: false, error: { code: 'invalid-request', message: `${name}: entry "../x.jpg" points outside the archive (..)` } } : { importId: '0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01', files: 2 },
  });
  fireEvent.click(screen.getByRole('button', { name: 'Start import' }));
  assert.ok(screen.getByText(/Choose a zip or a folder of photos/), 'nothing chosen yet');
  assert.equal(rendered.requestsOf('import:upload').length, 0);

  const zip = new Uint8Array([0x50, 0x4b, 3, 4, 9, 9, 9]);
  fireEvent.change(screen.getByLabelText('Choose a zip'), { target: { files: [new File([zip], 'staff.zip', { type: 'application/zip' })] } });
  await screen.findByText('staff.zip');
  fireEvent.click(screen.getByRole('button', { name: 'Start import' }));
  await screen.findByText(/points outside the archive/);
  assert.deepEqual([...fromBase64(rendered.requestsOf('import:upload')[0]?.zipBase64 ?? '')], [...zip], 'the bytes chosen are the bytes sent');

  refuse = false;
  fireEvent.click(screen.getByRole('button', { name: 'Start import' }));
  await waitFor(() => assert.deepEqual(started, ['0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01']));
});

test('a folder chosen in this browser is packed into one zip of its photos, paths kept so folders name the persons', async () => {
  const rendered = renderScreen(<ImportForm onStarted={() => undefined} />, { 'import:upload': () => ({ importId: '0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01', files: 2 }) });
  const file = (path: string, text: string): File => {
    const made = new File([text], path.split('/').at(-1) ?? path);
    Object.defineProperty(made, 'webkitRelativePath', { value: path });
    return made;
  };
  fireEvent.change(screen.getByLabelText('Choose a folder'), { target: { files: [file('staff/Ann_Lee/1.jpg', 'a1'), file('staff/Bo/1.png', 'b1'), file('staff/notes.txt', 'no'), file('staff/.DS_Store', 'junk')] } });
  await screen.findByText(/2 photos/);
  fireEvent.click(screen.getByRole('button', { name: 'Start import' }));
  await waitFor(() => assert.equal(rendered.requestsOf('import:upload').length, 1));
  const request = rendered.requestsOf('import:upload')[0];
  assert.equal(request?.name, 'staff.zip');
  const entries = unzipSync(fromBase64(request?.zipBase64 ?? ''));
  assert.deepEqual(Object.keys(entries).sort(), ['staff/Ann_Lee/1.jpg', 'staff/Bo/1.png']);
  assert.equal(new TextDecoder().decode(entries['staff/Ann_Lee/1.jpg']), 'a1');
});
