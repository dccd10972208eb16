// The contract describes wire shapes with its own zod schemas (this folder may import zod alone); these
// checks fail `tsc` when a service type and its mirror drift apart. Two directions matter:
//   service value → response: an implementation can return what the service gives it;
//   parsed request → service input: an implementation can hand the request to the service as it is.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { z } from 'zod';

import type { qualityHint } from '../../terminal/access/decision-policy.js';
import { decisionSettingsSchema as serviceDecisionSettingsSchema, type DecisionSettings } from '../shapes/decision-settings.js';
import type { ImportPersonResult, ImportSummary } from '../../terminal/enrollment/bulk-import.js';
import type { DuplicateWarning, EnrollSamplesResult } from '../../terminal/enrollment/duplicates.js';
import type { EnrollFromPhotosResult } from '../../terminal/enrollment/enroll-photos.js';
import type { EnrollmentFeedback } from '../../terminal/enrollment/live-enrollment.js';
import type { AccessEvent, EventCursor, EventQuery } from '../../terminal/store/events-repository.js';
import { StoreError, type StoreErrorCode } from '../../terminal/store/errors.js';
import type { Person, PersonInput, PersonListQuery, PersonPatch, PersonSummary } from '../../terminal/store/persons-repository.js';
import { defaultSettings, SETTINGS, type SettingKey, type Settings } from '../shapes/settings.js';
import type { LivenessCue, LivenessMode } from '../shapes/liveness-policy.js';
import type { ChallengePrompt } from '../../terminal/access/track-challenges.js';
import type { DecisionEvent, TerminalHealth, TrackedFace } from '../../terminal/terminal-service.js';
import type { ModelListing } from '../../terminal/models/added-models.js';
import type { AppHealth } from '../../terminal/app/terminal-app.js';
import { contract, type ParsedRequestOf, type ResponseOf } from './channels.js';
import { createHandler, type DeepReadonly } from './handler.js';
import type { ErrorCode } from './result.js';
import * as wire from './schemas.js';
import type { challengePromptSchema, overlayFaceSchema } from './streams.js';

/** What an implementation may return for a schema. */
type Returnable<S extends z.ZodType> = DeepReadonly<z.input<S>>;
type Assignable<From, To> = [From] extends [To] ? true : false;
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;

// Service values → responses.
export type _ServiceToWire = [
  Expect<Assignable<Person, Returnable<typeof wire.personSchema>>>,
  Expect<Assignable<PersonSummary, Returnable<typeof wire.personSummarySchema>>>,
  Expect<Assignable<AccessEvent, Returnable<typeof wire.accessEventSchema>>>,
  Expect<Assignable<EventCursor, Returnable<typeof wire.eventCursorSchema>>>,
  Expect<Assignable<Settings, Returnable<typeof wire.settingsSchema>>>,
  Expect<Assignable<DecisionSettings, Returnable<typeof wire.decisionSettingsSchema>>>,
  Expect<Assignable<TerminalHealth, Returnable<typeof wire.terminalHealthSchema>>>,
  Expect<Assignable<AppHealth, Returnable<typeof wire.terminalHealthSchema>>>,
  Expect<Assignable<DecisionEvent, Returnable<typeof wire.decisionEventSchema>>>,
  Expect<Assignable<DuplicateWarning, Returnable<typeof wire.duplicateWarningSchema>>>,
  Expect<Assignable<EnrollFromPhotosResult, Returnable<typeof wire.enrollResultSchema>>>,
  Expect<Assignable<EnrollSamplesResult, DeepReadonly<ResponseOf<'enroll:live-commit'>>>>,
  Expect<Assignable<EnrollmentFeedback, Returnable<typeof wire.enrollmentFeedbackSchema>>>,
  Expect<Assignable<ImportPersonResult, Returnable<typeof wire.importPersonResultSchema>>>,
  Expect<Assignable<ImportSummary, Returnable<typeof wire.importSummarySchema>>>,
  // Channel responses built straight from repository results.
  Expect<Assignable<{ persons: PersonSummary[]; total: number }, DeepReadonly<ResponseOf<'persons:list'>>>>,
  Expect<Assignable<{ events: AccessEvent[]; nextCursor: EventCursor | null }, DeepReadonly<ResponseOf<'events:query'>>>>,
  Expect<Assignable<{ settings: Settings; invalidStoredKeys: SettingKey[] }, DeepReadonly<ResponseOf<'settings:get'>>>>,
  Expect<Assignable<DecisionEvent[], DeepReadonly<ResponseOf<'decisions:recent'>>>>,
  Expect<Assignable<ModelListing[], DeepReadonly<ResponseOf<'models:list'>>>>,
  Expect<Assignable<ModelListing, DeepReadonly<ResponseOf<'models:add'>>>>,
  // The live overlay's fields come from TrackedFace and the policy's hint.
  Expect<Assignable<TrackedFace['boxNorm'], Returnable<typeof overlayFaceSchema>['boxNorm']>>,
  Expect<Assignable<TrackedFace['match'], Returnable<typeof overlayFaceSchema>['match']>>,
  Expect<Assignable<ReturnType<typeof qualityHint>, Returnable<typeof overlayFaceSchema>['qualityHint']>>,
  Expect<Assignable<ChallengePrompt, Returnable<typeof challengePromptSchema>>>,
];

