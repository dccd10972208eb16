// Worker entry for the clean-shutdown test: loads the runtime, runs one model, closes it and lets the thread end
// on its own. The test fails if this thread does not exit by itself (a koffi pool or a handle keeping it alive).
import { parentPort, workerData } from 'node:worker_threads';

import { RknnRuntime } from '../rknn-runtime.js';

const { libraryPath, modelPath, input } = workerData as { libraryPath: string; modelPath: string; input: Uint8Array };

const runtime = await RknnRuntime.open({ libraryPath });
const model = await runtime.loadModel(modelPath);
const outputs = await model.run(input);
await model.close();
parentPort?.postMessage({ outputs: outputs.map((output) => Array.from(output.data as Float32Array)) });
