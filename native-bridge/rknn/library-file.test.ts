import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { checkLibraryFile, readEmbeddedRuntimeVersion } from './library-file.js';
import { NpuUnavailableError } from './rknn-errors.js';
import type { NpuUnavailableReason } from './rknn-errors.js';
import { buildStandIn } from './test/build-stand-in.js';

function unavailableFor(reason: NpuUnavailableReason, path: string, detail?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof NpuUnavailableError, String(error));
    assert.equal(error.reason, reason, error.message);
    assert.equal(error.libraryPath, path);
    assert.ok(error.message.includes(path));
    if (detail) assert.match(error.message, detail);
    return true;
  };
}

const standIn = await buildStandIn();

describe('RKNN runtime library file check (before dlopen)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lintel-rknn-library-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('relative path', async () => {
    await assert.rejects(checkLibraryFile('lib/librknnrt.so'), unavailableFor('not-absolute', 'lib/librknnrt.so'));
  });

  test('nonexistent path', async () => {
    const path = join(dir, 'librknnrt.so');
    await assert.rejects(checkLibraryFile(path), unavailableFor('missing', path));
  });

  test('a directory', async () => {
    await assert.rejects(checkLibraryFile(dir), unavailableFor('not-a-file', dir));
  });

  test('a file that is not ELF', async () => {
    const path = join(dir, 'not-elf.so');
    writeFileSync(path, '#!/bin/sh\necho this is not a library\n');
    await assert.rejects(checkLibraryFile(path), unavailableFor('not-a-library', path, /starts with 23 21 2f 62/));
  });

  test('a file shorter than an ELF header', async () => {
    const path = join(dir, 'short.so');
    writeFileSync(path, Buffer.from([0x7f, 0x45]));
    await assert.rejects(checkLibraryFile(path), unavailableFor('not-a-library', path));
  });

  describe('with a real ELF library', { skip: standIn.ok ? false : standIn.skip }, () => {
    const libraryPath = standIn.ok ? standIn.libraryPath : '';
    const machine = process.arch === 'arm64' ? 62 : 183;

    test('accepts the library built for this machine', async () => {
      await checkLibraryFile(libraryPath);
    });

    test('another machine: wrong architecture (glibc would say "No such file or directory")', async () => {
      const path = join(dir, 'other-arch.so');
      const elf = readFileSync(libraryPath);
      elf.writeUInt16LE(machine, 18);
      writeFileSync(path, elf);
      const built = new RegExp(`built for ${machine === 183 ? 'AArch64' : 'x86-64'}`);
      await assert.rejects(checkLibraryFile(path), unavailableFor('wrong-architecture', path, built));
    });

    const only64 = process.arch === 'arm64' || process.arch === 'x64' ? false : 'needs a 64-bit process';
    test('32-bit ELF in a 64-bit process: wrong architecture', { skip: only64 }, async () => {
      const path = join(dir, 'elf32.so');
      const elf = readFileSync(libraryPath);
      elf[4] = 1;
      writeFileSync(path, elf);
      await assert.rejects(checkLibraryFile(path), unavailableFor('wrong-architecture', path, /\(32-bit\)/));
    });

    test('reads the embedded "librknnrt version:" string, or null without one', async () => {
      assert.equal(await readEmbeddedRuntimeVersion(libraryPath), '2.3.2 (lintel stand-in)');
      const path = join(dir, 'no-version.bin');
      writeFileSync(path, Buffer.alloc(64));
      assert.equal(await readEmbeddedRuntimeVersion(path), null);
    });
  });
});
