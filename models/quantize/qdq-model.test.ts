// A tiny graph, x → Conv 1×1 → ReLU → Reshape → Gemm → y, quantised and run in onnxruntime, checked against
// the fake-quantised arithmetic written out by hand here (not with quant-math's helpers).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { OnnxGraphBuilder } from '../convert/onnx/onnx-graph.js';
import { readOnnxModel, type OnnxModelData } from '../convert/onnx/onnx-reader.js';
import { collectActivationRanges, ModelRunner } from './calibrate.js';
import { analyseGraph } from './graph-analysis.js';
import { buildQdqModel, type TensorRange } from './qdq-model.js';
import { roundToFloat16 } from './quant-math.js';

// Conv weights [3 out, 2 in, 1, 1], bias [3]; Gemm weights [12, 2] (K × N, transB = 0).
const CONV_W = [0.9, -0.3, -0.45, 0.2, 0.05, 0.61];
const CONV_B = [0.1, -0.2, 0.3];
const GEMM_W = Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7) * (i % 2 === 0 ? 0.3 : 0.05));

function tinyModel(opset?: number, activation = 'Relu'): OnnxModelData {
  const g = new OnnxGraphBuilder('tiny');
  const x = g.input('x', [1, 2, 2, 2]);
  const w = g.constant('conv_w', [3, 2, 1, 1], Float32Array.from(CONV_W));
  const b = g.constant('conv_b', [3], Float32Array.from(CONV_B));
  const shape = g.int64s('shape', [1, 12]);
  const w2 = g.constant('gemm_w', [12, 2], Float32Array.from(GEMM_W));
  g.node('Conv', [x, w, b], {}, ['c'], 'conv');
  g.node(activation, ['c'], {}, ['r'], 'relu');
  g.node('Reshape', ['r', shape], {}, ['f'], 'reshape');
  g.node('Gemm', ['f', w2], {}, ['y'], 'gemm');
  g.output('y', [1, 2]);
  return readOnnxModel(g.toModelBytes({ producerName: 'test', producerVersion: '1', ...(opset !== undefined ? { opset } : {}) }));
}

/** Samples: x in [-1, 1], 8 values each (NCHW). */
const SAMPLES = [0, 1, 2].map((s) => Float32Array.from({ length: 8 }, (_, i) => Math.cos(i * 2.3 + s * 0.9)));

const f32 = Math.fround;
function evenRound(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
/** QuantizeLinear → DequantizeLinear, int8, float32 arithmetic as onnxruntime does it. */
function fq(v: number, scale: number, zeroPoint: number): number {
  const q = Math.max(-128, Math.min(127, evenRound(f32(v / scale)) + zeroPoint));
  return f32((q - zeroPoint) * scale);
}
/** Symmetric int8 per channel: scale max|w| / 127 over the weights `channelOf` groups together. */
function fakeQuantWeights(w: readonly number[], channels: number, channelOf: (i: number) => number): number[] {
  const maxAbs = new Array<number>(channels).fill(0);
  w.forEach((v, i) => (maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)]!, Math.abs(v))));
  return w.map((v, i) => {
    const scale = f32(maxAbs[channelOf(i)]! / 127);
    return f32(evenRound(f32(v) / scale) * scale);
  });
}

interface Forward {
  c: number[];
  r: number[];
  y: number[];
}
/** The float graph with optional fake quantisation at each step. */
function forward(x: Float32Array, q: { convW?: number[]; r?: (v: number) => number; f?: (v: number) => number; gemmW?: number[]; y?: (v: number) => number }): Forward {
  const convW = q.convW ?? CONV_W.map(f32);
  const c: number[] = [];
  for (let o = 0; o < 3; o++) for (let p = 0; p < 4; p++) c.push(f32((convW[o * 2]! * x[p]! + convW[o * 2 + 1]! * x[4 + p]!) + CONV_B[o]!));
  const r = c.map((v) => (q.r ?? ((u: number) => u))(Math.max(0, v)));
  const f = r.map(q.f ?? ((u: number) => u));
  const gemmW = q.gemmW ?? GEMM_W.map(f32);
  const y = [0, 1].map((j) => (q.y ?? ((u: number) => u))(f.reduce((sum, v, k) => sum + v * gemmW[k * 2 + j]!, 0)));
  return { c, r, y };
}

