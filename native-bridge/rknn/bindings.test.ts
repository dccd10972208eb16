import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import koffi from 'koffi';

import { LintelRknnTensorMem, RKNN_STRUCTS, RknnQuery, RknnTensorFormat, RknnTensorType, loadRknnLibrary } from './bindings.js';
import type { OutCell, RawOutput, RawTensorAttr, RawTensorMem, RknnContextHandle, RknnFunctions } from './bindings.js';
import { NpuUnavailableError, RKNN_CODES } from './rknn-errors.js';
import { buildStandIn } from './test/build-stand-in.js';
import { encodeStandInModel, expectedOutputs, makeInput, makeStandInModel } from './test/stand-in-model.js';

const { RKNN_SUCC, RKNN_ERR_PARAM_INVALID, RKNN_ERR_MODEL_INVALID, RKNN_ERR_CTX_INVALID, RKNN_ERR_INPUT_INVALID, RKNN_ERR_OUTPUT_INVALID } = RKNN_CODES;

/** Sizes and field offsets from shared/reference/rk3568-platform.md §1.7 (LP64, runtime ≥ 1.3). */
const LAYOUTS: Record<string, { size: number; offsets: Record<string, number> }> = {
  rknn_input_output_num: { size: 8, offsets: { n_input: 0, n_output: 4 } },
  rknn_tensor_attr: {
    size: 376,
    offsets: {
      index: 0,
      n_dims: 4,
      dims: 8,
      name: 72,
      n_elems: 328,
      size: 332,
      fmt: 336,
      type: 340,
      qnt_type: 344,
      fl: 348,
      zp: 352,
      scale: 356,
      w_stride: 360,
      size_with_stride: 364,
      pass_through: 368,
      h_stride: 372,
    },
  },
  rknn_input: { size: 32, offsets: { index: 0, buf: 8, size: 16, pass_through: 20, type: 24, fmt: 28 } },
  rknn_output: { size: 24, offsets: { want_float: 0, is_prealloc: 1, index: 4, buf: 8, size: 16 } },
  rknn_sdk_version: { size: 512, offsets: { api_version: 0, drv_version: 256 } },
  rknn_custom_string: { size: 1024, offsets: { string: 0 } },
  rknn_tensor_mem: { size: 40, offsets: { virt_addr: 0, phys_addr: 8, fd: 16, offset: 20, size: 24, flags: 28, priv_data: 32 } },
};

const lp64 = koffi.sizeof('void *') === 8;

describe('RKNN struct layouts match the reference', { skip: lp64 ? false : 'the reference layouts are LP64 (aarch64/x86_64); this process is 32-bit' }, () => {
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    test(`${name}: ${layout.size} bytes, every field at its offset`, () => {
      const type = RKNN_STRUCTS[name];
      assert.ok(type, `no koffi type for ${name}`);
      assert.equal(koffi.sizeof(type), layout.size);
      for (const [field, offset] of Object.entries(layout.offsets)) assert.equal(koffi.offsetof(type, field), offset, `${name}.${field}`);
    });
  }

  test('rknn_context is 64-bit off 32-bit ARM', () => {
    assert.equal(koffi.sizeof('LintelRknnContext'), 8);
  });
});

describe('loadRknnLibrary', () => {
  test('refuses a relative path instead of searching the loader path', () => {
    assert.throws(
      () => loadRknnLibrary('librknnrt.so'),
      (error: unknown) => error instanceof NpuUnavailableError && error.reason === 'not-absolute' && error.libraryPath === 'librknnrt.so',
    );
  });

  test('a library that does not exist is NPU unavailable, not a crash', () => {
    assert.throws(
      () => loadRknnLibrary('/nonexistent/lintel/librknnrt.so'),
      (error: unknown) => error instanceof NpuUnavailableError && error.reason === 'load-failed' && error.message.includes('/nonexistent/lintel/librknnrt.so'),
    );
  });
});

const standIn = await buildStandIn();
const legacy = await buildStandIn('legacy-destory-mem');

