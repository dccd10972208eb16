import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { zipSync } from 'fflate';

import { unpackZipUpload, ZipUploadError } from './zip-upload.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A zip whose entry names are exactly `names` (fflate's object form would join path segments). */
function zipOf(files: Record<string, Uint8Array>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, data]) => [name, [data, { level: 0 }]])));
}

describe('unpackZipUpload', () => {
  const root = mkdtempSync(join(tmpdir(), 'lintel-zip-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const fresh = (): string => join(root, `upload-${n++}`);

  it('writes one folder per person; a single top folder around them is the root, junk is left out', async () => {
    const destination = fresh();
    const result = await unpackZipUpload(zipOf({ 'staff/Ann_Lee/1.jpg': bytes('a1'), 'staff/Ann_Lee/2.jpg': bytes('a2'), 'staff/Bo/1.png': bytes('b1'), '__MACOSX/staff/._x': bytes('junk'), 'staff/.DS_Store': bytes('junk') }), destination);
    assert.equal(result.files, 3);
    assert.deepEqual(readdirSync(destination).sort(), ['Ann_Lee', 'Bo']);
    assert.equal(readFileSync(join(destination, 'Ann_Lee', '2.jpg'), 'utf8'), 'a2');
  });

  it('keeps person folders at the top as they are', async () => {
    const destination = fresh();
    await unpackZipUpload(zipOf({ 'Ann/1.jpg': bytes('a'), 'Bo/1.jpg': bytes('b') }), destination);
    assert.deepEqual(readdirSync(destination).sort(), ['Ann', 'Bo']);
  });

  it('refuses names that leave the folder, and writes nothing', async () => {
    for (const name of ['../evil.jpg', 'Ann/../../evil.jpg', '/etc/evil.jpg', 'C:/evil.jpg', 'Ann\\..\\..\\evil.jpg']) {
      const destination = fresh();
      await assert.rejects(unpackZipUpload(zipOf({ 'Ann/1.jpg': bytes('a'), [name]: bytes('x') }), destination), (error) => error instanceof ZipUploadError && error.message.includes(name), name);
      assert.equal(existsSync(destination), false, `${name}: nothing written`);
    }
    assert.equal(existsSync(join(root, 'evil.jpg')), false);
  });

  it('refuses too many entries, too large an entry, too large a total, and what is no zip', async () => {
    const many = zipOf(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`Ann/${i}.jpg`, bytes('x')])));
    await assert.rejects(unpackZipUpload(many, fresh(), { maxEntries: 5 }), /more than 5 entries/);
    const big = zipSync({ 'Ann/big.jpg': [new Uint8Array(3 * 1024 * 1024), { level: 9 }] });
    await assert.rejects(unpackZipUpload(big, fresh(), { maxEntryBytes: 2 * 1024 * 1024 }), /Ann\/big\.jpg is larger than 2 MB unpacked/);
    await assert.rejects(unpackZipUpload(big, fresh(), { maxTotalBytes: 1024 * 1024 }), /unpacks to more than 1 MB/);
    await assert.rejects(unpackZipUpload(bytes('PK? not really'), fresh()), (error) => error instanceof ZipUploadError && /not a readable zip/.test(error.message));
  });

  it('refuses two entries that name one file', async () => {
    await assert.rejects(unpackZipUpload(zipOf({ 'Ann/1.jpg': bytes('a'), 'Ann\\1.jpg': bytes('b') }), fresh()), /in the zip twice/);
  });
});
