import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import sharp from 'sharp';

import type { CameraFrame, CameraState } from './camera.js';
import { FileCamera } from './file-camera.js';

const VIDEO_DIR = join(import.meta.dirname, '../../../../shared/data/video');
const WALKING_GIF = join(VIDEO_DIR, 'intel_face-demographics-walking.gif');

/** Collects frames until `count` arrived or `timeoutMs` passed. */
function collectFrames(camera: FileCamera, count: number, timeoutMs: number): Promise<CameraFrame[]> {
  return new Promise((resolve) => {
    const frames: CameraFrame[] = [];
    const timer = setTimeout(() => (unsubscribe(), resolve(frames)), timeoutMs);
    const unsubscribe = camera.onFrame((frame) => {
      frames.push(frame);
      if (frames.length >= count) {
        clearTimeout(timer);
        unsubscribe();
        resolve(frames);
      }
    });
  });
}

function waitForState(camera: FileCamera, status: CameraState['status'], timeoutMs: number): Promise<CameraState> {
  return new Promise((resolve, reject) => {
    if (camera.state.status === status) return resolve(camera.state);
    const timer = setTimeout(() => reject(new Error(`no "${status}" state within ${timeoutMs} ms (now ${camera.state.status})`)), timeoutMs);
    const unsubscribe = camera.onState((state) => {
      if (state.status !== status) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(state);
    });
  });
}

describe('FileCamera', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-file-camera-'));
    const folder = join(dir, 'photos');
    await mkdir(folder);
    // Three solid frames, told apart by their red channel.
    for (const [index, red] of [10, 120, 240].entries()) {
      await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: red, g: 0, b: 0 } } })
        .png()
        .toFile(join(folder, `frame-${index}.png`));
    }
    await writeFile(join(folder, 'broken.jpg'), 'not an image');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('plays a folder in name order at its rate, looping, skipping a broken file', async () => {
    const camera = new FileCamera({ path: join(dir, 'photos'), fps: 50 });
    const collected = collectFrames(camera, 7, 3000);
    const startMs = performance.now();
    await camera.start();
    const frames = await collected;
    const elapsedMs = performance.now() - startMs;
    await camera.stop();
    assert.equal(frames.length, 7);
    // The broken file sorts first ("broken.jpg") and is skipped: the loop is the three PNGs.
    assert.deepEqual(frames.map((frame) => frame.pixels.data[0]), [10, 120, 240, 10, 120, 240, 10]);
    assert.deepEqual(frames.map((frame) => frame.seq), [0, 1, 2, 3, 4, 5, 6]);
    // 7 frames at 50 fps take ~120 ms after the first (decoding comes before it); not "as fast as possible".
    assert.ok(elapsedMs >= 100, `7 frames came in ${elapsedMs.toFixed(0)} ms: faster than 50 fps`);
    assert.equal(camera.state.status, 'stopped');
  });

  it('plays an animated GIF at the rate its frame delays give', async (t) => {
    if (!existsSync(WALKING_GIF)) return t.skip(`sample videos absent at ${VIDEO_DIR}`);
    const camera = new FileCamera({ path: WALKING_GIF });
    await camera.start();
    const live = await waitForState(camera, 'live', 5000);
    const frames = await collectFrames(camera, 6, 5000);
    await camera.stop();
    assert.equal(frames.length, 6);
    assert.equal(frames[0]?.pixels.widthPx, 480);
    assert.equal(frames[0]?.pixels.heightPx, 270);
    // Intel's clips are 12 fps (80–90 ms delays).
    assert.ok(live.status === 'live' && live.fps > 10 && live.fps < 14, `fps ${JSON.stringify(live)}`);
    const gapsMs = frames.slice(1).map((frame, i) => frame.timestampMs - (frames[i] as CameraFrame).timestampMs);
    assert.ok(gapsMs.every((gap) => gap >= 60), `gaps ${gapsMs.join(', ')} ms`);
  });

  it('is offline with a reason while the source is missing, and recovers when it appears', async () => {
    const folder = join(dir, 'later');
    const camera = new FileCamera({ path: folder, fps: 20, retryDelayMs: 50 });
    await camera.start();
    const offline = await waitForState(camera, 'offline', 2000);
    assert.ok(offline.status === 'offline' && offline.reason.includes('does not exist'), JSON.stringify(offline));
    await mkdir(folder);
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().toFile(join(folder, 'a.jpg'));
    await waitForState(camera, 'live', 3000);
    assert.equal((await collectFrames(camera, 1, 2000)).length, 1);
    await camera.stop();
  });

  it('goes offline when its folder disappears while it plays, and live again when it is back', async () => {
    const folder = join(dir, 'pulled');
    await mkdir(folder);
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().toFile(join(folder, 'a.jpg'));
    const camera = new FileCamera({ path: folder, fps: 20, retryDelayMs: 50, watchIntervalMs: 50 });
    await camera.start();
    await waitForState(camera, 'live', 2000);
    await rm(folder, { recursive: true });
    const offline = await waitForState(camera, 'offline', 2000);
    assert.ok(offline.status === 'offline' && offline.reason === `${folder} disappeared`, JSON.stringify(offline));
    // No frame from memory while it is gone.
    assert.equal((await collectFrames(camera, 1, 300)).length, 0);
    await mkdir(folder);
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().toFile(join(folder, 'b.jpg'));
    await waitForState(camera, 'live', 3000);
    assert.equal((await collectFrames(camera, 1, 2000)).length, 1);
    await camera.stop();
  });

  it('reports a file it cannot play as offline, not as a crash', async () => {
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'hello');
    const camera = new FileCamera({ path, retryDelayMs: 10_000 });
    await camera.start();
    const state = await waitForState(camera, 'offline', 1000);
    await camera.stop();
    assert.ok(state.status === 'offline' && /notes\.txt is not a folder, image, animation or video/.test(state.reason), JSON.stringify(state));
  });
});
