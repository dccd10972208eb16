/**
 * `lintel doctor`: what an integrator checks on the board — NPU runtime and driver, whether the NPU builds
 * fit the runtime, cameras, GPIO chips — and a timed run of each stage against the product's budget.
 * Runs anywhere: without an NPU the models run on the CPU and the report says why.
 * `lintel doctor --wiegand-loopback` checks the Wiegand output's timing on the wire instead (wiegand-loopback.ts);
 * `lintel doctor --card-reader` prints what the terminal reads from the Wiegand reader on its inputs (card-reader-check.ts).
 */
import { existsSync } from 'node:fs';
import { arch, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { listGpioChips } from '../../native-bridge/gpio/list-chips.js';
import { listVideoDevices } from '../../native-bridge/v4l2/discover.js';
import { parseCameraUri } from '../terminal/camera/camera-uri.js';
import { resolveDataDir } from '../terminal/data-dir.js';
import type { DoorOutputConfig } from '../shared/shapes/door-outputs.js';
import { DATABASE_FILE_NAME } from '../terminal/store/database.js';
import { TerminalStore } from '../terminal/store/store.js';
import { readVerifiedModel } from '../vision/backend/model-file.js';
import { allowedPrecisions, npuBuildFor, parseNpuPrecision, type NpuPrecisionPlan } from '../vision/backend/rknn-backend.js';
import { openEngines } from '../vision/backend/select-backend.js';
import { loadBenchFrames } from '../vision/bench/bench.js';
import { randomUnitVector, createSeededRandom } from '../vision/matcher/seeded-random.js';
import { loadManifest, resolveModel, type LoadedManifest } from '../vision/models/manifest.js';
import { defaultManifestPath } from '../vision/models/paths.js';
import { FacePipeline } from '../vision/pipeline/face-pipeline.js';
import { medianAndP95 } from '../vision/statistics.js';
import { mark, type Status } from './status-mark.js';

/** The product's budget on the RK3568, ms (median). */
export const BOARD_BUDGET_MS = { detectorAndFitter: 40, extractionAndComparison: 500 } as const;

/**
 * Timed runs per stage the budget verdict takes the median of (after the warm-up runs), default. The median of n
 * runs scatters by about 1.25 σ/√n of single runs: 0.28 σ at 20 runs (one per frame, as before), 0.16 σ at 60,
 * so a stage near its budget on a busy board no longer passes one invocation and fails the next; 60 runs cost
 * a few seconds on the CPU.
 */
export const DEFAULT_TIMED_RUNS = 60;

/** Untimed runs first: the first inferences pay for memory allocation and kernel selection. */
const WARM_UP_RUNS = 3;

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

function line(status: Status, text: string): string {
  return `${mark(status)} ${text}`;
}

function modelSection(loaded: LoadedManifest, runtimeVersion: string | null | undefined, precision: NpuPrecisionPlan, print: (text: string) => void): Promise<void[]> {
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
      const chosen = npuBuildFor(precision, model);
      if (builds.length > 0 && !chosen) print(line('warn', `${id}: no ${allowedPrecisions(precision, model).join(' or ')} build: it runs on the CPU`));
      for (const build of builds) {
        const fits = runtimeVersion ? compareVersions(runtimeVersion, build.toolkitVersion) >= 0 : undefined;
        const verdict =
          fits === undefined
            ? 'runtime version unknown'
            : fits
              ? `runtime ${runtimeVersion} can run it`
              : `runtime ${runtimeVersion} is older than the toolkit: it will refuse the model ("Invalid RKNN model version"); ship librknnrt ${build.toolkitVersion} or newer`;
        const status = fits === false ? 'fail' : build === chosen ? 'ok' : 'info';
        const use = build === chosen ? ' (runs)' : '';
        print(line(status, `${id}: ${build.precision} build ${build.file}${use} for ${build.targetPlatform}, toolkit ${build.toolkitVersion}: ${verdict}`));
      }
    }),
  );
}

/** The terminal's camera and door outputs from its data folder's settings; undefined where there is no database. */
function readTerminalHardware(data: string | undefined): { dataDir: string; cameraUri: string | null; doorOutputs: readonly DoorOutputConfig[] } | undefined {
  const dataDir = resolveDataDir(data);
  // Never creates a data folder: doctor reports on a terminal, it does not start one.
  if (!existsSync(join(dataDir, DATABASE_FILE_NAME))) {
    if (data !== undefined) throw new Error(`no terminal data in ${dataDir} (${DATABASE_FILE_NAME} is missing)`);
    return undefined;
  }
  const store = TerminalStore.open({ dataDir });
  try {
    return { dataDir, cameraUri: store.settings.get('camera.uri'), doorOutputs: store.settings.get('door.outputs') };
  } finally {
    store.close();
  }
}

