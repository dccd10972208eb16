// Plain words for the codes the terminal sends: what a person at the door or an administrator reads.
// Each map is typed by its contract enum, so a code added to the contract fails to compile until it has words.
import type { z } from 'zod';

import type {
  decisionReasonSchema,
  enrollmentHintSchema,
  importPersonResultSchema,
  importStatusSchema,
  photoStatusSchema,
  qualityHintSchema,
} from '../contract.js';

export type DecisionReason = z.infer<typeof decisionReasonSchema>;
export type QualityHint = z.infer<typeof qualityHintSchema>;
export type EnrollmentHint = z.infer<typeof enrollmentHintSchema>;
export type PhotoStatus = z.infer<typeof photoStatusSchema>;
export type ImportStatus = z.infer<typeof importStatusSchema>;
export type ImportPersonStatus = z.infer<typeof importPersonResultSchema>['status'];

/** Why access was granted or denied, as the door screen says it. */
export const DECISION_REASON_TEXT: Readonly<Record<DecisionReason, string>> = {
  granted: 'Access granted',
  unknown: 'Face not recognised',
  disabled: 'Access disabled',
  expired: 'Access expired',
  'not-yet-valid': 'Access not yet valid',
  'outside-schedule': 'Outside your access hours',
  'low-quality': 'Could not see your face clearly',
  'liveness-failed': 'Liveness check failed',
};

/** What the person in front of the camera should do. */
export const QUALITY_HINT_TEXT: Readonly<Record<QualityHint, string>> = {
  'come-closer': 'Come closer',
  'look-at-camera': 'Look at the camera',
  'hold-still': 'Hold still',
  'too-dark': 'Too dark',
  'too-bright': 'Too bright',
};

/** Live enrollment guidance, one frame at a time. */
export const ENROLLMENT_HINT_TEXT: Readonly<Record<EnrollmentHint, string>> = {
  'no-face': 'Step in front of the camera',
  'several-faces': 'Only one person, please',
  'come-closer': 'Come closer',
  'look-at-camera': 'Look at the camera',
  'hold-still': 'Hold still',
  'too-dark': 'Too dark',
  'too-bright': 'Too bright',
  ok: 'Hold still…',
};

/** One uploaded photo's outcome. */
export const PHOTO_STATUS_TEXT: Readonly<Record<PhotoStatus, string>> = {
  enrolled: 'Used',
  'no-face': 'No face found',
  'several-faces': 'Several faces',
  'too-small': 'Face too small',
  'poor-quality': 'Poor quality',
  unreadable: 'Not a readable image',
  duplicate: 'Looks like someone enrolled',
};

/** One imported file's outcome. */
export const IMPORT_STATUS_TEXT: Readonly<Record<ImportStatus, string>> = {
  enrolled: 'Enrolled',
  duplicate: 'Duplicate',
  'no-face': 'No face found',
  'several-faces': 'Several faces',
  'too-small': 'Face too small',
  'poor-quality': 'Poor quality',
  unreadable: 'Unreadable',
  skipped: 'Skipped',
  invalid: 'Invalid',
};

/** One imported person's outcome. */
export const IMPORT_PERSON_STATUS_TEXT: Readonly<Record<ImportPersonStatus, string>> = {
  enrolled: 'Enrolled',
  refused: 'Refused',
  skipped: 'Skipped',
  invalid: 'Invalid',
};

/**
 * A logged event's reason in words. The access log stores the reason as free text (older rows may carry codes
 * that are no longer decision reasons), so an unknown one is shown as it is.
 */
export function reasonText(reason: string): string {
  return Object.hasOwn(DECISION_REASON_TEXT, reason) ? DECISION_REASON_TEXT[reason as DecisionReason] : reason;
}
