import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { RgbImage } from '../frame/rgb-image.js';
import { syntheticObservation } from '../liveness/active/synthetic-face.js';
import {
  clipScores,
  combinationFeatures,
  combinationNeedsLandmarks,
  decodeLandmarks,
  detectionRates,
  encodeLandmarks,
  evaluateCombination,
  measureFrames,
  parseCombination,
  readPadCache,
  writePadCache,
  type PadFrameCache,
} from './pad-eval.js';
import type { FrameFaces, PadFeature, PadFrameMeasurer } from './pad-features.js';
import { readPadProtocol, type PadClip } from '../liveness/pad-protocol.js';

/** Per clip: two frames' MiniFASNetV2 scores and glare blobs; null = no face in that frame. */
const SCENES: Record<string, { split: string; label: string; support: string; species: string; v2: (number | null)[]; glare: number[] }> = {
  'train-bf1': { split: 'train', label: 'bona-fide', support: 'none', species: 'bona-fide', v2: [0.9, 0.9], glare: [0, 0] },
  'train-bf2': { split: 'train', label: 'bona-fide', support: 'none', species: 'bona-fide', v2: [0.6, 0.8], glare: [0, 0] },
  'train-a1': { split: 'train', label: 'attack', support: 'hand', species: 'print', v2: [0.6, 0.6], glare: [0, 0] },
  'train-a2': { split: 'train', label: 'attack', support: 'hand', species: 'print', v2: [0.95, 0.95], glare: [0.5, 0.5] },
  'devel-bf1': { split: 'devel', label: 'bona-fide', support: 'none', species: 'bona-fide', v2: [0.8, 0.8], glare: [0, 0] },
  'devel-bf2': { split: 'devel', label: 'bona-fide', support: 'none', species: 'bona-fide', v2: [0.5, 0.7], glare: [0, 0] },
  'devel-bf3': { split: 'devel', label: 'bona-fide', support: 'none', species: 'bona-fide', v2: [null, null], glare: [0, 0] },
  'devel-a1': { split: 'devel', label: 'attack', support: 'hand', species: 'print', v2: [0.7, 0.7], glare: [0, 0] },
  'devel-a2': { split: 'devel', label: 'attack', support: 'hand', species: 'print', v2: [0.99, 0.99], glare: [0.3, 0.3] },
};
const NAMES = Object.keys(SCENES);

/** Frames are "decoded" to a 1×1 image whose red byte says which clip and frame it is. */
const decode = async (framePath: string): Promise<RgbImage> => {
  const clip = NAMES.indexOf(framePath.split('/').at(-2)!);
  const frame = framePath.endsWith('frame_00001.jpg') ? 1 : 0;
  return { widthPx: 1, heightPx: 1, data: new Uint8Array([clip * 2 + frame, 0, 0]) };
};

/** A measurer reading SCENES, counting what it is asked. */
function fakeMeasurer(): PadFrameMeasurer & { calls: string[] } {
  const calls: string[] = [];
  const scene = (image: RgbImage): { v2: number | null; glare: number } => {
    const s = SCENES[NAMES[Math.floor(image.data[0]! / 2)]!]!;
    return { v2: s.v2[image.data[0]! % 2]!, glare: s.glare[image.data[0]! % 2]! };
  };
  return {
    calls,
    async faces(image): Promise<FrameFaces> {
      calls.push('faces');
      return scene(image).v2 === null ? { faceCount: 0 } : { faceCount: 1, meshBoxPx: { x: 0, y: 0, width: 1, height: 1 } };
    },
    async measure(feature: PadFeature, image) {
      calls.push(feature);
      const { v2, glare } = scene(image);
      if (feature === 'minifasnet-v2') return { value: v2!, durationMs: 10 };
      if (feature === 'glare-blob') return { value: glare, durationMs: 1 };
      throw new Error(`unexpected ${feature}`);
    },
    async close() {},
  };
}

