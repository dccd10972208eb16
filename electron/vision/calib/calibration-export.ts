/**
 * Writes the calibration set INT8 quantisation needs, one folder per model, each with its `dataset.txt` as
 * RKNN-Toolkit2 reads it: one image path per line, relative to the dataset file's folder, every image RGB at
 * exactly the model's input size (the toolkit applies mean/std itself). The inputs are cut by the pipeline
 * itself, so they are what each model sees when the terminal runs:
 * - detector: the letterboxed frame of each photo used;
 * - fitter: the rotated ROI crop of each detected face (first mesh pass);
 * - extractor: the aligned crop of each face the mesh confirms, and its mirror image when templates are
 *   mirror-averaged (the extractor sees both).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { writeFileAtomic } from '../../shared/write-file-atomic.js';
import { alignFace } from '../align/align-face.js';
import { decodeImageFile, encodePng } from '../frame/decode.js';
import { letterbox } from '../frame/resize.js';
import { flipHorizontal, type RgbImage } from '../frame/rgb-image.js';
import { roiToCropTransform } from '../fitter/face-roi.js';
import { warpAffine } from '../geometry/warp.js';
import { resolveModel, type LoadedManifest } from '../models/manifest.js';
import type { FacePipeline } from '../pipeline/face-pipeline.js';

const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** The manifest of one exported set, written as `calibration.json` beside the model folders. */
export interface CalibrationSetInfo {
  /** ISO 8601 time of the export. */
  readonly createdAt: string;
  /** Folder the photos came from, as given. */
  readonly source: string;
  /** People (LFW folder names) left out, and the file that named them. */
  readonly excluded?: { readonly pairsFile: string; readonly people: number };
  readonly photos: readonly string[];
  readonly faces: number;
  readonly mirrored: boolean;
  /** Per model id: its role, and the number of images its dataset.txt lists. */
  readonly datasets: Readonly<Record<string, { readonly role: 'detector' | 'fitter' | 'extractor'; readonly images: number }>>;
}

/**
 * Image files under `dir` (recursively), minus those in a folder named in `excludeFolders` (LFW keeps each
 * person in a folder of their name). The order is fixed but spread: sorted by a hash of the relative path,
 * so taking the first N does not take the people of one letter.
 */
export async function listPhotos(dir: string, excludeFolders: ReadonlySet<string> = new Set()): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const photos = entries
    .filter((entry) => entry.isFile() && PHOTO_EXTENSIONS.has(path.extname(entry.name).toLowerCase()))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !excludeFolders.has(path.basename(path.dirname(file))));
  const key = (file: string): string => createHash('sha1').update(path.relative(dir, file)).digest('hex');
  return photos.map((file) => ({ file, key: key(file) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ file }) => file);
}

/** Options of {@link exportCalibrationSet}. */
export interface CalibrationExportOptions {
  readonly pipeline: FacePipeline;
  readonly manifest: LoadedManifest;
  /** Photos to use, in order (see listPhotos); all faces of a photo are taken. */
  readonly photos: readonly string[];
  /** Folder the photos came from, for calibration.json. */
  readonly source: string;
  readonly outDir: string;
  /** Faces to collect; default 200. */
  readonly faceCount?: number;
  /** Add each aligned crop's mirror image to the extractor's set; default true. */
  readonly mirror?: boolean;
  readonly excluded?: CalibrationSetInfo['excluded'];
  /** Called after each photo with faces found so far and the target. */
  readonly onProgress?: (faces: number, target: number) => void;
}

interface DatasetWriter {
  readonly modelId: string;
  readonly role: 'detector' | 'fitter' | 'extractor';
  readonly dir: string;
  readonly files: string[];
}

async function addImage(dataset: DatasetWriter, image: RgbImage): Promise<void> {
  const file = `${String(dataset.files.length).padStart(4, '0')}.png`;
  await writeFile(path.join(dataset.dir, file), await encodePng(image));
  dataset.files.push(file);
}

/**
 * Detects, fits and aligns faces in `photos` until `faceCount` faces are collected, and writes the three
 * models' calibration images and dataset.txt files under `outDir/<model id>/`. Photos that do not decode
 * are skipped; a run that finds no face at all throws.
 */
export async function exportCalibrationSet(options: CalibrationExportOptions): Promise<CalibrationSetInfo> {
  const { pipeline, manifest, photos, outDir } = options;
  const faceCount = options.faceCount ?? 200;
  const mirror = options.mirror ?? true;
  const ids = pipeline.modelIds;
  const detectorSizePx = resolveModel(manifest, ids.detector).entry.input.widthPx;
  const fitterSizePx = resolveModel(manifest, ids.fitter).entry.input.widthPx;
  const datasets: DatasetWriter[] = (['detector', 'fitter', 'extractor'] as const).map((role) => ({
    modelId: ids[role],
    role,
    dir: path.join(outDir, ids[role]),
    files: [],
  }));
  const [detectorSet, fitterSet, extractorSet] = datasets as [DatasetWriter, DatasetWriter, DatasetWriter];
  for (const dataset of datasets) await mkdir(dataset.dir, { recursive: true });

  const used: string[] = [];
  let faces = 0;
  for (const photo of photos) {
    if (faces >= faceCount) break;
    let image: RgbImage;
    try {
      image = await decodeImageFile(photo);
    } catch {
      continue;
    }
    const { detections } = await pipeline.detector.detect(image);
    let facesHere = 0;
    for (const detection of detections) {
      if (faces >= faceCount) break;
      const roi = pipeline.fitter.roiFromDetection(detection);
      const { landmarks } = await pipeline.fitter.fitRoi(image, roi);
      if (landmarks.presence < pipeline.minPresence) continue;
      await addImage(fitterSet, warpAffine(image, roiToCropTransform(roi, fitterSizePx), fitterSizePx, fitterSizePx, { border: 'replicate' }));
      const { crop } = alignFace(image, landmarks.fivePointsPx, pipeline.extractor.template);
      await addImage(extractorSet, crop);
      if (mirror) await addImage(extractorSet, flipHorizontal(crop));
      faces++;
      facesHere++;
    }
    if (facesHere > 0) {
      await addImage(detectorSet, letterbox(image, detectorSizePx).image);
      used.push(path.relative(options.source, photo));
    }
    options.onProgress?.(faces, faceCount);
  }
  if (faces === 0) throw new Error(`no face found in ${photos.length} photos under ${options.source}`);

  for (const dataset of datasets) await writeFileAtomic(path.join(dataset.dir, 'dataset.txt'), `${dataset.files.join('\n')}\n`);
  const info: CalibrationSetInfo = {
    createdAt: new Date().toISOString(),
    source: options.source,
    ...(options.excluded ? { excluded: options.excluded } : {}),
    photos: used,
    faces,
    mirrored: mirror,
    datasets: Object.fromEntries(datasets.map((d) => [d.modelId, { role: d.role, images: d.files.length }])),
  };
  await writeFileAtomic(path.join(outDir, 'calibration.json'), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}
