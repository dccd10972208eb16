/**
 * `lintel doctor`: what an integrator checks on the board — NPU runtime and driver, whether the NPU builds
 * fit the runtime, cameras, GPIO chips — and a timed run of each stage against the product's budget.
 * Runs anywhere: without an NPU the models run on the CPU and the report says why.
 * `lintel doctor --wiegand-loopback` checks the Wiegand output's timing on the wire instead (wiegand-loopback.ts).
 */
import { arch, cpus } from 'node:os';
import { parseArgs } from 'node:util';

import { listGpioChips } from '../../native-bridge/gpio/list-chips.js';
import { listVideoDevices } from '../../native-bridge/v4l2/discover.js';
import { readVerifiedModel } from '../vision/backend/model-file.js';
import { openEngines } from '../vision/backend/select-backend.js';
import { loadBenchFrames } from '../vision/bench/bench.js';
import { randomUnitVector, createSeededRandom } from '../vision/matcher/seeded-random.js';
import { loadManifest, resolveModel, type LoadedManifest } from '../vision/models/manifest.js';
import { defaultManifestPath } from '../vision/models/paths.js';
import { FacePipeline } from '../vision/pipeline/face-pipeline.js';
import { medianAndP95 } from '../vision/statistics.js';

/** The product's budget on the RK3568, ms (median). */
export const BOARD_BUDGET_MS = { detectorAndFitter: 40, extractionAndComparison: 500 } as const;

/** Default place of Rockchip's runtime on the board; integrators ship the one matching their toolkit. */
const DEFAULT_RKNN_LIBRARY = '/usr/lib/librknnrt.so';

/** Compares dotted versions ("2.3.2" vs "1.5.0"); text after the numbers is ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string): number[] => (/^\s*v?(\d+(?:\.\d+)*)/.exec(version)?.[1] ?? '0').split('.').map(Number);
  const [left, right] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

function line(status: 'ok' | 'warn' | 'fail' | 'info', text: string): string {
  const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', info: '    ' }[status];
  return `  [${mark}] ${text}`;
}

function modelSection(loaded: LoadedManifest, runtimeVersion: string | null | undefined, precision: string, print: (text: string) => void): Promise<void[]> {
  const { detector, fitter, extractor, liveness } = loaded.manifest.defaults;
  const defaults = [detector, fitter, extractor, liveness].filter((id): id is string => id !== undefined);
  return Promise.all(
    defaults.map(async (id) => {
      const model = resolveModel(loaded, id);
      try {
        await readVerifiedModel(model);
        print(line('ok', `${id}: ONNX ${model.entry.onnx.sha256.slice(0, 12)} (${model.entry.role})`));
      } catch (error) {
        print(line('fail', (error as Error).message));
      }
      const builds = (model.entry.variants ?? []).filter((variant) => variant.engine === 'rknn');
      if (builds.length === 0) print(line('info', `${id}: no NPU build in the manifest (models/rknn/convert_rknn.py makes them)`));
      for (const build of builds) {
        const fits = runtimeVersion ? compareVersions(runtimeVersion, build.toolkitVersion) >= 0 : undefined;
        const verdict =
          fits === undefined
            ? 'runtime version unknown'
            : fits
              ? `runtime ${runtimeVersion} can run it`
              : `runtime ${runtimeVersion} is older than the toolkit: it will refuse the model ("Invalid RKNN model version"); ship librknnrt ${build.toolkitVersion} or newer`;
        const status = fits === false ? 'fail' : build.precision === precision ? 'ok' : 'info';
        print(line(status, `${id}: ${build.precision} build ${build.file} for ${build.targetPlatform}, toolkit ${build.toolkitVersion}: ${verdict}`));
      }
    }),
  );
}

/** An option of `--wiegand-loopback` that is missing or out of range. */
class LoopbackUsageError extends Error {}

/** `--wiegand-loopback`: the options checked, then the check; 0 when every frame came back as sent, in tolerance. */
async function wiegandLoopback(values: Readonly<Record<string, string | boolean | undefined>>): Promise<number> {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const whole = (name: string, min: number, max: number): number => {
    const raw = text(name);
    const value = Number(raw);
    if (raw === undefined || raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) throw new LoopbackUsageError(`--${name} must be a whole number from ${min} to ${max}, got ${raw ?? 'nothing'}`);
    return value;
  };
  const chipPath = text('chip');
  if (chipPath === undefined) throw new LoopbackUsageError('--wiegand-loopback needs --chip <device> --d0 <line> --d1 <line> --d0-in <line> --d1-in <line> (D0/D1 wired to the two inputs)');
  const pulseLevel = text('pulse-level');
  if (pulseLevel !== 'low' && pulseLevel !== 'high') throw new LoopbackUsageError(`--pulse-level must be low or high, got ${pulseLevel ?? 'nothing'}`);
  const timing = { pulseWidthUs: whole('pulse-us', 20, 1000), intervalUs: whole('interval-us', 200, 20_000) };
  const { runWiegandLoopback } = await import('./wiegand-loopback.js');
  const result = await runWiegandLoopback(
    {
      chipPath,
      d0Line: whole('d0', 0, 1023),
      d1Line: whole('d1', 0, 1023),
      inChipPath: text('in-chip') ?? chipPath,
      d0InLine: whole('d0-in', 0, 1023),
      d1InLine: whole('d1-in', 0, 1023),
      pulseLevel,
      timing,
      format: text('format') ?? 'wiegand26',
      frames: whole('frames', 1, 1000),
    },
    { print: (line) => void process.stdout.write(`${line}\n`) },
  );
  return result.ok ? 0 : 1;
}