describe('loadRknnLibrary on a runtime older than 1.3', { skip: legacy.ok ? false : legacy.skip }, () => {
  test('a missing symbol is NPU unavailable, naming the symbol and the old spelling', () => {
    const libraryPath = legacy.ok ? legacy.libraryPath : '';
    assert.throws(
      () => loadRknnLibrary(libraryPath),
      (error: unknown) =>
        error instanceof NpuUnavailableError &&
        error.reason === 'missing-symbol' &&
        error.message.includes('rknn_destroy_mem') &&
        error.message.includes('rknn_destory_mem'),
    );
  });
});

describe('RKNN bindings through koffi against the stand-in librknnrt.so', { skip: standIn.ok ? false : standIn.skip }, () => {
  const model = makeStandInModel();
  const bytes = encodeStandInModel(model);
  const input = makeInput(model);
  const expected = expectedOutputs(model, input);
  let fns: RknnFunctions;
  let dir: string;

  before(() => {
    fns = loadRknnLibrary(standIn.ok ? standIn.libraryPath : '');
    dir = mkdtempSync(join(tmpdir(), 'lintel-rknn-bindings-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function init(modelBytes: Uint8Array = bytes): RknnContextHandle {
    const cell: OutCell<RknnContextHandle> = [null];
    assert.equal(fns.rknn_init(cell, modelBytes, modelBytes.byteLength, 0, null), RKNN_SUCC);
    assert.ok(cell[0] !== null && cell[0] !== 0);
    return cell[0];
  }

  function initCode(modelBytes: Uint8Array): number {
    return fns.rknn_init([null], modelBytes, modelBytes.byteLength, 0, null);
  }

  function setInput(ctx: RknnContextHandle, data: Uint8Array = input, overrides: Partial<{ index: number; type: number; fmt: number; size: number }> = {}): number {
    return fns.rknn_inputs_set(ctx, 1, [
      { index: 0, buf: data, size: data.byteLength, pass_through: 0, type: RknnTensorType.UINT8, fmt: RknnTensorFormat.NHWC, ...overrides },
    ]);
  }

  function queryAttr(ctx: RknnContextHandle, cmd: number, index: number): RawTensorAttr {
    const info: Partial<RawTensorAttr> = { index };
    assert.equal(fns.rknn_query_tensor_attr(ctx, cmd, info, 376), RKNN_SUCC);
    return info as RawTensorAttr;
  }

  test('the table has no rknn_set_core_mask: RK3568 does not support it (reference §0.2)', () => {
    assert.equal('rknn_set_core_mask' in fns, false);
  });

  test('rknn_init from bytes and from a path (size 0), rknn_destroy', () => {
    const ctx = init();
    assert.equal(fns.rknn_destroy(ctx), RKNN_SUCC);

    const path = join(dir, 'model.rknn');
    writeFileSync(path, bytes);
    const cell: OutCell<RknnContextHandle> = [null];
    assert.equal(fns.rknn_init_path(cell, path, 0, 0, null), RKNN_SUCC);
    assert.ok(cell[0]);
    assert.equal(fns.rknn_destroy(cell[0]), RKNN_SUCC);
  });

  test('rknn_init error codes: bad arguments and bad model files', () => {
    assert.equal(fns.rknn_init([null], null as unknown as Uint8Array, 10, 0, null), RKNN_ERR_PARAM_INVALID);
    assert.equal(initCode(new TextEncoder().encode('not a model at all, just text')), RKNN_ERR_MODEL_INVALID);
    assert.equal(initCode(bytes.subarray(0, bytes.byteLength - 40)), RKNN_ERR_MODEL_INVALID, 'truncated');
    assert.equal(initCode(encodeStandInModel(makeStandInModel({ containerVersion: 7 }))), RKNN_ERR_MODEL_INVALID, 'newer than the runtime');
    assert.equal(fns.rknn_init_path([null], join(dir, 'missing.rknn'), 0, 0, null), RKNN_ERR_MODEL_INVALID);
  });

  test('rknn_query: in/out count, input and output attributes with INT8 affine quantisation', () => {
    const ctx = init();
    try {
      const num: { n_input?: number; n_output?: number } = {};
      assert.equal(fns.rknn_query_in_out_num(ctx, RknnQuery.IN_OUT_NUM, num, 8), RKNN_SUCC);
      assert.deepEqual(num, { n_input: 1, n_output: 2 });

      const inAttr = queryAttr(ctx, RknnQuery.INPUT_ATTR, 0);
      assert.equal(inAttr.name, 'input.rgb');
      assert.deepEqual(Array.from(inAttr.dims).slice(0, inAttr.n_dims), [1, 4, 5, 3]);
      assert.equal(inAttr.fmt, RknnTensorFormat.NHWC);
      assert.equal(inAttr.type, RknnTensorType.INT8);
      assert.equal(inAttr.qnt_type, 2);
      assert.equal(inAttr.zp, -128);
      assert.equal(inAttr.scale, Math.fround(1 / 255));
      assert.equal(inAttr.n_elems, 60);

      for (const [index, spec] of model.outputs.entries()) {
        const attr = queryAttr(ctx, RknnQuery.OUTPUT_ATTR, index);
        assert.equal(attr.index, index);
        assert.equal(attr.name, spec.name);
        assert.deepEqual(Array.from(attr.dims).slice(0, attr.n_dims), spec.dims);
        assert.equal(attr.fmt, spec.dims.length === 4 ? RknnTensorFormat.NCHW : RknnTensorFormat.UNDEFINED);
        assert.equal(attr.type, RknnTensorType.INT8);
        assert.equal(attr.zp, spec.zeroPoint);
        assert.equal(attr.scale, spec.scale);
        assert.equal(attr.size, spec.bias.length);
      }
    } finally {
      fns.rknn_destroy(ctx);
    }
  });

  test('rknn_query: native attributes (NC1HWC2 and NHWC commands)', () => {
    const ctx = init();
    try {
      for (const cmd of [RknnQuery.NATIVE_INPUT_ATTR, RknnQuery.NATIVE_NHWC_INPUT_ATTR]) {
        const attr = queryAttr(ctx, cmd, 0);
        assert.equal(attr.fmt, RknnTensorFormat.NHWC);
        assert.equal(attr.w_stride, 8, 'rows padded to the stand-in NPU alignment');
        assert.equal(attr.size_with_stride, 4 * 8 * 3);
      }
      assert.deepEqual(Array.from(queryAttr(ctx, RknnQuery.NATIVE_OUTPUT_ATTR, 1).dims).slice(0, 4), [1, 2, 2, 2]);
      const nhwc = queryAttr(ctx, RknnQuery.NATIVE_NHWC_OUTPUT_ATTR, 1);
      assert.equal(nhwc.fmt, RknnTensorFormat.NHWC);
      assert.equal(nhwc.name, 'heatmap');
    } finally {
      fns.rknn_destroy(ctx);
    }
  });

  test('rknn_query: SDK/driver version and custom string', () => {
    const ctx = init();
    try {
      const version: { api_version?: string; drv_version?: string } = {};
      assert.equal(fns.rknn_query_sdk_version(ctx, RknnQuery.SDK_VERSION, version, 512), RKNN_SUCC);
      assert.deepEqual(version, { api_version: '2.3.2 (lintel stand-in)', drv_version: '0.9.8' });
      const custom: { string?: string } = {};
      assert.equal(fns.rknn_query_custom_string(ctx, RknnQuery.CUSTOM_STRING, custom, 1024), RKNN_SUCC);
      assert.equal(custom.string, model.customString);
    } finally {
      fns.rknn_destroy(ctx);
    }
  });

  test('rknn_query error codes: wrong info size, unknown command, index out of range', () => {
    const ctx = init();
    try {
      assert.equal(fns.rknn_query_tensor_attr(ctx, RknnQuery.INPUT_ATTR, { index: 0 }, 372), RKNN_ERR_PARAM_INVALID, '1.2-sized attr');
      assert.equal(fns.rknn_query_tensor_attr(ctx, 99, { index: 0 }, 376), RKNN_ERR_PARAM_INVALID);
      assert.equal(fns.rknn_query_tensor_attr(ctx, RknnQuery.OUTPUT_ATTR, { index: 2 }, 376), RKNN_ERR_PARAM_INVALID);
      assert.equal(fns.rknn_query_in_out_num(ctx, RknnQuery.IN_OUT_NUM, {}, 4), RKNN_ERR_PARAM_INVALID);
    } finally {
      fns.rknn_destroy(ctx);
    }
  });

  test('rknn_inputs_set, rknn_run, rknn_outputs_get (want_float and raw, caller- and runtime-allocated), rknn_outputs_release', () => {
    const ctx = init();
    try {
      assert.equal(setInput(ctx), RKNN_SUCC);
      assert.equal(fns.rknn_run(ctx, null), RKNN_SUCC);

      // Runtime-allocated: the runtime's pointers come back through _Inout_ and are copied out with koffi.decode.
      const runtimeOwned: RawOutput[] = model.outputs.map((_, index) => ({ want_float: 0, is_prealloc: 0, index, buf: null, size: 0 }));
      assert.equal(fns.rknn_outputs_get(ctx, 2, runtimeOwned, null), RKNN_SUCC);
      runtimeOwned.forEach((output, index) => {
        assert.equal(output.size, model.outputs[index]?.bias.length);
        assert.deepEqual(koffi.decode(output.buf, 'int8_t', output.size), expected.quantised[index]);
      });
      assert.equal(fns.rknn_outputs_release(ctx, 2, runtimeOwned), RKNN_SUCC);

      // Caller-allocated (is_prealloc): the runtime writes dequantised floats into JS memory.
      const floats = expected.dequantised.map((values) => new Float32Array(values.length));
      const callerOwned: RawOutput[] = floats.map((data, index) => ({
        want_float: 1,
        is_prealloc: 1,
        index,
        buf: new Uint8Array(data.buffer),
        size: data.byteLength,
      }));
      assert.equal(fns.rknn_outputs_get(ctx, 2, callerOwned, null), RKNN_SUCC);
      assert.deepEqual(floats, expected.dequantised);
      assert.equal(fns.rknn_outputs_release(ctx, 2, callerOwned), RKNN_SUCC);
    } finally {
      fns.rknn_destroy(ctx);
    }
  });

  test('rknn_inputs_set error codes: wrong size, bad index, wrong type or layout, no inputs', () => {
    const ctx = init();
    try {
      assert.equal(setInput(ctx, input.subarray(1)), RKNN_ERR_INPUT_INVALID, 'one byte short');
      assert.equal(setInput(ctx, input, { index: 1 }), RKNN_ERR_INPUT_INVALID);
      assert.equal(setInput(ctx, input, { type: RknnTensorType.FLOAT32 }), RKNN_ERR_INPUT_INVALID);
      assert.equal(setInput(ctx, input, { fmt: RknnTensorFormat.NCHW }), RKNN_ERR_INPUT_INVALID);
      assert.equal(fns.rknn_inputs_set(ctx, 0, []), RKNN_ERR_PARAM_INVALID);
    } finally {
      fns.rknn_destroy(ctx);
    }
  });

  test('rknn_run and rknn_outputs_get error codes: no input yet, no run yet, bad index, caller buffer too small, unknown buffer', () => {
    const ctx = init();
    try {
      assert.equal(fns.rknn_run(ctx, null), RKNN_ERR_INPUT_INVALID, 'run before any input');
      assert.equal(fns.rknn_outputs_get(ctx, 1, [{ want_float: 1, is_prealloc: 0, index: 0, buf: null, size: 0 }], null), RKNN_ERR_OUTPUT_INVALID);
      assert.equal(setInput(ctx), RKNN_SUCC);
      assert.equal(fns.rknn_run(ctx, null), RKNN_SUCC);
      assert.equal(fns.rknn_outputs_get(ctx, 1, [{ want_float: 1, is_prealloc: 0, index: 5, buf: null, size: 0 }], null), RKNN_ERR_OUTPUT_INVALID);
      assert.equal(fns.rknn_outputs_get(ctx, 3, [], null), RKNN_ERR_PARAM_INVALID);
      const small = new Uint8Array(8 * 4 - 1);
      assert.equal(
        fns.rknn_outputs_get(ctx, 1, [{ want_float: 1, is_prealloc: 1, index: 0, buf: small, size: small.byteLength }], null),
        RKNN_ERR_OUTPUT_INVALID,
      );
      // A buffer the runtime did not hand out cannot be released.
      assert.equal(fns.rknn_outputs_release(ctx, 1, [{ want_float: 0, is_prealloc: 0, index: 0, buf: new Uint8Array(8), size: 8 }]), RKNN_ERR_PARAM_INVALID);
    } finally {
      fns.rknn_destroy(ctx);
    }
  });

  test('zero-copy: rknn_create_mem, rknn_set_io_mem (strided UINT8 NHWC input, FLOAT32 and INT8 outputs), rknn_destroy_mem', () => {
    const ctx = init();
    try {
      const inAttr = queryAttr(ctx, RknnQuery.NATIVE_INPUT_ATTR, 0);
      const inMem = fns.rknn_create_mem(ctx, inAttr.size_with_stride);
      assert.ok(inMem);
      const inInfo = koffi.decode(inMem, LintelRknnTensorMem) as RawTensorMem;
      assert.equal(inInfo.size, inAttr.size_with_stride);
      assert.equal(inInfo.fd, -1);
      assert.equal(inInfo.flags, 1, 'RKNN_TENSOR_MEMORY_FLAGS_ALLOC_INSIDE');
      assert.equal(
        fns.rknn_set_io_mem(ctx, inMem, { ...inAttr, dims: Array.from(inAttr.dims), type: RknnTensorType.UINT8, fmt: RknnTensorFormat.NHWC }),
        RKNN_SUCC,
      );
      // Rows of 5 pixels padded to a stride of 8.
      const padded = new Uint8Array(inAttr.size_with_stride);
      for (let row = 0; row < 4; row++) padded.set(input.subarray(row * 15, row * 15 + 15), row * 24);
      koffi.encode(inInfo.virt_addr, 'uint8_t', padded, padded.byteLength);

      const floatAttr = queryAttr(ctx, RknnQuery.OUTPUT_ATTR, 0);
      const floatMem = fns.rknn_create_mem(ctx, floatAttr.n_elems * 4);
      const rawAttr = queryAttr(ctx, RknnQuery.OUTPUT_ATTR, 1);
      const rawMem = fns.rknn_create_mem(ctx, rawAttr.size);
      assert.ok(floatMem && rawMem);
      assert.equal(fns.rknn_set_io_mem(ctx, floatMem, { ...floatAttr, dims: Array.from(floatAttr.dims), type: RknnTensorType.FLOAT32 }), RKNN_SUCC);
      assert.equal(fns.rknn_set_io_mem(ctx, rawMem, { ...rawAttr, dims: Array.from(rawAttr.dims) }), RKNN_SUCC);

      assert.equal(fns.rknn_run(ctx, null), RKNN_SUCC);
      const floatInfo = koffi.decode(floatMem, LintelRknnTensorMem) as RawTensorMem;
      const rawInfo = koffi.decode(rawMem, LintelRknnTensorMem) as RawTensorMem;
      assert.deepEqual(koffi.decode(floatInfo.virt_addr, 'float', 8), expected.dequantised[0]);
      assert.deepEqual(koffi.decode(rawInfo.virt_addr, 'int8_t', 8), expected.quantised[1]);

      for (const mem of [inMem, floatMem, rawMem]) assert.equal(fns.rknn_destroy_mem(ctx, mem), RKNN_SUCC);
    } finally {
      fns.rknn_destroy(ctx);
    }
  });

  test('zero-copy error codes: NULL memory, wrong input type, unknown tensor, memory too small, double destroy', () => {
    const ctx = init();
    try {
      assert.equal(fns.rknn_create_mem(ctx, 0), null);
      const inAttr = queryAttr(ctx, RknnQuery.NATIVE_INPUT_ATTR, 0);
      const mem = fns.rknn_create_mem(ctx, 16);
      assert.ok(mem);
      const asInput = { ...inAttr, dims: Array.from(inAttr.dims), type: RknnTensorType.UINT8, fmt: RknnTensorFormat.NHWC };
      assert.equal(fns.rknn_set_io_mem(ctx, mem, asInput), RKNN_ERR_INPUT_INVALID, '16 bytes for a 96-byte input');
      assert.equal(fns.rknn_set_io_mem(ctx, mem, { ...asInput, type: RknnTensorType.FLOAT32 }), RKNN_ERR_INPUT_INVALID);
      assert.equal(fns.rknn_set_io_mem(ctx, mem, { ...asInput, name: 'no-such-tensor' }), RKNN_ERR_PARAM_INVALID);
      const outAttr = queryAttr(ctx, RknnQuery.OUTPUT_ATTR, 0);
      assert.equal(fns.rknn_set_io_mem(ctx, mem, { ...outAttr, dims: Array.from(outAttr.dims), type: RknnTensorType.FLOAT32 }), RKNN_ERR_OUTPUT_INVALID);
      assert.equal(fns.rknn_destroy_mem(ctx, mem), RKNN_SUCC);
      assert.equal(fns.rknn_destroy_mem(ctx, mem), RKNN_ERR_PARAM_INVALID);
    } finally {
      fns.rknn_destroy(ctx);
    }
  });

  test('a destroyed context is RKNN_ERR_CTX_INVALID in every function', () => {
    const ctx = init();
    assert.equal(fns.rknn_destroy(ctx), RKNN_SUCC);
    const attr = { index: 0 } as RawTensorAttr;
    assert.equal(fns.rknn_destroy(ctx), RKNN_ERR_CTX_INVALID);
    assert.equal(fns.rknn_query_in_out_num(ctx, RknnQuery.IN_OUT_NUM, {}, 8), RKNN_ERR_CTX_INVALID);
    assert.equal(fns.rknn_query_tensor_attr(ctx, RknnQuery.INPUT_ATTR, attr, 376), RKNN_ERR_CTX_INVALID);
    assert.equal(fns.rknn_query_sdk_version(ctx, RknnQuery.SDK_VERSION, {}, 512), RKNN_ERR_CTX_INVALID);
    assert.equal(fns.rknn_query_custom_string(ctx, RknnQuery.CUSTOM_STRING, {}, 1024), RKNN_ERR_CTX_INVALID);
    assert.equal(setInput(ctx), RKNN_ERR_CTX_INVALID);
    assert.equal(fns.rknn_run(ctx, null), RKNN_ERR_CTX_INVALID);
    assert.equal(fns.rknn_outputs_get(ctx, 1, [{ want_float: 1, is_prealloc: 0, index: 0, buf: null, size: 0 }], null), RKNN_ERR_CTX_INVALID);
    assert.equal(fns.rknn_outputs_release(ctx, 0, []), RKNN_ERR_CTX_INVALID);
    assert.equal(fns.rknn_create_mem(ctx, 16), null);
    const live = init();
    try {
      const mem = fns.rknn_create_mem(live, 16);
      assert.ok(mem);
      assert.equal(fns.rknn_destroy_mem(ctx, mem), RKNN_ERR_CTX_INVALID);
      assert.equal(fns.rknn_set_io_mem(ctx, mem, attr), RKNN_ERR_CTX_INVALID);
      assert.equal(fns.rknn_destroy_mem(live, mem), RKNN_SUCC);
    } finally {
      fns.rknn_destroy(live);
    }
  });

  test('the calls also run on koffi worker threads (.async)', async () => {
    const call = <R>(start: (done: (error: unknown, result: R) => void) => void): Promise<R> =>
      new Promise((resolve, reject) => start((error, result) => (error ? reject(error as Error) : resolve(result))));
    const cell: OutCell<RknnContextHandle> = [null];
    assert.equal(await call<number>((done) => fns.rknn_init.async(cell, bytes, bytes.byteLength, 0, null, done)), RKNN_SUCC);
    const ctx = cell[0];
    assert.ok(ctx);
    const inputs = [{ index: 0, buf: input, size: input.byteLength, pass_through: 0, type: RknnTensorType.UINT8, fmt: RknnTensorFormat.NHWC }];
    assert.equal(await call<number>((done) => fns.rknn_inputs_set.async(ctx, 1, inputs, done)), RKNN_SUCC);
    assert.equal(await call<number>((done) => fns.rknn_run.async(ctx, null, done)), RKNN_SUCC);
    const outputs: RawOutput[] = [{ want_float: 1, is_prealloc: 0, index: 1, buf: null, size: 0 }];
    assert.equal(await call<number>((done) => fns.rknn_outputs_get.async(ctx, 1, outputs, null, done)), RKNN_SUCC);
    assert.deepEqual(koffi.decode(outputs[0]?.buf, 'float', 8), expected.dequantised[1]);
    assert.equal(fns.rknn_outputs_release(ctx, 1, outputs), RKNN_SUCC);
    assert.equal(await call<number>((done) => fns.rknn_destroy.async(ctx, done)), RKNN_SUCC);
  });
});
