// The settings screen against a terminal that answers from the test: fields checked as they are typed, only what
// changed sent, the terminal's cameras, models and GPIO chips offered as lists, and a setting the terminal refuses
// on save shown at its field.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { settingsSchema, type ResponseOf, type Result } from '../../contract.js';
import type { Settings } from '../../store/types.js';
import { fireEvent, renderScreen, screen, waitFor, within, type FakeHandlers } from '../../test/render-screen.js';
import { STORED_SETTINGS } from './settings-fixture.js';
import { SettingsScreen } from './SettingsScreen.js';

type Hardware = ResponseOf<'hardware:list'>;

const WEBCAM: Hardware['cameras'][number] = {
  devicePath: '/dev/video2',
  name: 'HD Pro Webcam C920',
  driver: 'uvcvideo',
  captures: true,
  formats: [
    { format: 'YUYV', sizes: [{ widthPx: 640, heightPx: 480 }, { widthPx: 1280, heightPx: 720 }, { widthPx: 1920, heightPx: 1080 }] },
    { format: 'MJPG', sizes: [{ widthPx: 1280, heightPx: 720 }, { widthPx: 1920, heightPx: 1080 }] },
  ],
};
const METADATA_NODE: Hardware['cameras'][number] = { devicePath: '/dev/video3', name: 'HD Pro Webcam C920', driver: 'uvcvideo', captures: false, formats: [] };
const CHIPS: Hardware['gpioChips'] = [
  { path: '/dev/gpiochip0', name: 'gpiochip0', label: 'gpio0', lines: 32 },
  { path: '/dev/gpiochip3', name: 'gpiochip3', label: 'gpio3', lines: 32 },
  { path: '/dev/gpiochip5', problem: 'EACCES: permission denied' },
];
const RELAY = { kind: 'gpio' as const, name: 'relay', chipPath: '/dev/gpiochip3', line: 7, activeLow: false, pulseMs: 3_000, consumer: 'lintel-door' };

/** A terminal with `stored` settings that saves whatever passes, and the cameras and chips given. */
function terminal(stored: Settings = STORED_SETTINGS, hardware: Hardware = { cameras: [WEBCAM, METADATA_NODE], gpioChips: CHIPS }, update?: FakeHandlers['settings:update']): FakeHandlers {
  return {
    'settings:get': () => ({ settings: stored, invalidStoredKeys: [] }),
    'settings:update': update ?? (({ values }) => ({ ...stored, ...values }) as Settings),
    'hardware:list': () => hardware,
    'models:list': () => [
      { id: 'minifasnet-v2', role: 'liveness', description: 'MiniFASNet', state: 'added', licences: { code: null, weights: 'Apache-2.0', trainingData: null }, upstream: '', file: null, obtainFrom: null, addedAtMs: 0, isDefault: false },
      { id: 'mobileface-256', role: 'extractor', description: 'MobileFaceNet', state: 'built-in', licences: { code: null, weights: 'MIT', trainingData: null }, upstream: '', file: null, obtainFrom: null, addedAtMs: null, isDefault: true },
    ],
  };
}

const saveButton = (): HTMLButtonElement => screen.getByRole('button', { name: /Save changes|Saving/ }) as HTMLButtonElement;
const select = (label: string): HTMLSelectElement => screen.getByLabelText(label) as HTMLSelectElement;
const optionTexts = (element: HTMLSelectElement): string[] => [...element.options].map((option) => option.textContent ?? '');

test('fields are checked as they are typed; a fixed form saves only what changed', async () => {
  const rendered = renderScreen(<SettingsScreen />, terminal());
  const name = (await screen.findByLabelText('Terminal name')) as HTMLInputElement;
  assert.equal(saveButton().disabled, true, 'nothing changed yet');

  fireEvent.change(name, { target: { value: '' } });
  assert.ok(within(name.closest('.field') as HTMLElement).getByText('Required.'));
  assert.ok(screen.getByText('One field needs fixing before saving.'));
  assert.equal(saveButton().disabled, true);

  fireEvent.change(name, { target: { value: 'Back door' } });
  assert.equal(screen.queryByText('Required.'), null);
  fireEvent.click(saveButton());
  await screen.findByText('Settings saved.');
  assert.deepEqual(rendered.requestsOf('settings:update'), [{ values: { 'terminal.name': 'Back door' } }]);
});

