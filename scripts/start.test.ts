import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { addonAbi, BUILD_OUTPUTS, chooseLaunchMode, findElectron, missingBuildOutputs, type LaunchFacts } from './start.js';

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A project folder with a stand-in `electron` package whose index.js records that it ran. */
function project(options: { installed: boolean }): { root: string; binary: string; ranMarker: string } {
  const root = mkdtempSync(join(tmpdir(), 'lintel-start-'));
  roots.push(root);
  const packageDir = join(root, 'node_modules', 'electron');
  mkdirSync(join(packageDir, 'dist'), { recursive: true });
  const binary = join(packageDir, 'dist', 'electron');
  const ranMarker = join(root, 'index-ran');
  writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name: 'electron', main: 'index.js' }));
  writeFileSync(join(packageDir, 'index.js'), `require('fs').writeFileSync(${JSON.stringify(ranMarker)}, '1'); console.log('Downloading Electron binary...'); module.exports = ${JSON.stringify(binary)};`);
  if (options.installed) {
    writeFileSync(join(packageDir, 'path.txt'), 'electron');
    writeFileSync(binary, '');
  }
  return { root, binary, ranMarker };
}

const facts = (overrides: Partial<LaunchFacts> = {}): LaunchFacts => ({
  electronPath: '/x/electron',
  electronAbi: 150,
  sqliteAbi: 150,
  env: { DISPLAY: ':0' },
  platform: 'linux',
  ...overrides,
});

describe('npm start', () => {
  test('Electron when its binary is there, a display exists and the native addon matches', () => {
    assert.deepEqual(chooseLaunchMode(facts()), { mode: 'electron', electronPath: '/x/electron' });
    assert.equal(chooseLaunchMode(facts({ env: { WAYLAND_DISPLAY: 'wayland-0' } })).mode, 'electron');
  });

  test('headless without the binary, without a display, with a Node-built better-sqlite3, or when asked', () => {
    const reasons = [
      chooseLaunchMode(facts({ electronPath: undefined })),
      chooseLaunchMode(facts({ env: {} })),
      chooseLaunchMode(facts({ sqliteAbi: 115 })),
      chooseLaunchMode(facts({ env: { DISPLAY: ':0', LINTEL_HEADLESS: '1' } })),
    ].map((launch) => (launch.mode === 'headless' ? launch.reason : 'electron'));
    assert.match(reasons[0] ?? '', /not installed/);
    assert.match(reasons[1] ?? '', /no display/);
    assert.match(reasons[2] ?? '', /module version 115.*Electron needs 150.*install-app-deps/);
    assert.match(reasons[3] ?? '', /LINTEL_HEADLESS/);
  });

  test('reads the module version an addon was built for', () => {
    assert.equal(addonAbi(Buffer.from('\0\0node_register_module_v115\0napi')), 115);
    assert.equal(addonAbi(Buffer.from('napi_register_module_v1')), undefined);
  });

  test('names the build outputs that are missing', () => {
    const { root } = project({ installed: false });
    assert.deepEqual(missingBuildOutputs(root), [...BUILD_OUTPUTS]);
    mkdirSync(join(root, 'dist', 'renderer'), { recursive: true });
    writeFileSync(join(root, 'dist', 'renderer', 'index.html'), '');
    assert.ok(!missingBuildOutputs(root).includes('dist/renderer/index.html'));
  });

  test('finds an installed binary from path.txt without running Electron\'s index.js', () => {
    const { root, binary, ranMarker } = project({ installed: true });
    assert.equal(findElectron(root, {}), binary);
    assert.equal(existsSync(ranMarker), false);
  });

  test('a missing binary is not downloaded: index.js (which would) never runs', () => {
    const { root, ranMarker } = project({ installed: false });
    assert.equal(findElectron(root, {}), undefined);
    assert.equal(findElectron(root, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }), undefined);
    assert.equal(existsSync(ranMarker), false);
  });

  test('path.txt naming a file that is not there is no binary', () => {
    const { root, binary } = project({ installed: true });
    rmSync(binary);
    assert.equal(findElectron(root, {}), undefined);
  });

  test('no electron package at all: no binary', () => {
    const root = mkdtempSync(join(tmpdir(), 'lintel-start-'));
    roots.push(root);
    assert.equal(findElectron(root, {}), undefined);
  });
});
