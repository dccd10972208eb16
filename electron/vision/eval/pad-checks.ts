/**
 * The passive checks `lintel eval pad` can score, each giving a score where higher means "more like a bona-fide
 * presentation". Frame checks are functions of the cached per-frame measurements (pad-features.ts), combined per
 * clip by the frame rule: models give their real-face probability; cues give 1 / (1 + measure), so more device
 * edge, glare or moiré means a lower score. Clip checks score a whole clip from its frames' landmarks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { MeshObservation } from '../liveness/active/mesh-observation.js';
import { measureNaturalMotion } from '../liveness/natural-motion.js';
import { PAD_LINEAR_FRAME_MEASURES, padLinearClipFeatures, padLinearScore, parsePadLinearModel, parseSitePadCue, type PadLinearWeights } from '../liveness/pad-linear.js';
import { packageRoot } from '../models/paths.js';
import type { FrameLandmarks, PadFeature } from './pad-features.js';

/** How a check scores a frame from its measurements. */
export interface PadFrameCheck {
  readonly kind: 'frame';
  readonly features: readonly PadFeature[];
  /** The frame's score, higher = more bona fide. */
  score(values: Readonly<Partial<Record<PadFeature, number>>>): number;
  /** One line for the report. */
  readonly description: string;
}

/** One frame of a clip as a clip check reads it: the face's landmarks and the frame's measurements. */
export interface PadClipFrame {
  readonly landmarks: FrameLandmarks;
  readonly values: Readonly<Partial<Record<PadFeature, number>>>;
}

/** How a check scores a whole clip from its frames (the frame rule does not apply). */
export interface PadClipCheck {
  readonly kind: 'clip';
  /** The frame measurements it reads besides the landmarks the face search caches. */
  readonly features: readonly PadFeature[];
  /** The clip's score from its frames in order (null: no face in that frame), higher = more bona fide; null when it cannot judge. */
  clipScore(frames: readonly (PadClipFrame | null)[]): number | null;
  readonly description: string;
}

export type PadCheck = PadFrameCheck | PadClipCheck;

const value = (values: Readonly<Partial<Record<PadFeature, number>>>, feature: PadFeature): number => {
  const measured = values[feature];
  if (measured === undefined) throw new Error(`measurement ${feature} missing`);
  return measured;
};

const model = (feature: PadFeature, description: string): PadCheck => ({ kind: 'frame', features: [feature], score: (values) => value(values, feature), description });
const fusion = (a: PadFeature, b: PadFeature, description: string): PadCheck => ({
  kind: 'frame',
  features: [a, b],
  score: (values) => (value(values, a) + value(values, b)) / 2,
  description,
});
const cue = (feature: PadFeature, description: string): PadCheck => ({ kind: 'frame', features: [feature], score: (values) => 1 / (1 + value(values, feature)), description });

/** A clip check on the natural motion of the clip's frames that have a face; null with fewer than two. */
const motion = (figure: 'residualIod' | 'score', description: string): PadCheck => ({
  kind: 'clip',
  features: [],
  clipScore: (frames) => {
    const observations = frames.flatMap((frame, k): MeshObservation[] => (frame ? [{ timestampMs: k, ...frame.landmarks }] : []));
    return measureNaturalMotion(observations)?.[figure] ?? null;
  },
  description,
});

/** Where `lintel eval pad --checks linear` reads the trained cue from. */
export const PAD_LINEAR_MODEL_PATH = path.join(packageRoot(), 'models', 'pad-linear.json');

/** Reads a trained cue: a site cue (`lintel pad train`'s file) or the evaluation artefact models/pad-linear.json. */
function readLinearCue(file: string): PadLinearWeights {
  const json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  return typeof json === 'object' && json !== null && 'format' in json ? parseSitePadCue(json, file) : parsePadLinearModel(json, file);
}

/**
 * A trained linear cue (read from `file` on first use): its logit over the clip's frames with a face; null when a
 * feature cannot be made (fewer than two faces for motion).
 */
function linear(description: string, file = PAD_LINEAR_MODEL_PATH): PadCheck {
  let model: PadLinearWeights | undefined;
  return {
    kind: 'clip',
    features: [...new Set(Object.values(PAD_LINEAR_FRAME_MEASURES).filter((measure): measure is string => measure !== null))] as PadFeature[],
    clipScore: (frames) => {
      model ??= readLinearCue(file);
      const present = frames.flatMap((frame, k) => (frame ? [{ mesh: { timestampMs: k, ...frame.landmarks }, values: frame.values }] : []));
      return padLinearScore(model, padLinearClipFeatures(present, model.features));
    },
    description,
  };
}

