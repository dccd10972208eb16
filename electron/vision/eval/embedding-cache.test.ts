import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { EmbeddingCache, embeddingCacheFileName } from './embedding-cache.js';

let root: string;
const key = { model: 'faceapi-resnet-128', modelSha256: 'abc', mirror: true, passes: 1 };

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'lintel-cache-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('EmbeddingCache', () => {
  test('a second open finds what the first stored, vectors bit for bit, no-face entries as null', async () => {
    const dir = path.join(root, 'hit');
    const image = path.join(root, 'a.jpg');
    const noFace = path.join(root, 'b.jpg');
    await writeFile(image, 'pixels');
    await writeFile(noFace, 'more pixels');
    const vector = Float32Array.from([0.1, -0.2, 0.3, 1 / 3]);
    const first = await EmbeddingCache.open(dir, key);
    assert.equal(await first.get(image), undefined);
    await first.put(image, { embedding: vector, pipelineMs: 12.5, extractMs: 6.25 });
    await first.put(noFace, { embedding: null, pipelineMs: 8, extractMs: null });
    await first.flush();

    const second = await EmbeddingCache.open(dir, key);
    assert.equal(second.size, 2);
    const hit = await second.get(image);
    assert.deepEqual(hit, { embedding: vector, pipelineMs: 12.5, extractMs: 6.25 });
    assert.deepEqual(await second.get(noFace), { embedding: null, pipelineMs: 8, extractMs: null });
  });

  test('an image whose content changed is a miss, and its new entry wins', async () => {
    const dir = path.join(root, 'changed');
    const image = path.join(root, 'c.jpg');
    await writeFile(image, 'pixels');
    const cache = await EmbeddingCache.open(dir, key);
    await cache.put(image, { embedding: Float32Array.from([1, 0]), pipelineMs: 1, extractMs: 1 });
    await cache.flush();

    await writeFile(image, 'other pixels');
    assert.equal(await (await EmbeddingCache.open(dir, key)).get(image), undefined, 'size changed');

    await writeFile(image, 'PIXELS');
    const later = new Date(Date.now() + 60_000);
    await utimes(image, later, later);
    const reopened = await EmbeddingCache.open(dir, key);
    assert.equal(await reopened.get(image), undefined, 'same size, other bytes, newer mtime');
    await reopened.put(image, { embedding: Float32Array.from([0, 1]), pipelineMs: 2, extractMs: 2 });
    await reopened.flush();
    assert.deepEqual((await (await EmbeddingCache.open(dir, key)).get(image))?.embedding, Float32Array.from([0, 1]));
  });

  test('the same bytes with a new modification time (a data set copied again) are a hit, remembered with the new time', async () => {
    const dir = path.join(root, 'copied');
    const image = path.join(root, 'f.jpg');
    await writeFile(image, 'pixels');
    const cache = await EmbeddingCache.open(dir, key);
    await cache.put(image, { embedding: Float32Array.from([1, 0]), pipelineMs: 1, extractMs: 1 });
    await cache.flush();

    await writeFile(image, 'pixels');
    const later = new Date(Date.now() + 120_000);
    await utimes(image, later, later);
    const reopened = await EmbeddingCache.open(dir, key);
    assert.deepEqual((await reopened.get(image))?.embedding, Float32Array.from([1, 0]));
    await reopened.flush();
    const text = await readFile(reopened.filePath, 'utf8');
    const lines = text.trim().split('\n').slice(1).map((line) => JSON.parse(line) as { mtimeMs: number; sha256: string });
    assert.equal(lines.length, 2, 'the entry is written again');
    // As the file system reports it: a set time comes back to within float rounding of the milliseconds.
    assert.equal(lines[1]!.mtimeMs, (await stat(image)).mtimeMs);
    assert.ok(Math.abs(lines[1]!.mtimeMs - later.getTime()) < 1);
    assert.match(lines[1]!.sha256, /^[0-9a-f]{64}$/);
  });

  test('another key (mirror off) is another file', async () => {
    assert.notEqual(embeddingCacheFileName(key), embeddingCacheFileName({ ...key, mirror: false }));
    assert.equal(embeddingCacheFileName(key), embeddingCacheFileName({ passes: 1, mirror: true, modelSha256: 'abc', model: 'faceapi-resnet-128' }), 'key order does not matter');
    assert.match(embeddingCacheFileName(key), /^faceapi-resnet-128-[0-9a-f]{16}\.jsonl$/);
  });

  test('a line torn by a killed run is skipped and later entries still land on lines of their own', async () => {
    const dir = path.join(root, 'torn');
    const image = path.join(root, 'd.jpg');
    const other = path.join(root, 'e.jpg');
    await writeFile(image, 'pixels');
    await writeFile(other, 'pixels too');
    const cache = await EmbeddingCache.open(dir, key);
    await cache.put(image, { embedding: Float32Array.from([1]), pipelineMs: 1, extractMs: 1 });
    await cache.flush();
    await appendFile(cache.filePath, '{"path":"/half');
    const reopened = await EmbeddingCache.open(dir, key);
    assert.ok(await reopened.get(image));
    await reopened.put(other, { embedding: Float32Array.from([2]), pipelineMs: 1, extractMs: 1 });
    await reopened.flush();
    const last = await EmbeddingCache.open(dir, key);
    assert.deepEqual((await last.get(other))?.embedding, Float32Array.from([2]));
    assert.equal((await readdir(dir)).length, 1);
  });
});
