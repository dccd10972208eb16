/**
 * `lintel pad record | train | install | remove`: the passive cue a site trains on recordings from its own camera (genuine
 * entries of its staff and attacks it stages), installed on a terminal, which then refuses faces that score
 * below its threshold (liveness cue `trained`).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { resolveDataDir } from '../terminal/data-dir.js';
import { addedModelsDir } from '../terminal/models/added-models.js';
import { installSitePadCue, removeSitePadCue, SitePadCueError, sitePadCuePath } from '../terminal/models/site-pad-cue.js';
import { OnnxBackend } from '../vision/backend/onnx-backend.js';
import { writeFileAtomic } from '../shared/write-file-atomic.js';
import { frameMeasuresOf, PadFrameMeasures } from '../vision/liveness/pad-frame-measures.js';
import { PAD_LINEAR_FEATURES, type PadLinearFeature, type SitePadCue } from '../vision/liveness/pad-linear.js';
import { PadProtocolError, readPadProtocol, type PadClip } from '../vision/liveness/pad-protocol.js';
import { DEFAULT_SITE_PAD_FEATURES, MAX_FACELESS_SHARE, measureClips, PadTrainingError, trainSitePadCue, type PadOperatingPoint } from '../vision/liveness/pad-train.js';
import { loadManifest, ModelNotAddedError } from '../vision/models/manifest.js';
import { defaultManifestPath } from '../vision/models/paths.js';
import { FacePipeline } from '../vision/pipeline/face-pipeline.js';
import { DataCommandError } from './data-commands.js';
import { createProgressBar, type ProgressBar } from './progress-bar.js';

const write = (text: string): void => void process.stdout.write(`${text}\n`);
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** Above this held-out BPCER or worst APCER, `pad train` advises recording more people. */
const HELD_OUT_ADVICE_RATE = 0.05;

function manifestOf(values: { data?: string; manifest?: string }) {
  return loadManifest(values.manifest ? resolve(values.manifest) : defaultManifestPath(), undefined, { addedModelsDir: addedModelsDir(resolveDataDir(values.data)) });
}

/** The figures a cue file carries, as `pad train` and `pad install` print them. */
function describeCue(cue: SitePadCue): string[] {
  const { provenance } = cue;
  const clips = Object.entries(provenance.clips)
    .map(([species, count]) => `${species} ${count}`)
    .join(', ');
  const species = Object.entries(provenance.outOfFold.apcerBySpecies)
    .map(([key, rate]) => `${key} ${pct(rate)}`)
    .join(', ');
  return [
    `features: ${cue.features.join(', ')}`,
    `trained ${provenance.trainedAt} on ${clips} (frames without a face left out: ${provenance.framesWithoutFace})`,
    `threshold ${cue.threshold.toFixed(4)}: ${provenance.thresholdRule}`,
    `out of fold at that threshold: BPCER ${pct(provenance.outOfFold.bpcer)}, worst APCER ${pct(provenance.outOfFold.apcerWorst)} (${provenance.outOfFold.apcerWorstSpecies})`,
    `  APCER per species: ${species}`,
    ...(provenance.heldOut
      ? [
          `expected on people the recordings do not show (${provenance.heldOut.people} people in ${provenance.heldOut.folds} folds, each decided by a cue trained and thresholded without it): BPCER ${pct(provenance.heldOut.bpcer)}, worst APCER ${pct(provenance.heldOut.apcerWorst)} (${provenance.heldOut.apcerWorstSpecies})`,
          ...(provenance.heldOut.bpcer > HELD_OUT_ADVICE_RATE || provenance.heldOut.apcerWorst > HELD_OUT_ADVICE_RATE
            ? [`  above ${pct(HELD_OUT_ADVICE_RATE)}: record more people (${provenance.heldOut.people} now; on Replay-Attack 24 were enough, 12–15 were not) and train again`]
            : []),
        ]
      : ['no estimate for people the recordings do not show: they show fewer than 3 people (or an older Lintel trained the cue)']),
  ];
}

function parseFeatures(text: string | undefined): PadLinearFeature[] {
  if (text === undefined) return [...DEFAULT_SITE_PAD_FEATURES];
  const features = text
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const unknown = features.filter((f) => !(PAD_LINEAR_FEATURES as readonly string[]).includes(f));
  if (unknown.length > 0) throw new DataCommandError(`--features: unknown ${unknown.join(', ')} (known: ${PAD_LINEAR_FEATURES.join(', ')})`);
  if (features.length === 0) throw new DataCommandError('--features names no feature');
  if (new Set(features).size !== features.length) throw new DataCommandError(`--features names a feature twice: ${features.join(', ')}`);
  return features as PadLinearFeature[];
}

/** `--max-bpcer r` or `--max-apcer r` (one of them, a rate in [0, 1)); undefined: the default, BPCER ≤ 5 %. */
function parseOperatingPoint(maxBpcer: string | undefined, maxApcer: string | undefined): PadOperatingPoint | undefined {
  if (maxBpcer !== undefined && maxApcer !== undefined) throw new DataCommandError('give --max-bpcer or --max-apcer, not both: the threshold meets one of them');
  const text = maxBpcer ?? maxApcer;
  if (text === undefined) return undefined;
  const rate = Number(text);
  if (!(rate >= 0 && rate < 1)) throw new DataCommandError(`--max-${maxBpcer !== undefined ? 'bpcer' : 'apcer'} takes a rate in [0, 1) (0.05 for 5 %), got "${text}"`);
  return maxBpcer !== undefined ? { maxBpcer: rate } : { maxApcer: rate };
}

