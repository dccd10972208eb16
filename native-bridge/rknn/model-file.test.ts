import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { checkModelFile, checkModelHeader } from './model-file.js';
import { RknnModelFileError } from './rknn-errors.js';
import type { RknnModelFileReason } from './rknn-errors.js';
import { encodeStandInModel, makeStandInModel } from './test/stand-in-model.js';

function refusedFor(reason: RknnModelFileReason, path: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof RknnModelFileError, String(error));
    assert.equal(error.reason, reason, error.message);
    assert.ok(error.message.includes(path), `message names the file: ${error.message}`);
    return true;
  };
}

describe('RKNN model file check (before rknn_init)', () => {
  const model = encodeStandInModel(makeStandInModel());
  let dir: string;
  const file = (name: string, content: Uint8Array | string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lintel-rknn-model-file-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('accepts a model in the RKNN container, reading its header', async () => {
    const path = file('ok.rknn', model);
    const checked = await checkModelFile(path, { readWhole: false });
    assert.deepEqual(checked.header, { kind: 'plain', formatVersion: 6, dataBytes: model.byteLength - 32, fileBytes: model.byteLength });
    assert.equal(checked.bytes, undefined);
    const whole = await checkModelFile(path, { readWhole: true });
    assert.deepEqual(whole.bytes, model);
  });

  test('accepts an encrypted model ("CYPTRKNN")', () => {
    const encrypted = Buffer.concat([Buffer.from('CYPTRKNN'), Buffer.alloc(56, 0xab)]);
    assert.equal(checkModelHeader(encrypted, encrypted.length, 'enc.rknn').kind, 'encrypted');
  });

  test('missing file', async () => {
    const path = join(dir, 'missing.rknn');
    await assert.rejects(checkModelFile(path, { readWhole: true }), refusedFor('missing', path));
  });

  test('a directory is not a model', async () => {
    const path = join(dir, 'folder.rknn');
    mkdirSync(path);
    await assert.rejects(checkModelFile(path, { readWhole: true }), refusedFor('not-a-file', path));
  });

  test('empty file', async () => {
    const path = file('empty.rknn', '');
    await assert.rejects(checkModelFile(path, { readWhole: false }), refusedFor('empty', path));
  });

  test('wrong magic, with a hint for an ONNX file', async () => {
    const path = file('face.onnx', Buffer.from([0x08, 0x07, 0x12, 0x0c, 0x62, 0x61, 0x63, 0x6b, 0x65, 0x6e, 0x64]));
    await assert.rejects(checkModelFile(path, { readWhole: true }), (error: unknown) => {
      refusedFor('bad-magic', path)(error);
      assert.match((error as Error).message, /starts with 08 07 12 0c 62 61 63 6b \("\.\.\.\.back"\)/);
      assert.match((error as Error).message, /ONNX model: convert it with RKNN-Toolkit2/);
      return true;
    });
  });

  test('truncated: inside the magic, inside the header, and model data cut off', async () => {
    const inMagic = file('rk.rknn', 'RK');
    await assert.rejects(checkModelFile(inMagic, { readWhole: true }), refusedFor('truncated', inMagic));
    const inHeader = file('header.rknn', model.subarray(0, 20));
    await assert.rejects(checkModelFile(inHeader, { readWhole: false }), refusedFor('truncated', inHeader));
    const cut = file('cut.rknn', model.subarray(0, model.byteLength - 100));
    await assert.rejects(checkModelFile(cut, { readWhole: false }), (error: unknown) => {
      refusedFor('truncated', cut)(error);
      assert.match((error as Error).message, /announces \d+ bytes of model data, the file has \d+ after the header/);
      return true;
    });
  });

  test('too large for the configured limit', async () => {
    const path = file('big.rknn', model);
    await assert.rejects(checkModelFile(path, { readWhole: true, maxModelBytes: 64 }), refusedFor('too-large', path));
  });

  test('unreadable file', { skip: process.getuid?.() === 0 ? 'root reads files whatever their mode' : false }, async () => {
    const path = file('locked.rknn', model);
    chmodSync(path, 0o000);
    await assert.rejects(checkModelFile(path, { readWhole: true }), refusedFor('unreadable', path));
  });
});
