import type { z } from 'zod';

import type { AnalysedFace } from '../../vision/pipeline/face-pipeline.js';
import type { FaceQuality } from '../../vision/quality/face-quality.js';
import { decisionSettingsSchema, type QualityHint } from '../../shared/shapes/decision-settings.js';
import { qualityHint } from '../access/decision-policy.js';

/**
 * Quality gates of an enrollment sample: the access policy's own fields and defaults (inter-ocular px, yaw and
 * pitch degrees, sharpness, brightness 0..255), so a sample and a door frame are judged by one rule.
 */
export const enrollmentGatesSchema = decisionSettingsSchema.pick({
  minInterOcularPx: true,
  maxAbsYawDeg: true,
  maxAbsPitchDeg: true,
  minSharpness: true,
  minBrightness: true,
  maxBrightness: true,
});
export type EnrollmentGates = z.infer<typeof enrollmentGatesSchema>;

const ACCESS_DEFAULTS = decisionSettingsSchema.parse({});

/**
 * Gates for photo files: the access defaults, but faces down to 32 px between the eyes. Photos cannot be
 * retaken, and LFW-sized portraits (median 41 px, 5th percentile 34 px) are what the extractor thresholds
 * were calibrated on; below ~32 px the 150-px aligned crop is upscaled more than 1.6×.
 */
export const PHOTO_ENROLLMENT_GATES: EnrollmentGates = Object.freeze({ ...enrollmentGatesSchema.parse({}), minInterOcularPx: 32 });

/**
 * Gates for the live camera: the access defaults, but the head within 20° of frontal. The person is there and
 * follows the hints, so the references can be better than what the door accepts from a passer-by; the
 * distance gate stays the door's, so samples look like the probes they will be matched against.
 */
export const LIVE_ENROLLMENT_GATES: EnrollmentGates = Object.freeze({ ...enrollmentGatesSchema.parse({}), maxAbsYawDeg: 20, maxAbsPitchDeg: 20 });

/** `base` with `overrides` applied, validated (a ZodError for an out-of-range gate). */
export function resolveGates(base: EnrollmentGates, overrides: Partial<EnrollmentGates> = {}): EnrollmentGates {
  return enrollmentGatesSchema.parse({ ...base, ...overrides });
}

/** The first gate a face fails, as a hint (same order as the access policy), or null when it passes them all. */
export function gateHint(quality: FaceQuality, gates: EnrollmentGates): QualityHint | null {
  return qualityHint(quality, { ...ACCESS_DEFAULTS, ...gates });
}

/** Why `hint` was given for `quality`, with the figure and the limit, for a per-file result or a log. */
export function describeHint(hint: QualityHint, quality: FaceQuality, gates: EnrollmentGates): string {
  const round = (value: number): number => Math.round(value);
  switch (hint) {
    case 'come-closer':
      return `face too small: ${round(quality.interOcularPx)} px between the eyes, at least ${gates.minInterOcularPx} needed`;
    case 'look-at-camera':
      return `not facing the camera: yaw ${round(quality.yawDeg)}°, pitch ${round(quality.pitchDeg)}° (at most ±${gates.maxAbsYawDeg}° / ±${gates.maxAbsPitchDeg}°)`;
    case 'too-dark':
      return `face too dark: brightness ${round(quality.brightness)}, at least ${gates.minBrightness} needed`;
    case 'too-bright':
      return `face too bright: brightness ${round(quality.brightness)}, at most ${gates.maxBrightness}`;
    case 'hold-still':
      return `face blurred: sharpness ${round(quality.sharpness)}, at least ${gates.minSharpness} needed`;
  }
}

/** Short quality figures of an accepted face, for a per-file result. */
export function describeQuality(quality: FaceQuality): string {
  const round = (value: number): number => Math.round(value);
  return `${round(quality.interOcularPx)} px between the eyes, yaw ${round(quality.yawDeg)}°, pitch ${round(quality.pitchDeg)}°, sharpness ${round(quality.sharpness)}, brightness ${round(quality.brightness)}`;
}

/** The face to enroll among those found, or why there is none. */
export type SubjectChoice =
  | { readonly kind: 'none' }
  | { readonly kind: 'several'; readonly count: number; readonly largestPx: number; readonly nextPx: number }
  | { readonly kind: 'one'; readonly face: AnalysedFace; readonly othersCount: number };

/**
 * Picks the person to enroll: the only face, or, with several, the largest when its inter-ocular distance is
 * at least `dominanceRatio` × the next one's (a bystander twice as far away cannot be the subject). Pass
 * Infinity to refuse every image with more than one face. Faces must be sorted largest first, as
 * FacePipeline.analyse returns them.
 */
export function pickSubject(faces: readonly AnalysedFace[], dominanceRatio: number): SubjectChoice {
  const [largest, next] = faces;
  if (!largest) return { kind: 'none' };
  if (!next) return { kind: 'one', face: largest, othersCount: 0 };
  const largestPx = largest.quality.interOcularPx;
  const nextPx = next.quality.interOcularPx;
  if (largestPx >= dominanceRatio * nextPx) return { kind: 'one', face: largest, othersCount: faces.length - 1 };
  return { kind: 'several', count: faces.length, largestPx, nextPx };
}

/** Default of `dominanceRatio`: the subject's eyes at least twice as far apart as anyone else's. */
export const DEFAULT_DOMINANCE_RATIO = 2;
