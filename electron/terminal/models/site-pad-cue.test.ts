import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { loadManifest, type LoadedManifest } from '../../vision/models/manifest.js';
import { defaultManifestPath } from '../../vision/models/paths.js';
import { installSitePadCue, readSitePadCue, removeSitePadCue, SitePadCueError, sitePadCuePath } from './site-pad-cue.js';

/** A cue as `lintel pad train` writes it. */
const GOOD = {
  format: 'lintel-site-pad-cue/1',
  features: ['minifasnet-v2', 'minifasnet-v1se', 'colour-contrast'],
  mean: [1.5, 2, 4.2],
  std: [1.1, 0.9, 0.4],
  weights: [1.2, 0.8, 0.6],
  bias: -0.3,
  threshold: 0.35,
  provenance: {
    trainedAt: '2026-12-01T10:00:00.000Z',
    clips: { 'bona-fide': 60, 'print/hand': 30 },
    framesWithoutFace: 1,
    l2: 1,
    folds: 5,
    thresholdRule: 'BPCER ≤ 5 % on the training clips’ out-of-fold scores (5 folds by person)',
    outOfFold: { bpcer: 0.05, apcerWorst: 0.0667, apcerWorstSpecies: 'print/hand', apcerBySpecies: { 'print/hand': 0.0667 } },
  },
};

describe('the site cue: install, check, remove', () => {
  const root = mkdtempSync(join(tmpdir(), 'lintel-site-cue-'));
  const dataDir = join(root, 'data');
  const modelsDir = join(dataDir, 'models');
  let withModels: LoadedManifest;
  let withoutModels: LoadedManifest;
  const file = (name: string, content: unknown): string => {
    const path = join(root, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  before(async () => {
    mkdirSync(modelsDir, { recursive: true });
    mkdirSync(join(root, 'no-models'));
    withoutModels = await loadManifest(defaultManifestPath(), undefined, { addedModelsDir: join(root, 'no-models') });
    // Only the presence of an added model's file is checked here: empty files stand in for the converted MiniFASNets.
    for (const id of ['minifasnet-v2', 'minifasnet-v1se']) writeFileSync(join(modelsDir, withoutModels.manifest.models[id]!.onnx.file), '');
    withModels = await loadManifest(defaultManifestPath(), undefined, { addedModelsDir: modelsDir });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('installs a good file into the data folder and reads it back', async () => {
    const cue = await installSitePadCue(file('good.json', GOOD), dataDir, withModels);
    assert.equal(cue.threshold, 0.35);
    assert.deepEqual(JSON.parse(readFileSync(sitePadCuePath(dataDir), 'utf8')), GOOD);
    assert.deepEqual(await readSitePadCue(sitePadCuePath(dataDir), withModels), cue);
  });

  it('refuses a tampered or broken file naming what is wrong, and leaves the installed cue as it was', async () => {
    const installed = readFileSync(sitePadCuePath(dataDir), 'utf8');
    const refusals: [string, unknown, RegExp][] = [
      ['infinite.json', JSON.stringify(GOOD).replace('"bias":-0.3', '"bias":1e999'), /bias/],
      ['string.json', { ...GOOD, weights: [1.2, '0.8', 0.6] }, /weights\.1/],
      ['zero-std.json', { ...GOOD, std: [1.1, 0, 0.4] }, /std\.1/],
      ['short.json', { ...GOOD, weights: [1.2, 0.8] }, /weights has 2 values for 3 features/],
      ['unknown-feature.json', { ...GOOD, features: ['minifasnet-v2', 'iris-texture', 'colour-contrast'] }, /features\.1/],
      ['twice.json', { ...GOOD, features: ['minifasnet-v2', 'minifasnet-v2', 'colour-contrast'] }, /listed twice/],
      ['rate.json', { ...GOOD, provenance: { ...GOOD.provenance, outOfFold: { ...GOOD.provenance.outOfFold, bpcer: 5 } } }, /provenance\.outOfFold\.bpcer/],
      ['extra.json', { ...GOOD, note: 'x' }, /note/],
      ['not-json.json', '{"format": ', /is not JSON/],
    ];
    for (const [name, content, message] of refusals) {
      await assert.rejects(installSitePadCue(file(name, content), dataDir, withModels), (error: unknown) => error instanceof SitePadCueError && message.test(error.message), name);
    }
    await assert.rejects(installSitePadCue(join(root, 'absent.json'), dataDir, withModels), /cannot read .*ENOENT/);
    assert.equal(readFileSync(sitePadCuePath(dataDir), 'utf8'), installed);
  });

  it('refuses a cue whose features run a model this terminal has not added', async () => {
    await assert.rejects(installSitePadCue(file('good.json', GOOD), dataDir, withoutModels), /its features run minifasnet-v2, model minifasnet-v2 has not been added/);
    // Colour alone needs no model.
    const colourOnly = { ...GOOD, features: ['colour-contrast'], mean: [4.2], std: [0.4], weights: [0.6] };
    assert.equal((await installSitePadCue(file('colour.json', colourOnly), join(root, 'other'), withoutModels)).features.length, 1);
  });

  it('removes the installed cue, and says when there is none', async () => {
    assert.equal(await removeSitePadCue(dataDir), true);
    assert.equal(existsSync(sitePadCuePath(dataDir)), false);
    assert.equal(await removeSitePadCue(dataDir), false);
    assert.equal(await readSitePadCue(sitePadCuePath(dataDir), withModels), undefined);
  });
});
