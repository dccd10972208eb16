import { decodeImageFile } from '../frame/decode.js';
import { boxToPx } from '../geometry/point.js';
import type { FacePipeline } from '../pipeline/face-pipeline.js';
import type { PadFrameMeasures } from './pad-frame-measures.js';
import { fitLogistic, PAD_LINEAR_FEATURES, padLinearClipFeatures, padLinearScore, parseSitePadCue, type PadLinearFeature, type PadLinearFrame, type PadLinearWeights, type SitePadCue, usesMotion } from './pad-linear.js';
import { padRatesAt, thresholdForApcer, thresholdForBpcer, type ScoredClip } from './pad-metrics.js';
import type { PadClip } from './pad-protocol.js';

/** One training clip: what it is, whose face, and its clip features. */
export interface PadTrainingClip {
  /** `bona-fide`, `print/hand`, … (pad-protocol's speciesKey). */
  readonly speciesKey: string;
  readonly bonaFide: boolean;
  /** Whose face: clips of one person are kept in one fold. */
  readonly person: string;
  readonly features: Partial<Record<PadLinearFeature, number>>;
}

/** Recordings a cue cannot be trained on, or asked for wrongly: the message says what is wrong. */
export class PadTrainingError extends Error {
  override readonly name = 'PadTrainingError';
}

/**
 * The features a site trains on unless it asks for others: everything but natural motion, so the door decides
 * on the frames it has when the identity agrees instead of waiting seconds for the motion window.
 */
export const DEFAULT_SITE_PAD_FEATURES: readonly PadLinearFeature[] = PAD_LINEAR_FEATURES.filter((feature) => !usesMotion([feature]));

/** Least bona-fide clips to train on: with fewer, a 5 % BPCER threshold rests on no clip at all. */
export const MIN_BONA_FIDE_CLIPS = 20;
/** Share of frames without a face above which the recordings are refused as not showing faces. */
export const MAX_FACELESS_SHARE = 0.1;
/** The BPCER the threshold is chosen for unless the site asks for an APCER. */
export const TARGET_BPCER = 0.05;

/**
 * Where the threshold sits, on the out-of-fold scores: at most this share of genuine clips refused (convenience
 * first, the default), or at most this share of every attack species' clips let through (security first).
 */
export type PadOperatingPoint = { readonly maxBpcer: number } | { readonly maxApcer: number };

/** Whose face a clip shows: the `person` column, else Replay-Attack's `clientNNN` in its name, else the clip itself. */
export function personOf(clip: Pick<PadClip, 'clip' | 'person'>): string {
  return clip.person ?? /client\d+/.exec(clip.clip)?.[0] ?? clip.clip;
}

/**
 * Fits the cue on `rows` (those with every feature): features standardised on them, bona fide half the weight,
 * every attack species and support an equal share of the rest, L2 `l2` on the weights.
 */
export function fitPadLinear(rows: readonly PadTrainingClip[], features: readonly PadLinearFeature[], l2: number): PadLinearWeights {
  const usable = rows.filter((row) => features.every((f) => row.features[f] !== undefined));
  if (!usable.some((row) => row.bonaFide) || !usable.some((row) => !row.bonaFide)) throw new PadTrainingError('training needs bona-fide and attack clips with every feature');
  const x0 = usable.map((row) => features.map((f) => row.features[f]!));
  const mean = features.map((_, j) => x0.reduce((sum, x) => sum + x[j]!, 0) / x0.length);
  // A feature that does not vary keeps unit scale: its weight is then pulled to 0 by the penalty.
  const std = features.map((_, j) => Math.sqrt(x0.reduce((sum, x) => sum + (x[j]! - mean[j]!) ** 2, 0) / x0.length) || 1);
  const x = x0.map((row) => row.map((v, j) => (v - mean[j]!) / std[j]!));
  const counts = new Map<string, number>();
  for (const row of usable) counts.set(row.speciesKey, (counts.get(row.speciesKey) ?? 0) + 1);
  const attackKinds = [...counts.keys()].filter((key) => key !== 'bona-fide').length;
  const weights = usable.map((row) => ((row.bonaFide ? 0.5 : 0.5 / attackKinds) / counts.get(row.speciesKey)!) * usable.length);
  const fitted = fitLogistic(x, usable.map((row) => (row.bonaFide ? 1 : 0)), weights, { l2 });
  return { features: [...features], mean, std, weights: fitted.weights, bias: fitted.bias };
}

/** Scores clips with a fitted cue. */
export function scoreClips(rows: readonly PadTrainingClip[], model: PadLinearWeights): ScoredClip[] {
  return rows.map((row) => ({ speciesKey: row.speciesKey, bonaFide: row.bonaFide, score: padLinearScore(model, row.features) }));
}

/**
 * Every clip scored by a cue fitted without its person: people (sorted) dealt into `folds` folds (fewer when
 * there are fewer people). Returns the scores and the number of folds used.
 */
