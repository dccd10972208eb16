import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { fakeDocuments } from '../test/fake-hub-documents.js';
import { renderHubScreen } from '../test/render-hub-screen.js';
import { fireEvent, screen, within } from '../test/render-screen.js';
import { HubSiteSettingsScreen } from './HubSiteSettingsScreen.js';

function change(label: string, value: string): void {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('hub site settings', () => {
  test('a site never set shows empty fields; a save sends only what was set, checked with the terminal’s rules first', async () => {
    const documents = fakeDocuments();
    const rendered = renderHubScreen(<HubSiteSettingsScreen />, documents.handlers);
    await screen.findByText('Never saved');
    assert.equal(screen.queryByLabelText('Name on the door screen'), null, 'a name is a door’s own');
    change('Time zone of the schedules', 'Europe/Berlin');
    change('Keep snapshots for (days)', 'a week');
    change('Door admin logout after idle (s)', '5');
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    screen.getByText('Keep snapshots for: must be a number.');
    screen.getByText(/Door admin logout after idle: .*15000/);
    screen.getByText('2 fields need a change before saving.');
    assert.equal(rendered.requestsOf('documents:put').length, 0);
    change('Keep snapshots for (days)', '7');
    change('Door admin logout after idle (s)', '300');
    change('Diagnostics on the door screen', 'true');
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    await screen.findByText(/Site settings saved as version 1, change #\d+: sent to doors; each applies it with its next sync/);
    assert.deepEqual(rendered.requestsOf('documents:put'), [
      {
        entity: 'site-settings',
        id: 'site',
        body: { settings: { 'access.policy': { timeZone: 'Europe/Berlin' }, 'events.snapshotRetentionDays': 7, 'door.showDiagnostics': true, 'admin.idleLogoutMs': 300_000 } },
        expectedVersion: null,
      },
    ]);
    await screen.findByText('Version 1');
  });

  test('stored settings fill the fields; keys without a field are kept and named; a refusal keeps what was typed', async () => {
    const documents = fakeDocuments({ 'site-settings': [{ id: 'site', body: { settings: { 'recognition.targetFpir': 0.001, 'access.policy': { cooldownMs: 4000, minLiveness: 0.7 }, 'camera.uri': null } } }] });
    const rendered = renderHubScreen(<HubSiteSettingsScreen />, documents.handlers);
    await screen.findByText('Version 1');
    assert.equal((screen.getByLabelText('Cooldown (s)') as HTMLInputElement).value, '4');
    assert.equal((screen.getByLabelText('Strangers taken for someone, per search') as HTMLInputElement).value, '0.001');
    screen.getByText('Also set, through the API, and kept as they are: camera.uri, access.policy.minLiveness.');
    change('Cooldown (s)', '');
    documents.refuse({ code: 'invalid-request', message: 'site-settings site: settings: too large' });
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    await screen.findByText('Site settings: settings: too large');
    assert.deepEqual(rendered.requestsOf('documents:put').at(-1)?.body, { settings: { 'recognition.targetFpir': 0.001, 'access.policy': { minLiveness: 0.7 }, 'camera.uri': null } });
    assert.equal((screen.getByLabelText('Cooldown (s)') as HTMLInputElement).value, '');
  });

  test('liveness for every door: a whole policy checked with the terminal’s rules, sent, shown again; off takes it back', async () => {
    const documents = fakeDocuments({ group: [{ id: 'night-staff', body: { name: 'night-staff', description: null } }] });
    const rendered = renderHubScreen(<HubSiteSettingsScreen />, documents.handlers);
    await screen.findByText('Never saved');
    const toggle = screen.getByRole('switch', { name: 'Liveness for every door' });
    within(toggle).getByText('Each door’s own');
    assert.equal(screen.queryByRole('radiogroup', { name: 'At every door' }), null);
    fireEvent.click(toggle);
    fireEvent.click(within(screen.getByRole('radiogroup', { name: 'At every door' })).getByRole('radio', { name: 'Passive + challenge' }));
    fireEvent.click(within(screen.getByRole('radiogroup', { name: 'night-staff' })).getByRole('radio', { name: 'Challenge' }));
    fireEvent.change(screen.getByLabelText('Time for the challenge (s)'), { target: { value: '0.5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    screen.getByText('At least 1 s.');
    screen.getByText('One field needs a change before saving.');
    assert.equal(rendered.requestsOf('documents:put').length, 0);
    fireEvent.change(screen.getByLabelText('Time for the challenge (s)'), { target: { value: '6' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    await screen.findByText(/Site settings saved as version 1/);
    const sent = rendered.requestsOf('documents:put').at(-1)?.body as { settings: { 'access.policy': { liveness: Record<string, unknown> } } };
    assert.deepEqual(sent.settings['access.policy'].liveness, {
      mode: 'passive+active',
      groups: { 'night-staff': 'active' },
      schedules: [],
      challengeTimeoutMs: 6000,
      retryPauseMs: 1500,
      maxAttempts: 3,
      blink: false,
      naturalMotion: false,
    });
    await screen.findByText('Version 1');
    assert.equal(screen.getByRole('switch', { name: 'Liveness for every door' }).getAttribute('aria-checked'), 'true');
    assert.equal(screen.queryByText(/Also set, through the API/), null, 'liveness has its own section');
    fireEvent.click(screen.getByRole('switch', { name: 'Liveness for every door' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    await screen.findByText('Version 2');
    assert.deepEqual(rendered.requestsOf('documents:put').at(-1)?.body, { settings: {} });
  });

  test('card and face for every door: a whole policy checked with the terminal’s rules, a bad window refused at its field, sent', async () => {
    const documents = fakeDocuments({ group: [{ id: 'contractors', body: { name: 'contractors', description: null } }] });
    const rendered = renderHubScreen(<HubSiteSettingsScreen />, documents.handlers);
    await screen.findByText('Never saved');
    const toggle = screen.getByRole('switch', { name: 'Card and face for every door' });
    within(toggle).getByText('Each door’s own');
    assert.equal(screen.queryByRole('radiogroup', { name: 'What every door asks for' }), null);
    fireEvent.click(toggle);
    const mode = screen.getByRole('radiogroup', { name: 'What every door asks for' });
    assert.equal(within(mode).getByRole('radio', { name: 'Face alone' }).getAttribute('aria-checked'), 'true', 'the terminal’s default');
    fireEvent.click(within(within(screen.getByRole('group', { name: 'Card or face per group' })).getByRole('radiogroup', { name: 'contractors' })).getByRole('radio', { name: 'Card, then face' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add hours with their own card mode' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove Card hours 1, window 3' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove Card hours 1, window 2' }));
    const night = screen.getByRole('group', { name: 'Card hours 1, window 1' });
    fireEvent.change(within(night).getByLabelText('From'), { target: { value: '09:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    within(night).getByText(/A window must end after it starts/);
    screen.getByText('One field needs a change before saving.');
    assert.equal(rendered.requestsOf('documents:put').length, 0);
    fireEvent.change(within(night).getByLabelText('From'), { target: { value: '00:00' } });
    fireEvent.change(screen.getByLabelText('Time for the face after a card (s)'), { target: { value: '20' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    await screen.findByText(/Site settings saved as version 1/);
    assert.deepEqual(rendered.requestsOf('documents:put').at(-1)?.body, {
      settings: {
        'access.policy': {
          credential: { mode: 'face', groups: { contractors: 'card+face' }, schedules: [{ windows: [{ days: [1, 2, 3, 4, 5], from: '00:00', to: '07:00' }], mode: 'card+face' }], youngChildren: 'card+face', cardTimeoutMs: 20_000 },
        },
      },
    });
    await screen.findByText('Version 1');
    assert.equal(screen.getByRole('switch', { name: 'Card and face for every door' }).getAttribute('aria-checked'), 'true', 'shown again from what was saved');
    assert.equal(screen.queryByText(/Also set, through the API/), null, 'card and face has its own section');
    fireEvent.click(screen.getByRole('switch', { name: 'Card and face for every door' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    await screen.findByText('Version 2');
    assert.deepEqual(rendered.requestsOf('documents:put').at(-1)?.body, { settings: {} });
  });

  test('card format for every door: both keys checked with the terminal’s schemas, a bad layout refused at its field, sent; off takes them back', async () => {
    const documents = fakeDocuments();
    const rendered = renderHubScreen(<HubSiteSettingsScreen />, documents.handlers);
    await screen.findByText('Never saved');
    const toggle = screen.getByRole('switch', { name: 'Card format for every door' });
    within(toggle).getByText('Each door’s own');
    assert.equal(screen.queryByLabelText('Format of every door’s cards'), null);
    fireEvent.click(toggle);
    fireEvent.click(screen.getByRole('button', { name: 'Add site format' }));
    const card = screen.getByRole('group', { name: 'Site format custom' });
    fireEvent.change(within(card).getByLabelText('Name'), { target: { value: 'h10304' } });
    fireEvent.change(within(card).getByLabelText('Layout'), { target: { value: 'PFFFFFFFFFFFFFFFFCCCCCCCCCCCCCCCCCCCP' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Add a parity line to Site format h10304' }));
    fireEvent.change(within(card).getByLabelText('Parity line 1'), { target: { value: 'EXXXXXXXXXXXXXXXXXX..................' } });
    change('Format of every door’s cards', 'h10304');
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    const layout = within(card).getByLabelText('Layout').closest('.field') as HTMLElement;
    within(layout).getByText('Parity bit 37 (P in the layout) has no parity line.');
    screen.getByText('One field needs a change before saving.');
    assert.equal(rendered.requestsOf('documents:put').length, 0);
    fireEvent.click(within(card).getByRole('button', { name: 'Add a parity line to Site format h10304' }));
    fireEvent.change(within(card).getByLabelText('Parity line 2'), { target: { value: '..................XXXXXXXXXXXXXXXXXXO' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    await screen.findByText(/Site settings saved as version 1/);
    assert.deepEqual(rendered.requestsOf('documents:put').at(-1)?.body, {
      settings: {
        'credentials.format': 'h10304',
        'credentials.customFormats': [{ name: 'h10304', layout: 'PFFFFFFFFFFFFFFFFCCCCCCCCCCCCCCCCCCCP', parity: ['EXXXXXXXXXXXXXXXXXX..................', '..................XXXXXXXXXXXXXXXXXXO'] }],
      },
    });
    await screen.findByText('Version 1');
    assert.equal(screen.getByRole('switch', { name: 'Card format for every door' }).getAttribute('aria-checked'), 'true', 'shown again from what was saved');
    assert.equal((screen.getByLabelText('Format of every door’s cards') as HTMLSelectElement).value, 'h10304');
    assert.equal(screen.queryByText(/Also set, through the API/), null, 'the card format has its own section');
    fireEvent.click(screen.getByRole('switch', { name: 'Card format for every door' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    await screen.findByText('Version 2');
    assert.deepEqual(rendered.requestsOf('documents:put').at(-1)?.body, { settings: {} });
  });

  test('hours of every door: sent with the site settings, checked first', async () => {
    const documents = fakeDocuments();
    const rendered = renderHubScreen(<HubSiteSettingsScreen />, documents.handlers);
    await screen.findByText('Never saved');
    const toggle = screen.getByRole('switch', { name: 'Hours of every door' });
    within(toggle).getByText('Each door’s own');
    fireEvent.click(toggle);
    const window = screen.getByRole('group', { name: 'Door hours, window 1' });
    fireEvent.change(within(window).getByLabelText('From'), { target: { value: '20:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    screen.getByText('One field needs a change before saving.');
    assert.equal(rendered.requestsOf('documents:put').length, 0);
    fireEvent.change(within(window).getByLabelText('From'), { target: { value: '06:30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and send to doors' }));
    await screen.findByText(/Site settings saved as version 1/);
    assert.deepEqual(rendered.requestsOf('documents:put').at(-1)?.body, { settings: { 'access.policy': { doorHours: [{ days: [1, 2, 3, 4, 5], from: '06:30', to: '19:00' }] } } });
  });
});
