import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { NpuUnavailableError, RKNN_CODES, RknnError, checkRknn, describeRknnCode, rknnCodeName } from './rknn-errors.js';

describe('RKNN error codes', () => {
  test('the reference list, -1 to -13, by name (§1.6)', () => {
    assert.deepEqual(
      Object.values(RKNN_CODES),
      Array.from({ length: 14 }, (_, index) => 0 - index),
    );
    assert.equal(rknnCodeName(-6), 'RKNN_ERR_MODEL_INVALID');
    assert.equal(rknnCodeName(-13), 'RKNN_ERR_TARGET_PLATFORM_UNMATCH');
    assert.equal(rknnCodeName(-99), 'RKNN_ERR_UNKNOWN');
  });

  test('every error code has its own readable description', () => {
    const errors = Object.values(RKNN_CODES).filter((code) => code < 0);
    const descriptions = errors.map(describeRknnCode);
    assert.equal(new Set(descriptions).size, errors.length);
    for (const description of descriptions) assert.doesNotMatch(description, /does not know/);
    assert.match(describeRknnCode(-42), /does not know \(-42\)/);
  });

  test('RknnError carries code, name, operation and model, and says them', () => {
    const error = new RknnError(-8, 'rknn_inputs_set', '/models/face.rknn', 'input 0 takes 60 bytes');
    assert.equal(error.code, -8);
    assert.equal(error.codeName, 'RKNN_ERR_INPUT_INVALID');
    assert.equal(error.operation, 'rknn_inputs_set');
    assert.equal(error.source, 'runtime');
    assert.equal(error.name, 'RknnError');
    assert.match(error.message, /^rknn_inputs_set failed with RKNN_ERR_INPUT_INVALID \(-8\) \(model \/models\/face\.rknn\): an input is invalid/);
    assert.match(error.message, /: input 0 takes 60 bytes$/);
  });

  test('checkRknn passes success through and throws on a negative code', () => {
    assert.equal(checkRknn(0, 'rknn_run'), 0);
    assert.throws(
      () => checkRknn(-3, 'rknn_init', 'm.rknn'),
      (error: unknown) => error instanceof RknnError && error.codeName === 'RKNN_ERR_DEVICE_UNAVAILABLE',
    );
  });

  test('NpuUnavailableError names the path and the reason', () => {
    const error = new NpuUnavailableError('/usr/lib/librknnrt.so', 'missing', 'no such file');
    assert.equal(error.reason, 'missing');
    assert.equal(error.libraryPath, '/usr/lib/librknnrt.so');
    assert.match(error.message, /^NPU unavailable: the RKNN runtime \/usr\/lib\/librknnrt\.so cannot be used \(missing\): no such file$/);
  });
});
