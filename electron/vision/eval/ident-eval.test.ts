import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { EmbeddingCache } from './embedding-cache.js';
import { parseManifest } from '../models/manifest.js';
import { defaultManifestPath } from '../models/paths.js';
import { withIdentificationCurve } from './manifest-curve.js';
import { thresholdFor } from '../matcher/identification-curve.js';
import {
  buildIdentificationCurve,
  embedImages,
  evaluateIdentification,
  formatIdentSummary,
  impostorScores,
  rankOneOutcomes,
  writeIdentReport,
  type CachedFaceModel,
  type IdentEmbedder,
  type IdentReport,
} from './ident-eval.js';
import { fnirAt, fpirAt, rankOneRate } from './open-set-metrics.js';
import { scoreMatrix } from './score-matrix.js';
import { cosineSimilarity } from '../matcher/similarity.js';
import { PersonGallery } from '../matcher/person-gallery.js';
import { buildOpenSetProtocol } from './open-set-protocol.js';

let root: string;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'lintel-ident-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

const unit = (...values: number[]): Float32Array => {
  const norm = Math.hypot(...values);
  return Float32Array.from(values.map((v) => v / norm));
};
const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);
const dot = (a: Float32Array, b: Float32Array): number => a.reduce((sum, v, i) => sum + v * b[i]!, 0);

/** A fake embedder: a fixed vector per image base name (null: no face), counting its calls. */
function fakeEmbedder(id: string, vectors: Record<string, Float32Array | null>, weight = 1, cache?: EmbeddingCache): IdentEmbedder & { calls: number } {
  const embedder = {
    id,
    weight,
    calls: 0,
    ...(cache ? { cache } : {}),
    embed(imagePath: string) {
      embedder.calls++;
      const embedding = vectors[path.basename(imagePath)];
      if (embedding === undefined) throw new Error(`no fake vector for ${imagePath}`);
      return Promise.resolve({ embedding, pipelineMs: 10, extractMs: embedding ? 4 : null });
    },
  };
  return embedder;
}

describe('embedImages', () => {
  test('weighted fusion: the fused dot product is the weighted mean of the models’ cosines, and fused templates are unit length', async () => {
    const a = { 'x.jpg': unit(1, 0), 'y.jpg': unit(1, 1), 'z.jpg': unit(0, 1) };
    const b = { 'x.jpg': unit(1, 2, 2), 'y.jpg': unit(2, 1, 2), 'z.jpg': null };
    const { fused, timings } = await embedImages(['x.jpg', 'y.jpg', 'z.jpg'], [fakeEmbedder('a', a, 0.6), fakeEmbedder('b', b, 0.4)]);
    const x = fused.get('x.jpg')!;
    const y = fused.get('y.jpg')!;
    assert.equal(x.length, 5);
    assert.ok(Math.abs(dot(x, x) - 1) < 1e-6);
    const expected = 0.6 * dot(a['x.jpg'], a['y.jpg']) + 0.4 * dot(b['x.jpg'], b['y.jpg']);
    assert.ok(Math.abs(dot(x, y) - expected) < 1e-6, `${dot(x, y)} vs ${expected}`);
    assert.equal(fused.get('z.jpg'), null, 'no face in one model: no fused template');
    assert.deepEqual(timings.map((t) => [t.id, t.weight, t.embedded]), [['a', 0.6, 3], ['b', 0.4, 3]]);
  });

  test('a second run takes every embedding from the cache', async () => {
    const images = ['p.jpg', 'q.jpg'].map((name) => path.join(root, name));
    for (const image of images) await writeFile(image, 'pixels');
    const vectors = { 'p.jpg': unit(1, 0), 'q.jpg': null };
    const first = fakeEmbedder('m', vectors, 1, await EmbeddingCache.open(path.join(root, 'cache'), { model: 'm' }));
    await embedImages(images, [first]);
    assert.equal(first.calls, 2);
    const second = fakeEmbedder('m', vectors, 1, await EmbeddingCache.open(path.join(root, 'cache'), { model: 'm' }));
    const { fused, timings } = await embedImages(images, [second]);
    assert.equal(second.calls, 0);
    assert.equal(timings[0]!.cacheHits, 2);
    assert.deepEqual(fused.get(images[0]!), unit(1, 0));
  });
});

