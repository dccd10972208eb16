// Prints the speed of a folder import of LFW photos into a fresh store: photos/s for the whole import
// (decode, analysis, template, crop JPEG, duplicate check, one transaction per person), then for a re-run
// that skips everyone. Run: npx tsx electron/terminal/enrollment/bulk-import.bench.ts [photos=500] [lfwImagesDir]
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { importFolder, IMPORT_STATUSES } from './bulk-import.js';
import { LFW_IMAGES, loadTestPipeline, openStoreWithGallery } from './test/helpers.js';

/** Photos taken per LFW person at most, so the import has many people with a few samples each. */
const PHOTOS_PER_PERSON = 4;

const wanted = Number(process.argv[2] ?? 500);
const lfw = process.argv[3] ?? LFW_IMAGES;
if (!Number.isInteger(wanted) || wanted < 1) throw new Error(`photos must be a whole number ≥ 1, got ${process.argv[2]}`);
if (!existsSync(lfw)) throw new Error(`no LFW images at ${lfw}`);

const work = mkdtempSync(join(tmpdir(), 'lintel-import-bench-'));
try {
  const root = join(work, 'people');
  let copied = 0;
  let people = 0;
  for (const name of readdirSync(lfw).sort()) {
    if (copied >= wanted) break;
    const files = readdirSync(join(lfw, name)).sort().slice(0, Math.min(PHOTOS_PER_PERSON, wanted - copied));
    mkdirSync(join(root, name), { recursive: true });
    for (const file of files) copyFileSync(join(lfw, name, file), join(root, name, file));
    copied += files.length;
    people++;
  }

  const loadStartMs = performance.now();
  const { pipeline, missing } = await loadTestPipeline({ needLfw: false });
  if (!pipeline) throw new Error(missing);
  const loadMs = performance.now() - loadStartMs;
  const matcher = pipeline.createMatcher();
  const store = openStoreWithGallery(join(work, 'data'), matcher);
  try {
    console.log(`folder import of ${copied} LFW photos of ${people} people (≤ ${PHOTOS_PER_PERSON} each); pipeline ${pipeline.modelIds.detector} + ${pipeline.modelIds.fitter} + ${pipeline.modelIds.extractor} on ${pipeline.backendName}, loaded in ${(loadMs / 1000).toFixed(2)} s`);
    const first = await importFolder({ store, pipeline, matcher, root });
    const { summary } = first;
    console.log(`first run:  ${summary.photosRead} photos in ${(summary.durationMs / 1000).toFixed(2)} s = ${summary.photosPerSecond.toFixed(1)} photos/s (${(summary.durationMs / summary.photosRead).toFixed(1)} ms/photo)`);
    console.log(`            persons enrolled ${summary.personsEnrolled}, refused ${summary.personsRefused}; samples ${summary.samplesEnrolled}`);
    console.log(`            files: ${IMPORT_STATUSES.filter((status) => summary.byStatus[status] > 0).map((status) => `${status} ${summary.byStatus[status]}`).join(', ')}`);
    const second = await importFolder({ store, pipeline, matcher, root });
    console.log(`re-run:     ${second.summary.personsSkipped} persons skipped, ${second.summary.photosRead} photos read again, ${second.summary.durationMs.toFixed(0)} ms`);
  } finally {
    store.close();
    await pipeline.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
