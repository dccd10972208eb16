import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

import { packageRoot } from '../../electron/vision/models/paths.js';
import { parseQuantOptions, QuantOptionError } from './lfw-int8.js';

/** Runs `lintel <args>` from the repository root; these calls fail before any model loads. */
function lintel(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/lintel.ts', ...args], { cwd: packageRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('parseQuantOptions (--quant, --quant-models)', () => {
  it('no --quant: no quantisation', () => {
    assert.equal(parseQuantOptions({}), null);
  });

  it('--quant int8 quantises all three stages unless --quant-models narrows them, in pipeline order', () => {
    assert.deepEqual(parseQuantOptions({ quant: 'int8' }), ['detector', 'fitter', 'extractor']);
    assert.deepEqual(parseQuantOptions({ quant: 'int8', 'quant-models': 'extractor' }), ['extractor']);
    assert.deepEqual(parseQuantOptions({ quant: 'int8', 'quant-models': 'extractor, detector' }), ['detector', 'extractor']);
  });

  it('refuses another precision, an unknown stage, and --quant-models alone', () => {
    assert.throws(() => parseQuantOptions({ quant: 'int4' }), (e: unknown) => e instanceof QuantOptionError && /supports one precision: int8/.test(e.message));
    assert.throws(() => parseQuantOptions({ quant: 'int8', 'quant-models': 'extractor,liveness' }), /comma-separated list of detector, fitter, extractor/);
    assert.throws(() => parseQuantOptions({ quant: 'int8', 'quant-models': '' }), QuantOptionError);
    assert.throws(() => parseQuantOptions({ 'quant-models': 'extractor' }), /needs --quant int8/);
  });
});

describe('lintel flags for INT8 (usage errors exit 2 with one message)', () => {
  const lfw = ['eval', 'lfw', '--images', '.', '--pairs', 'pairs.txt'];
  const cases: [string, string[], RegExp][] = [
    ['eval lfw --quant fp8', [...lfw, '--quant', 'fp8'], /--quant supports one precision: int8/],
    ['eval lfw --quant-models without --quant', [...lfw, '--quant-models', 'extractor'], /--quant-models needs --quant int8/],
    ['eval lfw --calib without --quant', [...lfw, '--calib', 'out/calib'], /--calib needs --quant int8/],
    ['calib without export', ['calib', 'import'], /calib supports one action: export/],
    ['calib export without --images', ['calib', 'export'], /calib export needs --images/],
    ['calib export --count 0', ['calib', 'export', '--images', '.', '--count', '0'], /--count must be a whole number ≥ 1/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const run = await lintel(args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /^lintel: /);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
    });
  }

  it('eval lfw --quant int8 without a calibration set says how to write one (exit 1)', async () => {
    const run = await lintel(['eval', 'lfw', '--images', 'models', '--pairs', 'pairs.txt', '--extractor', 'faceapi-resnet-128', '--quant', 'int8', '--quant-models', 'extractor', '--calib', 'out/no-such-calib']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^lintel: no calibration set for faceapi-resnet-128: .*dataset\.txt is missing; write one with `lintel calib export --images <photos>`/);
  });
});
