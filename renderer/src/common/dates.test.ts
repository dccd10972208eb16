import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { endOfDayMs, formatClockTime, formatDateTime, parseDateTimeInput, startOfDayMs, toDateInput, toDateTimeInput } from './dates.js';

describe('dates', () => {
  test('turn a local day into its first and last millisecond', () => {
    assert.equal(startOfDayMs('2026-03-29'), new Date(2026, 2, 29).getTime());
    assert.equal(endOfDayMs('2026-03-29'), new Date(2026, 2, 30).getTime() - 1);
  });

  test('refuse empty and impossible days', () => {
    assert.equal(startOfDayMs(''), null);
    assert.equal(startOfDayMs('2026-02-30'), null);
    assert.equal(endOfDayMs('29.03.2026'), null);
  });

  test('round-trip date and date-time inputs', () => {
    const ms = new Date(2026, 10, 24, 8, 5).getTime();
    assert.equal(toDateInput(ms), '2026-11-24');
    assert.equal(toDateTimeInput(ms), '2026-11-24T08:05');
    assert.equal(parseDateTimeInput('2026-11-24T08:05'), ms);
    assert.equal(parseDateTimeInput('2026-11-24T24:05'), null);
    assert.equal(toDateInput(null), '');
  });

  test('format times on a 24-hour clock', () => {
    const ms = new Date(2026, 0, 2, 14, 3, 9).getTime();
    assert.equal(formatClockTime(ms), '14:03:09');
    assert.equal(formatDateTime(ms), '2026-01-02 14:03:09');
  });
});
