import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { resolveDataDir } from '../terminal/data-dir.js';
import { OnnxBackend } from '../vision/backend/onnx-backend.js';
import { PAD_CHECKS } from '../vision/eval/pad-checks.js';
import {
  combinationFeatures,
  combinationNeedsLandmarks,
  compareFrameRules,
  detectionRates,
  evaluateCombination,
  formatPadSummary,
  measureFrames,
  parseCombination,
  readPadCache,
  writePadCache,
  writePadReport,
  type CheckCombination,
  type PadReport,
  type ThresholdCriterion,
} from '../vision/eval/pad-eval.js';
import { createPadFrameMeasurer, PAD_FEATURES_VERSION } from '../vision/eval/pad-features.js';
import { FRAME_RULES, type FrameRule } from '../vision/liveness/pad-metrics.js';
import { readPadProtocol } from '../vision/liveness/pad-protocol.js';
import { decodeImageFile } from '../vision/frame/decode.js';
import { loadManifest } from '../vision/models/manifest.js';
import { defaultManifestPath } from '../vision/models/paths.js';
import { passiveChecks } from '../vision/liveness/passive-liveness.js';
import { FacePipeline } from '../vision/pipeline/face-pipeline.js';
import { createProgressBar, type ProgressBar } from './progress-bar.js';

/** A problem with the command line of `eval pad`: lintel prints it with the usage. */
export class EvalPadUsageError extends Error {}

/** `passive` names the combination the terminal runs (manifest defaults.passiveLiveness); anything else is a list of check ids. */
function combinationOf(text: string, passive: readonly string[] | undefined): CheckCombination {
  if (text === 'passive' && !passive) throw new EvalPadUsageError('--checks passive: the manifest has no defaults.passiveLiveness');
  try {
    return parseCombination(text === 'passive' ? passive!.join(',') : text);
  } catch (error) {
    throw new EvalPadUsageError(`--checks: ${(error as Error).message}`);
  }
}

/**
 * `lintel eval pad --frames <dir> --clips <clips.csv> [--split devel] [--threshold-split train] [--checks a,b,c=0.8]…
 * [--frame-rule mean] [--criterion apcer5|bpcer5|eer] [--threshold x] [--veto-bpcer 0.02] [--out <dir>]
 * [--cache <dir>] [--data <dir>] [--manifest <file>] [--threads <n>]`.
 */
