import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import { loadManifest, type ModelEntry } from '../../../electron/vision/models/manifest.js';
import { defaultManifestPath, packageRoot } from '../../../electron/vision/models/paths.js';
import { AddedModelConversionError, convertAddedModel, verifyConvertedModel } from './convert-added-model.js';

const MINIFASNET_V2 = join(packageRoot(), '..', 'shared', 'models', 'minifasnet', 'MiniFASNetV2.onnx');
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Asserts a rejection with an AddedModelConversionError of `reason` whose message matches `pattern`. */
async function assertConversionError(promise: Promise<unknown>, reason: AddedModelConversionError['reason'], pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AddedModelConversionError, `expected an AddedModelConversionError, got ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('convertAddedModel', () => {
  let dir = '';
  let models: Record<string, ModelEntry> = {};
  const checkpoint = Buffer.from('a checkpoint stand-in');
  /** An EdgeFace entry whose file is `checkpoint`. */
  const edgeFaceEntry = (): ModelEntry => {
    const extractor = models['mobileface-256'] as ModelEntry;
    return {
      ...extractor,
      source: {
        kind: 'added',
        file: 'edgeface_xxs_q.pt',
        sha256: sha256(checkpoint),
        format: 'pytorch-edgeface',
        licence: 'BSD-3-Clause',
        weightsLicence: 'BSD-3-Clause',
        trainingData: 'WebFace12M',
        upstream: 'Idiap',
        obtainFrom: 'upstream',
      },
    };
  };
  /** A module file in the temporary folder, as an import specifier. */
  const moduleAt = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return pathToFileURL(path).href;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-convert-added-'));
    models = (await loadManifest(defaultManifestPath())).manifest.models;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes an ONNX file through as it is, once its sha256 is the pinned one', async () => {
    const entry = models['minifasnet-v2'] as ModelEntry;
    const bytes = Buffer.from('stand-in bytes');
    const pinned: ModelEntry = { ...entry, source: { ...(entry.source as Extract<ModelEntry['source'], { kind: 'added' }>), sha256: sha256(bytes) } };
    assert.equal(await convertAddedModel('minifasnet-v2', pinned, bytes), bytes);
    await assertConversionError(convertAddedModel('minifasnet-v2', pinned, Buffer.from('other bytes')), 'failed', /not MiniFASNetV2\.onnx as the manifest pins it/);
  });

  it('refuses a model npm ships', async () => {
    await assertConversionError(convertAddedModel('blazeface-256', models['blazeface-256'] as ModelEntry, Buffer.from('x')), 'failed', /shipped by npm/);
  });

  it('hands an EdgeFace checkpoint to the EdgeFace converter with the variant its file name names', async () => {
    const fake = await moduleAt('fake-edgeface-to-onnx.mjs', 'export function convertEdgeFaceCheckpoint(bytes, variant) { return new TextEncoder().encode(`${variant}:${bytes.length}`); }');
    const converted = await convertAddedModel('edgeface-xxs', edgeFaceEntry(), checkpoint, { edgeFaceConverterModule: fake });
    assert.equal(Buffer.from(converted).toString(), `xxs:${checkpoint.length}`);
  });

  it('answers "conversion of pytorch-edgeface not available" when the converter module or its export is missing', async () => {
    const absent = pathToFileURL(join(dir, 'no-such-dir', 'edgeface-to-onnx.js')).href;
    await assertConversionError(convertAddedModel('edgeface-xxs', edgeFaceEntry(), checkpoint, { edgeFaceConverterModule: absent }), 'unavailable', /^conversion of pytorch-edgeface not available$/);
    const noExport = await moduleAt('edgeface-without-export.mjs', 'export const somethingElse = 1;');
    await assertConversionError(convertAddedModel('edgeface-xxs', edgeFaceEntry(), checkpoint, { edgeFaceConverterModule: noExport }), 'unavailable', /not available/);
  });

  it('does not hide a converter that is there but broken', async () => {
    const broken = await moduleAt('broken-edgeface-to-onnx.mjs', "import './missing-helper.mjs';\nexport function convertEdgeFaceCheckpoint() { return new Uint8Array(); }");
    await assert.rejects(convertAddedModel('edgeface-xxs', edgeFaceEntry(), checkpoint, { edgeFaceConverterModule: broken }), /missing-helper/);
    const throwing = await moduleAt('throwing-edgeface-to-onnx.mjs', "export function convertEdgeFaceCheckpoint() { throw new Error('bad pickle'); }");
    await assertConversionError(convertAddedModel('edgeface-xxs', edgeFaceEntry(), checkpoint, { edgeFaceConverterModule: throwing }), 'failed', /converting edgeface_xxs_q\.pt failed: bad pickle/);
  });
});

describe('verifyConvertedModel', () => {
  it('accepts MiniFASNet V2 as the manifest describes it, and refuses bytes that are not a model', async (t) => {
    let bytes: Buffer;
    try {
      bytes = await readFile(MINIFASNET_V2);
    } catch {
      return t.skip(`MiniFASNet absent at ${MINIFASNET_V2}`);
    }
    const entry = (await loadManifest(defaultManifestPath())).manifest.models['minifasnet-v2'] as ModelEntry;
    await verifyConvertedModel('minifasnet-v2', entry, bytes);
    const garbage = Buffer.from('not onnx');
    await assertConversionError(verifyConvertedModel('minifasnet-v2', { ...entry, onnx: { ...entry.onnx, sha256: sha256(garbage) } }, garbage), 'invalid', /onnxruntime cannot load/);
    const renamed = { ...entry, input: { ...entry.input, name: 'image' } };
    await assertConversionError(verifyConvertedModel('minifasnet-v2', renamed, bytes), 'invalid', /one run on an input of 1×3×80×80 failed/);
  });
});
