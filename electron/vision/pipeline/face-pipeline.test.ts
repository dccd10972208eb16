// Integration tests of the whole CPU pipeline on real photos: face-api's demo group photos (shipped with the
// @vladmandic/face-api dependency) and, where present, a fixed slice of LFW from ../shared/data/lfw-dev.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

import { OnnxBackend } from '../backend/onnx-backend.js';
import { readLfwPairs } from '../eval/lfw-pairs.js';
import type { FaceTemplate } from '../extractor/face-extractor.js';
import { decodeImageFile } from '../frame/decode.js';
import { createRgbImage, cropRgb, flipHorizontal, type RgbImage } from '../frame/rgb-image.js';
import type { Point } from '../geometry/point.js';
import { matchScore } from '../matcher/identification-curve.js';
import { loadManifest, resolveModel, type LoadedManifest } from '../models/manifest.js';
import { defaultManifestPath, packageRoot } from '../models/paths.js';
import { FacePipeline, type AnalysedFace, type AnalysisResult } from './face-pipeline.js';

const ROOT = packageRoot();
const DEMO_DIR = join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo');
const LFW_DIR = join(ROOT, '..', 'shared', 'data', 'lfw-dev');
const FIXTURE_URL = new URL('./fixtures/demo-faces.json', import.meta.url);

/** How far (normalised) a detected face centre may lie from the reviewed one. */
const CENTRE_TOLERANCE = 0.03;
/**
 * Faces turned further than this are at the edge of FaceMesh's range: it is not symmetric there (the profile face
 * of sample2 is lost in the mirrored photo), so they are left out of the mirror checks and held to a lower presence.
 */
const MIRROR_MAX_YAW_DEG = 45;
/** Pairs taken from each half of LFW fold 1; fixed, so the numbers below are reproducible. */
const LFW_PAIRS_PER_KIND = 15;

interface DemoPhoto {
  readonly file: string;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly faceCount: number;
  readonly faceCentresNorm: readonly (readonly [number, number])[];
}

interface Analysed {
  readonly image: RgbImage;
  readonly result: AnalysisResult;
}

const centre = (face: AnalysedFace): Point => ({ x: face.boxNorm.x + face.boxNorm.width / 2, y: face.boxNorm.y + face.boxNorm.height / 2 });
const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
const fmt = (value: number): string => value.toFixed(4);

/** The face whose centre is nearest `target`, if it lies within `tolerance`. */
function faceNear(faces: readonly AnalysedFace[], target: Point, tolerance: number): AnalysedFace | undefined {
  let best: AnalysedFace | undefined;
  let bestDistance = tolerance;
  for (const face of faces) {
    const d = distance(centre(face), target);
    if (d <= bestDistance) {
      best = face;
      bestDistance = d;
    }
  }
  return best;
}

/** The face of an LFW image: the one nearest the centre (LFW crops are centred on their subject). */
function centralFace(faces: readonly AnalysedFace[]): AnalysedFace | undefined {
  return [...faces].sort((a, b) => distance(centre(a), { x: 0.5, y: 0.5 }) - distance(centre(b), { x: 0.5, y: 0.5 }))[0];
}

