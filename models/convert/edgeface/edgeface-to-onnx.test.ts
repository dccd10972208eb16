import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as ort from 'onnxruntime-node';

import { EdgeFaceCheckpointError, EDGEFACE_INPUT_NAME, EDGEFACE_OUTPUT_NAME, convertEdgeFaceCheckpoint, type EdgeFaceVariant } from './edgeface-to-onnx.js';
import { goldenInputs, readGolden, type EdgeFaceGolden } from './golden/golden-inputs.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const edgefaceDir = join(repoRoot, '..', 'shared', 'models', 'edgeface');
const FILES: Readonly<Record<EdgeFaceVariant, string>> = { xs: 'edgeface_xs_q.pt', xxs: 'edgeface_xxs_q.pt' };
/**
 * Largest |ONNX − PyTorch| allowed on any of the 512 outputs (the outputs are of order 0.1–0.5). The graph is the
 * same arithmetic in another order: measured 1.4e-6 (xs) and 1.8e-6 (xxs) with onnxruntime-node 1.30 against torch 2.13, timm 1.0.29.
 */
const MAX_ABS_ERROR = 2e-5;

const missing = existsSync(join(edgefaceDir, FILES.xs)) && existsSync(join(edgefaceDir, FILES.xxs)) ? '' : `EdgeFace checkpoints missing under ${edgefaceDir}`;

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    normA += (a[i] as number) ** 2;
    normB += (b[i] as number) ** 2;
  }
  return dot / Math.sqrt(normA * normB);
}

for (const variant of ['xs', 'xxs'] as const) {
  describe(`convertEdgeFaceCheckpoint ${variant}`, () => {
    let fileBytes: Uint8Array;
    let modelBytes: Uint8Array;
    let session: ort.InferenceSession;
    let golden: EdgeFaceGolden;
    let inputs: Map<string, Float32Array>;

    before(async () => {
      if (missing) return;
      fileBytes = await readFile(join(edgefaceDir, FILES[variant]));
      modelBytes = convertEdgeFaceCheckpoint(fileBytes, variant);
      session = await ort.InferenceSession.create(modelBytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
      golden = await readGolden();
      inputs = await goldenInputs();
    });

    test('matches the PyTorch reference (timm EdgeNeXt, dequantised weights) on noise, a gradient and a face', async (t: TestContext) => {
      if (missing) return t.skip(missing);
      const outputs = golden.variants[variant]?.outputs ?? {};
      assert.deepEqual(Object.keys(outputs).sort(), [...inputs.keys()].sort());
      let worst = 0;
      for (const [name, input] of inputs) {
        const result = await session.run({ [EDGEFACE_INPUT_NAME]: new ort.Tensor('float32', input, [1, 3, 112, 112]) });
        const embedding = result[EDGEFACE_OUTPUT_NAME];
        assert.deepEqual(embedding?.dims, [1, 512]);
        const actual = embedding?.data as Float32Array;
        const reference = outputs[name]?.float ?? [];
        assert.equal(reference.length, 512);
        for (let i = 0; i < 512; i++) worst = Math.max(worst, Math.abs((actual[i] as number) - (reference[i] as number)));
        assert.ok(cosine(actual, reference) > 0.99999, `${name}: cosine ${cosine(actual, reference)}`);
      }
      t.diagnostic(`max |onnx − torch| over ${inputs.size} inputs × 512: ${worst.toExponential(2)}`);
      assert.ok(worst < MAX_ABS_ERROR, `max abs error ${worst}`);
    });

    test('different inputs give different embeddings (the graph is not constant)', async (t: TestContext) => {
      if (missing) return t.skip(missing);
      const run = async (name: string): Promise<Float32Array> =>
        (await session.run({ [EDGEFACE_INPUT_NAME]: new ort.Tensor('float32', inputs.get(name) as Float32Array, [1, 3, 112, 112]) }))[EDGEFACE_OUTPUT_NAME]?.data as Float32Array;
      assert.ok(cosine(await run('face-sample1'), await run('gradient')) < 0.9);
    });

    test('is deterministic: the same file converts to the same bytes', (t: TestContext) => {
      if (missing) return t.skip(missing);
      assert.deepEqual(convertEdgeFaceCheckpoint(fileBytes, variant), modelBytes);
    });
  });
}

describe('convertEdgeFaceCheckpoint, wrong files', () => {
  test('a checkpoint of the other variant fails on a named weight', async (t: TestContext) => {
    if (missing) return t.skip(missing);
    const xxs = await readFile(join(edgefaceDir, FILES.xxs));
    assert.throws(() => convertEdgeFaceCheckpoint(xxs, 'xs'), (e: unknown) => e instanceof EdgeFaceCheckpointError && /model\.stem\.0\.weight" has shape \[24, 3, 4, 4\], expected \[32, 3, 4, 4\]/.test(e.message));
  });

  test('a file that is not a checkpoint is refused', () => {
    assert.throws(() => convertEdgeFaceCheckpoint(new TextEncoder().encode('not a zip'), 'xs'), /not a zip archive/);
  });
});
