import { z } from 'zod';

import { FACE_COLOUR_MEASURES, type FaceColourMeasure } from './face-colour.js';
import { measureNaturalMotion } from './natural-motion.js';
import type { MeshObservation } from './active/mesh-observation.js';

/**
 * The clip features the trained passive cue can weigh, each from one face's frames (a clip at the evaluation, a
 * track's window at the door): model scores as the mean of their frames' logits, cue measures as frame means,
 * natural motion over the frames (natural-motion.ts), all on scales where a linear weight makes sense.
 */
export const PAD_LINEAR_FEATURES = [
  'minifasnet-v2',
  'minifasnet-v1se',
  'motion',
  'motion-residual',
  'motion-eye',
  'glare',
  'edges',
  'moire',
  'moire-hf',
  ...FACE_COLOUR_MEASURES,
] as const;
export type PadLinearFeature = (typeof PAD_LINEAR_FEATURES)[number];

/** The per-frame measurements each clip feature is made of (pad-features' ids); motion features read landmarks. */
export const PAD_LINEAR_FRAME_MEASURES: Readonly<Record<PadLinearFeature, string | null>> = {
  'minifasnet-v2': 'minifasnet-v2',
  'minifasnet-v1se': 'minifasnet-v1se',
  motion: null,
  'motion-residual': null,
  'motion-eye': null,
  glare: 'glare-blob',
  edges: 'edges',
  moire: 'moire-peak',
  'moire-hf': 'moire-hf',
  // Each colour feature is the frame measure of the same name.
  ...(Object.fromEntries(FACE_COLOUR_MEASURES.map((id) => [id, id])) as Record<FaceColourMeasure, FaceColourMeasure>),
};

/** One frame of a face for the clip features: its landmarks and its measurements by pad-features id. */
export interface PadLinearFrame {
  readonly mesh: MeshObservation;
  readonly values: Readonly<Record<string, number | undefined>>;
}

const clampedLogit = (p: number): number => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};
const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

/**
 * The clip features of one face's frames (time order), for the features asked; a feature whose measurements
 * are missing from a frame, or motion with fewer than two frames, is absent.
 */
export function padLinearClipFeatures(frames: readonly PadLinearFrame[], features: readonly PadLinearFeature[]): Partial<Record<PadLinearFeature, number>> {
  const out: Partial<Record<PadLinearFeature, number>> = {};
  const motion = features.some((f) => f.startsWith('motion')) ? measureNaturalMotion(frames.map((frame) => frame.mesh)) : undefined;
  for (const feature of features) {
    const measure = PAD_LINEAR_FRAME_MEASURES[feature];
    if (measure === null) {
      if (!motion) continue;
      // Logs: the motion figures spread over decades between a print on a stand and a face.
      if (feature === 'motion') out[feature] = Math.log(motion.score + 1e-4);
      else if (feature === 'motion-residual') out[feature] = Math.log(motion.residualIod + 1e-4);
      else out[feature] = Math.log(motion.earRange + 1e-3);
      continue;
    }
    const values = frames.map((frame) => frame.values[measure]);
    if (frames.length === 0 || values.some((v) => v === undefined || !Number.isFinite(v))) continue;
    const measured = values as number[];
    if (feature.startsWith('minifasnet')) out[feature] = mean(measured.map(clampedLogit));
    else if (feature === 'glare') out[feature] = Math.log(1e-4 + mean(measured));
    else if (feature === 'moire') out[feature] = Math.log(mean(measured));
    else out[feature] = mean(measured);
  }
  return out;
}

/** A trained linear cue, as stored in `models/pad-linear.json`. */
export const padLinearModelSchema = z.strictObject({
  /** The clip features, in the order of `mean`, `std` and `weights`. */
  features: z.array(z.enum(PAD_LINEAR_FEATURES)).min(1),
  /** Standardisation: (feature − mean) / std, from the training clips. */
  mean: z.array(z.number()),
  std: z.array(z.number().positive()),
  weights: z.array(z.number()),
  bias: z.number(),
  /** Logit at or above which a clip passes (higher = more bona fide). */
  threshold: z.number(),
  /** What it was trained on, how the threshold was chosen, and what it gave. */
  origin: z.string().min(1),
});
export type PadLinearModel = z.infer<typeof padLinearModelSchema>;

/** A model read from JSON, checked: every array as long as `features`. Throws naming what is wrong. */
export function parsePadLinearModel(json: unknown, source = 'pad-linear model'): PadLinearModel {
  const parsed = padLinearModelSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${source}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  const model = parsed.data;
  for (const key of ['mean', 'std', 'weights'] as const) {
    if (model[key].length !== model.features.length) throw new Error(`${source}: ${key} has ${model[key].length} values for ${model.features.length} features`);
  }
  return model;
}

/** What scores a clip: the features, their standardisation, the weights and the bias. */
export type PadLinearWeights = Pick<PadLinearModel, 'features' | 'mean' | 'std' | 'weights' | 'bias'>;

/** Whether the features include natural motion, which needs frames spread over seconds. */
export function usesMotion(features: readonly PadLinearFeature[]): boolean {
  return features.some((feature) => PAD_LINEAR_FRAME_MEASURES[feature] === null);
}

/** The model's logit for a clip's features (higher = more bona fide); null when one of its features is missing. */
export function padLinearScore(model: PadLinearWeights, features: Partial<Record<PadLinearFeature, number>>): number | null {
  let z = model.bias;
  for (const [j, feature] of model.features.entries()) {
    const value = features[feature];
    if (value === undefined) return null;
    z += ((value - model.mean[j]!) / model.std[j]!) * model.weights[j]!;
  }
  return z;
}

