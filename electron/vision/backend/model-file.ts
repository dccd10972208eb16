import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import type { ResolvedModel } from '../models/manifest.js';
import { ModelFileError } from './inference-backend.js';

/**
 * Reads a converted model and checks it against the manifest's sha256, so a damaged, replaced or stale file
 * is refused before it reaches a runtime.
 */
export async function readVerifiedModel(model: ResolvedModel): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(model.onnxPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (error as Error).message})`;
    throw new ModelFileError(model.id, model.onnxPath, `model ${model.id}: ${model.onnxPath} ${reason}; run \`npm run models\` to convert the models`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== model.entry.onnx.sha256) {
    throw new ModelFileError(
      model.id,
      model.onnxPath,
      `model ${model.id}: ${model.onnxPath} has sha256 ${sha256.slice(0, 12)}…, the manifest expects ${model.entry.onnx.sha256.slice(0, 12)}…; ` +
        'the file is damaged or was replaced: run `npm run models -- --force` to convert it again',
    );
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
