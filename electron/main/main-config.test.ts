import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { generateSigningKeyPair } from '../shared/fleet/signing.js';
import { readMainConfig } from './main-config.js';

describe('main process configuration', () => {
  test('out of the box: development, demo camera, CPU, the shared data directory', () => {
    const config = readMainConfig({ HOME: '/home/door', XDG_CONFIG_HOME: '/home/door/.config' }, { isPackaged: false });
    assert.equal(config.production, false);
    assert.equal(config.cameraUri, undefined);
    assert.equal(config.npu, undefined);
    assert.equal(config.disableGpu, false);
    assert.equal(config.dataDir, '/home/door/.config/Lintel');
    assert.equal(config.manifestPath, undefined);
    assert.equal(config.browserHost, undefined);
  });

  test('packaged or LINTEL_KIOSK=1 is production', () => {
    assert.equal(readMainConfig({}, { isPackaged: true }).production, true);
    assert.equal(readMainConfig({ LINTEL_KIOSK: '1' }, { isPackaged: false }).production, true);
    assert.equal(readMainConfig({ LINTEL_KIOSK: '0' }, { isPackaged: false }).production, false);
  });

  test('camera, NPU, data directory and GPU come from the environment', () => {
    const config = readMainConfig(
      { LINTEL_CAMERA: 'v4l2:/dev/video0', LINTEL_RKNN_LIB: '/usr/lib/librknnrt.so', LINTEL_RKNN_PRECISION: 'fp16', LINTEL_DATA_DIR: '/var/lib/lintel', LINTEL_DISABLE_GPU: '1' },
      { isPackaged: true, resourcesPath: '/opt/Lintel/resources' },
    );
    assert.equal(config.cameraUri, 'v4l2:/dev/video0');
    assert.deepEqual(config.npu, { libraryPath: '/usr/lib/librknnrt.so', precision: { default: 'fp16' } });
    assert.equal(config.dataDir, '/var/lib/lintel');
    assert.equal(config.disableGpu, true);
    assert.equal(config.manifestPath, '/opt/Lintel/resources/models/manifest.json');
    assert.deepEqual(readMainConfig({ LINTEL_RKNN_LIB: '/usr/lib/librknnrt.so' }, { isPackaged: true }).npu, { libraryPath: '/usr/lib/librknnrt.so' });
  });

  test('LINTEL_HTTP_PORT also serves the browser host, on loopback unless LINTEL_HTTP_HOST says otherwise', () => {
    assert.deepEqual(readMainConfig({ LINTEL_HTTP_PORT: '7300' }, { isPackaged: true }).browserHost, { host: '127.0.0.1', port: 7300 });
    assert.deepEqual(readMainConfig({ LINTEL_HTTP_PORT: '0', LINTEL_HTTP_HOST: '0.0.0.0' }, { isPackaged: true }).browserHost, { host: '0.0.0.0', port: 0 });
    assert.throws(() => readMainConfig({ LINTEL_HTTP_PORT: 'http' }, { isPackaged: true }), /LINTEL_HTTP_PORT must be a port number/);
  });

  test('the browser host beside the kiosk serves HTTPS with LINTEL_TLS_CERT + LINTEL_TLS_KEY, and takes a public origin', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lintel-tls-'));
    try {
      writeFileSync(join(dir, 'cert.pem'), 'CERT');
      writeFileSync(join(dir, 'key.pem'), 'KEY');
      const env = { LINTEL_HTTP_PORT: '7300', LINTEL_TLS_CERT: join(dir, 'cert.pem'), LINTEL_TLS_KEY: join(dir, 'key.pem'), LINTEL_PUBLIC_ORIGIN: 'https://door.example.com' };
      const host = readMainConfig(env, { isPackaged: false }).browserHost;
      assert.equal(host?.publicOrigin, 'https://door.example.com');
      assert.deepEqual([host?.tls?.cert.toString(), host?.tls?.key.toString()], ['CERT', 'KEY']);
      assert.throws(() => readMainConfig({ ...env, LINTEL_TLS_KEY: '' }, { isPackaged: false }), /LINTEL_TLS_CERT and LINTEL_TLS_KEY go together/);
      assert.throws(() => readMainConfig({ ...env, LINTEL_TLS_KEY: join(dir, 'missing.pem') }, { isPackaged: false }), /LINTEL_TLS_KEY .*missing\.pem: no such file/);
      assert.throws(() => readMainConfig({ ...env, LINTEL_PUBLIC_ORIGIN: 'door.example.com' }, { isPackaged: false }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('LINTEL_CHALLENGE_SEED makes challenges repeatable outside the kiosk only', () => {
    assert.equal(readMainConfig({ LINTEL_CHALLENGE_SEED: '213' }, { isPackaged: false }).challengeSeed, 213);
    assert.equal(readMainConfig({ LINTEL_CHALLENGE_SEED: '213' }, { isPackaged: true }).challengeSeed, undefined);
    assert.equal(readMainConfig({ LINTEL_CHALLENGE_SEED: '213', LINTEL_KIOSK: '1' }, { isPackaged: false }).challengeSeed, undefined);
    assert.throws(() => readMainConfig({ LINTEL_CHALLENGE_SEED: 'left' }, { isPackaged: false }), /LINTEL_CHALLENGE_SEED/);
  });

  test('LINTEL_HUB_BUNDLE joins the site hub of a bundle, which must be kept from other users', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lintel-main-config-'));
    try {
      const pem = (label: string): string => `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`;
      const bundle = {
        format: 'lintel-terminal-bundle',
        version: 1,
        siteId: 'acme',
        terminalId: 'door-1',
        brokerUrl: 'mqtts://127.0.0.1:8883',
        caCertPem: pem('CERTIFICATE'),
        certPem: pem('CERTIFICATE'),
        keyPem: pem('PRIVATE KEY'),
        hubPublicKeyPem: generateSigningKeyPair().publicKeyPem,
        issuedAtMs: 1,
      };
      const path = join(dir, 'bundle.json');
      writeFileSync(path, JSON.stringify(bundle), { mode: 0o600 });
      assert.deepEqual(readMainConfig({ LINTEL_HUB_BUNDLE: path }, { isPackaged: false }).hub, bundle);
      assert.equal(readMainConfig({}, { isPackaged: false }).hub, undefined);
      chmodSync(path, 0o644);
      assert.throws(() => readMainConfig({ LINTEL_HUB_BUNDLE: path }, { isPackaged: false }), /open to other users \(mode 644\).*chmod 600/);
      chmodSync(path, 0o600);
      writeFileSync(path, JSON.stringify({ ...bundle, brokerUrl: 'mqtt://127.0.0.1:1883' }));
      assert.throws(() => readMainConfig({ LINTEL_HUB_BUNDLE: path }, { isPackaged: false }), /not a usable hub bundle.*brokerUrl/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('values that cannot be right are refused with the variable named', () => {
    assert.throws(() => readMainConfig({ LINTEL_RKNN_LIB: 'librknnrt.so' }, { isPackaged: true }), /LINTEL_RKNN_LIB must be an absolute path/);
    assert.throws(() => readMainConfig({ LINTEL_RKNN_LIB: '/usr/lib/librknnrt.so', LINTEL_RKNN_PRECISION: 'int4' }, { isPackaged: true }), /LINTEL_RKNN_PRECISION/);
  });
});
