// What the vision commands share: the errors that set the exit code, the common options, and the face pipeline
// built from them.
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';

import { resolveDataDir } from '../terminal/data-dir.js';
import { addedModelsDir } from '../terminal/models/added-models.js';
import type { InferenceBackend } from '../vision/backend/inference-backend.js';
import { OnnxBackend } from '../vision/backend/onnx-backend.js';
import { loadManifest, type LoadedManifest } from '../vision/models/manifest.js';
import { defaultManifestPath } from '../vision/models/paths.js';
import { FacePipeline } from '../vision/pipeline/face-pipeline.js';

/** A problem with the command line itself: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** An error the user can act on: printed without a stack trace, exit code 1. */
export class CliError extends Error {}

/** Options every vision command takes. */
export const commonOptions = {
  manifest: { type: 'string' },
  extractor: { type: 'string' },
  data: { type: 'string' },
  threads: { type: 'string' },
  passes: { type: 'string' },
  'no-mirror': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

/** `--name`'s value as a whole number ≥ 1, or `fallback` when absent; a UsageError otherwise. */
export function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, got "${value}"`);
  return parsed;
}

/** The manifest of `--manifest` (default the repository's), with the models added to `--data` when one is named. */
export async function loadCliManifest(values: { manifest?: string; data?: string }): Promise<LoadedManifest> {
  // Added models only where a data folder is named: measurements do not change with what this machine's app data holds.
  const dataDir = values.data ?? process.env.LINTEL_DATA_DIR;
  return loadManifest(values.manifest ? resolve(values.manifest) : defaultManifestPath(), undefined, dataDir ? { addedModelsDir: addedModelsDir(resolveDataDir(dataDir)) } : {});
}

/** The face pipeline of the common options (`backend`: instead of ONNX Runtime on the CPU). */
export async function createPipeline(
  values: { manifest?: string; extractor?: string; data?: string; threads?: string; passes?: string; 'no-mirror'?: boolean },
  backend?: InferenceBackend,
): Promise<FacePipeline> {
  const manifest = await loadCliManifest(values);
  return FacePipeline.create({
    manifest,
    backend: backend ?? new OnnxBackend({ intraOpThreads: positiveInt(values.threads, 'threads', 1) }),
    extractorId: values.extractor,
    fitterPasses: positiveInt(values.passes, 'passes', 1),
    // --no-mirror turns it off; otherwise the extractor's own choice.
    ...(values['no-mirror'] ? { mirrorAverage: false } : {}),
  });
}

/** `value` rounded to `digits` decimals, for printed figures. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
