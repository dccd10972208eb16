// What comes into a real `lintel serve` as files and text: photo uploads that are decompression bombs or formats
// the door does not take, imports pointed at the system's files or at a FIFO, and names with a NUL. Each is
// refused quickly, clearly, without memory to speak of and without repeating what a file holds.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import sharp from 'sharp';

import { LFW_IMAGES, lfwPhoto, missingPrerequisite, TerminalUnderTest } from '../support/terminal.js';
import { rssBytes } from './probe.js';

const MB = 1024 * 1024;
const skip = missingPrerequisite();
let terminal: TerminalUnderTest;
let imports: string;

before(async () => {
  if (skip) return;
  terminal = await TerminalUnderTest.start({ livenessMode: 'off' });
  await terminal.loginAsAdmin();
  // The data folder's imports/ is always an import folder; the terminal makes it, a test may come first.
  imports = join(terminal.dir, 'data', 'imports');
  mkdirSync(imports, { recursive: true });
});
after(async () => {
  await terminal?.stop();
});

type Answer = { ok: true; value: unknown } | { ok: false; code: string; message: string };

/** A call as the fixture's admin; a failed Result comes back as its code and message instead of a throw. */
async function answer(channel: string, request: unknown): Promise<Answer> {
  try {
    return { ok: true, value: await terminal.call(channel, request) };
  } catch (error) {
    const match = /^[a-z:-]+: ([a-z-]+): ([\s\S]*)$/.exec((error as Error).message);
    if (!match?.[1]) throw error;
    return { ok: false, code: match[1], message: match[2] ?? '' };
  }
}

/** Runs `work` while sampling the terminal's resident memory; the time it took and the growth at its peak. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; tookMs: number; rssBeforeBytes: number; rssPeakBytes: number }> {
  const pid = terminal.pid as number;
  const rssBeforeBytes = rssBytes(pid);
  let rssPeakBytes = rssBeforeBytes;
  const sampler = setInterval(() => (rssPeakBytes = Math.max(rssPeakBytes, rssBytes(pid))), 20);
  const startMs = performance.now();
  try {
    const result = await work();
    return { result, tookMs: performance.now() - startMs, rssBeforeBytes, rssPeakBytes: Math.max(rssPeakBytes, rssBytes(pid)) };
  } finally {
    clearInterval(sampler);
  }
}

const upload = (name: string, bytes: Uint8Array): { name: string; dataBase64: string } => ({ name, dataBase64: Buffer.from(bytes).toString('base64') });

/** A 16000 × 16000 JPEG of one colour: 1.5 MB that decodes to 768 MB. Made once (10 s of CPU) and kept in the temp folder. */
async function jpegBomb(): Promise<Buffer> {
  const path = join(tmpdir(), 'lintel-security-16000x16000.jpg');
  if (!existsSync(path) || statSync(path).size < 100_000) {
    await sharp({ create: { width: 16_000, height: 16_000, channels: 3, background: { r: 200, g: 180, b: 160 } } }).jpeg({ quality: 50 }).toFile(path);
  }
  return readFileSync(path);
}

/** Polls an import until it is no longer running, or `timeoutMs` passed; its last status either way. */
async function importSettled(importId: string, timeoutMs: number): Promise<{ state: string; persons: { status: string; detail: string }[]; failure?: string }> {
  const startMs = Date.now();
  for (;;) {
    const job = await terminal.call<{ state: string; persons: { status: string; detail: string }[]; failure?: string }>('import:status', { importId });
    if (job.state !== 'running' || Date.now() - startMs > timeoutMs) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a 16000 × 16000 JPEG enrollment photo is refused within 2 s, naming its size, with RSS growth under 200 MB', { skip }, async () => {
  const bomb = await jpegBomb();
  const { result, tookMs, rssBeforeBytes, rssPeakBytes } = await measured(() =>
    answer('enroll:photos', { person: { name: 'Bomb Photo' }, photos: [upload('huge.jpg', bomb)] }),
  );
  const growthMb = (rssPeakBytes - rssBeforeBytes) / MB;
  console.log(`16000² JPEG (${(bomb.length / MB).toFixed(1)} MB): answered in ${tookMs.toFixed(0)} ms, RSS ${(rssBeforeBytes / MB).toFixed(0)} → peak ${(rssPeakBytes / MB).toFixed(0)} MB (+${growthMb.toFixed(0)} MB)`);
  assert.ok(result.ok, JSON.stringify(result));
  const enrolled = result.value as { outcome: string; photos: { status: string; detail: string }[] };
  assert.equal(enrolled.outcome, 'refused');
  assert.equal(enrolled.photos[0]?.status, 'unreadable');
  assert.match(enrolled.photos[0]?.detail ?? '', /16000 × 16000 px \(256 MP\): photos of at most 40 MP/);
  assert.ok(tookMs < 2000, `refused after ${tookMs.toFixed(0)} ms`);
  assert.ok(growthMb < 200, `RSS grew ${growthMb.toFixed(0)} MB`);
});

