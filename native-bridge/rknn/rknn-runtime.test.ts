import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { NpuUnavailableError, RKNN_CODES, RknnError, RknnModelFileError } from './rknn-errors.js';
import type { RknnModelFileReason } from './rknn-errors.js';
import { RknnRuntime } from './rknn-runtime.js';
import type { RknnModel, RknnModelOptions } from './rknn-runtime.js';
import { buildStandIn } from './test/build-stand-in.js';
import { encodeStandInModel, expectedOutputs, makeInput, makeStandInModel } from './test/stand-in-model.js';
import type { StandInModel } from './test/stand-in-model.js';

const standIn = await buildStandIn();
const legacy = await buildStandIn('legacy-destory-mem');
const libraryPath = standIn.ok ? standIn.libraryPath : '';

describe('RknnRuntime: a library that will not load is "NPU unavailable"', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lintel-rknn-unavailable-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('nonexistent path: open rejects with NpuUnavailableError, probe reports it', async () => {
    const path = join(dir, 'nothing', 'librknnrt.so');
    await assert.rejects(RknnRuntime.open({ libraryPath: path }), (error: unknown) => error instanceof NpuUnavailableError && error.reason === 'missing');
    const probe = await RknnRuntime.probe(path);
    assert.equal(probe.available, false);
    assert.ok(!probe.available && probe.reason === 'missing' && probe.message.includes(path));
  });

  test('a file that is not a library', async () => {
    const path = join(dir, 'librknnrt.so');
    writeFileSync(path, 'this is text, not ELF');
    const probe = await RknnRuntime.probe(path);
    assert.ok(!probe.available && probe.reason === 'not-a-library', JSON.stringify(probe));
  });

  test('a relative path is refused, never searched for', async () => {
    const probe = await RknnRuntime.probe('librknnrt.so');
    assert.ok(!probe.available && probe.reason === 'not-absolute');
  });

  test('a runtime without a symbol (rknn_destory_mem, 1.0–1.2)', { skip: legacy.ok ? false : legacy.skip }, async () => {
    const probe = await RknnRuntime.probe(legacy.ok ? legacy.libraryPath : '');
    assert.ok(!probe.available && probe.reason === 'missing-symbol' && probe.message.includes('rknn_destroy_mem'), JSON.stringify(probe));
  });
});

