import { npmSource, type ModelEntry } from '../../electron/vision/models/manifest.js';
import { OnnxGraphBuilder, attr } from './onnx/onnx-graph.js';
import { checkFaceApiEntry, FaceApiGraph, readFaceApiWeights, tfPadding, toOnnxFilters, type Padding, type Value } from './face-api/face-api-graph.js';

/**
 * face-api's recogniser (dlib's ResNet-34-style network) has no graph file: the network lives in face-api's
 * code (src/faceRecognitionNet/*.ts of @vladmandic/face-api 1.7.15). This module rebuilds exactly the graph
 * its `FaceRecognitionNet.forwardInput` executes, as ONNX opset 13 in NCHW, from the weights manifest.
 */

/** face-api's `forwardInput` resizes every input to this side before the network, px. */
export const FACE_API_RECOGNIZER_INPUT_PX = 150;
/** Mean face-api subtracts per RGB channel (pixels 0..255) before dividing by `FACE_API_RECOGNIZER_STD`. */
export const FACE_API_RECOGNIZER_MEAN: readonly [number, number, number] = [122.782, 117.001, 104.298];
/** face-api divides by 255 (dlib itself uses 256; the weights were trained in dlib, face-api's port uses 255). */
export const FACE_API_RECOGNIZER_STD = 255;

const EMBEDDING_SIZE = 128;
/** Bumped when the emitted graph changes, so converted files (and their sha256) can be told apart. */
const CONVERTER_VERSION = '1';

class RecognizerGraph extends FaceApiGraph {
  /**
   * face-api's convLayer: conv2d + bias, then the scale layer (x·weights + biases), then optionally relu.
   * Nothing nonlinear sits between conv and scale, so the scale folds into the conv exactly:
   * ((x∗W + b)·s + t) = x∗(W·s) + (b·s + t), per output channel.
   */
  convLayer(x: Value, prefix: string, stride: number, withRelu: boolean, padding: Padding): Value {
    const [kh, kw, ci, co] = this.w.filterShape(`${prefix}/conv/filters`);
    if (ci !== x.channels) throw new Error(`${prefix}: filter takes ${ci} channels, input has ${x.channels}`);
    const filters = this.w.get(`${prefix}/conv/filters`, [kh, kw, ci, co]);
    const bias = this.w.get(`${prefix}/conv/bias`, [co]);
    const scale = this.w.get(`${prefix}/scale/weights`, [co]);
    const shift = this.w.get(`${prefix}/scale/biases`, [co]);

    // TF filter [KH, KW, Ci, Co] → ONNX [Co, Ci, KH, KW], with the scale folded in.
    const onnxFilters = toOnnxFilters(filters, [kh, kw, ci, co], scale);
    const onnxBias = Float32Array.from(bias, (b, o) => b * (scale[o] as number) + (shift[o] as number));

    const rows = tfPadding(x.height, kh, stride, padding);
    const cols = tfPadding(x.width, kw, stride, padding);
    const name = this.g.op(
      'Conv',
      [x.name, this.g.constant(`${prefix}/filters`, [co, ci, kh, kw], onnxFilters), this.g.constant(`${prefix}/bias`, [co], onnxBias)],
      {
        kernel_shape: attr.ints([kh, kw]),
        strides: attr.ints([stride, stride]),
        pads: attr.ints([rows.begin, cols.begin, rows.end, cols.end]),
        dilations: attr.ints([1, 1]),
        group: attr.int(1),
      },
    );
    const out = { name, channels: co, height: rows.outSize, width: cols.outSize };
    return withRelu ? this.relu(out) : out;
  }



  /** Zero padding at the end of each axis (channels, rows, columns), as face-api's concat with zeros. */
  padEnd(x: Value, channels: number, rows: number, cols: number): Value {
    const pads = this.g.int64s('pads', [0, 0, 0, 0, 0, channels, rows, cols]);
    const name = this.g.op('Pad', [x.name, pads], { mode: attr.string('constant') });
    return { name, channels: x.channels + channels, height: x.height + rows, width: x.width + cols };
  }

  /** face-api's `residual`: conv+relu, conv, add the input, relu. */
  residual(x: Value, prefix: string): Value {
    const conv1 = this.convLayer(x, `${prefix}/conv1`, 1, true, 'same');
    const conv2 = this.convLayer(conv1, `${prefix}/conv2`, 1, false, 'same');
    return this.relu(this.add(conv2, x));
  }

