import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ADA as SITE_ADA } from '../test/hub-person.js';
import { renderHubScreen } from '../test/render-hub-screen.js';
import { fireEvent, screen, waitFor, within } from '../test/render-screen.js';
import type { HubPerson } from './hub-client.js';
import { HubPersonEditor } from './HubPersonEditor.js';

/** Ada with two cards. */
const ADA: HubPerson = {
  ...SITE_ADA,
  credentials: [
    { facilityCode: 13, cardNumber: 4242 },
    { facilityCode: null, cardNumber: 99 },
  ],
};

const field = (label: string): HTMLInputElement => screen.getByLabelText(label);

describe('hub person editor', () => {
  test('a saved edit sends the whole person: the new name, card and group, the second card kept', async () => {
    let done: { readonly name: string } | null | undefined;
    const rendered = renderHubScreen(<HubPersonEditor person={ADA} siteGroups={['staff', 'visitors']} onDone={(saved) => (done = saved)} />, {
      'persons:update': ({ patch }) => ({ ...ADA, ...patch, externalId: patch.externalId ?? null, version: 2 }),
    });
    assert.equal(field('Card number').value, '4242');
    screen.getByText('1 more card stays as it is: this form edits the first.');
    fireEvent.change(field('Name'), { target: { value: 'Ada King' } });
    fireEvent.change(field('Card number'), { target: { value: '5151' } });
    fireEvent.click(within(screen.getByRole('group', { name: 'Groups of Ada Lovelace' })).getByRole('button', { name: 'visitors' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => assert.equal(done?.name, 'Ada King'));
    const [request] = rendered.requestsOf('persons:update');
    assert.deepEqual(request, {
      id: ADA.id,
      patch: {
        name: 'Ada King',
        externalId: 'E-17',
        enabled: true,
        validFromMs: null,
        validUntilMs: null,
        groups: ['staff', 'visitors'],
        credentials: [
          { facilityCode: 13, cardNumber: 5151 },
          { facilityCode: null, cardNumber: 99 },
        ],
      },
    });
  });

  test('a draft the form refuses is not sent; a refusal of the hub is shown and the typing kept', async () => {
    let done: { readonly name: string } | null | undefined;
    const rendered = renderHubScreen(<HubPersonEditor person={ADA} siteGroups={['staff']} onDone={(saved) => (done = saved)} />, {
      'persons:update': () => ({ ok: false, error: { code: 'conflict', message: 'the card 13:7 belongs to Grace Hopper' } }),
    });
    fireEvent.change(field('Card number'), { target: { value: '12a' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Digits only.');
    assert.equal(rendered.requestsOf('persons:update').length, 0);

    fireEvent.change(field('Card number'), { target: { value: '7' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(/belongs to Grace Hopper/);
    assert.equal(field('Card number').value, '7');
    assert.equal(done, undefined);
  });

  test('removing the card leaves the others; cancel sends nothing', async () => {
    let done: { readonly name: string } | null | undefined = undefined;
    const rendered = renderHubScreen(<HubPersonEditor person={ADA} siteGroups={['staff']} onDone={(saved) => (done = saved)} />, {
      'persons:update': ({ patch }) => ({ ...ADA, credentials: patch.credentials ?? ADA.credentials, version: 2 }),
    });
    fireEvent.change(field('Facility code'), { target: { value: '' } });
    fireEvent.change(field('Card number'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => assert.notEqual(done, undefined));
    assert.deepEqual(rendered.requestsOf('persons:update')[0]?.patch.credentials, [{ facilityCode: null, cardNumber: 99 }]);

    done = undefined;
    renderHubScreen(<HubPersonEditor person={ADA} siteGroups={['staff']} onDone={(saved) => (done = saved)} />, {});
    fireEvent.click(screen.getAllByRole('button', { name: 'Cancel' }).at(-1)!);
    assert.equal(done, null);
  });
});
