// Plain words for the codes the terminal sends: what a person at the door or an administrator reads.
// Each map is typed by its contract enum, so a code added to the contract fails to compile until it has words.
import type { z } from 'zod';

import type {
  challengePromptSchema,
  decisionReasonSchema,
  enrollmentHintSchema,
  importPersonResultSchema,
  importStatusSchema,
  livenessCueSchema,
  livenessModeSchema,
  photoStatusSchema,
  qualityHintSchema,
  terminalHealthSchema,
} from '../contract.js';

export type DecisionReason = z.infer<typeof decisionReasonSchema>;
export type QualityHint = z.infer<typeof qualityHintSchema>;
export type EnrollmentHint = z.infer<typeof enrollmentHintSchema>;
export type PhotoStatus = z.infer<typeof photoStatusSchema>;
export type ImportStatus = z.infer<typeof importStatusSchema>;
export type ImportPersonStatus = z.infer<typeof importPersonResultSchema>['status'];
export type LivenessCue = z.infer<typeof livenessCueSchema>;
export type LivenessMode = z.infer<typeof livenessModeSchema>;
export type ChallengeAction = z.infer<typeof challengePromptSchema>['action'];
export type DoorState = NonNullable<z.infer<typeof terminalHealthSchema>['door']>['state'];

/** Why access was granted or denied, as the door screen says it. */
export const DECISION_REASON_TEXT: Readonly<Record<DecisionReason, string>> = {
  granted: 'Access granted',
  unknown: 'Face not recognised',
  disabled: 'Access disabled',
  expired: 'Access expired',
  'not-yet-valid': 'Access not yet valid',
  'outside-schedule': 'Outside the access hours',
  'not-allowed-here': 'Not allowed at this door',
  'low-quality': 'Could not see your face clearly',
  'liveness-failed': 'Liveness check failed',
  'card-required': 'Present your card, then look at the camera',
  'unknown-card': 'Card not recognised',
  'card-face-mismatch': 'Face does not match the card',
  'card-no-face': 'No face seen after the card',
  'card-face-not-enrolled': 'No face enrolled for this card',
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

/** Which liveness check failed, as the events screen says it. */
export const LIVENESS_CUE_TEXT: Readonly<Record<LivenessCue, string>> = {
  passive: 'The passive check judged the face not live',
  motion: 'Stayed as still as a photo',
  trained: "The site's trained check judged the face a photo or a screen",
  timeout: 'Did not do what was asked in time',
  planar: 'Moved as one flat picture',
  'no-parallax': 'No depth in the head turn',
  'wrong-direction': 'Turned the wrong way',
  'no-blink': 'No blink',
  'track-lost': 'The face was lost',
};

/** The liveness modes, as the settings name them. */
export const LIVENESS_MODE_TEXT: Readonly<Record<LivenessMode, string>> = {
  off: 'Off',
  passive: 'Passive',
  active: 'Challenge',
  'passive+active': 'Passive + challenge',
};

/**
 * A credential mode (`access.policy.credential`, credentialModeSchema in electron/shared/shapes/credential-policy.ts)
 * in words; CredentialPolicyFields indexes it by that enum, so a new mode fails to compile until it has words.
 */
export const CREDENTIAL_MODE_TEXT: Readonly<Record<'face' | 'card+face', string>> = {
  face: 'Face alone',
  'card+face': 'Card, then face',
};

/** A liveness cue in words; one this UI does not know is shown as it is. */
export function cueText(cue: string): string {
  return Object.hasOwn(LIVENESS_CUE_TEXT, cue) ? LIVENESS_CUE_TEXT[cue as LivenessCue] : cue;
}

/** The card shown at the door, as the Events screens say it: "card 34567", "card 34567 (facility 12)". */
export function cardText(card: { readonly facilityCode: number | null; readonly cardNumber: number }): string {
  return card.facilityCode === null ? `card ${card.cardNumber}` : `card ${card.cardNumber} (facility ${card.facilityCode})`;
}

/**
 * What the door asks, in the person's own terms: their left is their left. The door screen is a mirror, so
 * their left is also the screen's left, where the arrow points.
 */
export function challengeText(action: ChallengeAction): string {
  return action.kind === 'blink' ? 'Blink your eyes' : `Turn your head to the ${action.direction}`;
}

/**
 * The challenge in a few words beside the face it concerns (the camera view, mirrored like the screen): an
 * arrow on the side to turn to, or "Try again" between a failed attempt and the next.
 */
export function challengeLabel(prompt: { readonly status: 'waiting' | 'passed' | 'failed'; readonly action: ChallengeAction }): string {
  if (prompt.status === 'failed') return 'Try again';
  if (prompt.action.kind === 'blink') return 'Blink';
  return prompt.action.direction === 'left' ? '← Turn left' : 'Turn right →';
}

/**
 * A logged event's reason in words. The access log stores the reason as free text (older rows may carry codes
 * that are no longer decision reasons), so an unknown one is shown as it is.
 */
export function reasonText(reason: string): string {
  if (Object.hasOwn(DECISION_REASON_TEXT, reason)) return DECISION_REASON_TEXT[reason as DecisionReason];
  return Object.hasOwn(DOOR_EVENT_TEXT, reason) ? (DOOR_EVENT_TEXT[reason] ?? reason) : reason;
}

/** The access log's events that are not faces at the door: the door's own inputs and an administrator's buttons. */
export const DOOR_EVENT_TEXT: Readonly<Record<string, string>> = {
  'exit-request': 'Exit button',
  'door-forced-open': 'Door forced open',
  'door-held-open': 'Door held open',
  'remote-open': 'Opened by an administrator',
  'output-test': 'Output test',
  'card-unreadable': 'Card could not be read',
};

/** Where the door is (the door contact), in a few words for the door screen and the System screen. */
export const DOOR_STATE_TEXT: Readonly<Record<DoorState, string>> = {
  closed: 'Door closed',
  open: 'Door open',
  'forced-open': 'Door forced open',
  'held-open': 'Door held open',
  unknown: 'Door not watched',
};