/** Runs the checks; returns the exit code (0 when every stage is within budget). */
export async function runDoctor(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      manifest: { type: 'string' },
      'rknn-lib': { type: 'string', default: process.env.LINTEL_RKNN_LIB ?? DEFAULT_RKNN_LIBRARY },
      precision: { type: 'string', default: 'int8' },
      frames: { type: 'string', default: '20' },
      'gallery-size': { type: 'string', default: '1000' },
      'wiegand-loopback': { type: 'boolean', default: false },
      chip: { type: 'string' },
      d0: { type: 'string' },
      d1: { type: 'string' },
      'in-chip': { type: 'string' },
      'd0-in': { type: 'string' },
      'd1-in': { type: 'string' },
      'pulse-level': { type: 'string', default: 'low' },
      'pulse-us': { type: 'string', default: '50' },
      'interval-us': { type: 'string', default: '2000' },
      format: { type: 'string', default: 'wiegand26' },
    },
  });
  if (values['wiegand-loopback']) {
    try {
      return await wiegandLoopback(values);
    } catch (error) {
      // Bad options are 2, as for any command; a chip or line that cannot be had is the check failing.
      const usage = error instanceof LoopbackUsageError;
      process.stderr.write(`lintel doctor: ${(error as Error).message}\n`);
      return usage ? 2 : 1;
    }
  }
  const precision = values.precision === 'fp16' ? 'fp16' : 'int8';
  const print = (text: string): void => void process.stdout.write(`${text}\n`);
  print(`Lintel doctor — ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, ${arch()}), Node ${process.versions.node}`);

  print('\nNPU');
  const engines = await openEngines({ cpuThreads: Math.min(4, cpus().length), npu: { libraryPath: values['rknn-lib'], precision } });
  const npuAvailable = engines.npuUnavailableReason === undefined;
  if (npuAvailable) print(line('ok', `${values['rknn-lib']} loads; runtime ${engines.npuRuntimeVersion ?? 'version not embedded'}`));
  else print(line('warn', `${engines.npuUnavailableReason}; models run on the CPU`));

  print('\nModels');
  const loaded = await loadManifest(values.manifest ?? defaultManifestPath());
  await modelSection(loaded, engines.npuRuntimeVersion, precision, print);

  print('\nCameras');
  const cameras = await listVideoDevices().catch(() => []);
  if (cameras.length === 0) print(line('warn', 'no V4L2 device in /sys/class/video4linux; the file camera still works'));
  for (const camera of cameras) print(line('ok', `${camera.devicePath}: ${camera.name}${camera.driver ? ` (${camera.driver})` : ''}`));

  print('\nGPIO');
  const chips = await listGpioChips().catch(() => []);
  if (chips.length === 0) print(line('warn', 'no /dev/gpiochip*: the door relay output needs one'));
  for (const chip of chips) {
    print(chip.ok ? line('ok', `${chip.path}: ${chip.info.label}, ${chip.info.lines} lines`) : line('warn', `${chip.path}: ${chip.error.message}`));
  }

  print('\nTimed run');
  const { backend } = engines;
  const pipeline = await FacePipeline.create({ manifest: loaded, backend });
  try {
    if (!npuAvailable) print(line('info', 'every model on the CPU (NPU unavailable, see above)'));
    else for (const choice of backend.choices) print(line('info', `${choice.modelId} on ${choice.engine}${choice.reason ? ` (${choice.reason})` : ''}`));
    const { frames, origin } = await loadBenchFrames(Number(values.frames));
    const matcher = pipeline.createMatcher();
    const random = createSeededRandom(1);
    const gallerySize = Number(values['gallery-size']);
    for (let i = 0; i < gallerySize; i++) matcher.gallery.add(`person-${i}`, randomUnitVector(random, pipeline.extractor.dimension));
    const detectFitMs: number[] = [];
    const extractCompareMs: number[] = [];
    await pipeline.analyse(frames[0] as (typeof frames)[number]);
    for (const frame of frames) {
      const analysis = await pipeline.analyse(frame);
      detectFitMs.push(analysis.timingsMs.detectMs + analysis.timingsMs.fitMs);
      const face = analysis.faces[0];
      if (!face) continue;
      const startMs = performance.now();
      const { template } = await pipeline.extract(frame, face);
      matcher.identify(template.vector);
      extractCompareMs.push(performance.now() - startMs);
    }
    print(line('info', `${frames.length} frames: ${origin}; 1:N against ${gallerySize} templates`));
    let failed = false;
    for (const [label, samples, budgetMs] of [
      ['detector + fitter', detectFitMs, BOARD_BUDGET_MS.detectorAndFitter],
      ['extraction + comparison', extractCompareMs, BOARD_BUDGET_MS.extractionAndComparison],
    ] as const) {
      if (samples.length === 0) {
        print(line('fail', `${label}: no face found in the frames`));
        failed = true;
        continue;
      }
      const { median, p95 } = medianAndP95(samples);
      const pass = median <= budgetMs;
      failed ||= !pass;
      print(line(pass ? 'ok' : 'fail', `${label}: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (budget ${budgetMs} ms)`));
    }
    return failed ? 1 : 0;
  } finally {
    await pipeline.close();
  }
}
