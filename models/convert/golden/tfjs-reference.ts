import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import type { TfjsGraphModelJson } from '../tfjs-graph/model-json.js';

/**
 * Golden references: the original TFJS models run by @tensorflow/tfjs on its wasm backend, the backend
 * the converted models are compared against. Test code only; the product never loads TFJS.
 */

let backendReady: Promise<typeof tf> | undefined;

/** Starts TFJS on the wasm backend once per process and returns the tfjs module. */
export function initTfjsWasm(): Promise<typeof tf> {
  backendReady ??= (async () => {
    // Under Node the wasm binaries are read from disk: a file path with a trailing slash, not a URL.
    const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '/');
    setWasmPaths(wasmDir);
    if (!(await tf.setBackend('wasm'))) throw new Error(`the tfjs wasm backend did not start (binaries looked up in ${wasmDir})`);
    await tf.ready();
    return tf;
  })();
  return backendReady;
}

/** Loads a TFJS graph model from `model.json` and its weight shards on disk. */
export async function loadTfjsGraphModel(modelJsonPath: string): Promise<tf.GraphModel> {
  await initTfjsWasm();
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as TfjsGraphModelJson & { modelTopology: object };
  const shards = await Promise.all(json.weightsManifest.flatMap((group) => group.paths.map((path) => readFile(resolve(dirname(modelJsonPath), path)))));
  const weights = Buffer.concat(shards);
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights) as tf.io.WeightsManifestEntry[],
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      ...(json.signature ? { signature: json.signature } : {}),
      ...(json.format ? { format: json.format } : {}),
    }),
  );
}

/**
 * Runs a graph model on one NHWC float32 input of `shape` ([1,H,W,C]) and returns the outputs' data,
 * in the order of `outputNodes` (default: the model's own outputs).
 */
export async function runTfjs(model: tf.GraphModel, nhwcInput: Float32Array, shape: readonly number[], outputNodes?: readonly string[]): Promise<Float32Array[]> {
  const input = tf.tensor(nhwcInput, [...shape], 'float32');
  try {
    const names = outputNodes ? [...outputNodes] : model.outputNodes;
    const result = model.execute(input, names);
    const tensors = Array.isArray(result) ? result : [result];
    try {
      return await Promise.all(tensors.map(async (tensor) => Float32Array.from(await tensor.data())));
    } finally {
      tf.dispose(tensors);
    }
  } finally {
    input.dispose();
  }
}
