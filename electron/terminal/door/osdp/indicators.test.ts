import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { LedRecord } from './commands.js';
import { ReaderIndicators, type IndicatorTimers, type PanelIndication } from './indicators.js';

/** Timers run by hand: `advance(ms)` fires what is due. */
function manualTimers(): IndicatorTimers & { advance(ms: number): void; pending(): number } {
  let nowMs = 0;
  let nextId = 0;
  const due = new Map<number, { atMs: number; callback: () => void }>();
  return {
    setTimeout: (callback, ms) => {
      nextId += 1;
      due.set(nextId, { atMs: nowMs + ms, callback });
      return nextId;
    },
    clearTimeout: (handle) => void due.delete(handle as number),
    advance(ms) {
      nowMs += ms;
      for (const [id, timer] of [...due].sort((a, b) => a[1].atMs - b[1].atMs)) {
        if (timer.atMs > nowMs) continue;
        due.delete(id);
        timer.callback();
      }
    },
    pending: () => due.size,
  };
}

const steady = (color: LedRecord['permanent']['onColor']) => ({ onMs: 100, offMs: 0, onColor: color, offColor: 'black' as const });

function led(overrides: Partial<LedRecord>): LedRecord {
  return { reader: 0, led: 0, temporaryControl: 0, temporary: { ...steady('black'), timerMs: 0 }, permanentControl: 0, permanent: steady('black'), ...overrides };
}

describe('reader indicators', () => {
  it('shows a temporary LED for its time, then the permanent one again', () => {
    const timers = manualTimers();
    const shown: PanelIndication[] = [];
    const indicators = new ReaderIndicators('osdp', (indication) => shown.push(indication), () => 0, timers);
    indicators.led([led({ permanentControl: 1, permanent: steady('red') })]);
    assert.deepEqual(shown.at(-1)?.led, { color: 'red', flashing: false });
    indicators.led([led({ temporaryControl: 2, temporary: { onMs: 500, offMs: 500, onColor: 'green', offColor: 'black', timerMs: 3000 } })]);
    assert.deepEqual(shown.at(-1)?.led, { color: 'green', flashing: true });
    timers.advance(2999);
    assert.deepEqual(shown.at(-1)?.led, { color: 'green', flashing: true });
    timers.advance(1);
    assert.deepEqual(shown.at(-1)?.led, { color: 'red', flashing: false }, 'back to the permanent state when the timer ends');
  });

  it('cancels a temporary LED on request; an LED off in both states is dark', () => {
    const timers = manualTimers();
    const shown: PanelIndication[] = [];
    const indicators = new ReaderIndicators('osdp', (indication) => shown.push(indication), () => 0, timers);
    indicators.led([led({ temporaryControl: 2, temporary: { ...steady('amber'), timerMs: 5000 } })]);
    indicators.led([led({ temporaryControl: 1 })]);
    assert.equal(shown.at(-1)?.led, null);
    assert.equal(timers.pending(), 0, 'the temporary timer is gone');
  });

  it('keeps a permanent text under a temporary one, and times the output', () => {
    const timers = manualTimers();
    const shown: PanelIndication[] = [];
    const indicators = new ReaderIndicators('osdp', (indication) => shown.push(indication), () => 0, timers);
    indicators.text({ reader: 0, command: 1, temporarySeconds: 0, row: 0, column: 0, text: 'Present card' });
    indicators.text({ reader: 0, command: 3, temporarySeconds: 2, row: 0, column: 0, text: 'Welcome' });
    assert.equal(shown.at(-1)?.text, 'Welcome');
    timers.advance(2000);
    assert.equal(shown.at(-1)?.text, 'Present card');
    indicators.outputs([{ output: 0, control: 5, timerMs: 1500 }]);
    assert.equal(shown.at(-1)?.outputActive, true);
    assert.deepEqual(indicators.outputStates(), [1]);
    // A permanent change while the timed one runs waits for it (control code 4, then 3).
    indicators.outputs([{ output: 0, control: 3, timerMs: 0 }]);
    assert.deepEqual(indicators.outputStates(), [1]);
    timers.advance(1500);
    assert.deepEqual(indicators.outputStates(), [0]);
    assert.equal(shown.at(-1)?.outputActive, false);
  });

  it('sounds a buzz once, in the indication of its command only; nothing after close', () => {
    const timers = manualTimers();
    const shown: PanelIndication[] = [];
    const indicators = new ReaderIndicators('osdp', (indication) => shown.push(indication), () => 0, timers);
    indicators.buzzer([{ reader: 0, tone: 2, onMs: 200, offMs: 100, count: 3 }]);
    assert.deepEqual(shown.at(-1)?.buzzer, { onMs: 200, offMs: 100, count: 3 });
    indicators.text({ reader: 0, command: 1, temporarySeconds: 0, row: 0, column: 0, text: 'x' });
    assert.equal(shown.at(-1)?.buzzer, null);
    indicators.led([led({ temporaryControl: 2, temporary: { ...steady('green'), timerMs: 1000 } })]);
    const count = shown.length;
    indicators.close();
    timers.advance(1000);
    indicators.text({ reader: 0, command: 1, temporarySeconds: 0, row: 0, column: 0, text: 'y' });
    assert.equal(shown.length, count);
  });
});
