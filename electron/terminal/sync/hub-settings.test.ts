import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decisionSettingsSchema } from '../../shared/shapes/decision-settings.js';
import { hubSettingValues } from './hub-settings.js';

describe('the settings a door takes from the hub', () => {
  const current = decisionSettingsSchema.parse({ cooldownMs: 9000, framesToAgree: 4, allowedGroups: ['staff'], schedules: { staff: [{ days: [1], from: '08:00', to: '18:00' }] } });

  it('follows the site for the decision keys a door policy leaves alone', () => {
    const site = { 'access.policy': { cooldownMs: 4000, liveness: { mode: 'passive+active' } }, 'events.retentionDays': 30 };
    const door = { 'access.policy': { framesToAgree: 2 }, 'terminal.name': 'Back door' };
    const { values, unknown } = hubSettingValues(site, door, current);
    assert.deepEqual(unknown, []);
    assert.equal(values['events.retentionDays'], 30);
    assert.equal(values['terminal.name'], 'Back door');
    const policy = values['access.policy'] as Record<string, unknown>;
    assert.equal(policy.cooldownMs, 4000, 'the site’s cooldown, though the door policy sets another decision key');
    assert.equal(policy.framesToAgree, 2);
    assert.deepEqual(policy.liveness, { mode: 'passive+active' });
    // The change log's schedules and allowed groups stay; the door's own other keys too.
    assert.deepEqual(policy.allowedGroups, ['staff']);
    assert.deepEqual(policy.schedules, current.schedules);
    assert.equal(policy.minBrightness, current.minBrightness);
    assert.ok(decisionSettingsSchema.safeParse(policy).success);
  });

  it('lets the door policy win over the site, key by key', () => {
    const { values } = hubSettingValues({ 'access.policy': { cooldownMs: 4000 }, 'events.retentionDays': 30 }, { 'access.policy': { cooldownMs: 1000 }, 'events.retentionDays': 7 }, current);
    assert.equal((values['access.policy'] as Record<string, unknown>).cooldownMs, 1000);
    assert.equal(values['events.retentionDays'], 7);
  });

  it('sets nothing the hub does not, and names keys that are no setting', () => {
    assert.deepEqual(hubSettingValues({}, {}, current), { values: {}, unknown: [] });
    const { values, unknown } = hubSettingValues({ 'no.such': 1 }, { 'door.showDiagnostics': true }, current);
    assert.deepEqual(unknown, ['no.such']);
    assert.deepEqual(values, { 'door.showDiagnostics': true });
    // A policy that is not an object is passed on for the settings checks to refuse, not dropped.
    assert.equal(hubSettingValues({ 'access.policy': 'open' }, {}, current).values['access.policy'], 'open');
  });
});