export function outOfFoldScores(rows: readonly PadTrainingClip[], features: readonly PadLinearFeature[], l2: number, folds = 5): { scores: ScoredClip[]; folds: number } {
  const split = foldsByPerson(rows, folds);
  if (split.folds.length < 2) throw new PadTrainingError(`the clips show ${split.people} person: out-of-fold scores need clips of at least 2 people (clips.csv's person column)`);
  const scores = split.folds.flatMap(({ held, training }) => scoreClips(held, fitPadLinear(training, features, l2)));
  return { scores, folds: split.folds.length };
}

/**
 * The clips' people (sorted) dealt into `folds` folds (fewer when there are fewer people): each fold's clips
 * held out, and the clips of everyone else to train on.
 */
function foldsByPerson(rows: readonly PadTrainingClip[], folds: number): { people: number; folds: { held: PadTrainingClip[]; training: PadTrainingClip[] }[] } {
  const people = [...new Set(rows.map((row) => row.person))].sort();
  const used = Math.min(folds, people.length);
  return {
    people: people.length,
    folds: Array.from({ length: used }, (_, fold) => {
      const held = new Set(people.filter((_, i) => i % used === fold));
      return { held: rows.filter((row) => held.has(row.person)), training: rows.filter((row) => !held.has(row.person)) };
    }),
  };
}

/** The threshold for `operatingPoint` on scored clips: the BPCER rule or the every-species APCER rule. */
function thresholdAt(scores: readonly ScoredClip[], operatingPoint: PadOperatingPoint): number {
  return 'maxApcer' in operatingPoint ? thresholdForApcer(scores, operatingPoint.maxApcer) : thresholdForBpcer(scores, operatingPoint.maxBpcer);
}

/** Rates on clips of people a cue never saw, at the threshold its own training chose; fractions 0..1. */
export interface HeldOutRates {
  readonly bpcer: number;
  readonly apcerWorst: number;
  readonly apcerWorstSpecies: string;
  readonly apcerBySpecies: Record<string, number>;
  /** Outer folds by person: each held out once while the rest trained a cue and chose its threshold. */
  readonly folds: number;
  /** People the recordings show. */
  readonly people: number;
}

/**
 * What to expect at the door from people the recordings do not show: people dealt into `folds` folds; for each,
 * a cue is trained on the others exactly as {@link trainSitePadCue} trains one — weights on their clips, the
 * threshold on their own out-of-fold scores at `operatingPoint` — and decides the held-out people's clips. The
 * decisions of every fold are pooled. Unlike the out-of-fold figures, no threshold here has seen the clips it
 * decides. Undefined with fewer than 3 people (the training side then has no folds of its own).
 */
export function heldOutRates(rows: readonly PadTrainingClip[], features: readonly PadLinearFeature[], l2: number, operatingPoint: PadOperatingPoint, folds = 5): HeldOutRates | undefined {
  const split = foldsByPerson(rows, folds);
  if (split.people < 3) return undefined;
  const decided: ScoredClip[] = [];
  for (const { held, training } of split.folds) {
    // A fold whose training side lacks bona-fide or attack clips cannot train: its people count as refused.
    let threshold = Number.POSITIVE_INFINITY;
    let scores: (number | null)[] = held.map(() => null);
    if (training.some((row) => row.bonaFide) && training.some((row) => !row.bonaFide)) {
      threshold = thresholdAt(outOfFoldScores(training, features, l2).scores, operatingPoint);
      scores = scoreClips(held, fitPadLinear(training, features, l2)).map((clip) => clip.score);
    }
    // Each fold has its own threshold: pool the decisions as scores against 0.
    held.forEach((row, i) => decided.push({ speciesKey: row.speciesKey, bonaFide: row.bonaFide, score: (scores[i] ?? Number.NEGATIVE_INFINITY) >= threshold ? 1 : -1 }));
  }
  const { bpcer, apcerWorst, apcerWorstSpecies, apcerBySpecies } = padRatesAt(decided, 0);
  return { bpcer, apcerWorst, apcerWorstSpecies, apcerBySpecies, folds: split.folds.length, people: split.people };
}

/** Options of {@link trainSitePadCue}. */
export interface TrainSitePadCueOptions {
  /** L2 penalty on the standardised weights; default 1. */
  readonly l2?: number;
  /** Frames left out because no face was found in them, for the provenance; default 0. */
  readonly framesWithoutFace?: number;
  /** When, for the provenance; default now. */
  readonly trainedAt?: Date;
  /** Default: BPCER ≤ TARGET_BPCER. */
  readonly operatingPoint?: PadOperatingPoint;
}

/**
 * Trains a site cue: weights on every clip, the threshold on the clips' out-of-fold scores (folds by person)
 * at the operating point (default BPCER ≤ 5 %), never on scores of clips the weights saw. Refuses (PadTrainingError) fewer than
 * MIN_BONA_FIDE_CLIPS bona-fide clips or no attack clip with every feature.
 */