/** Why the configured camera cannot be opened here, or undefined when its device or file is there. */
function cameraProblem(uri: string, videoDevices: readonly string[]): string | undefined {
  let config: ReturnType<typeof parseCameraUri>;
  try {
    config = parseCameraUri(uri);
  } catch (error) {
    return (error as Error).message;
  }
  if (config.kind === 'file') return existsSync(config.path) ? undefined : `${config.path} does not exist`;
  if (videoDevices.includes(config.devicePath)) return undefined;
  return `${config.devicePath} is not among the V4L2 devices${videoDevices.length > 0 ? ` (${videoDevices.join(', ')})` : ''}`;
}

/** An option of a hardware check (`--wiegand-loopback`, `--card-reader`) that is missing or out of range. */
class CheckUsageError extends Error {}

type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/** A check's options read as text, and as whole numbers in a range (a CheckUsageError naming the option otherwise). */
function checkOptions(values: OptionValues): { text(name: string): string | undefined; whole(name: string, min: number, max: number): number } {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const whole = (name: string, min: number, max: number): number => {
    const raw = text(name);
    const value = Number(raw);
    if (raw === undefined || raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) throw new CheckUsageError(`--${name} must be a whole number from ${min} to ${max}, got ${raw ?? 'nothing'}`);
    return value;
  };
  return { text, whole };
}

/** Runs a hardware check: bad options are 2, as for any command; a chip or line that cannot be had is the check failing. */
async function runCheck(check: () => Promise<number>): Promise<number> {
  try {
    return await check();
  } catch (error) {
    process.stderr.write(`lintel doctor: ${(error as Error).message}\n`);
    return error instanceof CheckUsageError ? 2 : 1;
  }
}

