import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { localTimeOf, withinSchedule } from './weekly-schedule.js';

describe('weekly schedules', () => {
  const schedules = { day: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }], weekend: [{ days: [6, 7], from: '10:00', to: '14:00' }] };

  it('reads the local weekday and time in a time zone', () => {
    // 2026-11-24 is a Tuesday; 23:30 UTC is already Wednesday 00:30 in Paris.
    assert.deepEqual(localTimeOf(Date.UTC(2026, 10, 24, 23, 30), 'UTC'), { isoWeekday: 2, hhmm: '23:30' });
    assert.deepEqual(localTimeOf(Date.UTC(2026, 10, 24, 23, 30), 'Europe/Paris'), { isoWeekday: 3, hhmm: '00:30' });
  });

  it('allows inside a window, from inclusive and to exclusive', () => {
    assert.equal(withinSchedule(['day'], schedules, Date.UTC(2026, 10, 24, 8, 0), 'UTC'), true);
    assert.equal(withinSchedule(['day'], schedules, Date.UTC(2026, 10, 24, 17, 59), 'UTC'), true);
    assert.equal(withinSchedule(['day'], schedules, Date.UTC(2026, 10, 24, 18, 0), 'UTC'), false);
    assert.equal(withinSchedule(['day'], schedules, Date.UTC(2026, 10, 28, 12, 0), 'UTC'), false);
  });

  it('joins the windows of all of a person’s scheduled groups', () => {
    assert.equal(withinSchedule(['day', 'weekend'], schedules, Date.UTC(2026, 10, 28, 12, 0), 'UTC'), true);
  });

  it('does not restrict people whose groups have no schedule', () => {
    assert.equal(withinSchedule([], schedules, Date.UTC(2026, 10, 28, 3, 0), 'UTC'), true);
    assert.equal(withinSchedule(['visitors'], schedules, Date.UTC(2026, 10, 28, 3, 0), 'UTC'), true);
    assert.equal(withinSchedule(['visitors', 'day'], schedules, Date.UTC(2026, 10, 28, 3, 0), 'UTC'), false);
  });
});
