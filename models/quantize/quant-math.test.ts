import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mseOptimalRange } from './calibrate.js';
import { activationQuantParams, fakeQuantize, quantizeWeightsPerChannel, roundHalfEven, roundToFloat16 } from './quant-math.js';

describe('quant-math', () => {
  it('rounds halves to even, as QuantizeLinear does', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6].map(roundHalfEven), [0, 2, 2, -0, -2, 2, -3]);
  });

  it('gives each Conv output channel (axis 0) its own symmetric scale, max|w| / 127', () => {
    // Two output channels of 1×2×1 kernels: channel 0 spans ±2.54, channel 1 only 0.127.
    const weights = Float32Array.of(2.54, -1.0, 0.127, 0.05);
    const { scales, codes, dequantised } = quantizeWeightsPerChannel(weights, [2, 1, 2, 1], 0);
    assert.deepEqual(Array.from(scales), [Math.fround(0.02), Math.fround(0.001)]);
    // −1.0 / 0.02 = −50; 0.05 / 0.001 = 50.
    assert.deepEqual(Array.from(codes), [127, -50, 127, 50]);
    assert.ok(Math.abs((dequantised[1] as number) + 1) < 1e-6);
  });

  it('takes Gemm and MatMul [K, N] weights per column (axis 1) and gives an all-zero channel scale 1', () => {
    // K = 2 rows, N = 3 columns; column 2 is all zero.
    const weights = Float32Array.of(1, -4, 0, 0.5, 2, 0);
    const { scales, codes } = quantizeWeightsPerChannel(weights, [2, 3], 1);
    assert.deepEqual(Array.from(scales), [Math.fround(1 / 127), Math.fround(4 / 127), 1]);
    assert.deepEqual(Array.from(codes), [127, -127, 0, 64, 64, 0]);
  });

  it('puts a ReLU range at zero point −128 and holds 0 in every range', () => {
    assert.deepEqual(activationQuantParams(0, 25.5), { scale: Math.fround(0.1), zeroPoint: -128 });
    // [-1, 3]: scale 4/255; zero point −128 + 1/(4/255) = −64.25 → −64.
    const signed = activationQuantParams(-1, 3);
    assert.equal(signed.scale, Math.fround(4 / 255));
    assert.equal(signed.zeroPoint, -64);
    assert.equal(fakeQuantize(-1, signed), Math.fround(-64 * signed.scale));
    // A positive-only range is widened down to 0.
    assert.deepEqual(activationQuantParams(2, 25.5), activationQuantParams(0, 25.5));
    assert.deepEqual(activationQuantParams(0, 0), { scale: 1, zeroPoint: 0 });
    assert.throws(() => activationQuantParams(1, Number.NaN), RangeError);
  });

  it('fake-quantises onto the grid and saturates outside the range', () => {
    const params = { scale: 0.1, zeroPoint: -128 };
    assert.equal(fakeQuantize(0, params), 0);
    assert.equal(fakeQuantize(1.26, params), Math.fround(Math.fround(13) * 0.1));
    assert.equal(fakeQuantize(-3, params), 0);
    assert.equal(fakeQuantize(100, params), Math.fround(255 * 0.1));
  });

  it('rounds to the nearest half-precision value', () => {
    assert.equal(roundToFloat16(1 / 3), 0.333251953125);
    assert.equal(roundToFloat16(2049), 2048); // tie → even mantissa
    assert.equal(roundToFloat16(2051), 2052);
    assert.equal(roundToFloat16(65504), 65504);
    assert.equal(roundToFloat16(1e6), 65504);
    assert.equal(roundToFloat16(1e-8), 0); // below half the smallest subnormal, 2^-25
    assert.equal(roundToFloat16(3e-8), 2 ** -24);
    assert.equal(roundToFloat16(-0.1), -0.0999755859375);
  });

  it('mmse keeps a full range for spread values and clips a lone outlier', () => {
    const uniform = new Float64Array(1024).fill(1);
    // Uniform values: the optimum clips about 1/510 of the range (clipping error d³/3R = rounding noise saved).
    const full = mseOptimalRange(uniform, 0, 10);
    assert.equal(full.min, 0);
    assert.ok(full.max >= 10 * (1 - 1 / 256) && full.max < 10, `clipped to ${full.max}`);
    // 10⁸ values in [0, 1.07) and one at 100: clipping it costs far less than coarsening every step.
    const outlier = new Float64Array(1024);
    for (let b = 0; b < 11; b++) outlier[b] = 1e8 / 11;
    outlier[1023] = 1;
    const range = mseOptimalRange(outlier, 0, 100);
    assert.equal(range.min, 0);
    assert.ok(range.max > 0.9 && range.max < 2, `clipped to ${range.max}`);
  });
});
