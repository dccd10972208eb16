import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';

import { encodeJpeg } from '../vision/frame/decode.js';
import { cropRgb } from '../vision/frame/rgb-image.js';
import { FaceMatcher } from '../vision/matcher/face-matcher.js';
import { loadManifest, preferredExtractorId, resolveModel } from '../vision/models/manifest.js';
import { DecisionPolicy, type AccessDecision, type DecisionSettings, type PersonAccess } from './access/decision-policy.js';
import type { Camera, CameraFrame, CameraState } from './camera/camera.js';
import { FaceTracker } from './inference/face-tracker.js';
import { InferenceClient } from './inference/inference-client.js';
import type { ProcessedFace, ProcessResult } from './inference/protocol.js';
import type { EnrollmentAnalyser } from './enrollment/photo-sample.js';
import type { TerminalStore } from './store/store.js';

/** Something that acts on a decision: a door relay, a webhook, a log. */
export interface DecisionSink {
  open(event: { id: number; atMs: number; decision: 'granted' | 'denied'; reason: string; personId?: string; personName?: string; similarity?: number }): Promise<unknown>;
}

/** Options of `TerminalService.start`. */
export interface TerminalServiceOptions {
  readonly store: TerminalStore;
  readonly camera: Camera;
  readonly manifestPath: string;
  readonly decisionSettings: DecisionSettings;
  readonly sinks?: readonly DecisionSink[];
  /** onnxruntime threads per model in the worker; default 1. */
  readonly intraOpThreads?: number;
  /** Extractor model id; default the manifest's preferred one that is present, else its default. */
  readonly extractorId?: string;
  /** Folder of the models an administrator added (`<dataDir>/models`); default none. */
  readonly addedModelsDir?: string;
  /** 1:N acceptance threshold (cosine, -1..1) instead of the extractor's own from the manifest. */
  readonly identifySimilarity?: number;
  /** Which events keep a snapshot of the face; read at each decision. Default all. */
  readonly snapshots?: () => 'none' | 'denied' | 'all';
  /** Passive liveness model id (the decision settings' `minLiveness` gates on it); default none. */
  readonly livenessModelId?: string;
  /** The NPU runtime and which builds to run; without it every model runs on the CPU. */
  readonly npu?: { readonly libraryPath: string; readonly precision?: 'int8' | 'fp16' };
}

/** One tracked face of a processed frame, for the live overlay. */
export interface TrackedFace extends ProcessedFace {
  readonly trackId: number;
  /** The person the face matches (identification threshold), if any. */
  readonly match?: { readonly personId: string; readonly name: string; readonly similarity: number };
}

/** What the live view draws for one processed frame. */
export interface FrameAnalysis {
  readonly frameSeq: number;
  readonly timestampMs: number;
  /** When the analysis was ready, ms since epoch: minus `timestampMs`, the overlay's lag. */
  readonly readyAtMs: number;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly faces: readonly TrackedFace[];
  readonly timingsMs: ProcessResult['timingsMs'];
}

/** A decision as the service reports it: the policy's decision, its event id, and what it took. */
export interface DecisionEvent extends AccessDecision {
  readonly eventId: number;
  /** From the first frame of the track to the decision, ms. */
  readonly trackAgeMs: number;
}

/** Health figures for the status line and the system screen. */
export interface TerminalHealth {
  readonly camera: CameraState;
  readonly models: { detector: string; fitter: string; extractor: string };
  readonly backend: string;
  /** Where each model runs (NPU or CPU), and why not on the NPU where it does not. */
  readonly engines: readonly { readonly modelId: string; readonly engine: string; readonly reason?: string }[];
  readonly processedFps: number;
  readonly framesProcessed: number;
  readonly framesDropped: number;
  readonly workerRestarts: number;
  readonly lastTimingsMs?: ProcessResult['timingsMs'];
}

interface ServiceEvents {
  analysis: [FrameAnalysis];
  decision: [DecisionEvent];
  error: [Error];
}

/**
 * The door terminal: camera frames in, decisions out, everything stored. Frames go to the inference worker
 * (the newest only); faces are tracked, identified against the gallery the store keeps current, and handed to
 * the decision policy; each decision becomes an event in the store and goes to the sinks (door outputs).
 */
export class TerminalService extends EventEmitter<ServiceEvents> {
  private readonly tracker = new FaceTracker<ProcessedFace>();
  private readonly policy: DecisionPolicy;
  private readonly inFlight = new Map<number, CameraFrame>();
  private readonly processedAtMs: number[] = [];
  private lastTimingsMs: ProcessResult['timingsMs'] | undefined;
  private stopCamera: (() => void) | undefined;
  private currentCamera: Camera;
  private decisionSettings: DecisionSettings;
  private paused = false;

