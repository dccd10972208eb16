import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { hubDoor as door } from '../test/hub-door.js';
import { renderHubScreen } from '../test/render-hub-screen.js';
import { fireEvent, screen, waitFor, within } from '../test/render-screen.js';
import { HubDoorsScreen } from './HubDoorsScreen.js';

describe('hub doors', () => {
  test('each door with its state, model and lag; a door behind or offline says so', async () => {
    renderHubScreen(<HubDoorsScreen />, {
      'doors:list': () => ({ headSeq: 14, doors: [door('door-1', 'Front door'), door('door-2', 'Store room', { online: false, behindBy: 2, appliedSeq: 12, doorOpen: true })] }),
    });
    const front = await screen.findByRole('row', { name: 'Front door' });
    within(front).getByText('Online');
    within(front).getByText('Up to date');
    const store = screen.getByRole('row', { name: 'Store room' });
    within(store).getByText('Offline');
    within(store).getByText('2 changes behind');
    within(store).getByText('Open');
  });

  test('a door is revoked once confirmed, and shows revoked with nothing more to revoke', async () => {
    let revoked = false;
    const rendered = renderHubScreen(<HubDoorsScreen />, {
      'doors:list': () => ({ headSeq: 14, doors: [door('door-1', 'Front door'), door('door-2', 'Store room', { revoked, online: false })] }),
      'doors:revoke': ({ id }) => {
        assert.equal(id, 'door-2');
        revoked = true;
        return { revokedSerials: ['5f3a'] };
      },
    });
    fireEvent.click(within(await screen.findByRole('row', { name: 'Store room' })).getByRole('button', { name: 'Revoke' }));
    within(screen.getByRole('alertdialog')).getByText(/lost, stolen or replaced/);
    fireEvent.click(screen.getByRole('button', { name: 'Revoke the door' }));
    await screen.findByText(/Store room is revoked: the broker no longer lets it in/);
    assert.deepEqual(rendered.requestsOf('doors:revoke'), [{ id: 'door-2' }]);
    await waitFor(() => within(screen.getByRole('row', { name: 'Store room' })).getByText('Revoked'));
    assert.equal(within(screen.getByRole('row', { name: 'Store room' })).queryByRole('button', { name: 'Revoke' }), null);
    within(screen.getByRole('row', { name: 'Front door' })).getByRole('button', { name: 'Revoke' });
  });

  test('a refusal of the hub is shown in its words', async () => {
    renderHubScreen(<HubDoorsScreen />, {
      'doors:list': () => ({ headSeq: 1, doors: [door('door-1', 'Front door')] }),
      'doors:revoke': () => ({ ok: false, error: { code: 'not-found', message: 'this hub never enrolled a terminal door-1' } }),
    });
    fireEvent.click(within(await screen.findByRole('row', { name: 'Front door' })).getByRole('button', { name: 'Revoke' }));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke the door' }));
    await screen.findByText(/never enrolled a terminal door-1/);
  });
});
