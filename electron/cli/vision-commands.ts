// lintel detect and lintel compare: one image's faces, and two faces' similarity beside the thresholds the
// door would judge them by.
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { IdentifyThreshold, type GalleryCounter, type IdentificationState } from '../terminal/access/identify-threshold.js';
import { resolveDataDir } from '../terminal/data-dir.js';
import { TerminalStore } from '../terminal/store/store.js';
import { decodeImageFile } from '../vision/frame/decode.js';
import { modelEntry } from '../vision/models/manifest.js';
import type { AnalysedFace } from '../vision/pipeline/face-pipeline.js';
import { writeAnnotatedImage } from './annotate.js';
import { CliError, commonOptions, createPipeline, loadCliManifest, round, UsageError } from './cli-common.js';

/** A face as detect prints it: box, landmarks and quality, rounded. */
function describeFace(face: AnalysedFace, widthPx: number, heightPx: number): object {
  const q = face.quality;
  return {
    boxNorm: { x: round(face.boxNorm.x, 4), y: round(face.boxNorm.y, 4), width: round(face.boxNorm.width, 4), height: round(face.boxNorm.height, 4) },
    boxPx: {
      x: round(face.boxNorm.x * widthPx, 1),
      y: round(face.boxNorm.y * heightPx, 1),
      width: round(face.boxNorm.width * widthPx, 1),
      height: round(face.boxNorm.height * heightPx, 1),
    },
    fivePointsNorm: face.fivePointsNorm.map((p) => [round(p.x, 4), round(p.y, 4)]),
    landmarkCount: face.meshNorm.length / 3,
    quality: {
      interOcularPx: round(q.interOcularPx, 1),
      yawDeg: round(q.yawDeg, 1),
      pitchDeg: round(q.pitchDeg, 1),
      rollDeg: round(q.rollDeg, 1),
      sharpness: round(q.sharpness, 1),
      brightness: round(q.brightness, 1),
      contrast: round(q.contrast, 1),
      presence: round(q.presence, 4),
      detectorScore: round(q.detectorScore, 4),
    },
  };
}

/** `lintel detect <image> [--out annotated.png]`. */
export async function commandDetect(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...commonOptions, out: { type: 'string' } } });
  const [imagePath] = positionals;
  if (!imagePath || positionals.length > 1) throw new UsageError('detect takes one image');
  const decodeStartMs = performance.now();
  const image = await decodeImageFile(imagePath);
  const decodeMs = performance.now() - decodeStartMs;
  const pipeline = await createPipeline(values);
  try {
    const result = await pipeline.analyse(image);
    const timingsMs = Object.fromEntries(Object.entries({ decodeMs, ...result.timingsMs }).map(([k, v]) => [k, round(v)]));
    const report = {
      image: imagePath,
      widthPx: result.widthPx,
      heightPx: result.heightPx,
      models: pipeline.modelIds,
      backend: pipeline.backendName,
      faces: result.faces.map((face) => describeFace(face, result.widthPx, result.heightPx)),
      timingsMs,
    };
    if (values.out) {
      try {
        await mkdir(dirname(resolve(values.out)), { recursive: true });
        await writeAnnotatedImage(image, result.faces, values.out);
      } catch (error) {
        throw new CliError(`cannot write the annotated image ${values.out}: ${(error as Error).message}`);
      }
      Object.assign(report, { annotated: values.out });
    }
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await pipeline.close();
  }
}

/** `lintel compare <imageA> <imageB>`. */
export async function commandCompare(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: commonOptions });
  if (positionals.length !== 2) throw new UsageError('compare takes two images');
  const images = await Promise.all(positionals.map((path) => decodeImageFile(path)));
  const pipeline = await createPipeline(values);
  try {
    const templates = [];
    for (const [index, image] of images.entries()) {
      const { faces } = await pipeline.analyse(image);
      const face = faces[0];
      if (!face) throw new CliError(`no face found in ${positionals[index]}: use a photo where the face is visible and at least ~40 px between the eyes`);
      templates.push((await pipeline.extract(image, face)).template);
    }
    const similarity = pipeline.compare(templates[0]!, templates[1]!);
    const threshold = pipeline.extractor.thresholds.verifySimilarity;
    const samePerson = similarity >= threshold;
    const door = await doorThresholds(values, pipeline.modelIds.extractor);
    process.stdout.write(
      `${JSON.stringify(
        {
          imageA: positionals[0],
          imageB: positionals[1],
          extractor: pipeline.modelIds.extractor,
          similarity: round(similarity, 4),
          threshold,
          thresholdKind: '1:1 verification (the extractor\'s verifySimilarity in the manifest)',
          samePerson,
          door,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await pipeline.close();
  }
}

/** The 1:N gallery sizes compare shows the door's threshold at, where no terminal data folder is named. */
const EXAMPLE_GALLERY_SIZES = [100, 1000, 10_000] as const;

/**
 * The thresholds the door identifies with for `modelId` (1:N, stricter than compare's 1:1, following the number of
 * enrolled people on the manifest's identification curve): at the gallery and settings of the `--data` folder when
 * one is named, else at a few gallery sizes and the default target FPIR.
 */
async function doorThresholds(values: { manifest?: string; data?: string }, modelId: string): Promise<object> {
  const manifest = await loadCliManifest(values);
  const { thresholds, identification: curve } = modelEntry(manifest, modelId);
  if (!thresholds) throw new CliError(`model ${modelId} has no thresholds in the manifest`);
  const at = (gallery: GalleryCounter, settings: { targetFpir?: number; override?: number } = {}): IdentificationState =>
    new IdentifyThreshold({ modelId, fixed: thresholds, ...(curve ? { curve } : {}), gallery, ...settings }).state();
  const summarise = (state: IdentificationState): object => ({
    persons: state.gallerySize,
    similarity: round(state.thresholdSimilarity, 4),
    source: state.source,
    ...(state.note ? { note: state.note } : {}),
  });
  const kind = '1:N identification: follows the number of enrolled people on the identification curve at the target FPIR per search';
  const dataDir = values.data ?? process.env.LINTEL_DATA_DIR;
  if (dataDir === undefined) {
    const states = EXAMPLE_GALLERY_SIZES.map((persons) => at({ galleryRevision: 0, galleryCount: () => ({ persons, templates: persons }) }));
    return { thresholdKind: kind, targetFpir: states[0]!.targetFpir, byGallerySize: states.map(summarise) };
  }
  const store = TerminalStore.open({ dataDir: resolveDataDir(dataDir) });
  try {
    const override = store.settings.get('recognition.identifySimilarity');
    const state = at(store, { targetFpir: store.settings.get('recognition.targetFpir'), ...(override !== null ? { override } : {}) });
    return { thresholdKind: kind, targetFpir: state.targetFpir, terminal: summarise(state) };
  } finally {
    store.close();
  }
}
