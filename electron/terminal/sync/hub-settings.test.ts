import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decisionSettingsSchema } from '../../shared/shapes/decision-settings.js';
import { defaultSettings, type Settings } from '../../shared/shapes/settings.js';
import { hubSettingValues } from './hub-settings.js';

describe('the settings a door takes from the hub', () => {
  const policy = decisionSettingsSchema.parse({ cooldownMs: 9000, framesToAgree: 4, timeZone: 'Europe/Berlin', allowedGroups: ['staff'], schedules: { staff: [{ days: [1], from: '08:00', to: '18:00' }] } });
  const current: Settings = { ...defaultSettings(), 'events.retentionDays': 365, 'access.policy': policy };

  it('follows the site for the decision keys a door policy leaves alone', () => {
    const site = { 'access.policy': { cooldownMs: 4000, liveness: { mode: 'passive+active' } }, 'events.retentionDays': 30 };
    const door = { 'access.policy': { framesToAgree: 2 }, 'terminal.name': 'Back door' };
    const { values, unknown } = hubSettingValues(site, door, current);
    assert.deepEqual(unknown, []);
    assert.equal(values['events.retentionDays'], 30);
    assert.equal(values['terminal.name'], 'Back door');
    const applied = values['access.policy'] as Record<string, unknown>;
    assert.equal(applied.cooldownMs, 4000, 'the site’s cooldown, though the door policy sets another decision key');
    assert.equal(applied.framesToAgree, 2);
    assert.deepEqual(applied.liveness, { mode: 'passive+active' });
    // The change log's schedules and allowed groups stay; the door's own other keys too.
    assert.deepEqual(applied.allowedGroups, ['staff']);
    assert.deepEqual(applied.schedules, policy.schedules);
    assert.equal(applied.minBrightness, policy.minBrightness);
    assert.ok(decisionSettingsSchema.safeParse(applied).success);
  });

  it('lets the door policy win over the site, key by key; the change log’s keys are not the hub settings’', () => {
    const { values } = hubSettingValues({ 'access.policy': { cooldownMs: 4000, allowedGroups: ['everyone'] }, 'events.retentionDays': 30 }, { 'access.policy': { cooldownMs: 1000 }, 'events.retentionDays': 7 }, current);
    assert.equal((values['access.policy'] as Record<string, unknown>).cooldownMs, 1000);
    assert.deepEqual((values['access.policy'] as Record<string, unknown>).allowedGroups, ['staff']);
    assert.equal(values['events.retentionDays'], 7);
  });

  it('keeps the door’s own values under the hub’s and gives them back when the hub stops setting them', () => {
    const site = { 'access.policy': { cooldownMs: 4000, timeZone: 'UTC' }, 'events.retentionDays': 30 };
    const first = hubSettingValues(site, { 'access.policy': { doorHours: [{ days: [6], from: '07:00', to: '19:00' }] } }, current);
    assert.deepEqual(first.own, {
      'events.retentionDays': { value: 365 },
      'access.policy.cooldownMs': { value: 9000 },
      'access.policy.timeZone': { value: 'Europe/Berlin' },
      'access.policy.doorHours': { value: null },
    });
    // Applied, then applied again: the own values stay the door's, not the hub's.
    const applied: Settings = { ...current, 'events.retentionDays': 30, 'access.policy': first.values['access.policy'] as Settings['access.policy'] };
    assert.deepEqual(hubSettingValues(site, { 'access.policy': { doorHours: [{ days: [6], from: '07:00', to: '19:00' }] } }, applied, first.own).own, first.own);
    // The hub stops setting the retention, the time zone and the door's hours: each back to the door's own.
    const later = hubSettingValues({ 'access.policy': { cooldownMs: 4000 } }, {}, applied, first.own);
    assert.equal(later.values['events.retentionDays'], 365);
    const back = later.values['access.policy'] as Record<string, unknown>;
    assert.equal(back.timeZone, 'Europe/Berlin');
    assert.equal(back.doorHours, null);
    assert.equal(back.cooldownMs, 4000, 'still the hub’s');
    assert.deepEqual(later.own, { 'access.policy.cooldownMs': { value: 9000 } });
    // A key the door had no value for (an optional one) goes again.
    const noZone: Settings = { ...current, 'access.policy': decisionSettingsSchema.parse({}) };
    const zoned = hubSettingValues({ 'access.policy': { timeZone: 'UTC' } }, {}, noZone);
    assert.deepEqual(zoned.own, { 'access.policy.timeZone': {} });
    const unzoned = hubSettingValues({}, {}, { ...noZone, 'access.policy': { ...noZone['access.policy'], timeZone: 'UTC' } }, zoned.own);
    assert.equal('timeZone' in (unzoned.values['access.policy'] as Record<string, unknown>), false);
    assert.deepEqual(unzoned.own, {});
  });

  it('applies a door policy’s credential policy over the site’s and the door’s own, and drops it when the hub stops', () => {
    const mine = { ...current['access.policy'].credential, groups: { 'night-staff': 'card+face' as const }, cardTimeoutMs: 8000 };
    const start: Settings = { ...current, 'access.policy': { ...current['access.policy'], credential: mine } };
    const siteCredential = { mode: 'face', groups: { contractors: 'card+face' } };
    const doorCredential = { mode: 'card+face', groups: {}, schedules: [{ windows: [{ days: [6, 7], from: '00:00', to: '24:00' }], mode: 'card+face' }], cardTimeoutMs: 15_000 };
    const site = { 'access.policy': { credential: siteCredential, cooldownMs: 4000 } };
    const first = hubSettingValues(site, { 'access.policy': { credential: doorCredential } }, start);
    const applied = first.values['access.policy'] as Record<string, unknown>;
    assert.deepEqual(applied.credential, doorCredential, 'the door policy’s, whole: not merged with the site’s groups');
    assert.equal(applied.cooldownMs, 4000);
    const parsed = decisionSettingsSchema.parse(applied);
    assert.equal(parsed.credential.mode, 'card+face');
    assert.equal(parsed.credential.cardTimeoutMs, 15_000);
    assert.deepEqual(first.own['access.policy.credential'], { value: mine }, 'the door’s own kept aside');

    // The door policy stops setting it: the site's again.
    const door: Settings = { ...start, 'access.policy': parsed };
    const second = hubSettingValues(site, {}, door, first.own);
    assert.deepEqual((second.values['access.policy'] as Record<string, unknown>).credential, siteCredential);
    // The site stops too: the door's own back, and nothing kept aside for it.
    const third = hubSettingValues({ 'access.policy': { cooldownMs: 4000 } }, {}, { ...door, 'access.policy': decisionSettingsSchema.parse(second.values['access.policy']) }, second.own);
    assert.deepEqual((third.values['access.policy'] as Record<string, unknown>).credential, mine);
    assert.equal('access.policy.credential' in third.own, false);
    assert.ok(decisionSettingsSchema.safeParse(third.values['access.policy']).success);
  });

  it('sets nothing the hub does not, and names keys that are no setting', () => {
    assert.deepEqual(hubSettingValues({}, {}, current), { values: {}, unknown: [], own: {} });
    const { values, unknown } = hubSettingValues({ 'no.such': 1 }, { 'door.showDiagnostics': true }, current);
    assert.deepEqual(unknown, ['no.such']);
    assert.deepEqual(values, { 'door.showDiagnostics': true });
    // A policy that is not an object is passed on for the settings checks to refuse, not dropped.
    assert.equal(hubSettingValues({ 'access.policy': 'open' }, {}, current).values['access.policy'], 'open');
  });
});
