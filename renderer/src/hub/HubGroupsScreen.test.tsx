import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { fakeDocuments } from '../test/fake-hub-documents.js';
import { renderHubScreen } from '../test/render-hub-screen.js';
import { fireEvent, screen, within } from '../test/render-screen.js';
import type { HubPerson } from './hub-client.js';
import { HubGroupsScreen } from './HubGroupsScreen.js';

const WEEKDAYS = { group: 'staff', windows: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }] };

function person(id: string, name: string, groups: string[]): HubPerson {
  return { id, name, externalId: null, enabled: true, validFromMs: null, validUntilMs: null, groups, credentials: [], version: 1, createdAtMs: 1_700_000_000_000, updatedAtMs: 1_700_000_000_000, sampleCount: 1 };
}

/** A site with staff (2 members, a schedule, let in at door-1) and visitors (unused). */
function site() {
  const documents = fakeDocuments({
    group: [
      { id: 'staff', body: { name: 'staff', description: 'Employees' } },
      { id: 'visitors', body: { name: 'visitors', description: null } },
    ],
    schedule: [{ id: 'staff', body: WEEKDAYS }],
    'door-policy': [{ id: 'door-1', body: { terminalId: 'door-1', allowedGroups: ['staff', 'cleaners'], settings: {} } }],
  });
  const persons = [person('0b5e1c2a-7f6d-4c3b-9a8e-1d2c3b4a5f60', 'Ada Lovelace', ['cleaners', 'staff']), person('1b5e1c2a-7f6d-4c3b-9a8e-1d2c3b4a5f61', 'Grace Hopper', ['staff'])];
  return {
    documents,
    persons,
    handlers: {
      ...documents.handlers,
      'persons:list': ({ group }: { group?: string | undefined }) => {
        const members = persons.filter((one) => group === undefined || one.groups.includes(group));
        return { persons: members, total: members.length };
      },
    },
  };
}

function type(label: string, value: string, within_: HTMLElement = document.body): void {
  fireEvent.change(within(within_).getByLabelText(label, { exact: false }), { target: { value } });
}

describe('hub groups', () => {
  test('each group is listed with its members, its schedule and the doors that let it in', async () => {
    renderHubScreen(<HubGroupsScreen />, site().handlers);
    const staff = await screen.findByRole('listitem', { name: 'staff' });
    within(staff).getByText('Employees');
    await within(staff).findByText('2 members · has a schedule · let in at door-1');
    within(await screen.findByRole('listitem', { name: 'visitors' })).getByText('0 members · any time');
  });

  test('a new group is checked before it is sent, then saved with its change number', async () => {
    const { handlers } = site();
    const rendered = renderHubScreen(<HubGroupsScreen />, handlers);
    fireEvent.click(await screen.findByRole('button', { name: 'New group' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create group' }));
    screen.getByText('Name the group.');
    assert.equal(rendered.requestsOf('documents:put').length, 0);
    type('Group name', ' contractors ');
    type('Description', 'Builders on site');
    fireEvent.click(screen.getByRole('button', { name: 'Create group' }));
    await screen.findByText('Group “contractors” saved as version 1, change #15: sent to doors; each applies it with its next sync.');
    assert.deepEqual(rendered.requestsOf('documents:put'), [{ entity: 'group', id: 'contractors', body: { name: 'contractors', description: 'Builders on site' }, expectedVersion: null }]);
    await screen.findByRole('listitem', { name: 'contractors' });
  });

  test('a save the hub refuses shows its reason and keeps the form as typed', async () => {
    const { handlers, documents } = site();
    renderHubScreen(<HubGroupsScreen />, handlers);
    fireEvent.click(await screen.findByRole('button', { name: 'New group' }));
    documents.refuse({ code: 'invalid-request', message: 'group night shift: name: must not contain control characters' });
    type('Group name', 'night shift');
    fireEvent.click(screen.getByRole('button', { name: 'Create group' }));
    await screen.findByText('Group “night shift”: name: must not contain control characters');
    assert.equal((screen.getByLabelText('Group name', { exact: false }) as HTMLInputElement).value, 'night shift');
    // A group of that name made meanwhile by someone else is not overwritten.
    documents.refuse(null);
    documents.putBehind('group', 'night shift', { name: 'night shift', description: null });
    fireEvent.click(screen.getByRole('button', { name: 'Create group' }));
    await screen.findByText('Group “night shift”: it already exists (version 1): someone else saved it meanwhile. Reload to see theirs, then make your change again');
    fireEvent.click(screen.getByRole('button', { name: 'Reload' }));
    await screen.findByRole('listitem', { name: 'night shift' });
  });

  test('a rename goes to the hub as one call with the version read; a new description follows it; a refusal keeps the form', async () => {
    const { handlers, documents } = site();
    let taken = true;
    const rendered = renderHubScreen(<HubGroupsScreen />, {
      ...handlers,
      'groups:rename': ({ from, to }) => {
        if (taken) return { ok: false, error: { code: 'conflict', message: `group ${to}: a group of that name exists already` } };
        // What the hub does in its transaction, as far as this screen can see it.
        const body = documents.body('group', from);
        documents.putBehind('group', to, { ...body, name: to });
        return { version: 1, seq: 30, scheduleMoved: true, doorPolicies: ['door-1'], members: 2 };
      },
    });
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'staff' })).getByRole('button', { name: 'Edit' }));
    const form = screen.getByRole('listitem', { name: 'staff' });
    type('Group name', 'visitors', form);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Group “visitors”: a group of that name exists already');
    assert.equal((within(form).getByLabelText('Group name', { exact: false }) as HTMLInputElement).value, 'visitors');
    taken = false;
    type('Group name', 'employees', form);
    type('Description', 'Everyone on the payroll', form);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Group “staff” renamed to “employees” (schedule moved, policy of door-1 changed, 2 members moved), change #16: sent to doors; each applies it with its next sync.');
    assert.deepEqual(rendered.requestsOf('groups:rename').at(-1), { from: 'staff', to: 'employees', expectedVersion: 1 });
    assert.deepEqual(rendered.requestsOf('documents:put').at(-1), { entity: 'group', id: 'employees', body: { name: 'employees', description: 'Everyone on the payroll' }, expectedVersion: 1 });
  });

  test('deleting a group in use says what keeps naming it, and deletes only once confirmed', async () => {
    const rendered = renderHubScreen(<HubGroupsScreen />, site().handlers);
    await within(await screen.findByRole('listitem', { name: 'staff' })).findByText(/2 members/);
    fireEvent.click(within(screen.getByRole('listitem', { name: 'staff' })).getByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('alertdialog');
    within(dialog).getByText('2 persons keep the group');
    within(dialog).getByText(/door-1 still lets it in/);
    assert.equal(rendered.requestsOf('documents:delete').length, 0);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete group' }));
    await screen.findByText(/Group “staff” deleted, change #\d+: sent to doors/);
    assert.deepEqual(rendered.requestsOf('documents:delete'), [{ entity: 'group', id: 'staff', expectedVersion: 1 }]);
  });
});
