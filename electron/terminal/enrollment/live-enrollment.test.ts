// Live enrollment: the session's rules on scripted frames (no models), then on frames made from real photos
// (LFW beside the checkout, face-api's demo group photo), from an async stream and through a FileCamera.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

import { decodeImageFile, encodePng } from '../../vision/frame/decode.js';
import { resizeBilinear } from '../../vision/frame/resize.js';
import { createRgbImage, type RgbImage } from '../../vision/frame/rgb-image.js';
import { FaceMatcher } from '../../vision/matcher/face-matcher.js';
import type { AnalysedFace, FacePipeline } from '../../vision/pipeline/face-pipeline.js';
import type { FaceQuality } from '../../vision/quality/face-quality.js';
import { CameraEvents, rgbCameraFrame, type CameraFrame } from '../camera/camera.js';
import { FileCamera } from '../camera/file-camera.js';
import { ARCFACE_ALIGNMENT } from '../store/test/test-helpers.js';
import { enrollSamples } from './duplicates.js';
import { latestFrames, LiveEnrollment, pipelineProcessor, runLiveEnrollment, type EnrollmentFeedback, type FrameProcessor } from './live-enrollment.js';
import { DEMO_DIR, flatImage, lfwPhoto, loadTestPipeline, makeTempDir, openStoreWithGallery, pasteScaled, scaleBrightness } from './test/helpers.js';

const GOOD: FaceQuality = { interOcularPx: 80, yawDeg: 2, pitchDeg: -4, rollDeg: 1, sharpness: 300, brightness: 120, contrast: 45, presence: 1, detectorScore: 0.95 };
const T0 = 1_700_000_000_000;

/** What the scripted processor reports for a frame: faces (their quality) and the template of the first. */
interface Script {
  readonly faces: readonly FaceQuality[];
  readonly vector?: Float32Array;
  /** The estimated age extraction reports, years; none when absent. */
  readonly ageYears?: number;
}

/** A FrameProcessor that answers from a script keyed by frame seq, so the session's rules can be tested without models. */
function scriptedProcessor(scripts: ReadonlyMap<number, Script>): FrameProcessor {
  const face = (quality: FaceQuality): AnalysedFace => ({ boxNorm: { x: 0.4, y: 0.3, width: 0.2, height: 0.3 }, fivePointsNorm: [], meshNorm: new Float32Array(0), quality });
  return {
    analyse: async (frame) => ({ faces: (scripts.get(frame.seq)?.faces ?? []).map(face) }),
    extract: async (frame) => {
      const script = scripts.get(frame.seq);
      const extracted = { template: { modelId: 'model-a', vector: script?.vector ?? new Float32Array(4) }, alignedCrop: flatImage(8, 8), alignment: ARCFACE_ALIGNMENT };
      return script?.ageYears === undefined ? extracted : { ...extracted, estimatedAgeYears: script.ageYears };
    },
  };
}

const unit = (...values: number[]): Float32Array => {
  const norm = Math.hypot(...values);
  return Float32Array.from(values.map((value) => value / norm));
};

const frameAt = (seq: number, timestampMs: number, image: RgbImage = createRgbImage(4, 4)): CameraFrame => rgbCameraFrame(seq, timestampMs, image);

async function* framesOf(frames: readonly CameraFrame[]): AsyncGenerator<CameraFrame> {
  yield* frames;
}