  private constructor(
    private readonly options: TerminalServiceOptions,
    private readonly inference: InferenceClient,
    readonly matcher: FaceMatcher,
    private readonly info: Awaited<ReturnType<InferenceClient['info']>>,
  ) {
    super();
    this.decisionSettings = options.decisionSettings;
    this.currentCamera = options.camera;
    this.policy = new DecisionPolicy(options.decisionSettings, (id) => this.personAccess(id));
  }

  static async start(options: TerminalServiceOptions): Promise<TerminalService> {
    const manifestPath = resolve(options.manifestPath);
    const loaded = await loadManifest(manifestPath, undefined, { addedModelsDir: options.addedModelsDir });
    // Checked before the worker starts: a wrong id in the settings is a readable error, not a worker crash.
    const extractorId = options.extractorId ?? preferredExtractorId(loaded);
    const extractor = resolveModel(loaded, extractorId).entry;
    if (extractor.decoding.kind !== 'embedding' || !extractor.thresholds) throw new Error(`model ${extractorId} is not an extractor`);
    if (options.livenessModelId !== undefined) resolveModel(loaded, options.livenessModelId);
    const inference = await InferenceClient.start({
      config: { manifestPath, addedModelsDir: options.addedModelsDir, intraOpThreads: options.intraOpThreads, livenessModelId: options.livenessModelId, extractorId, ...(options.npu ? { npu: options.npu } : {}) },
    });
    const info = await inference.info();
    const thresholds = { ...extractor.thresholds, ...(options.identifySimilarity !== undefined ? { identifySimilarity: options.identifySimilarity } : {}) };
    const matcher = new FaceMatcher(info.models.extractor, extractor.decoding.size, thresholds);
    options.store.attachGallery(info.models.extractor, matcher.gallery);
    const service = new TerminalService(options, inference, matcher, info);
    service.stopCamera = options.camera.onFrame((frame) => service.submit(frame));
    await options.camera.start();
    return service;
  }

  /** Replaces the decision settings (admin screen). */
  updateDecisionSettings(settings: DecisionSettings): void {
    this.decisionSettings = settings;
    this.policy.updateSettings(settings);
  }

  /**
   * While paused, frames are not analysed and no decision is taken: a live enrollment has the worker to
   * itself, and the person being enrolled does not fill the log with denials.
   */
  pause(paused: boolean): void {
    this.paused = paused;
    if (paused) for (const track of this.tracker.active) this.policy.endTrack(track.id);
  }

  /** The camera the service reads. */
  get camera(): Camera {
    return this.currentCamera;
  }

  /**
   * Switches to another camera without restarting the models: the old one stops, every track ends (the
   * faces in front of a new camera are new people), and the new one starts.
   */
  async replaceCamera(camera: Camera): Promise<void> {
    this.stopCamera?.();
    await this.currentCamera.stop();
    for (const track of this.tracker.clear()) this.policy.endTrack(track.id);
    this.inFlight.clear();
    this.currentCamera = camera;
    this.stopCamera = camera.onFrame((frame) => this.submit(frame));
    await camera.start();
  }

  /** The decision settings in force. */
  get settings(): DecisionSettings {
    return this.decisionSettings;
  }

  /** Enrollment's analysis, run in the inference worker (never on this thread). */
  get analyser(): EnrollmentAnalyser {
    return { analyse: (image) => this.inference.analyse(image), extract: (image, face) => this.inference.extract(image, face) };
  }

  /** The template of a stored aligned crop by the service's extractor, in the worker (template rebuild). */
  embedAligned(alignedJpeg: Uint8Array): Promise<Float32Array> {
    return this.inference.embedAligned(alignedJpeg);
  }

  health(): TerminalHealth {
    const now = Date.now();
    const recent = this.processedAtMs.filter((at) => now - at <= 2000);
    return {
      camera: this.currentCamera.state,
      models: this.info.models,
      backend: this.info.backend,
      engines: this.info.engines,
      processedFps: recent.length / 2,
      ...this.inference.stats,
      ...(this.lastTimingsMs ? { lastTimingsMs: this.lastTimingsMs } : {}),
    };
  }

  private personAccess(personId: string): PersonAccess | undefined {
    return this.options.store.persons.get(personId) ?? undefined;
  }

