/**
 * A stand-in inference worker for the client's tests: answers like the real one without models, one request
 * at a time in the order they arrive (as the real one does), takes `delayMs` per frame and per analysis, and
 * exits (as a crash would) on the frame whose seq is 13.
 */
import { parentPort } from 'node:worker_threads';

import type { AnalysisResult } from '../../../vision/pipeline/face-pipeline.js';
import type { ProcessResult, WorkerReply, WorkerRequest } from '../protocol.js';

const port = parentPort;
if (!port) throw new Error('run as a worker');
const delayMs = 30;
let generation = 0;
let chain = Promise.resolve();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function answer(request: WorkerRequest): Promise<unknown> {
  switch (request.type) {
    case 'init':
      generation++;
      return { models: { detector: 'fake', fitter: 'fake', extractor: 'fake' }, backend: `fake-${generation}`, engines: [] };
    case 'process': {
      if (request.frame.seq === 13) process.exit(3);
      await sleep(delayMs);
      const result: ProcessResult = {
        pixelsId: request.seq,
        frameSeq: request.frame.seq,
        timestampMs: request.frame.timestampMs,
        widthPx: request.frame.pixels.widthPx,
        heightPx: request.frame.pixels.heightPx,
        faces: [],
        extractorId: 'fake',
        timingsMs: { detectMs: 0, fitMs: 0, qualityMs: 0, extractMs: 0 },
      };
      return result;
    }
    case 'analyse': {
      await sleep(delayMs);
      const result: AnalysisResult = { widthPx: request.image.widthPx, heightPx: request.image.heightPx, faces: [], timingsMs: { detectMs: 0, fitMs: 0, qualityMs: 0 } };
      return result;
    }
    default:
      return null;
  }
}

port.on('message', (request: WorkerRequest) => {
  chain = chain.then(async () => {
    const value = await answer(request);
    port.postMessage({ seq: request.seq, ok: true, value, durationMs: 0 } satisfies WorkerReply);
  });
});
