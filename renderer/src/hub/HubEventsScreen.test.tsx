import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { renderHubScreen } from '../test/render-hub-screen.js';
import { fireEvent, screen, waitFor, within } from '../test/render-screen.js';
import type { HubDoor, HubEvent } from './hub-client.js';
import { doorState, HubDoorsScreen, lagText } from './HubDoorsScreen.js';
import { eventQuery, HubEventsScreen, NO_FILTERS } from './HubEventsScreen.js';

const PERSON_ID = '0b5e1c2a-7f6d-4c3b-9a8e-1d2c3b4a5f60';
const DOOR: HubDoor = { id: 'door-1', name: 'Front door', revoked: false, online: true, modelId: 'mobilefacenet-192', appVersion: '0.1.0', appliedSeq: 40, behindBy: 0, doorOpen: false, lastSeenMs: 1_700_000_000_000 };
const EVENT: HubEvent = {
  id: 7,
  terminalId: 'door-1',
  terminalSeq: 3,
  uuid: '5d1c0a9e-2b3f-4e6a-8c7d-9f0e1a2b3c4d',
  atMs: 1_700_000_000_000,
  decision: 'granted',
  reason: 'recognised',
  personId: PERSON_ID,
  personName: 'Ada Lovelace',
  similarity: 0.81,
  livenessScore: 0.9,
  livenessCue: null,
  card: null,
  modelId: 'mobilefacenet-192',
  hasSnapshot: true,
  receivedAtMs: 1_700_000_000_500,
};

