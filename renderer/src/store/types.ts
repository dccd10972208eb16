// Wire types the UI keeps in its state, all derived from the contract.
import type { ResponseOf, StreamMessageOf } from '../contract.js';

export type TerminalHealth = ResponseOf<'health:get'>;
export type StageTimingsMs = NonNullable<TerminalHealth['lastTimingsMs']>;
export type DecisionEvent = StreamMessageOf<'decision'>['decision'];
export type EnrollmentFeedback = StreamMessageOf<'enrollment-feedback'>['feedback'];
export type ChallengePrompt = NonNullable<StreamMessageOf<'challenge'>['prompt']>;
export type Settings = ResponseOf<'settings:get'>['settings'];
/** What the access-control panel shows through the terminal as its reader (OSDP). */
export type PanelState = StreamMessageOf<'panel'>;
