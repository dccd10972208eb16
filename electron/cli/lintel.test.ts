// The CLI as a user runs it: a child process from the repository root, judged by exit code, stdout and stderr.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

import sharp from 'sharp';

import { decodeImageFile } from '../vision/frame/decode.js';
import { loadManifest, resolveModel } from '../vision/models/manifest.js';
import { defaultManifestPath, packageRoot } from '../vision/models/paths.js';
import { runLintel, type CliRun } from './test/run-lintel.js';

const ROOT = packageRoot();
const SAMPLE1 = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
const LFW_IMAGES = join(ROOT, '..', 'shared', 'data', 'lfw-dev', 'images');
const FIXTURE = join(ROOT, 'electron', 'vision', 'pipeline', 'fixtures', 'demo-faces.json');
// Two pairs from LFW fold 1 (pairs.txt lines 3 and 316) far from the threshold either way (similarity 0.989 and
// 0.776 at the time of writing): this file tests the CLI, face-pipeline.test.ts tests the separation.
const LFW_SAME = ['Akhmed_Zakayev/Akhmed_Zakayev_0001.jpg', 'Akhmed_Zakayev/Akhmed_Zakayev_0003.jpg'] as const;
const LFW_DIFFERENT = ['Alfonso_Soriano/Alfonso_Soriano_0001.jpg', 'Bill_Nelson/Bill_Nelson_0002.jpg'] as const;

/** A user-facing failure: the expected exit code, one `lintel: …` message naming what went wrong, no stack trace. */
function assertFailure(run: CliRun, code: number, ...parts: readonly (string | RegExp)[]): void {
  const shown = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
  assert.equal(run.code, code, `exit code\n${shown}`);
  assert.match(run.stderr, /^lintel: /, `stderr starts with "lintel: "\n${shown}`);
  assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+\)?\n/, `stderr holds a stack trace\n${shown}`);
  assert.equal(run.stdout, '', `nothing on stdout\n${shown}`);
  for (const part of parts) {
    if (typeof part === 'string') assert.ok(run.stderr.includes(part), `stderr lacks ${JSON.stringify(part)}\n${shown}`);
    else assert.match(run.stderr, part, shown);
  }
}

