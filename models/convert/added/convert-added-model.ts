/**
 * Conversion of a model the administrator adds (`source.kind` "added" in models/manifest.json), chosen by the
 * manifest's `source.format`: `onnx` files are used as they are, EdgeFace PyTorch checkpoints go through the
 * EdgeFace converter. Converters are deterministic, so the result can be checked against `onnx.sha256`.
 */
import { createHash } from 'node:crypto';

import * as ort from 'onnxruntime-node';

import { isAddedModel, type ModelEntry } from '../../../electron/vision/models/manifest.js';

/** Why an added model could not be converted or did not pass its check; `reason` for callers that branch. */
export class AddedModelConversionError extends Error {
  override readonly name = 'AddedModelConversionError';

  constructor(
    readonly reason: 'unavailable' | 'failed' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/** Signature of `convertEdgeFaceCheckpoint` in models/convert/edgeface/edgeface-to-onnx.ts. */
type EdgeFaceConverter = (fileBytes: Uint8Array, variant: 'xs' | 'xxs') => Uint8Array | Promise<Uint8Array>;

// Imported by name at run time: the module may not be there yet, and conversion of other formats must work without it.
const EDGEFACE_CONVERTER_MODULE = '../edgeface/edgeface-to-onnx.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function loadEdgeFaceConverter(specifier: string): Promise<EdgeFaceConverter> {
  const unavailable = new AddedModelConversionError('unavailable', 'conversion of pytorch-edgeface not available');
  const moduleName = (specifier.split('/').pop() ?? specifier).replace(/\.[jt]s$/, '');
  let module: Record<string, unknown>;
  try {
    module = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    // Only the converter itself missing means "not available"; a module it imports missing is a real fault.
    const message = (error as Error).message;
    const missingItself = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && new RegExp(`Cannot find module ['"][^'"]*${moduleName}`).test(message);
    if (missingItself) throw unavailable;
    throw error;
  }
  const convert = module.convertEdgeFaceCheckpoint;
  if (typeof convert !== 'function') throw unavailable;
  return convert as EdgeFaceConverter;
}

/** The EdgeFace variant a checkpoint's file name names (`edgeface_xs_q.pt` → xs). */
function edgeFaceVariant(id: string, file: string): 'xs' | 'xxs' {
  const match = /^edgeface_(xxs|xs)[_.]/i.exec(file);
  if (!match) throw new AddedModelConversionError('failed', `model ${id}: cannot tell the EdgeFace variant (xs or xxs) from the file name ${file}`);
  return (match[1] as string).toLowerCase() as 'xs' | 'xxs';
}

/** Options of `convertAddedModel`. */
export interface ConvertAddedModelOptions {
  /** Module that exports `convertEdgeFaceCheckpoint`; default models/convert/edgeface/edgeface-to-onnx (tests point elsewhere). */
  readonly edgeFaceConverterModule?: string;
}

/**
 * The converted ONNX bytes of an added model's file. `fileBytes` must be the file the manifest pins
 * (`source.sha256`); it is checked again here. Throws AddedModelConversionError: `unavailable` when this build
 * has no converter for the format, `failed` when the conversion fails.
 */
export async function convertAddedModel(id: string, entry: ModelEntry, fileBytes: Uint8Array, options: ConvertAddedModelOptions = {}): Promise<Uint8Array> {
  if (!isAddedModel(entry)) throw new AddedModelConversionError('failed', `model ${id} is shipped by npm, not added by the administrator`);
  const { source } = entry;
  if (sha256(fileBytes) !== source.sha256) throw new AddedModelConversionError('failed', `model ${id}: the file is not ${source.file} as the manifest pins it (sha256 differs)`);
  switch (source.format) {
    case 'onnx':
      return fileBytes;
    case 'pytorch-edgeface': {
      const variant = edgeFaceVariant(id, source.file);
      const convert = await loadEdgeFaceConverter(options.edgeFaceConverterModule ?? EDGEFACE_CONVERTER_MODULE);
      try {
        return await convert(fileBytes, variant);
      } catch (error) {
        throw new AddedModelConversionError('failed', `model ${id}: converting ${source.file} failed: ${(error as Error).message}`);
      }
    }
  }
}

/**
 * Checks converted bytes before they are kept: the sha256 the manifest pins (`onnx.sha256`), then one run in
 * onnxruntime on a mid-grey input of the manifest's shape, whose outputs must have the manifest's names and
 * shapes and be finite. Throws AddedModelConversionError (`invalid`) naming what differs.
 */
export async function verifyConvertedModel(id: string, entry: ModelEntry, onnxBytes: Uint8Array): Promise<void> {
  const actual = sha256(onnxBytes);
  if (actual !== entry.onnx.sha256) {
    throw new AddedModelConversionError('invalid', `model ${id}: the converted file has sha256 ${actual.slice(0, 12)}…, the manifest expects ${entry.onnx.sha256.slice(0, 12)}…`);
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnxBytes, { graphOptimizationLevel: 'basic', intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (error) {
    throw new AddedModelConversionError('invalid', `model ${id}: onnxruntime cannot load the converted file: ${(error as Error).message}`);
  }
  try {
    const { widthPx, heightPx, layout, mean, std, name } = entry.input;
    const data = new Float32Array(widthPx * heightPx * 3);
    // Mid-grey 128 normalised per channel; the layout only orders the same values differently.
    for (let i = 0; i < data.length; i++) {
      const channel = layout === 'NCHW' ? Math.floor(i / (widthPx * heightPx)) : i % 3;
      data[i] = (128 - (mean[channel] as number)) / (std[channel] as number);
    }
    const dims = layout === 'NCHW' ? [1, 3, heightPx, widthPx] : [1, heightPx, widthPx, 3];
    let results: ort.InferenceSession.OnnxValueMapType;
    try {
      results = await session.run({ [name]: new ort.Tensor('float32', data, dims) });
    } catch (error) {
      throw new AddedModelConversionError('invalid', `model ${id}: one run on an input of ${dims.join('×')} failed: ${(error as Error).message}`);
    }
    for (const output of entry.outputs) {
      const tensor = results[output.name];
      if (!tensor) throw new AddedModelConversionError('invalid', `model ${id}: no output ${output.name} (it has ${Object.keys(results).join(', ')})`);
      if (tensor.dims.join('×') !== output.shape.join('×')) {
        throw new AddedModelConversionError('invalid', `model ${id}: output ${output.name} has shape ${tensor.dims.join('×')}, the manifest says ${output.shape.join('×')}`);
      }
      const values = tensor.data as Float32Array;
      if (!values.every(Number.isFinite)) throw new AddedModelConversionError('invalid', `model ${id}: output ${output.name} is not finite on a grey input`);
    }
  } finally {
    await session.release();
  }
}
