/**
 * Reads a PyTorch state dict checkpoint (`torch.save(model.state_dict())`, zip format) without Python: the
 * archive's stored entries, `data.pkl` through the restricted unpickler, and the tensor storages. Only the
 * globals a state dict of float, int64 and int8-quantised tensors uses are allowed; each is implemented here.
 */
import { readCheckpointArchive, CheckpointArchiveError } from './zip-archive.js';
import { PickleDict, PickleTuple, UnpicklingError, unpickle, type GlobalBinding } from './unpickler.js';

/** Element types of the tensors this reader materialises. */
export type TensorDtype = 'float32' | 'float64' | 'int64' | 'qint8';

/** Quantisation of a qint8 tensor: real = (q − zeroPoint) · scale, per tensor or per slice along `axis`. */
export type Quantizer =
  | { readonly scheme: 'per_tensor_affine'; readonly scale: number; readonly zeroPoint: number }
  | { readonly scheme: 'per_channel_affine'; readonly scales: Float64Array; readonly zeroPoints: Float64Array; readonly axis: number };

/** A tensor copied out of its storage into a contiguous (row-major) array. */
export interface CheckpointTensor {
  readonly dtype: TensorDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | BigInt64Array | Int8Array;
  /** Present for qint8 tensors. */
  readonly quantizer?: Quantizer;
}

/** A torch dtype or qscheme object named in the pickle (e.g. `_packed_params.dtype` is `torch.qint8`). */
export class TorchConstant {
  constructor(readonly name: string) {}
}

/** The state dict: names → tensors, tuples (a quantised Linear's packed weight and bias), constants or numbers. */
export interface PytorchCheckpoint {
  readonly entries: ReadonlyMap<string, unknown>;
  /** The archive's top folder (torch.save uses the file's base name), e.g. "edge512_x_int8". */
  readonly archiveName: string;
  /** Opcodes `data.pkl` used. */
  readonly opcodes: ReadonlySet<string>;
}

/** Thrown when the file is readable but is not a state dict this reader understands. */
export class CheckpointFormatError extends Error {
  override readonly name = 'CheckpointFormatError';
}

interface StorageType {
  readonly dtype: TensorDtype;
  readonly bytesPerElement: number;
}

const STORAGE_TYPES: ReadonlyMap<string, StorageType> = new Map([
  ['FloatStorage', { dtype: 'float32', bytesPerElement: 4 }],
  // Per-channel quantisation keeps its scales as float64.
  ['DoubleStorage', { dtype: 'float64', bytesPerElement: 8 }],
  ['LongStorage', { dtype: 'int64', bytesPerElement: 8 }],
  ['QInt8Storage', { dtype: 'qint8', bytesPerElement: 1 }],
]);

/** A storage named by a persistent id: its element type and the bytes of `data/<key>`. */
class Storage {
  constructor(
    readonly type: StorageType,
    readonly key: string,
    readonly bytes: Uint8Array,
  ) {}
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function intTuple(value: unknown, what: string): number[] {
  if (!(value instanceof PickleTuple) || !value.items.every(isInt)) throw new CheckpointFormatError(`${what} is not a tuple of integers`);
  return value.items as number[];
}

function typedArray(dtype: TensorDtype, buffer: ArrayBuffer, length: number): CheckpointTensor['data'] {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, 0, length);
    case 'float64':
      return new Float64Array(buffer, 0, length);
    case 'int64':
      return new BigInt64Array(buffer, 0, length);
    case 'qint8':
      return new Int8Array(buffer, 0, length);
  }
}

/** Copies `shape`/`stride` elements starting at `offset` out of a storage into a contiguous array. */
function materialise(storage: Storage, offset: number, shape: readonly number[], stride: readonly number[]): CheckpointTensor['data'] {
  if (shape.length !== stride.length) throw new CheckpointFormatError(`storage ${storage.key}: shape and stride differ in rank`);
  const count = shape.reduce((product, dim) => product * dim, 1);
  const { bytes, type } = storage;
  const available = bytes.byteLength / type.bytesPerElement;
  // Byte offsets in the archive are 64-aligned, but copy through a fresh buffer so no alignment is assumed.
  const aligned = new Uint8Array(bytes);
  const source = typedArray(type.dtype, aligned.buffer, available);
  let maxIndex = offset;
  for (let d = 0; d < shape.length; d++) maxIndex += ((shape[d] as number) - 1) * (stride[d] as number);
  if (count > 0 && (offset < 0 || maxIndex >= available)) {
    throw new CheckpointFormatError(`storage ${storage.key} holds ${available} elements; the tensor reaches element ${maxIndex}`);
  }
  const out = typedArray(type.dtype, new ArrayBuffer(count * type.bytesPerElement), count);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += (index[d] as number) * (stride[d] as number);
    (out as unknown as { [k: number]: number | bigint })[i] = (source as unknown as { [k: number]: number | bigint })[at] as number | bigint;
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d] = (index[d] as number) + 1;
      if ((index[d] as number) < (shape[d] as number)) break;
      index[d] = 0;
    }
  }
  return out;
}