test('the camera is chosen from the cameras the terminal found, with the formats and sizes each offers', async () => {
  const rendered = renderScreen(<SettingsScreen />, terminal());
  const camera = await screen.findByLabelText('Camera');
  await waitFor(() => assert.ok(optionTexts(select('Camera')).includes('HD Pro Webcam C920 (/dev/video2)')));
  assert.deepEqual(optionTexts(select('Camera')), ["The terminal's default camera", 'HD Pro Webcam C920 (/dev/video2)', 'Photos or a video on the terminal'], 'the metadata node is no choice');

  fireEvent.change(camera, { target: { value: 'v4l2:/dev/video2' } });
  assert.equal(select('Picture format').value, 'YUYV');
  assert.equal(select('Picture size').value, '1280x720', 'the largest size up to 720 lines');
  fireEvent.change(select('Picture format'), { target: { value: 'MJPG' } });
  assert.deepEqual(optionTexts(select('Picture size')), ['1280 × 720', '1920 × 1080']);
  fireEvent.change(select('Picture size'), { target: { value: '1920x1080' } });

  fireEvent.click(saveButton());
  await screen.findByText('Settings saved.');
  assert.deepEqual(rendered.requestsOf('settings:update'), [{ values: { 'camera.uri': 'v4l2:/dev/video2?format=MJPG&width=1920&height=1080&fps=30' } }]);
});

test('a camera the terminal refuses on save is shown at its field, in its words, until it is changed', async () => {
  const refusal: Result<Settings> = { ok: false, error: { code: 'invalid-request', message: 'setting camera.uri: the camera v4l2:/dev/video2?format=YUYV&width=1280&height=720&fps=30 cannot be used: /dev/video2 is in use by another program' } };
  renderScreen(<SettingsScreen />, terminal(STORED_SETTINGS, undefined, () => refusal));
  await screen.findByLabelText('Camera');
  await waitFor(() => assert.ok(optionTexts(select('Camera')).length > 2));
  fireEvent.change(select('Camera'), { target: { value: 'v4l2:/dev/video2' } });
  fireEvent.click(saveButton());

  await screen.findByText('Not saved: the terminal refused a setting (shown at its field).');
  const field = screen.getByLabelText('Picture size').closest('.field') as HTMLElement;
  assert.ok(within(field).getByText(/\/dev\/video2 is in use by another program\.$/));
  assert.equal(screen.queryByText('Settings saved.'), null);

  fireEvent.change(select('Picture size'), { target: { value: '640x480' } });
  assert.equal(screen.queryByText(/is in use by another program/), null, 'a changed camera is not the one refused');
});

test('door relays pick a GPIO chip the terminal found and one of its lines, by the board’s pin name', async () => {
  const stored: Settings = { ...STORED_SETTINGS, 'door.outputs': [RELAY] };
  const rendered = renderScreen(<SettingsScreen />, terminal(stored));
  await screen.findByLabelText('GPIO chip');
  await waitFor(() => assert.equal(select('GPIO chip').tagName, 'SELECT'));
  assert.deepEqual(optionTexts(select('GPIO chip')), ['gpiochip0 (gpio0)', 'gpiochip3 (gpio3)']);
  assert.equal(select('GPIO chip').value, '/dev/gpiochip3');
  assert.equal(select('Line').value, '7');
  assert.equal(select('Line').selectedOptions[0]?.textContent, '7 — GPIO3_A7');

  fireEvent.change(select('Line'), { target: { value: '12' } });
  fireEvent.click(saveButton());
  await screen.findByText('Settings saved.');
  assert.deepEqual(rendered.requestsOf('settings:update'), [{ values: { 'door.outputs': [{ ...RELAY, line: 12 }] } }]);
});

test('a chip that is not there stays a choice, marked, and its lines are typed', async () => {
  renderScreen(<SettingsScreen />, terminal({ ...STORED_SETTINGS, 'door.outputs': [{ ...RELAY, chipPath: '/dev/gpiochip9' }] }));
  await waitFor(() => assert.equal((screen.getByLabelText('GPIO chip') as HTMLElement).tagName, 'SELECT'));
  assert.equal(select('GPIO chip').selectedOptions[0]?.textContent, '/dev/gpiochip9 (not found)');
  assert.equal((screen.getByLabelText('Line') as HTMLElement).tagName, 'INPUT', 'the lines of an unknown chip are typed');
});