  private submit(frame: CameraFrame): void {
    if (this.paused) return;
    this.inFlight.set(frame.seq, frame);
    const minInterOcularPx = this.decisionSettings.minInterOcularPx;
    this.inference.submitLatest(frame, minInterOcularPx).then(
      (result) => {
        this.inFlight.delete(frame.seq);
        if (result) this.onResult(result, frame).catch((error: Error) => this.emit('error', error));
      },
      (error: Error) => {
        this.inFlight.delete(frame.seq);
        this.emit('error', error);
      },
    );
  }

  private async onResult(result: ProcessResult, frame: CameraFrame): Promise<void> {
    this.lastTimingsMs = result.timingsMs;
    this.processedAtMs.push(Date.now());
    if (this.processedAtMs.length > 120) this.processedAtMs.splice(0, this.processedAtMs.length - 120);
    const { tracks, ended } = this.tracker.update(result.faces, result.timestampMs);
    for (const track of ended) this.policy.endTrack(track.id);
    const faces: TrackedFace[] = [];
    const decisions: { decision: AccessDecision; face: ProcessedFace; trackAgeMs: number }[] = [];
    result.faces.forEach((face, index) => {
      const track = tracks[index];
      if (!track) return;
      const [hit] = face.template ? this.matcher.identify(face.template) : [];
      const person = hit?.match ? this.personAccess(hit.id) : undefined;
      faces.push({ ...face, trackId: track.id, ...(hit?.match && person ? { match: { personId: hit.id, name: person.name, similarity: hit.similarity } } : {}) });
      const decision = this.policy.observe({
        trackId: track.id,
        timestampMs: result.timestampMs,
        quality: face.quality,
        ...(hit?.match ? { match: { personId: hit.id, similarity: hit.similarity } } : {}),
        ...(hit ? { bestSimilarity: hit.similarity } : {}),
        ...(face.liveness !== undefined ? { liveness: face.liveness } : {}),
      });
      if (decision) decisions.push({ decision, face, trackAgeMs: result.timestampMs - track.firstSeenMs });
    });
    this.emit('analysis', { frameSeq: result.frameSeq, timestampMs: result.timestampMs, readyAtMs: Date.now(), widthPx: result.widthPx, heightPx: result.heightPx, faces, timingsMs: result.timingsMs });
    for (const { decision, face, trackAgeMs } of decisions) await this.record(decision, face, frame, trackAgeMs);
  }

  private async record(decision: AccessDecision, face: ProcessedFace, frame: CameraFrame, trackAgeMs: number): Promise<void> {
    const { widthPx, heightPx } = frame.image;
    const box = face.boxNorm;
    // The snapshot shows the face with some margin, not the whole frame: enough to check an event, no more.
    const margin = 0.3;
    const snapshot = cropRgb(frame.image, {
      x: Math.max(0, (box.x - box.width * margin) * widthPx),
      y: Math.max(0, (box.y - box.height * margin) * heightPx),
      width: Math.min(widthPx, box.width * (1 + 2 * margin) * widthPx),
      height: Math.min(heightPx, box.height * (1 + 2 * margin) * heightPx),
    });
    const policy = this.options.snapshots?.() ?? 'all';
    const keepSnapshot = policy === 'all' || (policy === 'denied' && decision.decision === 'denied');
    const eventId = this.options.store.events.append({
      atMs: decision.decidedAtMs,
      decision: decision.decision,
      reason: decision.reason,
      personId: decision.person?.id ?? null,
      modelId: this.matcher.modelId,
      similarity: decision.similarity ?? null,
      livenessScore: decision.liveness ?? null,
      quality: decision.quality,
      snapshotJpeg: keepSnapshot ? await encodeJpeg(snapshot, 80) : null,
    });
    this.emit('decision', { ...decision, eventId, trackAgeMs });
    const event = {
      id: eventId,
      atMs: decision.decidedAtMs,
      decision: decision.decision,
      reason: decision.reason,
      ...(decision.person ? { personId: decision.person.id, personName: decision.person.name } : {}),
      ...(decision.similarity !== undefined ? { similarity: decision.similarity } : {}),
    };
    // One failing output (an unreachable webhook) must not keep the door shut: each runs on its own.
    await Promise.all((this.options.sinks ?? []).map((sink) => sink.open(event).catch((error: Error) => this.emit('error', error))));
  }

  async stop(): Promise<void> {
    this.stopCamera?.();
    await this.currentCamera.stop();
    this.options.store.detachGallery(this.matcher.gallery);
    await this.inference.close();
  }
}