test('an SVG, a TIFF and a GIF are refused naming the format; a 12 MP phone photo still enrolls', { skip }, async () => {
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="100%" height="100%"/></svg>');
  const solid = sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } });
  const photos = [upload('tiny.svg', svg), upload('scan.tif', await solid.clone().tiff().toBuffer()), upload('anim.gif', await solid.clone().gif().toBuffer())];
  const { result, tookMs } = await measured(() => answer('enroll:photos', { person: { name: 'Format Test' }, photos }));
  console.log(`SVG, TIFF, GIF refused in ${tookMs.toFixed(0)} ms`);
  assert.ok(result.ok, JSON.stringify(result));
  const refused = result.value as { outcome: string; photos: { status: string; detail: string }[] };
  assert.equal(refused.outcome, 'refused');
  assert.deepEqual(
    refused.photos.map((photo) => [photo.status, /(\w+) images are not taken: photos must be JPEG, PNG or WebP/.exec(photo.detail)?.[1]]),
    [
      ['unreadable', 'SVG'],
      ['unreadable', 'TIFF'],
      ['unreadable', 'GIF'],
    ],
  );

  // A phone's 4032 × 3024 picture of someone, as an administrator would pick it from a gallery.
  const face = await sharp(lfwPhoto('Colin_Powell', 1)).resize(1500, 1500).toBuffer();
  const phone = await sharp({ create: { width: 4032, height: 3024, channels: 3, background: '#404850' } })
    .composite([{ input: face, left: 1266, top: 762 }])
    .jpeg({ quality: 90 })
    .toBuffer();
  const enrolled = await measured(() => answer('enroll:photos', { person: { name: 'Colin Powell' }, photos: [upload('IMG_0001.jpg', phone)] }));
  console.log(`12 MP phone photo (${(phone.length / MB).toFixed(1)} MB): enrolled in ${enrolled.tookMs.toFixed(0)} ms, RSS +${((enrolled.rssPeakBytes - enrolled.rssBeforeBytes) / MB).toFixed(0)} MB`);
  assert.ok(enrolled.result.ok, JSON.stringify(enrolled.result));
  assert.equal((enrolled.result.value as { outcome: string }).outcome, 'enrolled', JSON.stringify(enrolled.result.value));
});

test('an import of /etc/passwd is refused without repeating a byte of it, inside the import folders or not', { skip }, async (t) => {
  if (!existsSync('/etc/passwd')) return t.skip('no /etc/passwd here');
  // What would betray the file: any of its lines, an account's `name:x:`, a home folder or a shell.
  const lines = readFileSync('/etc/passwd', 'utf8').split('\n').filter((line) => line.includes(':'));
  const words = [...lines, ...lines.map((line) => `${line.split(':')[0]}:x:`), ...lines.flatMap((line) => line.split(':').slice(5)).filter((path) => path.length >= 5)];
  const outside = await answer('import:start', { source: { kind: 'csv', path: '/etc/passwd' } });
  console.log(`import of /etc/passwd: ${JSON.stringify(outside)}`);
  assert.equal(outside.ok, false);
  assert.equal(outside.ok ? '' : outside.code, 'invalid-request');
  assert.match(outside.ok ? '' : outside.message, /outside the import folders/);
  for (const word of words) assert.ok(!JSON.stringify(outside).includes(word), `the answer repeats "${word}"`);

  // A copy inside the import folders is read, and is no CSV: the job fails saying why, in its own words only.
  writeFileSync(join(imports, 'passwd.csv'), readFileSync('/etc/passwd'));
  const started = await terminal.call<{ importId: string }>('import:start', { source: { kind: 'csv', path: join(imports, 'passwd.csv') } });
  const job = await importSettled(started.importId, 10_000);
  console.log(`import of a copy of /etc/passwd: ${job.state}: ${job.failure}`);
  assert.equal(job.state, 'failed');
  for (const word of words) assert.ok(!JSON.stringify(job).includes(word), `the job repeats "${word}"`);
});

test('an import reading a FIFO is not stuck on it, and import:cancel ends an import at once', { skip }, async (t) => {
  const fifo = join(imports, 'ann.jpg');
  try {
    execFileSync('mkfifo', [fifo]);
  } catch {
    return t.skip('mkfifo is not available here');
  }
  // Thirty real people, then the FIFO: a job that runs for seconds, cancelled while it does.
  const people = readdirSync(LFW_IMAGES).slice(0, 30);
  for (const name of people) copyFileSync(lfwPhoto(name, 1), join(imports, `${name}.jpg`));
  writeFileSync(join(imports, 'long.csv'), ['id,name,photo', ...people.map((name, index) => `p${index},${name.replace(/_/g, ' ')},${name}.jpg`), 'ann,Ann Lee,ann.jpg', ''].join('\n'));
  const long = await terminal.call<{ importId: string }>('import:start', { source: { kind: 'csv', path: join(imports, 'long.csv') } });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const cancelStartMs = performance.now();
  const cancelled = await terminal.call<{ state: string }>('import:cancel', { importId: long.importId });
  const afterCancel = await terminal.call<{ state: string; done: number; total: number }>('import:status', { importId: long.importId });
  console.log(`import cancelled after ${afterCancel.done}/${afterCancel.total} files: ${cancelled.state}, then ${afterCancel.state}, ${(performance.now() - cancelStartMs).toFixed(0)} ms`);
  assert.deepEqual([cancelled.state, afterCancel.state], ['aborted', 'aborted']);

  writeFileSync(join(imports, 'fifo.csv'), 'id,name,photo\nann,Ann Lee,ann.jpg\n');
  const started = await terminal.call<{ importId: string }>('import:start', { source: { kind: 'csv', path: join(imports, 'fifo.csv') } });
  const startMs = performance.now();
  const job = await importSettled(started.importId, 5_000);
  console.log(`import of a FIFO photo: ${job.state} in ${(performance.now() - startMs).toFixed(0)} ms; ${JSON.stringify(job.persons)}`);
  assert.equal(job.state, 'done', 'the import is stuck on the FIFO');
  assert.equal(job.persons[0]?.status, 'refused');
});