test('without chips the relay is typed as before; the passive liveness model is a list of the models the terminal has', async () => {
  renderScreen(<SettingsScreen />, terminal({ ...STORED_SETTINGS, 'door.outputs': [RELAY] }, { cameras: [], gpioChips: [] }));
  const chip = (await screen.findByLabelText('GPIO chip')) as HTMLInputElement;
  assert.equal(chip.tagName, 'INPUT');
  assert.equal(chip.value, '/dev/gpiochip3');
  await waitFor(() => assert.ok(optionTexts(select('Passive liveness model')).includes('minifasnet-v2 (added)')));
  assert.ok(!optionTexts(select('Passive liveness model')).some((text) => text.startsWith('mobileface')), 'an extractor is no liveness model');
});

test('the door’s own hours: set, checked as typed, saved with the decision settings; off again sends null', async () => {
  const rendered = renderScreen(<SettingsScreen />, terminal());
  const toggle = await screen.findByRole('switch', { name: 'This door\'s hours' });
  within(toggle).getByText('Any time');
  fireEvent.click(toggle);
  const window = screen.getByRole('group', { name: 'Door hours, window 1' });
  fireEvent.click(within(window).getByRole('button', { name: 'Saturday' }));
  fireEvent.change(within(window).getByLabelText('To'), { target: { value: '06:00' } });
  await screen.findByText('One field needs fixing before saving.');
  fireEvent.change(within(window).getByLabelText('To'), { target: { value: '20:00' } });
  fireEvent.click(saveButton());
  await waitFor(() => assert.equal(rendered.requestsOf('settings:update').length, 1));
  const sent = rendered.requestsOf('settings:update')[0]?.values['access.policy'];
  assert.deepEqual(sent?.doorHours, [{ days: [1, 2, 3, 4, 5, 6], from: '07:00', to: '20:00' }]);
  assert.deepEqual(sent?.schedules, {}, 'the rest of the decision settings as they were');
  await screen.findByText('Settings saved.');
  fireEvent.click(screen.getByRole('switch', { name: 'This door\'s hours' }));
  assert.equal(screen.queryByRole('group', { name: 'Door hours, window 1' }), null);
  fireEvent.click(saveButton());
  await waitFor(() => assert.equal(rendered.requestsOf('settings:update').length, 2));
  assert.equal(rendered.requestsOf('settings:update')[1]?.values['access.policy']?.doorHours, null);
});

test('card and face: the door’s mode, a group’s and after-hours saved with the decision settings; a bad window refused at its field', async () => {
  const rendered = renderScreen(<SettingsScreen />, { ...terminal(), 'groups:list': () => [{ name: 'night-staff', memberCount: 3 }] });
  const section = (await screen.findByRole('group', { name: 'Card and face' })) as HTMLElement;
  const doorMode = within(section).getByRole('radiogroup', { name: 'What this door asks for' });
  assert.equal(within(doorMode).getByRole('radio', { name: 'Face alone' }).getAttribute('aria-checked'), 'true');
  fireEvent.click(within(doorMode).getByRole('radio', { name: 'Card, then face' }));
  const perGroup = await within(section).findByRole('group', { name: 'Card or face per group' });
  fireEvent.click(within(within(perGroup).getByRole('radiogroup', { name: 'night-staff' })).getByRole('radio', { name: 'Face alone' }));
  fireEvent.click(within(section).getByRole('button', { name: 'Add hours with their own card mode' }));
  assert.equal(within(within(section).getByRole('radiogroup', { name: 'Card hours 1: mode' })).getByRole('radio', { name: 'Card, then face' }).getAttribute('aria-checked'), 'true', 'after hours asks for the card');

  // A window that ends before it starts: refused at that window, nothing sent.
  const weekend = within(section).getByRole('group', { name: 'Card hours 1, window 3' });
  fireEvent.click(within(weekend).getByRole('button', { name: 'Until midnight' }));
  fireEvent.change(within(weekend).getByLabelText('From'), { target: { value: '12:00' } });
  fireEvent.change(within(weekend).getByLabelText('To'), { target: { value: '08:00' } });
  within(weekend).getByText(/A window must end after it starts/);
  await screen.findByText('One field needs fixing before saving.');
  assert.equal(saveButton().disabled, true);
  fireEvent.change(within(weekend).getByLabelText('From'), { target: { value: '00:00' } });
  fireEvent.change(within(weekend).getByLabelText('To'), { target: { value: '23:00' } });
  fireEvent.change(within(section).getByLabelText('Time for the face after a card (s)'), { target: { value: '1' } });
  within(within(section).getByLabelText('Time for the face after a card (s)').closest('.field') as HTMLElement).getByText('At least 2 s.');
  fireEvent.change(within(section).getByLabelText('Time for the face after a card (s)'), { target: { value: '15' } });
  const youngChildren = within(section).getByRole('radiogroup', { name: 'Young children' });
  assert.equal(within(youngChildren).getByRole('radio', { name: 'Card, then face' }).getAttribute('aria-checked'), 'true', 'young children need the card unless set otherwise');
  fireEvent.click(within(youngChildren).getByRole('radio', { name: 'Face alone' }));

  fireEvent.click(saveButton());
  await screen.findByText('Settings saved.');
  const sent = rendered.requestsOf('settings:update')[0]?.values['access.policy'];
  assert.deepEqual(sent?.credential, {
    mode: 'card+face',
    groups: { 'night-staff': 'face' },
    schedules: [
      {
        windows: [
          { days: [1, 2, 3, 4, 5], from: '00:00', to: '07:00' },
          { days: [1, 2, 3, 4, 5], from: '19:00', to: '24:00' },
          { days: [6, 7], from: '00:00', to: '23:00' },
        ],
        mode: 'card+face',
      },
    ],
    youngChildren: 'face',
    cardTimeoutMs: 15_000,
  });
  assert.deepEqual(sent?.liveness, STORED_SETTINGS['access.policy'].liveness, 'the rest of the decision settings as they were');
});

