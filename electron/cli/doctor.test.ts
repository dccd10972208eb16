// lintel doctor as an integrator runs it: its command line, the terminal's own camera and relay, the budget verdict.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { TerminalStore } from '../terminal/store/store.js';
import { DEFAULT_TIMED_RUNS } from './doctor.js';
import { runLintel } from './test/run-lintel.js';

describe('lintel doctor', () => {
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-doctor-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an unknown option, a loopback option without --wiegand-loopback and a bad number, exit 2, naming it', async () => {
    for (const [args, message] of [
      [['doctor', '--bogus'], 'lintel doctor: unknown option --bogus'],
      [['doctor', '--chip', '/dev/gpiochip0'], 'lintel doctor: --chip only go with --wiegand-loopback'],
      [['doctor', '--runs', '0'], 'lintel doctor: --runs must be a whole number ≥ 1, got "0"'],
      [['doctor', '--precision', 'fp32'], 'lintel doctor: precision is auto, int8 or fp16, optionally followed by ,<model id>=int8|fp16 — got "fp32"'],
    ] as const) {
      const run = await runLintel(args);
      assert.equal(run.code, 2, `${args.join(' ')}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
      assert.ok(run.stderr.startsWith(message), run.stderr);
      assert.match(run.stderr, /Usage: lintel doctor/);
      assert.equal(run.stdout, '');
    }
  });

  it("checks the terminal's configured camera and door relay, and takes the budget verdict from the median of enough runs", async () => {
    const dataDir = join(dir, 'terminal');
    const store = TerminalStore.open({ dataDir });
    try {
      store.settings.set('camera.uri', `file:${join(dir, 'no-such-frames')}`);
      store.settings.set('door.outputs', [{ kind: 'gpio', name: 'relay', chipPath: '/dev/gpiochip97', line: 5, activeLow: false, pulseMs: 3000, consumer: 'lintel-door' }]);
    } finally {
      store.close();
    }
    const run = await runLintel(['doctor', '--data', dataDir, '--frames', '2']);
    assert.equal(run.code, 1, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
    assert.match(run.stdout, new RegExp(`\\[FAIL\\] the terminal's camera file:${join(dir, 'no-such-frames')}: .* does not exist`));
    assert.match(run.stdout, /\[FAIL\] the door relay "relay" on \/dev\/gpiochip97 line 5: \/dev\/gpiochip97 is not on this board/);
    assert.ok(run.stdout.includes(`median of ${DEFAULT_TIMED_RUNS} timed runs after 3 warm-up runs`), run.stdout);
  });

  it('refuses a --data folder that holds no terminal', async () => {
    const run = await runLintel(['doctor', '--data', join(dir, 'empty')]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^lintel doctor: no terminal data in .*empty \(lintel\.db is missing\)/);
  });
});