describe('FacePipeline on real photos', () => {
  let manifest: LoadedManifest;
  let pipeline: FacePipeline | undefined;
  let modelsMissing = '';
  let photos: DemoPhoto[] = [];
  // Each photo is decoded and analysed once, on first use, and shared by the tests below.
  const analysed = new Map<string, Promise<Analysed>>();
  const analysedFlipped = new Map<string, Promise<Analysed>>();

  before(async () => {
    photos = (JSON.parse(await readFile(FIXTURE_URL, 'utf8')) as { photos: DemoPhoto[] }).photos;
    manifest = await loadManifest(defaultManifestPath());
    const { defaults } = manifest.manifest;
    const missing = [defaults.detector, defaults.fitter, defaults.extractor]
      .map((id) => resolveModel(manifest, id).onnxPath)
      .filter((path) => !existsSync(path));
    if (missing.length > 0) {
      modelsMissing = `converted models missing (${missing.join(', ')}): run \`npm run models\``;
      return;
    }
    pipeline = await FacePipeline.create({ manifest, backend: new OnnxBackend() });
  });

  after(async () => {
    await pipeline?.close();
  });

  /** The pipeline, or undefined after marking the test skipped when the models have not been converted. */
  function pipelineOrSkip(t: TestContext): FacePipeline | undefined {
    if (!pipeline) t.skip(modelsMissing);
    return pipeline;
  }

  function analyse(p: FacePipeline, file: string, flipped = false): Promise<Analysed> {
    const cache = flipped ? analysedFlipped : analysed;
    let entry = cache.get(file);
    if (!entry) {
      entry = (async () => {
        const decoded = await decodeImageFile(join(DEMO_DIR, file));
        const image = flipped ? flipHorizontal(decoded) : decoded;
        return { image, result: await p.analyse(image) };
      })();
      cache.set(file, entry);
    }
    return entry;
  }

  function threshold(p: FacePipeline): number {
    return p.extractor.thresholds.verifySimilarity;
  }

  it('finds every face of the demo photos where the reviewed fixture puts it, and nothing else', async (t) => {
    const p = pipelineOrSkip(t);
    if (!p) return;
    assert.equal(photos.length, 6, 'the fixture covers sample1.jpg … sample6.jpg');
    for (const photo of photos) {
      const { result } = await analyse(p, photo.file);
      assert.equal(photo.faceCentresNorm.length, photo.faceCount, `${photo.file}: fixture count and centres disagree`);
      assert.deepEqual([result.widthPx, result.heightPx], [photo.widthPx, photo.heightPx], `${photo.file}: image size`);
      const found = result.faces.map((face) => `(${centre(face).x.toFixed(3)}, ${centre(face).y.toFixed(3)})`).join(' ');
      assert.equal(result.faces.length, photo.faceCount, `${photo.file}: expected ${photo.faceCount} faces, found ${result.faces.length}: ${found}`);
      // One-to-one: each reviewed centre claims its own detected face.
      const unclaimed = new Set(result.faces);
      for (const [x, y] of photo.faceCentresNorm) {
        const face = faceNear([...unclaimed], { x, y }, CENTRE_TOLERANCE);
        assert.ok(face, `${photo.file}: no face within ${CENTRE_TOLERANCE} of the reviewed centre (${x}, ${y}); found ${found}`);
        unclaimed.delete(face);
      }
    }
  });

  it('gives every face plausible five points, size, presence and pose, largest first, with stage times', async (t) => {
    const p = pipelineOrSkip(t);
    if (!p) return;
    const { landmarkCount } = resolveModel(manifest, p.modelIds.fitter).entry.decoding as { landmarkCount: number };
    for (const photo of photos) {
      const { result } = await analyse(p, photo.file);
      assert.ok(result.timingsMs.detectMs > 0, `${photo.file}: detectMs ${result.timingsMs.detectMs}`);
      assert.ok(result.timingsMs.fitMs > 0, `${photo.file}: fitMs ${result.timingsMs.fitMs}`);
      result.faces.forEach((face, index) => {
        const what = `${photo.file} face #${index} at (${centre(face).x.toFixed(3)}, ${centre(face).y.toFixed(3)})`;
        const { boxNorm: box, quality: q } = face;
        assert.equal(face.fivePointsNorm.length, 5, `${what}: five points`);
        assert.equal(face.meshNorm.length, landmarkCount * 3, `${what}: mesh size`);
        for (const point of face.fivePointsNorm) {
          const inside = point.x >= box.x && point.x <= box.x + box.width && point.y >= box.y && point.y <= box.y + box.height;
          assert.ok(inside, `${what}: point (${fmt(point.x)}, ${fmt(point.y)}) outside its box ${JSON.stringify(box)}`);
        }
        const [leftEye, rightEye] = face.fivePointsNorm as [Point, Point];
        assert.ok(leftEye.x < rightEye.x, `${what}: left eye x ${fmt(leftEye.x)} is not left of right eye x ${fmt(rightEye.x)}`);
        assert.ok(q.interOcularPx > 20, `${what}: inter-ocular ${q.interOcularPx} px`);
        // The profile face of sample2 (yaw ≈ -55°) is at the edge of FaceMesh's range: presence 0.83 with one pass.
        const minPresence = Math.abs(q.yawDeg) > MIRROR_MAX_YAW_DEG ? 0.75 : 0.9;
        assert.ok(q.presence > minPresence, `${what}: presence ${q.presence}, yaw ${q.yawDeg}°`);
        assert.ok(Math.abs(q.yawDeg) < 60, `${what}: yaw ${q.yawDeg}°`);
        assert.ok(Math.abs(q.pitchDeg) < 60, `${what}: pitch ${q.pitchDeg}°`);
        const next = result.faces[index + 1];
        if (next) assert.ok(q.interOcularPx >= next.quality.interOcularPx, `${photo.file}: faces not sorted largest first at #${index}`);
      });
    }
  });

  it('finds no face in a flat grey image, a gradient, or the parts of sample1 without faces', async (t) => {
    const p = pipelineOrSkip(t);
    if (!p) return;
    const grey = createRgbImage(640, 480);
    grey.data.fill(128);
    const gradient = createRgbImage(640, 480);
    for (let y = 0; y < gradient.heightPx; y++) {
      for (let x = 0; x < gradient.widthPx; x++) {
        const offset = (y * gradient.widthPx + x) * 3;
        gradient.data[offset] = Math.round((x * 255) / (gradient.widthPx - 1));
        gradient.data[offset + 1] = Math.round((y * 255) / (gradient.heightPx - 1));
        gradient.data[offset + 2] = 128;
      }
    }
    const { image: sample1 } = await analyse(p, 'sample1.jpg');
    const cases: [string, RgbImage][] = [
      ['flat grey', grey],
      ['colour gradient', gradient],
      // Curtain, posters and a chair left of the first face.
      ['sample1 left strip', cropRgb(sample1, { x: 0, y: 0, width: 400, height: 1280 })],
      // Below every face: hands, arms, clothes and a wine glass, skin without a face.
      ['sample1 bottom', cropRgb(sample1, { x: 0, y: 720, width: 1920, height: 560 })],
    ];
    for (const [name, image] of cases) {
      const { faces } = await p.analyse(image);
      assert.equal(faces.length, 0, `${name}: expected no face, found ${faces.map((face) => JSON.stringify(centre(face))).join(' ')}`);
    }
  });

  it('mirrors the pose: in the flipped photo yaw and roll change sign, pitch stays', async (t) => {
    const p = pipelineOrSkip(t);
    if (!p) return;
    let checkedYaw = 0;
    let checkedRoll = 0;
    for (const photo of photos) {
      const { result } = await analyse(p, photo.file);
      const { result: flipped } = await analyse(p, photo.file, true);
      for (const face of result.faces) {
        const { yawDeg, rollDeg, pitchDeg } = face.quality;
        if (Math.abs(yawDeg) > MIRROR_MAX_YAW_DEG) continue;
        const { x, y } = centre(face);
        const what = `${photo.file} face at (${x.toFixed(3)}, ${y.toFixed(3)})`;
        const mirror = faceNear(flipped.faces, { x: 1 - x, y }, CENTRE_TOLERANCE);
        assert.ok(mirror, `${what}: not found in the flipped photo`);
        const m = mirror.quality;
        const pose = `yaw ${yawDeg.toFixed(1)}/${m.yawDeg.toFixed(1)}°, roll ${rollDeg.toFixed(1)}/${m.rollDeg.toFixed(1)}°, pitch ${pitchDeg.toFixed(1)}/${m.pitchDeg.toFixed(1)}°`;
        if (Math.abs(yawDeg) > 5) {
          assert.ok(Math.sign(yawDeg) === -Math.sign(m.yawDeg), `${what}: yaw keeps its sign when flipped (${pose})`);
          checkedYaw++;
        }
        if (Math.abs(rollDeg) > 5) {
          assert.ok(Math.sign(rollDeg) === -Math.sign(m.rollDeg), `${what}: roll keeps its sign when flipped (${pose})`);
          checkedRoll++;
        }
        // Magnitudes agree within a few degrees (measured at most ~4°).
        assert.ok(Math.abs(yawDeg + m.yawDeg) < 8, `${what}: yaw is not mirrored (${pose})`);
        assert.ok(Math.abs(rollDeg + m.rollDeg) < 8, `${what}: roll is not mirrored (${pose})`);
        assert.ok(Math.abs(pitchDeg - m.pitchDeg) < 8, `${what}: pitch changes when flipped (${pose})`);
      }
    }
    // Guard against a vacuous pass: the photos hold many turned and tilted heads.
    assert.ok(checkedYaw >= 10 && checkedRoll >= 10, `only ${checkedYaw} yaw and ${checkedRoll} roll sign checks ran`);
  });

  it('gives a face and the same face in the mirrored photo nearly the same template (above identifySimilarity)', async (t) => {
    const p = pipelineOrSkip(t);
    if (!p) return;
    // A mirrored face must still be found by a 1:N search: above the stricter threshold, whatever the extractor
    // (measured lowest: faceapi 0.98, MobileFaceNet 0.972, on sample4's turned head).
    const minSimilarity = Math.max(threshold(p), p.extractor.thresholds.identifySimilarity);
    let compared = 0;
    for (const photo of photos) {
      const original = await analyse(p, photo.file);
      const flipped = await analyse(p, photo.file, true);
      for (const face of original.result.faces) {
        if (Math.abs(face.quality.yawDeg) > MIRROR_MAX_YAW_DEG) continue;
        const { x, y } = centre(face);
        const mirror = faceNear(flipped.result.faces, { x: 1 - x, y }, CENTRE_TOLERANCE);
        assert.ok(mirror, `${photo.file} face at (${x.toFixed(3)}, ${y.toFixed(3)}): not found in the flipped photo`);
        const a = (await p.extract(original.image, face)).template;
        const b = (await p.extract(flipped.image, mirror)).template;
        const similarity = p.compare(a, b);
        assert.ok(similarity >= minSimilarity, `${photo.file} face at (${x.toFixed(3)}, ${y.toFixed(3)}): similarity to its mirror image ${fmt(similarity)} < ${minSimilarity}`);
        compared++;
      }
    }
    assert.ok(compared >= 20, `only ${compared} faces compared with their mirror image`);
  });

  it('keeps different people in one photo apart: none at identifySimilarity, at most two pairs at verifySimilarity', async (t) => {
    const p = pipelineOrSkip(t);
    if (!p) return;
    // People in the same photo are certainly different people, unlike faces from different photos of this
    // shoot, some of which look alike.
    const similarities: { pair: string; similarity: number }[] = [];
    for (const photo of photos) {
      const { image, result } = await analyse(p, photo.file);
      const templates: FaceTemplate[] = [];
      for (const face of result.faces) templates.push((await p.extract(image, face)).template);
      for (let i = 0; i < templates.length; i++) {
        for (let j = i + 1; j < templates.length; j++) {
          const { x, y } = centre(result.faces[i]!);
          const other = centre(result.faces[j]!);
          const pair = `${photo.file} (${x.toFixed(2)}, ${y.toFixed(2)})–(${other.x.toFixed(2)}, ${other.y.toFixed(2)})`;
          similarities.push({ pair, similarity: p.compare(templates[i]!, templates[j]!) });
        }
      }
    }
    assert.equal(similarities.length, 31, 'pairs of different people in the six photos');
    similarities.sort((a, b) => b.similarity - a.similarity);
    const listed = (list: typeof similarities): string => list.map(({ pair, similarity }) => `${pair}: ${fmt(similarity)}`).join(', ');
    const atOrAbove = (limit: number): typeof similarities => similarities.filter(({ similarity }) => similarity >= limit);
    const { verifySimilarity, identifySimilarity } = p.extractor.thresholds;
    t.diagnostic(`highest different-person similarities: ${listed(similarities.slice(0, 3))}`);
    // The rule, measured with the thresholds chosen on LFW: with faceapi (verify 0.931, identify 0.955) the middle
    // and the right woman of sample3 score 0.942, every other pair stays below verify; with MobileFaceNet (verify
    // 0.454, identify 0.589) two pairs of young women, in sample3 and sample5, score 0.481 and 0.473. One or two
    // false accepts in 31 pairs where LFW's FAR 1e-3 predicts 0.03 say these young women of similar looks are
    // harder than LFW's public figures — the reason the door asks for the 1:N threshold and several frames. A
    // third pair above verify, or any at identify, is a regression.
    assert.equal(listed(atOrAbove(identifySimilarity)), '', `different people at or above identifySimilarity ${identifySimilarity}`);
    const accepted = atOrAbove(verifySimilarity);
    assert.ok(accepted.length <= 2, `${accepted.length} different-person pairs at or above verifySimilarity ${verifySimilarity}: ${listed(accepted)}`);
  });

  it("creates a matcher with the extractor's curve: match scores, and a person's mean compared as the door compares it", async (t) => {
    const p = pipelineOrSkip(t);
    if (!p) return;
    const curve = resolveModel(manifest, p.modelIds.extractor).entry.identification;
    if (!curve) return t.skip(`${p.modelIds.extractor} has no identification curve in the manifest`);
    const matcher = p.createMatcher();
    assert.equal(matcher.matchScore(0.5), matchScore(curve, 0.5));
    // Two unit templates 60° apart: their mean is √3/2 long, and the door scales its cosine by that to the fitted power.
    const dimension = p.extractor.dimension;
    const a = new Float32Array(dimension);
    const b = new Float32Array(dimension);
    a[0] = 1;
    b[0] = 0.5;
    b[1] = Math.sqrt(3) / 2;
    matcher.gallery.add('person-1', a);
    matcher.gallery.add('person-1', b);
    const [hit] = matcher.gallery.search(a);
    const exponent = curve.meanTemplate?.lengthExponent ?? 0;
    const cosineToMean = (1 + 0.5) / 2 / (Math.sqrt(3) / 2);
    assert.ok(hit && Math.abs(hit.similarity - cosineToMean * (Math.sqrt(3) / 2) ** exponent) < 1e-5, `similarity ${hit?.similarity}, exponent ${exponent}`);
  });

  it('makes unit-length templates of the manifest size, and compare refuses templates of another model', async (t) => {
    const p = pipelineOrSkip(t);
    if (!p) return;
    const { image, result } = await analyse(p, 'sample3.jpg');
    const face = result.faces[0];
    assert.ok(face, 'sample3.jpg has faces');
    const { template, alignedCrop, durationMs } = await p.extract(image, face);
    const extractor = resolveModel(manifest, p.modelIds.extractor).entry;
    assert.equal(template.modelId, p.modelIds.extractor);
    assert.equal(template.vector.length, extractor.decoding.kind === 'embedding' ? extractor.decoding.size : Number.NaN);
    const norm = Math.hypot(...template.vector);
    assert.ok(Math.abs(norm - 1) < 1e-5, `template norm ${norm}`);
    assert.ok(template.vector.every(Number.isFinite), 'template values are finite');
    assert.deepEqual([alignedCrop.widthPx, alignedCrop.heightPx], [extractor.alignment?.sizePx, extractor.alignment?.sizePx]);
    assert.ok(durationMs > 0);
    assert.ok(Math.abs(p.compare(template, template) - 1) < 1e-6, 'a template matches itself');
    // Same length and values, another model: only the id tells them apart, and it must.
    const foreign: FaceTemplate = { modelId: 'another-extractor', vector: template.vector };
    assert.throws(() => p.compare(template, foreign), (error: Error) => {
      assert.match(error.message, /templates from different models cannot be compared/);
      assert.ok(error.message.includes(`${p.modelIds.extractor} vs another-extractor`), error.message);
      return true;
    });
  });

  it(`separates the first ${LFW_PAIRS_PER_KIND} same-person and ${LFW_PAIRS_PER_KIND} different-person LFW pairs of fold 1 at verifySimilarity`, async (t) => {
    const pairsPath = join(LFW_DIR, 'pairs.txt');
    if (!existsSync(pairsPath)) {
      t.skip(`LFW not found at ${LFW_DIR} (needs pairs.txt and images/; see ../shared/data/README.md)`);
      return;
    }
    const p = pipelineOrSkip(t);
    if (!p) return;
    const { pairs } = await readLfwPairs(pairsPath, join(LFW_DIR, 'images'));
    const fold1 = pairs.filter((pair) => pair.fold === 0);
    const chosen = [...fold1.filter((pair) => pair.same).slice(0, LFW_PAIRS_PER_KIND), ...fold1.filter((pair) => !pair.same).slice(0, LFW_PAIRS_PER_KIND)];
    const templates = new Map<string, FaceTemplate>();
    const templateOf = async (path: string): Promise<FaceTemplate> => {
      const cached = templates.get(path);
      if (cached) return cached;
      const image = await decodeImageFile(path);
      const face = centralFace((await p.analyse(image)).faces);
      assert.ok(face, `no face found in ${path}`);
      const { template } = await p.extract(image, face);
      templates.set(path, template);
      return template;
    };
    const scored: { line: number; same: boolean; similarity: number }[] = [];
    for (const pair of chosen) {
      scored.push({ line: pair.lineNumber, same: pair.same, similarity: p.compare(await templateOf(pair.imageA), await templateOf(pair.imageB)) });
    }
    const same = scored.filter((s) => s.same);
    const different = scored.filter((s) => !s.same);
    const limit = threshold(p);
    const describeScores = (list: typeof scored): string => list.map((s) => `line ${s.line}: ${fmt(s.similarity)}`).join(', ');
    t.diagnostic(`same: ${describeScores(same)}`);
    t.diagnostic(`different: ${describeScores(different)}`);
    // On this subset every pair falls on its side of the threshold (same ≥ 0.946, different ≤ 0.897 at the time
    // of writing), so the rule is the strict one.
    assert.equal(describeScores(same.filter((s) => s.similarity < limit)), '', `same-person pairs below ${limit}`);
    assert.equal(describeScores(different.filter((s) => s.similarity >= limit)), '', `different-person pairs at or above ${limit}`);
    // Independent of where the threshold sits: the two groups do not overlap, and their means lie well apart.
    const minSame = Math.min(...same.map((s) => s.similarity));
    const maxDifferent = Math.max(...different.map((s) => s.similarity));
    assert.ok(minSame > maxDifferent, `groups overlap: lowest same-person ${fmt(minSame)} ≤ highest different-person ${fmt(maxDifferent)}`);
    const gap = mean(same.map((s) => s.similarity)) - mean(different.map((s) => s.similarity));
    assert.ok(gap > 0.08, `mean same-person similarity exceeds mean different-person similarity by only ${fmt(gap)}`);
  });
});