/** `linear:<file>` checks, one per file. */
const fileChecks = new Map<string, PadCheck>();

/** Every check by id. */
export const PAD_CHECKS: Readonly<Record<string, PadCheck>> = {
  'antispoof-128': model('antispoof-128', 'human-models antispoof, 128×128 crop of the landmark box'),
  'liveness-32': model('liveness-32', 'human-models liveness, 32×32 crop of the landmark box'),
  'minifasnet-v2': model('minifasnet-v2', 'MiniFASNetV2, landmark box ×2.7, softmax real'),
  'minifasnet-v1se': model('minifasnet-v1se', 'MiniFASNetV1SE, landmark box ×4.0, softmax real'),
  minifasnet: fusion('minifasnet-v2', 'minifasnet-v1se', 'MiniFASNet V2 + V1SE, mean of softmax real (upstream fusion), landmark box'),
  'minifasnet-v2@detector': model('minifasnet-v2@detector', 'MiniFASNetV2 on the BlazeFace box'),
  'minifasnet-v1se@detector': model('minifasnet-v1se@detector', 'MiniFASNetV1SE on the BlazeFace box'),
  'minifasnet-v2@mesh1.2': model('minifasnet-v2@mesh1.2', 'MiniFASNetV2 on the landmark box scaled 1.2×'),
  'minifasnet@detector': fusion('minifasnet-v2@detector', 'minifasnet-v1se@detector', 'MiniFASNet V2 + V1SE on the BlazeFace box'),
  edges: cue('edges', 'device edges: longest straight edge in the 1.2–2.6× ring, in face heights'),
  glare: cue('glare-blob', 'glare: largest near-white blob in the 1.5× box, fraction of the face area'),
  'glare-face': cue('glare-blob-face', 'glare: largest near-white blob in the landmark box itself, fraction of its area'),
  'glare-1.2': cue('glare-blob-1.2', 'glare: largest near-white blob in the 1.2× box, fraction of the face area'),
  'glare-fraction': cue('glare-fraction', 'glare: near-white pixels in the 1.5× box, fraction'),
  moire: cue('moire-peak', 'moiré: strongest spectral peak over the median (radius ≥ 6 cycles) of the face'),
  'moire-hf': cue('moire-hf', 'moiré: high-frequency energy share of the face'),
  'motion-planarity': motion('residualIod', 'natural motion: median over frame pairs of the one-homography residual of rigid landmarks, eye distances'),
  motion: motion('score', 'natural motion: √(motion-planarity residual × eye-aspect-ratio range over the clip)'),
  'colour-sharpness': model('colour-sharpness', 'face colour: ln(Laplacian energy / luma variance) of the 64² face box (raw, higher = sharper)'),
  'colour-contrast': model('colour-contrast', 'face colour: ln(1 + luma variance) of the 64² face box (raw)'),
  'colour-cb-std': model('colour-cb-std', 'face colour: standard deviation of Cb (raw)'),
  'colour-cr-std': model('colour-cr-std', 'face colour: standard deviation of Cr (raw)'),
  'colour-saturation': model('colour-saturation', 'face colour: mean HSV saturation (raw)'),
  'colour-saturation-std': model('colour-saturation-std', 'face colour: standard deviation of the HSV saturation (raw)'),
  linear: linear('trained linear cue (models/pad-linear.json): logistic regression over MiniFASNet scores, natural motion, cue measures and face colour'),
};

/** The check, or an error listing the known ones; `linear:<file>` is the trained cue of that file (a site's `lintel pad train`). */
export function padCheck(id: string): PadCheck {
  if (id.startsWith('linear:')) {
    const file = path.resolve(id.slice('linear:'.length));
    let check = fileChecks.get(file);
    if (!check) {
      check = linear(`trained linear cue (${file})`, file);
      fileChecks.set(file, check);
    }
    return check;
  }
  const check = PAD_CHECKS[id];
  if (!check) throw new RangeError(`no passive check "${id}" (known: ${Object.keys(PAD_CHECKS).join(', ')}, linear:<file>)`);
  return check;
}