export function trainSitePadCue(rows: readonly PadTrainingClip[], features: readonly PadLinearFeature[], options: TrainSitePadCueOptions = {}): SitePadCue {
  const { l2 = 1, framesWithoutFace = 0, trainedAt = new Date(), operatingPoint = { maxBpcer: TARGET_BPCER } } = options;
  const securityFirst = 'maxApcer' in operatingPoint;
  const rate = securityFirst ? operatingPoint.maxApcer : operatingPoint.maxBpcer;
  if (!(rate >= 0 && rate < 1)) throw new PadTrainingError(`the operating point's rate must lie in [0, 1), got ${rate}`);
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new PadTrainingError(`l2 must be a number ≥ 0, got ${l2}`);
  const usable = rows.filter((row) => features.every((f) => row.features[f] !== undefined));
  const bonaFide = usable.filter((row) => row.bonaFide).length;
  const attacks = usable.length - bonaFide;
  if (bonaFide < MIN_BONA_FIDE_CLIPS) throw new PadTrainingError(`${bonaFide} bona-fide clips with a face: at least ${MIN_BONA_FIDE_CLIPS} are needed (record more genuine entries)`);
  if (attacks === 0) throw new PadTrainingError('no attack clip with a face: record attacks (prints, phone and tablet photos and videos) to train on');
  const model = fitPadLinear(usable, features, l2);
  const outOfFold = outOfFoldScores(usable, features, l2);
  const threshold = thresholdAt(outOfFold.scores, operatingPoint);
  // Only refusing every face (or none) meets an APCER asked of too few attack clips.
  if (!Number.isFinite(threshold)) throw new PadTrainingError(`no threshold meets APCER ≤ ${+(100 * rate).toFixed(2)} % for every species short of refusing everyone: record more attack clips of each kind`);
  const rates = padRatesAt(outOfFold.scores, threshold);
  const heldOut = heldOutRates(usable, features, l2, operatingPoint);
  const clips: Record<string, number> = {};
  for (const row of usable) clips[row.speciesKey] = (clips[row.speciesKey] ?? 0) + 1;
  return parseSitePadCue({
    format: 'lintel-site-pad-cue/1',
    ...model,
    threshold,
    provenance: {
      trainedAt: trainedAt.toISOString(),
      clips,
      framesWithoutFace,
      l2,
      folds: outOfFold.folds,
      thresholdRule: `${securityFirst ? 'every species\' APCER' : 'BPCER'} ≤ ${+(100 * rate).toFixed(2)} % on the training clips' out-of-fold scores (${outOfFold.folds} folds by person)`,
      outOfFold: { bpcer: rates.bpcer, apcerWorst: rates.apcerWorst, apcerWorstSpecies: rates.apcerWorstSpecies, apcerBySpecies: rates.apcerBySpecies },
      ...(heldOut ? { heldOut } : {}),
    },
  });
}

/** What {@link measureClips} found. */
export interface MeasuredClips {
  readonly rows: PadTrainingClip[];
  readonly frames: number;
  readonly framesWithoutFace: number;
  /** Clips in which no frame had a face: left out. */
  readonly clipsWithoutFace: readonly string[];
}

/**
 * Measures recorded clips the way the door does: the largest face of each frame (detector, FaceMesh), the
 * per-frame measures on its landmark box, then the clip features over the frames that have a face.
 */
export async function measureClips(
  clips: readonly PadClip[],
  features: readonly PadLinearFeature[],
  tools: { readonly pipeline: FacePipeline; readonly measures: PadFrameMeasures },
  onClip?: (done: number, total: number) => void,
): Promise<MeasuredClips> {
  const rows: PadTrainingClip[] = [];
  const clipsWithoutFace: string[] = [];
  let frames = 0;
  let framesWithoutFace = 0;
  for (const [index, clip] of clips.entries()) {
    const measured: PadLinearFrame[] = [];
    for (const [k, framePath] of clip.framePaths.entries()) {
      frames++;
      const image = await decodeImageFile(framePath);
      const face = (await tools.pipeline.analyse(image)).faces[0];
      if (!face) {
        framesWithoutFace++;
        continue;
      }
      const { values } = await tools.measures.measure(image, boxToPx(face.boxNorm, image.widthPx, image.heightPx));
      measured.push({ mesh: { timestampMs: k, meshNorm: face.meshNorm, widthPx: image.widthPx, heightPx: image.heightPx }, values });
    }
    if (measured.length === 0) clipsWithoutFace.push(`${clip.split}/${clip.clip}`);
    else rows.push({ speciesKey: clip.speciesKey, bonaFide: clip.label === 'bona-fide', person: personOf(clip), features: padLinearClipFeatures(measured, features) });
    onClip?.(index + 1, clips.length);
  }
  return { rows, frames, framesWithoutFace, clipsWithoutFace };
}
