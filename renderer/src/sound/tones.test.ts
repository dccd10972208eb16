import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buzzTones } from './tones.js';

test("a panel's buzzer pattern becomes tones: on/off times, the count, at most 3 s, nothing for 'off'", () => {
  const tones = buzzTones({ onMs: 200, offMs: 100, count: 3 });
  assert.deepEqual(
    tones.map((tone) => [tone.startS, tone.durationS].map((seconds) => Math.round(seconds * 1000))),
    [
      [0, 200],
      [300, 200],
      [600, 200],
    ],
  );
  assert.equal(buzzTones({ onMs: 200, offMs: 0, count: 0 }).length, 1, 'count 0 (until told otherwise) plays once');
  const long = buzzTones({ onMs: 25_500, offMs: 0, count: 1 });
  assert.equal(long[0]?.durationS, 3);
  assert.equal(buzzTones({ onMs: 0, offMs: 0, count: 1 }).length, 0);
  assert.ok(buzzTones({ onMs: 1000, offMs: 1000, count: 100 }).length <= 2);
});