function parseJson<T>(run: CliRun): T {
  assert.equal(run.code, 0, `exit code\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

interface DetectReport {
  image: string;
  widthPx: number;
  heightPx: number;
  models: { detector: string; fitter: string; extractor: string };
  faces: { boxNorm: { x: number; y: number; width: number; height: number }; fivePointsNorm: [number, number][] }[];
  timingsMs: Record<string, number>;
  annotated?: string;
}

interface CompareReport {
  similarity: number;
  threshold: number;
  samePerson: boolean;
  extractor: string;
}

describe('lintel CLI', () => {
  let dir = '';
  let modelsMissing = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-cli-'));
    const manifest = await loadManifest(defaultManifestPath());
    const { defaults } = manifest.manifest;
    const missing = [defaults.detector, defaults.fitter, defaults.extractor].map((id) => resolveModel(manifest, id).onnxPath).filter((path) => !existsSync(path));
    if (missing.length > 0) modelsMissing = `converted models missing (${missing.join(', ')}): run \`npm run models\``;
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** True, after marking the test skipped, when the models a command needs have not been converted. */
  function skipWithoutModels(t: TestContext): boolean {
    if (modelsMissing) t.skip(modelsMissing);
    return modelsMissing !== '';
  }

  it('--help prints the usage and exits 0', async () => {
    const run = await runLintel(['--help']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Usage: lintel <command>/);
    assert.match(run.stdout, /detect <image>/);
    assert.equal(run.stderr, '');
  });

  it('detect finds the reviewed faces of sample1.jpg and --out writes the annotated PNG', async (t) => {
    if (skipWithoutModels(t)) return;
    const outPath = join(dir, 'annotated.png');
    const report = parseJson<DetectReport>(await runLintel(['detect', SAMPLE1, '--out', outPath]));
    const fixture = (JSON.parse(await readFile(FIXTURE, 'utf8')) as { photos: { file: string; faceCentresNorm: [number, number][] }[] }).photos.find(
      (photo) => photo.file === 'sample1.jpg',
    );
    assert.ok(fixture, 'the fixture covers sample1.jpg');
    const meta = await sharp(join(ROOT, SAMPLE1)).metadata();
    assert.deepEqual([report.widthPx, report.heightPx], [meta.width, meta.height]);
    assert.equal(report.faces.length, fixture.faceCentresNorm.length, `faces: ${JSON.stringify(report.faces.map((face) => face.boxNorm))}`);
    for (const [x, y] of fixture.faceCentresNorm) {
      const near = report.faces.some(({ boxNorm: b }) => Math.hypot(b.x + b.width / 2 - x, b.y + b.height / 2 - y) <= 0.03);
      assert.ok(near, `no reported face near the reviewed centre (${x}, ${y})`);
    }
    assert.ok(report.faces.every((face) => face.fivePointsNorm.length === 5));
    assert.ok((report.timingsMs.detectMs ?? 0) > 0 && (report.timingsMs.fitMs ?? 0) > 0, JSON.stringify(report.timingsMs));
    assert.equal(report.annotated, outPath);

    const annotated = await sharp(outPath).metadata();
    assert.equal(annotated.format, 'png');
    assert.deepEqual([annotated.width, annotated.height], [meta.width, meta.height]);
    // Drawn on: pixels changed inside the face boxes, and the photo is untouched far from every face.
    const { data: drawn } = await sharp(outPath).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const source = await decodeImageFile(join(ROOT, SAMPLE1));
    let changed = 0;
    for (let i = 0; i < source.data.length; i++) if (drawn[i] !== source.data[i]) changed++;
    assert.ok(changed > 1000, `only ${changed} bytes differ from the photo`);
    const cornerStart = (source.heightPx - 100) * source.widthPx * 3;
    assert.ok(drawn.subarray(cornerStart).equals(source.data.subarray(cornerStart)), 'the bottom 100 rows, far from every face, changed');
  });

  it('compare says two LFW photos of one person are the same person and two people are not', async (t) => {
    if (!existsSync(LFW_IMAGES)) {
      t.skip(`LFW not found at ${LFW_IMAGES} (see ../shared/data/README.md)`);
      return;
    }
    if (skipWithoutModels(t)) return;
    const same = parseJson<CompareReport>(await runLintel(['compare', ...LFW_SAME.map((file) => join(LFW_IMAGES, file))]));
    assert.equal(same.samePerson, true, `similarity ${same.similarity}, threshold ${same.threshold}`);
    assert.ok(same.similarity >= same.threshold);
    const different = parseJson<CompareReport>(await runLintel(['compare', ...LFW_DIFFERENT.map((file) => join(LFW_IMAGES, file))]));
    assert.equal(different.samePerson, false, `similarity ${different.similarity}, threshold ${different.threshold}`);
    assert.ok(different.similarity < different.threshold);
    assert.equal(same.extractor, different.extractor);
  });

  describe('refuses bad input with a message naming the file', () => {
    it('a missing image', async () => {
      const path = join(dir, 'no-such-photo.jpg');
      assertFailure(await runLintel(['detect', path]), 1, `"${path}"`, 'no such file: check the path');
    });

    it('a text file named .jpg', async () => {
      const path = join(dir, 'notes.jpg');
      await writeFile(path, 'meeting notes, not a photo\n');
      assertFailure(await runLintel(['detect', path]), 1, `"${path}"`, 'not a supported image (JPEG, PNG, WebP)');
    });

    it('a truncated JPEG', async () => {
      const path = join(dir, 'truncated.jpg');
      await writeFile(path, (await readFile(join(ROOT, SAMPLE1))).subarray(0, 2000));
      assertFailure(await runLintel(['detect', path]), 1, `"${path}"`, 'corrupt or truncated');
    });

    it('an image without a face, in either place of compare', async (t) => {
      if (skipWithoutModels(t)) return;
      const path = join(dir, 'grey.png');
      await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toFile(path);
      assertFailure(await runLintel(['compare', path, SAMPLE1]), 1, `no face found in ${path}`, 'use a photo where the face is visible');
      assertFailure(await runLintel(['compare', SAMPLE1, path]), 1, `no face found in ${path}`);
    });
  });

  describe('refuses a bad command line with the usage, exit 2', () => {
    it('an unknown command', async () => {
      const run = await runLintel(['frobnicate', SAMPLE1]);
      assertFailure(run, 2, 'unknown command "frobnicate"', 'Usage: lintel <command>');
    });

    it('detect and compare with too few or too many images', async () => {
      assertFailure(await runLintel(['detect']), 2, 'detect takes one image', 'Usage: lintel');
      assertFailure(await runLintel(['detect', SAMPLE1, SAMPLE1]), 2, 'detect takes one image');
      assertFailure(await runLintel(['compare', SAMPLE1]), 2, 'compare takes two images', 'Usage: lintel');
    });

    it('an unknown option and a bad number', async () => {
      assertFailure(await runLintel(['detect', SAMPLE1, '--bogus']), 2, "Unknown option '--bogus'", 'Usage: lintel');
      assertFailure(await runLintel(['detect', SAMPLE1, '--threads', '0']), 2, '--threads must be a whole number ≥ 1, got "0"');
    });

    it('no command at all', async () => {
      const run = await runLintel([]);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /Usage: lintel <command>/);
    });
  });

  describe('refuses models that are not there or not the right files', () => {
    it('a missing model folder: says which file and to run `npm run models`', async () => {
      const manifestDir = join(dir, 'no-models');
      await mkdir(manifestDir);
      await copyFile(defaultManifestPath(), join(manifestDir, 'manifest.json'));
      const run = await runLintel(['detect', SAMPLE1, '--manifest', join(manifestDir, 'manifest.json')]);
      assertFailure(run, 1, join(manifestDir, 'onnx'), 'is missing', '`npm run models`');
    });

    it('a model with one flipped byte: says it is damaged or replaced', async (t) => {
      if (skipWithoutModels(t)) return;
      const manifestDir = join(dir, 'tampered');
      await mkdir(join(manifestDir, 'onnx'), { recursive: true });
      await copyFile(defaultManifestPath(), join(manifestDir, 'manifest.json'));
      const manifest = await loadManifest(join(manifestDir, 'manifest.json'));
      const { defaults } = manifest.manifest;
      const original = await loadManifest(defaultManifestPath());
      for (const id of [defaults.detector, defaults.fitter, defaults.extractor]) {
        await copyFile(resolveModel(original, id).onnxPath, resolveModel(manifest, id).onnxPath);
      }
      const tampered = resolveModel(manifest, defaults.fitter).onnxPath;
      const bytes = await readFile(tampered);
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
      await writeFile(tampered, bytes);
      const run = await runLintel(['compare', SAMPLE1, SAMPLE1, '--manifest', join(manifestDir, 'manifest.json')]);
      assertFailure(run, 1, tampered, `model ${defaults.fitter}`, 'damaged or was replaced', 'npm run models -- --force');
    });

    it('a manifest that does not exist', async () => {
      const path = join(dir, 'nowhere', 'manifest.json');
      assertFailure(await runLintel(['detect', SAMPLE1, '--manifest', path]), 1, `cannot read the model manifest ${path}`);
    });

    it('an extractor id the manifest does not have: lists the ids it has', async () => {
      assertFailure(await runLintel(['detect', SAMPLE1, '--extractor', 'no-such-model']), 1, 'no model "no-such-model"', 'it has: ');
    });
  });

  describe('reports problems as `lintel: …` messages, without a stack trace', () => {
    it('an --extractor that names a model of another role', async (t) => {
      if (skipWithoutModels(t)) return;
      assertFailure(await runLintel(['detect', SAMPLE1, '--extractor', 'blazeface-256']), 1, 'blazeface-256', 'not a face extractor');
    });

    it('--out into a folder that does not exist yet creates it', async (t) => {
      if (skipWithoutModels(t)) return;
      const outPath = join(dir, 'new-folder', 'annotated.png');
      const run = await runLintel(['detect', SAMPLE1, '--out', outPath]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok((await stat(outPath)).size > 0);
    });

    it('--out where a folder cannot be made', async (t) => {
      if (skipWithoutModels(t)) return;
      const outPath = join(SAMPLE1, 'annotated.png');
      assertFailure(await runLintel(['detect', SAMPLE1, '--out', outPath]), 1, `cannot write the annotated image ${outPath}`);
    });

    it('eval lfw with a pairs file that does not exist', async (t) => {
      if (skipWithoutModels(t)) return;
      const pairsPath = join(dir, 'no-pairs.txt');
      assertFailure(await runLintel(['eval', 'lfw', '--images', dir, '--pairs', pairsPath, '--out', join(dir, 'eval')]), 1, pairsPath, 'no such file');
    });

    it('eval lfw with an images folder that does not exist', async (t) => {
      if (skipWithoutModels(t)) return;
      const imagesDir = join(dir, 'no-images');
      assertFailure(await runLintel(['eval', 'lfw', '--images', imagesDir, '--pairs', join(dir, 'x.txt')]), 1, imagesDir, 'is not a folder');
    });

    it('eval ident with an images folder that does not exist, and with a bad --multi', async () => {
      const imagesDir = join(dir, 'no-people');
      assertFailure(await runLintel(['eval', 'ident', '--images', imagesDir]), 1, `cannot read ${imagesDir}`);
      assertFailure(await runLintel(['eval', 'ident', '--images', dir, '--multi', 'median']), 2, '--multi is max or mean', 'Usage: lintel');
    });

    it('eval ident: the mean-template exponent needs several images a person and the mean rule; --half is 1 or 2', async () => {
      for (const extra of [[], ['--enroll', '3'], ['--multi', 'mean']]) {
        assertFailure(await runLintel(['eval', 'ident', '--images', dir, '--write-mean-exponent', ...extra]), 2, '--write-mean-exponent needs one extractor, --enroll 3');
      }
      assertFailure(
        await runLintel(['eval', 'ident', '--images', dir, '--enroll', '3', '--multi', 'mean', '--write-mean-exponent', '--write-curve']),
        2,
        '--write-curve and --write-mean-exponent come from different runs',
      );
      assertFailure(await runLintel(['eval', 'ident', '--images', dir, '--half', '3']), 2, '--half is 1 or 2');
    });
  });
});
