import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { fakeDocuments } from '../test/fake-hub-documents.js';
import { hubDoor as door } from '../test/hub-door.js';
import { renderHubScreen } from '../test/render-hub-screen.js';
import { fireEvent, screen, within } from '../test/render-screen.js';
import { HubDoorPoliciesScreen } from './HubDoorPoliciesScreen.js';

function site() {
  const documents = fakeDocuments({
    group: [
      { id: 'staff', body: { name: 'staff', description: null } },
      { id: 'visitors', body: { name: 'visitors', description: null } },
    ],
    schedule: [{ id: 'staff', body: { group: 'staff', windows: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }] } }],
    'door-policy': [{ id: 'door-2', body: { terminalId: 'door-2', allowedGroups: ['staff'], settings: { 'events.retentionDays': 30, 'custom.key': 1 } } }],
    'site-settings': [{ id: 'site', body: { settings: { 'events.retentionDays': 90, 'events.snapshots': 'denied' } } }],
  });
  return { documents, handlers: { ...documents.handlers, 'doors:list': () => ({ headSeq: 14, doors: [door('door-1', 'Front door'), door('door-2', 'door-2')] }) } };
}

describe('hub door policies', () => {
  test('every door shows who may enter: without a policy everyone enabled, with one its groups and their hours', async () => {
    renderHubScreen(<HubDoorPoliciesScreen />, site().handlers);
    const front = await screen.findByRole('listitem', { name: 'Front door' });
    within(front).getByText('No policy: every enabled person may enter (within their groups’ schedules).');
    within(front).getByText('No policy');
    const second = screen.getByRole('listitem', { name: 'door-2' });
    within(second).getByText('Only staff (Mon–Fri 08:00–18:00); anyone else is told “not allowed here”.');
    within(second).getByText('Own settings: Keep events for: 30 days · custom.key');
  });

  test('a policy for a door lets in chosen groups and sets the door’s own settings, checked before sending', async () => {
    const { documents, handlers } = site();
    const rendered = renderHubScreen(<HubDoorPoliciesScreen />, handlers);
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'Front door' })).getByRole('button', { name: 'Set a policy' }));
    const form = screen.getByRole('form', { name: 'Policy of Front door' });
    fireEvent.click(within(form).getByRole('radio', { name: 'Only chosen groups' }));
    // The site's value shows where the door sets none.
    assert.equal((within(form).getByLabelText('Keep events for (days)') as HTMLInputElement).placeholder, 'site: 90');
    fireEvent.change(within(form).getByLabelText('Keep events for (days)'), { target: { value: '0' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save and send to the door' }));
    within(form).getByText('Choose at least one group, or let every enabled person in.');
    within(form).getByText(/Keep events for: .*1/);
    assert.equal(rendered.requestsOf('documents:put').length, 0);
    fireEvent.click(within(within(form).getByRole('group', { name: 'Groups let in' })).getByRole('button', { name: 'visitors' }));
    fireEvent.change(within(form).getByLabelText('Keep events for (days)'), { target: { value: '14' } });
    fireEvent.change(within(form).getByLabelText('Cooldown (s)'), { target: { value: '2.5' } });
    fireEvent.change(within(form).getByLabelText('Snapshots kept with events'), { target: { value: 'none' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save and send to the door' }));
    await screen.findByText(/Policy of Front door saved as version 1, change #\d+: sent to doors/);
    assert.deepEqual(rendered.requestsOf('documents:put'), [
      {
        entity: 'door-policy',
        id: 'door-1',
        body: { terminalId: 'door-1', allowedGroups: ['visitors'], settings: { 'access.policy': { cooldownMs: 2500 }, 'events.snapshots': 'none', 'events.retentionDays': 14 } },
        expectedVersion: null,
      },
    ]);
    assert.deepEqual(documents.body('door-policy', 'door-1')?.allowedGroups, ['visitors']);
    within(await screen.findByRole('listitem', { name: 'Front door' })).getByText('Only visitors (any time); anyone else is told “not allowed here”.');
  });

  test('an edit keeps settings the form has no field for; a refusal keeps the form; a removal is confirmed', async () => {
    const { documents, handlers } = site();
    const rendered = renderHubScreen(<HubDoorPoliciesScreen />, handlers);
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'door-2' })).getByRole('button', { name: 'Edit policy' }));
    const form = screen.getByRole('form', { name: 'Policy of door-2' });
    fireEvent.click(within(form).getByRole('radio', { name: 'Every enabled person' }));
    fireEvent.change(within(form).getByLabelText('Keep events for (days)'), { target: { value: '' } });
    documents.refuse({ code: 'invalid-request', message: 'door-policy door-2: allowedGroups.0: too long' });
    fireEvent.click(within(form).getByRole('button', { name: 'Save and send to the door' }));
    await screen.findByText('Policy of door-2: allowed group 1: too long');
    assert.deepEqual(rendered.requestsOf('documents:put').at(-1)?.body, { terminalId: 'door-2', allowedGroups: null, settings: { 'custom.key': 1 } });
    screen.getByRole('form', { name: 'Policy of door-2' });
    documents.refuse(null);
    fireEvent.click(within(form).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(screen.getByRole('listitem', { name: 'door-2' })).getByRole('button', { name: 'Remove' }));
    within(screen.getByRole('alertdialog')).getByText(/lets in every enabled person/);
    fireEvent.click(screen.getByRole('button', { name: 'Remove policy' }));
    await screen.findByText(/Policy of door-2 deleted, change #\d+: sent to doors/);
    assert.deepEqual(rendered.requestsOf('documents:delete'), [{ entity: 'door-policy', id: 'door-2', expectedVersion: 1 }]);
  });

  test('a door follows the site’s liveness unless its policy sets its own, which starts from the site’s', async () => {
    const { documents, handlers } = site();
    documents.putBehind('site-settings', 'site', { settings: { 'access.policy': { liveness: { mode: 'passive' }, doorHours: [{ days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' }] } } });
    const rendered = renderHubScreen(<HubDoorPoliciesScreen />, handlers);
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'Front door' })).getByRole('button', { name: 'Set a policy' }));
    const form = screen.getByRole('form', { name: 'Policy of Front door' });
    within(within(form).getByRole('switch', { name: 'This door\'s hours' })).getByText('The site’s (Mon–Fri 07:00–19:00)');
    const toggle = within(form).getByRole('switch', { name: 'Liveness of this door' });
    within(toggle).getByText('The site’s (Passive)');
    fireEvent.click(toggle);
    const mode = within(form).getByRole('radiogroup', { name: 'At this door' });
    assert.equal(within(mode).getByRole('radio', { name: 'Passive' }).getAttribute('aria-checked'), 'true', 'starts from the site’s');
    fireEvent.click(within(mode).getByRole('radio', { name: 'Challenge' }));
    fireEvent.click(within(within(form).getByRole('radiogroup', { name: 'visitors' })).getByRole('radio', { name: 'Off' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Save and send to the door' }));
    await screen.findByText(/Policy of Front door saved as version 1/);
    const body = rendered.requestsOf('documents:put').at(-1)?.body as { settings: { 'access.policy': { liveness: { mode: string; groups: Record<string, string> } } } };
    assert.equal(body.settings['access.policy'].liveness.mode, 'active');
    assert.deepEqual(body.settings['access.policy'].liveness.groups, { visitors: 'off' });
    within(await screen.findByRole('listitem', { name: 'Front door' })).getByText('Own settings: Liveness: Challenge; 1 group their own');
  });

  test('a door follows the site’s card and face unless its policy sets its own, which starts from the site’s', async () => {
    const { documents, handlers } = site();
    documents.putBehind('site-settings', 'site', { settings: { 'access.policy': { credential: { mode: 'card+face', groups: { visitors: 'card+face' } } } } });
    const rendered = renderHubScreen(<HubDoorPoliciesScreen />, handlers);
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'Front door' })).getByRole('button', { name: 'Set a policy' }));
    const form = screen.getByRole('form', { name: 'Policy of Front door' });
    const toggle = within(form).getByRole('switch', { name: 'Card and face at this door' });
    within(toggle).getByText('The site’s (Card, then face; 1 group their own)');
    fireEvent.click(toggle);
    const mode = within(form).getByRole('radiogroup', { name: 'What this door asks for' });
    assert.equal(within(mode).getByRole('radio', { name: 'Card, then face' }).getAttribute('aria-checked'), 'true', 'starts from the site’s');
    // The staffed front door: the face alone, except for visitors, who show their card.
    fireEvent.click(within(mode).getByRole('radio', { name: 'Face alone' }));
    const perGroup = within(form).getByRole('group', { name: 'Card or face per group' });
    assert.equal(within(within(perGroup).getByRole('radiogroup', { name: 'visitors' })).getByRole('radio', { name: 'Card, then face' }).getAttribute('aria-checked'), 'true');
    fireEvent.click(within(within(perGroup).getByRole('radiogroup', { name: 'staff' })).getByRole('radio', { name: 'Face alone' }));
    fireEvent.change(within(form).getByLabelText('Time for the face after a card (s)'), { target: { value: '90' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save and send to the door' }));
    within(form).getByText('At most 60 s.');
    within(form).getByText('The card and face settings need a change before saving.');
    assert.equal(rendered.requestsOf('documents:put').length, 0);
    fireEvent.change(within(form).getByLabelText('Time for the face after a card (s)'), { target: { value: '5' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save and send to the door' }));
    await screen.findByText(/Policy of Front door saved as version 1/);
    const body = rendered.requestsOf('documents:put').at(-1)?.body as { settings: Record<string, unknown> };
    assert.deepEqual(body.settings, { 'access.policy': { credential: { mode: 'face', groups: { visitors: 'card+face', staff: 'face' }, schedules: [], youngChildren: 'card+face', cardTimeoutMs: 5000 } } });
    within(await screen.findByRole('listitem', { name: 'Front door' })).getByText('Own settings: Card and face: Face alone; 2 groups their own');
  });

  test('a door’s own hours go with its policy; taken off, they are no longer sent', async () => {
    const { handlers } = site();
    const rendered = renderHubScreen(<HubDoorPoliciesScreen />, handlers);
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'Front door' })).getByRole('button', { name: 'Set a policy' }));
    let form = screen.getByRole('form', { name: 'Policy of Front door' });
    within(within(form).getByRole('switch', { name: 'This door\'s hours' })).getByText('Any time');
    fireEvent.click(within(form).getByRole('switch', { name: 'This door\'s hours' }));
    const window = within(form).getByRole('group', { name: 'Door hours, window 1' });
    fireEvent.click(within(window).getByRole('button', { name: 'Monday' }));
    fireEvent.click(within(window).getByRole('button', { name: 'Tuesday' }));
    fireEvent.click(within(window).getByRole('button', { name: 'Wednesday' }));
    fireEvent.click(within(window).getByRole('button', { name: 'Thursday' }));
    fireEvent.click(within(window).getByRole('button', { name: 'Friday' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Save and send to the door' }));
    within(form).getByText(/At least 1|Choose at least one day/);
    assert.equal(rendered.requestsOf('documents:put').length, 0, 'a window without days is not sent');
    fireEvent.click(within(window).getByRole('button', { name: 'Saturday' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Save and send to the door' }));
    await screen.findByText(/Policy of Front door saved as version 1/);
    const body = rendered.requestsOf('documents:put').at(-1)?.body as { settings: Record<string, unknown> };
    assert.deepEqual(body.settings, { 'access.policy': { doorHours: [{ days: [6], from: '07:00', to: '19:00' }] } });
    const row = await screen.findByRole('listitem', { name: 'Front door' });
    within(row).getByText('Own settings: Door hours: Sat 07:00–19:00');
    fireEvent.click(within(row).getByRole('button', { name: 'Edit policy' }));
    form = screen.getByRole('form', { name: 'Policy of Front door' });
    fireEvent.click(within(form).getByRole('switch', { name: 'This door\'s hours' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Save and send to the door' }));
    await screen.findByText(/Policy of Front door saved as version 2/);
    assert.deepEqual((rendered.requestsOf('documents:put').at(-1)?.body as { settings: Record<string, unknown> }).settings, {});
    assert.equal(within(await screen.findByRole('listitem', { name: 'Front door' })).queryByText(/Door hours/), null);
  });
});
