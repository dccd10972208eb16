// Fakes shared by the store's tests; the store treats JPEGs as opaque bytes, so synthetic ones suffice.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AlignmentTemplate } from '../../../vision/align/align-face.js';
import type { FaceQuality } from '../../../vision/quality/face-quality.js';
import type { ScryptParams } from '../admin-repository.js';
import type { SampleInput } from '../samples-repository.js';

/** scrypt at N = 2^10: the same code path, a thirty-second of the work. */
export const FAST_SCRYPT: ScryptParams = { cost: 2 ** 10, blockSize: 8, parallelization: 1 };

/** A fresh folder under the OS temp dir, removed when the test ends. */
export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'lintel-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Plausible quality figures. */
export function fakeQuality(): FaceQuality {
  return { interOcularPx: 62.5, yawDeg: -3.25, pitchDeg: -5, rollDeg: 1.5, sharpness: 180, brightness: 121, contrast: 44, presence: 0.99, detectorScore: 0.93 };
}

/** Bytes with a JPEG start marker, then `label` repeated to `totalBytes`: recognisable in a raw file. */
export function fakeJpeg(label: string, totalBytes = 2048): Buffer {
  const header = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
  const body = Buffer.alloc(totalBytes - header.length, label);
  return Buffer.concat([header, body]);
}

/** A deterministic template of `dimension` floats derived from `seed`. */
export function fakeTemplate(seed: string, dimension = 128): Float32Array {
  const template = new Float32Array(dimension);
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < dimension; i++) {
    if (i % 32 === 0 && i > 0) block = createHash('sha256').update(block).digest();
    template[i] = (block[i % 32]! - 127.5) / 127.5;
  }
  return template;
}

/** The ArcFace 112×112 alignment, which the shipped MobileFaceNet and EdgeFace crops are cut with. */
export const ARCFACE_ALIGNMENT: AlignmentTemplate = {
  sizePx: 112,
  fivePointsPx: [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
};

/** A sample whose crop and template both derive from `seed`. */
export function fakeSample(seed: string, modelId = 'model-a', dimension = 128): SampleInput {
  return { template: fakeTemplate(seed, dimension), modelId, quality: fakeQuality(), alignedJpeg: fakeJpeg(`crop:${seed};`), alignment: ARCFACE_ALIGNMENT };
}