/** Options of {@link fitLogistic}. */
export interface FitLogisticOptions {
  /** L2 penalty on the weights (not the bias), on standardised features; default 1. */
  readonly l2?: number;
  /** Newton steps at most; default 50. */
  readonly maxIterations?: number;
}

/**
 * Weighted L2-regularised logistic regression by Newton's method: `x` rows (already standardised), `y` 1 for
 * bona fide and 0 for attacks, `sampleWeights` per row. Returns the weights and the bias.
 */
export function fitLogistic(x: readonly (readonly number[])[], y: readonly number[], sampleWeights: readonly number[], options: FitLogisticOptions = {}): { weights: number[]; bias: number } {
  const { l2 = 1, maxIterations = 50 } = options;
  const d = x[0]?.length ?? 0;
  if (x.length === 0 || x.length !== y.length || x.length !== sampleWeights.length) throw new RangeError(`fitLogistic: ${x.length} rows, ${y.length} labels, ${sampleWeights.length} weights`);
  const beta = new Array<number>(d + 1).fill(0);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const gradient = new Array<number>(d + 1).fill(0);
    const hessian = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (const [i, row] of x.entries()) {
      const extended = [...row, 1];
      const z = extended.reduce((sum, v, j) => sum + v * beta[j]!, 0);
      const p = 1 / (1 + Math.exp(-z));
      const residual = sampleWeights[i]! * (p - y[i]!);
      const curvature = sampleWeights[i]! * p * (1 - p);
      for (let a = 0; a <= d; a++) {
        gradient[a]! += residual * extended[a]!;
        for (let b = 0; b <= d; b++) hessian[a]![b]! += curvature * extended[a]! * extended[b]!;
      }
    }
    for (let a = 0; a < d; a++) {
      gradient[a]! += l2 * beta[a]!;
      hessian[a]![a]! += l2;
    }
    const step = solve(hessian, gradient);
    let largest = 0;
    for (let a = 0; a <= d; a++) {
      beta[a]! -= step[a]!;
      largest = Math.max(largest, Math.abs(step[a]!));
    }
    if (largest < 1e-9) break;
  }
  return { weights: beta.slice(0, d), bias: beta[d]! };
}

/** Solves a·v = b by Gauss–Jordan elimination with partial pivoting (a small symmetric positive-definite system). */
function solve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const factor = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= factor * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

// zod 4 numbers refuse NaN and ±Infinity.
const finite = z.number();
const rate = finite.min(0).max(1);

/** What the site cue file says a cue did on its own training clips, out of fold (fractions 0..1). */
export const padOutOfFoldSchema = z.strictObject({
  bpcer: rate,
  apcerWorst: rate,
  apcerWorstSpecies: z.string(),
  apcerBySpecies: z.record(z.string(), rate),
});

/**
 * A passive cue a site trained on recordings from its own camera (`lintel pad train`), as installed on a
 * terminal (`lintel pad install`): a logistic regression over clip features, its threshold, and where it
 * came from. Every number finite: a tampered or truncated file is refused, never run.
 */
export const sitePadCueSchema = z.strictObject({
  format: z.literal('lintel-site-pad-cue/1'),
  /** The clip features, in the order of `mean`, `std` and `weights`. */
  features: z.array(z.enum(PAD_LINEAR_FEATURES)).min(1),
  mean: z.array(finite),
  std: z.array(finite.positive()),
  weights: z.array(finite),
  bias: finite,
  /** Logit at or above which a face passes; chosen on the training clips' out-of-fold scores for BPCER ≤ 5 %. */
  threshold: finite,
  provenance: z.strictObject({
    /** When it was trained, ISO 8601. */
    trainedAt: z.iso.datetime(),
    /** Training clips by species key (`bona-fide`, `print/hand`, …). */
    clips: z.record(z.string(), z.number().int().nonnegative()),
    /** Frames in which no face was found, left out. */
    framesWithoutFace: z.number().int().nonnegative(),
    l2: finite.nonnegative(),
    /** How many folds (by person) gave the out-of-fold scores. */
    folds: z.number().int().min(2),
    /** The rule the threshold was chosen by, in words. */
    thresholdRule: z.string().min(1),
    /** The figures at the threshold on the out-of-fold scores of the training clips. */
    outOfFold: padOutOfFoldSchema,
    /**
     * What to expect from people the recordings do not show: each fold of people decided by a cue trained and
     * thresholded without them (pad-train's heldOutRates). Absent in cues trained before it, or on fewer than 3 people.
     */
    heldOut: padOutOfFoldSchema.extend({ folds: z.number().int().min(2), people: z.number().int().min(3) }).optional(),
  }),
});
export type SitePadCue = z.infer<typeof sitePadCueSchema>;

/** A site cue read from JSON, checked: schema, one value per feature, no feature twice. Throws naming what is wrong. */
export function parseSitePadCue(json: unknown, source = 'site cue'): SitePadCue {
  const parsed = sitePadCueSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${source}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  const cue = parsed.data;
  for (const key of ['mean', 'std', 'weights'] as const) {
    if (cue[key].length !== cue.features.length) throw new Error(`${source}: ${key} has ${cue[key].length} values for ${cue.features.length} features`);
  }
  if (new Set(cue.features).size !== cue.features.length) throw new Error(`${source}: a feature is listed twice (${cue.features.join(', ')})`);
  return cue;
}
