import { npmSource, type ModelEntry } from '../../electron/vision/models/manifest.js';
import { checkFaceApiEntry, FaceApiGraph, readFaceApiWeights, tfPadding, toOnnxFilters, type Value } from './face-api/face-api-graph.js';
import { OnnxGraphBuilder, attr } from './onnx/onnx-graph.js';

/**
 * face-api's age and gender network (a TinyXception with two main blocks and two dense heads) has no graph file:
 * its layers live in face-api's code (AgeGenderNet and TinyXception in @vladmandic/face-api 1.7.15). This module
 * rebuilds the graph `AgeGenderNet.runNet` executes up to the age head, as ONNX opset 13 in NCHW, from the weights
 * manifest. The gender head is left out: Lintel estimates age only (young children at enrollment), never gender.
 */

/** face-api's TinyXception resizes every input to this side, px. */
export const FACE_API_AGE_INPUT_PX = 112;
/** Mean face-api subtracts per RGB channel (pixels 0..255) before dividing by `FACE_API_AGE_STD`. */
export const FACE_API_AGE_MEAN: readonly [number, number, number] = [122.782, 117.001, 104.298];
export const FACE_API_AGE_STD = 255;

/** Weights of the gender head: in the file, deliberately not converted. */
const GENDER_WEIGHTS = ['fc/gender/weights', 'fc/gender/bias'];
const MAIN_BLOCKS = 2;
const FEATURES = 512;
/** Bumped when the emitted graph changes, so converted files (and their sha256) can be told apart. */
const CONVERTER_VERSION = '1';

class TinyXceptionGraph extends FaceApiGraph {
  /** face-api's `conv`: conv2d 'same' + bias. */
  conv(x: Value, prefix: string, stride: number): Value {
    const shape = this.w.filterShape(`${prefix}/filters`);
    const [kh, kw, ci, co] = shape;
    if (ci !== x.channels) throw new Error(`${prefix}: filter takes ${ci} channels, input has ${x.channels}`);
    const filters = toOnnxFilters(this.w.get(`${prefix}/filters`, shape), shape);
    const bias = this.w.get(`${prefix}/bias`, [co]);
    const rows = tfPadding(x.height, kh, stride, 'same');
    const cols = tfPadding(x.width, kw, stride, 'same');
    const name = this.g.op('Conv', [x.name, this.g.constant(`${prefix}/filters`, [co, ci, kh, kw], filters), this.g.constant(`${prefix}/bias`, [co], bias)], {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints([stride, stride]),
      pads: attr.ints([rows.begin, cols.begin, rows.end, cols.end]),
      group: attr.int(1),
    });
    return { name, channels: co, height: rows.outSize, width: cols.outSize };
  }

  /** face-api's `depthwiseSeparableConv` (stride 1, 'same'): a 3×3 depthwise conv, a 1×1 pointwise conv, + bias. */
  separable(x: Value, prefix: string): Value {
    const [kh, kw, c, multiplier] = this.w.filterShape(`${prefix}/depthwise_filter`);
    if (c !== x.channels || multiplier !== 1) throw new Error(`${prefix}: depthwise filter [${kh}, ${kw}, ${c}, ${multiplier}] does not fit ${x.channels} channels`);
    const depthwise = this.w.get(`${prefix}/depthwise_filter`, [kh, kw, c, 1]);
    // TF [KH, KW, C, 1] → ONNX grouped conv [C, 1, KH, KW].
    const onnxDepthwise = new Float32Array(c * kh * kw);
    for (let y = 0; y < kh; y++) for (let xk = 0; xk < kw; xk++) for (let ch = 0; ch < c; ch++) onnxDepthwise[(ch * kh + y) * kw + xk] = depthwise[(y * kw + xk) * c + ch] as number;
    const rows = tfPadding(x.height, kh, 1, 'same');
    const cols = tfPadding(x.width, kw, 1, 'same');
    const depthwiseOut = this.g.op('Conv', [x.name, this.g.constant(`${prefix}/depthwise`, [c, 1, kh, kw], onnxDepthwise)], {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints([1, 1]),
      pads: attr.ints([rows.begin, cols.begin, rows.end, cols.end]),
      group: attr.int(c),
    });
    const pointwiseShape = this.w.filterShape(`${prefix}/pointwise_filter`);
    const co = pointwiseShape[3];
    const pointwise = toOnnxFilters(this.w.get(`${prefix}/pointwise_filter`, pointwiseShape), pointwiseShape);
    const bias = this.w.get(`${prefix}/bias`, [co]);
    const name = this.g.op('Conv', [depthwiseOut, this.g.constant(`${prefix}/pointwise`, [co, c, 1, 1], pointwise), this.g.constant(`${prefix}/bias`, [co], bias)], {
      kernel_shape: attr.ints([1, 1]),
      strides: attr.ints([1, 1]),
      group: attr.int(1),
    });
    return { name, channels: co, height: x.height, width: x.width };
  }



