// The site's likeness on real faces through the real detector, FaceMesh and default extractor: fifteen people
// enrolled from a 320 × 240 webcam against one background (Replay-Attack train, research use, ../shared/data/pad:
// never shipped) look far more alike than the dev gallery, and the door's threshold rises; fifteen LFW people,
// photos like the dev gallery's, raise nothing.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

import { OnnxBackend } from '../../vision/backend/onnx-backend.js';
import { evalFace } from '../../vision/eval/eval-face.js';
import { decodeImageFile } from '../../vision/frame/decode.js';
import { thresholdFor } from '../../vision/matcher/identification-curve.js';
import type { PersonTemplate } from '../../vision/matcher/site-likeness.js';
import { loadManifest, resolveModel, type LoadedManifest } from '../../vision/models/manifest.js';
import { defaultManifestPath, packageRoot } from '../../vision/models/paths.js';
import { FacePipeline } from '../../vision/pipeline/face-pipeline.js';
import { IdentifyThreshold } from './identify-threshold.js';
import { REPLAY_ATTACK_DIR } from './test/client3-clips.js';

const LFW = join(packageRoot(), '..', 'shared', 'data', 'lfw-dev', 'images');
const TRAIN = join(REPLAY_ATTACK_DIR, 'train');
const PEOPLE = 15;
const SAMPLES = 5;

/** A gallery of fixed templates, as the store gives them. */
function galleryOf(templates: readonly PersonTemplate[]): ConstructorParameters<typeof IdentifyThreshold>[0]['gallery'] {
  const persons = new Set(templates.map((t) => t.personId)).size;
  return { galleryRevision: 1, galleryCount: () => ({ persons, templates: templates.length }), galleryTemplates: () => ({ persons, templates }) };
}

describe("the site's likeness raises the threshold where enrolled faces look alike (real photos)", () => {
  let manifest: LoadedManifest | undefined;
  let pipeline: FacePipeline | undefined;
  let missing = '';

  before(async () => {
    if (!existsSync(TRAIN)) missing = `Replay-Attack frames missing under ${TRAIN}`;
    else if (!existsSync(LFW)) missing = `LFW missing under ${LFW}`;
    if (missing) return;
    manifest = await loadManifest(defaultManifestPath());
    const { defaults } = manifest.manifest;
    const absent = [defaults.detector, defaults.fitter, defaults.extractor].map((id) => resolveModel(manifest!, id).onnxPath).filter((path) => !existsSync(path));
    if (absent.length > 0) {
      missing = `converted models missing (${absent.join(', ')}): run \`npm run models\``;
      return;
    }
    pipeline = await FacePipeline.create({ manifest, backend: new OnnxBackend() });
  });
  after(() => pipeline?.close());

  async function templatesOf(people: ReadonlyMap<string, readonly string[]>): Promise<PersonTemplate[]> {
    const out: PersonTemplate[] = [];
    for (const [personId, files] of people) {
      for (const file of files) {
        const { image, face } = await evalFace(pipeline!, await decodeImageFile(file));
        assert.ok(face, `a face in ${file}`);
        out.push({ personId, template: (await pipeline!.extract(image, face)).template.vector });
      }
    }
    return out;
  }

  function doorFor(templates: readonly PersonTemplate[]): IdentifyThreshold {
    const modelId = manifest!.manifest.defaults.extractor;
    const { entry } = resolveModel(manifest!, modelId);
    return new IdentifyThreshold({ modelId, fixed: entry.thresholds!, curve: entry.identification!, gallery: galleryOf(templates) });
  }

  it('one webcam, one background: strangers several times likelier to match, the threshold raised', async (t: TestContext) => {
    if (missing) return t.skip(missing);
    // Each train person's first genuine clip (controlled light): five frames, as a live enrollment takes them.
    const clips = readdirSync(TRAIN).filter((name) => name.startsWith('train__real__') && name.endsWith('_controlled_1')).sort().slice(0, PEOPLE);
    assert.equal(clips.length, PEOPLE);
    const people = new Map(clips.map((clip) => [clip, readdirSync(join(TRAIN, clip)).filter((f) => f.endsWith('.jpg')).sort().slice(0, SAMPLES).map((f) => join(TRAIN, clip, f))]));
    const door = doorFor(await templatesOf(people));
    const state = door.state();
    const likeness = state.siteLikeness!;
    assert.equal(likeness.persons, PEOPLE);
    assert.ok(likeness.levels[0]!.factor > 3, `at 1 in 100: ${likeness.levels[0]!.factor.toFixed(2)}× (6.9× measured by eval ident)`);
    assert.ok(likeness.applied > 2, `applied ${likeness.applied.toFixed(2)}`);
    const curveAlone = thresholdFor(resolveModel(manifest!, manifest!.manifest.defaults.extractor).entry.identification!, PEOPLE, state.targetFpir);
    assert.ok(door.similarity > curveAlone + 0.02, `raised from ${curveAlone.toFixed(4)} to ${door.similarity.toFixed(4)}`);
    assert.match(likeness.note, /^Faces enrolled here look more alike than the dev data's/);
  });

  it('photos like the dev gallery’s: nothing raised', async (t: TestContext) => {
    if (missing) return t.skip(missing);
    const names = readdirSync(LFW)
      .filter((name) => readdirSync(join(LFW, name)).length >= SAMPLES)
      .sort()
      .slice(0, PEOPLE);
    const people = new Map(names.map((name) => [name, readdirSync(join(LFW, name)).sort().slice(0, SAMPLES).map((f) => join(LFW, name, f))]));
    const door = doorFor(await templatesOf(people));
    const likeness = door.state().siteLikeness!;
    assert.equal(likeness.persons, PEOPLE);
    assert.equal(likeness.applied, 1, `factors ${likeness.levels.map((l) => l.factor.toFixed(2)).join(', ')}: not surely above 1`);
  });
});
