import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { Settings } from '../../store/types.js';
import { changedSettings, issueAt, issueText, refusedSetting, settingsIssues } from './settings-issues.js';

const policy: Settings['access.policy'] = {
  framesToAgree: 3,
  unknownAfterFrames: 8,
  lowQualityAfterMs: 5_000,
  cooldownMs: 10_000,
  minInterOcularPx: 40,
  maxAbsYawDeg: 30,
  maxAbsPitchDeg: 30,
  minSharpness: 20,
  minBrightness: 40,
  maxBrightness: 220,
  minLiveness: null,
  liveness: { mode: null, groups: {}, schedules: [], challengeTimeoutMs: 4_000, retryPauseMs: 1_500, maxAttempts: 3, blink: false, naturalMotion: false },
  schedules: {},
};

const stored: Settings = {
  'terminal.name': 'Front door',
  'camera.uri': null,
  'recognition.extractorModelId': null,
  'recognition.identifySimilarity': null,
  'recognition.targetFpir': 1e-3,
  'liveness.modelId': null,
  'access.policy': policy,
  'door.outputs': [{ kind: 'log', name: 'log', includePersonName: false }],
  'door.inputs': { contact: null, exitButton: null, debounceMs: 50, heldOpenMs: 30_000, consumer: 'lintel-door-inputs' },
  'credentials.format': 'wiegand26',
  'credentials.customFormats': [],
  'admin.idleLogoutMs': 120_000,
  'admin.sessionMaxMs': 28_800_000,
  'door.showDiagnostics': false,
  'events.snapshots': 'denied',
  'events.retentionDays': 365,
  'events.snapshotRetentionDays': 30,
  'import.roots': [],
};

describe('settings validation', () => {
  test('finds nothing wrong with valid settings', () => {
    assert.equal(settingsIssues(stored).size, 0);
  });

  test('places each issue at its field, in words and in the field’s unit', () => {
    const issues = settingsIssues({
      'terminal.name': ' ',
      'admin.idleLogoutMs': 5_000,
      'access.policy': { ...policy, framesToAgree: 2.5, maxBrightness: Number.NaN, schedules: { staff: [{ days: [1], from: '18:00', to: '08:00' }] } },
    });
    const text = (path: (string | number)[], scale?: number, unit?: string): string | undefined => {
      const issue = issueAt(issues, path);
      return issue && issueText(issue, scale, unit);
    };
    assert.equal(text(['terminal.name']), 'Required.');
    assert.equal(text(['admin.idleLogoutMs'], 1000, 's'), 'At least 15 s.');
    assert.equal(text(['access.policy', 'framesToAgree']), 'Enter a whole number.');
    assert.equal(text(['access.policy', 'maxBrightness']), 'Enter a number.');
    assert.equal(text(['access.policy', 'schedules', 'staff', 0]), 'A window must end after it starts (split one that crosses midnight in two).');
  });

  test('names only the settings that changed', () => {
    const draft = { ...stored, 'terminal.name': 'Back door', 'access.policy': { ...policy, schedules: {} } };
    assert.deepEqual(changedSettings(stored, draft), { 'terminal.name': 'Back door' });
  });

  test("puts the terminal's refusal of a setting being saved at its field, in a sentence", () => {
    assert.deepEqual(refusedSetting('setting camera.uri: the camera v4l2:/dev/video9 cannot be used: /dev/video9 does not exist on this terminal', ['camera.uri']), {
      key: 'camera.uri',
      message: 'The camera v4l2:/dev/video9 cannot be used: /dev/video9 does not exist on this terminal.',
    });
    assert.equal(refusedSetting('setting camera.uri: no', ['terminal.name']), null);
    assert.equal(refusedSetting('the terminal is starting', ['camera.uri']), null);
  });
});
