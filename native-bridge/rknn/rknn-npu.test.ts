// [hardware: rk3568-npu] The wrapper against Rockchip's real librknnrt.so on the board. Skipped elsewhere.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { RknnRuntime } from './rknn-runtime.js';
import type { RknnModelOptions, RknnOutputTensor } from './rknn-runtime.js';

const libraryPath = process.env.LINTEL_RKNN_LIB;
const modelPath = process.env.LINTEL_RKNN_MODEL;
const skip =
  libraryPath && modelPath
    ? false
    : 'needs the RK3568 NPU: set LINTEL_RKNN_LIB=/usr/lib/librknnrt.so and LINTEL_RKNN_MODEL=/path/to/a/model.rknn converted for rk3568';

describe('[hardware: rk3568-npu] RKNN runtime on the real NPU', { skip }, () => {
  const lib = libraryPath ?? '';
  const path = modelPath ?? '';

  async function runWith(options: RknnModelOptions, fill: number): Promise<RknnOutputTensor[]> {
    const runtime = await RknnRuntime.open({ libraryPath: lib });
    const model = await runtime.loadModel(path, options);
    try {
      const input = new Uint8Array(model.inputAttrs()[0]?.nElems ?? 0).fill(fill);
      return await model.run(input);
    } finally {
      await model.close();
    }
  }

  test('probe: available, with runtime and driver versions', async () => {
    const probe = await RknnRuntime.probe(lib, { modelPath: path });
    assert.ok(probe.available, JSON.stringify(probe));
    assert.match(probe.runtimeVersion ?? '', /^\d+\.\d+\.\d+/);
    assert.match(probe.driverVersion ?? '', /\d+\.\d+\.\d+/);
  });

  test('attributes are sane: one 4-D image input, quantised outputs', async () => {
    const runtime = await RknnRuntime.open({ libraryPath: lib });
    const model = await runtime.loadModel(path);
    try {
      const [input] = model.inputAttrs();
      assert.equal(model.inputOutputCount().inputs, 1);
      assert.equal(input?.dims.length, 4);
      assert.ok(model.outputAttrs().length >= 1);
      for (const output of model.outputAttrs()) assert.ok(output.nElems > 0 && output.scale > 0, JSON.stringify(output));
      assert.equal((await model.nativeAttrs('input')).length, 1);
    } finally {
      await model.close();
    }
  });

  test('copy (caller- and runtime-allocated) and zero-copy runs agree', async () => {
    const raw = await Promise.all(
      ([{}, { outputAllocation: 'runtime' }, { ioMode: 'zero-copy' }] as RknnModelOptions[]).map((options) => runWith({ ...options, wantFloat: false }, 128)),
    );
    const [reference, ...others] = raw.map((outputs) => outputs.map((output) => Array.from(output.data as Int8Array)));
    for (const other of others) assert.deepEqual(other, reference);
    const floats = await runWith({}, 128);
    floats.forEach((output, index) => {
      const q = raw[0]?.[index]?.data as Int8Array;
      const { zeroPoint, scale } = output.quantization;
      Array.from(output.data as Float32Array).forEach((value, k) => assert.ok(Math.abs(value - ((q[k] ?? 0) - zeroPoint) * scale) <= scale * 1e-3));
    });
  });

  test('a run keeps the event loop responsive', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const startedMs = performance.now();
    try {
      await runWith({}, 64);
    } finally {
      clearInterval(timer);
    }
    const elapsedMs = performance.now() - startedMs;
    assert.ok(ticks >= elapsedMs / 10, `${ticks} ticks in ${Math.round(elapsedMs)} ms`);
  });
});