  /** 3×3 stride-2 max pool, TF 'same' (ONNX max pooling ignores the padded cells, as TF does). */
  maxPoolSame(x: Value): Value {
    const rows = tfPadding(x.height, 3, 2, 'same');
    const cols = tfPadding(x.width, 3, 2, 'same');
    const name = this.g.op('MaxPool', [x.name], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([rows.begin, cols.begin, rows.end, cols.end]) });
    return { name, channels: x.channels, height: rows.outSize, width: cols.outSize };
  }

  /** TinyXception's reductionBlock: [relu], separable, relu, separable, max pool, + the input's 1×1 stride-2 conv. */
  reductionBlock(x: Value, prefix: string, activateInput: boolean): Value {
    let out = this.separable(activateInput ? this.relu(x) : x, `${prefix}/separable_conv0`);
    out = this.separable(this.relu(out), `${prefix}/separable_conv1`);
    return this.add(this.maxPoolSame(out), this.conv(x, `${prefix}/expansion_conv`, 2));
  }

  /** TinyXception's mainBlock: three relu + separable, + the input. */
  mainBlock(x: Value, prefix: string): Value {
    let out = x;
    for (const conv of ['separable_conv0', 'separable_conv1', 'separable_conv2']) out = this.separable(this.relu(out), `${prefix}/${conv}`);
    return this.add(out, x);
  }

  /** AgeGenderNet's head: 7×7 average pool of the 7×7 map (one cell), flattened, times fc/age, + bias. */
  ageHead(x: Value, outputName: string): void {
    if (x.height !== 7 || x.width !== 7) throw new Error(`the age head expects a 7×7 map, got ${x.height}×${x.width}`);
    const pooled = this.g.op('GlobalAveragePool', [x.name]);
    const flat = this.g.op('Flatten', [pooled], { axis: attr.int(1) });
    const weights = this.w.get('fc/age/weights', [x.channels, 1]);
    const bias = this.w.get('fc/age/bias', [1]);
    this.g.node('Gemm', [flat, this.g.constant('fc/age/weights', [x.channels, 1], weights), this.g.constant('fc/age/bias', [1], bias)], {}, [outputName]);
  }
}

/**
 * Converts face-api's age and gender weights (`age_gender_model-weights_manifest.json` + shard) to ONNX opset 13
 * bytes: input `entry.input.name` [1, 3, 112, 112] float32 already normalised as the manifest says, output
 * `entry.outputs[0].name` [1, 1], the estimated age in years. Same inputs → same bytes.
 */
export async function convertFaceApiAge(weightsManifestPath: string, entry: ModelEntry): Promise<Uint8Array> {
  const network = "face-api's age and gender network";
  const { inputName, outputName } = checkFaceApiEntry(entry, { network, inputPx: FACE_API_AGE_INPUT_PX, mean: FACE_API_AGE_MEAN, std: FACE_API_AGE_STD, outputLength: 1, output: 'age' });
  const weights = await readFaceApiWeights(weightsManifestPath, network);
  const g = new OnnxGraphBuilder('faceapi_age');
  const net = new TinyXceptionGraph(g, weights);
  const side = FACE_API_AGE_INPUT_PX;
  let x: Value = { name: g.input(inputName, [1, 3, side, side]), channels: 3, height: side, width: side };

  // The layer sequence of TinyXception.forwardInput, then AgeGenderNet's age head.
  x = net.relu(net.conv(x, 'entry_flow/conv_in', 2));
  x = net.reductionBlock(x, 'entry_flow/reduction_block_0', false);
  x = net.reductionBlock(x, 'entry_flow/reduction_block_1', true);
  for (let block = 0; block < MAIN_BLOCKS; block++) x = net.mainBlock(x, `middle_flow/main_block_${block}`);
  x = net.reductionBlock(x, 'exit_flow/reduction_block', true);
  x = net.relu(net.separable(x, 'exit_flow/separable_conv'));
  if (x.channels !== FEATURES) throw new Error(`${weightsManifestPath}: the feature map has ${x.channels} channels, face-api's has ${FEATURES}`);
  net.ageHead(x, outputName);
  g.output(outputName, [1, 1]);

  const unused = weights.unused(GENDER_WEIGHTS);
  if (unused.length > 0) throw new Error(`${weightsManifestPath}: weights not used by face-api's age network: ${unused.join(', ')}`);

  return g.toModelBytes({
    producerName: 'lintel-convert',
    producerVersion: `face-api-age/${CONVERTER_VERSION}`,
    docString: `Converted from ${npmSource(entry).package}@${npmSource(entry).version} ${npmSource(entry).file} (age head only)`,
    metadata: {
      source: `${npmSource(entry).package}@${npmSource(entry).version}/${npmSource(entry).file}`,
      normalisation: `(rgb - [${FACE_API_AGE_MEAN.join(', ')}]) / ${FACE_API_AGE_STD}, NCHW`,
    },
  });
}
