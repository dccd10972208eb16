// Shared by the enrollment tests: the pipeline (or why it cannot load), LFW and demo photo paths, synthetic
// frames made from real photos, and throw-away stores.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { OnnxBackend } from '../../../vision/backend/onnx-backend.js';
import { resizeBilinear } from '../../../vision/frame/resize.js';
import { createRgbImage, type RgbImage } from '../../../vision/frame/rgb-image.js';
import type { FaceMatcher } from '../../../vision/matcher/face-matcher.js';
import { loadManifest, resolveModel } from '../../../vision/models/manifest.js';
import { defaultManifestPath, packageRoot } from '../../../vision/models/paths.js';
import { FacePipeline } from '../../../vision/pipeline/face-pipeline.js';
import { TerminalStore } from '../../store/store.js';

/** LFW's dev images, `images/<Name>/<Name>_NNNN.jpg`, beside the checkout. */
export const LFW_IMAGES = join(packageRoot(), '..', 'shared', 'data', 'lfw-dev', 'images');
/** face-api's demo photos (group photos), shipped with the dependency. */
export const DEMO_DIR = join(packageRoot(), 'node_modules', '@vladmandic', 'face-api', 'demo');

/** The path of LFW photo `index` (1-based) of `name`. */
export function lfwPhoto(name: string, index: number): string {
  return join(LFW_IMAGES, name, `${name}_${String(index).padStart(4, '0')}.jpg`);
}

/** Why tests on the default models (and LFW, unless `needLfw` is false) cannot run here, or '' when they can. */
export async function missingForRealPhotos(options: { needLfw?: boolean } = {}): Promise<string> {
  const manifest = await loadManifest(defaultManifestPath());
  const { defaults } = manifest.manifest;
  const absent = [defaults.detector, defaults.fitter, defaults.extractor].map((id) => resolveModel(manifest, id).onnxPath).filter((path) => !existsSync(path));
  if (absent.length > 0) return `converted models missing (${absent.join(', ')}): run \`npm run models\``;
  if ((options.needLfw ?? true) && !existsSync(LFW_IMAGES)) return `LFW dev images missing at ${LFW_IMAGES}`;
  return '';
}

/** The CPU pipeline with the manifest's default models, or why the tests that need it must skip. */
export async function loadTestPipeline(options: { needLfw?: boolean } = {}): Promise<{ pipeline?: FacePipeline; missing: string }> {
  const missing = await missingForRealPhotos(options);
  if (missing) return { missing };
  const manifest = await loadManifest(defaultManifestPath());
  // An enrolling pipeline, as the terminal's worker is: with the manifest's age estimator for the young-child check.
  return { pipeline: await FacePipeline.create({ manifest, backend: new OnnxBackend(), ageEstimatorId: manifest.manifest.defaults.age! }), missing: '' };
}

/** A fresh folder under the OS temp dir; `cleanup` registers its removal. */
export function makeTempDir(cleanup: (fn: () => void) => void, prefix = 'lintel-enroll-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store in `dataDir` with `matcher`'s gallery attached, as the composition root wires them. */
export function openStoreWithGallery(dataDir: string, matcher: FaceMatcher): TerminalStore {
  const store = TerminalStore.open({ dataDir });
  store.attachGallery(matcher.modelId, matcher.gallery);
  return store;
}

/** A uniform grey image: no face in it. */
export function flatImage(widthPx: number, heightPx: number, grey = 128): RgbImage {
  const image = createRgbImage(widthPx, heightPx);
  image.data.fill(grey);
  return image;
}

/** `image` scaled by `scale` and pasted at (xPx, yPx) on a grey canvas: a face seen from further away. */
export function pasteScaled(image: RgbImage, scale: number, canvasWidthPx: number, canvasHeightPx: number, xPx: number, yPx: number, canvas?: RgbImage): RgbImage {
  const small = resizeBilinear(image, Math.round(image.widthPx * scale), Math.round(image.heightPx * scale));
  const out = canvas ?? flatImage(canvasWidthPx, canvasHeightPx);
  const rowBytes = small.widthPx * 3;
  for (let y = 0; y < small.heightPx; y++) {
    out.data.set(small.data.subarray(y * rowBytes, (y + 1) * rowBytes), ((yPx + y) * out.widthPx + xPx) * 3);
  }
  return out;
}

/** `image` with every channel multiplied by `factor` (0..1 darkens). */
export function scaleBrightness(image: RgbImage, factor: number): RgbImage {
  return { ...image, data: image.data.map((value) => Math.min(255, Math.round(value * factor))) };
}