describe('LiveEnrollment rules (scripted frames)', () => {
  const matcher = new FaceMatcher('model-a', 4, { verifySimilarity: 0.9, identifySimilarity: 0.95 });
  const persons = { get: () => undefined };

  it('hints at what is wrong, and takes a usable frame only when it differs from the last sample or comes later', async () => {
    const a = unit(1, 0.1, 0, 0);
    const aAgain = unit(1, 0.1, 0.001, 0);
    const aTurned = unit(1, 0.2, 0.05, 0);
    const stranger = unit(0, 0, 1, 0);
    const scripts = new Map<number, Script>([
      [1, { faces: [] }],
      [2, { faces: [GOOD, GOOD] }],
      [3, { faces: [{ ...GOOD, interOcularPx: 20 }] }],
      [4, { faces: [{ ...GOOD, yawDeg: 25 }] }],
      [5, { faces: [{ ...GOOD, sharpness: 3 }] }],
      [6, { faces: [GOOD], vector: a }],
      [7, { faces: [GOOD], vector: aAgain }],
      [8, { faces: [GOOD], vector: aTurned }],
      [9, { faces: [GOOD], vector: stranger }],
      [10, { faces: [GOOD], vector: aAgain }],
    ]);
    const session = new LiveEnrollment({ processor: scriptedProcessor(scripts), matcher, persons, samplesWanted: 3 });
    const feedback: EnrollmentFeedback[] = [];
    for (const [seq, ms] of [[1, 0], [2, 100], [3, 200], [4, 300], [5, 400], [6, 500], [7, 600], [8, 650], [9, 1200], [10, 1250]] as const) {
      feedback.push(await session.processFrame(frameAt(seq, T0 + ms)));
    }
    assert.deepEqual(
      feedback.map((f) => [f.hint, f.accepted, f.skipped ?? '', f.samplesTaken]),
      [
        ['no-face', false, '', 0],
        ['several-faces', false, '', 0],
        ['come-closer', false, '', 0],
        ['look-at-camera', false, '', 0],
        ['hold-still', false, '', 0],
        ['ok', true, '', 1],
        // 100 ms later and nearly the same template: a near-duplicate.
        ['ok', false, 'too-similar', 1],
        // 150 ms after the sample, but the head moved: taken.
        ['ok', true, '', 2],
        ['ok', false, 'other-person', 2],
        // Nearly the first sample again, but 600 ms after the last one: taken.
        ['ok', true, '', 3],
      ],
    );
    assert.equal(feedback[2]?.faceBoxNorm?.width, 0.2, 'the one face is outlined even when it fails a gate');
    assert.equal(feedback[1]?.faceBoxNorm, undefined);
    assert.equal(feedback.at(-1)?.progress, 1);
    assert.equal(session.state, 'complete');
    const result = session.result();
    assert.ok(result.status === 'complete' && result.samples.length === 3 && result.duplicates.length === 0);
    assert.deepEqual(result.samples[1]?.template, aTurned);
    await assert.rejects(session.processFrame(frameAt(11, T0 + 2000)), /the enrollment session is complete/);
  });

  it('says when the samples look like a young child\'s: the median of their estimates', async () => {
    const run = async (ages: readonly number[]): Promise<unknown> => {
      const scripts = new Map<number, Script>(ages.map((ageYears, i) => [i + 1, { faces: [GOOD], vector: unit(1, (i + 1) / 10, 0, 0), ageYears }]));
      const session = new LiveEnrollment({ processor: scriptedProcessor(scripts), matcher, persons, samplesWanted: ages.length });
      for (const seq of scripts.keys()) await session.processFrame(frameAt(seq, T0 + seq * 1000));
      const result = session.result();
      assert.equal(result.status, 'complete');
      return result.status === 'complete' ? result.youngChild : 'incomplete';
    };
    assert.deepEqual(await run([2.5, 3.14, 40]), { estimatedAgeYears: 3.1 });
    assert.equal(await run([2.5, 30, 40]), undefined);
  });

  it('ends with the stream, cancels on the signal without keeping samples, and reads the newest camera frame only', async () => {
    const scripts = new Map<number, Script>([1, 2, 3, 4].map((seq) => [seq, { faces: [GOOD], vector: unit(1, seq / 10, 0, 0) }]));
    const processor = scriptedProcessor(scripts);
    const ended = await runLiveEnrollment({ processor, matcher, persons, frames: framesOf([frameAt(1, T0), frameAt(2, T0 + 400)]) });
    assert.deepEqual(ended, { status: 'ended', samplesTaken: 2 });

    const camera = new CameraEvents();
    const controller = new AbortController();
    const seen: number[] = [];
    const running = runLiveEnrollment({
      processor,
      matcher,
      persons,
      frames: latestFrames(camera, controller.signal),
      signal: controller.signal,
      onFeedback: (feedback) => {
        seen.push(feedback.frameSeq);
        // Two frames arrive while the first is being processed: only the newer one is processed next.
        if (feedback.frameSeq === 1) {
          camera.emitFrame(frameAt(2, T0 + 400));
          camera.emitFrame(frameAt(3, T0 + 800));
        }
      },
    });
    camera.emitFrame(frameAt(1, T0));
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    assert.deepEqual(await running, { status: 'cancelled', samplesTaken: 0 });
    assert.deepEqual(seen, [1, 3]);
  });

  it('refuses templates of another model than the matcher', async () => {
    const session = new LiveEnrollment({ processor: scriptedProcessor(new Map([[1, { faces: [GOOD], vector: unit(1, 0, 0, 0) }]])), matcher: new FaceMatcher('model-b', 4, matcher.thresholds), persons });
    await assert.rejects(session.processFrame(frameAt(1, T0)), /templates of model-a cannot be checked against a matcher of model-b/);
  });
});