// Parsed requests → service inputs.
export type _WireToService = [
  Expect<Assignable<ParsedRequestOf<'persons:create'>, PersonInput>>,
  Expect<Assignable<ParsedRequestOf<'persons:update'>['patch'], PersonPatch>>,
  Expect<Assignable<ParsedRequestOf<'persons:list'>, PersonListQuery>>,
  Expect<Assignable<ParsedRequestOf<'events:query'>, EventQuery>>,
  Expect<Assignable<ParsedRequestOf<'enroll:photos'>['person'], PersonInput>>,
  Expect<Assignable<ParsedRequestOf<'enroll:live-commit'>['person'], PersonInput>>,
  Expect<Assignable<ParsedRequestOf<'settings:update'>['values'], Partial<Settings>>>,
  Expect<Assignable<z.output<typeof wire.decisionSettingsSchema>, DecisionSettings>>,
];

// Same keys, and for the settings the very same types: a setting added to SETTINGS must be added here too.
export type _SameKeys = [
  Expect<Equal<z.output<typeof wire.settingsSchema>, Settings>>,
  Expect<Equal<z.output<typeof wire.decisionSettingsSchema>, DecisionSettings>>,
  Expect<Equal<keyof z.output<typeof wire.settingsSchema>, SettingKey>>,
  Expect<Equal<keyof z.output<typeof wire.decisionSettingsSchema>, keyof DecisionSettings>>,
  Expect<Equal<keyof z.output<typeof wire.faceQualitySchema>, keyof NonNullable<AccessEvent['quality']>>>,
  Expect<Equal<z.output<typeof wire.livenessModeSchema>, LivenessMode>>,
  Expect<Equal<z.output<typeof wire.livenessCueSchema>, LivenessCue>>,
];

test("the service's defaults are valid on the wire", () => {
  assert.deepEqual(wire.settingsSchema.parse(defaultSettings()), defaultSettings());
  const policy = serviceDecisionSettingsSchema.parse({});
  assert.deepEqual(wire.decisionSettingsSchema.parse(policy), policy);
  assert.deepEqual(contract['settings:update'].request.parse({ values: defaultSettings() }).values, defaultSettings());
});

