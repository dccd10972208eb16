/**
 * The passive checks `lintel eval pad` can score, each giving a score where higher means "more like a bona-fide
 * presentation". Frame checks are functions of the cached per-frame measurements (pad-features.ts), combined per
 * clip by the frame rule: models give their real-face probability; cues give 1 / (1 + measure), so more device
 * edge, glare or moiré means a lower score. Clip checks score a whole clip from its frames' landmarks.
 */
import type { MeshObservation } from '../liveness/active/mesh-observation.js';
import { measureNaturalMotion } from '../liveness/natural-motion.js';
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

/** How a check scores a whole clip from its frames' landmarks (the frame rule does not apply). */
export interface PadClipCheck {
  readonly kind: 'clip';
  /** None: clip checks read the landmarks the face search caches. */
  readonly features: readonly PadFeature[];
  /** The clip's score from its frames in order (null: no face in that frame), higher = more bona fide; null when it cannot judge. */
  clipScore(frames: readonly (FrameLandmarks | null)[]): number | null;
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
    const observations = frames.flatMap((landmarks, k): MeshObservation[] => (landmarks ? [{ timestampMs: k, ...landmarks }] : []));
    return measureNaturalMotion(observations)?.[figure] ?? null;
  },
  description,
});

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
};

/** The check, or an error listing the known ones. */
export function padCheck(id: string): PadCheck {
  const check = PAD_CHECKS[id];
  if (!check) throw new RangeError(`no passive check "${id}" (known: ${Object.keys(PAD_CHECKS).join(', ')})`);
  return check;
}
