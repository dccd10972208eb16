import type { TfjsWeightGroup } from '../tfjs-weights.js';

/** One attribute value of a TFJS graph node, as tfjs-converter writes it (a protobuf AttrValue in JSON). */
export interface TfAttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: unknown;
  tensor?: unknown;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[]; b?: boolean[]; type?: string[] };
}

/** One node of `modelTopology.node`. */
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
  device?: string;
}

/** The parts of a TFJS graph `model.json` the converter reads. */
export interface TfjsGraphModelJson {
  format?: string;
  modelTopology: { node: TfNode[]; library?: { function?: unknown[] } };
  weightsManifest: TfjsWeightGroup[];
  signature?: { outputs?: Record<string, { name: string }> };
}

/** A node input reference split into producer node and output index; control inputs (`^name`) are dropped. */
export interface TensorRef {
  readonly node: string;
  readonly index: number;
}

/** Parses `name`, `name:1`; returns undefined for a control dependency `^name`. */
export function parseTensorRef(input: string): TensorRef | undefined {
  if (input.startsWith('^')) return undefined;
  const match = /^(.*):(\d+)$/.exec(input);
  if (match?.[1] !== undefined && match[2] !== undefined) return { node: match[1], index: Number(match[2]) };
  return { node: input, index: 0 };
}

/** The key a converted value is stored under. */
export function refKey(ref: TensorRef): string {
  return `${ref.node}:${ref.index}`;
}

/** Data inputs of a node, control dependencies left out. */
export function dataInputs(node: TfNode): TensorRef[] {
  return (node.input ?? []).flatMap((input) => parseTensorRef(input) ?? []);
}

function decodeString(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}

/** Typed readers for node attributes; `undefined` when the attribute is absent. */
export const tfAttr = {
  string(node: TfNode, key: string): string | undefined {
    const value = node.attr?.[key]?.s;
    return value === undefined ? undefined : decodeString(value);
  },
  strings(node: TfNode, key: string): string[] | undefined {
    const list = node.attr?.[key]?.list;
    return list ? (list.s ?? []).map(decodeString) : undefined;
  },
  int(node: TfNode, key: string): number | undefined {
    const value = node.attr?.[key]?.i;
    return value === undefined ? undefined : Number(value);
  },
  ints(node: TfNode, key: string): number[] | undefined {
    const list = node.attr?.[key]?.list;
    return list ? (list.i ?? []).map(Number) : undefined;
  },
  float(node: TfNode, key: string): number | undefined {
    return node.attr?.[key]?.f;
  },
  bool(node: TfNode, key: string): boolean | undefined {
    return node.attr?.[key]?.b;
  },
  /** Static shape of a Placeholder (`-1` for unknown dims). */
  shape(node: TfNode, key: string): number[] | undefined {
    const shape = node.attr?.[key]?.shape as { dim?: { size?: string | number }[]; unknownRank?: boolean } | undefined;
    if (!shape || shape.unknownRank) return undefined;
    return (shape.dim ?? []).map((dim) => Number(dim.size ?? -1));
  },
};
