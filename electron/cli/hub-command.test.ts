import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { commandHub } from './hub-command.js';

/** Runs `lintel hub …` in-process; its exit code and what it printed. */
async function hub(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await commandHub(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

describe('lintel hub', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lintel-hub-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('init makes the hub folder and the broker configuration, and refuses to run twice', async () => {
    const data = join(dir, 'hub');
    const first = await hub('init', '--data', data, '--site', 'main-office', '--broker-port', '18883');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /mqtts:\/\/127\.0\.0\.1:18883/);
    const config = readFileSync(join(data, 'mosquitto', 'mosquitto.conf'), 'utf8');
    assert.match(config, /^listener 18883 127\.0\.0\.1$/m);
    assert.match(config, /^require_certificate true$/m);
    assert.ok(existsSync(join(data, 'pki', 'crl.pem')));
    const again = await hub('init', '--data', data, '--site', 'main-office');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already holds a hub/);
  });

  test('usage problems exit 2 naming what is missing; refusals exit 1 with the reason', async () => {
    assert.match((await hub('init', '--data', join(dir, 'x'))).stderr, /--site <id>/);
    assert.equal((await hub('init', '--data', join(dir, 'x'), '--site', 's', '--broker-port', '70000')).code, 2);
    const noDatabase = await hub('enroll-terminal', 'door-1', '--data', join(dir, 'hub'));
    assert.equal(noDatabase.code, 2);
    assert.match(noDatabase.stderr, /--database/);
    assert.equal((await hub('frobnicate')).code, 2);
    const badSite = await hub('init', '--data', join(dir, 'y'), '--site', 'Main Office');
    assert.equal(badSite.code, 1);
    assert.match(badSite.stderr, /site id must be/);
    const noHub = await hub('broker-config', '--data', join(dir, 'none'));
    assert.equal(noHub.code, 1);
    assert.match(noHub.stderr, /holds no hub/);
  });
});