test('a NUL in a name answers invalid-request naming the field', { skip }, async () => {
  const created = await answer('persons:create', { name: 'Ann\u0000Lee' });
  console.log(`persons:create with a NUL: ${JSON.stringify(created)}`);
  assert.deepEqual(created.ok ? created : { code: created.code, field: /(^|: )name: /.test(created.message) }, { code: 'invalid-request', field: true });
  const enrolled = await answer('enroll:photos', { person: { name: 'Bo\u0000Chen' }, photos: [upload('a.jpg', readFileSync(lfwPhoto('Colin_Powell', 2)))] });
  assert.deepEqual(enrolled.ok ? enrolled : { code: enrolled.code, field: /person\.name: must not contain control characters/.test(enrolled.message) }, { code: 'invalid-request', field: true });
});

test('an uploaded zip that reaches outside the import folder, or unpacks to a bomb, is refused in words and leaves nothing', { skip }, async () => {
  const { zipSync } = await import('fflate');
  const photo = readFileSync(lfwPhoto('Colin_Powell', 1));
  const asZip = (files: Record<string, Uint8Array>, level: 0 | 9 = 0): string => Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([name, data]) => [name, [data, { level }]])))).toString('base64');
  const uploads = (): string[] => readdirSync(imports).filter((name) => name.startsWith('upload-'));

  const escaping = await answer('import:upload', { name: 'escape.zip', zipBase64: asZip({ 'Ann/1.jpg': photo, '../../escaped.jpg': photo }) });
  console.log(`zip with ../../escaped.jpg: ${JSON.stringify(escaping)}`);
  assert.deepEqual(escaping.ok ? escaping : { code: escaping.code, named: escaping.message.includes('../../escaped.jpg') }, { code: 'invalid-request', named: true });
  assert.equal(existsSync(join(terminal.dir, 'data', 'escaped.jpg')) || existsSync(join(terminal.dir, 'escaped.jpg')), false);

  // 48 MB of zeros is a few kB deflated; the entry's own size is checked before anything is inflated.
  const bomb = asZip({ 'Ann/1.jpg': photo, 'Ann/huge.jpg': new Uint8Array(48 * MB) }, 9);
  const { result, tookMs, rssBeforeBytes, rssPeakBytes } = await measured(() => answer('import:upload', { name: 'bomb.zip', zipBase64: bomb }));
  console.log(`zip bomb (${(bomb.length / 1024).toFixed(0)} kB as base64, 48 MB unpacked): ${JSON.stringify(result)} in ${tookMs.toFixed(0)} ms, RSS +${((rssPeakBytes - rssBeforeBytes) / MB).toFixed(1)} MB`);
  assert.equal(result.ok ? '' : result.code, 'invalid-request');
  assert.match(result.ok ? '' : result.message, /huge\.jpg is larger than 12 MB unpacked/);
  assert.ok(tookMs < 2_000, `refused in ${tookMs.toFixed(0)} ms`);
  assert.ok(rssPeakBytes - rssBeforeBytes < 100 * MB, `RSS grew ${((rssPeakBytes - rssBeforeBytes) / MB).toFixed(0)} MB`);
  assert.deepEqual(uploads(), [], 'no unpacked folder is left behind');

  // A good one is imported, and its folder goes once the import has ended.
  // Someone no earlier test enrolled (the FIFO test's CSV takes the first thirty).
  const stranger = readdirSync(LFW_IMAGES).at(-1) as string;
  const started = await terminal.call<{ importId: string; files: number }>('import:upload', { name: 'good.zip', zipBase64: asZip({ [`${stranger}/1.jpg`]: readFileSync(lfwPhoto(stranger, 1)) }) });
  assert.equal(started.files, 1);
  const job = await importSettled(started.importId, 30_000);
  assert.equal(job.state, 'done');
  assert.equal(job.persons[0]?.status, 'enrolled', JSON.stringify(job.persons));
  for (let i = 0; i < 20 && uploads().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(uploads(), [], 'the unpacked folder is removed after the import');
});
