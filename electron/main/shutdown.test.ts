import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { quitGuard } from './shutdown.js';
import { memoryLogger } from './test/fakes.js';

const quitEvent = () => {
  const event = { prevented: 0, preventDefault: () => void event.prevented++ };
  return event;
};

describe('quit guard', () => {
  test('holds the quit until the terminal closed, then exits 0 once', async () => {
    let release: () => void = () => undefined;
    let closeCalls = 0;
    const exits: number[] = [];
    const guard = quitGuard({
      close: () => {
        closeCalls++;
        return new Promise<void>((resolve) => (release = resolve));
      },
      exit: (code) => exits.push(code),
      logger: memoryLogger(),
    });
    const first = quitEvent();
    guard(first);
    const second = quitEvent();
    guard(second);
    assert.equal(first.prevented + second.prevented, 2);
    assert.equal(closeCalls, 1);
    assert.deepEqual(exits, []);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(exits, [0]);
  });

  test('a failing close exits 1 with the error logged', async () => {
    const exits: number[] = [];
    const logger = memoryLogger();
    quitGuard({ close: () => Promise.reject(new Error('camera stuck')), exit: (code) => exits.push(code), logger })(quitEvent());
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(exits, [1]);
    assert.equal(logger.lines[0]?.fields.error, 'camera stuck');
  });

  test('a close that hangs past the time limit exits 1', async () => {
    const exits: number[] = [];
    quitGuard({ close: () => new Promise(() => undefined), exit: (code) => exits.push(code), logger: memoryLogger(), timeLimitMs: 10 })(quitEvent());
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(exits, [1]);
  });
});