describe('scoreMatrix', () => {
  test('per identity the best of its templates (max) or its mean template (mean); NaN rows for searches without a face', () => {
    const identities = [[unit(1, 0), unit(0, 1)], [unit(1, 1)]];
    const searches = [unit(1, 0), null];
    const max = scoreMatrix(searches, identities, 'max');
    assert.ok(Math.abs(max[0]! - 1) < 1e-6);
    assert.ok(Math.abs(max[1]! - Math.SQRT1_2) < 1e-6);
    assert.ok(Number.isNaN(max[2]!) && Number.isNaN(max[3]!));
    const mean = scoreMatrix(searches, identities, 'mean');
    // The mean of (1,0) and (0,1), normalised, is (1,1)/√2.
    assert.ok(Math.abs(mean[0]! - Math.SQRT1_2) < 1e-6);
  });

  test('mean with a length exponent compares as PersonGallery does: the cosine times the mean length to that power', () => {
    const identities = [[unit(1, 0), unit(0, 1)], [unit(1, 1)]];
    const scaled = scoreMatrix([unit(1, 0)], identities, 'mean', 0.5);
    // (½, ½) is 0.707 long; the one-template identity keeps its cosine.
    assert.ok(Math.abs(scaled[0]! - Math.SQRT1_2 * Math.SQRT1_2 ** 0.5) < 1e-6, `${scaled[0]}`);
    assert.ok(Math.abs(scaled[1]! - Math.SQRT1_2) < 1e-6);
    const gallery = new PersonGallery({ dimension: 2, lengthExponent: 0.5 });
    gallery.addMany([{ id: 'a', template: unit(1, 0) }, { id: 'a', template: unit(0, 1) }]);
    assert.ok(Math.abs(gallery.similarityTo('a', unit(1, 0))! - scaled[0]!) < 1e-6);
    assert.deepEqual(scoreMatrix([unit(1, 0)], identities, 'max', 0.5), scoreMatrix([unit(1, 0)], identities, 'max'), 'max has no mean to scale');
  });
});

