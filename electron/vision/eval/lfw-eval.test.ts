import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { evaluateLfw, formatLfwSummary, writeLfwReport } from './lfw-eval.js';

// 2 folds × 2 pairs; Ann_0001 and Ann_0002 appear in both folds, so 9 distinct images serve 8 pairs.
const PAIRS = [
  '2\t2',
  'Ann\t1\t2',
  'Bob\t1\t2',
  'Ann\t1\tBob\t1',
  'Cy\t1\tDee\t1',
  'Cy\t1\t2',
  'Ann\t1\t2',
  'Bob\t2\tCy\t2',
  'Dee\t1\tAnn\t2',
  '',
].join('\n');
const PEOPLE = ['Ann', 'Bob', 'Cy', 'Dee'];
const IMAGES = ['Ann/Ann_0001.jpg', 'Ann/Ann_0002.jpg', 'Bob/Bob_0001.jpg', 'Bob/Bob_0002.jpg', 'Cy/Cy_0001.jpg', 'Cy/Cy_0002.jpg', 'Dee/Dee_0001.jpg'];

/** A fake embedder: one-hot by person, so same-person pairs score 1 and different-person pairs 0. */
function oneHotEmbed(calls: string[]): (imagePath: string) => Promise<Float32Array | null> {
  return async (imagePath) => {
    calls.push(imagePath);
    const person = path.basename(path.dirname(imagePath));
    const v = new Float32Array(PEOPLE.length);
    v[PEOPLE.indexOf(person)] = 1;
    return v;
  };
}

describe('evaluateLfw', () => {
  let root = '';
  let pairsPath = '';
  let imagesDir = '';

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'lintel-lfw-'));
    pairsPath = path.join(root, 'pairs.txt');
    imagesDir = path.join(root, 'images');
    await writeFile(pairsPath, PAIRS);
    for (const image of IMAGES) {
      await mkdir(path.join(imagesDir, path.dirname(image)), { recursive: true });
      // The fake embedder never reads pixels; the files only have to exist.
      await writeFile(path.join(imagesDir, image), '');
    }
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('embeds each distinct image once and scores a perfect embedder at 100 %', async () => {
    const calls: string[] = [];
    const progress: Array<[number, number]> = [];
    const report = await evaluateLfw({
      pairsPath,
      imagesDir,
      embed: oneHotEmbed(calls),
      onProgress: (done, total) => progress.push([done, total]),
      label: 'one-hot',
    });
    assert.equal(calls.length, IMAGES.length);
    assert.equal(new Set(calls).size, IMAGES.length);
    assert.deepEqual(progress.at(-1), [IMAGES.length, IMAGES.length]);
    assert.equal(progress.length, IMAGES.length);
    assert.equal(report.imageCount, IMAGES.length);
    assert.equal(report.embeddingDimension, 4);
    assert.deepEqual(report.pairs.map((p) => p.similarity), [1, 1, 0, 0, 1, 1, 0, 0]);
    assert.deepEqual(report.pairs[2], { fold: 0, same: false, imageA: 'Ann/Ann_0001.jpg', imageB: 'Bob/Bob_0001.jpg', similarity: 0 });
    assert.equal(report.metrics.accuracyMean, 1);
    assert.equal(report.metrics.accuracySd, 0);
    assert.deepEqual(report.metrics.folds.map((f) => f.accuracy), [1, 1]);
    assert.equal(report.metrics.auc, 1);
    assert.deepEqual(report.noFaceImages, []);
    assert.deepEqual(report.missingImages, []);
    assert.ok(report.timings.totalMs >= 0 && Number.isFinite(report.timings.embedMedianMs));

    const summary = formatLfwSummary(report);
    assert.match(summary, /accuracy 100\.00 ± 0\.00 %/);
    assert.match(summary, /per fold: 100\.00 100\.00 %/);
    assert.match(summary, /TAR@FAR1e-2 100\.00 %/);
    assert.match(summary, /TAR@FAR1e-3 100\.00 % at threshold 0\.0000/);
    assert.match(summary, /no face: 0 images; 0 pairs without a score/);
  });

  it('counts images without a face and scores their pairs as rejected', async () => {
    const calls: string[] = [];
    const oneHot = oneHotEmbed(calls);
    const report = await evaluateLfw({
      pairsPath,
      imagesDir,
      embed: async (imagePath) => (imagePath.endsWith('Cy_0002.jpg') ? null : oneHot(imagePath)),
    });
    assert.deepEqual(report.noFaceImages, ['Cy/Cy_0002.jpg']);
    // Cy_0002 sits in one same pair (a false reject) and one different pair (a correct reject).
    assert.equal(report.metrics.noFacePairCount, 2);
    assert.equal(report.metrics.noFacePositiveCount, 1);
    assert.deepEqual(report.metrics.folds.map((f) => f.accuracy), [1, 0.75]);
    assert.match(formatLfwSummary(report), /no face: 1 image; 2 pairs without a score \(no face or missing image\), counted as rejected/);
  });

  it('reports a missing image instead of failing, and runs embed calls concurrently up to the limit', async () => {
    await rm(path.join(imagesDir, 'Dee/Dee_0001.jpg'));
    try {
      let inFlight = 0;
      let maxInFlight = 0;
      const oneHot = oneHotEmbed([]);
      const report = await evaluateLfw({
        pairsPath,
        imagesDir,
        concurrency: 3,
        embed: async (imagePath) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          return oneHot(imagePath);
        },
      });
      assert.equal(maxInFlight, 3);
      assert.deepEqual(report.missingImages, ['Dee/Dee_0001.jpg']);
      assert.equal(report.metrics.noFacePairCount, 2);
      assert.match(formatLfwSummary(report), /missing: 1 image named by pairs\.txt not on disk \(Dee\/Dee_0001\.jpg\)/);
    } finally {
      await writeFile(path.join(imagesDir, 'Dee/Dee_0001.jpg'), '');
    }
  });

  it('names the image when embed throws or returns a different dimension', async () => {
    await assert.rejects(
      evaluateLfw({ pairsPath, imagesDir, embed: async () => Promise.reject(new Error('decoder broke')) }),
      /embed failed for .*Ann_0001\.jpg: decoder broke/,
    );
    let n = 0;
    await assert.rejects(
      evaluateLfw({ pairsPath, imagesDir, embed: async () => new Float32Array(n++ === 0 ? 4 : 8).fill(1) }),
      /dimension mismatch, 4 \(.*Ann_0001\.jpg\) vs 8 \(.*Ann_0002\.jpg\)/,
    );
  });

  it('writes the JSON report and the ROC SVG atomically, leaving no temporary files', async () => {
    const report = await evaluateLfw({ pairsPath, imagesDir, embed: oneHotEmbed([]), label: 'one-hot' });
    const outDir = path.join(root, 'out', 'lfw');
    const { jsonPath, svgPath } = await writeLfwReport({ ...report, backend: 'fake' }, outDir);
    assert.deepEqual((await readdir(outDir)).sort(), ['lfw-report.json', 'lfw-roc.svg']);
    const json = JSON.parse(await readFile(jsonPath, 'utf8')) as Record<string, unknown> & { metrics: { roc: Array<{ threshold: unknown }> } };
    assert.equal(json['backend'], 'fake');
    assert.equal(json['label'], 'one-hot');
    assert.equal(json.metrics.roc[0]!.threshold, 'Infinity');
    const svg = await readFile(svgPath, 'utf8');
    assert.match(svg, /<title>LFW verification ROC — one-hot<\/title>/);
    assert.match(svg, /one-hot — accuracy 100\.00 ± 0\.00 %/);
  });
});
