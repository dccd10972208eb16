import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type Database from 'better-sqlite3';

import { openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { accessStateAt, foldName, PersonsRepository } from './persons-repository.js';
import { tempDir } from './test/test-helpers.js';

function setup(t: { after(fn: () => void): void }): { db: Database.Database; persons: PersonsRepository; clock: { nowMs: number } } {
  const db = openDatabase({ dataDir: tempDir(t) });
  t.after(() => db.close());
  const clock = { nowMs: 1_700_000_000_000 };
  return { db, persons: new PersonsRepository(db, () => clock.nowMs), clock };
}

const hasCode = (code: string) => (error: unknown): boolean => error instanceof StoreError && error.code === code;

describe('PersonsRepository', () => {
  test('creates with defaults, trims, sorts and de-duplicates groups', (t) => {
    const { persons } = setup(t);
    const person = persons.create({ name: '  Ann Lee ', externalId: ' ', groups: ['staff', 'night', 'staff '] });
    assert.match(person.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual({ ...person, id: '' }, {
      id: '', name: 'Ann Lee', externalId: null, enabled: true, validFromMs: null, validUntilMs: null,
      groups: ['night', 'staff'], credential: null, createdAtMs: 1_700_000_000_000, updatedAtMs: 1_700_000_000_000,
    });
    assert.deepEqual(persons.get(person.id), person);
    assert.equal(persons.get('nobody'), undefined);
  });

  test('update changes only what is given; groups are replaced; undefined is not null', (t) => {
    const { persons, clock } = setup(t);
    const person = persons.create({ name: 'Ann', externalId: 'E1', groups: ['a'], validFromMs: 10, validUntilMs: 20 });
    clock.nowMs += 1000;
    const updated = persons.update(person.id, { name: 'Ann B', externalId: undefined, groups: ['b', 'c'] });
    assert.equal(updated.name, 'Ann B');
    assert.equal(updated.externalId, 'E1');
    assert.deepEqual(updated.groups, ['b', 'c']);
    assert.equal(updated.validUntilMs, 20);
    assert.equal(updated.updatedAtMs, person.updatedAtMs + 1000);
    assert.equal(persons.update(person.id, { validUntilMs: null }).validUntilMs, null);
    assert.equal(persons.setEnabled(person.id, false).enabled, false);
    assert.throws(() => persons.update('nobody', { name: 'x' }), hasCode('not-found'));
  });

  test('refuses a taken external id, an empty name and a window that ends before it starts', (t) => {
    const { persons } = setup(t);
    const ann = persons.create({ name: 'Ann', externalId: 'E1' });
    assert.throws(() => persons.create({ name: 'Bob', externalId: 'E1' }), (error: unknown) => hasCode('conflict')(error) && /"E1"/.test((error as Error).message));
    const bob = persons.create({ name: 'Bob' });
    assert.throws(() => persons.update(bob.id, { externalId: 'E1' }), hasCode('conflict'));
    assert.throws(() => persons.create({ name: '   ' }), hasCode('invalid'));
    assert.throws(() => persons.create({ name: 'C', validFromMs: 20, validUntilMs: 20 }), hasCode('invalid'));
    assert.throws(() => persons.create({ name: 'C', validFromMs: 1.5 }), hasCode('invalid'));
    assert.throws(() => persons.create({ name: 'C', groups: ['x'.repeat(65)] }), hasCode('invalid'));
    assert.equal(persons.getByExternalId('E1')?.id, ann.id);
  });

  test('lists by name with search over folded names and external ids, filters and paging', (t) => {
    const { persons } = setup(t);
    persons.create({ name: 'Zoë Ångström', externalId: 'HR-100', groups: ['staff'] });
    persons.create({ name: 'Zoe Adams', externalId: 'HR-200', enabled: false });
    persons.create({ name: 'Bob 100%', groups: ['staff', 'night'] });
    persons.create({ name: 'Carl', externalId: 'X_1' });
    const names = (query: Parameters<PersonsRepository['list']>[0]): string[] => persons.list(query).persons.map((person) => person.name);
    assert.deepEqual(names({}), ['Bob 100%', 'Carl', 'Zoe Adams', 'Zoë Ångström']);
    assert.deepEqual(names({ search: 'ZOE' }), ['Zoe Adams', 'Zoë Ångström']);
    assert.deepEqual(names({ search: 'angstr' }), ['Zoë Ångström']);
    assert.deepEqual(names({ search: 'hr-1' }), ['Zoë Ångström']);
    assert.deepEqual(names({ search: '100%' }), ['Bob 100%'], '% is literal');
    assert.deepEqual(names({ search: 'x_' }), ['Carl'], '_ is literal');
    assert.deepEqual(names({ search: '0%' }), ['Bob 100%']);
    assert.deepEqual(names({ group: 'staff' }), ['Bob 100%', 'Zoë Ångström']);
    assert.deepEqual(names({ enabled: false }), ['Zoe Adams']);
    const page = persons.list({ limit: 2, offset: 1 });
    assert.deepEqual(page.persons.map((person) => person.name), ['Carl', 'Zoe Adams']);
    assert.equal(page.total, 4);
    assert.deepEqual(persons.list({ search: 'bob' }).persons[0]?.groups, ['night', 'staff']);
    assert.equal(persons.list({ search: 'bob' }).persons[0]?.sampleCount, 0);
    assert.deepEqual(persons.listGroups(), [{ name: 'night', memberCount: 1 }, { name: 'staff', memberCount: 2 }]);
    assert.throws(() => persons.list({ limit: 501 }), hasCode('invalid'));
  });

  test('accessStateAt: enabled and inside [validFromMs, validUntilMs)', (t) => {
    const { persons } = setup(t);
    const person = persons.create({ name: 'Ann', validFromMs: 100, validUntilMs: 200 });
    assert.equal(accessStateAt(person, 99), 'not-yet-valid');
    assert.equal(accessStateAt(person, 100), 'allowed');
    assert.equal(accessStateAt(person, 199), 'allowed');
    assert.equal(accessStateAt(person, 200), 'expired');
    assert.equal(accessStateAt({ ...person, enabled: false }, 150), 'disabled');
    assert.equal(foldName('Zoë ÅNGSTRÖM'), 'zoe angstrom');
  });

  test('erase removes the person and groups, keeps their events without snapshot, marked erased', (t) => {
    const { db, persons, clock } = setup(t);
    const ann = persons.create({ name: 'Ann', groups: ['staff'] });
    db.prepare("INSERT INTO events (at_ms, decision, reason, person_id) VALUES (1, 'granted', 'match', ?)").run(ann.id);
    db.prepare("INSERT INTO event_snapshots (event_id, jpeg) VALUES (1, x'ffd8ff')").run();
    clock.nowMs = 5000;
    assert.equal(persons.erase(ann.id), true);
    assert.equal(persons.erase(ann.id), false);
    assert.equal(persons.get(ann.id), undefined);
    assert.deepEqual(persons.listGroups(), []);
    assert.deepEqual(db.prepare('SELECT person_id, person_erased_at_ms FROM events').get(), { person_id: null, person_erased_at_ms: 5000 });
    assert.equal(db.prepare('SELECT count(*) FROM event_snapshots').pluck().get(), 0);
  });
});
