import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { POLICY, STORED_SETTINGS } from './settings-fixture.js';
import { changedSettings, issueAt, issueText, refusedSetting, settingsIssues } from './settings-issues.js';

const policy = POLICY;
const stored = STORED_SETTINGS;

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
