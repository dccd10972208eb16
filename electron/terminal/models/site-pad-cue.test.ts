import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { siteCueFile } from '../../vision/liveness/test/site-cue-file.js';
import { loadManifest, type LoadedManifest } from '../../vision/models/manifest.js';
import { defaultManifestPath } from '../../vision/models/paths.js';
import { installSitePadCue, readSitePadCue, removeSitePadCue, SitePadCueError, sitePadCuePath } from './site-pad-cue.js';


/** A cue whose features run both MiniFASNet models. */
const GOOD = siteCueFile(['minifasnet-v2', 'minifasnet-v1se', 'colour-contrast']);

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
      ['string.json', { ...GOOD, weights: [0.8, '0.8', 0.8] }, /weights\.1/],
      ['zero-std.json', { ...GOOD, std: [0.5, 0, 0.5] }, /std\.1/],
      ['short.json', { ...GOOD, weights: [0.8, 0.8] }, /weights has 2 values for 3 features/],
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
    const colourOnly = siteCueFile(['colour-contrast']);
    assert.equal((await installSitePadCue(file('colour.json', colourOnly), join(root, 'other'), withoutModels)).features.length, 1);
  });

  it('removes the installed cue, and says when there is none', async () => {
    assert.equal(await removeSitePadCue(dataDir), true);
    assert.equal(existsSync(sitePadCuePath(dataDir)), false);
    assert.equal(await removeSitePadCue(dataDir), false);
    assert.equal(await readSitePadCue(sitePadCuePath(dataDir), withModels), undefined);
  });
});
