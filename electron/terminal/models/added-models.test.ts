import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { OnnxBackend } from '../../vision/backend/onnx-backend.js';
import { ModelNotAddedError, resolveModel } from '../../vision/models/manifest.js';
import { defaultManifestPath, packageRoot } from '../../vision/models/paths.js';
import { AddedModels, AddModelError, type AddModelErrorCode } from './added-models.js';
import { EDGEFACE_XS, MINIFASNET_V2, missingModelFile, writeEditedManifest } from './test/fixtures.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const temporaryDirs: string[] = [];
after(async () => {
  await Promise.all(temporaryDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lintel-added-models-'));
  temporaryDirs.push(dir);
  return dir;
}

/** A terminal data folder and its added models, on the repository manifest or `manifestPath`. */
async function openAddedModels(manifestPath = defaultManifestPath()): Promise<{ models: AddedModels; dataDir: string }> {
  const dataDir = await tempDir();
  return { models: await AddedModels.open({ manifestPath, dataDir }), dataDir };
}

/** Asserts that `promise` rejects with an AddModelError of `code` whose message matches every pattern. */
async function assertRefused(promise: Promise<unknown>, code: AddModelErrorCode, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AddModelError, `expected an AddModelError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

/** The files in the folder of added models (none when it does not exist). */
async function filesIn(models: AddedModels): Promise<string[]> {
  return existsSync(models.dir) ? (await readdir(models.dir)).sort() : [];
}

describe('AddedModels.add', () => {
  it('adds MiniFASNet V2: checked, written under the manifest name, recorded with its licences, resolvable and runnable', async (t) => {
    const missing = missingModelFile(MINIFASNET_V2);
    if (missing) return t.skip(missing);
    const { models, dataDir } = await openAddedModels();
    assert.throws(() => resolveModel(models.manifest, 'minifasnet-v2'), ModelNotAddedError);
    const bytes = await readFile(MINIFASNET_V2);

    const record = await models.add(bytes, `/media/usb/${'MiniFASNetV2.onnx'}`, { role: 'liveness', nowMs: 1_700_000_000_000 });

    assert.equal(record.id, 'minifasnet-v2');
    assert.equal(record.originalFile, 'MiniFASNetV2.onnx');
    assert.equal(record.sha256, sha256(bytes));
    assert.deepEqual(record.licences, { code: 'Apache-2.0', weights: 'Apache-2.0', trainingData: record.licences.trainingData });
    assert.ok(record.licences.trainingData && record.licences.trainingData.length > 0);
    assert.deepEqual(await filesIn(models), ['added.json', 'minifasnet-v2.onnx']);
    assert.equal(models.dir, join(dataDir, 'models'));
    assert.equal(sha256(await readFile(join(models.dir, 'minifasnet-v2.onnx'))), resolveModel(models.manifest, 'minifasnet-v2').entry.onnx.sha256);
    assert.deepEqual(await models.records(), [record]);

    const listing = (await models.list()).find((model) => model.id === 'minifasnet-v2');
    assert.equal(listing?.state, 'added');
    assert.equal(listing?.addedAtMs, 1_700_000_000_000);
    assert.equal((await models.list()).find((model) => model.id === 'minifasnet-v1se')?.state, 'not-added');
    assert.equal((await models.list()).find((model) => model.id === 'blazeface-256')?.state, 'built-in');

    // The runtime takes it as it takes any model: sha256-checked on load.
    const session = await new OnnxBackend().load(resolveModel(models.manifest, 'minifasnet-v2'));
    await session.close();

    // Adding it again replaces it and keeps one record.
    await models.add(bytes, 'MiniFASNetV2.onnx');
    assert.equal((await models.records()).length, 1);
  });

  it('refuses a copy with one byte changed as tampered, and writes nothing', async (t) => {
    const missing = missingModelFile(MINIFASNET_V2);
    if (missing) return t.skip(missing);
    const { models } = await openAddedModels();
    const bytes = Buffer.from(await readFile(MINIFASNET_V2));
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0x01;
    await assertRefused(models.add(bytes, 'MiniFASNetV2.onnx'), 'tampered', /MiniFASNetV2\.onnx is named like the file of minifasnet-v2/, /damaged, tampered with, or a different version/, /Silent-Face-Anti-Spoofing/);
    assert.deepEqual(await filesIn(models), []);
  });

  it('refuses a file the manifest does not know, listing the ones it knows', async () => {
    const { models } = await openAddedModels();
    await assertRefused(models.add(Buffer.from('not a model'), 'holiday.jpg'), 'unknown-file', /^holiday\.jpg \(sha256 [0-9a-f]{12}…\) is not a model the manifest knows/, /MiniFASNetV2\.onnx \(minifasnet-v2\)/, /MiniFASNetV1SE\.onnx \(minifasnet-v1se\)/);
    assert.deepEqual(await filesIn(models), []);
  });

  it('refuses a known file of another kind than asked', async (t) => {
    const missing = missingModelFile(MINIFASNET_V2);
    if (missing) return t.skip(missing);
    const { models } = await openAddedModels();
    await assertRefused(models.add(await readFile(MINIFASNET_V2), 'MiniFASNetV2.onnx', { role: 'extractor' }), 'wrong-kind', /minifasnet-v2, a liveness model, not an extractor model/);
    assert.deepEqual(await filesIn(models), []);
  });

  it('refuses a file whose conversion does not give the pinned sha256, or whose outputs differ from the manifest', async (t) => {
    const missing = missingModelFile(MINIFASNET_V2);
    if (missing) return t.skip(missing);
    const dir = await tempDir();
    const wrongSha = await writeEditedManifest(dir, (json) => {
      (json.models['minifasnet-v2'] as { onnx: { sha256: string } }).onnx.sha256 = '0'.repeat(64);
    });
    const first = await openAddedModels(wrongSha);
    await assertRefused(first.models.add(await readFile(MINIFASNET_V2), 'MiniFASNetV2.onnx'), 'invalid-model', /converted file has sha256 4eed38f0bde3…, the manifest expects 000000000000…/);
    assert.deepEqual(await filesIn(first.models), []);

    await mkdir(join(dir, 'shape'));
    const wrongShape = await writeEditedManifest(join(dir, 'shape'), (json) => {
      (json.models['minifasnet-v2'] as { outputs: unknown }).outputs = [{ name: 'output', shape: [1, 2] }];
    });
    const second = await openAddedModels(wrongShape);
    await assertRefused(second.models.add(await readFile(MINIFASNET_V2), 'MiniFASNetV2.onnx'), 'invalid-model', /output output has shape 1×3, the manifest says 1×2/);
    assert.deepEqual(await filesIn(second.models), []);
  });

  it('leaves nothing half-written when the write is interrupted (the rename fails)', async (t) => {
    const missing = missingModelFile(MINIFASNET_V2);
    if (missing) return t.skip(missing);
    const { models } = await openAddedModels();
    // A folder where the model file goes makes the final rename fail after the temporary file was written.
    await mkdir(join(models.dir, 'minifasnet-v2.onnx', 'in-the-way'), { recursive: true });
    await assert.rejects(models.add(await readFile(MINIFASNET_V2), 'MiniFASNetV2.onnx'), /EISDIR|ENOTEMPTY|EEXIST|EPERM/);
    assert.deepEqual(await filesIn(models), ['minifasnet-v2.onnx'], 'no temporary file, no record');
    assert.deepEqual(await readdir(join(models.dir, 'minifasnet-v2.onnx')), ['in-the-way']);
    assert.deepEqual(await models.records(), []);
  });

  it('refuses an EdgeFace checkpoint this build cannot convert to the pinned sha256, and writes nothing', async (t) => {
    const missing = missingModelFile(EDGEFACE_XS);
    if (missing) return t.skip(missing);
    const converterPresent = existsSync(join(packageRoot(), 'models/convert/edgeface/edgeface-to-onnx.ts'));
    const dir = await tempDir();
    const bytes = await readFile(EDGEFACE_XS);
    const manifestPath = await writeEditedManifest(dir, (json) => {
      // Only the test's entry may claim this checkpoint: a file identifies one model.
      for (const [id, model] of Object.entries(json.models)) if ((model.source as { sha256?: string }).sha256 === sha256(bytes)) delete json.models[id];
      json.defaults.preferredExtractors = [];
      const extractor = json.models['mobileface-256'] as Record<string, unknown>;
      json.models['edgeface-xs-test'] = {
        ...extractor,
        source: {
          kind: 'added',
          file: 'edgeface_xs_q.pt',
          sha256: sha256(bytes),
          format: 'pytorch-edgeface',
          licence: 'BSD-3-Clause',
          weightsLicence: 'BSD-3-Clause',
          trainingData: 'WebFace12M (research terms)',
          upstream: 'Idiap EdgeFace',
          obtainFrom: 'https://github.com/otroshi/edgeface',
        },
        // No conversion gives this: with the converter present, the add must stop at the sha256 check.
        onnx: { file: 'edgeface-xs-test.onnx', sha256: '0'.repeat(64) },
      };
    });
    const { models } = await openAddedModels(manifestPath);
    if (converterPresent) await assertRefused(models.add(bytes, 'edgeface_xs_q.pt', { role: 'extractor' }), 'invalid-model', /edgeface-xs-test/);
    else await assertRefused(models.add(bytes, 'edgeface_xs_q.pt', { role: 'extractor' }), 'conversion-unavailable', /^conversion of pytorch-edgeface not available$/);
    assert.deepEqual(await filesIn(models), []);
  });
});

describe('AddedModels.remove', () => {
  it('removes the file and the record, and says false for a model that was not added', async (t) => {
    const missing = missingModelFile(MINIFASNET_V2);
    if (missing) return t.skip(missing);
    const { models } = await openAddedModels();
    await models.add(await readFile(MINIFASNET_V2), 'MiniFASNetV2.onnx');
    assert.equal(await models.remove('minifasnet-v1se'), false);
    assert.equal(await models.remove('blazeface-256'), false, 'a built-in model cannot be removed');
    assert.equal(await models.remove('minifasnet-v2'), true);
    assert.deepEqual(await models.records(), []);
    assert.deepEqual(await filesIn(models), ['added.json']);
    assert.throws(() => resolveModel(models.manifest, 'minifasnet-v2'), ModelNotAddedError);
  });

  it('reads a missing record file as no models added', async () => {
    const { models } = await openAddedModels();
    await mkdir(models.dir, { recursive: true });
    await writeFile(join(models.dir, 'unrelated.txt'), 'x');
    assert.deepEqual(await models.records(), []);
  });
});