test('a Wiegand card reader: off by default, wired on two lines of a chip the terminal found, its format picked from those it knows', async () => {
  const stored: Settings = {
    ...STORED_SETTINGS,
    'door.inputs': { ...STORED_SETTINGS['door.inputs'], cardReader: null },
    'credentials.customFormats': [{ name: 'h10304', layout: `P${'F'.repeat(16)}${'C'.repeat(19)}P`, parity: [`E${'X'.repeat(18)}${'.'.repeat(18)}`, `${'.'.repeat(18)}${'X'.repeat(18)}O`] }],
  };
  const rendered = renderScreen(<SettingsScreen />, terminal(stored));
  const toggle = await screen.findByRole('switch', { name: 'Card reader (Wiegand)' });
  within(toggle).getByText('None');
  assert.equal(screen.queryByLabelText('D0 line'), null);
  fireEvent.click(toggle);
  await waitFor(() => assert.equal(select('Reader GPIO chip').tagName, 'SELECT'));
  fireEvent.change(select('Reader GPIO chip'), { target: { value: '/dev/gpiochip3' } });
  fireEvent.change(select('D0 line'), { target: { value: '8' } });
  fireEvent.change(select('D1 line'), { target: { value: '8' } });
  await screen.findByText('One field needs fixing before saving.');
  assert.ok(within(select('D1 line').closest('.field') as HTMLElement).getByText("/dev/gpiochip3 line 8 is already the card reader's D0."));
  fireEvent.change(select('D1 line'), { target: { value: '9' } });
  assert.equal(select('D1 line').selectedOptions[0]?.textContent, '9 — GPIO3_B1');
  assert.deepEqual(optionTexts(select('Card format read')), ["The site's card format (wiegand26)", 'wiegand26', 'wiegand34', 'h10304']);
  fireEvent.change(select('Card format read'), { target: { value: 'h10304' } });

  fireEvent.click(saveButton());
  await screen.findByText('Settings saved.');
  const sent = rendered.requestsOf('settings:update')[0]?.values['door.inputs'];
  assert.deepEqual(sent?.cardReader, { chipPath: '/dev/gpiochip3', d0Line: 8, d1Line: 9, bias: 'pull-up', format: 'h10304' });
  assert.deepEqual(settingsSchema.shape['door.inputs'].parse(sent), sent, 'the terminal takes what is sent as it is');

  // The site's format again: sent as null.
  fireEvent.change(select('Card format read'), { target: { value: '' } });
  fireEvent.click(saveButton());
  await waitFor(() => assert.equal(rendered.requestsOf('settings:update').length, 2));
  assert.equal(rendered.requestsOf('settings:update')[1]?.values['door.inputs']?.cardReader?.format, null);
});

const H10304 = { name: 'h10304', layout: 'PFFFFFFFFFFFFFFFFCCCCCCCCCCCCCCCCCCCP', parity: ['EXXXXXXXXXXXXXXXXXX..................', '..................XXXXXXXXXXXXXXXXXXO'] };

