/**
 * Trains the linear passive cue (electron/vision/liveness/pad-linear.ts) from the frames `lintel eval pad` has
 * measured into its cache: weights on the `train` split only, the threshold on `devel` (BPCER ≤ 5 %), and
 * prints, per try (`--features`, repeatable), the devel figures at that threshold, BPCER20 and EER on devel, and
 * the devel figures at a threshold chosen without devel (on train's out-of-fold scores, 5 folds by person).
 * `--out` writes the first try as the model file.
 *
 *   npx tsx electron/vision/eval/pad-linear-train.ts --frames <dir> --clips <clips.csv> [--cache <file>]
 *     [--features a,b,…]… [--l2 1] [--out models/pad-linear.json]
 *
 * The cache must hold every measure the features need: `lintel eval pad --checks linear` (or the single checks)
 * measures them first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { PAD_LINEAR_FEATURES, padLinearClipFeatures, parsePadLinearModel, type PadLinearFeature, type PadLinearModel } from '../liveness/pad-linear.js';
import { decodeLandmarks, type PadFrameCache } from './pad-eval.js';
import { bpcerAtApcer, equalErrorRate, padRatesAt, thresholdForBpcer, type PadRates } from '../liveness/pad-metrics.js';
import { readPadProtocol, type PadClip } from '../liveness/pad-protocol.js';
import { fitPadLinear, outOfFoldScores, personOf, scoreClips, type PadTrainingClip } from '../liveness/pad-train.js';
import { writeFileAtomic } from '../../shared/write-file-atomic.js';

function clipRows(clips: readonly PadClip[], framesDir: string, cache: PadFrameCache, features: readonly PadLinearFeature[]): PadTrainingClip[] {
  return clips.map((clip) => {
    const frames = clip.framePaths.flatMap((framePath, k) => {
      const record = cache.frames[path.relative(framesDir, framePath)];
      if (!record) throw new Error(`frame ${framePath} was not measured: run lintel eval pad --checks linear on this split first`);
      if (record.faceCount === 0 || !record.landmarks) return [];
      return [{ mesh: { timestampMs: k, ...decodeLandmarks(record.landmarks) }, values: record.values }];
    });
    return { speciesKey: clip.speciesKey, bonaFide: clip.label === 'bona-fide', person: personOf(clip), features: padLinearClipFeatures(frames, features) };
  });
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const ratesText = (rates: PadRates): string => `worst APCER ${pct(rates.apcerWorst)} (${rates.apcerWorstSpecies}), BPCER ${pct(rates.bpcer)}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      frames: { type: 'string' },
      clips: { type: 'string' },
      cache: { type: 'string', default: 'out/cache/pad-blazeface-256+facemesh-468.json' },
      features: { type: 'string', multiple: true },
      l2: { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  });
  if (!values.frames || !values.clips) throw new Error('needs --frames <dir> and --clips <clips.csv>');
  const l2 = Number(values.l2);
  if (!(l2 >= 0)) throw new Error(`--l2 must be a number ≥ 0, got "${values.l2}"`);
  const tries = (values.features ?? [PAD_LINEAR_FEATURES.join(',')]).map((text) => {
    const features = text.split(',').map((f) => f.trim());
    const unknown = features.filter((f) => !(PAD_LINEAR_FEATURES as readonly string[]).includes(f));
    if (unknown.length > 0) throw new Error(`--features: unknown ${unknown.join(', ')} (known: ${PAD_LINEAR_FEATURES.join(', ')})`);
    return features as PadLinearFeature[];
  });
  const framesDir = path.resolve(values.frames);
  const cache = JSON.parse(readFileSync(values.cache!, 'utf8')) as PadFrameCache;
  const [trainClips, develClips] = await Promise.all([readPadProtocol(values.clips, framesDir, 'train'), readPadProtocol(values.clips, framesDir, 'devel')]);
  let first: PadLinearModel | undefined;
  for (const features of tries) {
    const train = clipRows(trainClips, framesDir, cache, features);
    const devel = clipRows(develClips, framesDir, cache, features);
    const model = fitPadLinear(train, features, l2);
    const develScores = scoreClips(devel, model);
    const threshold = thresholdForBpcer(develScores, 0.05);
    const atDevel = padRatesAt(develScores, threshold);
    // A threshold chosen without devel: train's clips scored by models that did not see their person.
    const atTrain = padRatesAt(develScores, thresholdForBpcer(outOfFoldScores(train, features, l2).scores, 0.05));
    const bpcer20 = bpcerAtApcer(develScores, 0.05).bpcer;
    const eer = equalErrorRate(develScores).eer;
    const species = Object.entries(atDevel.apcerBySpecies).map(([key, rate]) => `${key} ${pct(rate)}`).join(', ');
    process.stdout.write(
      `${features.join(',')} (l2 ${l2}):\n` +
        `  devel, threshold chosen on devel (BPCER ≤ 5 %): ${threshold.toFixed(3)}: ${ratesText(atDevel)}; BPCER20 ${pct(bpcer20)}, EER ${pct(eer)}\n` +
        `    ${species}\n` +
        `  devel, threshold chosen on train's out-of-fold scores (BPCER ≤ 5 %): ${ratesText(atTrain)}\n`,
    );
    first ??= parsePadLinearModel({
      ...model,
      threshold,
      origin:
        `an evaluation artefact, not packaged and not run by the terminal: Replay-Attack is for research use only. ` +
        `Logistic regression (L2 ${l2}, standardised features) trained on Replay-Attack train's 360 clips (bona fide half the weight, each attack species and support an equal share); ` +
        `threshold chosen on devel for BPCER ≤ 5 %: devel ${ratesText(atDevel)}, BPCER20 ${pct(bpcer20)}, EER ${pct(eer)}; at a threshold from train's out-of-fold scores instead: ${ratesText(atTrain)}`,
    });
  }
  if (values.out && first) {
    await writeFileAtomic(path.resolve(values.out), `${JSON.stringify(first, null, 2)}\n`);
    process.stdout.write(`model: ${path.resolve(values.out)}\n`);
  }
}

await main();
