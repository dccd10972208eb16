import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { TfAttrValue, TfNode } from '../tfjs-graph/model-json.js';

/**
 * Builds small TFJS graph models by hand, for tests of ops the shipped models do not use. Writes a
 * `model.json` + `weights.bin` pair that both the converter and tf.loadGraphModel read.
 */
export class SyntheticGraph {
  private readonly nodes: TfNode[] = [];
  private readonly weights: { name: string; shape: number[]; data: Float32Array | Int32Array }[] = [];

  /** Attribute helpers in the JSON form tfjs-converter writes. */
  static readonly attr = {
    s: (value: string): TfAttrValue => ({ s: Buffer.from(value, 'utf8').toString('base64') }),
    ints: (values: readonly number[]): TfAttrValue => ({ list: { i: values.map(String) } }),
    strings: (values: readonly string[]): TfAttrValue => ({ list: { s: values.map((v) => Buffer.from(v, 'utf8').toString('base64')) } }),
    i: (value: number): TfAttrValue => ({ i: String(value) }),
    f: (value: number): TfAttrValue => ({ f: value }),
    b: (value: boolean): TfAttrValue => ({ b: value }),
    float: { type: 'DT_FLOAT' } as TfAttrValue,
    int32: { type: 'DT_INT32' } as TfAttrValue,
  };

  /** An NHWC float32 placeholder. */
  placeholder(name: string, shape: readonly number[]): string {
    this.nodes.push({
      name,
      op: 'Placeholder',
      attr: { dtype: SyntheticGraph.attr.float, shape: { shape: { dim: shape.map((size) => ({ size: String(size) })) } } },
    });
    return name;
  }

  /** A constant stored in the weights file. */
  constant(name: string, shape: readonly number[], data: Float32Array | Int32Array): string {
    this.weights.push({ name, shape: [...shape], data });
    this.nodes.push({ name, op: 'Const', attr: { dtype: data instanceof Int32Array ? SyntheticGraph.attr.int32 : SyntheticGraph.attr.float } });
    return name;
  }

  /** Any other node; `T: float` is added unless given. */
  node(name: string, op: string, inputs: readonly string[], attributes: Record<string, TfAttrValue> = {}): string {
    this.nodes.push({ name, op, input: [...inputs], attr: { T: SyntheticGraph.attr.float, ...attributes } });
    return name;
  }

  /** Writes `model.json` and `weights.bin` into `dir`; returns the model.json path. */
  async write(dir: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const buffers = this.weights.map((weight) => Buffer.from(weight.data.buffer, weight.data.byteOffset, weight.data.byteLength));
    await writeFile(join(dir, 'weights.bin'), Buffer.concat(buffers));
    const json = {
      format: 'graph-model',
      generatedBy: 'lintel test',
      convertedBy: 'lintel test',
      modelTopology: { node: this.nodes, versions: { producer: 1 } },
      weightsManifest: [
        {
          paths: ['weights.bin'],
          weights: this.weights.map((weight) => ({
            name: weight.name,
            shape: weight.shape,
            dtype: weight.data instanceof Int32Array ? 'int32' : 'float32',
          })),
        },
      ],
    };
    const path = join(dir, 'model.json');
    await writeFile(path, JSON.stringify(json));
    return path;
  }
}
