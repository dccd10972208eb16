/**
 * A stand-in inference worker for the client's tests: answers like the real one without models, takes
 * `delayMs` per frame, and exits (as a crash would) on the frame whose seq is 13.
 */
import { parentPort } from 'node:worker_threads';

import type { ProcessResult, WorkerReply, WorkerRequest } from '../protocol.js';

const port = parentPort;
if (!port) throw new Error('run as a worker');
let generation = 0;

port.on('message', (request: WorkerRequest) => {
  const reply = (value: unknown): void => port.postMessage({ seq: request.seq, ok: true, value, durationMs: 0 } satisfies WorkerReply);
  if (request.type === 'init') {
    generation++;
    reply({ models: { detector: 'fake', fitter: 'fake', extractor: 'fake' }, backend: `fake-${generation}`, engines: [] });
  } else if (request.type === 'process') {
    if (request.frame.seq === 13) process.exit(3);
    const result: ProcessResult = {
      frameSeq: request.frame.seq,
      timestampMs: request.frame.timestampMs,
      widthPx: request.frame.widthPx,
      heightPx: request.frame.heightPx,
      faces: [],
      extractorId: 'fake',
      timingsMs: { detectMs: 0, fitMs: 0, qualityMs: 0, extractMs: 0 },
    };
    setTimeout(() => reply(result), 30);
  } else {
    reply(null);
  }
});
