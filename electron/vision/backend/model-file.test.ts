import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { ModelEntry, ResolvedModel } from '../models/manifest.js';
import { ModelFileError } from './inference-backend.js';
import { readVerifiedModel } from './model-file.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A minimal liveness entry; readVerifiedModel looks only at `onnx`, the rest just has to type-check. */
function resolvedModel(onnxPath: string, expectedSha256: string): ResolvedModel {
  const entry: ModelEntry = {
    role: 'liveness',
    description: 'test model',
    source: { package: 'none', version: '0', file: 'none', format: 'tfjs-graph', licence: 'MIT', upstream: 'tests' },
    onnx: { file: 'test.onnx', sha256: expectedSha256 },
    input: { name: 'input', widthPx: 2, heightPx: 2, layout: 'NCHW', colorOrder: 'RGB', mean: [0, 0, 0], std: [1, 1, 1] },
    outputs: [{ name: 'score', shape: [1, 1] }],
    decoding: { kind: 'liveness', realIndex: 0, cropScale: 1 },
  };
  return { id: 'test-model', entry, onnxPath };
}

describe('readVerifiedModel', () => {
  let dir = '';
  const content = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-model-file-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the bytes of a file whose sha256 matches the manifest', async () => {
    const path = join(dir, 'good.onnx');
    await writeFile(path, content);
    const bytes = await readVerifiedModel(resolvedModel(path, sha256(content)));
    assert.ok(bytes instanceof Uint8Array);
    assert.deepEqual(bytes, content);
  });

  it('refuses a missing file and says to run `npm run models`', async () => {
    const path = join(dir, 'missing.onnx');
    await assert.rejects(readVerifiedModel(resolvedModel(path, sha256(content))), (error: unknown) => {
      assert.ok(error instanceof ModelFileError, `expected a ModelFileError, got ${String(error)}`);
      assert.equal(error.modelId, 'test-model');
      assert.equal(error.filePath, path);
      assert.ok(error.message.includes(`${path} is missing`), error.message);
      assert.match(error.message, /`npm run models`/);
      return true;
    });
  });

  it('refuses a file whose sha256 differs, as damaged or replaced', async () => {
    const path = join(dir, 'changed.onnx');
    const changed = content.slice();
    changed[500] = (changed[500] ?? 0) ^ 1;
    await writeFile(path, changed);
    await assert.rejects(readVerifiedModel(resolvedModel(path, sha256(content))), (error: unknown) => {
      assert.ok(error instanceof ModelFileError);
      assert.equal(error.filePath, path);
      assert.match(error.message, /damaged or was replaced/);
      // Both digests are named (abbreviated), so the reader can tell a stale file from a corrupt one.
      assert.ok(error.message.includes(sha256(changed).slice(0, 12)), error.message);
      assert.ok(error.message.includes(sha256(content).slice(0, 12)), error.message);
      return true;
    });
  });

  it('refuses a path it cannot read as a file, with the reason', async () => {
    await assert.rejects(readVerifiedModel(resolvedModel(dir, sha256(content))), (error: unknown) => {
      assert.ok(error instanceof ModelFileError);
      assert.match(error.message, /cannot be read \(EISDIR\)/);
      return true;
    });
  });
});