describe('live enrollment on frames made from real photos', () => {
  let pipeline: FacePipeline | undefined;
  let missing = '';
  const cleanups: (() => void)[] = [];
  /** Colin Powell's LFW photos 1..12 at twice their size, as a closer camera would see him. */
  let goodFrames: RgbImage[] = [];
  let badFrames: { readonly expected: EnrollmentFeedback['hint']; readonly image: RgbImage }[] = [];

  before(async () => {
    ({ pipeline, missing } = await loadTestPipeline());
    if (!pipeline) return;
    const photos = await Promise.all(Array.from({ length: 12 }, (_, i) => decodeImageFile(lfwPhoto('Colin_Powell', i + 1))));
    goodFrames = photos.map((photo) => resizeBilinear(photo, 500, 500));
    const first = photos[0] as RgbImage;
    const group = await decodeImageFile(join(DEMO_DIR, 'sample1.jpg'));
    badFrames = [
      { expected: 'no-face', image: flatImage(500, 500) },
      // Half size on the same frame: about 18 px between the eyes.
      { expected: 'come-closer', image: pasteScaled(first, 0.5, 500, 500, 180, 180) },
      { expected: 'several-faces', image: resizeBilinear(group, 960, 640) },
      { expected: 'too-dark', image: scaleBrightness(goodFrames[0] as RgbImage, 0.3) },
    ];
  });

  after(async () => {
    await pipeline?.close();
    for (const cleanup of cleanups) cleanup();
  });

  function pipelineOrSkip(t: TestContext): FacePipeline | undefined {
    if (!pipeline) t.skip(missing);
    return pipeline;
  }

  /** The bad frames, then the good ones with the first repeated, 100 ms apart. */
  function sequence(): CameraFrame[] {
    const images = [...badFrames.map((frame) => frame.image), goodFrames[0] as RgbImage, ...goodFrames];
    return images.map((image, seq) => rgbCameraFrame(seq, T0 + seq * 100, image));
  }

  it('gives hints for bad frames, completes with 5 samples, enrolls them, and a second session names the enrolled person', async (t) => {
    const p = pipelineOrSkip(t);
    if (!p) return;
    const matcher = p.createMatcher();
    const store = openStoreWithGallery(makeTempDir((fn) => cleanups.push(fn)), matcher);
    t.after(() => store.close());
    const feedback: EnrollmentFeedback[] = [];
    const result = await runLiveEnrollment({ processor: pipelineProcessor(p), matcher, persons: store.persons, frames: framesOf(sequence()), onFeedback: (f) => feedback.push(f) });

    assert.deepEqual(feedback.slice(0, 4).map((f) => f.hint), badFrames.map((frame) => frame.expected));
    assert.equal(feedback[4]?.accepted, true);
    assert.deepEqual([feedback[5]?.hint, feedback[5]?.skipped], ['ok', 'too-similar'], 'the same photo 100 ms later is a near-duplicate');
    assert.ok(feedback[4]?.faceBoxNorm && feedback[4].faceBoxNorm.width > 0.2);
    assert.equal(result.status, 'complete', JSON.stringify(feedback.map((f) => [f.hint, f.skipped])));
    if (result.status !== 'complete') return;
    assert.equal(result.samples.length, 5);
    assert.deepEqual(result.duplicates, []);
    assert.deepEqual(feedback.filter((f) => f.accepted).map((f) => f.progress), [0.2, 0.4, 0.6, 0.8, 1]);
    for (const sample of result.samples) {
      assert.ok(sample.quality.interOcularPx >= 40 && Math.abs(sample.quality.yawDeg) <= 20, 'the live gates held');
      assert.equal(sample.alignedJpeg[0], 0xff);
    }

    const enrolled = enrollSamples({ store, matcher, person: { name: 'Colin Powell' }, samples: result.samples });
    assert.ok(enrolled.outcome === 'enrolled' && enrolled.sampleIds.length === 5);
    const again = await runLiveEnrollment({ processor: pipelineProcessor(p), matcher, persons: store.persons, frames: framesOf(sequence()) });
    assert.ok(again.status === 'complete');
    assert.equal(again.duplicates[0]?.name, 'Colin Powell');
    assert.equal(again.duplicates[0]?.sampleIndices.length, 5);
  });

  it('runs over a FileCamera through latestFrames, and cancels mid-way without keeping samples', async (t) => {
    const p = pipelineOrSkip(t);
    if (!p) return;
    const folder = makeTempDir((fn) => cleanups.push(fn));
    for (const [index, image] of goodFrames.slice(0, 8).entries()) writeFileSync(join(folder, `frame-${index}.png`), await encodePng(image));
    const matcher = p.createMatcher();
    const camera = new FileCamera({ path: folder, fps: 10 });
    await camera.start();
    t.after(() => camera.stop());
    const timeout = AbortSignal.timeout(30_000);
    const result = await runLiveEnrollment({ processor: pipelineProcessor(p), matcher, persons: { get: () => undefined }, frames: latestFrames(camera, timeout), signal: timeout });
    assert.equal(result.status, 'complete');

    const controller = new AbortController();
    const cancelled = await runLiveEnrollment({
      processor: pipelineProcessor(p),
      matcher,
      persons: { get: () => undefined },
      frames: latestFrames(camera, controller.signal),
      signal: controller.signal,
      onFeedback: (f) => (f.samplesTaken === 2 ? controller.abort() : undefined),
    });
    assert.deepEqual(cancelled, { status: 'cancelled', samplesTaken: 0 });
  });
});
