// Every setting of the terminal, once: its schema (what is valid), its default and what it does. The settings
// repository stores them, the contract's settings:get and settings:update speak them, and the settings screen
// checks a form with them before sending it. Adding a setting touches this map, the one place that applies it
// (usually TerminalApp.updateSettings) and the screen.
import { z } from 'zod';

import { credentialsFormatSchema, customCardFormatsSchema, DEFAULT_CARD_FORMAT, type CustomCardFormat } from './card-formats.js';
import { decisionSettingsSchema } from './decision-settings.js';
import { doorInputsConfigSchema } from './door-inputs.js';
import { doorOutputsConfigSchema } from './door-outputs.js';
import { freeText } from './fields.js';

/**
 * Every setting: its schema and its default. Defaults live here, not in the database, so adding a setting
 * needs no migration and an untouched setting follows a changed default.
 */
export const SETTINGS = {
  /** Name shown on the kiosk and in exported logs. */
  'terminal.name': { schema: freeText.trim().min(1).max(64), default: 'Lintel' },
  /**
   * Camera URI (`v4l2:/dev/video0?…`, `file:<folder|video>`); null = the host's default (LINTEL_CAMERA, or the
   * demo source). A change restarts the camera.
   */
  'camera.uri': { schema: freeText.trim().min(1).max(4096).nullable(), default: null },
  /** Extractor for new templates and the gallery; null = the manifest's default. A change starts a rebuild. */
  'recognition.extractorModelId': { schema: freeText.min(1).max(100).nullable(), default: null },
  /**
   * 1:N acceptance threshold set by hand, cosine -1..1, shown as an override; null = the threshold follows the
   * gallery size and `recognition.targetFpir` on the extractor's identification curve (or, without a curve, the
   * manifest's fixed threshold for the extractor).
   */
  'recognition.identifySimilarity': { schema: z.number().min(-1).max(1).nullable(), default: null },
  /**
   * Target false-positive identification rate per search (a stranger named as someone enrolled), 1e-6..1e-1;
   * the 1:N threshold is chosen for it at the current gallery size. A change applies at once.
   */
  'recognition.targetFpir': { schema: z.number().min(1e-6).max(1e-1), default: 1e-3 },
  /**
   * Passive liveness model from the manifest (e.g. `minifasnet-v2`); null = the manifest's
   * `defaults.passiveLiveness` model, where it has been added. It only scores: the liveness policy
   * (`access.policy.liveness`) says when the passive check counts, and it can only refuse.
   */
  'liveness.modelId': { schema: freeText.min(1).max(100).nullable(), default: null },
  /** The decision policy: quality gates, frames to agree, cooldown, liveness score, weekly schedules. */
  'access.policy': { schema: decisionSettingsSchema, default: decisionSettingsSchema.parse({}) },
  /** Door outputs (relay pulse length and level, webhooks); default one log output. */
  'door.outputs': { schema: doorOutputsConfigSchema, default: doorOutputsConfigSchema.parse([{ kind: 'log' }]) },
  /**
   * The door contact and exit button on GPIO inputs (each null = none, the default), the debounce and the time
   * after which an open door is held open.
   */
  'door.inputs': { schema: doorInputsConfigSchema, default: doorInputsConfigSchema.parse({}) },
  /**
   * Bit format of the people's card credentials, which panel outputs send on a grant: `wiegand26` (facility
   * 0–255, card 0–65535), `wiegand34` (facility and card 0–65535) or a name from `credentials.customFormats`.
   */
  'credentials.format': { schema: credentialsFormatSchema, default: DEFAULT_CARD_FORMAT as string },
  /** Site-specific card formats (layout and parity lines as the card's data sheet prints them); default none. */
  'credentials.customFormats': { schema: customCardFormatsSchema, default: [] as CustomCardFormat[] },
  /**
   * An admin session ends after this long without a touch, ms: the kiosk page logs out, and the terminal ends
   * the session after this long without a call even when no page is open.
   */
  'admin.idleLogoutMs': { schema: z.int().min(15_000).max(3_600_000), default: 120_000 },
  /** An admin session ends this long after the login whatever the activity, ms; 5 minutes to 12 hours. */
  'admin.sessionMaxMs': { schema: z.int().min(300_000).max(43_200_000), default: 8 * 60 * 60_000 },
  /**
   * The door screen also shows what a technician needs (track numbers, where the models run, frame rate and
   * latency); off, people at the door see only what concerns them.
   */
  'door.showDiagnostics': { schema: z.boolean(), default: false },
  /** Which events keep a snapshot of the face. */
  'events.snapshots': { schema: z.enum(['none', 'denied', 'all']), default: 'all' },
  /** Events older than this are deleted, days. */
  'events.retentionDays': { schema: z.int().min(1).max(3650), default: 90 },
  /** Snapshots older than this are deleted (the events stay), days; at most events.retentionDays to matter. */
  'events.snapshotRetentionDays': { schema: z.int().min(0).max(3650), default: 30 },
  /**
   * Folders bulk imports may read (absolute paths, e.g. where a USB stick mounts), besides the data folder's
   * `imports/`, which always is one. A folder, CSV or photo elsewhere is refused, links followed. Absolute
   * POSIX or Windows paths; the terminal skips one that is not absolute on its own platform.
   */
  'import.roots': { schema: z.array(freeText.trim().min(1).max(4096).regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'must be an absolute path')).max(16), default: [] as string[] },
} as const satisfies Record<string, { schema: z.ZodType; default: unknown }>;

/** A setting's key. */
export type SettingKey = keyof typeof SETTINGS;
/** Every setting with its type. */
export type Settings = { -readonly [K in SettingKey]: z.output<(typeof SETTINGS)[K]['schema']> };

/**
 * Every setting's schema, key by key: what `settings:get` answers and, `.partial()`, what `settings:update` takes.
 * The setting schemas carry no default of their own at the top, so a partial update leaves the others alone.
 */
export const settingsSchema = z.strictObject(Object.fromEntries(Object.entries(SETTINGS).map(([key, entry]) => [key, entry.schema])) as { [K in SettingKey]: (typeof SETTINGS)[K]['schema'] });

export const settingKeySchema = settingsSchema.keyof();

/** True when `key` names a setting (for keys arriving over IPC). */
export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTINGS, key);
}

/** The defaults of every setting. */
export function defaultSettings(): Settings {
  return Object.fromEntries(Object.entries(SETTINGS).map(([key, entry]) => [key, entry.default])) as Settings;
}