async function run(model: OnnxModelData, x: Float32Array): Promise<number[]> {
  const runner = await ModelRunner.create(model, 'disabled');
  try {
    return Array.from((await runner.run(x)).y?.data as Float32Array);
  } finally {
    await runner.close();
  }
}

function assertClose(actual: readonly number[], expected: readonly number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= tolerance, `${what}[${i}]: ${v} vs ${expected[i]} (±${tolerance})`));
}

// Ranges as calibration would give them; hand-picked so the parameters are easy to check (x below):
// r [0, 5.1] → scale 0.02, zero point −128; y [−1, 3] → scale 4/255, zero point −128 + 63.75 → −64.
const RANGES = new Map<string, TensorRange>([
  ['x', { min: -1, max: 1.55 }],
  ['c', { min: -1, max: 5 }],
  ['r', { min: 0, max: 5.1 }],
  ['f', { min: 0, max: 5.1 }],
  ['y', { min: -1, max: 3 }],
]);
const R_SCALE = f32(0.02);
// x [−1, 1.55] → scale 0.01, zero point −128 + 100 = −28.
const X_SCALE = f32(0.01);
const quantisedInput = (x: Float32Array): Float32Array => x.map((v) => fq(v, X_SCALE, -28));
const Y_SCALE = f32(4 / 255);