describe('evaluateIdentification on a small folder with fake embeddings', () => {
  test('rank-1, FNIR at FPIR, the shipped threshold, demographics and modelled sizes', async () => {
    const lfw = path.join(root, 'lfw');
    const strangers = path.join(root, 'strangers');
    const files: Record<string, Float32Array | null> = {
      'Ann_0001.jpg': unit(1, 0, 0, 0),
      'Ann_0002.jpg': unit(0.95, 0.3, 0, 0),
      'Ann_0003.jpg': unit(0.6, 0.8, 0, 0), // closer to Ben than to Ann: a wrong top-1
      'Ben_0001.jpg': unit(0, 1, 0, 0),
      'Ben_0002.jpg': unit(0.1, 0.99, 0, 0),
      'Cy_0001.jpg': unit(0, 0, 1, 0),
      's1.jpg': unit(0.5, 0, 0.86, 0),
      's2.jpg': unit(0, 0, 0, 1),
      's3.jpg': null,
    };
    for (const name of Object.keys(files)) {
      const dir = name.startsWith('s') ? strangers : path.join(lfw, name.split('_')[0]!);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, name), name);
    }
    await writeFile(path.join(strangers, 'labels.csv'), 'file,gender,race\ns1.jpg,Female,East Asian\ns2.jpg,Male,White\ns3.jpg,Male,White\n');
    const protocol = await buildOpenSetProtocol({ imagesDir: lfw, nonMatedDirs: [strangers] });
    const { report } = await evaluateIdentification({
      protocol,
      source: { imagesDir: lfw, nonMatedDirs: [strangers], distractorDirs: [] },
      embedders: [fakeEmbedder('fake', files)],
      label: 'fake',
      gallerySizes: [1, 100],
      // The door's threshold rises with the gallery, as the curve's does.
      shippedThreshold: (gallerySize) => (gallerySize >= 100 ? 0.97 : 0.9),
      siteReference: { levels: [{ similarity: 0.2, fmr: 0.01 }] },
    });
    // Two people are no site: no reference of their own (2 comparisons), no likeness, no raised threshold.
    assert.deepEqual(report.siteLikeness, { galleryReference: null, measured: null, atShippedThreshold: null });
    assert.deepEqual(
      report.galleries.map((g) => [g.gallerySize, g.atShippedThreshold?.threshold]),
      [[1, 0.9], [2, 0.9], [100, 0.97]],
      'each size at the threshold the door would use with that many enrolled',
    );
    // Gallery Ann, Ben; mated searches Ann_0002 (named, 0.95), Ann_0003 (top-1 Ben), Ben_0002 (named, 0.99).
    assert.equal(report.gallerySize, 2);
    close(report.rank1, 2 / 3);
    assert.deepEqual(report.modelledSizes, [100]);
    assert.deepEqual(Object.keys(report.fnirAtFpir), ['1', '2', '100']);
    assert.deepEqual(Object.keys(report.fnirAtFpir['2']!), ['0.1', '0.01', '0.003', '0.001']);
    // Non-mated tops: Cy 0 (max of 0, 0), s1 0.5, s2 0, s3 no face. FPIR 0.1 of 4 allows none: threshold above 0.5.
    close(report.fnirAtFpir['2']!['0.1']!, 1 / 3);
    const full = report.galleries.find((g) => g.gallerySize === 2)!;
    assert.equal(full.kind, 'measured');
    assert.equal(full.atShippedThreshold!.fpir, 0);
    close(full.atShippedThreshold!.fnir, 1 / 3);
    assert.equal(report.galleries.find((g) => g.gallerySize === 100)!.kind, 'modelled');
    const race = report.demographics.atShippedThreshold!.find((s) => s.column === 'race')!;
    assert.deepEqual(race.groups.map((g) => [g.group, g.searches, g.falsePositives]), [['East Asian', 1, 0], ['White', 2, 0]]);
    // Modelled from the groups' tails (above ~0.5, the pool's highest comparison): one comparison in East Asian's
    // tail, none in White's: too few to fit, so the intervals say nothing.
    const modelled = report.demographics.modelled;
    assert.ok(Math.abs(modelled.tailFrom - 0.5) < 0.01, `tail from ${modelled.tailFrom}`);
    assert.deepEqual(modelled.atShippedThreshold!.map((m) => m.gallerySize), [1, 2, 100]);
    const modelledRace = modelled.atShippedThreshold!.find((m) => m.gallerySize === 2)!.spreads.find((s) => s.column === 'race')!;
    assert.deepEqual(modelledRace.groups.map((g) => [g.group, g.exceedances, g.fpirInterval95]), [['East Asian', 1, [0, 1]], ['White', 0, [0, 1]]]);
    assert.equal(modelledRace.verdict, 'undecided');
    assert.equal(report.protocol.noFaceImages, 1);
    // One to one (a card names the person): comparisons Cy, s1, s2 × Ann, Ben = [0.5, 0 × 5]; FMR 1e-2 of 6 lets
    // none through, so the threshold sits above 0.5 — and Ann_0003 (0.6 with Ann), a wrong top-1 at 1:N, is matched.
    assert.deepEqual(Object.keys(report.oneToOne.fnmrAtFmr), ['0.01', '0.001', '0.0001', '0.00001']);
    assert.equal(report.oneToOne.fnmrAtFmr['0.01'], 0);
    const oneToOneThreshold = report.oneToOne.thresholdAtFmr['0.01']!;
    assert.ok(oneToOneThreshold > 0.5 && oneToOneThreshold < 0.6, `threshold ${oneToOneThreshold}`);
    // Per group at the FMR 1e-3 threshold (the same, above 0.5): s1 (East Asian) 0.5 with Ann stays under it; s3 has no face.
    const oneToOneRace = report.oneToOne.fmrByGroupAt1e3.find((spread) => spread.column === 'race')!;
    assert.deepEqual(oneToOneRace.groups.map((g) => [g.group, g.comparisons, g.falseMatches]), [['East Asian', 2, 0], ['White', 2, 0]]);
    assert.ok(Number.isNaN(oneToOneRace.worstOverBest), 'no false match at all');

    const out = path.join(root, 'out');
    await writeIdentReport({ report, impostors: { descending: Float64Array.from([0.5, 0, 0]) }, mated: [] }, out);
    const written = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as { fnirAtFpir: Record<string, Record<string, number>> };
    close(written.fnirAtFpir['2']!['0.1']!, 1 / 3);
    assert.match(await readFile(path.join(out, 'det.svg'), 'utf8'), /N = 100, modelled/);
    assert.equal(report.meanTemplate, null, 'one image a person: no mean template to fit');

    // Two images a person (only Ann has more): her mean compared with the exponent asked for; too few strangers to fit one.
    const twice = await evaluateIdentification({
      protocol: await buildOpenSetProtocol({ imagesDir: lfw, nonMatedDirs: [strangers], enrollCount: 2 }),
      source: { imagesDir: lfw, nonMatedDirs: [strangers], distractorDirs: [] },
      embedders: [fakeEmbedder('fake', files)],
      label: 'fake, enroll 2',
      gallerySizes: [1],
      multi: 'mean',
      meanLengthExponent: 0.5,
      shippedThreshold: null,
    });
    assert.deepEqual(twice.report.meanTemplate, { applied: 0.5, fit: null });
    // Ann's mean of (1, 0, 0, 0) and (0.95, 0.3, 0, 0) and her third image, scaled by the mean's length to ½.
    const [a1, a2, a3] = [files['Ann_0001.jpg']!, files['Ann_0002.jpg']!, files['Ann_0003.jpg']!];
    const sum = a1.map((v, d) => v + a2[d]!);
    const length = Math.hypot(...sum) / 2;
    assert.equal(twice.mated.length, 1);
    assert.ok(Math.abs(twice.mated[0]!.topSimilarity! - cosineSimilarity(sum, a3) * length ** 0.5) < 1e-6, `${twice.mated[0]!.topSimilarity}`);
  });
});

