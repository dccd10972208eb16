// Shared by the tests of added models: the model files an administrator would add (../shared/models, never
// committed), and manifests edited for one test.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { defaultManifestPath, packageRoot } from '../../../vision/models/paths.js';

const SHARED_MODELS = join(packageRoot(), '..', 'shared', 'models');

/** MiniFASNet V2 as minivision publishes it (ONNX export), the file of manifest model `minifasnet-v2`. */
export const MINIFASNET_V2 = join(SHARED_MODELS, 'minifasnet', 'MiniFASNetV2.onnx');
/** EdgeFace-XS, a PyTorch checkpoint. */
export const EDGEFACE_XS = join(SHARED_MODELS, 'edgeface', 'edgeface_xs_q.pt');

/** Why a test that adds `path` cannot run here, or '' when it can. */
export function missingModelFile(path: string): string {
  return existsSync(path) ? '' : `model file absent at ${path} (see ../shared/data/README.md)`;
}

type ManifestJson = { models: Record<string, Record<string, unknown>>; defaults: Record<string, unknown> };

/** Writes the repository manifest, changed by `edit`, to `<dir>/manifest.json`; returns its path. */
export async function writeEditedManifest(dir: string, edit: (json: ManifestJson) => void): Promise<string> {
  const json = JSON.parse(await readFile(defaultManifestPath(), 'utf8')) as ManifestJson;
  edit(json);
  const path = join(dir, 'manifest.json');
  await writeFile(path, JSON.stringify(json, null, 2));
  return path;
}
