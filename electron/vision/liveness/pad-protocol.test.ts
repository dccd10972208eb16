import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { PadProtocolError, parseClipsCsv, readPadProtocol } from './pad-protocol.js';

const HEADER = 'split,clip,label,support,species,light';

describe('pad protocol (clips.csv and frames)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lintel-pad-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('parses clips with their species key (species and support)', () => {
    const rows = parseClipsCsv(`${HEADER}\ndevel,a,attack,hand,print,adverse\ndevel,b,bona-fide,none,bona-fide,controlled\n\n`);
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.speciesKey, 'print/hand');
    assert.equal(rows[1]!.speciesKey, 'bona-fide');
    assert.equal(rows[1]!.label, 'bona-fide');
  });

  it('reads an optional person column, which must not be empty', () => {
    const rows = parseClipsCsv(`${HEADER},person\nsite,a,attack,hand,print,desk,ann\nsite,b,bona-fide,none,bona-fide,desk,bob\n`);
    assert.deepEqual(rows.map((row) => row.person), ['ann', 'bob']);
    assert.equal(parseClipsCsv(`${HEADER}\nsite,a,attack,hand,print,desk\n`)[0]!.person, undefined);
    assert.throws(() => parseClipsCsv(`${HEADER},person\nsite,a,attack,hand,print,desk,\n`), /line 2: person must not be empty/);
    assert.throws(() => parseClipsCsv(`${HEADER},person\nsite,a,attack,hand,print,desk\n`), /line 2: expected 7 comma-separated fields, got 6/);
  });

  it('names the line of a bad header, field count, species, contradiction or duplicate', () => {
    assert.throws(() => parseClipsCsv('split,clip,label\n'), /line 1: header must be/);
    assert.throws(() => parseClipsCsv(`${HEADER}\ndevel,a,attack,hand,print\n`), /line 2: expected 6 comma-separated fields, got 5/);
    assert.throws(() => parseClipsCsv(`${HEADER}\ndevel,a,attack,hand,mask,adverse\n`), /line 2: species must be one of/);
    assert.throws(() => parseClipsCsv(`${HEADER}\ndevel,a,attack,none,bona-fide,adverse\n`), /line 2: label attack contradicts species bona-fide/);
    assert.throws(() => parseClipsCsv(`${HEADER}\ndevel,a,attack,none,print,adverse\n`), /line 2: support none does not fit species print/);
    assert.throws(() => parseClipsCsv(`${HEADER}\ndevel,a,attack,hand,print,x\ndevel,a,attack,hand,print,x\n`), /line 3: clip devel\/a is listed twice/);
    assert.throws(() => parseClipsCsv(`${HEADER}\ndevel,../x,attack,hand,print,x\n`), /not a plain folder name/);
  });

  it('lists the frames of a split in name order, and names clips whose frames are missing', async () => {
    const csv = join(dir, 'clips.csv');
    writeFileSync(csv, `${HEADER}\ndevel,a,attack,hand,print,adverse\ndevel,b,bona-fide,none,bona-fide,controlled\ntrain,c,attack,fixed,phone-video,adverse\n`);
    mkdirSync(join(dir, 'devel', 'a'), { recursive: true });
    for (const name of ['frame_00050.jpg', 'frame_00000.jpg', 'notes.txt']) writeFileSync(join(dir, 'devel', 'a', name), '');
    await assert.rejects(readPadProtocol(csv, dir, 'devel'), (error: unknown) => {
      assert.ok(error instanceof PadProtocolError);
      assert.match(error.message, /frames missing for 1 of 2 clips of split "devel": no frames in .*devel\/b/);
      return true;
    });
    mkdirSync(join(dir, 'devel', 'b'));
    writeFileSync(join(dir, 'devel', 'b', 'frame_00000.jpg'), '');
    const clips = await readPadProtocol(csv, dir, 'devel');
    assert.deepEqual(clips[0]!.framePaths, [join(dir, 'devel', 'a', 'frame_00000.jpg'), join(dir, 'devel', 'a', 'frame_00050.jpg')]);
    await assert.rejects(readPadProtocol(csv, dir, 'test'), /has no clips in split "test"/);
    await assert.rejects(readPadProtocol(join(dir, 'absent.csv'), dir, 'devel'), /cannot read .*absent\.csv: ENOENT/);
  });
});
