import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { fetchElectron } from './fetch-electron.js';

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A project with a stand-in electron package whose install.js either installs the binary or fails as offline. */
function project(installer: 'works' | 'offline'): { root: string; ranMarker: string } {
  const root = mkdtempSync(join(tmpdir(), 'lintel-fetch-'));
  roots.push(root);
  const packageDir = join(root, 'node_modules', 'electron');
  mkdirSync(join(packageDir, 'dist'), { recursive: true });
  const ranMarker = join(root, 'install-ran');
  const body =
    installer === 'works'
      ? `fs.writeFileSync(${JSON.stringify(join(packageDir, 'dist', 'electron'))}, ''); fs.writeFileSync(${JSON.stringify(join(packageDir, 'path.txt'))}, 'electron');`
      : `console.error('RequestError: getaddrinfo ENOTFOUND github.com'); process.exit(1);`;
  writeFileSync(join(packageDir, 'install.js'), `const fs = require('fs'); fs.writeFileSync(${JSON.stringify(ranMarker)}, '1'); ${body}`);
  return { root, ranMarker };
}

describe('fetch-electron (postinstall)', () => {
  test("runs Electron's installer once, at install time", () => {
    const { root } = project('works');
    assert.equal(fetchElectron(root, {}), 'Electron: binary installed');
    assert.equal(fetchElectron(root, {}), 'Electron: binary present');
  });

  test('an unreachable download leaves the install working, saying what npm start will do', () => {
    const { root } = project('offline');
    const said = fetchElectron(root, {});
    assert.match(said, /not fetched \(RequestError: getaddrinfo ENOTFOUND github\.com\); npm start runs headless/);
    assert.match(said, /npx install-electron --no/);
  });

  test('ELECTRON_SKIP_BINARY_DOWNLOAD: the installer does not run', () => {
    const { root, ranMarker } = project('works');
    assert.match(fetchElectron(root, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }), /ELECTRON_SKIP_BINARY_DOWNLOAD/);
    assert.equal(existsSync(ranMarker), false);
  });
});
