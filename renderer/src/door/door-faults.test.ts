import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { TerminalHealth } from '../store/types.js';
import { doorFaults, pictureFault } from './door-faults.js';

const healthy: TerminalHealth = {
  camera: { status: 'live', fps: 30 },
  models: { detector: 'd', fitter: 'f', extractor: 'e' },
  backend: 'auto',
  engines: [],
  processedFps: 29,
  framesProcessed: 100,
  framesDropped: 0,
  workerRestarts: 0,
};

describe('door faults', () => {
  test('a healthy terminal has none', () => {
    assert.deepEqual(doorFaults(healthy, true), []);
  });

  test('every fault says something short to the door and keeps the technical words for the System screen', () => {
    const faults = doorFaults(
      {
        ...healthy,
        camera: { status: 'offline', reason: 'VIDIOC_DQBUF /dev/video0: ENODEV (device unplugged)', retryAtMs: Date.UTC(2026, 0, 1, 9, 0) },
        storage: { status: 'full', sinceMs: Date.UTC(2026, 0, 1, 8, 0), message: 'SQLITE_FULL: database or disk is full' },
        doorController: { status: 'fault', message: 'relay: door relay unavailable: GPIO_V2_GET_LINE_IOCTL /dev/gpiochip3: EBUSY' },
        door: { status: 'unavailable', state: 'unknown', sinceMs: null, exitButton: false, message: 'door inputs unavailable: EACCES' },
        cardReader: { status: 'fault', message: 'card reader: lines 8 and 9 of /dev/gpiochip3: EBUSY' },
      },
      true,
    );
    assert.deepEqual(
      faults.map((fault) => fault.publicText),
      [
        'Camera unavailable — please contact reception',
        'Door closed: storage full — please contact reception',
        'Door controller fault — please contact reception',
        'Door sensor fault — please contact reception',
        'Card reader fault — please contact reception',
      ],
    );
    for (const fault of faults) assert.doesNotMatch(fault.publicText, /\bE[A-Z]{3,}\b|\/dev\/|SQLITE|ioctl/);
    assert.match(faults[0]?.detail ?? '', /ENODEV \(device unplugged\)/);
    assert.match(faults[2]?.detail ?? '', /EBUSY/);
  });

  test('recognition that did not start is its own fault, not the camera', () => {
    const faults = doorFaults({ ...healthy, camera: { status: 'offline', reason: 'the models are missing', retryAtMs: 0 }, startFailure: 'model file models/onnx/scrfd.onnx is missing: run npm run models' }, true);
    assert.deepEqual(
      faults.map((fault) => [fault.kind, fault.publicText]),
      [['recognition', 'Face recognition unavailable — please contact reception']],
    );
    assert.match(faults[0]?.detail ?? '', /npm run models/);
  });

  test('a lost connection comes first and takes the picture’s place', () => {
    const faults = doorFaults({ ...healthy, door: { status: 'ok', state: 'held-open', sinceMs: 0, exitButton: false, message: '' } }, false);
    assert.deepEqual(
      faults.map((fault) => fault.kind),
      ['connection', 'door-held'],
    );
    assert.equal(pictureFault(faults)?.publicText, 'Terminal unavailable — please contact reception');
    assert.equal(pictureFault(doorFaults(healthy, true)), undefined);
  });
});
