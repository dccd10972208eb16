// `lintel pad …` as an administrator runs it: a child process, judged by exit code and output.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

import { encodeJpeg } from '../vision/frame/decode.js';
import { packageRoot } from '../vision/models/paths.js';
import { siteCueFile } from '../vision/liveness/test/site-cue-file.js';
import { runLintel, type CliRun } from './test/run-lintel.js';

const LFW = join(packageRoot(), '..', 'shared', 'data', 'lfw-dev', 'images');
const HEADER = 'split,clip,label,support,species,light,person';

/** A refusal: exit 1, a `lintel: …` line matching `pattern` (after any progress lines), no stack trace. */
function assertRefused(run: CliRun, pattern: RegExp): void {
  const shown = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
  assert.equal(run.code, 1, shown);
  assert.match(run.stderr, /^lintel: /m, shown);
  assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+\)?\n/, shown);
  assert.match(run.stderr.slice(run.stderr.indexOf('lintel: ')), pattern, shown);
}


/** A cue over one colour feature: it needs no model, so any terminal can install it. */
const colourCue = siteCueFile();

describe('lintel pad', () => {
  let dir = '';
  let dataDir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-pad-cli-'));
    dataDir = join(dir, 'data');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a bad command line naming what is wrong', async () => {
    assertRefused(await runLintel(['pad']), /pad needs record, train, install <file> or remove/);
    assertRefused(await runLintel(['pad', 'train', '--data', dataDir]), /pad train needs --frames <dir> and --clips <clips\.csv>/);
    assertRefused(await runLintel(['pad', 'train', '--frames', dir, '--clips', 'x.csv', '--features', 'minifasnet-v2,iris', '--data', dataDir]), /--features: unknown iris \(known: minifasnet-v2, /);
    assertRefused(await runLintel(['pad', 'train', '--frames', dir, '--clips', join(dir, 'absent.csv'), '--data', dataDir]), /cannot read .*absent\.csv/);
    assertRefused(await runLintel(['pad', 'train', '--frames', dir, '--clips', 'x.csv', '--max-bpcer', '0.05', '--max-apcer', '0.05', '--data', dataDir]), /--max-bpcer or --max-apcer, not both/);
    assertRefused(await runLintel(['pad', 'train', '--frames', dir, '--clips', 'x.csv', '--max-apcer', '5', '--data', dataDir]), /--max-apcer takes a rate in \[0, 1\)/);
  });

  it('refuses recordings whose frames show no face, saying how many', async () => {
    const frames = join(dir, 'blank');
    const blank = await encodeJpeg({ widthPx: 320, heightPx: 240, data: new Uint8Array(320 * 240 * 3).fill(90) });
    const rows = [HEADER];
    for (const [clip, label, support, species] of [['a', 'bona-fide', 'none', 'bona-fide'], ['b', 'attack', 'hand', 'print']] as const) {
      mkdirSync(join(frames, 'site', clip), { recursive: true });
      for (let k = 0; k < 2; k++) writeFileSync(join(frames, 'site', clip, `frame_${k}.jpg`), blank);
      rows.push(`site,${clip},${label},${support},${species},desk,ann`);
    }
    writeFileSync(join(frames, 'clips.csv'), `${rows.join('\n')}\n`);
    const run = await runLintel(['pad', 'train', '--frames', frames, '--clips', join(frames, 'clips.csv'), '--split', 'site', '--features', 'colour-contrast', '--data', dataDir]);
    assertRefused(run, /4 of 4 frames without a face \(more than 10\.0 %\)/);
  });

  it('refuses too few genuine clips, on real faces', async (t: TestContext) => {
    if (!existsSync(LFW)) {
      t.skip(`LFW dev images missing under ${LFW}`);
      return;
    }
    const frames = join(dir, 'few');
    const rows = [HEADER];
    const people = readdirSync(LFW).sort().slice(0, 6);
    for (const [i, name] of people.entries()) {
      const [label, support, species] = i < 3 ? (['bona-fide', 'none', 'bona-fide'] as const) : (['attack', 'hand', 'print'] as const);
      mkdirSync(join(frames, 'site', name), { recursive: true });
      copyFileSync(join(LFW, name, readdirSync(join(LFW, name)).sort()[0]!), join(frames, 'site', name, 'frame_0.jpg'));
      rows.push(`site,${name},${label},${support},${species},desk,${name}`);
    }
    writeFileSync(join(frames, 'clips.csv'), `${rows.join('\n')}\n`);
    const run = await runLintel(['pad', 'train', '--frames', frames, '--clips', join(frames, 'clips.csv'), '--split', 'site', '--features', 'colour-contrast,colour-saturation', '--data', dataDir]);
    assertRefused(run, /3 bona-fide clips with a face: at least 20 are needed/);
    assert.match(run.stdout, /0 of 6 frames without a face/);
  });

  it('records clips from a camera into the layout pad train reads, and refuses a row it would refuse', async () => {
    const frames = join(dir, 'recorded');
    // The demo photos as a camera at 10 frames per second.
    const camera = `file:${join(packageRoot(), 'node_modules', '@vladmandic', 'face-api', 'demo')}?fps=10`;
    const record = (...more: string[]) => runLintel(['pad', 'record', '--camera', camera, '--frames', frames, '--span-ms', '400', '--person', 'ann', ...more]);
    const attack = await record('--label', 'attack', '--species', 'print', '--support', 'hand', '--clip', 'print-1');
    assert.equal(attack.code, 0, attack.stderr);
    assert.match(attack.stdout, /recorded site\/print-1: 5 frames over/);
    assert.deepEqual(readdirSync(join(frames, 'site', 'print-1')), ['frame_00000.jpg', 'frame_00001.jpg', 'frame_00002.jpg', 'frame_00003.jpg', 'frame_00004.jpg']);
    const genuine = await record('--label', 'bona-fide', '--clip', 'real-1', '--light', 'evening');
    assert.equal(genuine.code, 0, genuine.stderr);
    assert.equal(readFileSync(join(frames, 'clips.csv'), 'utf8'), `${HEADER}\nsite,print-1,attack,hand,print,site,ann\nsite,real-1,bona-fide,none,bona-fide,evening,ann\n`);
    assertRefused(await record('--label', 'attack', '--species', 'print', '--support', 'none', '--clip', 'print-2'), /support none does not fit species print/);
    assertRefused(await record('--label', 'attack', '--species', 'mask', '--support', 'hand'), /--species must be one of/);
    assertRefused(await record('--label', 'bona-fide', '--clip', 'real-1'), /real-1 exists: give another --clip/);
    assertRefused(await runLintel(['pad', 'record', '--camera', camera, '--frames', frames, '--label', 'bona-fide', '--clip', 'real-2']), /has a person column: give --person/);
    assert.equal(existsSync(join(frames, 'site', 'print-2')), false, 'a refused clip leaves no frames');
  });

  it('installs a good cue, refuses a tampered one leaving it in place, and removes it', async () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(colourCue));
    const installed = await runLintel(['pad', 'install', good, '--data', dataDir]);
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, /installed .*pad-cue\.json/);
    assert.match(installed.stdout, /out of fold at that threshold: BPCER 5\.0 %, worst APCER 10\.0 % \(print\/hand\)/);
    assert.match(installed.stdout, /no estimate for people the recordings do not show/);
    const withEstimate = join(dir, 'with-estimate.json');
    writeFileSync(withEstimate, JSON.stringify({ ...colourCue, provenance: { ...colourCue.provenance, heldOut: { ...colourCue.provenance.outOfFold, bpcer: 0.008, folds: 5, people: 12 } } }));
    const estimated = await runLintel(['pad', 'install', withEstimate, '--data', dataDir]);
    assert.equal(estimated.code, 0, estimated.stderr);
    assert.match(estimated.stdout, /expected on people the recordings do not show \(12 people in 5 folds, .*\): BPCER 0\.8 %, worst APCER 10\.0 % \(print\/hand\)/);
    assert.match(estimated.stdout, /above 5\.0 %: record more people \(12 now;/);
    assert.equal((await runLintel(['pad', 'install', good, '--data', dataDir])).code, 0);
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify({ ...colourCue, weights: [null] }));
    assertRefused(await runLintel(['pad', 'install', tampered, '--data', dataDir]), /not installed: .*tampered\.json: weights\.0/);
    assert.deepEqual(JSON.parse(readFileSync(join(dataDir, 'pad-cue.json'), 'utf8')), colourCue);
    const removed = await runLintel(['pad', 'remove', '--data', dataDir]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(existsSync(join(dataDir, 'pad-cue.json')), false);
    assertRefused(await runLintel(['pad', 'remove', '--data', dataDir]), /no site cue is installed/);
  });
});
