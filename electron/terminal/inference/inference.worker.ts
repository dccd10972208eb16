/**
 * The inference worker: owns the vision pipeline, so no network ever runs on the main thread. It answers one
 * request at a time, in order; the client decides which frames are worth sending and what goes next (door
 * frames before enrollment work).
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';

import { openEngines } from '../../vision/backend/select-backend.js';
import { decodeImageBuffer } from '../../vision/frame/decode.js';
import { LivenessChecker } from '../../vision/liveness/liveness-checker.js';
import { PassiveLivenessCheck } from '../../vision/liveness/passive-liveness.js';
import { loadManifest, resolveModel } from '../../vision/models/manifest.js';
import { FacePipeline } from '../../vision/pipeline/face-pipeline.js';
import type { ProcessedFace, ProcessResult, WorkerReply, WorkerReplyValues, WorkerRequest } from './protocol.js';

if (!parentPort) throw new Error('inference.worker must run in a worker thread');
const port = parentPort;
let pipeline: FacePipeline | undefined;
let liveness: LivenessChecker | PassiveLivenessCheck | undefined;

function ready(): FacePipeline {
  if (!pipeline) throw Object.assign(new Error('the worker has no pipeline yet: send init first'), { code: 'NOT_READY' });
  return pipeline;
}

async function handle(request: WorkerRequest): Promise<WorkerReplyValues[WorkerRequest['type']]> {
  switch (request.type) {
    case 'init': {
      await pipeline?.close();
      await liveness?.close();
      pipeline = undefined;
      liveness = undefined;
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
      const created = await FacePipeline.create({
        manifest,
        backend,
        extractorId: config.extractorId,
        mirrorAverage: config.mirrorAverage,
        fitterPasses: config.fitterPasses,
      });
      pipeline = created;
      return { models: created.modelIds, backend: created.backendName, engines: backend.choices };
    }
    case 'process': {
      const pipeline = ready();
      const { frame } = request;
      const image = { widthPx: frame.widthPx, heightPx: frame.heightPx, data: frame.data };
      const analysis = await pipeline.analyse(image);
      let extractMs = 0;
      const faces: ProcessedFace[] = [];
      for (const face of analysis.faces) {
        if (request.extractMinInterOcularPx !== undefined && face.quality.interOcularPx >= request.extractMinInterOcularPx) {
          const { template, durationMs } = await pipeline.extract(image, face);
          extractMs += durationMs;
          const livenessScore =
            liveness instanceof PassiveLivenessCheck ? (await liveness.score(image, face)).score : liveness ? (await liveness.score(image, face.boxNorm)).score : undefined;
          faces.push({ ...face, template: template.vector, ...(livenessScore !== undefined ? { liveness: livenessScore } : {}) });
        } else {
          faces.push(face);
        }
      }
      const result: ProcessResult = {
        frameSeq: frame.seq,
        timestampMs: frame.timestampMs,
        widthPx: frame.widthPx,
        heightPx: frame.heightPx,
        faces,
        extractorId: pipeline.modelIds.extractor,
        timingsMs: { ...analysis.timingsMs, extractMs },
      };
      return result;
    }
    case 'analyse':
      return ready().analyse(request.image);
    case 'extract':
      return ready().extract(request.image, request.face);
    case 'embed-aligned': {
      const { extractor } = ready();
      const crop = await decodeImageBuffer(request.alignedJpeg, 'stored aligned crop');
      const { sizePx } = request.alignment;
      // The sample records the alignment that cut it; a crop of another size is not what the record says.
      if (crop.widthPx !== sizePx || crop.heightPx !== sizePx) throw new Error(`a stored crop of ${crop.widthPx}×${crop.heightPx} px does not match its recorded ${sizePx}×${sizePx} px alignment`);
      return extractor.extractFromCrop(crop, request.alignment);
    }
    case 'close':
      await pipeline?.close();
      await liveness?.close();
      pipeline = undefined;
      liveness = undefined;
      return null;
  }
}

/** Typed arrays inside a reply travel by transfer: templates and meshes are not copied. */
function transferables(value: unknown): ArrayBuffer[] {
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
