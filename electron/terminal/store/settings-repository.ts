import type Database from 'better-sqlite3';
import { z } from 'zod';

import { defaultSettings, isSettingKey, SETTINGS, type SettingKey, type Settings } from '../../shared/shapes/settings.js';
import { StoreError } from './errors.js';

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
