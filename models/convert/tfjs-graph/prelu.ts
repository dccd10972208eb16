/**
 * PReLU as both converters write it (TFJS graph and TFLite), onto the ONNX IR of ConversionContext.
 * onnx/prelu-nodes.ts (withPreluNodes) turns the Relu form back into PRelu nodes for the NPU.
 */
import type { ConversionContext } from './context.js';
import { constValue, elementCount, type ConstValue, type TensorValue } from './values.js';

/**
 * How TensorFlow's PReLU, max(x, 0) + a · min(x, 0) with a per-channel slope a, is written in ONNX.
 * - `'relu'` (the default): relu(x) + (−a) · relu((−1) · x), each product a Mul by a per-channel constant.
 *   onnxruntime's CPU optimiser has no blocked-layout (NCHWc) PRelu, so a PRelu node costs a layout round
 *   trip on each side and a slow broadcast; it turns each per-channel Mul into an NCHWc depthwise 1 × 1
 *   convolution, fuses the second Relu and the Add into them, and keeps the network in its blocked layout
 *   (MobileFaceNet ran 2.7 × faster). The values are PRelu's to the bit: for x < 0 the sum is
 *   0 + round(a · x), for x ≥ 0 it is x + 0.
 * - `'prelu'`: one PRelu node, for runtimes that fuse it into the convolution before it (RKNN's NPU).
 */
export type PreluForm = 'relu' | 'prelu';

/**
 * PReLU of `x` with `slope` (broadcast as TensorFlow broadcasts it) in the context's PreluForm; the result is
 * named `base`, the Relu form's intermediate tensors `base/positive`, `base/negated`, `base/negative` and
 * `base/negative_scaled` (names the INT8 settings' float layers may list), the PRelu form's slope `base_slope`
 * (as withPreluNodes names it).
 */
export function emitPrelu(ctx: ConversionContext, x: TensorValue, slope: ConstValue, base: string): TensorValue {
  if (ctx.preluForm === 'prelu') return ctx.emit('PRelu', [x.name, ctx.broadcastName(slope, x.nchw, `${base}_slope`)], {}, base, x.shape, x.nchw);
  // Per-channel constants even for the −1: onnxruntime turns a Mul into an NCHWc convolution only then.
  const minusOne = constValue(slope.shape, new Float32Array(elementCount(slope.shape)).fill(-1));
  const negativeSlope = constValue(slope.shape, Float32Array.from(slope.data, (a) => -a));
  const positive = ctx.emit('Relu', [x.name], {}, `${base}/positive`, x.shape, x.nchw);
  const negated = ctx.emit('Mul', [x.name, ctx.broadcastName(minusOne, x.nchw, `${base}/minus_one`)], {}, `${base}/negated`, x.shape, x.nchw);
  const negative = ctx.emit('Relu', [negated.name], {}, `${base}/negative`, x.shape, x.nchw);
  const scaled = ctx.emit('Mul', [negative.name, ctx.broadcastName(negativeSlope, x.nchw, `${base}/negative_slope`)], {}, `${base}/negative_scaled`, x.shape, x.nchw);
  const result = ctx.emit('Add', [positive.name, scaled.name], {}, base, x.shape, x.nchw);
  ctx.reluFormPrelus.add(result.name);
  return result;
}

/**
 * The element-wise Add of two tensor names (both converters' ADD). A residual Add of a convolution's output and
 * a Relu-form PReLU's output reads the convolution through a Clip without bounds, an identity: in the PRelu form
 * the PRelu node, outside onnxruntime's blocked layout, keeps that Add apart from the convolution, and without
 * the Clip the optimiser would fuse the Add into the convolution, which then accumulates onto the other operand
 * and rounds differently (FaceMesh's landmarks moved by up to 3e-5 px). It fuses the Clip into the convolution
 * as its activation instead, and never fuses an Add into a convolution that has one. withPreluNodes drops the
 * Clip again.
 */
export function emitAdd(ctx: ConversionContext, inputs: readonly [string, string], base: string, shape: readonly number[], nchw: boolean): TensorValue {
  const apart = inputs.map((name, i) =>
    ctx.reluFormPrelus.has(inputs[1 - i] as string) && ctx.ir.producerOpType(name) === 'Conv' ? ctx.ir.node('Clip', [name], {}, `${name}/apart`) : name,
  );
  return ctx.emit('Add', apart, {}, base, shape, nchw);
}
