import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BlinkDetector, eyeAspectRatio } from './blink.js';
import { syntheticObservation } from './synthetic-face.js';

const closures = (values: readonly number[], stepMs = 50) => values.map((eyeClosure, k) => syntheticObservation({ timestampMs: k * stepMs, eyeClosure }));

describe('blink', () => {
  it('eye aspect ratio: ~0.28 open on the fixture face, falling in proportion to the closure', () => {
    const open = eyeAspectRatio(syntheticObservation({ timestampMs: 0 }));
    assert.ok(open.left > 0.2 && open.left < 0.4 && open.right > 0.2 && open.right < 0.4, JSON.stringify(open));
    const half = eyeAspectRatio(syntheticObservation({ timestampMs: 0, eyeClosure: 0.5 }));
    assert.ok(Math.abs(half.left / open.left - 0.5) < 0.1, JSON.stringify(half));
    // The ratio does not depend on the face's size in the image.
    const small = eyeAspectRatio(syntheticObservation({ timestampMs: 0, iodPx: 25 }));
    assert.ok(Math.abs(small.left - open.left) < 1e-3);
  });

  it('sees a closure and a reopening', () => {
    const detector = new BlinkDetector();
    for (const o of closures([0, 0, 0, 0.3, 0.8, 0.9, 0.4, 0])) detector.push(o);
    assert.equal(detector.blinked, true);
    assert.ok(detector.minEar < 0.1);
  });

  it('needs both: a closure that never reopens, a half closure, or a closure longer than the limit is not a blink', () => {
    const closedOnly = new BlinkDetector();
    for (const o of closures([0, 0, 0.9, 0.9, 0.9])) closedOnly.push(o);
    assert.equal(closedOnly.blinked, false);
    const squint = new BlinkDetector();
    for (const o of closures([0, 0, 0.3, 0.3, 0])) squint.push(o);
    assert.equal(squint.blinked, false);
    const long = new BlinkDetector({ maxClosedMs: 300 });
    for (const o of closures([0, 0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0])) long.push(o);
    assert.equal(long.blinked, false);
  });
});
