/**
 * `npx tsx models/quantize/cli.ts sensitivity --model <id>`: which layers of a model lose accuracy in
 * simulated INT8, and the FP16 layers (hybrid quantisation) that bring the error down to a target.
 *
 *   --model id          manifest model id (required)
 *   --calib dir         calibration folder from `lintel calib export` (default out/calib)
 *   --samples n         calibration images the error is measured on, spread over the set (default 64)
 *   --target x          stop adding FP16 layers once the error is at most x (default: 0 = try --max-float)
 *   --max-float n       most FP16 layers to try (default 8)
 *   --top n             isolated-error ranking lines to print (default 15)
 *   --algorithm a       calibration: normal (min/max, default) or mmse
 *   --manifest path     another manifest (default models/manifest.json)
 *   --data dir          also use the models an administrator added to this terminal data folder
 *
 * The FP16 list it prints (output tensor names) goes into the manifest's quantization.int8.floatLayers; check
 * the result on LFW with `lintel eval lfw --quant int8`.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { readVerifiedModel } from '../../electron/vision/backend/model-file.js';
import { loadManifest, resolveModel } from '../../electron/vision/models/manifest.js';
import { defaultManifestPath } from '../../electron/vision/models/paths.js';
import { readOnnxModel } from '../convert/onnx/onnx-reader.js';
import { withPreluNodes } from '../convert/onnx/prelu-nodes.js';
import { collectActivationRanges } from './calibrate.js';
import { loadCalibrationSet, modelInput } from './calibration-set.js';
import { outputErrorFor } from './output-error.js';
import { SensitivityProbe } from './sensitivity.js';

/** One line on stdout (the lint rules keep console out of library folders). */
function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function number(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a number ≥ 0, got "${value}"`);
  return parsed;
}

async function sensitivity(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      calib: { type: 'string' },
      samples: { type: 'string' },
      target: { type: 'string' },
      'max-float': { type: 'string' },
      top: { type: 'string' },
      algorithm: { type: 'string' },
      manifest: { type: 'string' },
      data: { type: 'string' },
    },
  });
  if (!values.model) throw new Error('sensitivity needs --model <id>');
  const manifest = await loadManifest(
    values.manifest ? resolve(values.manifest) : defaultManifestPath(),
    undefined,
    // A terminal keeps the models its administrator added in <data>/models (electron/terminal/models/added-models.ts).
    values.data ? { addedModelsDir: join(resolve(values.data), 'models') } : {},
  );
  const model = resolveModel(manifest, values.model);
  // As the NPU build and the INT8 simulation see it (int8-sim.ts): PReLUs as PRelu nodes.
  const float = withPreluNodes(readOnnxModel(await readVerifiedModel(model)));
  const calibration = await loadCalibrationSet(resolve(values.calib ?? 'out/calib'), model.id, model.entry);
  const inputs = calibration.images.map((image) => modelInput(image, model.entry));
  const algorithm = values.algorithm ?? 'normal';
  if (algorithm !== 'normal' && algorithm !== 'mmse') throw new Error(`--algorithm is normal or mmse, got "${algorithm}"`);
  const ranges = await collectActivationRanges(float, inputs, { algorithm });
  const sampleCount = Math.min(inputs.length, number(values.samples, 'samples', 64));
  const step = inputs.length / sampleCount;
  const samples = Array.from({ length: sampleCount }, (_, i) => inputs[Math.floor(i * step)] as Float32Array);
  const measure = outputErrorFor(model.entry);
  const probe = await SensitivityProbe.create({ model: float, ranges, samples, measure });

  print(`${model.id}: ${probe.layers.length} layers, calibrated (${algorithm}) on ${inputs.length} images, error measured on ${sampleCount}: ${measure.unit}`);
  print(`all INT8: ${(await probe.error(new Set())).toPrecision(4)}`);
  const ranking = await probe.isolated((done, total) => process.stderr.write(`\risolated errors ${done}/${total}`));
  process.stderr.write('\n');
  print('worst layers alone in INT8 (everything else float):');
  for (const { layer, error } of ranking.slice(0, number(values.top, 'top', 15))) {
    print(`  ${error.toPrecision(4).padStart(10)}  ${layer.name.padEnd(10)} ${layer.opType.padEnd(8)} ${layer.tensors.at(-1)}`);
  }
  print('greedy FP16 choice:');
  const steps = await probe.chooseFloatLayers(ranking, number(values.target, 'target', 0), number(values['max-float'], 'max-float', 8), (s) =>
    print(`  ${String(s.floatLayers.length).padStart(2)} FP16 → ${s.error.toPrecision(4)}${s.floatLayers.length > 0 ? `  (+${s.floatLayers.at(-1)?.name})` : ''}`),
  );
  const final = steps.at(-1);
  print(`floatLayers: ${JSON.stringify(final?.floatLayers.flatMap((layer) => layer.tensors) ?? [])}`);
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command !== 'sensitivity') throw new Error('usage: models/quantize/cli.ts sensitivity --model <id> [--calib dir] [--data dir] [--samples n] [--target x] [--max-float n]');
  await sensitivity(rest);
} catch (error) {
  process.stderr.write(`quantize: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
