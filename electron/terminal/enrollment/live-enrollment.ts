import type { z } from 'zod';

import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { enrollmentFeedbackSchema, enrollmentHintSchema } from '../../shared/contract/schemas.js';
import type { AlignmentTemplate } from '../../vision/align/align-face.js';
import type { FaceTemplate } from '../../vision/extractor/face-extractor.js';
import type { RgbImage } from '../../vision/frame/rgb-image.js';
import type { BoxNorm } from '../../vision/geometry/point.js';
import type { AnalysedFace } from '../../vision/pipeline/face-pipeline.js';
import type { Camera, CameraFrame } from '../camera/camera.js';
import { jsPixelConverter } from '../inference/pixel-converter.js';
import type { SampleInput } from '../store/samples-repository.js';
import { findDuplicates, type DuplicateMatcher, type DuplicateWarning, type EnrollmentStore } from './duplicates.js';
import { gateHint, LIVE_ENROLLMENT_GATES, pickSubject, resolveGates, type EnrollmentGates } from './gates.js';
import { toSampleInput, type EnrollmentAnalyser } from './photo-sample.js';
import { youngChildOf, type YoungChildNotice } from '../../vision/age/young-child.js';

/** What the person in front of the camera should do; `ok` when the frame is usable. */
export type EnrollmentHint = z.output<typeof enrollmentHintSchema>;

/** Feedback on one processed frame, for the enrollment screen (the contract's enrollmentFeedbackSchema). */
export type EnrollmentFeedback = DeepReadonly<z.output<typeof enrollmentFeedbackSchema>>;

/** The per-frame work, so a session runs on the pipeline in-process, or on anything else that can do it. */
export interface FrameProcessor {
  /** Detects and judges every face, largest first (FacePipeline.analyse). */
  analyse(frame: CameraFrame): Promise<{ readonly faces: readonly AnalysedFace[] }>;
  /**
   * The template and aligned crop of one analysed face, the alignment that cut it and, where an age estimator
   * runs, the face's estimated age (FacePipeline.extract with `estimateAge`).
   */
  extract(
    frame: CameraFrame,
    face: AnalysedFace,
  ): Promise<{ readonly template: FaceTemplate; readonly alignedCrop: RgbImage; readonly alignment: AlignmentTemplate; readonly estimatedAgeYears?: number }>;
}

/** A FrameProcessor on an in-process pipeline (tests, benchmarks): each frame converted to RGB once, here. */
export function pipelineProcessor(pipeline: EnrollmentAnalyser): FrameProcessor {
  const images = new WeakMap<CameraFrame, RgbImage>();
  const rgbOf = (frame: CameraFrame): RgbImage => {
    const image = images.get(frame) ?? jsPixelConverter.toRgb(frame.pixels);
    images.set(frame, image);
    return image;
  };
  return {
    analyse: (frame) => pipeline.analyse(rgbOf(frame)),
    extract: (frame, face) => pipeline.extract(rgbOf(frame), face, { estimateAge: true }),
  };
}

/** Options of a live enrollment session. */
export interface LiveEnrollmentOptions {
  readonly processor: FrameProcessor;
  /** For the consistency and duplicate checks; its gallery must be attached to the store. */
  readonly matcher: DuplicateMatcher;
  /** Names the persons the duplicate check finds. */
  readonly persons: Pick<EnrollmentStore['persons'], 'get'>;
  /** Samples to collect; default 5. */
  readonly samplesWanted?: number;
  /** Overrides of LIVE_ENROLLMENT_GATES. */
  readonly gates?: Partial<EnrollmentGates>;
  /**
   * A frame whose template is at least this similar (cosine, -1..1) to the last sample's is a near-duplicate
   * unless `minSampleGapMs` have passed; default 0.995 (a 2-px shift of a still photo scores ~0.9996).
   */
  readonly maxSimilarityToLast?: number;
  /** Time after the last sample from which any usable frame is taken, ms; default 300. */
  readonly minSampleGapMs?: number;
}

