import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { resolveRendererTarget, serveRendererRequest, type RendererProtocolOptions } from './renderer-protocol.js';

const CSP = "default-src 'self'";
let base: string;
let root: string;
let options: RendererProtocolOptions;

before(() => {
  base = mkdtempSync(join(tmpdir(), 'lintel-protocol-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Lintel</title>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  // A secret beside the renderer's folder, and one whose name starts like it: neither may be served.
  writeFileSync(join(base, 'secret.txt'), 'secret');
  mkdirSync(join(base, 'renderer-evil'));
  writeFileSync(join(base, 'renderer-evil', 'x.js'), 'evil');
  options = { rootDir: root, contentSecurityPolicy: CSP, readFile: (path) => readFile(path) };
});
after(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => serveRendererRequest({ url, method }, options);

describe('renderer protocol', () => {
  test('serves index.html for / and assets with their type, each with the CSP', async () => {
    for (const url of ['app://lintel/', 'app://lintel/index.html', 'app://LINTEL/index.html']) {
      const response = await get(url);
      assert.equal(response.status, 200, url);
      assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(response.headers.get('content-security-policy'), CSP);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.match(await response.text(), /<title>Lintel/);
    }
    const script = await get('app://lintel/assets/index-abc.js');
    assert.equal(script.status, 200);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(script.headers.get('content-security-policy'), CSP);
  });

  test('a client-side route falls back to index.html; a missing asset is 404', async () => {
    const route = await get('app://lintel/admin/people');
    assert.equal(route.status, 200);
    assert.match(await route.text(), /<title>Lintel/);
    const missing = await get('app://lintel/assets/missing.js');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-security-policy'), CSP);
  });

  test('nothing outside the renderer folder is reachable', async () => {
    for (const url of [
      'app://lintel/../secret.txt',
      'app://lintel/%2e%2e/secret.txt',
      'app://lintel/..%2fsecret.txt',
      'app://lintel/%2e%2e%2fsecret.txt',
      'app://lintel/assets/..%2f..%2fsecret.txt',
      'app://lintel/..%2frenderer-evil/x.js',
      'app://lintel/%2fetc%2fpasswd',
      'app://lintel//etc/passwd',
    ]) {
      // Either refused, or (an extensionless path) the app itself: never the file outside.
      const response = await get(url);
      const body = await response.text();
      assert.doesNotMatch(body, /secret|evil|root:/, url);
      if (response.status === 200) assert.match(body, /<title>Lintel/, url);
      else assert.equal(response.status, 404, url);
    }
  });

  test('odd paths and other hosts are refused', async () => {
    assert.equal((await get('app://lintel/a%00b.js')).status, 400);
    assert.equal((await get('app://lintel/a%5c..%5csecret.txt')).status, 400);
    assert.equal((await get('app://lintel/%E0%A4%A')).status, 400);
    assert.equal((await get('app://other/index.html')).status, 403);
    assert.equal((await get('app://user@lintel/index.html')).status, 403);
    assert.equal((await get('app://lintel/index.html', 'POST')).status, 405);
  });

  test('HEAD answers headers without a body', async () => {
    const response = await get('app://lintel/index.html', 'HEAD');
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
  });

  test('a missing index.html says the renderer is not built', async () => {
    const response = await serveRendererRequest({ url: 'app://lintel/', method: 'GET' }, { ...options, rootDir: join(base, 'nowhere') });
    assert.equal(response.status, 503);
    assert.match(await response.text(), /npm run build/);
  });

  test('targets stay below the root', () => {
    const target = resolveRendererTarget('/opt/lintel/renderer', 'app://lintel/assets/a.js');
    assert.deepEqual(target, { kind: 'file', path: '/opt/lintel/renderer/assets/a.js', spaFallback: false });
    assert.deepEqual(resolveRendererTarget('/opt/lintel/renderer', 'app://lintel/..%2f..%2fetc/passwd'), { kind: 'refused', status: 404 });
  });
});