describe('eval pad (combinations, thresholds from the other split, cache)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lintel-pad-eval-'));
  let train: PadClip[] = [];
  let devel: PadClip[] = [];
  const cache: PadFrameCache = { facesBy: 'fake', frames: {} };

  before(async () => {
    const lines = ['split,clip,label,support,species,light'];
    for (const [clip, s] of Object.entries(SCENES)) {
      lines.push(`${s.split},${clip},${s.label},${s.support},${s.species},controlled`);
      mkdirSync(join(dir, s.split, clip), { recursive: true });
      for (const frame of ['frame_00000.jpg', 'frame_00001.jpg']) writeFileSync(join(dir, s.split, clip, frame), '');
    }
    writeFileSync(join(dir, 'clips.csv'), `${lines.join('\n')}\n`);
    [train, devel] = await Promise.all([readPadProtocol(join(dir, 'clips.csv'), dir, 'train'), readPadProtocol(join(dir, 'clips.csv'), dir, 'devel')]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('measures each frame once, and only the features it lacks; frames without a face get no feature', async () => {
    const measurer = fakeMeasurer();
    const clips = [...train, ...devel];
    await measureFrames({ clips, framesDir: dir, features: ['minifasnet-v2'], cache, measurer, decode });
    assert.equal(measurer.calls.filter((c) => c === 'faces').length, 18);
    assert.equal(measurer.calls.filter((c) => c === 'minifasnet-v2').length, 16);
    measurer.calls.length = 0;
    await measureFrames({ clips, framesDir: dir, features: ['minifasnet-v2', 'glare-blob'], cache, measurer, decode });
    assert.deepEqual(measurer.calls, new Array(16).fill('glare-blob'));
    measurer.calls.length = 0;
    await measureFrames({ clips, framesDir: dir, features: ['minifasnet-v2', 'glare-blob'], cache, measurer, decode });
    assert.deepEqual(measurer.calls, []);
    const file = join(dir, 'cache', 'pad.json');
    await writePadCache(file, cache);
    assert.deepEqual(await readPadCache(file, 'fake'), cache);
    assert.deepEqual(await readPadCache(file, 'other models'), { facesBy: 'other models', frames: {} }, 'a cache of other face models is not reused');
  });

  it('chooses thresholds on train and reports devel; a veto only rejects', () => {
    const common = { reportClips: devel, thresholdClips: train, framesDir: dir, cache, reportSplit: 'devel', thresholdSplit: 'train', criterion: 'bpcer5' as const, frameRule: 'mean' as const };
    const alone = evaluateCombination({ ...common, combination: parseCombination('minifasnet-v2') });
    // Train's bona-fide clips score 0.9 and 0.7 (means of frames): BPCER ≤ 5 % of two allows none, so the
    // threshold goes halfway to the next lower score (the attack at 0.6).
    assert.ok(Math.abs(alone.threshold - 0.65) < 1e-12);
    assert.equal(alone.thresholdChosenOn, 'chosen on train (BPCER ≤ 5 %)');
    assert.equal(alone.bpcer, 1 / 2, 'devel-bf2 (0.6) is refused');
    assert.deepEqual(alone.apcerBySpecies, { 'print/hand': 1 });
    assert.equal(alone.counts.bonaFideNoResponse, 1, 'a clip without a face is a non-response');

    const vetoed = evaluateCombination({ ...common, combination: parseCombination('minifasnet-v2,glare') });
    assert.equal(vetoed.vetoThresholds.length, 1);
    assert.ok(Math.abs(vetoed.vetoThresholds[0]!.threshold - (1 / 1.5 + 1) / 2) < 1e-12);
    assert.equal(vetoed.vetoThresholds[0]!.bpcerWhereChosen, 0);
    assert.ok(Math.abs(vetoed.threshold - 0.65) < 1e-12);
    assert.equal(vetoed.bpcer, 1 / 2, 'the veto refuses no bona-fide clip');
    assert.deepEqual(vetoed.apcerBySpecies, { 'print/hand': 1 / 2 }, 'the glaring attack is refused whatever its score');
    assert.equal(vetoed.label, 'minifasnet-v2 + glare');
    assert.equal(vetoed.msPerFace, 11);

    // A veto at a given threshold (as the door runs it): above every glare score, so every clip with a face is refused.
    const door = evaluateCombination({ ...common, combination: parseCombination('minifasnet-v2, glare=1.5') });
    assert.deepEqual(door.vetoThresholds.map((v) => [v.check, v.threshold, v.bpcerWhereChosen]), [['glare', 1.5, 1]]);
    assert.equal(door.bpcer, 1);
    assert.deepEqual(door.apcerBySpecies, { 'print/hand': 0 });

    const given = evaluateCombination({ ...common, combination: parseCombination('minifasnet-v2'), fixedThreshold: 0.75 });
    assert.equal(given.threshold, 0.75);
    assert.equal(given.thresholdChosenOn, 'given (--threshold)');
  });

  it('counts faces found on bona-fide and attack frames apart', () => {
    assert.deepEqual(detectionRates(devel, dir, cache), { bonaFide: { frames: 6, withFace: 4, rate: 4 / 6 }, attack: { frames: 4, withFace: 4, rate: 1 } });
  });

  it('refuses unknown checks, naming the known ones', () => {
    assert.throws(() => parseCombination('minifasnet-v2,sparkle'), /no passive check "sparkle" \(known: .*glare/);
    assert.throws(() => parseCombination(' , '), /at least one check/);
    assert.throws(() => parseCombination('minifasnet-v2=0.8'), /only a veto takes its threshold/);
    assert.throws(() => parseCombination('minifasnet-v2,glare=high'), /glare=high: the veto's threshold after "=" must be a number/);
    assert.throws(() => parseCombination('minifasnet-v2,glare='), /must be a number/);
    assert.deepEqual(parseCombination('minifasnet-v2, motion, glare=0.9'), { primary: 'minifasnet-v2', vetoes: ['motion', 'glare'], givenVetoThresholds: { glare: 0.9 } });
    // A cue's path may hold "=": only a number after the last one is a threshold.
    assert.deepEqual(parseCombination('minifasnet-v2,linear:/site/a=b/cue.json'), { primary: 'minifasnet-v2', vetoes: ['linear:/site/a=b/cue.json'] });
    assert.deepEqual(parseCombination('minifasnet-v2,linear:/site/a=b/cue.json=0.4'), {
      primary: 'minifasnet-v2',
      vetoes: ['linear:/site/a=b/cue.json'],
      givenVetoThresholds: { 'linear:/site/a=b/cue.json': 0.4 },
    });
  });
});

describe('eval pad clip checks (landmarks cached, natural motion)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lintel-pad-motion-'));
  const FRAMES = ['frame_00000.jpg', 'frame_00050.jpg', 'frame_00101.jpg'];
  /** Per clip: three frames' yaws; a photo's plane turns (one homography), a face turns in 3-D and blinks. */
  const MOTION: Record<string, { split: string; label: string; support: string; species: string; kind: 'face' | 'photo'; yawsDeg: number[] }> = {
    'train-live': { split: 'train', label: 'bona-fide', support: 'none', species: 'bona-fide', kind: 'face', yawsDeg: [0, 4, 8] },
    'train-print': { split: 'train', label: 'attack', support: 'hand', species: 'print', kind: 'photo', yawsDeg: [0, 4, 8] },
  };
  const names = Object.keys(MOTION);
  const view = (image: RgbImage): { clip: (typeof MOTION)[string]; frame: number } => ({ clip: MOTION[names[image.data[0]!]!]!, frame: image.data[1]! });
  const decodeFrame = async (framePath: string): Promise<RgbImage> => {
    const [clip, frame] = framePath.split('/').slice(-2) as [string, string];
    return { widthPx: 1, heightPx: 1, data: new Uint8Array([names.indexOf(clip), FRAMES.indexOf(frame), 0]) };
  };
  const measurer = (withLandmarks: boolean): PadFrameMeasurer & { calls: string[] } => {
    const calls: string[] = [];
    return {
      calls,
      async faces(image) {
        calls.push('faces');
        const { clip, frame } = view(image);
        const o = syntheticObservation({ timestampMs: frame, yawDeg: clip.yawsDeg[frame]!, kind: clip.kind, eyeClosure: clip.kind === 'face' && frame === 1 ? 0.8 : 0 });
        return { faceCount: 1, meshBoxPx: { x: 0, y: 0, width: 1, height: 1 }, ...(withLandmarks ? { landmarks: { meshNorm: o.meshNorm, widthPx: o.widthPx, heightPx: o.heightPx } } : {}) };
      },
      async measure(feature) {
        calls.push(feature);
        return { value: 0.9, durationMs: 1 };
      },
      async close() {},
    };
  };
  let clips: PadClip[] = [];

  before(async () => {
    const lines = ['split,clip,label,support,species,light'];
    for (const [clip, s] of Object.entries(MOTION)) {
      lines.push(`${s.split},${clip},${s.label},${s.support},${s.species},controlled`);
      mkdirSync(join(dir, s.split, clip), { recursive: true });
      for (const frame of FRAMES) writeFileSync(join(dir, s.split, clip, frame), '');
    }
    writeFileSync(join(dir, 'clips.csv'), `${lines.join('\n')}\n`);
    clips = await readPadProtocol(join(dir, 'clips.csv'), dir, 'train');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('caches landmarks exactly; a cache made without them is completed only when a clip check asks, keeping its measures', async () => {
    const cache: PadFrameCache = { facesBy: 'fake', frames: {} };
    const old = measurer(false);
    await measureFrames({ clips, framesDir: dir, features: ['minifasnet-v2'], cache, measurer: old, decode: decodeFrame });
    assert.throws(() => clipScores(clips, dir, cache, 'motion', 'mean'), /no landmarks cached/);
    const current = measurer(true);
    await measureFrames({ clips, framesDir: dir, features: ['minifasnet-v2'], cache, measurer: current, decode: decodeFrame });
    assert.deepEqual(current.calls, [], 'frame checks alone do not need the landmarks');
    await measureFrames({ clips, framesDir: dir, features: ['minifasnet-v2'], landmarks: true, cache, measurer: current, decode: decodeFrame });
    assert.deepEqual(current.calls, new Array(6).fill('faces'), 'faces found again, MiniFASNet not run again');
    const record = cache.frames[join('train', 'train-live', FRAMES[1]!)]!;
    assert.equal(record.values['minifasnet-v2'], 0.9);
    const expected = syntheticObservation({ timestampMs: 1, yawDeg: 4, kind: 'face', eyeClosure: 0.8 }).meshNorm;
    assert.deepEqual(decodeLandmarks(record.landmarks!).meshNorm, expected);
    const file = join(dir, 'cache', 'pad.json');
    await writePadCache(file, cache);
    assert.deepEqual(await readPadCache(file, 'fake'), cache);
  });

  it('scores a clip check on the whole clip, whatever the frame rule, and names it in a combination', async () => {
    const cache: PadFrameCache = { facesBy: 'fake', frames: {} };
    await measureFrames({ clips, framesDir: dir, features: [], landmarks: true, cache, measurer: measurer(true), decode: decodeFrame });
    const [live, print] = clipScores(clips, dir, cache, 'motion-planarity', 'mean');
    assert.ok(live!.score! > 0.01, `live residual ${live!.score}`);
    assert.ok(print!.score! < 1e-4, `print residual ${print!.score}`);
    assert.deepEqual(clipScores(clips, dir, cache, 'motion', 'min'), clipScores(clips, dir, cache, 'motion', 'max'));
    assert.equal(combinationNeedsLandmarks(parseCombination('minifasnet-v2,motion')), true);
    assert.equal(combinationNeedsLandmarks(parseCombination('minifasnet-v2,glare')), false);
    assert.deepEqual(combinationFeatures(parseCombination('minifasnet-v2,motion')), ['minifasnet-v2']);
  });

  it('refuses damaged landmarks by their length', () => {
    assert.throws(() => decodeLandmarks({ widthPx: 1, heightPx: 1, meshNormBase64: Buffer.from([1, 2, 3]).toString('base64') }), /3 bytes/);
    const meshNorm = Float32Array.from([0.25, 0.5, -0.125]);
    assert.deepEqual(decodeLandmarks(encodeLandmarks({ meshNorm, widthPx: 4, heightPx: 3 })), { meshNorm, widthPx: 4, heightPx: 3 });
  });
});
