import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { fakeDocuments } from '../test/fake-hub-documents.js';
import { ADA } from '../test/hub-person.js';
import { renderHubScreen } from '../test/render-hub-screen.js';
import { fireEvent, screen, waitFor, within } from '../test/render-screen.js';
import type { HubErasure, HubPerson } from './hub-client.js';
import { ERASURE_POLL_MS, HubPersonsScreen } from './HubPersonsScreen.js';

describe('hub persons', () => {
  test('a person whose samples look like a young child is marked', async () => {
    renderHubScreen(<HubPersonsScreen />, {
      'persons:list': () => ({ persons: [{ ...ADA, name: 'Mia', externalId: null, youngChild: true }, ADA], total: 2 }),
      'erasures:list': () => [],
    });
    within(await screen.findByRole('listitem', { name: 'Mia' })).getByText('3 samples · young child · staff');
    within(screen.getByRole('listitem', { name: 'Ada Lovelace' })).getByText('E-17 · 3 samples · staff');
  });

  test('the search goes to the hub; disabling asks the hub and shows the person disabled', async () => {
    let person = ADA;
    const rendered = renderHubScreen(<HubPersonsScreen />, {
      'persons:list': ({ search }) => ({ persons: !search || person.name.includes(search) ? [person] : [], total: 1 }),
      'persons:update': ({ patch }) => {
        person = { ...person, enabled: patch.enabled ?? person.enabled, version: 2 };
        return person;
      },
      'erasures:list': () => [],
    });
    const row = await screen.findByRole('listitem', { name: 'Ada Lovelace' });
    within(row).getByText('E-17 · 3 samples · staff');
    fireEvent.change(screen.getByLabelText('Search by name or external id'), { target: { value: 'Grace' } });
    await waitFor(() => assert.equal(rendered.requestsOf('persons:list').at(-1)?.search, 'Grace'));
    await waitFor(() => assert.ok(screen.queryByRole('listitem', { name: 'Ada Lovelace' }) === null, 'Ada Lovelace is still listed'));
    assert.equal(rendered.requestsOf('persons:list').at(-1)?.search, 'Grace');
    fireEvent.change(screen.getByLabelText('Search by name or external id'), { target: { value: '' } });
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'Ada Lovelace' })).getByRole('button', { name: 'Disable' }));
    await screen.findByText('Ada Lovelace is disabled at every door.');
    assert.deepEqual(rendered.requestsOf('persons:update'), [{ id: ADA.id, patch: { enabled: false } }]);
    within(screen.getByRole('listitem', { name: 'Ada Lovelace' })).getByText('Disabled');
  });

  test('an erasure, once confirmed, shows its progress across the doors until every door has erased', async () => {
    let erased = false;
    let acknowledged = 1;
    const erasure = (): HubErasure => ({
      personId: ADA.id,
      seq: 9,
      erasedAtMs: 1_700_000_100_000,
      erasedOn: acknowledged,
      of: 3,
      pendingTerminalIds: ['door-1', 'door-2', 'door-3'].slice(acknowledged),
    });
    const rendered = renderHubScreen(<HubPersonsScreen />, {
      'persons:list': () => (erased ? { persons: [], total: 0 } : { persons: [ADA], total: 1 }),
      'persons:delete': () => {
        erased = true;
        return erasure();
      },
      'erasures:get': () => erasure(),
      'erasures:list': () => [],
    });
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'Ada Lovelace' })).getByRole('button', { name: 'Erase' }));
    // Nothing is erased before the question is answered.
    assert.equal(rendered.requestsOf('persons:delete').length, 0);
    fireEvent.click(screen.getByRole('button', { name: 'Erase everywhere' }));
    await screen.findByText('erased on 1 of 3 terminals — waiting for door-2, door-3');
    await screen.findByText('0 persons');
    acknowledged = 3;
    await screen.findByText('erased on 3 of 3 terminals', undefined, { timeout: ERASURE_POLL_MS * 3 });
    const polls = rendered.requestsOf('erasures:get').length;
    await new Promise((resolve) => setTimeout(resolve, ERASURE_POLL_MS + 500));
    assert.equal(rendered.requestsOf('erasures:get').length, polls, 'a finished erasure is no longer asked about');
  });
  test("a person's groups are chosen from the site's groups; a refused change keeps the choice open", async () => {
    let person = ADA;
    let refuse = true;
    const documents = fakeDocuments({ group: ['staff', 'visitors'].map((name) => ({ id: name, body: { name, description: null } })) });
    const rendered = renderHubScreen(<HubPersonsScreen />, {
      ...documents.handlers,
      'persons:list': () => ({ persons: [person], total: 1 }),
      'persons:update': ({ patch }) => {
        if (refuse) return { ok: false, error: { code: 'invalid-request', message: 'group name must be 1 to 64 characters' } };
        person = { ...person, groups: patch.groups ?? person.groups, version: 2 };
        return person;
      },
      'erasures:list': () => [],
    });
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'Ada Lovelace' })).getByRole('button', { name: 'Groups' }));
    const chips = await screen.findByRole('group', { name: 'Groups of Ada Lovelace' });
    await within(chips).findByRole('button', { name: 'visitors' });
    assert.equal(within(chips).getByRole('button', { name: 'staff' }).getAttribute('aria-pressed'), 'true');
    fireEvent.click(within(chips).getByRole('button', { name: 'visitors' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save groups' }));
    await screen.findByText('Group name must be 1 to 64 characters');
    screen.getByRole('group', { name: 'Groups of Ada Lovelace' });
    refuse = false;
    fireEvent.click(screen.getByRole('button', { name: 'Save groups' }));
    await screen.findByText('Ada Lovelace is in staff, visitors at every door.');
    assert.deepEqual(rendered.requestsOf('persons:update').at(-1), { id: ADA.id, patch: { groups: ['staff', 'visitors'] } });
    within(screen.getByRole('listitem', { name: 'Ada Lovelace' })).getByText('E-17 · 3 samples · staff, visitors');
  });

  test('a site larger than a page shows the first hundred and the next ones on request', async () => {
    const everyone: HubPerson[] = Array.from({ length: 150 }, (_, index) => ({ ...ADA, id: `0b5e1c2a-7f6d-4c3b-9a8e-${String(index).padStart(12, '0')}`, name: `Person ${String(index).padStart(3, '0')}` }));
    const rendered = renderHubScreen(<HubPersonsScreen />, {
      'persons:list': ({ limit = 50, offset = 0 }) => ({ persons: everyone.slice(offset, offset + limit), total: everyone.length }),
      'persons:update': ({ id, patch }) => {
        const index = everyone.findIndex((person) => person.id === id);
        everyone[index] = { ...everyone[index]!, enabled: patch.enabled ?? true, version: 2 };
        return everyone[index]!;
      },
      'erasures:list': () => [],
    });
    await screen.findByText('100 of 150 persons shown: search to narrow them down, or show more below');
    fireEvent.click(screen.getByRole('button', { name: 'Show 50 more' }));
    await screen.findByText('150 persons');
    assert.equal(within(screen.getByRole('list', { name: 'Persons' })).getAllByRole('listitem').length, 150);
    assert.deepEqual(rendered.requestsOf('persons:list').map((request) => request.offset ?? 0), [0, 100]);
    assert.equal(screen.queryByRole('button', { name: /more$/ }), null);
    // A change far down the list reloads as many as were shown: the row stays in view.
    fireEvent.click(within(screen.getByRole('listitem', { name: 'Person 140' })).getByRole('button', { name: 'Disable' }));
    await screen.findByText('Person 140 is disabled at every door.');
    assert.deepEqual(rendered.requestsOf('persons:list').at(-1), { limit: 150 });
    within(screen.getByRole('listitem', { name: 'Person 140' })).getByText('Disabled');
  });
});