  /**
   * face-api's `residualDown`: conv1 is 3×3 stride 2 'valid' (convDown), the shortcut a 2×2 stride-2 average
   * pool whose channels are doubled with zeros. When the valid conv comes out one pixel smaller than the pool
   * (even input sizes: 8 → 3 vs 4, 4 → 1 vs 2), face-api appends a zero row and column to the conv branch.
   */
  residualDown(x: Value, prefix: string): Value {
    const conv1 = this.convLayer(x, `${prefix}/conv1`, 2, true, 'valid');
    let out = this.convLayer(conv1, `${prefix}/conv2`, 1, false, 'same');

    let pooled: Value = {
      name: this.g.op('AveragePool', [x.name], {
        kernel_shape: attr.ints([2, 2]),
        strides: attr.ints([2, 2]),
        pads: attr.ints([0, 0, 0, 0]),
      }),
      channels: x.channels,
      height: Math.floor((x.height - 2) / 2) + 1,
      width: Math.floor((x.width - 2) / 2) + 1,
    };
    if (pooled.height !== out.height || pooled.width !== out.width) {
      // face-api concatenates exactly one zero row and one zero column, whatever the difference.
      out = this.padEnd(out, 0, 1, 1);
    }
    if (pooled.channels !== out.channels) {
      // face-api concatenates zeros of the pooled tensor's own shape, i.e. doubles its channels.
      pooled = this.padEnd(pooled, pooled.channels, 0, 0);
    }
    return this.relu(this.add(pooled, out));
  }

  maxPool(x: Value, kernel: number, stride: number): Value {
    const name = this.g.op('MaxPool', [x.name], {
      kernel_shape: attr.ints([kernel, kernel]),
      strides: attr.ints([stride, stride]),
      pads: attr.ints([0, 0, 0, 0]),
    });
    const size = (n: number): number => Math.floor((n - kernel) / stride) + 1;
    return { name, channels: x.channels, height: size(x.height), width: size(x.width) };
  }

  /** Global average pool + matMul with `fc` [256, 128]: the raw descriptor, not L2-normalised. */
  head(x: Value, outputName: string): void {
    const pooled = this.g.op('GlobalAveragePool', [x.name]);
    const flat = this.g.op('Flatten', [pooled], { axis: attr.int(1) });
    const fc = this.w.get('fc', [x.channels, EMBEDDING_SIZE]);
    this.g.node('Gemm', [flat, this.g.constant('fc', [x.channels, EMBEDDING_SIZE], fc)], {}, [outputName]);
  }
}

/**
 * Converts face-api's recogniser weights (`face_recognition_model-weights_manifest.json` + shard) to ONNX
 * opset 13 bytes: input `entry.input.name` [1, 3, 150, 150] float32 already normalised as the manifest says,
 * output `entry.outputs[0].name` [1, 128] (raw descriptor, not L2-normalised). Same inputs → same bytes.
 */
export async function convertFaceApiRecognizer(weightsManifestPath: string, entry: ModelEntry): Promise<Uint8Array> {
  const { inputName, outputName } = checkFaceApiEntry(entry, {
    network: "face-api's recogniser",
    inputPx: FACE_API_RECOGNIZER_INPUT_PX,
    mean: FACE_API_RECOGNIZER_MEAN,
    std: FACE_API_RECOGNIZER_STD,
    outputLength: EMBEDDING_SIZE,
    output: 'embedding',
  });
  const weights = await readFaceApiWeights(weightsManifestPath, "face-api's recogniser");
  const g = new OnnxGraphBuilder('faceapi_recognizer');
  const net = new RecognizerGraph(g, weights);
  const side = FACE_API_RECOGNIZER_INPUT_PX;
  let x: Value = { name: g.input(inputName, [1, 3, side, side]), channels: 3, height: side, width: side };

  // The layer sequence of FaceRecognitionNet.forwardInput.
  x = net.convLayer(x, 'conv32_down', 2, true, 'valid');
  x = net.maxPool(x, 3, 2);
  for (const block of ['conv32_1', 'conv32_2', 'conv32_3']) x = net.residual(x, block);
  x = net.residualDown(x, 'conv64_down');
  for (const block of ['conv64_1', 'conv64_2', 'conv64_3']) x = net.residual(x, block);
  x = net.residualDown(x, 'conv128_down');
  for (const block of ['conv128_1', 'conv128_2']) x = net.residual(x, block);
  x = net.residualDown(x, 'conv256_down');
  for (const block of ['conv256_1', 'conv256_2']) x = net.residual(x, block);
  x = net.residualDown(x, 'conv256_down_out');
  net.head(x, outputName);
  g.output(outputName, [1, EMBEDDING_SIZE]);

  // Leftover tensors mean the file is for another network (face-api's loader would not notice).
  const unused = weights.unused();
  if (unused.length > 0) throw new Error(`${weightsManifestPath}: weights not used by face-api's recogniser: ${unused.join(', ')}`);

  return g.toModelBytes({
    producerName: 'lintel-convert',
    producerVersion: `face-api-recognizer/${CONVERTER_VERSION}`,
    // Only the source's identity goes into the file: editing the manifest's prose must not change the model's sha256.
    docString: `Converted from ${npmSource(entry).package}@${npmSource(entry).version} ${npmSource(entry).file}`,
    metadata: {
      source: `${npmSource(entry).package}@${npmSource(entry).version}/${npmSource(entry).file}`,
      normalisation: `(rgb - [${FACE_API_RECOGNIZER_MEAN.join(', ')}]) / ${FACE_API_RECOGNIZER_STD}, NCHW`,
    },
  });
}