export async function commandEvalPad(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    options: {
      frames: { type: 'string' },
      clips: { type: 'string' },
      split: { type: 'string', default: 'devel' },
      'threshold-split': { type: 'string' },
      checks: { type: 'string', multiple: true },
      'frame-rule': { type: 'string', default: 'mean' },
      criterion: { type: 'string', default: 'apcer5' },
      threshold: { type: 'string' },
      'veto-bpcer': { type: 'string', default: '0.02' },
      out: { type: 'string' },
      cache: { type: 'string' },
      data: { type: 'string' },
      manifest: { type: 'string' },
      threads: { type: 'string' },
    },
  });
  if (!values.frames || !values.clips) throw new EvalPadUsageError('eval pad needs --frames <dir> and --clips <clips.csv>');
  const frameRule = values['frame-rule'] as FrameRule;
  if (!(FRAME_RULES as readonly string[]).includes(frameRule)) throw new EvalPadUsageError(`--frame-rule must be one of ${FRAME_RULES.join(', ')}`);
  const criterion = values.criterion as ThresholdCriterion;
  if (!['apcer5', 'bpcer5', 'eer'].includes(criterion)) throw new EvalPadUsageError('--criterion must be apcer5, bpcer5 or eer');
  const fixedThreshold = values.threshold === undefined ? undefined : Number(values.threshold);
  if (fixedThreshold !== undefined && !Number.isFinite(fixedThreshold)) throw new EvalPadUsageError(`--threshold must be a number, got "${values.threshold}"`);
  const vetoBpcer = Number(values['veto-bpcer']);
  if (!(vetoBpcer >= 0 && vetoBpcer < 1)) throw new EvalPadUsageError(`--veto-bpcer must lie in [0, 1), got "${values['veto-bpcer']}"`);
  const threads = values.threads === undefined ? 1 : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new EvalPadUsageError(`--threads must be a whole number ≥ 1, got "${values.threads}"`);
  const split = values.split!;
  // Thresholds are never chosen on the data they are reported on: devel is reported with train's, anything else with devel's.
  const thresholdSplit = values['threshold-split'] ?? (split === 'train' ? 'devel' : split === 'devel' ? 'train' : 'devel');
  if (thresholdSplit === split) throw new EvalPadUsageError('--threshold-split must differ from --split: a threshold is never chosen on the data it is reported on');
  const dataDir = resolveDataDir(values.data);
  const manifest = await loadManifest(values.manifest ? resolve(values.manifest) : defaultManifestPath(), undefined, { addedModelsDir: join(dataDir, 'models') });
  const passive = manifest.manifest.defaults.passiveLiveness;
  const combinations = (values.checks ?? ['passive']).map((text) => combinationOf(text, passive && passiveChecks(passive)));

  const framesDir = resolve(values.frames);
  const [reportClips, thresholdClips] = await Promise.all([readPadProtocol(values.clips, framesDir, split), readPadProtocol(values.clips, framesDir, thresholdSplit)]);
  const backend = new OnnxBackend({ intraOpThreads: threads });
  const pipeline = await FacePipeline.create({ manifest, backend });
  const measurer = createPadFrameMeasurer(pipeline, manifest, backend);
  const facesBy = `${pipeline.modelIds.detector}+${pipeline.modelIds.fitter}`;
  const cacheFile = join(resolve(values.cache ?? 'out/cache'), `pad-${facesBy}.json`);
  const cacheKey = `${facesBy}, measures v${PAD_FEATURES_VERSION}`;
  let progress: ProgressBar | undefined;
  try {
    const cache = await readPadCache(cacheFile, cacheKey);
    const features = [...new Set(combinations.flatMap(combinationFeatures))];
    const landmarks = combinations.some(combinationNeedsLandmarks);
    for (const [name, clips] of [[thresholdSplit, thresholdClips], [split, reportClips]] as const) {
      await measureFrames({
        clips,
        framesDir,
        features,
        landmarks,
        cache,
        measurer,
        decode: decodeImageFile,
        save: (c) => writePadCache(cacheFile, c),
        onProgress: (done, total) => {
          progress ??= createProgressBar(`measuring ${name} frames`, total);
          progress.update(done);
        },
      });
      progress?.done();
      progress = undefined;
    }
    const common = { reportClips, thresholdClips, framesDir, cache, reportSplit: split, thresholdSplit, criterion, vetoBpcer, ...(fixedThreshold !== undefined ? { fixedThreshold } : {}) };
    const results = combinations.map((combination) => evaluateCombination({ ...common, combination, frameRule }));
    const first = results[0]!;
    const rules = compareFrameRules({ ...common, combination: combinations[0]! });
    const report: PadReport = {
      createdAt: new Date().toISOString(),
      framesDir,
      clipsCsv: resolve(values.clips),
      split,
      thresholdSplit,
      facesBy,
      frameRule,
      detection: detectionRates(reportClips, framesDir, cache),
      threshold: first.threshold,
      bpcer: first.bpcer,
      apcerBySpecies: first.apcerBySpecies,
      apcerWorst: first.apcerWorst,
      eer: first.eer,
      bpcer20: first.bpcer20,
      combinations: results,
      frameRules: Object.fromEntries(Object.entries(rules).map(([rule, { det: _det, ...rest }]) => [rule, rest])) as PadReport['frameRules'],
    };
    const outDir = resolve(values.out ?? `out/pad-${split}`);
    await writePadReport(report, outDir);
    process.stdout.write(`${formatPadSummary(report)}\nreport: ${outDir}\n`);
  } finally {
    progress?.done();
    await measurer.close();
    await pipeline.close();
  }
}

/** The check ids `--checks` accepts, for the usage text. */
export const PAD_CHECK_IDS = ['passive', ...Object.keys(PAD_CHECKS)];
