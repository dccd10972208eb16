import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { CheckpointArchiveError, UnpicklingError, dequantize, isCheckpointTensor, readPytorchCheckpoint, type CheckpointTensor } from './checkpoint.js';
import { SUPPORTED_OPCODES, unpickle } from './unpickler.js';
import { crc32, readCheckpointArchive } from './zip-archive.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

interface Expected {
  readonly [key: string]: unknown;
  readonly keys: string[];
  readonly 'extra.list': unknown[];
}

async function load(): Promise<{ bytes: Uint8Array; expected: Expected }> {
  return {
    bytes: await readFile(join(fixtures, 'tiny-checkpoint.pt')),
    expected: JSON.parse(await readFile(join(fixtures, 'tiny-checkpoint.json'), 'utf8')) as Expected,
  };
}

function tensor(entries: ReadonlyMap<string, unknown>, key: string): CheckpointTensor {
  const value = entries.get(key);
  assert.ok(isCheckpointTensor(value), `${key} is a tensor`);
  return value;
}

/** float32 values against the JSON doubles torch printed from the same float32s. */
function assertFloats(actual: ArrayLike<number>, expected: unknown, what: string): void {
  assert.ok(Array.isArray(expected), `${what}: expected values`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) assert.equal(actual[i], Math.fround(expected[i] as number), `${what}[${i}]`);
}

describe('readPytorchCheckpoint (tiny torch.save fixture)', () => {
  test('uses every opcode the unpickler supports, and the reader gives the state dict in order', async () => {
    const { bytes, expected } = await load();
    const checkpoint = readPytorchCheckpoint(bytes);
    assert.deepEqual([...checkpoint.opcodes].sort(), [...SUPPORTED_OPCODES.values()].sort(), 'the fixture covers the supported opcodes');
    assert.deepEqual([...checkpoint.entries.keys()], expected.keys);
    assert.equal(checkpoint.archiveName, 'tiny-checkpoint');
  });

  test('float, int64, strided, parameter and quantised tensors come out with their values', async () => {
    const { bytes, expected } = await load();
    const { entries } = readPytorchCheckpoint(bytes);

    const conv = tensor(entries, 'conv.weight');
    assert.equal(conv.dtype, 'float32');
    assert.deepEqual(conv.shape, [3, 2, 1, 1]);
    assertFloats(conv.data as Float32Array, expected['conv.weight'], 'conv.weight');
    assertFloats(tensor(entries, 'conv.bias').data as Float32Array, expected['conv.bias'], 'conv.bias');

    // A transposed view (stride [1, 4]) is copied out in row-major order.
    const transposed = tensor(entries, 'extra.transposed');
    assert.deepEqual(transposed.shape, [4, 3]);
    assertFloats(transposed.data as Float32Array, expected['extra.transposed'], 'extra.transposed');

    const steps = tensor(entries, 'extra.steps');
    assert.equal(steps.dtype, 'int64');
    assert.deepEqual([...(steps.data as BigInt64Array)], [-3n, 0n, 2n ** 40n]);
    assertFloats(tensor(entries, 'extra.parameter').data as Float32Array, expected['extra.parameter'], 'extra.parameter');

    // The dynamically quantised Linear: (qint8 weight, float bias) packed in a tuple.
    const packed = entries.get('fc._packed_params._packed_params');
    assert.ok(Array.isArray(packed) && packed.length === 2);
    const [weight, bias] = packed as [CheckpointTensor, CheckpointTensor];
    assert.equal(weight.dtype, 'qint8');
    assert.deepEqual(weight.shape, [3, 4]);
    assert.deepEqual([...(weight.data as Int8Array)], expected['fc.weight_int8']);
    assert.equal(weight.quantizer?.scheme, 'per_tensor_affine');
    assert.equal(weight.quantizer?.scheme === 'per_tensor_affine' && weight.quantizer.scale, expected['fc.weight_scale']);
    assertFloats(dequantize(weight), expected['fc.weight_dequantised'], 'fc weight dequantised');
    assertFloats(bias.data as Float32Array, expected['fc.bias'], 'fc.bias');

    const perChannel = tensor(entries, 'extra.per_channel');
    assert.equal(perChannel.quantizer?.scheme, 'per_channel_affine');
    assert.deepEqual([...(perChannel.data as Int8Array)], expected['extra.per_channel_int8']);
    assertFloats(dequantize(perChannel), expected['extra.per_channel_dequantised'], 'per-channel dequantised');
  });

  test('plain Python values: lists, None, booleans, large and negative integers, strings, memo references', async () => {
    const { bytes, expected } = await load();
    const { entries } = readPytorchCheckpoint(bytes);
    assert.deepEqual(entries.get('extra.list'), expected['extra.list']);
    assert.equal((entries.get('extra.names') as string[]).length, 300);
    assert.equal(entries.get('extra.last_name'), expected['extra.last_name']);
  });

  test('a global outside the allowed set is refused by name and never run', async () => {
    const bytes = await readFile(join(fixtures, 'evil-global.pt'));
    assert.throws(() => readPytorchCheckpoint(bytes), (e: unknown) => e instanceof UnpicklingError && /global posix\.system .* is not allowed/.test(e.message));
  });

  test('an opcode outside the supported set is refused by name', () => {
    // Protocol 2, STACK_GLOBAL (protocol 4) would import a name from the stack.
    assert.throws(() => unpickle(Uint8Array.from([0x80, 0x02, 0x93, 0x2e]), { globals: new Map() }), /unsupported pickle opcode STACK_GLOBAL at byte 2/);
    assert.throws(() => unpickle(Uint8Array.from([0x80, 0x04, 0x4e, 0x2e]), { globals: new Map() }), /pickle protocol 4/);
  });
});

describe('readCheckpointArchive', () => {
  test('lists the stored entries as views, CRC-checked', async () => {
    const { bytes } = await load();
    const entries = readCheckpointArchive(bytes);
    assert.ok(entries.has('tiny-checkpoint/data.pkl'));
    assert.equal(new TextDecoder().decode(entries.get('tiny-checkpoint/byteorder')), 'little');
  });

  test('a damaged entry fails its CRC; a truncated file is not a zip', async () => {
    const { bytes } = await load();
    const damaged = new Uint8Array(bytes);
    const pickleAt = Buffer.from(damaged).indexOf('collections');
    damaged[pickleAt] = 0x43;
    assert.throws(() => readCheckpointArchive(damaged), (e: unknown) => e instanceof CheckpointArchiveError && /data\.pkl fails its CRC-32/.test(e.message));
    assert.throws(() => readCheckpointArchive(bytes.subarray(0, bytes.length - 30)), CheckpointArchiveError);
  });

  test('crc32 matches the zip polynomial', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });
});