/**
 * `lintel pad train --frames <dir> --clips <clips.csv> [--split train[,…]] [--features a,b,…] [--l2 1]
 * [--max-bpcer 0.05 | --max-apcer r] [--out pad-cue.json]`: measures every frame of the splits as the door does,
 * fits the cue, chooses its threshold on out-of-fold scores (folds by person) at the operating point (default
 * BPCER ≤ 5 %), prints those figures and what to expect on people the recordings do not show, and writes the file
 * atomically.
 */
async function commandTrain(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      frames: { type: 'string' },
      clips: { type: 'string' },
      split: { type: 'string', default: 'train' },
      features: { type: 'string' },
      l2: { type: 'string', default: '1' },
      out: { type: 'string', default: 'pad-cue.json' },
      data: { type: 'string' },
      manifest: { type: 'string' },
      threads: { type: 'string' },
      'max-bpcer': { type: 'string' },
      'max-apcer': { type: 'string' },
    },
  });
  if (!values.frames || !values.clips) throw new DataCommandError('pad train needs --frames <dir> and --clips <clips.csv>');
  const operatingPoint = parseOperatingPoint(values['max-bpcer'], values['max-apcer']);
  const features = parseFeatures(values.features);
  const l2 = Number(values.l2);
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new DataCommandError(`--l2 must be a number ≥ 0, got "${values.l2}"`);
  const threads = values.threads === undefined ? 1 : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new DataCommandError(`--threads must be a whole number ≥ 1, got "${values.threads}"`);
  const clips: PadClip[] = [];
  try {
    // Several splits (`--split site,site2`) train as one site's recordings.
    for (const split of values.split!.split(',').map((name) => name.trim()).filter((name) => name !== '')) clips.push(...(await readPadProtocol(values.clips, resolve(values.frames), split)));
  } catch (error) {
    if (error instanceof PadProtocolError) throw new DataCommandError(error.message);
    throw error;
  }
  const manifest = await manifestOf(values);
  const backend = new OnnxBackend({ intraOpThreads: threads });
  let measures: PadFrameMeasures;
  try {
    measures = await PadFrameMeasures.create({ manifest, backend, measures: frameMeasuresOf(features) });
  } catch (error) {
    if (error instanceof ModelNotAddedError) throw new DataCommandError(`the features need ${error.modelId}: ${error.message}`);
    throw error;
  }
  const pipeline = await FacePipeline.create({ manifest, backend });
  let progress: ProgressBar | undefined;
  let measured;
  try {
    measured = await measureClips(clips, features, { pipeline, measures }, (done, total) => {
      progress ??= createProgressBar(`measuring ${values.split} frames`, total);
      progress.update(done);
    });
  } finally {
    progress?.done();
    await measures.close();
    await pipeline.close();
  }
  const faceless = `${measured.framesWithoutFace} of ${measured.frames} frames without a face`;
  if (measured.framesWithoutFace > MAX_FACELESS_SHARE * measured.frames) {
    throw new DataCommandError(`${faceless} (more than ${pct(MAX_FACELESS_SHARE)}): record with the face in view and lit, as at the door`);
  }
  write(`${faceless} (left out)${measured.clipsWithoutFace.length > 0 ? `; clips without any face, left out: ${measured.clipsWithoutFace.join(', ')}` : ''}`);
  let cue: SitePadCue;
  try {
    cue = trainSitePadCue(measured.rows, features, { l2, framesWithoutFace: measured.framesWithoutFace, ...(operatingPoint ? { operatingPoint } : {}) });
  } catch (error) {
    if (error instanceof PadTrainingError) throw new DataCommandError(error.message);
    throw error;
  }
  for (const line of describeCue(cue)) write(line);
  const out = resolve(values.out!);
  await writeFileAtomic(out, `${JSON.stringify(cue, null, 2)}\n`);
  write(`cue: ${out} (install it with lintel pad install ${values.out})`);
  return 0;
}

/** `lintel pad install <file>`: checks the cue against this terminal and installs it in the data folder. */
async function commandInstall(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { data: { type: 'string' }, manifest: { type: 'string' } } });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new DataCommandError('pad install takes one cue file');
  const dataDir = resolveDataDir(values.data);
  try {
    const cue = await installSitePadCue(resolve(file), dataDir, await manifestOf(values));
    write(`installed ${sitePadCuePath(dataDir)}`);
    for (const line of describeCue(cue)) write(line);
    write('the door runs it where the passive check is in force; a terminal already running takes it up at once');
    return 0;
  } catch (error) {
    if (error instanceof SitePadCueError) throw new DataCommandError(`not installed: ${error.message}`);
    throw error;
  }
}

/** `lintel pad remove`: removes the installed cue. */
async function commandRemove(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { data: { type: 'string' } } });
  if (positionals.length > 0) throw new DataCommandError('pad remove takes no argument');
  const dataDir = resolveDataDir(values.data);
  if (!(await removeSitePadCue(dataDir))) throw new DataCommandError(`no site cue is installed in ${dataDir}`);
  write(`removed ${sitePadCuePath(dataDir)}`);
  return 0;
}

/** `lintel pad <record | train | install | remove> …`. */
export async function commandPad(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'record':
      return (await import('./pad-record.js')).commandRecord(rest);
    case 'train':
      return commandTrain(rest);
    case 'install':
      return commandInstall(rest);
    case 'remove':
      return commandRemove(rest);
    default:
      throw new DataCommandError(`pad needs record, train, install <file> or remove${sub === undefined ? '' : `, not "${sub}"`}`);
  }
}
