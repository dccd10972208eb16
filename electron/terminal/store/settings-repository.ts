import { isAbsolute } from 'node:path';

import type Database from 'better-sqlite3';
import { z } from 'zod';

import { credentialsFormatSchema, customCardFormatsSchema, type CustomCardFormat } from '../../shared/shapes/card-formats.js';
import { decisionSettingsSchema } from '../../shared/shapes/decision-settings.js';
import { doorInputsConfigSchema } from '../../shared/shapes/door-inputs.js';
import { doorOutputsConfigSchema } from '../../shared/shapes/door-outputs.js';
import { DEFAULT_CARD_FORMAT } from '../door/card-format.js';
import { StoreError } from './errors.js';

/**
 * Every setting: its schema and its default. Defaults live here, not in the database, so adding a setting
 * needs no migration and an untouched setting follows a changed default.
 */
export const SETTINGS = {
  /** Name shown on the kiosk and in exported logs. */
  'terminal.name': { schema: z.string().trim().min(1).max(64), default: 'Lintel' },
  /**
   * Camera URI (`v4l2:/dev/video0?…`, `file:<folder|video>`); null = the host's default (LINTEL_CAMERA, or the
   * demo source). A change restarts the camera.
   */
  'camera.uri': { schema: z.string().trim().min(1).max(4096).nullable(), default: null },
  /** Extractor for new templates and the gallery; null = the manifest's default. A change starts a rebuild. */
  'recognition.extractorModelId': { schema: z.string().min(1).max(100).nullable(), default: null },
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
  'liveness.modelId': { schema: z.string().min(1).max(100).nullable(), default: null },
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
  'admin.idleLogoutMs': { schema: z.number().int().min(15_000).max(3_600_000), default: 120_000 },
  /** An admin session ends this long after the login whatever the activity, ms; 5 minutes to 12 hours. */
  'admin.sessionMaxMs': { schema: z.number().int().min(300_000).max(43_200_000), default: 8 * 60 * 60_000 },
  /**
   * The door screen also shows what a technician needs (track numbers, where the models run, frame rate and
   * latency); off, people at the door see only what concerns them.
   */
  'door.showDiagnostics': { schema: z.boolean(), default: false },
  /** Which events keep a snapshot of the face. */
  'events.snapshots': { schema: z.enum(['none', 'denied', 'all']), default: 'all' },
  /** Events older than this are deleted, days. */
  'events.retentionDays': { schema: z.number().int().min(1).max(3650), default: 90 },
  /** Snapshots older than this are deleted (the events stay), days; at most events.retentionDays to matter. */
  'events.snapshotRetentionDays': { schema: z.number().int().min(0).max(3650), default: 30 },
  /**
   * Folders bulk imports may read (absolute paths, e.g. where a USB stick mounts), besides the data folder's
   * `imports/`, which always is one. A folder, CSV or photo elsewhere is refused, links followed.
   */
  'import.roots': { schema: z.array(z.string().trim().min(1).max(4096).refine(isAbsolute, 'must be an absolute path')).max(16), default: [] as string[] },
} as const satisfies Record<string, { schema: z.ZodType; default: unknown }>;

/** A setting's key. */
export type SettingKey = keyof typeof SETTINGS;
/** Every setting with its type. */
export type Settings = { -readonly [K in SettingKey]: z.infer<(typeof SETTINGS)[K]['schema']> };

/** True when `key` names a setting (for keys arriving over IPC). */
export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTINGS, key);
}

/** The defaults of every setting. */
export function defaultSettings(): Settings {
  return Object.fromEntries(Object.entries(SETTINGS).map(([key, entry]) => [key, entry.default])) as Settings;
}

/** Typed settings: values validated with zod on the way in and on the way out, defaults for what is unset. */
export class SettingsRepository {
  private readonly selectAll;
  private readonly selectOne;
  private readonly upsert;
  private readonly deleteOne;

  constructor(
    private readonly db: Database.Database,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.selectAll = db.prepare<[], { key: string; value_json: string }>('SELECT key, value_json FROM settings');
    this.selectOne = db.prepare<[string], string>('SELECT value_json FROM settings WHERE key = ?').pluck();
    this.upsert = db.prepare<[string, string, number]>(
      `INSERT INTO settings (key, value_json, updated_at_ms) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at_ms = excluded.updated_at_ms`,
    );
    this.deleteOne = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
  }

  /** One setting: the stored value, or the default when unset or no longer valid. */
  get<K extends SettingKey>(key: K): Settings[K] {
    const stored = this.selectOne.get(key);
    return stored === undefined ? defaultSettings()[key] : this.readStored(key, stored).value;
  }

  /** Every setting (see `get`). */
  getAll(): Settings {
    const settings = defaultSettings();
    for (const { key, value_json } of this.selectAll.all()) {
      // Keys of settings since removed from the code are ignored, not an error.
      if (isSettingKey(key)) (settings as Record<string, unknown>)[key] = this.readStored(key, value_json).value;
    }
    return settings;
  }

  /**
   * Keys whose stored value fails today's schema (e.g. a range was narrowed) and so read as the default;
   * for a warning in the admin UI.
   */
  invalidStoredKeys(): SettingKey[] {
    return this.selectAll.all().flatMap(({ key, value_json }) => (isSettingKey(key) && !this.readStored(key, value_json).valid ? [key] : []));
  }

  /** Stores one setting and returns the parsed value; a StoreError 'invalid' naming the problem. */
  set<K extends SettingKey>(key: K, value: Settings[K]): Settings[K] {
    return this.update({ [key]: value } as Partial<Settings>)[key];
  }

  /** Stores several settings at once: all are validated first, so a bad one changes none. Returns them all. */
  update(values: Partial<Settings>): Settings {
    const parsed = Object.entries(values).map(([key, value]) => {
      if (!isSettingKey(key)) throw new StoreError('invalid', `unknown setting "${key}"`);
      const result = SETTINGS[key].schema.safeParse(value);
      if (!result.success) throw new StoreError('invalid', `setting ${key}: ${z.prettifyError(result.error)}`);
      return [key, JSON.stringify(result.data)] as const;
    });
    const nowMs = this.nowMs();
    this.db.transaction(() => {
      for (const [key, json] of parsed) this.upsert.run(key, json, nowMs);
    })();
    return this.getAll();
  }

  /** Returns a setting to its default. */
  reset(key: SettingKey): void {
    this.db.transaction(() => this.deleteOne.run(key))();
  }

  private readStored<K extends SettingKey>(key: K, json: string): { value: Settings[K]; valid: boolean } {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      return { value: defaultSettings()[key], valid: false };
    }
    const result = SETTINGS[key].schema.safeParse(raw);
    return result.success ? { value: result.data as Settings[K], valid: true } : { value: defaultSettings()[key], valid: false };
  }
}