test('card format: wiegand34 is chosen and saved', async () => {
  const rendered = renderScreen(<SettingsScreen />, terminal());
  await screen.findByLabelText('Format of the people’s cards');
  assert.deepEqual(optionTexts(select('Format of the people’s cards')), ['26-bit H10301 (facility 0–255, card 0–65535)', '34-bit (facility 0–65535, card 0–65535)']);
  fireEvent.change(select('Format of the people’s cards'), { target: { value: 'wiegand34' } });
  fireEvent.click(saveButton());
  await screen.findByText('Settings saved.');
  assert.deepEqual(rendered.requestsOf('settings:update'), [{ values: { 'credentials.format': 'wiegand34' } }]);
});

test('card format: the README’s H10304 is added as a site format, checked as typed, then chosen', async () => {
  const rendered = renderScreen(<SettingsScreen />, terminal());
  await screen.findByLabelText('Format of the people’s cards');
  fireEvent.click(screen.getByRole('button', { name: 'Add site format' }));
  const card = (): HTMLElement => screen.getByRole('group', { name: /^Site format / });
  fireEvent.change(within(card()).getByLabelText('Name'), { target: { value: 'h10304' } });
  fireEvent.change(within(card()).getByLabelText('Layout'), { target: { value: H10304.layout } });
  assert.ok(within(card()).getByText('Parity bit 1 (P in the layout) has no parity line. Parity bit 37 (P in the layout) has no parity line.'));
  assert.equal(saveButton().disabled, true, 'a layout without its parity lines is not sent');
  fireEvent.click(within(card()).getByRole('button', { name: 'Add a parity line to Site format h10304' }));
  fireEvent.change(within(card()).getByLabelText('Parity line 1'), { target: { value: 'EXXX' } });
  const line = within(card()).getByLabelText('Parity line 1').closest('.field') as HTMLElement;
  assert.ok(within(line).getByText('Parity line 1 has 4 characters, the layout 37.'), 'a line’s problem at that line');
  fireEvent.change(within(card()).getByLabelText('Parity line 1'), { target: { value: H10304.parity[0] } });
  fireEvent.click(within(card()).getByRole('button', { name: 'Add a parity line to Site format h10304' }));
  fireEvent.change(within(card()).getByLabelText('Parity line 2'), { target: { value: H10304.parity[1] } });
  assert.equal(screen.queryByText(/needs fixing/), null);
  assert.ok(optionTexts(select('Format of the people’s cards')).includes('h10304 (site format, 37 bits)'));
  fireEvent.change(select('Format of the people’s cards'), { target: { value: 'h10304' } });
  fireEvent.click(saveButton());
  await screen.findByText('Settings saved.');
  const sent = rendered.requestsOf('settings:update');
  assert.deepEqual(sent, [{ values: { 'credentials.format': 'h10304', 'credentials.customFormats': [H10304] } }]);
  assert.deepEqual(settingsSchema.partial().parse(sent[0]?.values), { 'credentials.format': 'h10304', 'credentials.customFormats': [H10304] }, 'exactly what the schema takes');
});

test('card format: a change the terminal refuses because it strands a card is shown at the format, naming the people', async () => {
  const refusal: Result<Settings> = { ok: false, error: { code: 'invalid-request', message: 'setting credentials.format: 1 person(s) carry a credential that does not fit wiegand26 (facility 0–255, card 0–65535): Ada (facility 300, card 12); change their credentials first' } };
  renderScreen(<SettingsScreen />, terminal({ ...STORED_SETTINGS, 'credentials.format': 'wiegand34' }, undefined, () => refusal));
  await screen.findByLabelText('Format of the people’s cards');
  fireEvent.change(select('Format of the people’s cards'), { target: { value: 'wiegand26' } });
  fireEvent.click(saveButton());
  await screen.findByText('Not saved: the terminal refused a setting (shown at its field).');
  const field = select('Format of the people’s cards').closest('.field') as HTMLElement;
  assert.ok(within(field).getByText(/Ada \(facility 300, card 12\); change their credentials first\.$/));
});

test('card format: a site format the card reader still reads is refused on save, shown with the site formats', async () => {
  const stored: Settings = { ...STORED_SETTINGS, 'credentials.customFormats': [H10304] };
  const refusal: Result<Settings> = { ok: false, error: { code: 'invalid-request', message: 'setting credentials.customFormats: the card reader reads format "h10304" (door.inputs cardReader.format): change the reader\'s format first' } };
  renderScreen(<SettingsScreen />, terminal(stored, undefined, () => refusal));
  fireEvent.click(await screen.findByRole('button', { name: 'Remove Site format h10304' }));
  fireEvent.click(saveButton());
  await screen.findByText(/The card reader reads format "h10304" .*change the reader's format first\.$/);
});
