// A grant at the door says when the door may not open: the door controller (a relay, Wiegand or OSDP output) has a
// fault, in the short words of the public screen.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { useLintel } from '../store/store.js';
import type { DecisionEvent, TerminalHealth } from '../store/types.js';
import { act, renderScreen, screen } from '../test/render-screen.js';
import { DecisionOverlay } from './DecisionOverlay.js';

const health: TerminalHealth = { camera: { status: 'live', fps: 30 }, models: { detector: 'd', fitter: 'f', extractor: 'e' }, backend: 'auto', engines: [], processedFps: 30, framesProcessed: 10, framesDropped: 0, workerRestarts: 0 };
const grant: DecisionEvent = {
  eventId: 7,
  trackId: 1,
  decidedAtMs: Date.UTC(2026, 0, 1, 9),
  decision: 'granted',
  reason: 'granted',
  quality: { interOcularPx: 80, yawDeg: 2, pitchDeg: -4, rollDeg: 1, sharpness: 300, brightness: 120, contrast: 45, presence: 1, detectorScore: 0.95 },
  trackAgeMs: 600,
  person: { id: '6f1c1f0e-6b1a-4d43-9d6e-1f3e6b1a4d43', name: 'Ann Lee', enabled: true, validFromMs: null, validUntilMs: null, groups: [] },
};

test('a grant with a door controller fault says the door may not open, without the technical cause', () => {
  renderScreen(<DecisionOverlay />, { 'persons:photo': () => ({ ok: false, error: { code: 'not-found', message: 'no photo' } }) });
  act(() => {
    useLintel.getState().receiveHealth({ ...health, doorController: { status: 'fault', message: 'relay: door relay unavailable: GPIO_V2_GET_LINE_IOCTL /dev/gpiochip3: EBUSY' } }, Date.now());
    useLintel.getState().showDecision(grant);
  });
  assert.ok(screen.getByText('Access granted'));
  assert.equal(screen.getByTestId('decision-fault').textContent, 'The door may not open — please contact reception');
  assert.equal(screen.queryByText(/EBUSY|gpiochip/), null);
});

test('a grant with working door outputs says nothing more', () => {
  renderScreen(<DecisionOverlay />, { 'persons:photo': () => ({ ok: false, error: { code: 'not-found', message: 'no photo' } }) });
  act(() => {
    useLintel.getState().receiveHealth(health, Date.now());
    useLintel.getState().showDecision(grant);
  });
  assert.ok(screen.getByText('Access granted'));
  assert.equal(screen.queryByTestId('decision-fault'), null);
});
