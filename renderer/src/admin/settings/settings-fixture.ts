// A terminal's stored settings, as settings:get answers them on a new terminal with a name: for the settings tests.
import type { Settings } from '../../store/types.js';

export const POLICY: Settings['access.policy'] = {
  framesToAgree: 3,
  unknownAfterFrames: 8,
  lowQualityAfterMs: 5_000,
  cooldownMs: 10_000,
  minInterOcularPx: 40,
  maxAbsYawDeg: 30,
  maxAbsPitchDeg: 30,
  minSharpness: 20,
  minBrightness: 40,
  maxBrightness: 220,
  minLiveness: null,
  liveness: { mode: null, groups: {}, schedules: [], challengeTimeoutMs: 4_000, retryPauseMs: 1_500, maxAttempts: 3, blink: false, naturalMotion: false },
  credential: { mode: 'face', groups: {}, schedules: [], youngChildren: 'card+face', cardTimeoutMs: 10_000 },
  schedules: {},
  doorHours: null,
  allowedGroups: null,
};

export const STORED_SETTINGS: Settings = {
  'terminal.name': 'Front door',
  'camera.uri': null,
  'recognition.extractorModelId': null,
  'recognition.identifySimilarity': null,
  'recognition.targetFpir': 1e-3,
  'liveness.modelId': null,
  'access.policy': POLICY,
  'door.outputs': [{ kind: 'log', name: 'log', includePersonName: false }],
  'door.inputs': { contact: null, exitButton: null, cardReader: null, debounceMs: 50, heldOpenMs: 30_000, consumer: 'lintel-door-inputs' },
  'credentials.format': 'wiegand26',
  'credentials.customFormats': [],
  'admin.idleLogoutMs': 120_000,
  'admin.sessionMaxMs': 28_800_000,
  'door.showDiagnostics': false,
  'events.snapshots': 'denied',
  'events.retentionDays': 365,
  'events.snapshotRetentionDays': 30,
  'import.roots': [],
};
