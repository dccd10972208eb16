import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { FaceMatcher } from '../../vision/matcher/face-matcher.js';
import { TerminalStore } from '../store/store.js';
import { importCsv } from './bulk-import.js';
import { CsvError } from './csv.js';
import { ImportFileError, readImportFile } from './import-files.js';
import type { EnrollmentAnalyser } from './photo-sample.js';
import { makeTempDir } from './test/helpers.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';

function failsWith(reason: ImportFileError['reason'], pattern: RegExp): (error: unknown) => boolean {
  return (error) => error instanceof ImportFileError && error.reason === reason && pattern.test(error.message);
}

/** An analyser that must never be reached: the files are refused before any photo is analysed. */
const unreachable: EnrollmentAnalyser = {
  analyse: () => Promise.reject(new Error('no photo should be analysed')),
  extract: () => Promise.reject(new Error('no photo should be analysed')),
};

describe('import files', () => {
  const cleanups: (() => void)[] = [];
  after(() => cleanups.forEach((cleanup) => cleanup()));
  const tempDir = (): string => makeTempDir((fn) => cleanups.push(fn), 'lintel-import-files-');

  it('reads a regular file inside the roots, whole', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.csv'), 'id,name,photo\n');
    assert.equal((await readImportFile(join(dir, 'a.csv'), { maxBytes: 1024, roots: [dir] })).toString(), 'id,name,photo\n');
  });

  it('refuses a FIFO at once instead of waiting for a writer', async (t) => {
    const dir = tempDir();
    const fifo = join(dir, 'photo.jpg');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return t.skip('mkfifo is not available here');
    }
    const startMs = performance.now();
    await assert.rejects(readImportFile(fifo, { maxBytes: 1024, roots: [dir] }), failsWith('not-regular', /is a FIFO \(named pipe\), not a regular file/));
    assert.ok(performance.now() - startMs < 1000);
  });

  it('refuses devices, folders, /proc files (they read as empty) and files over the cap', async () => {
    await assert.rejects(readImportFile('/dev/zero', { maxBytes: 1024 }), failsWith('not-regular', /\/dev\/zero: is a device/));
    if (existsSync('/proc/self/environ')) await assert.rejects(readImportFile('/proc/self/environ', { maxBytes: 1024 }), failsWith('empty', /is empty/));
    const dir = tempDir();
    await assert.rejects(readImportFile(dir, { maxBytes: 1024 }), failsWith('not-regular', /is a folder/));
    writeFileSync(join(dir, 'big.jpg'), Buffer.alloc(4096, 1));
    await assert.rejects(readImportFile(join(dir, 'big.jpg'), { maxBytes: 1024 }), failsWith('too-large', /0\.0 MB: files of at most 0\.0 MB/));
  });

  it('refuses a path outside the roots, also through a link inside them', async () => {
    const root = tempDir();
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, 'secret.key'), 'BEGIN PRIVATE KEY');
    symlinkSync(join(elsewhere, 'secret.key'), join(root, 'innocent.jpg'));
    for (const path of [join(elsewhere, 'secret.key'), join(root, 'innocent.jpg'), join(root, '..', 'x')]) {
      await assert.rejects(readImportFile(path, { maxBytes: 1024, roots: [root] }), (error: Error) => error instanceof ImportFileError && !error.message.includes('PRIVATE'));
    }
    await assert.rejects(readImportFile(join(root, 'innocent.jpg'), { maxBytes: 1024, roots: [root] }), failsWith('outside-roots', /outside the import folders/));
  });

  it('stops with the abort reason', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.csv'), 'x');
    const abort = new AbortController();
    abort.abort(new Error('cancelled'));
    await assert.rejects(readImportFile(join(dir, 'a.csv'), { maxBytes: 1024, signal: abort.signal }), /cancelled/);
  });

  it('a CSV import of a file that is no CSV says what is wrong without repeating a byte of it', async () => {
    const dir = tempDir();
    const store = TerminalStore.open({ dataDir: join(dir, 'data') });
    cleanups.unshift(() => store.close());
    const matcher = new FaceMatcher('fake', 4, { verifySimilarity: 0.5, identifySimilarity: 0.5 });
    const imports = join(dir, 'imports');
    mkdirSync(imports);
    const common = { store, pipeline: unreachable, matcher, roots: [imports] };
    writeFileSync(join(imports, 'passwd'), PASSWD);
    writeFileSync(join(imports, 'quoted.csv'), '"root"x:0:0,"a"\n');
    for (const csvPath of [join(imports, 'passwd'), join(imports, 'quoted.csv')]) {
      await assert.rejects(importCsv({ ...common, csvPath }), (error: Error) => {
        assert.ok(error instanceof CsvError, error.message);
        for (const word of ['root', 'bash', 'daemon', 'x:0']) assert.ok(!error.message.includes(word), `the error repeats "${word}": ${error.message}`);
        return true;
      });
    }
    // A CSV elsewhere is not read at all, and its photos must be inside the roots too.
    await assert.rejects(importCsv({ ...common, csvPath: '/etc/passwd' }), failsWith('outside-roots', /outside the import folders/));
    writeFileSync(join(imports, 'people.csv'), `id,name,photo\n1,Ann Lee,/etc/passwd\n2,Bo Chen,${join(imports, 'absent.jpg')}\n`);
    const report = await importCsv({ ...common, csvPath: join(imports, 'people.csv') });
    assert.deepEqual(
      report.results.map((result) => [result.status, /outside the import folders|no such file/.test(result.detail)]),
      [
        ['unreadable', true],
        ['unreadable', true],
      ],
    );
  });
});
