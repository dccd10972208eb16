import { performance } from 'node:perf_hooks';

import type { InferenceBackend } from '../backend/inference-backend.js';
import type { RgbImage } from '../frame/rgb-image.js';
import type { BoxPx } from '../geometry/point.js';
import { resolveModel, type LoadedManifest } from '../models/manifest.js';
import { measureDeviceEdges } from './device-edges.js';
import { FACE_COLOUR_MEASURES, FACE_COLOUR_READERS, isFaceColourMeasure, measureFaceColour, type FaceColour } from './face-colour.js';
import { measureGlare } from './glare.js';
import { MiniFasNet } from './minifasnet.js';
import { measureMoire, type MoireMeasure } from './moire.js';
import { PAD_LINEAR_FRAME_MEASURES, type PadLinearFeature } from './pad-linear.js';

/** The per-frame measures the trained cue's features are made of (the same ids `lintel eval pad` caches). */
export const PAD_FRAME_MEASURES = [
  'minifasnet-v2',
  'minifasnet-v1se',
  'glare-blob',
  'edges',
  'moire-peak',
  'moire-hf',
  ...FACE_COLOUR_MEASURES,
] as const;
export type PadFrameMeasure = (typeof PAD_FRAME_MEASURES)[number];

/** The model each model measure runs: the manifest id, which the administrator adds. */
const MEASURE_MODELS: Partial<Record<PadFrameMeasure, string>> = { 'minifasnet-v2': 'minifasnet-v2', 'minifasnet-v1se': 'minifasnet-v1se' };

/** The per-frame measures `features` need, without repeats (motion features need only the landmarks). */
export function frameMeasuresOf(features: readonly PadLinearFeature[]): PadFrameMeasure[] {
  return [...new Set(features.flatMap((feature) => PAD_LINEAR_FRAME_MEASURES[feature] ?? []))] as PadFrameMeasure[];
}

/** The manifest models the per-frame measures run (MiniFASNet V2 / V1SE, added by the administrator). */
export function modelsOfMeasures(measures: readonly PadFrameMeasure[]): string[] {
  return measures.flatMap((measure) => MEASURE_MODELS[measure] ?? []);
}

/** Options of `PadFrameMeasures.create`. */
export interface PadFrameMeasuresOptions {
  /** The manifest, with `addedModelsDir` where the administrator added the MiniFASNet models. */
  readonly manifest: LoadedManifest;
  readonly backend: InferenceBackend;
  /** What to measure on each face. */
  readonly measures: readonly PadFrameMeasure[];
}

/**
 * Measures one face of a frame for the trained passive cue: the MiniFASNet scores on the face's landmark box
 * (upstream's crop) and the cue measures of the box, the same computations the evaluation caches, so a cue
 * trained on recordings reads at the door what it was trained on.
 */
export class PadFrameMeasures {
  private constructor(
    private readonly nets: ReadonlyMap<PadFrameMeasure, MiniFasNet>,
    readonly measures: readonly PadFrameMeasure[],
  ) {}

  /** Loads the models the measures need; throws ModelNotAddedError naming one the administrator has not added. */
  static async create(options: PadFrameMeasuresOptions): Promise<PadFrameMeasures> {
    const nets = new Map<PadFrameMeasure, MiniFasNet>();
    try {
      for (const measure of options.measures) {
        const modelId = MEASURE_MODELS[measure];
        if (modelId) nets.set(measure, await MiniFasNet.create({ model: resolveModel(options.manifest, modelId), backend: options.backend }));
      }
    } catch (error) {
      await Promise.all([...nets.values()].map((net) => net.close()));
      throw error;
    }
    return new PadFrameMeasures(nets, [...options.measures]);
  }

  /**
   * The measures of the face whose landmark box is `boxPx`, and how long they took; `known` gives measures
   * already made on this face (the passive check's MiniFASNetV2 score), which are not made again.
   */
  async measure(image: RgbImage, boxPx: BoxPx, known: Readonly<Partial<Record<PadFrameMeasure, number>>> = {}): Promise<{ values: Partial<Record<PadFrameMeasure, number>>; durationMs: number }> {
    const startMs = performance.now();
    const values: Partial<Record<PadFrameMeasure, number>> = {};
    let colour: FaceColour | undefined;
    let moire: MoireMeasure | undefined;
    for (const measure of this.measures) {
      const given = known[measure];
      if (given !== undefined) {
        values[measure] = given;
        continue;
      }
      const net = this.nets.get(measure);
      if (net) {
        values[measure] = (await net.score(image, boxPx)).score;
        continue;
      }
      switch (measure) {
        case 'glare-blob':
          values[measure] = measureGlare(image, boxPx).largestBlobFraction;
          break;
        case 'edges':
          values[measure] = measureDeviceEdges(image, boxPx).longestLineRatio;
          break;
        case 'moire-peak':
          moire ??= measureMoire(image, boxPx);
          values[measure] = moire.peakToMedian;
          break;
        case 'moire-hf':
          moire ??= measureMoire(image, boxPx);
          values[measure] = moire.highFrequencyRatio;
          break;
        default: {
          // The model measures ran above; the six colour statistics come from one resampling of the face.
          if (!isFaceColourMeasure(measure)) throw new Error(`no model loaded for ${measure}`);
          colour ??= measureFaceColour(image, boxPx);
          values[measure] = FACE_COLOUR_READERS[measure](colour);
        }
      }
    }
    return { values, durationMs: performance.now() - startMs };
  }

  async close(): Promise<void> {
    await Promise.all([...this.nets.values()].map((net) => net.close()));
  }
}
