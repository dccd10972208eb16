/**
 * Which is faster: the RKNN runtime converting int8 outputs to float (`want_float`), or Lintel doing it with
 * each output's zero point and scale? Runs on the stand-in runtime here (or a real librknnrt.so with
 * LINTEL_RKNN_LIB and LINTEL_RKNN_MODEL on the board), with outputs the size of BlazeFace's.
 * Run: `npx tsx electron/vision/bench/rknn-dequantize.bench.ts`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { RknnRuntime } from '../../../native-bridge/rknn/rknn-runtime.js';
import { buildStandIn } from '../../../native-bridge/rknn/test/build-stand-in.js';
import { encodeStandInModel, makeStandInModel } from '../../../native-bridge/rknn/test/stand-in-model.js';
import { dequantizeInt8 } from '../backend/rknn-backend.js';
import { medianAndP95 } from '../statistics.js';

const RUNS = 300;

async function modelPath(): Promise<{ path: string; cleanup: () => Promise<void>; libraryPath: string }> {
  if (process.env.LINTEL_RKNN_LIB && process.env.LINTEL_RKNN_MODEL) {
    return { path: process.env.LINTEL_RKNN_MODEL, libraryPath: process.env.LINTEL_RKNN_LIB, cleanup: async () => undefined };
  }
  const build = await buildStandIn();
  if (!build.ok) throw new Error(build.skip);
  const dir = await mkdtemp(join(tmpdir(), 'lintel-dequantize-'));
  // One input pixel, BlazeFace-sized outputs (896 × 16 box values, 896 scores): the run is all output handling.
  const base = makeStandInModel({ heightPx: 1, widthPx: 1 });
  const output = (name: string, count: number) => ({
    name,
    dims: [1, count],
    zeroPoint: -7,
    scale: Math.fround(0.05),
    bias: new Int32Array(count).fill(100),
    weights: new Int8Array(count * 3).fill(1),
  });
  const path = join(dir, 'dequantize.rknn');
  await writeFile(path, encodeStandInModel({ ...base, outputs: [output('boxes', 896 * 16), output('scores', 896)] }));
  return { path, libraryPath: build.libraryPath, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const { path, libraryPath, cleanup } = await modelPath();
const runtime = await RknnRuntime.open({ libraryPath });
const input = new Uint8Array(3).fill(9);
for (const mode of ['runtime', 'lintel'] as const) {
  const model = await runtime.loadModel(path, { wantFloat: mode === 'runtime' });
  const samples: number[] = [];
  for (let i = 0; i < RUNS + 20; i++) {
    const startMs = performance.now();
    const outputs = await model.run(input);
    if (mode === 'lintel') {
      for (const output of outputs) dequantizeInt8(output.data as Int8Array, output.quantization.zeroPoint, output.quantization.scale);
    }
    if (i >= 20) samples.push(performance.now() - startMs);
  }
  await model.close();
  const { median, p95 } = medianAndP95(samples);
  console.log(`dequantised by ${mode.padEnd(7)}  median ${median.toFixed(3)} ms  p95 ${p95.toFixed(3)} ms  (${RUNS} runs, ${libraryPath})`);
}
await cleanup();