/** The outcome of a session. */
export type LiveEnrollmentResult =
  | {
      readonly status: 'complete';
      /** Ready for `store.enrollPerson` (or `enrollSamples`, which repeats the duplicate check at write time). */
      readonly samples: readonly SampleInput[];
      /** Enrolled persons the samples identify as; the admin decides (see enrollSamples). */
      readonly duplicates: readonly DuplicateWarning[];
      /** Set when the samples look like a young child's (see youngChildOf). */
      readonly youngChild?: YoungChildNotice;
    }
  | { readonly status: 'cancelled' | 'ended'; readonly samplesTaken: number };

interface TakenSample {
  readonly sample: SampleInput;
  readonly timestampMs: number;
}

/**
 * Collects `samplesWanted` samples of one person from camera frames. Each frame gets feedback; a frame becomes
 * a sample when it holds exactly one face (a second face could be the one sampled next: no dominance rule
 * here, unlike photos), the face passes the gates, it verifies against the samples already taken, and it is
 * not a near-duplicate of the last sample: its template differs (similarity < maxSimilarityToLast) or
 * minSampleGapMs have passed, so the samples vary a little.
 */
export class LiveEnrollment {
  readonly samplesWanted: number;
  private readonly gates: EnrollmentGates;
  private readonly maxSimilarityToLast: number;
  private readonly minSampleGapMs: number;
  private taken: TakenSample[] = [];
  private current: 'collecting' | 'complete' | 'cancelled' = 'collecting';

  constructor(private readonly options: LiveEnrollmentOptions) {
    this.samplesWanted = options.samplesWanted ?? 5;
    if (!Number.isInteger(this.samplesWanted) || this.samplesWanted < 1 || this.samplesWanted > 50) {
      throw new RangeError(`samplesWanted must be a whole number 1..50, got ${this.samplesWanted}`);
    }
    this.gates = resolveGates(LIVE_ENROLLMENT_GATES, options.gates);
    this.maxSimilarityToLast = options.maxSimilarityToLast ?? 0.995;
    this.minSampleGapMs = options.minSampleGapMs ?? 300;
  }

  get state(): 'collecting' | 'complete' | 'cancelled' {
    return this.current;
  }

  get samplesTaken(): number {
    return this.taken.length;
  }

  /** Judges one frame and takes it as a sample when it qualifies; throws once the session is no longer collecting. */
  async processFrame(frame: CameraFrame): Promise<EnrollmentFeedback> {
    if (this.current !== 'collecting') throw new Error(`the enrollment session is ${this.current}`);
    const { faces } = await this.options.processor.analyse(frame);
    const choice = pickSubject(faces, Infinity);
    if (choice.kind === 'none') return this.feedback(frame, 'no-face');
    if (choice.kind === 'several') return this.feedback(frame, 'several-faces');
    const { face } = choice;
    const box = { faceBoxNorm: face.boxNorm };
    const hint = gateHint(face.quality, this.gates);
    if (hint !== null) return this.feedback(frame, hint, box);

    const extracted = await this.options.processor.extract(frame, face);
    // Cancelled while extracting: the frame's face must not be kept.
    if (this.current !== 'collecting') throw new Error(`the enrollment session is ${this.current}`);
    const { vector, modelId } = extracted.template;
    if (modelId !== this.options.matcher.modelId) throw new Error(`templates of ${modelId} cannot be checked against a matcher of ${this.options.matcher.modelId}`);
    const last = this.taken.at(-1);
    if (last) {
      const similarity = this.options.matcher.verify(vector, last.sample.template).similarity;
      if (similarity >= this.maxSimilarityToLast && frame.timestampMs - last.timestampMs < this.minSampleGapMs) {
        return this.feedback(frame, 'ok', { ...box, skipped: 'too-similar' });
      }
      // The best match over the samples so far, so one odd sample cannot lock the session out.
      if (!this.taken.some(({ sample }) => this.options.matcher.verify(vector, sample.template).match)) {
        return this.feedback(frame, 'ok', { ...box, skipped: 'other-person' });
      }
    }
    const sample = await toSampleInput(extracted, face.quality);
    if (this.current !== 'collecting') throw new Error(`the enrollment session is ${this.current}`);
    this.taken.push({ sample, timestampMs: frame.timestampMs });
    if (this.taken.length >= this.samplesWanted) this.current = 'complete';
    return this.feedback(frame, 'ok', { ...box, accepted: true });
  }

