/**
 * `lintel pad record`: one clip for `lintel pad train`, from the terminal's camera — `--count` frames (5) spread
 * over `--span-ms` (3,200 ms, as the genuine clips the cue's measures were studied on) written as
 * `<frames>/<split>/<clip>/frame_NNNNN.jpg`, and its row appended to clips.csv (created with its header, and a
 * `person` column when `--person` is given).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { writeFileAtomic } from '../shared/write-file-atomic.js';
import { CameraUriError } from '../terminal/camera/camera-uri.js';
import type { CameraFrame } from '../terminal/camera/camera.js';
import { createCamera } from '../terminal/camera/create-camera.js';
import { encodeJpeg } from '../vision/frame/decode.js';
import { rawFrameToRgb } from '../vision/frame/raw-frame.js';
import { PAD_SPECIES, PAD_SUPPORTS, parseClipsCsv, PadProtocolError } from '../vision/liveness/pad-protocol.js';
import { DataCommandError } from './data-commands.js';

const write = (text: string): void => void process.stdout.write(`${text}\n`);
const HEADER = 'split,clip,label,support,species,light';
/** How long to wait for a camera's first frame, ms. */
const FIRST_FRAME_TIMEOUT_MS = 10_000;

const plainName = (value: string, option: string): string => {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) throw new DataCommandError(`--${option} must be a plain name (letters, digits, . _ -), got "${value}"`);
  return value;
};

/** The clips.csv text with the row appended, checked as `pad train` will read it. */
function appendRow(existing: string | undefined, row: readonly string[], withPerson: boolean, csvPath: string): string {
  const text = existing ?? `${HEADER}${withPerson ? ',person' : ''}\n`;
  const hasPerson = text.split(/\r?\n/, 1)[0]!.trim().endsWith(',person');
  if (hasPerson !== withPerson) throw new DataCommandError(hasPerson ? `${csvPath} has a person column: give --person` : `${csvPath} has no person column: record without --person, or start another clips.csv`);
  const next = `${text}${text.endsWith('\n') ? '' : '\n'}${row.join(',')}\n`;
  try {
    parseClipsCsv(next, csvPath);
  } catch (error) {
    if (error instanceof PadProtocolError) throw new DataCommandError(error.message);
    throw error;
  }
  return next;
}

/** Waits until the camera has delivered a frame newer than `afterSeq`. */
function nextFrame(latest: () => CameraFrame | undefined, afterSeq: number, timeoutMs: number): Promise<CameraFrame> {
  return new Promise((done, fail) => {
    const startMs = Date.now();
    const poll = (): void => {
      const frame = latest();
      if (frame && frame.seq > afterSeq) done(frame);
      else if (Date.now() - startMs > timeoutMs) fail(new DataCommandError(`the camera gave no frame within ${timeoutMs} ms`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

/**
 * `lintel pad record --camera <uri> --frames <dir> --label bona-fide|attack --species <s> --support <s>
 * [--clips <csv>] [--split site] [--clip <name>] [--light <name>] [--person <name>] [--count 5] [--span-ms 3200]`.
 */
export async function commandRecord(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      camera: { type: 'string' },
      frames: { type: 'string' },
      clips: { type: 'string' },
      split: { type: 'string', default: 'site' },
      clip: { type: 'string' },
      label: { type: 'string' },
      species: { type: 'string' },
      support: { type: 'string' },
      light: { type: 'string', default: 'site' },
      person: { type: 'string' },
      count: { type: 'string', default: '5' },
      'span-ms': { type: 'string', default: '3200' },
    },
  });
  if (!values.camera || !values.frames || !values.label) throw new DataCommandError('pad record needs --camera <uri>, --frames <dir> and --label bona-fide|attack');
  const label = values.label;
  if (label !== 'bona-fide' && label !== 'attack') throw new DataCommandError(`--label must be bona-fide or attack, got "${label}"`);
  const species = values.species ?? (label === 'bona-fide' ? 'bona-fide' : undefined);
  const support = values.support ?? (label === 'bona-fide' ? 'none' : undefined);
  if (!species || !(PAD_SPECIES as readonly string[]).includes(species)) throw new DataCommandError(`--species must be one of ${PAD_SPECIES.join(', ')}${species ? `, got "${species}"` : ''}`);
  if (!support || !(PAD_SUPPORTS as readonly string[]).includes(support)) throw new DataCommandError(`--support must be one of ${PAD_SUPPORTS.join(', ')}${support ? `, got "${support}"` : ''}`);
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 2 || count > 100) throw new DataCommandError(`--count must be a whole number 2–100, got "${values.count}"`);
  const spanMs = Number(values['span-ms']);
  if (!(spanMs >= 0 && spanMs <= 60_000)) throw new DataCommandError(`--span-ms must be 0–60000, got "${values['span-ms']}"`);
  const split = plainName(values.split!, 'split');
  const light = plainName(values.light!, 'light');
  const person = values.person === undefined ? undefined : plainName(values.person, 'person');
  const clip = plainName(values.clip ?? `${label === 'bona-fide' ? 'real' : `${species}-${support}`}${person ? `-${person}` : ''}-${new Date().toISOString().replace(/[:.]/g, '-')}`, 'clip');
  const framesDir = resolve(values.frames);
  const csvPath = resolve(values.clips ?? join(framesDir, 'clips.csv'));
  const clipDir = join(framesDir, split, clip);
  if (existsSync(clipDir)) throw new DataCommandError(`${clipDir} exists: give another --clip`);
  // Checked before the camera opens: a row pad train would refuse is not recorded.
  const existing = existsSync(csvPath) ? await readFile(csvPath, 'utf8') : undefined;
  const csv = appendRow(existing, [split, clip, label, support, species, light, ...(person ? [person] : [])], person !== undefined, csvPath);

  let camera;
  try {
    camera = createCamera(values.camera);
  } catch (error) {
    if (error instanceof CameraUriError) throw new DataCommandError(error.message);
    throw error;
  }
  const frames: CameraFrame[] = [];
  try {
    await camera.start();
    let seq = -1;
    const startMs = Date.now();
    for (let k = 0; k < count; k++) {
      const dueMs = startMs + (k * spanMs) / (count - 1);
      const waitMs = dueMs - Date.now();
      if (waitMs > 0) await new Promise((done) => setTimeout(done, waitMs));
      const frame = await nextFrame(() => camera.latest(), seq, FIRST_FRAME_TIMEOUT_MS);
      seq = frame.seq;
      frames.push(frame);
    }
  } finally {
    await camera.stop();
  }
  await mkdir(clipDir, { recursive: true });
  try {
    for (const [k, frame] of frames.entries()) {
      await writeFile(join(clipDir, `frame_${String(k).padStart(5, '0')}.jpg`), await encodeJpeg(rawFrameToRgb(frame.pixels), 95));
    }
    await writeFileAtomic(csvPath, csv);
  } catch (error) {
    await rm(clipDir, { recursive: true, force: true });
    throw error;
  }
  const spannedMs = (frames.at(-1)?.timestampMs ?? 0) - (frames[0]?.timestampMs ?? 0);
  write(`recorded ${split}/${clip}: ${frames.length} frames over ${(spannedMs / 1000).toFixed(1)} s, ${label} (${species}, ${support}) → ${clipDir}`);
  write(`row appended to ${csvPath}`);
  return 0;
}
