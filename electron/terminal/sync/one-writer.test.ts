// One writer of people: a door joined to a site hub refuses local edits of people through the contract, and an
// enrollment at the door becomes a request for the hub.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import { enrollRequestSchema, generateSigningKeyPair, type EnrollRequest } from '../../shared/fleet/index.js';
import { adminTestApp } from '../app/test/open-test-app.js';
import { decodeTemplate } from '../store/samples-repository.js';
import { fakeSample } from '../store/test/test-helpers.js';
import { hubEnrollmentStore } from './enroll-request.js';

describe('one writer of people', () => {
  const terminal = adminTestApp('lintel-one-writer-');
  const { call } = terminal;

  test('a joined door refuses to add, change or delete people, naming the hub; a door of its own does not', async () => {
    const local = await call<{ id: string }>('persons:create', { name: 'Local Ann' });
    assert.ok(local.ok, JSON.stringify(local));
    const hub = { siteId: 'acme', terminalId: 'door-1', hubPublicKeyPem: generateSigningKeyPair().publicKeyPem };
    assert.throws(() => terminal.app.store.hubSync.join(hub), /holds 1 person enrolled here/);
    assert.ok((await call('persons:delete', { id: local.value.id })).ok);
    terminal.app.store.hubSync.join(hub);
    const annId = randomUUID();
    terminal.app.store.applySynced([{ kind: 'put-person', id: annId, version: 1, createdAtMs: 1, updatedAtMs: 1, person: { name: 'Hub Ann' }, samples: [] }]);
    const refusals = [
      await call('persons:create', { name: 'Bob' }),
      await call('persons:update', { id: annId, patch: { name: 'Ann B.' } }),
      await call('persons:delete', { id: annId }),
      await call('persons:remove-sample', { sampleId: '00000000-0000-4000-8000-000000000001' }),
    ];
    for (const refusal of refusals) {
      assert.equal(refusal.ok, false);
      if (refusal.ok) continue;
      assert.equal(refusal.error.code, 'conflict');
      assert.match(refusal.error.message, /managed by the site hub \(site acme, this door is door-1\)/);
    }
    assert.equal(terminal.app.store.persons.get(annId)?.name, 'Hub Ann', 'nothing changed');
    assert.throws(() => terminal.app.enrollmentStore(), /runs without its hub bundle: start it with --hub/);
    const system = await call<{ hub: { siteId: string; connected: boolean; lastError: string | null } | null }>('system:get', {});
    assert.ok(system.ok, JSON.stringify(system));
    assert.deepEqual({ siteId: system.value.hub?.siteId, connected: system.value.hub?.connected }, { siteId: 'acme', connected: false });
    assert.match(system.value.hub?.lastError ?? '', /without its hub bundle/);
  });

  test('an enrollment at a joined door is a request for the hub in the wire form (age estimates too), under the request id', () => {
    const requests: Omit<EnrollRequest, 'requestId'>[] = [];
    const store = hubEnrollmentStore(terminal.app.store.persons, (request) => {
      requests.push(request);
      return '11111111-1111-4111-8111-111111111111';
    }, () => 5_000);
    const sample = { ...fakeSample('cy', 'model-a', 64), estimatedAgeYears: 4.5 };
    const { person, sampleIds } = store.enrollPerson({ name: ' Cy ', groups: ['staff', 'night'], credential: { cardNumber: 7 } }, [sample]);
    assert.deepEqual(
      { id: person.id, name: person.name, groups: person.groups, credential: person.credential, createdAtMs: person.createdAtMs },
      { id: '11111111-1111-4111-8111-111111111111', name: 'Cy', groups: ['night', 'staff'], credential: { facilityCode: null, cardNumber: 7 }, createdAtMs: 5_000 },
    );
    const [request] = requests;
    const parsed = enrollRequestSchema.parse({ ...request, requestId: person.id });
    assert.deepEqual(parsed.samples.map((wire) => wire.id), sampleIds);
    const [wire] = parsed.samples;
    assert.ok(Buffer.from(wire!.cropJpegBase64, 'base64').equals(Buffer.from(sample.alignedJpeg)));
    assert.deepEqual(decodeTemplate(Buffer.from(wire!.templates[0]!.templateBase64, 'base64')), sample.template);
    assert.deepEqual(wire!.alignment, { sizePx: sample.alignment.sizePx, fivePointsPx: sample.alignment.fivePointsPx.map(([x, y]) => [x, y]) });
    assert.equal(wire!.estimatedAgeYears, 4.5, 'the age estimate goes up with the sample, so the hub can mark a young child');
    assert.equal(terminal.app.store.persons.list({ search: 'Cy' }).total, 0, 'the door writes no person itself');
  });
});