function storageArg(value: unknown): Storage {
  if (!(value instanceof Storage)) throw new CheckpointFormatError('tensor storage is not a persistent storage reference');
  return value;
}

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
function rebuildTensor(args: readonly unknown[]): CheckpointTensor {
  if (args.length < 6 || args.length > 7) throw new CheckpointFormatError(`_rebuild_tensor_v2 takes 6 or 7 arguments, got ${args.length}`);
  const storage = storageArg(args[0]);
  if (storage.type.dtype === 'qint8') throw new CheckpointFormatError('a qint8 storage rebuilt as a plain tensor');
  if (!isInt(args[1])) throw new CheckpointFormatError('storage offset is not an integer');
  const shape = intTuple(args[2], 'size');
  return { dtype: storage.type.dtype, shape, data: materialise(storage, args[1], shape, intTuple(args[3], 'stride')) };
}

function scalarValues(value: unknown, what: string): Float64Array {
  if (typeof value === 'object' && value !== null && 'data' in value && 'shape' in value) {
    const tensor = value as CheckpointTensor;
    if (tensor.dtype === 'qint8') throw new CheckpointFormatError(`${what} is a quantised tensor`);
    return Float64Array.from(tensor.data as ArrayLike<number | bigint>, (v) => Number(v));
  }
  throw new CheckpointFormatError(`${what} is not a tensor`);
}

/** `torch._utils._rebuild_qtensor(storage, offset, size, stride, quantizer_params, requires_grad, backward_hooks)`. */
function rebuildQTensor(args: readonly unknown[]): CheckpointTensor {
  if (args.length !== 7) throw new CheckpointFormatError(`_rebuild_qtensor takes 7 arguments, got ${args.length}`);
  const storage = storageArg(args[0]);
  if (storage.type.dtype !== 'qint8') throw new CheckpointFormatError(`quantised tensor on a ${storage.type.dtype} storage (only qint8 is read)`);
  if (!isInt(args[1])) throw new CheckpointFormatError('storage offset is not an integer');
  const shape = intTuple(args[2], 'size');
  const params = args[4];
  if (!(params instanceof PickleTuple) || !(params.items[0] instanceof TorchConstant)) throw new CheckpointFormatError('quantizer parameters are not (qscheme, …)');
  const scheme = params.items[0].name;
  let quantizer: Quantizer;
  if (scheme === 'per_tensor_affine' && params.items.length === 3 && typeof params.items[1] === 'number' && isInt(params.items[2])) {
    quantizer = { scheme, scale: params.items[1], zeroPoint: params.items[2] };
  } else if (scheme === 'per_channel_affine' && params.items.length === 4 && isInt(params.items[3])) {
    const scales = scalarValues(params.items[1], 'per-channel scales');
    const zeroPoints = scalarValues(params.items[2], 'per-channel zero points');
    const axis = params.items[3];
    if (axis < 0 || axis >= shape.length || scales.length !== shape[axis] || zeroPoints.length !== shape[axis]) {
      throw new CheckpointFormatError(`per-channel quantizer does not fit the tensor's shape [${shape.join(', ')}]`);
    }
    quantizer = { scheme, scales, zeroPoints, axis };
  } else {
    throw new CheckpointFormatError(`quantization scheme ${scheme} with ${params.items.length - 1} parameters is not supported`);
  }
  return { dtype: 'qint8', shape, data: materialise(storage, args[1], shape, intTuple(args[3], 'stride')), quantizer };
}

/** `torch._utils._rebuild_parameter(data, requires_grad, backward_hooks)`: a Parameter is its tensor here. */
function rebuildParameter(args: readonly unknown[]): unknown {
  if (args.length !== 3) throw new CheckpointFormatError(`_rebuild_parameter takes 3 arguments, got ${args.length}`);
  return args[0];
}

const constant = (name: string): GlobalBinding => ({ kind: 'value', value: new TorchConstant(name) });