describe('buildQdqModel', () => {
  const model = tinyModel();
  const convWq = fakeQuantWeights(CONV_W, 3, (i) => Math.floor(i / 2));
  const gemmWq = fakeQuantWeights(GEMM_W, 2, (i) => i % 2);

  it('sees one fused Conv+ReLU layer and a Gemm layer; Reshape passes int8 through', () => {
    const analysis = analyseGraph(model);
    assert.deepEqual(
      analysis.layers.map((l) => [l.name, l.tensors, l.weight?.axis]),
      [
        ['conv', ['c', 'r'], 0],
        ['gemm', ['y'], 1],
      ],
    );
    assert.deepEqual([...analysis.passThrough], [2]);
  });

  it('puts QDQ on the input and after the ReLU and the Gemm only, keeps the output name, stores per-channel fake-quantised weights', () => {
    const { model: qdq, layers, inputs } = buildQdqModel(model, { ranges: RANGES });
    assert.deepEqual(inputs, { x: { scale: X_SCALE, zeroPoint: -28 } });
    const ops = qdq.graph.nodes.map((node) => node.opType);
    assert.deepEqual(ops, ['QuantizeLinear', 'DequantizeLinear', 'Conv', 'Relu', 'QuantizeLinear', 'DequantizeLinear', 'Reshape', 'Gemm', 'QuantizeLinear', 'DequantizeLinear']);
    assert.deepEqual(qdq.graph.nodes[2]?.inputs[0], 'x::dequantised');
    assert.deepEqual(qdq.graph.outputs.map((o) => o.name), ['y']);
    assert.equal(qdq.graph.nodes.at(-1)?.outputs[0], 'y');
    const weights = new Map(qdq.graph.initializers.map((t) => [t.name, Array.from(t.data as Float32Array)]));
    assert.deepEqual(weights.get('conv_w'), convWq);
    assert.deepEqual(weights.get('gemm_w'), gemmWq);
    assert.deepEqual(layers[0]?.activation, { scale: R_SCALE, zeroPoint: -128 });
    assert.deepEqual(layers[1]?.activation, { scale: Y_SCALE, zeroPoint: -64 });
    assert.deepEqual(layers[1]?.weightScales, [0, 1].map((j) => f32(Math.max(...GEMM_W.filter((_, i) => i % 2 === j).map(Math.abs)) / 127)));
  });

  it('runs in onnxruntime to the hand-computed fake-quantised outputs', async () => {
    const { model: qdq } = buildQdqModel(model, { ranges: RANGES });
    for (const x of SAMPLES) {
      const expected = forward(quantisedInput(x), { convW: convWq, r: (v) => fq(v, R_SCALE, -128), gemmW: gemmWq, y: (v) => fq(v, Y_SCALE, -64) }).y;
      // Equal up to float32 summation order, far below one output step (0.0157).
      assertClose(await run(qdq, x), expected, 1e-5, 'y');
      assert.ok(expected.every((v) => Math.abs(v / Y_SCALE - Math.round(v / Y_SCALE)) < 1e-3), 'the reference lies on the int8 grid');
    }
  });

  it('an FP16 layer keeps a float output; an INT8 layer after it re-quantises its input', async () => {
    // Gemm in FP16: y is not quantised and its weights are only rounded to half precision.
    const gemmFloat = buildQdqModel(model, { ranges: RANGES, floatLayers: new Set(['y']) });
    assert.equal(gemmFloat.model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear').length, 2);
    // Conv+ReLU in FP16 (named by the Conv's output): the Gemm re-quantises the reshaped float ReLU output.
    const convFloat = buildQdqModel(model, { ranges: RANGES, floatLayers: new Set(['c']) });
    const ops = convFloat.model.graph.nodes.map((node) => node.opType);
    assert.deepEqual(ops, ['QuantizeLinear', 'DequantizeLinear', 'Conv', 'Relu', 'Reshape', 'QuantizeLinear', 'DequantizeLinear', 'Gemm', 'QuantizeLinear', 'DequantizeLinear']);
    assert.deepEqual(convFloat.layers.map((l) => l.precision), ['float16', 'int8']);
    for (const x of SAMPLES) {
      const expected = forward(quantisedInput(x), { convW: CONV_W.map(roundToFloat16), f: (v) => fq(v, R_SCALE, -128), gemmW: gemmWq, y: (v) => fq(v, Y_SCALE, -64) }).y;
      assertClose(await run(convFloat.model, x), expected, 1e-5, 'y with the conv in FP16');
    }
    assert.throws(() => buildQdqModel(model, { ranges: RANGES, floatLayers: new Set(['nope']) }), /float layers not in tiny: nope/);
    assert.throws(() => buildQdqModel(model, { ranges: new Map() }), /no calibrated range for tensor x/);
  });

  it('raises an opset-9 model to opset 13 for per-channel QDQ, and gives the same outputs there', async () => {
    const old = tinyModel(9);
    assert.equal(old.opset, 9);
    const { model: qdq } = buildQdqModel(old, { ranges: RANGES });
    assert.equal(qdq.opset, 13);
    for (const x of SAMPLES) assertClose(await run(qdq, x), await run(buildQdqModel(model, { ranges: RANGES }).model, x), 0, 'y at opset 13');
    // Clip took its bounds as attributes before opset 11 and as inputs after: raising it would change the model.
    assert.throws(() => buildQdqModel(tinyModel(9, 'Clip'), { ranges: RANGES }), /tiny is opset 9: .*Clip may mean something else there/);
  });
});

describe('collectActivationRanges', () => {
  it('finds the min and max of every activation over the samples', async () => {
    const ranges = await collectActivationRanges(tinyModel(), SAMPLES);
    const passes = SAMPLES.map((x) => forward(x, {}));
    const span = (values: number[]): TensorRange => ({ min: Math.min(...values), max: Math.max(...values) });
    const expected: Record<string, TensorRange> = {
      x: span(SAMPLES.flatMap((x) => Array.from(x))),
      c: span(passes.flatMap((p) => p.c)),
      r: span(passes.flatMap((p) => p.r)),
      f: span(passes.flatMap((p) => p.r)),
      y: span(passes.flatMap((p) => p.y)),
    };
    assert.deepEqual([...ranges.keys()].sort(), Object.keys(expected).sort());
    for (const [name, range] of Object.entries(expected)) {
      assertClose([ranges.get(name)!.min, ranges.get(name)!.max], [range.min, range.max], 1e-6, name);
    }
  });
});
