import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type Database from 'better-sqlite3';

import { openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { defaultSettings, isSettingKey, type Settings } from '../../shared/shapes/settings.js';
import { SettingsRepository } from './settings-repository.js';
import { tempDir } from './test/test-helpers.js';

function setup(t: { after(fn: () => void): void }): { db: Database.Database; settings: SettingsRepository } {
  const db = openDatabase({ dataDir: tempDir(t) });
  t.after(() => db.close());
  return { db, settings: new SettingsRepository(db, () => 42) };
}

const invalid = (pattern: RegExp) => (error: unknown): boolean => error instanceof StoreError && error.code === 'invalid' && pattern.test(error.message);

describe('SettingsRepository', () => {
  test('reads defaults when nothing is stored', (t) => {
    const { settings } = setup(t);
    assert.deepEqual(settings.getAll(), defaultSettings());
    assert.equal(settings.get('admin.idleLogoutMs'), 120_000);
    assert.equal(settings.get('recognition.extractorModelId'), null);
    assert.equal(settings.get('access.policy').minLiveness, null, "the passive model's own threshold");
    assert.equal(settings.get('access.policy').liveness.mode, null, "a new terminal runs the manifest's liveness mode (passive + active)");
  });

  test('stores validated values, normalised by the schema, and resets to the default', (t) => {
    const { db, settings } = setup(t);
    assert.equal(settings.set('terminal.name', '  Front door '), 'Front door');
    assert.equal(settings.get('terminal.name'), 'Front door');
    settings.set('recognition.extractorModelId', 'arcface-r50');
    assert.equal(settings.getAll()['recognition.extractorModelId'], 'arcface-r50');
    assert.deepEqual(db.prepare("SELECT value_json, updated_at_ms FROM settings WHERE key = 'terminal.name'").get(), { value_json: '"Front door"', updated_at_ms: 42 });
    settings.reset('terminal.name');
    assert.equal(settings.get('terminal.name'), 'Lintel');
  });

  test('refuses invalid values with the reason, and a bad one in a batch changes nothing', (t) => {
    const { settings } = setup(t);
    assert.throws(() => settings.set('admin.idleLogoutMs', 100), invalid(/admin\.idleLogoutMs.*15000/s));
    assert.throws(() => settings.set('recognition.identifySimilarity', 1.5), invalid(/recognition\.identifySimilarity/));
    assert.throws(() => settings.set('events.snapshots', 'some' as Settings['events.snapshots']), invalid(/events\.snapshots/));
    assert.throws(() => settings.update({ 'admin.idleLogoutMs': 30_000, 'events.retentionDays': 0.5 }), invalid(/events\.retentionDays/));
    assert.equal(settings.get('admin.idleLogoutMs'), 120_000);
    assert.throws(() => settings.set('door.outputs', [{ kind: 'gpio', chipPath: 'gpiochip3', line: 7 }] as unknown as Settings['door.outputs']), invalid(/door\.outputs.*device path/s));
    assert.throws(() => settings.update({ 'door.open': true } as Partial<Settings>), invalid(/unknown setting "door.open"/));
    assert.equal(isSettingKey('door.outputs'), true);
    assert.equal(isSettingKey('toString'), false);
  });

  test('a stored value that no longer passes reads as the default and is reported; unknown keys are ignored', (t) => {
    const { db, settings } = setup(t);
    const insert = db.prepare('INSERT INTO settings (key, value_json, updated_at_ms) VALUES (?, ?, 1)');
    insert.run('admin.idleLogoutMs', '999999999');
    insert.run('events.snapshots', '"denied"');
    insert.run('removed.setting', '1');
    assert.equal(settings.get('admin.idleLogoutMs'), 120_000);
    assert.equal(settings.getAll()['events.snapshots'], 'denied');
    assert.equal('removed.setting' in settings.getAll(), false);
    assert.deepEqual(settings.invalidStoredKeys(), ['admin.idleLogoutMs']);
  });
});
