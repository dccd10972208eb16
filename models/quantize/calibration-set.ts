/**
 * Reads a calibration set written by `lintel calib export`: `<dir>/<model id>/dataset.txt`, one image per
 * line relative to that file's folder, each at the model's input size.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { normaliseInto } from '../../electron/vision/backend/onnx-backend.js';
import { decodeImageBuffer } from '../../electron/vision/frame/decode.js';
import type { RgbImage } from '../../electron/vision/frame/rgb-image.js';
import type { ModelEntry } from '../../electron/vision/models/manifest.js';

/** A calibration set is missing or does not fit the model. */
export class CalibrationSetError extends Error {
  override readonly name = 'CalibrationSetError';
}

/** One model's calibration images. */
export interface CalibrationSet {
  readonly datasetPath: string;
  readonly images: readonly RgbImage[];
  /** sha256 of dataset.txt and every image file, hex: identifies the set in cache keys. */
  readonly sha256: string;
}

/** The dataset.txt of `modelId` under a calibration folder. */
export function datasetPathOf(calibDir: string, modelId: string): string {
  return path.join(calibDir, modelId, 'dataset.txt');
}

/** Loads and checks the calibration images of one model. */
export async function loadCalibrationSet(calibDir: string, modelId: string, entry: ModelEntry): Promise<CalibrationSet> {
  const datasetPath = datasetPathOf(calibDir, modelId);
  let listing: string;
  try {
    listing = await readFile(datasetPath, 'utf8');
  } catch {
    throw new CalibrationSetError(`no calibration set for ${modelId}: ${datasetPath} is missing; write one with \`lintel calib export --images <photos>\``);
  }
  const files = listing.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  if (files.length === 0) throw new CalibrationSetError(`${datasetPath} lists no images`);
  const hash = createHash('sha256').update(listing);
  const images: RgbImage[] = [];
  for (const file of files) {
    const imagePath = path.resolve(path.dirname(datasetPath), file);
    const bytes = await readFile(imagePath).catch(() => {
      throw new CalibrationSetError(`${datasetPath} lists ${file}, which cannot be read`);
    });
    hash.update(bytes);
    const image = await decodeImageBuffer(bytes, imagePath);
    const { widthPx, heightPx } = entry.input;
    if (image.widthPx !== widthPx || image.heightPx !== heightPx) {
      throw new CalibrationSetError(`${imagePath} is ${image.widthPx}×${image.heightPx} px; ${modelId} takes ${widthPx}×${heightPx}: export the set again for this model`);
    }
    images.push(image);
  }
  return { datasetPath, images, sha256: hash.digest('hex') };
}

/** The model's float input for an image, normalised per the manifest (as the CPU backend does). */
export function modelInput(image: RgbImage, entry: ModelEntry): Float32Array {
  const input = new Float32Array(entry.input.widthPx * entry.input.heightPx * 3);
  normaliseInto(input, image, entry);
  return input;
}
