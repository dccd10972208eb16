/**
 * The inference worker: owns the vision pipeline, so no network ever runs on the main thread. It answers one
 * request at a time, in order; the client decides which frames are worth sending and what goes next (door
 * frames before enrollment work).
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';

import type { AlignmentTemplate } from '../../vision/align/align-face.js';
import { openEngines } from '../../vision/backend/select-backend.js';
import { decodeImageBuffer, encodeJpeg } from '../../vision/frame/decode.js';
import { cropRgb, type RgbImage } from '../../vision/frame/rgb-image.js';
import { boxToPx } from '../../vision/geometry/point.js';
import { LivenessChecker } from '../../vision/liveness/liveness-checker.js';
import { PadFrameMeasures } from '../../vision/liveness/pad-frame-measures.js';
import { PassiveLivenessCheck } from '../../vision/liveness/passive-liveness.js';
import { loadManifest, resolveModel } from '../../vision/models/manifest.js';
import { FacePipeline } from '../../vision/pipeline/face-pipeline.js';
import { jsPixelConverter, type PixelConverter } from './pixel-converter.js';
import type { ProcessedFace, ProcessResult, WorkerReply, WorkerReplyValues, WorkerRequest } from './protocol.js';

if (!parentPort) throw new Error('inference.worker must run in a worker thread');
const port = parentPort;
let pipeline: FacePipeline | undefined;
let liveness: LivenessChecker | PassiveLivenessCheck | undefined;
let padMeasures: PadFrameMeasures | undefined;

/** Camera frames are converted here, off the main thread; the RGA converter replaces this one on the board. */
const converter: PixelConverter = jsPixelConverter;

/**
 * The RGB of the last frames converted here, by the id of the request that brought them: a decision's snapshot and
 * a live enrollment's extraction use them without the frame crossing threads again. Enough for the frame after
 * (the client sends the next frame before it records a decision) and a little more.
 */
const HELD_FRAMES = 4;
const held = new Map<number, RgbImage>();

function hold(pixelsId: number, image: RgbImage): void {
  held.set(pixelsId, image);
  for (const id of held.keys()) if (held.size > HELD_FRAMES) held.delete(id);
}

function heldImage(pixelsId: number): RgbImage {
  const image = held.get(pixelsId);
  if (!image) throw Object.assign(new Error(`frame ${pixelsId} is no longer held by the worker (it keeps the last ${HELD_FRAMES})`), { code: 'FRAME_GONE' });
  return image;
}

function ready(): FacePipeline {
  if (!pipeline) throw Object.assign(new Error('the worker has no pipeline yet: send init first'), { code: 'NOT_READY' });
  return pipeline;
}

