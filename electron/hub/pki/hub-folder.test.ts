import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { terminalBundleSchema } from '../../shared/fleet/bundle.js';
import { decodeSigned, encodeSigned } from '../../shared/fleet/signing.js';
import { headSchema } from '../../shared/fleet/messages.js';
import { describeCertificate, isIssuedBy, revokedSerials } from './certificate-authority.js';
import {
  deniedTerminalIds,
  enrollTerminal,
  HubFolderError,
  hubPaths,
  initHubFolder,
  issueHomeAssistantCertificate,
  listIssued,
  loadHubConfig,
  loadHubIdentity,
  revokeHomeAssistantCertificates,
  revokeTerminalCertificates,
} from './hub-folder.js';

describe('hub folder', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lintel-hub-folder-'));
    await initHubFolder(dir, { siteId: 'north', brokerHost: 'hub.example.lan', brokerPort: 18883 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('init writes the site, a CA, the broker and hub certificates, and keeps secrets 0600', async () => {
    const paths = hubPaths(dir);
    assert.equal(loadHubConfig(dir).siteId, 'north');
    for (const secret of [paths.caKey, paths.brokerKey, paths.hubKey, paths.signingKey, join(dir, 'lintel.key')]) {
      assert.equal(statSync(secret).mode & 0o777, 0o600, secret);
    }
    const caPem = readFileSync(paths.caCert, 'utf8');
    assert.equal(describeCertificate(readFileSync(paths.hubCert, 'utf8')).commonName, 'hub');
    assert.ok(await isIssuedBy(readFileSync(paths.brokerCert, 'utf8'), caPem));
    assert.deepEqual(revokedSerials(readFileSync(paths.crl, 'utf8')), []);
    assert.equal(loadHubIdentity(dir).brokerUrl, 'mqtts://hub.example.lan:18883');
  });

  test('init refuses a folder that already holds a hub', async () => {
    await assert.rejects(initHubFolder(dir, { siteId: 'north' }), HubFolderError);
  });

  test('enroll-terminal writes a 0600 bundle a terminal can join with, once per id unless replaced', async () => {
    const enrolled = await enrollTerminal(dir, 'door-1');
    assert.equal(statSync(enrolled.bundlePath).mode & 0o777, 0o600);
    const bundle = terminalBundleSchema.parse(JSON.parse(readFileSync(enrolled.bundlePath, 'utf8')));
    assert.equal(bundle.brokerUrl, 'mqtts://hub.example.lan:18883');
    assert.equal(describeCertificate(bundle.certPem).commonName, 'door-1');
    assert.ok(await isIssuedBy(bundle.certPem, bundle.caCertPem));
    // The bundle's public key verifies what the hub signs.
    const signed = encodeSigned(headSchema, { headSeq: 1, atMs: 2 }, loadHubIdentity(dir).signingKeyPem);
    assert.equal(decodeSigned(signed, bundle.hubPublicKeyPem, headSchema).headSeq, 1);

    await assert.rejects(enrollTerminal(dir, 'door-1'), /already has a certificate/);
    const replaced = await enrollTerminal(dir, 'door-1', { replace: true });
    assert.deepEqual(replaced.revokedSerials, [enrolled.serialHex]);
    assert.deepEqual(revokedSerials(readFileSync(hubPaths(dir).crl, 'utf8')), [enrolled.serialHex]);
  });

  test('revoke-terminal lists every live certificate of the door in the CRL', async () => {
    const enrolled = await enrollTerminal(dir, 'door-2');
    assert.deepEqual(await revokeTerminalCertificates(dir, 'door-2'), [enrolled.serialHex]);
    assert.ok(revokedSerials(readFileSync(hubPaths(dir).crl, 'utf8')).includes(enrolled.serialHex));
    assert.deepEqual(await revokeTerminalCertificates(dir, 'door-2'), []);
    assert.ok(listIssued(dir).some((record) => record.serialHex === enrolled.serialHex && record.revokedAtMs !== null));
    await assert.rejects(revokeTerminalCertificates(dir, 'door-99'), /never enrolled a terminal door-99/);
    // door-1's replaced certificate is revoked, but it holds a live one: only door-2 is denied.
    assert.deepEqual(deniedTerminalIds(dir), ['door-2']);
  });

  test("revoke-home-assistant lists Home Assistant's live certificates in the CRL, and only those", async () => {
    const out = join(dir, 'ha');
    const first = await issueHomeAssistantCertificate(dir, out);
    const serial = describeCertificate(readFileSync(first.certPath, 'utf8')).serialHex;
    const before = revokedSerials(readFileSync(hubPaths(dir).crl, 'utf8'));
    assert.deepEqual(await revokeHomeAssistantCertificates(dir), [serial]);
    assert.deepEqual(revokedSerials(readFileSync(hubPaths(dir).crl, 'utf8')), [...before, serial]);
    assert.deepEqual(await revokeHomeAssistantCertificates(dir), []);
    // The doors' certificates are untouched.
    assert.deepEqual(deniedTerminalIds(dir), ['door-2']);
  });

  test('ids that would break a topic or the ACL are refused before anything is issued', async () => {
    await assert.rejects(enrollTerminal(dir, 'hub'), /the hub's own name/);
    await assert.rejects(enrollTerminal(dir, 'door/1'), /terminal id/);
    await assert.rejects(initHubFolder(join(dir, 'other'), { siteId: 'Bad Site' }), /site id/);
  });
});
