// After a card at the door's reader, the door asks for the holder's face until the card's turn ends; a denial
// that needs the card says so in words.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { useLintel } from '../store/store.js';
import type { DecisionEvent, TerminalHealth } from '../store/types.js';
import { act, renderScreen, screen } from '../test/render-screen.js';
import { CardPrompt } from './CardPrompt.js';
import { DecisionOverlay } from './DecisionOverlay.js';

test('"Card read — look at the camera" while the door waits for the holder’s face, never whose card it is; gone once the turn ends', () => {
  renderScreen(<CardPrompt />);
  act(() => useLintel.getState().showDoor());
  assert.equal(screen.queryByTestId('card-prompt'), null);
  act(() => useLintel.getState().receiveCard({ untilMs: Date.now() + 10_000 }));
  assert.equal(screen.getByRole('status').textContent, 'Card read — look at the camera');
  act(() => useLintel.getState().receiveCard(null));
  assert.equal(screen.queryByTestId('card-prompt'), null);
});

test('at a door that asks for a card now, the door screen says so before anyone is refused; the read card takes its place', () => {
  const health: TerminalHealth = { camera: { status: 'live', fps: 30 }, models: { detector: 'd', fitter: 'f', extractor: 'e' }, backend: 'auto', engines: [], processedFps: 30, framesProcessed: 10, framesDropped: 0, workerRestarts: 0 };
  renderScreen(<CardPrompt />);
  act(() => {
    useLintel.getState().showDoor();
    useLintel.getState().receiveCard(null);
    useLintel.getState().receiveHealth({ ...health, credentialMode: 'face' }, Date.now());
  });
  assert.equal(screen.queryByRole('status'), null, 'the face alone is enough: nothing to say');
  act(() => useLintel.getState().receiveHealth({ ...health, credentialMode: 'card+face' }, Date.now()));
  assert.equal(screen.getByTestId('card-hint').textContent, 'Present your card, then look at the camera');
  act(() => useLintel.getState().receiveCard({ untilMs: Date.now() + 10_000 }));
  assert.equal(screen.getByTestId('card-prompt').textContent, 'Card read — look at the camera');
});

test('a face refused for want of a card, and a card without its holder, are said in words', () => {
  renderScreen(<DecisionOverlay />, { 'persons:photo': () => ({ ok: false, error: { code: 'not-found', message: 'no photo' } }) });
  const denial = (eventId: number, reason: DecisionEvent['reason']): DecisionEvent => ({ eventId, decidedAtMs: Date.now(), decision: 'denied', reason, trackAgeMs: 0 });
  act(() => useLintel.getState().showDecision(denial(101, 'card-required')));
  assert.ok(screen.getByText('Present your card, then look at the camera'));
  act(() => useLintel.getState().showDecision(denial(102, 'card-no-face')));
  assert.ok(screen.getByText('No face seen after the card'));
  act(() => useLintel.getState().showDecision(denial(103, 'card-face-not-enrolled')));
  assert.ok(screen.getByText('No face enrolled for this card'));
});