/** Every global a state dict of float / int64 / qint8 tensors names; nothing else is accepted. */
const CHECKPOINT_GLOBALS: ReadonlyMap<string, GlobalBinding> = new Map<string, GlobalBinding>([
  ['collections OrderedDict', { kind: 'callable', call: (args) => {
    if (args.length !== 0) throw new CheckpointFormatError('OrderedDict built with arguments');
    return new PickleDict('collections.OrderedDict');
  } }],
  ['torch._utils _rebuild_tensor_v2', { kind: 'callable', call: rebuildTensor }],
  ['torch._utils _rebuild_qtensor', { kind: 'callable', call: rebuildQTensor }],
  ['torch._utils _rebuild_parameter', { kind: 'callable', call: rebuildParameter }],
  ...[...STORAGE_TYPES.keys()].map((name): [string, GlobalBinding] => [`torch ${name}`, constant(name)]),
  ['torch qint8', constant('qint8')],
  ['torch per_tensor_affine', constant('per_tensor_affine')],
  ['torch per_channel_affine', constant('per_channel_affine')],
]);

/** The globals the reader accepts, as "module.name" (for error messages and docs). */
export const ALLOWED_GLOBALS: readonly string[] = [...CHECKPOINT_GLOBALS.keys()].map((key) => key.replace(' ', '.'));

function toPlain(value: unknown): unknown {
  if (value instanceof PickleTuple) return value.items.map(toPlain);
  return value;
}

/**
 * Reads a `torch.save` zip checkpoint holding a state dict. Entries keep the state dict's order; tuples become
 * arrays (a quantised Linear's `_packed_params._packed_params` is [weight qint8, bias float32]).
 */
export function readPytorchCheckpoint(fileBytes: Uint8Array): PytorchCheckpoint {
  const archive = readCheckpointArchive(fileBytes);
  const pickleName = [...archive.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (!pickleName) throw new CheckpointArchiveError('no <name>/data.pkl entry: not a PyTorch checkpoint');
  const archiveName = pickleName.slice(0, -'/data.pkl'.length);

  const result = unpickle(archive.get(pickleName) as Uint8Array, {
    globals: CHECKPOINT_GLOBALS,
    persistentLoad: (pid) => {
      // ('storage', storage type, key, location, element count), as torch.save writes it.
      const items = pid instanceof PickleTuple ? pid.items : [];
      const [tag, type, key, , numel] = items;
      if (items.length !== 5 || tag !== 'storage' || !(type instanceof TorchConstant) || typeof key !== 'string' || !isInt(numel)) {
        throw new CheckpointFormatError('persistent id is not a (storage, type, key, location, size) tuple');
      }
      const storageType = STORAGE_TYPES.get(type.name);
      if (!storageType) throw new CheckpointFormatError(`storage type torch.${type.name} is not supported`);
      const bytes = archive.get(`${archiveName}/data/${key}`);
      if (!bytes) throw new CheckpointFormatError(`storage ${key} is missing from the archive`);
      if (bytes.byteLength !== numel * storageType.bytesPerElement) {
        throw new CheckpointFormatError(`storage ${key} holds ${bytes.byteLength} bytes, expected ${numel} × ${storageType.bytesPerElement}`);
      }
      return new Storage(storageType, key, bytes);
    },
  });
  if (!(result.value instanceof PickleDict)) throw new CheckpointFormatError('data.pkl does not hold a dict: not a state dict');
  const entries = new Map<string, unknown>();
  for (const [key, value] of result.value.entries) {
    if (typeof key !== 'string') throw new CheckpointFormatError(`state dict key ${key} is not a string`);
    entries.set(key, toPlain(value));
  }
  return { entries, archiveName, opcodes: result.opcodes };
}

/** Whether a value read from a checkpoint is a tensor. */
export function isCheckpointTensor(value: unknown): value is CheckpointTensor {
  return typeof value === 'object' && value !== null && 'dtype' in value && 'shape' in value && 'data' in value;
}

/** The float32 values of a tensor: float32 as is, qint8 dequantised ((q − zero point) · scale, in double). */
export function dequantize(tensor: CheckpointTensor): Float32Array {
  if (tensor.dtype === 'float32') return tensor.data as Float32Array;
  if (tensor.dtype !== 'qint8' || !tensor.quantizer) throw new CheckpointFormatError(`cannot read a ${tensor.dtype} tensor as float`);
  const q = tensor.data as Int8Array;
  const out = new Float32Array(q.length);
  const quantizer = tensor.quantizer;
  if (quantizer.scheme === 'per_tensor_affine') {
    for (let i = 0; i < q.length; i++) out[i] = ((q[i] as number) - quantizer.zeroPoint) * quantizer.scale;
    return out;
  }
  const inner = tensor.shape.slice(quantizer.axis + 1).reduce((product, dim) => product * dim, 1);
  const channels = tensor.shape[quantizer.axis] as number;
  for (let i = 0; i < q.length; i++) {
    const channel = Math.floor(i / inner) % channels;
    out[i] = ((q[i] as number) - (quantizer.zeroPoints[channel] as number)) * (quantizer.scales[channel] as number);
  }
  return out;
}

export { CheckpointArchiveError, UnpicklingError };