describe('the young-child rule on a hand-made score set', () => {
  // Identities 0 and 1 may be let in by face; 2 is card-only. Rows 0–2 mated, 3–4 non-mated.
  const scores = Float32Array.from([
    [0.9, 0.1, 0.2], // mated to 0: named with or without the rule
    [0.1, 0.2, 0.8], // mated to 2, the card-only one: named by the recogniser, a miss at the door
    [0.1, 0.5, 0.7], // mated to 1, card-only top-1: a wrong top-1 either way
    [0.6, 0.2, 0.95], // stranger whose top-1 is card-only, with a grantable identity above 0.5 behind it
    [0.6, 0.1, 0.55], // stranger whose top-1 may be let in
  ].flat());
  const columns = Int32Array.from([0, 1, 2]);
  const mated = [
    { row: 0, mateColumn: 0 },
    { row: 1, mateColumn: 2 },
    { row: 2, mateColumn: 1 },
  ];
  const cardOnly = new Set([2]);

  test('a card-only top-1 makes no identification: no false positive for a stranger, a miss for a mated search', () => {
    const alone = rankOneOutcomes(scores, 3, columns, mated, [3, 4]);
    const door = rankOneOutcomes(scores, 3, columns, mated, [3, 4], cardOnly);
    assert.equal(fpirAt(alone.nonMatedTop, 0.5), 1);
    // The door answers "card required" to the first stranger, though identity 0 (0.6) is above the threshold too.
    assert.deepEqual(door.nonMatedTop, [null, 0.6000000238418579]);
    assert.equal(fpirAt(door.nonMatedTop, 0.5), 0.5);
    close(fnirAt(alone.mated, 0.5), 1 / 3);
    close(fnirAt(door.mated, 0.5), 2 / 3);
    close(rankOneRate(door.mated), 1 / 3);
    // The card-only person can be named in no gallery, so the modelled figures count them as a miss too.
    assert.equal(door.mated[1]!.mateSimilarity, null);
    assert.ok(Math.abs(door.mated[2]!.mateSimilarity! - 0.5) < 1e-6, 'a rival card-only top-1 leaves the mate similarity as it is');
  });

  test('the per-comparison pool leaves out the card-only identity', () => {
    assert.deepEqual([...impostorScores(scores, 3, [3, 4]).descending].map((v) => Math.round(v * 100) / 100), [0.95, 0.6, 0.6, 0.55, 0.2, 0.1]);
    assert.deepEqual([...impostorScores(scores, 3, [3, 4], cardOnly).descending].map((v) => Math.round(v * 100) / 100), [0.6, 0.6, 0.2, 0.1]);
  });
});