describe('RknnRuntime and RknnModel against the stand-in librknnrt.so', { skip: standIn.ok ? false : standIn.skip }, () => {
  const spec = makeStandInModel();
  const input = makeInput(spec);
  const expected = expectedOutputs(spec, input);
  let dir: string;
  let modelPath: string;
  let runtime: RknnRuntime;

  const writeModel = (name: string, model: StandInModel | Uint8Array): string => {
    const path = join(dir, name);
    writeFileSync(path, model instanceof Uint8Array ? model : encodeStandInModel(model));
    return path;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lintel-rknn-runtime-'));
    modelPath = writeModel('model.rknn', spec);
    runtime = await RknnRuntime.open({ libraryPath });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function withModel<T>(options: RknnModelOptions, use: (model: RknnModel) => Promise<T>, path = modelPath): Promise<T> {
    const model = await runtime.loadModel(path, options);
    try {
      return await use(model);
    } finally {
      await model.close();
    }
  }

  test('probe: available, with the version embedded in the library; with a model, also the driver version', async () => {
    assert.deepEqual(await RknnRuntime.probe(libraryPath), { available: true, libraryPath, runtimeVersion: '2.3.2 (lintel stand-in)', driverVersion: null });
    assert.deepEqual(await RknnRuntime.probe(libraryPath, { modelPath }), {
      available: true,
      libraryPath,
      runtimeVersion: '2.3.2 (lintel stand-in)',
      driverVersion: '0.9.8',
    });
    assert.equal(runtime.libraryVersion(), '2.3.2 (lintel stand-in)');
  });

  test('attributes, counts, versions and custom string of a loaded model', async () => {
    await withModel({}, async (model) => {
      assert.deepEqual(model.inputOutputCount(), { inputs: 1, outputs: 2 });
      assert.deepEqual(model.inputAttrs(), [
        {
          index: 0,
          name: 'input.rgb',
          dims: [1, 4, 5, 3],
          nElems: 60,
          sizeBytes: 60,
          format: 'NHWC',
          type: 'int8',
          qntType: 'affine-asymmetric',
          fl: 0,
          zeroPoint: -128,
          scale: Math.fround(1 / 255),
          wStride: 5,
          sizeWithStrideBytes: 60,
          hStride: 4,
          passThrough: false,
        },
      ]);
      const quantised = { type: 'int8', qntType: 'affine-asymmetric', sizeBytes: 8 };
      assert.deepEqual(
        model.outputAttrs().map(({ name, dims, format, type, qntType, zeroPoint, scale, sizeBytes }) => ({ name, dims, format, type, qntType, zeroPoint, scale, sizeBytes })),
        [
          { name: 'embedding', dims: [1, 8], format: 'UNDEFINED', zeroPoint: 5, scale: Math.fround(0.0421), ...quantised },
          { name: 'heatmap', dims: [1, 2, 2, 2], format: 'NCHW', zeroPoint: -17, scale: Math.fround(0.173), ...quantised },
        ],
      );
      assert.deepEqual(model.sdkVersion(), { apiVersion: '2.3.2 (lintel stand-in)', driverVersion: '0.9.8' });
      assert.equal(model.customString(), spec.customString);
      const [nativeInput] = await model.nativeAttrs('input');
      assert.equal(nativeInput?.wStride, 8);
      assert.equal(nativeInput?.sizeWithStrideBytes, 96);
      assert.equal((await model.nativeAttrs('nhwc-input'))[0]?.format, 'NHWC');
      assert.equal((await model.nativeAttrs('output')).length, 2);
      assert.deepEqual((await model.nativeAttrs('nhwc-output'))[1]?.format, 'NHWC');
    });
  });

  const modes: { title: string; options: RknnModelOptions }[] = [
    { title: 'copy, caller-allocated float outputs (default)', options: {} },
    { title: 'copy, caller-allocated raw INT8 outputs', options: { wantFloat: false } },
    { title: 'copy, runtime-allocated float outputs', options: { outputAllocation: 'runtime' } },
    { title: 'copy, runtime-allocated raw INT8 outputs', options: { outputAllocation: 'runtime', wantFloat: false } },
    { title: 'zero-copy, float outputs', options: { ioMode: 'zero-copy' } },
    { title: 'zero-copy, raw INT8 outputs', options: { ioMode: 'zero-copy', wantFloat: false } },
    { title: 'model initialised from its path (size 0)', options: { initFrom: 'path' } },
  ];
  for (const { title, options } of modes) {
    test(`run: ${title} equals the TS re-computation`, async () => {
      await withModel(options, async (model) => {
        const outputs = await model.run(input);
        const wantFloat = options.wantFloat ?? true;
        assert.deepEqual(
          outputs.map((output) => output.data),
          wantFloat ? expected.dequantised : expected.quantised,
        );
        assert.deepEqual(
          outputs.map(({ index, name, dims, format, dataType, quantization }) => ({ index, name, dims, format, dataType, quantization })),
          spec.outputs.map((output, index) => ({
            index,
            name: output.name,
            dims: output.dims,
            format: output.dims.length === 4 ? 'NCHW' : 'UNDEFINED',
            dataType: wantFloat ? 'float32' : 'int8',
            quantization: { type: 'affine-asymmetric', zeroPoint: output.zeroPoint, scale: output.scale },
          })),
        );
      });
    });
  }

  test('the quantisation is not trivial: zero points non-zero, values clipped at both ends', () => {
    const all = expected.quantised.flatMap((values) => Array.from(values));
    assert.ok(all.includes(127) && all.includes(-128));
    assert.ok(spec.outputs.every((output) => output.zeroPoint !== 0 && output.scale !== 1));
  });

  test('loadModelBytes, and results of one run are not overwritten by the next', async () => {
    const model = await runtime.loadModelBytes(encodeStandInModel(spec), { label: 'stand-in bytes' });
    try {
      const other = makeInput(spec, 99);
      const first = await model.run(input);
      const second = await model.run(other);
      assert.deepEqual(
        first.map((output) => output.data),
        expected.dequantised,
      );
      assert.deepEqual(
        second.map((output) => output.data),
        expectedOutputs(spec, other).dequantised,
      );
    } finally {
      await model.close();
    }
  });

  test('concurrent run() calls are queued on the context, each gets its own result', async () => {
    await withModel({ ioMode: 'zero-copy' }, async (model) => {
      const inputs = [1, 2, 3, 4].map((seed) => makeInput(spec, seed));
      const results = await Promise.all(inputs.map((data) => model.run(data)));
      results.forEach((outputs, index) => {
        assert.deepEqual(
          outputs.map((output) => output.data),
          expectedOutputs(spec, inputs[index] ?? input).dequantised,
        );
      });
    });
  });

  test('bad model files never reach rknn_init: missing, empty, wrong magic, truncated', async () => {
    const cases: [RknnModelFileReason, string][] = [
      ['missing', join(dir, 'missing.rknn')],
      ['empty', writeModel('empty.rknn', new Uint8Array())],
      ['bad-magic', writeModel('magic.rknn', new TextEncoder().encode('ONNX? no: 0123456789abcdefghijklmnop'))],
      ['truncated', writeModel('truncated.rknn', encodeStandInModel(spec).subarray(0, 200))],
    ];
    for (const initFrom of ['bytes', 'path'] as const) {
      for (const [reason, path] of cases) {
        await assert.rejects(
          runtime.loadModel(path, { initFrom }),
          (error: unknown) => error instanceof RknnModelFileError && error.reason === reason && error.message.includes(path),
          `${reason} (${initFrom})`,
        );
      }
    }
    await assert.rejects(
      runtime.loadModelBytes(new Uint8Array([1, 2, 3, 4, 5]), { label: 'camera blob' }),
      (error: unknown) => error instanceof RknnModelFileError && error.reason === 'bad-magic' && error.message.includes('camera blob'),
    );
  });

  test('a model the runtime refuses is RKNN_ERR_MODEL_INVALID from rknn_init, naming the file', async () => {
    const path = writeModel('newer.rknn', makeStandInModel({ containerVersion: 7 }));
    await assert.rejects(runtime.loadModel(path), (error: unknown) => {
      assert.ok(error instanceof RknnError);
      assert.equal(error.code, RKNN_CODES.RKNN_ERR_MODEL_INVALID);
      assert.equal(error.operation, 'rknn_init');
      assert.ok(error.message.includes(path) && /newer than this librknnrt\.so/.test(error.message), error.message);
      return true;
    });
  });

  test('errors of rknn_init: a device the runtime cannot use, a model for another platform, a flag the wrapper cannot honour', async () => {
    const noDevice = writeModel('no-device.rknn', makeStandInModel({ initResult: RKNN_CODES.RKNN_ERR_DEVICE_UNAVAILABLE }));
    const probe = await RknnRuntime.probe(libraryPath, { modelPath: noDevice });
    assert.ok(!probe.available && probe.reason === 'device-unavailable' && /rknpu kernel driver/.test(probe.message), JSON.stringify(probe));

    const otherPlatform = writeModel('rk3588.rknn', makeStandInModel({ initResult: RKNN_CODES.RKNN_ERR_TARGET_PLATFORM_UNMATCH }));
    await assert.rejects(
      runtime.loadModel(otherPlatform),
      (error: unknown) => error instanceof RknnError && error.codeName === 'RKNN_ERR_TARGET_PLATFORM_UNMATCH' && error.operation === 'rknn_init',
    );

    await assert.rejects(
      runtime.loadModel(modelPath, { initFlags: 0x10000 }),
      (error: unknown) => error instanceof RknnError && error.source === 'wrapper' && /MODEL_BUFFER_ZERO_COPY/.test(error.message),
    );
  });

  test('input checks before C: wrong size, wrong count', async () => {
    await withModel({}, async (model) => {
      const wrongSize = (error: unknown): boolean =>
        error instanceof RknnError &&
        error.code === RKNN_CODES.RKNN_ERR_INPUT_INVALID &&
        error.source === 'wrapper' &&
        /takes 60 bytes of UINT8 NHWC \(1×4×5×3\), got 59/.test(error.message);
      await assert.rejects(model.run(input.subarray(1)), wrongSize);
      await assert.rejects(model.run([]), (error: unknown) => error instanceof RknnError && /takes 1 input\(s\), got 0/.test(error.message));
      // The model is still usable after refused calls.
      assert.deepEqual((await model.run(input))[0]?.data, expected.dequantised[0]);
    });
  });

  test('every return code of rknn_run becomes a typed RknnError with a readable message', async () => {
    const codes = [...Object.values(RKNN_CODES).filter((code) => code < 0), -42];
    for (const code of codes) {
      const path = writeModel(`fails-${-code}.rknn`, makeStandInModel({ runResult: code }));
      await withModel({}, async (model) => {
        await assert.rejects(model.run(input), (error: unknown) => {
          assert.ok(error instanceof RknnError);
          assert.equal(error.code, code);
          assert.equal(error.operation, 'rknn_run');
          assert.equal(error.source, 'runtime');
          assert.equal(error.codeName, code === -42 ? 'RKNN_ERR_UNKNOWN' : Object.entries(RKNN_CODES).find(([, value]) => value === code)?.[0]);
          assert.ok(error.message.includes(path), error.message);
          return true;
        });
      }, path);
    }
  });

  test('close() is idempotent, waits for the run in flight, and a closed model refuses calls before C', async () => {
    const path = writeModel('slow-close.rknn', makeStandInModel({ runSleepMs: 150 }));
    const model = await runtime.loadModel(path, { ioMode: 'zero-copy' });
    const running = model.run(input);
    const closing = model.close();
    assert.equal(model.close(), closing);
    assert.equal(model.closed, true);
    assert.deepEqual(
      (await running).map((output) => output.data),
      expected.dequantised,
    );
    await closing;
    const closedError = (error: unknown): boolean =>
      error instanceof RknnError && error.code === RKNN_CODES.RKNN_ERR_CTX_INVALID && error.source === 'wrapper' && /closed/.test(error.message);
    await assert.rejects(model.run(input), closedError);
    await assert.rejects(model.nativeAttrs('input'), closedError);
  });

  test('inference does not block the event loop', async () => {
    const sleepMs = 400;
    const path = writeModel('slow.rknn', makeStandInModel({ runSleepMs: sleepMs }));
    await withModel({}, async (model) => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const startedMs = performance.now();
      try {
        const outputs = await model.run(input);
        assert.deepEqual(outputs[1]?.data, expected.dequantised[1]);
      } finally {
        clearInterval(timer);
      }
      const elapsedMs = performance.now() - startedMs;
      assert.ok(elapsedMs >= sleepMs - 5, `the run took ${elapsedMs} ms`);
      // 40 ticks if nothing blocks; a blocking call would leave 0 or 1.
      assert.ok(ticks >= 15, `the interval ticked ${ticks} times during a ${Math.round(elapsedMs)} ms run`);
    }, path);
  });

  test('a worker thread that used koffi and the runtime exits cleanly on its own', async () => {
    // Worker threads do not inherit tsx's loader hooks: register them inside the worker before importing the TS entry.
    const entry = new URL('./test/rknn-smoke.worker.ts', import.meta.url).href;
    const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
    const worker = new Worker(bootstrap, { eval: true, workerData: { libraryPath, modelPath, input } });
    const messages: unknown[] = [];
    worker.on('message', (message: unknown) => messages.push(message));
    const timeoutMs = 15_000;
    let timer: NodeJS.Timeout | undefined;
    const exitCode = await Promise.race([
      new Promise<number>((resolve, reject) => {
        worker.once('exit', resolve);
        worker.once('error', reject);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          void worker.terminate();
          reject(new Error(`the worker did not exit within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.equal(exitCode, 0);
    assert.deepEqual(messages, [{ outputs: expected.dequantised.map((values) => Array.from(values)) }]);
  });
});