async function handle(request: WorkerRequest): Promise<WorkerReplyValues[WorkerRequest['type']]> {
  switch (request.type) {
    case 'init': {
      await pipeline?.close();
      await liveness?.close();
      await padMeasures?.close();
      pipeline = undefined;
      liveness = undefined;
      padMeasures = undefined;
      const { config } = request;
      const { backend } = await openEngines({ cpuThreads: config.intraOpThreads ?? 1, ...(config.npu ? { npu: config.npu } : {}) });
      const manifest = await loadManifest(config.manifestPath, undefined, { addedModelsDir: config.addedModelsDir });
      if (config.livenessModelId) {
        // The manifest's passive liveness model runs as the terminal's passive check (its crop, its vetoes).
        liveness =
          config.livenessModelId === manifest.manifest.defaults.passiveLiveness?.model
            ? await PassiveLivenessCheck.create({ manifest, backend })
            : await LivenessChecker.create({ model: resolveModel(manifest, config.livenessModelId), backend });
      }
      if (config.padCueMeasures && config.padCueMeasures.length > 0) padMeasures = await PadFrameMeasures.create({ manifest, backend, measures: config.padCueMeasures });
      const created = await FacePipeline.create({
        manifest,
        backend,
        extractorId: config.extractorId,
        mirrorAverage: config.mirrorAverage,
        fitterPasses: config.fitterPasses,
        // Enrollment runs through this worker: its young-child check.
        ...(manifest.manifest.defaults.age ? { ageEstimatorId: manifest.manifest.defaults.age } : {}),
      });
      pipeline = created;
      return { models: created.modelIds, backend: created.backendName, engines: backend.choices };
    }
    case 'process': {
      const pipeline = ready();
      const { frame } = request;
      const image = converter.toRgb(frame.pixels);
      hold(request.seq, image);
      const analysis = await pipeline.analyse(image);
      let extractMs = 0;
      const faces: ProcessedFace[] = [];
      for (const face of analysis.faces) {
        if (request.extractMinInterOcularPx !== undefined && face.quality.interOcularPx >= request.extractMinInterOcularPx) {
          const { template, durationMs } = await pipeline.extract(image, face);
          extractMs += durationMs;
          const scorePassive = request.scorePassive !== false;
          const passive = scorePassive && liveness instanceof PassiveLivenessCheck ? await liveness.score(image, face) : undefined;
          const livenessScore = passive ? passive.score : scorePassive && liveness instanceof LivenessChecker ? (await liveness.score(image, face.boxNorm)).score : undefined;
          // The passive check's MiniFASNetV2 score is the site cue's own measure of this face: not run twice.
          const known = passive?.cue === 'model' && liveness instanceof PassiveLivenessCheck && liveness.modelId === 'minifasnet-v2' ? { 'minifasnet-v2': passive.score } : {};
          const padValues = scorePassive && padMeasures ? (await padMeasures.measure(image, boxToPx(face.boxNorm, image.widthPx, image.heightPx), known)).values : undefined;
          faces.push({ ...face, template: template.vector, ...(livenessScore !== undefined ? { liveness: livenessScore } : {}), ...(padValues ? { padValues } : {}) });
        } else {
          faces.push(face);
        }
      }
      const result: ProcessResult = {
        pixelsId: request.seq,
        frameSeq: frame.seq,
        timestampMs: frame.timestampMs,
        widthPx: image.widthPx,
        heightPx: image.heightPx,
        faces,
        extractorId: pipeline.modelIds.extractor,
        timingsMs: { ...analysis.timingsMs, extractMs },
      };
      return result;
    }
    case 'analyse':
      return ready().analyse(request.image);
    case 'extract':
      return ready().extract(request.image, request.face, { estimateAge: true });
    case 'analyse-frame': {
      const image = converter.toRgb(request.pixels);
      hold(request.seq, image);
      return { ...(await ready().analyse(image)), pixelsId: request.seq };
    }
    case 'extract-held':
      return ready().extract(heldImage(request.pixelsId), request.face, { estimateAge: true });
    case 'snapshot': {
      const image = heldImage(request.pixelsId);
      const { widthPx, heightPx } = image;
      const { boxNorm: box, marginRatio: margin } = request;
      const x = Math.max(0, (box.x - box.width * margin) * widthPx);
      const y = Math.max(0, (box.y - box.height * margin) * heightPx);
      const crop = cropRgb(image, {
        x,
        y,
        width: Math.min(widthPx - x, box.width * (1 + 2 * margin) * widthPx),
        height: Math.min(heightPx - y, box.height * (1 + 2 * margin) * heightPx),
      });
      return new Uint8Array(await encodeJpeg(crop, request.jpegQuality));
    }
    case 'embed-aligned':
      return ready().extractor.extractFromCrop(await decodeStoredCrop(request.alignedJpeg, request.alignment), request.alignment);
    case 'age-aligned':
      return ready().estimateAgeOfCrop(await decodeStoredCrop(request.alignedJpeg, request.alignment), request.alignment);
    case 'close':
      held.clear();
      await pipeline?.close();
      await liveness?.close();
      await padMeasures?.close();
      pipeline = undefined;
      liveness = undefined;
      padMeasures = undefined;
      return null;
  }
}

/** A sample's stored aligned crop, checked against the alignment it records: a crop of another size is not what the record says. */
async function decodeStoredCrop(alignedJpeg: Uint8Array, alignment: AlignmentTemplate): Promise<RgbImage> {
  const crop = await decodeImageBuffer(alignedJpeg, 'stored aligned crop');
  const { sizePx } = alignment;
  if (crop.widthPx !== sizePx || crop.heightPx !== sizePx) throw new Error(`a stored crop of ${crop.widthPx}×${crop.heightPx} px does not match its recorded ${sizePx}×${sizePx} px alignment`);
  return crop;
}

/** Typed arrays inside a reply travel by transfer: templates, meshes and snapshots are not copied. */
function transferables(value: unknown): ArrayBuffer[] {
  if (value instanceof Uint8Array) return [value.buffer as ArrayBuffer];
  if (!value || typeof value !== 'object' || !('faces' in value)) return [];
  return (value as ProcessResult).faces.flatMap((face) => [face.meshNorm.buffer as ArrayBuffer, ...(face.template ? [face.template.buffer as ArrayBuffer] : [])]);
}

// One request at a time: requests queue here, in the order the client sent them.
let chain = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  chain = chain.then(async () => {
    const startMs = performance.now();
    let reply: WorkerReply;
    try {
      const value = await handle(request);
      reply = { seq: request.seq, ok: true, value, durationMs: performance.now() - startMs };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      reply = {
        seq: request.seq,
        ok: false,
        error: { code: typeof code === 'string' ? code : (error as Error).name || 'ERROR', message: (error as Error).message },
        durationMs: performance.now() - startMs,
      };
    }
    port.postMessage(reply, reply.ok ? transferables(reply.value) : []);
  });
});