describe('hub events', () => {
  test('the filters become the request; an end before the start is refused before asking', () => {
    assert.deepEqual(eventQuery(NO_FILTERS), { request: { limit: 50 } });
    const query = eventQuery({ terminalId: 'door-1', decision: 'denied', personId: PERSON_ID, cardNumber: ' 034567 ', from: '2026-01-02T08:00', until: '2026-01-02T09:30' });
    assert.ok('request' in query);
    assert.equal(query.request.terminalId, 'door-1');
    assert.equal(query.request.decision, 'denied');
    assert.equal(query.request.personId, PERSON_ID);
    assert.equal(query.request.cardNumber, 34567);
    assert.equal(query.request.fromMs, new Date(2026, 0, 2, 8, 0).getTime());
    // The end's whole minute counts.
    assert.equal(query.request.untilMs, new Date(2026, 0, 2, 9, 30, 59, 999).getTime());
    assert.deepEqual(eventQuery({ ...NO_FILTERS, from: '2026-01-02T10:00', until: '2026-01-02T09:00' }), { problem: 'The end is before the start.' });
  });

  test('a card number is digits only, up to the largest a card has; anything else is a problem, not a request', () => {
    assert.deepEqual(eventQuery({ ...NO_FILTERS, cardNumber: '   ' }), { request: { limit: 50 } });
    for (const typed of ['12a', '-5', '1.5', '1e5', '12 34']) assert.deepEqual(Object.keys(eventQuery({ ...NO_FILTERS, cardNumber: typed })), ['problem'], typed);
    assert.deepEqual(eventQuery({ ...NO_FILTERS, cardNumber: String(2 ** 48 - 1) }), { request: { limit: 50, cardNumber: 2 ** 48 - 1 } });
    assert.deepEqual(Object.keys(eventQuery({ ...NO_FILTERS, cardNumber: String(2 ** 48) })), ['problem']);
  });

  test("an event's card is on its row; the card-number filter asks the hub for that card, and a number that is not one is said at the field", async () => {
    const shown = { ...EVENT, id: 8, decision: 'denied' as const, reason: 'unknown-card', personId: null, personName: null, similarity: null, card: { facilityCode: 12, cardNumber: 34567 } };
    const rendered = renderHubScreen(<HubEventsScreen />, {
      'doors:list': () => ({ headSeq: 40, doors: [DOOR] }),
      'persons:list': () => ({ persons: [], total: 0 }),
      'events:list': ({ cardNumber }) => ({ events: cardNumber === undefined ? [shown, EVENT] : cardNumber === 34567 ? [shown] : [], next: null }),
    });
    const list = await screen.findByRole('list', { name: 'Events, newest first' });
    within(list).getByText(/card 34567 \(facility 12\)/);
    // A face alone shows no card.
    assert.equal(within(list).queryAllByText(/card \d/).length, 1);

    fireEvent.change(screen.getByLabelText('Card number'), { target: { value: '34567' } });
    await waitFor(() => assert.equal(rendered.requestsOf('events:list').at(-1)?.cardNumber, 34567));
    // A failing assert.equal on an element prints React's whole fiber tree, slow enough to outlast waitFor's timeout.
    await waitFor(() => assert.ok(within(screen.getByRole('list', { name: 'Events, newest first' })).queryByText('Ada Lovelace') === null, 'Ada Lovelace is still listed'));

    const asked = rendered.requestsOf('events:list').length;
    fireEvent.change(screen.getByLabelText('Card number'), { target: { value: '34567x' } });
    await screen.findByText('A card number is digits only.');
    assert.equal(screen.getByLabelText('Card number').getAttribute('aria-invalid'), 'true');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(rendered.requestsOf('events:list').length, asked);
  });

  test('an answer to filters changed meanwhile is dropped: the list shows what the filters say', async () => {
    const denied = { ...EVENT, id: 9, decision: 'denied' as const, reason: 'unknown', personId: null, personName: null, similarity: null };
    let release: () => void = () => undefined;
    const rendered = renderHubScreen(<HubEventsScreen />, {
      'doors:list': () => ({ headSeq: 40, doors: [DOOR] }),
      'persons:list': () => ({ persons: [], total: 0 }),
      // The denied-only answer is slow: it arrives after the answer to the filters that replaced it.
      'events:list': ({ decision }) =>
        decision === 'denied' ? new Promise((resolve) => (release = () => resolve({ events: [denied], next: null }))) : { events: [EVENT], next: null },
    });
    await screen.findByText('Ada Lovelace');
    fireEvent.change(screen.getByLabelText('Decision'), { target: { value: 'denied' } });
    await waitFor(() => assert.equal(rendered.requestsOf('events:list').at(-1)?.decision, 'denied'));
    fireEvent.change(screen.getByLabelText('Decision'), { target: { value: 'granted' } });
    await waitFor(() => assert.equal(rendered.requestsOf('events:list').at(-1)?.decision, 'granted'));
    release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const list = screen.getByRole('list', { name: 'Events, newest first' });
    assert.equal(within(list).queryAllByText('Ada Lovelace').length, 1);
    assert.equal(within(list).queryAllByText('Denied').length, 0);
    assert.equal(screen.getByRole('button', { name: 'Refresh' }).hasAttribute('disabled'), false);
  });

  test('events from every door are listed; a filter asks the hub again; the snapshot opens large', async () => {
    const rendered = renderHubScreen(<HubEventsScreen />, {
      'doors:list': () => ({ headSeq: 40, doors: [DOOR] }),
      'persons:list': () => ({ persons: [], total: 0 }),
      'events:list': ({ decision }) => ({ events: decision === 'denied' ? [] : [EVENT], next: null }),
      'events:snapshot': () => ({ jpegBase64: '/9j/4AAQ' }),
    });
    const list = await screen.findByRole('list', { name: 'Events, newest first' });
    within(list).getByText('Ada Lovelace');
    await within(list).findByText('Front door');
    fireEvent.click(within(list).getByRole('button', { name: 'Snapshot of Ada Lovelace at door-1' }));
    const dialog = await screen.findByRole('dialog');
    assert.equal(within(dialog).getByRole('img').getAttribute('src'), 'data:image/jpeg;base64,/9j/4AAQ');
    assert.deepEqual(rendered.requestsOf('events:snapshot'), [{ id: 7 }]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    fireEvent.change(screen.getByLabelText('Decision'), { target: { value: 'denied' } });
    await screen.findByText('No events match these filters.');
    assert.equal(rendered.requestsOf('events:list').at(-1)?.decision, 'denied');
    // An impossible range is said at the field and not asked.
    const asked = rendered.requestsOf('events:list').length;
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-01-02T10:00' } });
    fireEvent.change(screen.getByLabelText('Until'), { target: { value: '2026-01-02T09:00' } });
    await screen.findByText('The end is before the start.');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The start alone was asked; the range that ends before it was not.
    assert.equal(rendered.requestsOf('events:list').length, asked + 1);
  });
});

describe('hub events export', () => {
  test('every matching event of every door, page after page, goes into one CSV with the door by name', async () => {
    const older = { ...EVENT, id: 6, terminalId: 'door-gone', atMs: EVENT.atMs - 60_000, decision: 'denied' as const, reason: 'unknown-card', personId: null, personName: null, similarity: null, card: { facilityCode: null, cardNumber: 777 } };
    const cursor = { atMs: EVENT.atMs, id: EVENT.id };
    const rendered = renderHubScreen(<HubEventsScreen />, {
      'doors:list': () => ({ headSeq: 40, doors: [DOOR] }),
      'persons:list': () => ({ persons: [], total: 0 }),
      'events:list': ({ before, limit }) => (limit === 50 ? { events: [EVENT], next: null } : before ? { events: [older], next: null } : { events: [EVENT], next: cursor }),
    });
    await screen.findByRole('list', { name: 'Events, newest first' });
    const blobs: Blob[] = [];
    const original = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (blob: Blob): string => (blobs.push(blob), 'blob:test');
    try {
      fireEvent.change(screen.getByLabelText('Decision'), { target: { value: 'denied' } });
      fireEvent.click(screen.getByRole('button', { name: /Export CSV/ }));
      await screen.findByText('2 events exported.');
    } finally {
      URL.createObjectURL = original;
    }
    const exportRequests = rendered.requestsOf('events:list').filter((request) => request.limit === 1000);
    assert.deepEqual(
      exportRequests.map((request) => [request.decision, request.before]),
      [
        ['denied', undefined],
        ['denied', cursor],
      ],
      'the filters, and the next page after the last',
    );
    const lines = (await blobs[0]!.text()).replace(/^\uFEFF/, '').split('\r\n');
    assert.equal(lines[0], 'time,door,decision,reason,person,card number,facility code,liveness,liveness cue,model,cosine similarity');
    assert.match(lines[1]!, /^[^,]+,Front door,granted,[^,]+,Ada Lovelace,,,0\.9,,mobilefacenet-192,0\.81$/);
    assert.match(lines[2]!, /^[^,]+,door-gone,denied,[^,]+,,777,,0\.9,,,$/, 'a door the hub no longer lists keeps its id');
  });
});

describe('hub doors', () => {
  test("each door's state, model and lag are shown; several models are pointed out", async () => {
    assert.deepEqual(doorState({ ...DOOR, online: false }), { text: 'Offline', ok: false });
    assert.deepEqual(doorState({ ...DOOR, revoked: true }), { text: 'Revoked', ok: false });
    assert.equal(lagText({ ...DOOR, behindBy: 1 }), '1 change behind');
    renderHubScreen(<HubDoorsScreen />, {
      'doors:list': () => ({ headSeq: 52, doors: [DOOR, { ...DOOR, id: 'door-2', name: 'Back door', online: false, modelId: 'arcface-512', behindBy: 12 }] }),
    });
    const back = await screen.findByRole('row', { name: 'Back door' });
    within(back).getByText('Offline');
    within(back).getByText('12 changes behind');
    within(back).getByText('arcface-512');
    within(screen.getByRole('row', { name: 'Front door' })).getByText('Up to date');
    screen.getByText(/The doors run 2 different models/);
  });
});
