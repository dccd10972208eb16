/**
 * How far a quantised model's outputs are from the float model's on one input, in the unit the pipeline
 * cares about for each kind of model (the raw outputs can mislead: BlazeFace's background logits near −10⁴
 * dominate any plain distance, though decoding clips them to ±100).
 */
import type { OutputTensor } from '../../electron/vision/backend/inference-backend.js';
import { generateAnchors } from '../../electron/vision/detector/anchors.js';
import { decodeBlazeface } from '../../electron/vision/detector/face-detector.js';
import { weightedNms, type RawDetection } from '../../electron/vision/detector/nms.js';
import type { ModelEntry } from '../../electron/vision/models/manifest.js';

/** Outputs of one run, by name. */
export type Outputs = Readonly<Record<string, Float32Array>>;

/** An error measure: larger is worse, 0 when the outputs are equal. */
export interface OutputErrorMeasure {
  /** What the number is, with its unit. */
  readonly unit: string;
  readonly error: (reference: Outputs, candidate: Outputs) => number;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    aa += (a[i] as number) ** 2;
    bb += (b[i] as number) ** 2;
  }
  return aa === 0 || bb === 0 ? (aa === bb ? 1 : 0) : dot / Math.sqrt(aa * bb);
}

function output(outputs: Outputs, name: string): Float32Array {
  const data = outputs[name];
  if (!data) throw new Error(`output ${name} missing from the run`);
  return data;
}

function iou(a: RawDetection, b: RawDetection): number {
  const width = Math.min(a.xMaxPx, b.xMaxPx) - Math.max(a.xMinPx, b.xMinPx);
  const height = Math.min(a.yMaxPx, b.yMaxPx) - Math.max(a.yMinPx, b.yMinPx);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / ((a.xMaxPx - a.xMinPx) * (a.yMaxPx - a.yMinPx) + (b.xMaxPx - b.xMinPx) * (b.yMaxPx - b.yMinPx) - intersection);
}

/**
 * The measure for a manifest model:
 * - extractor: 1 − cosine similarity of the templates;
 * - fitter: mean distance of the mesh's (x, y) points, crop pixels;
 * - detector: decoded and merged faces compared one to one — mean key point distance of the faces both find
 *   (IoU ≥ 0.5), input pixels, with a face found by only one of them counted as a tenth of the input size;
 * - anything else: 1 − cosine similarity of all outputs concatenated.
 */
export function outputErrorFor(entry: ModelEntry): OutputErrorMeasure {
  const decoding = entry.decoding;
  if (decoding.kind === 'embedding') {
    const name = entry.outputs[0]?.name ?? '';
    return { unit: '1 − cosine of templates', error: (a, b) => 1 - cosine(output(a, name), output(b, name)) };
  }
  if (decoding.kind === 'facemesh') {
    return {
      unit: 'mean mesh point shift, crop px',
      error: (a, b) => {
        const meshA = output(a, decoding.meshOutput);
        const meshB = output(b, decoding.meshOutput);
        let sum = 0;
        for (let i = 0; i < meshA.length; i += 3) sum += Math.hypot((meshA[i] as number) - (meshB[i] as number), (meshA[i + 1] as number) - (meshB[i + 1] as number));
        return sum / (meshA.length / 3);
      },
    };
  }
  if (decoding.kind === 'blazeface') {
    const sizePx = entry.input.widthPx;
    const anchors = generateAnchors(sizePx, decoding.strides);
    const missPx = sizePx / 10;
    const detect = (outputs: Outputs): RawDetection[] => {
      const tensors: OutputTensor[] = entry.outputs.map(({ name, shape }) => ({ name, shape, data: output(outputs, name) }));
      return weightedNms(decodeBlazeface(tensors, decoding, anchors, sizePx, decoding.minScore), decoding.iouThreshold);
    };
    return {
      unit: `mean key point shift of matched faces, input px (a missed or extra face counts ${missPx} px)`,
      error: (a, b) => {
        const reference = detect(a);
        const candidate = detect(b);
        const matched = new Set<number>();
        let sum = 0;
        for (const face of reference) {
          let best = -1;
          let bestIou = 0.5;
          candidate.forEach((other, i) => {
            const overlap = iou(face, other);
            if (!matched.has(i) && overlap >= bestIou) [best, bestIou] = [i, overlap];
          });
          const other = candidate[best];
          if (!other) {
            sum += missPx;
            continue;
          }
          matched.add(best);
          sum += face.keypointsPx.reduce((s, p, k) => s + Math.hypot(p.x - (other.keypointsPx[k]?.x ?? 0), p.y - (other.keypointsPx[k]?.y ?? 0)), 0) / face.keypointsPx.length;
        }
        sum += (candidate.length - matched.size) * missPx;
        return sum / Math.max(1, reference.length);
      },
    };
  }
  return {
    unit: '1 − cosine of all outputs',
    error: (a, b) => {
      const flat = (outputs: Outputs): Float32Array => Float32Array.from(entry.outputs.flatMap(({ name }) => Array.from(output(outputs, name))));
      return 1 - cosine(flat(a), flat(b));
    },
  };
}