/** `--wiegand-loopback`: the options checked, then the check; 0 when every frame came back as sent, in tolerance. */
async function wiegandLoopback(values: OptionValues): Promise<number> {
  const { text, whole } = checkOptions(values);
  const chipPath = text('chip');
  if (chipPath === undefined) throw new CheckUsageError('--wiegand-loopback needs --chip <device> --d0 <line> --d1 <line> --d0-in <line> --d1-in <line> (D0/D1 wired to the two inputs)');
  const pulseLevel = text('pulse-level');
  if (pulseLevel !== 'low' && pulseLevel !== 'high') throw new CheckUsageError(`--pulse-level must be low or high, got ${pulseLevel ?? 'nothing'}`);
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

const BIASES = ['pull-up', 'pull-down', 'disabled', 'as-is'] as const;

/** `--card-reader`: the options checked, then the check; 0 when at least one card was read cleanly. */
async function cardReaderCheck(values: OptionValues): Promise<number> {
  const { text, whole } = checkOptions(values);
  const chipPath = text('chip');
  if (chipPath === undefined && (text('d0') !== undefined || text('d1') !== undefined)) {
    throw new CheckUsageError('--d0 and --d1 go with --chip <device>; without the three, --card-reader listens to the reader saved in the terminal data');
  }
  const wiring = chipPath === undefined ? undefined : { chipPath, d0Line: whole('d0', 0, 1023), d1Line: whole('d1', 0, 1023) };
  if (wiring !== undefined && wiring.d0Line === wiring.d1Line) throw new CheckUsageError(`--d0 and --d1 must be two lines, got ${wiring.d0Line} for both`);
  const bias = text('bias');
  if (bias !== undefined && !(BIASES as readonly string[]).includes(bias)) throw new CheckUsageError(`--bias must be ${BIASES.slice(0, -1).join(', ')} or ${BIASES.at(-1)}, got ${bias}`);
  const { runCardReaderCheck } = await import('./card-reader-check.js');
  const result = await runCardReaderCheck(
    {
      ...(wiring === undefined ? {} : { wiring }),
      ...(bias === undefined ? {} : { bias: bias as (typeof BIASES)[number] }),
      ...(text('format') === undefined ? {} : { format: text('format') }),
      ...(text('data') === undefined ? {} : { data: text('data') }),
      seconds: text('seconds') === undefined ? 30 : whole('seconds', 1, 3600),
      ...(text('cards') === undefined ? {} : { cards: whole('cards', 1, 1000) }),
    },
    { print: (line) => void process.stdout.write(`${line}\n`) },
  );
  return result.ok ? 0 : 1;
}

const DOCTOR_USAGE = `Usage: lintel doctor [--data <dir>] [--rknn-lib <path>] [--precision auto|int8|fp16[,<model>=int8|fp16]] [--frames <n>] [--runs <n>] [--gallery-size <n>] [--manifest <file>]
       lintel doctor --wiegand-loopback --chip <dev> --d0 <n> --d1 <n> --d0-in <n> --d1-in <n> [--in-chip <dev>]
                     [--pulse-level low|high] [--pulse-us 50] [--interval-us 2000] [--format <name>] [--frames 20]
       lintel doctor --card-reader [--chip <dev> --d0 <n> --d1 <n>] [--bias pull-up|pull-down|disabled|as-is] [--format <name>]
                     [--data <dir>] [--seconds 30] [--cards <n>]
`;

/** Options only --wiegand-loopback reads (some --card-reader too); given without it they would be silently ignored. */
const LOOPBACK_ONLY = ['chip', 'd0', 'd1', 'in-chip', 'd0-in', 'd1-in', 'pulse-level', 'pulse-us', 'interval-us', 'format'] as const;

/** Every option --card-reader reads; any other given with it would be silently ignored. */
const CARD_READER_OPTIONS = ['card-reader', 'data', 'chip', 'd0', 'd1', 'bias', 'format', 'seconds', 'cards'] as const;

/** Options of --card-reader that no other mode reads. */
const CARD_READER_ONLY = ['bias', 'seconds', 'cards'] as const;

/** `--a, --b only go with --x`, one clause per set of modes the options go with. */
function strayMessage(stray: readonly string[]): string {
  const byModes = new Map<string, string[]>();
  for (const name of stray) {
    const modes = [
      ...((LOOPBACK_ONLY as readonly string[]).includes(name) ? ['--wiegand-loopback'] : []),
      ...((CARD_READER_OPTIONS as readonly string[]).includes(name) ? ['--card-reader'] : []),
    ].join(' or ');
    byModes.set(modes, [...(byModes.get(modes) ?? []), `--${name}`]);
  }
  return [...byModes].map(([modes, names]) => `${names.join(', ')} only go with ${modes}`).join('; ');
}

/** doctor's command line, strictly: unknown options, stray arguments, a mode's options without it (or other options with --card-reader) and bad numbers throw. */
function parseDoctorArgs(args: readonly string[]) {
  const parsed = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    // The options given, as against their defaults: --card-reader refuses every one it does not read.
    tokens: true,
    options: {
      manifest: { type: 'string' },
      data: { type: 'string' },
      runs: { type: 'string', default: String(DEFAULT_TIMED_RUNS) },
      'rknn-lib': { type: 'string', default: process.env.LINTEL_RKNN_LIB ?? DEFAULT_RKNN_LIBRARY },
      precision: { type: 'string', default: 'auto' },
      frames: { type: 'string', default: '20' },
      'gallery-size': { type: 'string', default: '1000' },
      'wiegand-loopback': { type: 'boolean', default: false },
      chip: { type: 'string' },
      d0: { type: 'string' },
      d1: { type: 'string' },
      'in-chip': { type: 'string' },
      'd0-in': { type: 'string' },
      'd1-in': { type: 'string' },
      'pulse-level': { type: 'string' },
      'pulse-us': { type: 'string' },
      'interval-us': { type: 'string' },
      format: { type: 'string' },
      'card-reader': { type: 'boolean', default: false },
      bias: { type: 'string' },
      seconds: { type: 'string' },
      cards: { type: 'string' },
    },
  });
  const { values } = parsed;
  const given = new Set(parsed.tokens.flatMap((token) => (token.kind === 'option' ? [token.name] : [])));
  if (values['wiegand-loopback'] && values['card-reader']) throw new Error('--wiegand-loopback and --card-reader are two checks: run one at a time');
  if (values['card-reader']) {
    const stray = [...given].filter((name) => !(CARD_READER_OPTIONS as readonly string[]).includes(name));
    if (stray.length > 0) throw new Error(`${stray.map((name) => `--${name}`).join(', ')} ${stray.length === 1 ? 'does' : 'do'} not go with --card-reader`);
  } else if (values['wiegand-loopback']) {
    const stray = CARD_READER_ONLY.filter((name) => values[name] !== undefined);
    if (stray.length > 0) throw new Error(strayMessage(stray));
  } else {
    const stray = [...LOOPBACK_ONLY, ...CARD_READER_ONLY].filter((name) => values[name] !== undefined);
    if (stray.length > 0) throw new Error(strayMessage(stray));
    for (const name of ['frames', 'runs', 'gallery-size'] as const) {
      const value = Number(values[name]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1, got "${values[name]}"`);
    }
  }
  parseNpuPrecision(values.precision);
  // No default format: --wiegand-loopback sends wiegand26 unless told, --card-reader reads the terminal's.
  return { values: { ...values, 'pulse-level': values['pulse-level'] ?? 'low', 'pulse-us': values['pulse-us'] ?? '50', 'interval-us': values['interval-us'] ?? '2000' } };
}

/**
 * Runs the checks; returns the exit code: 0 when the terminal's configured camera and door relays are there and
 * every stage is within budget, 2 for a bad command line.
 */
export async function runDoctor(args: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseDoctorArgs>;
  try {
    parsed = parseDoctorArgs(args);
  } catch (error) {
    // Strict: an unknown or misspelt option is refused rather than ignored, with what doctor takes.
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    const message = unknown ? `unknown option ${unknown}` : (error as Error).message;
    process.stderr.write(`lintel doctor: ${message}\n\n${DOCTOR_USAGE}`);
    return 2;
  }
  const { values } = parsed;
  if (values['wiegand-loopback']) return runCheck(() => wiegandLoopback(values));
  if (values['card-reader']) return runCheck(() => cardReaderCheck(values));
  let configured: ReturnType<typeof readTerminalHardware>;
  try {
    configured = readTerminalHardware(values.data);
  } catch (error) {
    process.stderr.write(`lintel doctor: ${(error as Error).message}\n`);
    return 1;
  }
  const precision = parseNpuPrecision(values.precision);
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

  let hardwareFailed = false;

  print('\nCameras');
  const cameras = await listVideoDevices().catch(() => []);
  if (cameras.length === 0) print(line('warn', 'no V4L2 device in /sys/class/video4linux; the file camera still works'));
  for (const camera of cameras) print(line('ok', `${camera.devicePath}: ${camera.name}${camera.driver ? ` (${camera.driver})` : ''}`));
  if (!configured) print(line('info', 'no terminal data folder here (--data or LINTEL_DATA_DIR): the configured camera is not checked'));
  else if (configured.cameraUri === null) print(line('info', `camera.uri is not set in ${configured.dataDir}: the terminal uses LINTEL_CAMERA or the demo photos`));
  else {
    const problem = cameraProblem(configured.cameraUri, cameras.map((camera) => camera.devicePath));
    hardwareFailed ||= problem !== undefined;
    print(problem ? line('fail', `the terminal's camera ${configured.cameraUri}: ${problem}`) : line('ok', `the terminal's camera ${configured.cameraUri} is there`));
  }

  print('\nGPIO');
  const chips = await listGpioChips().catch(() => []);
  if (chips.length === 0) print(line('warn', 'no /dev/gpiochip*: the door relay output needs one'));
  for (const chip of chips) {
    print(chip.ok ? line('ok', `${chip.path}: ${chip.info.label}, ${chip.info.lines} lines`) : line('warn', `${chip.path}: ${chip.error.message}`));
  }
  if (configured) {
    const driven = configured.doorOutputs.flatMap((output) =>
      output.kind === 'gpio'
        ? [{ what: `the door relay "${output.name}"`, chipPath: output.chipPath, lines: [output.line] }]
        : output.kind === 'wiegand'
          ? [{ what: `the Wiegand output "${output.name}"`, chipPath: output.chipPath, lines: [output.d0Line, output.d1Line].filter((offset): offset is number => offset !== undefined) }]
          : [],
    );
    if (driven.length === 0) print(line('info', `door.outputs in ${configured.dataDir} drive no GPIO line`));
    for (const { what, chipPath, lines } of driven) {
      const chip = chips.find((entry) => entry.path === chipPath);
      const problem = !chip
        ? `${chipPath} is not on this board`
        : !chip.ok
          ? `${chipPath}: ${chip.error.message}`
          : lines.filter((offset) => offset >= chip.info.lines).map((offset) => `line ${offset} is beyond the chip's ${chip.info.lines}`).join('; ') || undefined;
      hardwareFailed ||= problem !== undefined;
      print(problem ? line('fail', `${what} on ${chipPath} line ${lines.join(', ')}: ${problem}`) : line('ok', `${what} on ${chipPath} line ${lines.join(', ')}`));
    }
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
    const runs = Number(values.runs);
    const timeOne = async (frame: (typeof frames)[number], record: boolean): Promise<void> => {
      const analysis = await pipeline.analyse(frame);
      const face = analysis.faces[0];
      if (record) detectFitMs.push(analysis.timingsMs.detectMs + analysis.timingsMs.fitMs);
      if (!face) return;
      const startMs = performance.now();
      const { template } = await pipeline.extract(frame, face);
      matcher.identify(template.vector);
      if (record) extractCompareMs.push(performance.now() - startMs);
    };
    for (let i = 0; i < WARM_UP_RUNS; i++) await timeOne(frames[i % frames.length]!, false);
    // The frames over again until `runs`: the verdict takes a median of enough runs to be the same next time.
    for (let i = 0; i < runs; i++) await timeOne(frames[i % frames.length]!, true);
    print(line('info', `${frames.length} frames: ${origin}; 1:N against ${gallerySize} templates`));
    print(line('info', `median of ${runs} timed runs after ${WARM_UP_RUNS} warm-up runs (--runs; the median of a few runs moves with whatever else the board does)`));
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
    return failed || hardwareFailed ? 1 : 0;
  } finally {
    await pipeline.close();
  }
}
