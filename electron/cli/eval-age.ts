import { mkdir } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { writeFileAtomic } from '../shared/write-file-atomic.js';
import { AgeEstimator, YOUNG_CHILD_UNDER_YEARS } from '../vision/age/age-estimator.js';
import { OnnxBackend } from '../vision/backend/onnx-backend.js';
import { AGE_CUTOFFS_YEARS, formatAgeSummary, summariseAges, type AgeEstimate } from '../vision/eval/age-eval.js';
import { listImagesRecursive, readLabels } from '../vision/eval/open-set-protocol.js';
import { decodeImageFile } from '../vision/frame/decode.js';
import { resolveModel } from '../vision/models/manifest.js';
import { fivePointsPx } from '../vision/pipeline/face-pipeline.js';
import { commonOptions, createPipeline, loadCliManifest, positiveInt, UsageError } from './cli-common.js';
import { evalFace } from '../vision/eval/eval-face.js';
import { createProgressBar } from './progress-bar.js';

/**
 * `lintel eval age --images <dir>… [--model faceapi-age] [--out <dir>]`: the age estimator on folders of faces, per
 * age band where a `labels.csv` beside the images has an `age` column (FairFace), and the faces of unlabelled
 * folders (LFW) it puts under the young-child cut-off, by name.
 */
export async function commandEvalAge(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    allowPositionals: false,
    options: { ...commonOptions, images: { type: 'string', multiple: true }, model: { type: 'string' }, out: { type: 'string' } },
  });
  const dirs = values.images ?? [];
  if (dirs.length === 0) throw new UsageError('eval age needs --images <dir> (a labels.csv with an age column beside the images gives bands)');
  const manifest = await loadCliManifest(values);
  const modelId = values.model ?? 'faceapi-age';
  const backend = new OnnxBackend({ intraOpThreads: positiveInt(values.threads, 'threads', 1) });
  const estimator = await AgeEstimator.load(resolveModel(manifest, modelId), backend);
  const pipeline = await createPipeline(values, backend);
  const estimates: AgeEstimate[] = [];
  try {
    const folders = await Promise.all(dirs.map(async (dir) => ({ dir: resolve(dir), images: await listImagesRecursive(dir), labels: await readLabels(dir, ['age']) })));
    const progress = createProgressBar('estimating', folders.reduce((sum, f) => sum + f.images.length, 0));
    for (const { dir, images, labels } of folders) {
      for (const file of images) {
        const name = relative(dir, file);
        const band = labels.size === 0 ? null : (labels.get(name)?.['age'] ?? labels.get(basename(file))?.['age'] ?? null);
        const { image, face } = await evalFace(pipeline, await decodeImageFile(file));
        const years = face ? await estimator.estimateYears(image, fivePointsPx(face, image)) : null;
        estimates.push({ file: join(basename(dir), name), band, years });
        progress.update(estimates.length);
      }
    }
    progress.done();
  } finally {
    await Promise.all([pipeline.close(), estimator.close()]);
  }
  const bands = summariseAges(estimates);
  const flagged = estimates.filter((e) => e.band === null && e.years !== null && e.years < YOUNG_CHILD_UNDER_YEARS);
  const outDir = resolve(values.out ?? 'out/age');
  await mkdir(outDir, { recursive: true });
  await writeFileAtomic(
    join(outDir, 'report.json'),
    `${JSON.stringify({ model: modelId, createdAt: new Date().toISOString(), youngChildUnderYears: YOUNG_CHILD_UNDER_YEARS, cutoffsYears: AGE_CUTOFFS_YEARS, bands, unlabelledUnderCutoff: flagged }, null, 2)}\n`,
  );
  process.stdout.write(`age estimator ${modelId} (* the young-child check's cut-off, under ${YOUNG_CHILD_UNDER_YEARS} years)\n${formatAgeSummary(bands, YOUNG_CHILD_UNDER_YEARS)}\n`);
  if (flagged.length > 0) {
    process.stdout.write(`unlabelled faces under ${YOUNG_CHILD_UNDER_YEARS} years (${flagged.length}): ${flagged.slice(0, 30).map((e) => `${e.file} ${e.years!.toFixed(1)}`).join(', ')}${flagged.length > 30 ? ', …' : ''}\n`);
  }
  process.stdout.write(`report: ${outDir}\n`);
}