  /** The samples and the duplicate check, once complete. */
  result(): LiveEnrollmentResult {
    if (this.current === 'cancelled') return { status: 'cancelled', samplesTaken: 0 };
    if (this.current !== 'complete') return { status: 'ended', samplesTaken: this.taken.length };
    const samples = this.taken.map(({ sample }) => sample);
    const youngChild = youngChildOf(samples.map((sample) => sample.estimatedAgeYears));
    return { status: 'complete', samples, duplicates: findDuplicates(this.options.matcher, this.options.persons, samples), ...(youngChild ? { youngChild } : {}) };
  }

  /** Stops the session and drops the samples taken: faces of someone who did not finish are not kept. */
  cancel(): void {
    this.current = 'cancelled';
    this.taken = [];
  }

  private feedback(
    frame: CameraFrame,
    hint: EnrollmentHint,
    extra: { faceBoxNorm?: BoxNorm; accepted?: boolean; skipped?: EnrollmentFeedback['skipped'] } = {},
  ): EnrollmentFeedback {
    return {
      frameSeq: frame.seq,
      timestampMs: frame.timestampMs,
      hint,
      progress: this.taken.length / this.samplesWanted,
      samplesTaken: this.taken.length,
      samplesWanted: this.samplesWanted,
      ...extra,
      accepted: extra.accepted ?? false,
    };
  }
}

/** Options of runLiveEnrollment. */
export interface RunLiveEnrollmentOptions extends LiveEnrollmentOptions {
  /** Frames to judge, e.g. latestFrames(camera) or frames made from files in a test. */
  readonly frames: AsyncIterable<CameraFrame>;
  /** Called after every processed frame. */
  readonly onFeedback?: (feedback: EnrollmentFeedback) => void;
  /** Cancels the session: resolves 'cancelled' and drops the samples. */
  readonly signal?: AbortSignal;
}

/** Runs a session over a stream of frames until it completes, the stream ends or the signal cancels it. */
export async function runLiveEnrollment(options: RunLiveEnrollmentOptions): Promise<LiveEnrollmentResult> {
  const { signal } = options;
  const session = new LiveEnrollment(options);
  const iterator = options.frames[Symbol.asyncIterator]();
  let stopWaiting: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    stopWaiting = () => resolve('aborted');
    signal?.addEventListener('abort', stopWaiting, { once: true });
  });
  try {
    while (!signal?.aborted) {
      // Raced with the signal: a source with no new frame (a camera gone quiet) must not hold the cancel.
      const next = await Promise.race([iterator.next(), aborted]);
      if (next === 'aborted' || next.done) break;
      const feedback = await session.processFrame(next.value);
      if (signal?.aborted) break;
      options.onFeedback?.(feedback);
      if (session.state === 'complete') return session.result();
    }
    if (signal?.aborted) {
      session.cancel();
      return session.result();
    }
    return session.result();
  } finally {
    if (stopWaiting) signal?.removeEventListener('abort', stopWaiting);
    // Not awaited: a source blocked in next() finishes the return after it.
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/**
 * A camera's frames as an async stream of the newest one: a frame that arrives while the consumer is busy
 * replaces the one waiting, so a slow session skips frames instead of queueing them. Ends when the camera
 * stops or the signal aborts; unsubscribes when the consumer stops.
 */
export async function* latestFrames(camera: Pick<Camera, 'onFrame' | 'onState'>, signal?: AbortSignal): AsyncGenerator<CameraFrame, void, undefined> {
  let waiting: CameraFrame | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  const unsubscribeFrames = camera.onFrame((frame) => {
    waiting = frame;
    wake?.();
  });
  const unsubscribeState = camera.onState((state) => {
    if (state.status !== 'stopped') return;
    stopped = true;
    wake?.();
  });
  const onAbort = (): void => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      if (waiting === undefined && !stopped && !signal?.aborted) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (stopped || signal?.aborted) return;
      const frame = waiting;
      waiting = undefined;
      if (frame) yield frame;
    }
  } finally {
    unsubscribeFrames();
    unsubscribeState();
    signal?.removeEventListener('abort', onAbort);
  }
}
