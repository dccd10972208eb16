import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import type { ResolvedModel } from '../models/manifest.js';
import { ModelFileError } from './inference-backend.js';

/**
 * Reads a model file and checks it against the sha256 the manifest pins, so a damaged, replaced or stale file
 * is refused before it reaches a runtime.
 */
export async function readVerifiedFile(modelId: string, filePath: string, sha256: string): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (error as Error).message})`;
    throw new ModelFileError(modelId, filePath, `model ${modelId}: ${filePath} ${reason}; run \`npm run models\` to convert the models`);
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) {
    throw new ModelFileError(
      modelId,
      filePath,
      `model ${modelId}: ${filePath} has sha256 ${actual.slice(0, 12)}…, the manifest expects ${sha256.slice(0, 12)}…; ` +
        'the file is damaged or was replaced: run `npm run models -- --force` to convert it again',
    );
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads a model's converted ONNX file, checked against the manifest. */
export async function readVerifiedModel(model: ResolvedModel): Promise<Uint8Array> {
  return readVerifiedFile(model.id, model.onnxPath, model.entry.onnx.sha256);
}