describe('evaluateIdentification with the young-child rule', () => {
  test('estimates the enrollment images’ ages (cached), makes the baby card-only, and reports the door beside the recogniser', async () => {
    const lfw = path.join(root, 'young', 'lfw');
    const strangers = path.join(root, 'young', 'strangers');
    const files: Record<string, Float32Array | null> = {
      'Ann_0001.jpg': unit(1, 0, 0, 0),
      'Ann_0002.jpg': unit(0.95, 0.3, 0, 0),
      'Ann_0003.jpg': unit(0.2, 0, 0.3, 0.93), // a poor photo of Ann: Baby (0.30) outscores her (0.20)
      'Ben_0001.jpg': unit(0, 1, 0, 0),
      'Ben_0002.jpg': unit(0.1, 0.99, 0, 0),
      'Baby_0001.jpg': unit(0, 0, 1, 0),
      'Baby_0002.jpg': unit(0, 0, 0.97, 0.25),
      's1.jpg': unit(0, 0, 0.99, 0.1), // another infant: closer to Baby than any mated search to its mate
      's2.jpg': unit(0.3, 0, 0, 0.95),
      's3.jpg': unit(0, 0, 0, 1),
    };
    for (const name of Object.keys(files)) {
      const dir = name.startsWith('s') ? strangers : path.join(lfw, name.split('_')[0]!);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, name), name);
    }
    await writeFile(path.join(strangers, 'labels.csv'), 'file,age\ns1.jpg,0-2\ns2.jpg,20-29\ns3.jpg,20-29\n');
    const agesYears: Record<string, number> = { 'Ann_0001.jpg': 30, 'Ben_0001.jpg': 40, 'Baby_0001.jpg': 2 };
    const ageEstimator = async (): Promise<CachedFaceModel & { estimated: string[] }> => {
      const estimator = {
        id: 'fake-age',
        cache: await EmbeddingCache.open(path.join(root, 'young', 'cache'), { model: 'fake-age' }),
        estimated: [] as string[],
        embed(imagePath: string) {
          estimator.estimated.push(path.basename(imagePath));
          const years = agesYears[path.basename(imagePath)];
          if (years === undefined) throw new Error(`${imagePath} is not an enrollment image`);
          return Promise.resolve({ embedding: Float32Array.of(years), pipelineMs: 5, extractMs: 1 });
        },
      };
      return estimator;
    };
    const protocol = await buildOpenSetProtocol({ imagesDir: lfw, nonMatedDirs: [strangers] });
    const run = async (estimator: CachedFaceModel): Promise<IdentReport> =>
      (
        await evaluateIdentification({
          protocol,
          source: { imagesDir: lfw, nonMatedDirs: [strangers], distractorDirs: [] },
          embedders: [fakeEmbedder('fake', files)],
          label: 'fake',
          gallerySizes: [100],
          shippedThreshold: () => 0.9,
          youngChildRule: { ageEstimator: estimator },
        })
      ).report;
    const first = await ageEstimator();
    const report = await run(first);
    assert.deepEqual(first.estimated.sort(), ['Ann_0001.jpg', 'Baby_0001.jpg', 'Ben_0001.jpg'], 'the enrollment images, and only those');
    const rule = report.youngChildRule!;
    assert.deepEqual(rule.cardOnlyIdentities, [{ id: 'Baby', estimatedAgeYears: 2, distractor: false }]);
    assert.equal(rule.cardOnlyMatedSearches, 1);
    assert.equal(rule.matedOutscoredByCardOnly.searches, 1);
    assert.ok(Math.abs(rule.matedOutscoredByCardOnly.highestMateSimilarity! - 0.2 / Math.hypot(0.2, 0.3, 0.93)) < 1e-6);

    // The recogniser alone: s1 (0.995 with Baby) sets the FPIR 0.1 threshold above every mate: all four are missed.
    assert.equal(report.fnirAtFpir['3']!['0.1'], 1);
    close(report.rank1, 3 / 4);
    // The door: s1's top-1 is card-only, so the threshold falls to just above s2's 0.30; Baby's own search is a
    // miss, and so is Ann_0003 (top-1 Baby).
    close(rule.fnirAtFpir['3']!['0.1']!, 2 / 4);
    close(rule.rank1, 2 / 4);
    const measured = rule.galleries.find((g) => g.gallerySize === 3)!;
    assert.equal(report.galleries.find((g) => g.gallerySize === 3)!.atShippedThreshold!.fpir, 1 / 3);
    assert.equal(measured.atShippedThreshold!.fpir, 0);

    // Modelled: Baby's comparisons leave the pool (3 strangers × 2 identities), so nothing outscores Ann's or Ben's
    // mate similarity; with Baby's 0.995 still in it, both would be missed.
    assert.equal(report.comparisons.count, 9);
    assert.equal(rule.comparisons.count, 6);
    assert.equal(report.fnirAtFpir['100']!['0.1'], 1);
    close(rule.fnirAtFpir['100']!['0.1']!, 2 / 4);
    const modelled = rule.galleries.find((g) => g.gallerySize === 100)!;
    assert.equal(modelled.kind, 'modelled');
    assert.equal(modelled.atShippedThreshold!.fpir, 0);
    assert.ok(report.galleries.find((g) => g.gallerySize === 100)!.atShippedThreshold!.fpir > 0.99, 'one comparison in nine above 0.9, a hundred times');

    // Per age group at the shipped threshold: the infant stranger's false positive is gone at the door.
    const byAge = (spreads: IdentReport['demographics']['atShippedThreshold']): Array<[string, number]> =>
      spreads!.find((s) => s.column === 'age')!.groups.map((g) => [g.group, g.falsePositives]);
    assert.deepEqual(byAge(report.demographics.atShippedThreshold), [['0-2', 1], ['20-29', 0]]);
    assert.deepEqual(byAge(rule.demographics.atShippedThreshold).sort(), [['0-2', 0], ['20-29', 0]]);
    assert.match(formatIdentSummary(report), /young-child rule: card only, .*: Baby \(2 years\); 1 mated searches of them count as misses/);

    // A second run takes every estimate from the cache.
    const second = await ageEstimator();
    const again = await run(second);
    assert.deepEqual(second.estimated, []);
    assert.deepEqual(again.youngChildRule!.cardOnlyIdentities, rule.cardOnlyIdentities);
    assert.equal(again.youngChildRule!.estimator.cacheHits, 3);
  });

  test('without the option the report has no door figures', async () => {
    const lfw = path.join(root, 'plain');
    const files = { 'Ann_0001.jpg': unit(1, 0), 'Ann_0002.jpg': unit(0.9, 0.1), 'Ben_0001.jpg': unit(0, 1), 'Ben_0002.jpg': unit(0.1, 0.9) };
    for (const name of Object.keys(files)) {
      await mkdir(path.join(lfw, name.split('_')[0]!), { recursive: true });
      await writeFile(path.join(lfw, name.split('_')[0]!, name), name);
    }
    const { report } = await evaluateIdentification({
      protocol: await buildOpenSetProtocol({ imagesDir: lfw }),
      source: { imagesDir: lfw, nonMatedDirs: [], distractorDirs: [] },
      embedders: [fakeEmbedder('fake', files)],
      label: 'fake',
      gallerySizes: [],
      shippedThreshold: null,
    });
    assert.equal(report.youngChildRule, undefined);
    assert.doesNotMatch(formatIdentSummary(report), /young-child rule/);
  });
});

