import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// convert_rknn.py runs on the integrator's PC; its own tests (a stand-in for RKNN-Toolkit2, which only installs
// from Rockchip's wheels) run here with the machine's python3.
describe('models/rknn/convert_rknn.py', () => {
  it('converts the models a terminal runs, added models from their folder, and records each build', (t) => {
    const python = spawnSync('python3', ['--version']);
    if (python.error) return t.skip('python3 is not installed');
    const script = join(dirname(fileURLToPath(import.meta.url)), 'test_convert_rknn.py');
    const run = spawnSync('python3', [script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /Ran 6 tests/);
  });
});