test("the contract's settings bounds match SETTINGS at their edges", () => {
  const probes: Record<SettingKey, unknown[]> = {
    'terminal.name': ['', 'x'.repeat(64), 'x'.repeat(65), 7],
    'camera.uri': [null, '', 'file:/x', 'x'.repeat(4097)],
    'recognition.extractorModelId': [null, '', 'x'.repeat(100), 'x'.repeat(101)],
    'recognition.identifySimilarity': [null, -1.01, -1, 1, 1.01],
    'recognition.targetFpir': [null, 0, 9.9e-7, 1e-6, 1e-3, 0.1, 0.11],
    'liveness.modelId': [null, '', 'antispoof-128'],
    'access.policy': [defaultSettings()['access.policy'], { ...defaultSettings()['access.policy'], framesToAgree: 0 }, { ...defaultSettings()['access.policy'], cooldownMs: -1 }],
    'door.outputs': [defaultSettings()['door.outputs'], [{ kind: 'gpio', name: 'relay', chipPath: '/dev/gpiochip3', line: 7, activeLow: false, pulseMs: 99, consumer: 'x' }]],
    'door.inputs': [
      defaultSettings()['door.inputs'],
      { ...defaultSettings()['door.inputs'], contact: { chipPath: '/dev/gpiochip3', line: 5, openLevel: 'high', bias: 'pull-up' } },
      { ...defaultSettings()['door.inputs'], exitButton: { chipPath: '/dev/gpiochip3', line: 1024, pressedLevel: 'low', bias: 'pull-up' } },
      { ...defaultSettings()['door.inputs'], debounceMs: 1001 },
      { ...defaultSettings()['door.inputs'], heldOpenMs: 4999 },
    ],
    'credentials.format': ['wiegand26', 'h10304', '', 'Bad Name', 'x'.repeat(33)],
    'credentials.customFormats': [[], [{ name: 'h10304', layout: `P${'F'.repeat(16)}${'C'.repeat(19)}P`, parity: [`E${'X'.repeat(18)}${'.'.repeat(18)}`, `${'.'.repeat(18)}${'X'.repeat(18)}O`] }], [{ name: 'x', layout: 'CZ', parity: [] }]],
    'admin.idleLogoutMs': [14_999, 15_000, 3_600_000, 3_600_001],
    'admin.sessionMaxMs': [299_999, 300_000, 43_200_000, 43_200_001, 1e6 + 0.5],
    'door.showDiagnostics': [true, false, 'yes', null],
    'events.snapshots': ['none', 'denied', 'all', 'some'],
    'events.retentionDays': [0, 1, 3650, 3651, 2.5],
    'events.snapshotRetentionDays': [-1, 0, 3650, 3651],
    'import.roots': [[], ['/media/usb'], ['media/usb'], [''], ['/'.repeat(4097)], Array(16).fill('/m'), Array(17).fill('/m')],
  };
  const shape = wire.settingsSchema.shape;
  for (const [key, values] of Object.entries(probes) as [SettingKey, unknown[]][]) {
    for (const value of values) {
      assert.equal(shape[key].safeParse(value).success, SETTINGS[key].schema.safeParse(value).success, `${key} = ${JSON.stringify(value)}`);
    }
  }
});

test("StoreErrors through the handler: the codes the UI acts on pass through, the rest are 'internal'", async () => {
  const expected: Record<StoreErrorCode, ErrorCode> = {
    'not-found': 'not-found',
    conflict: 'conflict',
    invalid: 'invalid-request',
    'schema-too-new': 'internal',
    'not-lintel': 'internal',
    'key-file': 'internal',
    'key-mismatch': 'internal',
    decrypt: 'internal',
    'migration-failed': 'internal',
    'backup-invalid': 'internal',
  };
  let thrown: StoreErrorCode = 'not-found';
  const handle = createHandler(
    { 'persons:get': contract['persons:get'] },
    {
      'persons:get': () => {
        throw new StoreError(thrown, `store says ${thrown}`);
      },
    },
    { logger: { error: () => undefined }, authorize: () => true },
  );
  for (const [code, want] of Object.entries(expected) as [StoreErrorCode, ErrorCode][]) {
    thrown = code;
    const result = await handle('persons:get', { id: '0b6f3a52-5d3c-4c1e-9a57-3f1c2b7e8d90' }, { senderOk: true });
    assert.deepEqual(result.ok ? undefined : result.error.code, want, code);
  }
});