describe('buildIdentificationCurve', () => {
  test('FMR on a log grid down to five comparisons, FNIR at the same similarities, and the schema accepts it', async () => {
    // 1,000 comparisons spread evenly over 0..0.999; mated searches named at 0.9, 0.995 and one wrong top-1.
    const descending = Float64Array.from({ length: 1000 }, (_, i) => (999 - i) / 1000);
    const mated = [
      { topSimilarity: 0.9, topIsMate: true, mateSimilarity: 0.9 },
      { topSimilarity: 0.995, topIsMate: true, mateSimilarity: 0.995 },
      { topSimilarity: 0.99, topIsMate: false, mateSimilarity: 0.5 },
    ];
    const report = { gallerySize: 2, createdAt: '2026-12-02T12:00:00.000Z', galleries: [{ gallerySize: 2, kind: 'measured', matedSearches: 3, nonMatedSearches: 500, points: [] }], siteLikeness: { galleryReference: { comparisons: 2_000, levels: [{ fmr: 0.01, similarity: 0.2474521 }, { fmr: 0.001, similarity: 0.3356 }] }, measured: null, atShippedThreshold: null } } as unknown as IdentReport;
    const curve = buildIdentificationCurve({ report, impostors: { descending }, mated }, 'hand-made', 5);
    assert.deepEqual(buildIdentificationCurve({ report, impostors: { descending }, mated }, 'hand-made').points.map((p) => p.fmr), [0.1, 0.05623], 'by default down to 50 comparisons');
    // 10^(−k/4) × 1,000 ≥ 5 for k = 4..9.
    assert.deepEqual(curve.points.map((p) => p.fmr), [0.1, 0.05623, 0.03162, 0.01778, 0.01, 0.005623]);
    // FMR 0.1 lets the top 100 of 1,000 through: the threshold sits just above 0.899, rounded up to 5 digits.
    close(curve.points[0]!.similarity, 0.89901);
    assert.deepEqual(curve.points.map((p) => p.fnir), [1 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3].map((v) => Math.round(v * 1e5) / 1e5));
    assert.deepEqual(curve.protocol, { description: 'hand-made', gallerySize: 2, matedSearches: 3, nonMatedSearches: 500, comparisons: 1000, measuredOn: '2026-12-02' });
    // The manifest accepts it, and reading it back gives the threshold it was built from.
    const text = await readFile(defaultManifestPath(), 'utf8');
    const stored = parseManifest(withIdentificationCurve(text, 'faceapi-resnet-128', curve), 'test').models['faceapi-resnet-128']!.identification!;
    close(thresholdFor(stored, 1, 0.1), 0.89901);
    assert.deepEqual(stored.galleryReference, { comparisons: 2_000, levels: [{ fmr: 0.01, similarity: 0.24746 }, { fmr: 0.001, similarity: 0.3356 }] }, "the gallery's own reference, rounded up");
  });
});
