import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { livenessPolicySchema } from '../../shared/shapes/liveness-policy.js';
import { livenessRequirement, passiveMayBeAsked, resolveLivenessMode, SHIPPED_LIVENESS_MODE } from './liveness-policy.js';

// Tuesday 2026-11-24, 10:00 and 20:00 UTC.
const DAY = Date.UTC(2026, 10, 24, 10, 0);
const EVENING = Date.UTC(2026, 10, 24, 20, 0);
const SATURDAY_NOON = Date.UTC(2026, 10, 28, 12, 0);

const afterHours = [
  { days: [1, 2, 3, 4, 5], from: '00:00', to: '07:00' },
  { days: [1, 2, 3, 4, 5], from: '19:00', to: '24:00' },
  { days: [6, 7], from: '00:00', to: '24:00' },
];

describe('resolveLivenessMode', () => {
  const policy = livenessPolicySchema.parse({
    mode: 'passive',
    groups: { visitors: 'passive+active', staff: 'passive', contractors: 'active' },
    schedules: [{ windows: afterHours, mode: 'active' }],
  });
  const utc = { timeZone: 'UTC' };

  it('takes the site mode for people without a group mode, inside no schedule', () => {
    assert.equal(resolveLivenessMode(policy, [], DAY, utc), 'passive');
    assert.equal(resolveLivenessMode(policy, ['cleaners'], DAY, utc), 'passive');
  });

  it("takes a group's mode instead, and the checks of several groups together", () => {
    assert.equal(resolveLivenessMode(policy, ['visitors'], DAY, utc), 'passive+active');
    assert.equal(resolveLivenessMode(policy, ['contractors'], DAY, utc), 'active');
    assert.equal(resolveLivenessMode(policy, ['staff', 'contractors'], DAY, utc), 'passive+active');
  });

  it('takes the schedule in force before groups: active only after hours, in the schedule time zone', () => {
    assert.equal(resolveLivenessMode(policy, ['staff'], EVENING, utc), 'active');
    assert.equal(resolveLivenessMode(policy, ['visitors'], SATURDAY_NOON, utc), 'active');
    // 10:00 UTC is 19:00 in Tokyo: after hours there.
    assert.equal(resolveLivenessMode(policy, ['staff'], DAY, { timeZone: 'Asia/Tokyo' }), 'active');
  });

  it("falls back to the manifest's default, then to the shipped passive + active", () => {
    const unset = livenessPolicySchema.parse({});
    assert.equal(resolveLivenessMode(unset, [], DAY, { defaultMode: 'active' }), 'active');
    assert.equal(resolveLivenessMode(unset, [], DAY), SHIPPED_LIVENESS_MODE);
    assert.equal(SHIPPED_LIVENESS_MODE, 'passive+active');
  });
});

describe('passiveMayBeAsked', () => {
  const utc = { timeZone: 'UTC' };
  it('is false only where no decision can ask for the passive check: off or the challenge alone, for the door and every group', () => {
    assert.equal(passiveMayBeAsked(livenessPolicySchema.parse({ mode: 'off' }), DAY, utc), false);
    assert.equal(passiveMayBeAsked(livenessPolicySchema.parse({ mode: 'active' }), DAY, utc), false);
    assert.equal(passiveMayBeAsked(livenessPolicySchema.parse({ mode: 'active', groups: { visitors: 'passive' } }), DAY, utc), true, 'a group may ask for it');
    assert.equal(passiveMayBeAsked(livenessPolicySchema.parse({}), DAY, { ...utc, defaultMode: 'active' }), false, "the manifest's default");
    assert.equal(passiveMayBeAsked(livenessPolicySchema.parse({}), DAY, utc), true, 'the shipped passive + active');
    // Hours in force decide for everyone: the challenge alone after hours, the passive check by day.
    const policy = livenessPolicySchema.parse({ mode: 'passive', groups: { visitors: 'passive+active' }, schedules: [{ windows: afterHours, mode: 'active' }] });
    assert.deepEqual([passiveMayBeAsked(policy, DAY, utc), passiveMayBeAsked(policy, EVENING, utc)], [true, false]);
  });
});

describe('livenessRequirement', () => {
  it('runs what is asked where the passive model runs', () => {
    assert.deepEqual(livenessRequirement('passive+active', true), { mode: 'passive+active', passive: true, active: true, passiveUnavailable: false });
    assert.deepEqual(livenessRequirement('off', false), { mode: 'off', passive: false, active: false, passiveUnavailable: false });
  });

  it('is never silently off: without a passive model the challenge remains or stands in', () => {
    assert.deepEqual(livenessRequirement('passive+active', false), { mode: 'passive+active', passive: false, active: true, passiveUnavailable: true });
    assert.deepEqual(livenessRequirement('passive', false), { mode: 'passive', passive: false, active: true, passiveUnavailable: true });
    assert.deepEqual(livenessRequirement('active', false), { mode: 'active', passive: false, active: true, passiveUnavailable: false });
  });
});

describe('livenessPolicySchema', () => {
  it('has the defaults of a new terminal', () => {
    assert.deepEqual(livenessPolicySchema.parse({}), { mode: null, groups: {}, schedules: [], challengeTimeoutMs: 4000, retryPauseMs: 1500, maxAttempts: 3, blink: false, naturalMotion: false });
  });

  it('rejects what it cannot run, naming the field', () => {
    const issuesOf = (value: unknown): string => {
      const result = livenessPolicySchema.safeParse(value);
      assert.equal(result.success, false);
      return JSON.stringify(result.error?.issues.map((issue) => issue.path));
    };
    assert.match(issuesOf({ mode: 'strict' }), /mode/);
    assert.match(issuesOf({ groups: { '': 'active' } }), /groups/);
    assert.match(issuesOf({ schedules: [{ windows: [{ days: [1], from: '20:00', to: '07:00' }], mode: 'active' }] }), /schedules/);
    assert.match(issuesOf({ challengeTimeoutMs: 60_000 }), /challengeTimeoutMs/);
    assert.match(issuesOf({ maxAttempts: 0 }), /maxAttempts/);
  });
});
