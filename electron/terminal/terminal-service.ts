import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';

import type { z } from 'zod';

import type { DeepReadonly } from '../shared/contract/handler.js';
import type { decisionEventSchema, serviceHealthSchema } from '../shared/contract/schemas.js';
import type { AlignmentTemplate } from '../vision/align/align-face.js';
import { FaceMatcher } from '../vision/matcher/face-matcher.js';
import type { IdentificationCurve } from '../vision/matcher/identification-curve.js';
import { loadManifest, preferredExtractorId, resolveModel } from '../vision/models/manifest.js';
import type { DecisionSettings } from '../shared/shapes/decision-settings.js';
import type { LivenessMode } from '../shared/shapes/liveness-policy.js';
import { DecisionPolicy, qualityHint, type AccessDecision, type LivenessCapabilities, type PersonAccess } from './access/decision-policy.js';
import { IdentifyThreshold, matchScoreOf, type IdentificationState } from './access/identify-threshold.js';
import { passiveMayBeAsked, SHIPPED_LIVENESS_MODE } from './access/liveness-policy.js';
import { TrackChallenges, type ChallengeOutcome, type ChallengePrompt } from './access/track-challenges.js';
import type { Camera, CameraFrame } from './camera/camera.js';
import { FaceTracker } from './inference/face-tracker.js';
import { InferenceClient } from './inference/inference-client.js';
import type { ProcessedFace, ProcessResult } from './inference/protocol.js';
import type { FrameProcessor } from './enrollment/live-enrollment.js';
import type { EnrollmentAnalyser } from './enrollment/photo-sample.js';
import type { TerminalStore } from './store/store.js';
import type { NpuOptions } from '../vision/backend/rknn-backend.js';
import { frameMeasuresOf } from '../vision/liveness/pad-frame-measures.js';
import type { SitePadCue } from '../vision/liveness/pad-linear.js';
import type { FaceQuality } from '../vision/quality/face-quality.js';
import type { PersonCredential } from './store/persons-repository.js';
import { readSitePadCue } from './models/site-pad-cue.js';

/** The window a trained cue with motion features is measured over where the manifest has no natural-motion cue, ms and frames. */
const DEFAULT_CUE_WINDOW_MS = 2400;
const DEFAULT_CUE_FRAMES = 5;
/**
 * A card's turn ends on the first frame after its time; without frames (a camera that stopped delivering) a timer
 * ends it this long after, so the card is still logged.
 */
const CARD_TIMER_SLACK_MS = 500;

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
  /**
   * 1:N acceptance threshold (cosine, -1..1) set by hand, instead of the one that follows the gallery
   * (`targetFpir`) or, without a curve, the extractor's fixed one.
   */
  readonly identifySimilarity?: number;
  /** Target false-positive identification rate per search, 0..1; the 1:N threshold follows it and the gallery size. Default 1e-3. */
  readonly targetFpir?: number;
  /** Which events keep a snapshot of the face; read at each decision. Default all. */
  readonly snapshots?: () => 'none' | 'denied' | 'all';
  /** Passive liveness model id; default the manifest's `defaults.passiveLiveness` model, where it is there. */
  readonly livenessModelId?: string;
  /** The NPU runtime and which builds to run; without it every model runs on the CPU. */
  readonly npu?: NpuOptions;
  /** Draws the active challenges' actions, 0..1; default a cryptographic source. */
  readonly challengeRandom?: () => number;
  /** Where the site's trained passive cue is installed (`<dataDir>/pad-cue.json`); none there, none runs. */
  readonly sitePadCueFile?: string;
}

/** One tracked face of a processed frame, for the live overlay. */
export interface TrackedFace extends ProcessedFace {
  readonly trackId: number;
  /** The person the face matches (identification threshold), if any. */
  readonly match?: { readonly personId: string; readonly name: string; readonly similarity: number; readonly matchScore?: number };
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

/** A decision as the service reports it: the policy's decision, its event id, and what it took (decisionEventSchema). */
export type DecisionEvent = DeepReadonly<z.output<typeof decisionEventSchema>>;

/** A track's active liveness challenge as it stands after a frame; null once it is dropped (the face left). */
export interface ChallengeUpdate {
  readonly trackId: number;
  readonly atMs: number;
  readonly prompt: ChallengePrompt | null;
}

/** Health figures for the status line and the system screen (the contract's serviceHealthSchema). */
export type TerminalHealth = DeepReadonly<z.output<typeof serviceHealthSchema>>;

/** What the liveness policy can run on this terminal, for health and the system screen. */
export type LivenessHealth = NonNullable<TerminalHealth['liveness']>;

/** The door waits for the face of a card just read (until `untilMs`, on the frames' clock), or no longer (null). */
export interface CardUpdate {
  readonly atMs: number;
  readonly waiting: { readonly untilMs: number } | null;
}

interface ServiceEvents {
  analysis: [FrameAnalysis];
  decision: [DecisionEvent];
  challenge: [ChallengeUpdate];
  card: [CardUpdate];
  error: [Error];
}

/**
 * A card read at the door's reader: the door compares the faces in view with the card holder's only, until the
 * holder is decided or `untilMs` passes. What came meanwhile decides how a turn without a decision ends.
 */
interface CardTurn {
  /** The card as read, for the events of its turn. */
  readonly credential: PersonCredential;
  readonly person: PersonAccess;
  readonly untilMs: number;
  /** Ends the turn when no frame comes to do it (a camera that stopped delivering). */
  readonly timer: NodeJS.Timeout;
  /** Usable faces compared with the card holder's template, and their best similarity. */
  comparedFaces: number;
  bestSimilarity: number | undefined;
}

/** A decision to record: the policy's, or a card's turn ending without a face to show for it (no track, no quality). */
type RecordedDecision = Omit<AccessDecision, 'trackId' | 'quality'> & {
  readonly trackId?: number;
  readonly quality?: FaceQuality;
  /** The card shown, on a card's decisions: logged with the event, never shown at the door. */
  readonly card?: PersonCredential;
};

/**
 * The door terminal: camera frames in, decisions out, everything stored. Frames go to the inference worker
 * (the newest only); faces are tracked, identified against the gallery the store keeps current, and handed to
 * the decision policy; each decision becomes an event in the store and goes to the sinks (door outputs).
 */
export class TerminalService extends EventEmitter<ServiceEvents> {
  /**
   * One track, one identity: a face whose template another person's (a stranger stepping into the place of
   * the person before) starts a new track, so its decision and event carry its own evidence and similarity.
   */
  private readonly tracker = new FaceTracker<ProcessedFace>({ sameFace: (earlier, current) => this.sameFace(earlier, current) });
  private readonly policy: DecisionPolicy;
  private readonly challenges: TrackChallenges;
  /** The template of the frame that identified each challenged track: the face the challenge must keep seeing. */
  private readonly identifyingTemplates = new Map<number, Float32Array>();
  /** Tracks whose challenge holds a grant that came with a card, and the card: the identity there was verified 1:1, not searched. */
  private readonly cardTracks = new Map<number, PersonCredential>();
  private card: CardTurn | undefined;
  private readonly background = new Set<Promise<void>>();
  private readonly processedAtMs: number[] = [];
  private lastTimingsMs: ProcessResult['timingsMs'] | undefined;
  private stopCamera: (() => void) | undefined;
  private currentCamera: Camera;
  private decisionSettings: DecisionSettings;
  private paused = false;
  /** Set by `stop`: no frame is submitted after it. */
  private stopping = false;

  private constructor(
    private readonly options: TerminalServiceOptions,
    private readonly inference: InferenceClient,
    readonly matcher: FaceMatcher,
    private readonly info: Awaited<ReturnType<InferenceClient['info']>>,
    private readonly liveness: {
      readonly defaultMode: LivenessMode;
      readonly passiveModelId: string | null;
      readonly passiveMinScore?: number;
      readonly passiveFailure?: string;
      readonly naturalMotion?: LivenessCapabilities['naturalMotion'];
      readonly trainedCue?: SitePadCue;
      readonly trainedCueFailure?: string;
    },
    /** The 1:N threshold the matcher reads at each search. */
    readonly identifyThreshold: IdentifyThreshold,
    /** The identification curve of every extractor the manifest has one for, by model id: match scores of any event. */
    readonly identificationCurves: ReadonlyMap<string, IdentificationCurve>,
  ) {
    super();
    this.decisionSettings = options.decisionSettings;
    this.currentCamera = options.camera;
    this.policy = new DecisionPolicy(options.decisionSettings, (id) => this.personAccess(id), {
      defaultMode: liveness.defaultMode,
      passiveAvailable: liveness.passiveModelId !== null,
      ...(liveness.passiveMinScore !== undefined ? { passiveMinScore: liveness.passiveMinScore } : {}),
      ...(liveness.naturalMotion ? { naturalMotion: liveness.naturalMotion } : {}),
      // A cue with motion features is measured over the natural-motion cue's window (as the clips it learnt from).
      ...(liveness.trainedCue
        ? { trainedCue: { model: liveness.trainedCue, windowMs: liveness.naturalMotion?.windowMs ?? DEFAULT_CUE_WINDOW_MS, frames: liveness.naturalMotion?.frames ?? DEFAULT_CUE_FRAMES } }
        : {}),
    });
    this.challenges = new TrackChallenges(options.challengeRandom ? { random: options.challengeRandom } : {});
  }

  static async start(options: TerminalServiceOptions): Promise<TerminalService> {
    const manifestPath = resolve(options.manifestPath);
    const loaded = await loadManifest(manifestPath, undefined, { addedModelsDir: options.addedModelsDir });
    // Checked before the worker starts: a wrong id in the settings is a readable error, not a worker crash.
    const extractorId = options.extractorId ?? preferredExtractorId(loaded);
    const extractor = resolveModel(loaded, extractorId).entry;
    if (extractor.decoding.kind !== 'embedding' || !extractor.thresholds) throw new Error(`model ${extractorId} is not an extractor`);
    // The passive model: the settings', else the manifest's passive check (MiniFASNet, which the administrator
    // adds). One that is not there (not added yet) leaves the door running the checks it can, and says so.
    const manifestPassive = loaded.manifest.defaults.passiveLiveness;
    let passiveModelId = options.livenessModelId ?? manifestPassive?.model ?? null;
    let passiveFailure: string | undefined;
    if (passiveModelId !== null) {
      try {
        resolveModel(loaded, passiveModelId);
      } catch (error) {
        passiveFailure = `${(error as Error).message}`;
        passiveModelId = null;
      }
    }
    const defaultMode = loaded.manifest.defaults.livenessMode ?? SHIPPED_LIVENESS_MODE;
    // The site's trained cue: a file that will not run (a model removed since) leaves the door without it, and says so.
    let trainedCue: SitePadCue | undefined;
    let trainedCueFailure: string | undefined;
    if (options.sitePadCueFile) {
      try {
        trainedCue = await readSitePadCue(options.sitePadCueFile, loaded);
      } catch (error) {
        trainedCueFailure = (error as Error).message;
      }
    }
    const padCueMeasures = trainedCue ? frameMeasuresOf(trainedCue.features) : [];
    const inference = await InferenceClient.start({
      config: {
        manifestPath,
        addedModelsDir: options.addedModelsDir,
        intraOpThreads: options.intraOpThreads,
        extractorId,
        ...(passiveModelId !== null ? { livenessModelId: passiveModelId } : {}),
        ...(options.npu ? { npu: options.npu } : {}),
        ...(padCueMeasures.length > 0 ? { padCueMeasures } : {}),
      },
    });
    const info = await inference.info();
    const curves = new Map<string, IdentificationCurve>();
    for (const [id, model] of Object.entries(loaded.manifest.models)) if (model.identification) curves.set(id, model.identification);
    // The threshold follows the gallery: counted again when the store's revision moves, read at each search, so
    // an enrollment, a deletion or an enabled person changes it without restarting the worker.
    const curve = curves.get(info.models.extractor);
    const identifyThreshold = new IdentifyThreshold({
      modelId: info.models.extractor,
      fixed: extractor.thresholds,
      ...(curve ? { curve } : {}),
      gallery: options.store,
      ...(options.targetFpir !== undefined ? { targetFpir: options.targetFpir } : {}),
      ...(options.identifySimilarity !== undefined ? { override: options.identifySimilarity } : {}),
    });
    const matcher = new FaceMatcher(info.models.extractor, extractor.decoding.size, extractor.thresholds, { identifySimilarity: () => identifyThreshold.similarity, ...(curve ? { curve } : {}) });
    options.store.attachGallery(info.models.extractor, matcher.gallery);
    const passiveMinScore = passiveModelId !== null && passiveModelId === manifestPassive?.model ? manifestPassive.minScore : undefined;
    const naturalMotion = manifestPassive?.naturalMotion;
    const livenessRun = {
      defaultMode,
      passiveModelId,
      ...(passiveMinScore !== undefined ? { passiveMinScore } : {}),
      ...(passiveFailure ? { passiveFailure } : {}),
      ...(naturalMotion ? { naturalMotion } : {}),
      ...(trainedCue ? { trainedCue } : {}),
      ...(trainedCueFailure ? { trainedCueFailure } : {}),
    };
    const service = new TerminalService(options, inference, matcher, info, livenessRun, identifyThreshold, curves);
    service.stopCamera = options.camera.onFrame((frame) => service.submit(frame));
    await options.camera.start();
    return service;
  }

  /** The 1:N threshold in force for the current gallery, and what it is expected to give (System screen). */
  identification(): IdentificationState {
    return this.identifyThreshold.state();
  }

  /** A new target FPIR per search (setting `recognition.targetFpir`), in force from the next search. */
  setTargetFpir(targetFpir: number): void {
    this.identifyThreshold.setTargetFpir(targetFpir);
  }

  /** The administrator's 1:N threshold (setting `recognition.identifySimilarity`), or undefined to follow the curve. */
  setIdentifyOverride(similarity: number | undefined): void {
    this.identifyThreshold.setOverride(similarity);
  }

  /** The 0–100 match score of a similarity made by `modelId` (null: no curve for it), for administrators. */
  matchScore(modelId: string | null | undefined, similarity: number | null | undefined): number | null {
    return matchScoreOf(this.identificationCurves, modelId, similarity);
  }

  /** Replaces the decision settings (admin screen). */
  updateDecisionSettings(settings: DecisionSettings): void {
    this.decisionSettings = settings;
    this.policy.updateSettings(settings);
  }

  /**
   * A card read at the door's reader (`atMs` on the wall clock, as frames are). A card nobody carries is denied at
   * once (`unknown-card`). Otherwise the faces in view are judged again, each compared with the card holder's
   * template only (the 1:1 threshold for the target FPIR), until the holder is decided — granted, or refused for
   * their state, hours or liveness — or `access.policy.credential.cardTimeoutMs` passes without it:
   * `card-face-mismatch` when usable faces came and none was theirs, `card-no-face` when none came. A holder without
   * a template of the running extractor is denied at once (`card-face-not-enrolled`), not after a turn no face could
   * pass and logged as a card in the wrong hands. A second card ends the first's turn the same way.
   */
  presentCard(credential: PersonCredential, atMs: number): void {
    if (this.stopping) return;
    if (this.card) this.endCardTurn(atMs);
    const person = this.options.store.persons.getByCredential(credential);
    if (!person) {
      this.track(this.record({ decidedAtMs: atMs, decision: 'denied', reason: 'unknown-card', card: credential }, undefined, undefined, 0));
      return;
    }
    if (!this.matcher.gallery.has(person.id)) {
      this.track(this.record({ decidedAtMs: atMs, decision: 'denied', reason: 'card-face-not-enrolled', person, card: credential }, undefined, undefined, 0));
      return;
    }
    const untilMs = atMs + this.decisionSettings.credential.cardTimeoutMs;
    const timer = setTimeout(() => {
      if (this.card?.timer === timer) this.endCardTurn(Math.max(untilMs, Date.now()));
    }, Math.max(0, untilMs - Date.now()) + CARD_TIMER_SLACK_MS);
    this.card = { credential, person, untilMs, timer, comparedFaces: 0, bestSimilarity: undefined };
    // A face already decided (refused for want of a card) is judged again, now against the card holder.
    this.policy.restartTracks();
    this.emit('card', { atMs, waiting: { untilMs } });
  }

  /** Ends the card's turn without a decision on its holder: the outcome is recorded, the faces in view judged afresh. */
  private endCardTurn(atMs: number): void {
    const card = this.card;
    if (!card) return;
    this.dropCard(atMs);
    const reason = card.comparedFaces > 0 ? 'card-face-mismatch' : 'card-no-face';
    this.track(
      this.record(
        { decidedAtMs: atMs, decision: 'denied', reason, person: card.person, card: card.credential, ...(card.bestSimilarity !== undefined ? { similarity: card.bestSimilarity } : {}) },
        undefined,
        undefined,
        0,
      ),
    );
  }

  /** Ends the card's turn, quietly: the faces in view are judged afresh, and the door stops asking for the face. */
  private dropCard(atMs: number): void {
    if (!this.card) return;
    clearTimeout(this.card.timer);
    this.card = undefined;
    this.policy.restartTracks({ undecidedOnly: true });
    this.emit('card', { atMs, waiting: null });
  }

  /**
   * While paused, frames are not analysed and no decision is taken: a live enrollment has the worker to
   * itself, and the person being enrolled does not fill the log with denials.
   */
  pause(paused: boolean): void {
    this.paused = paused;
    if (paused) for (const track of this.tracker.active) this.endTrack(track.id, Date.now());
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
    for (const track of this.tracker.clear()) this.endTrack(track.id, Date.now());
    this.currentCamera = camera;
    this.stopCamera = camera.onFrame((frame) => this.submit(frame));
    await camera.start();
  }

  /** The decision settings in force. */
  get settings(): DecisionSettings {
    return this.decisionSettings;
  }

  /** Enrollment's analysis of photos, run in the inference worker (never on this thread). */
  get analyser(): EnrollmentAnalyser {
    return { analyse: (image) => this.inference.analyse(image), extract: (image, face) => this.inference.extract(image, face) };
  }

  /** Live enrollment's analysis of camera frames, in the inference worker: each frame's pixels move there once. */
  get frameProcessor(): FrameProcessor {
    return { analyse: (frame) => this.inference.analyseFrame(frame), extract: (frame, face) => this.inference.extractFrame(frame, face) };
  }

  /** The template of a stored aligned crop, cut with `alignment`, by the service's extractor, in the worker (template rebuild). */
  embedAligned(crop: { readonly alignedJpeg: Uint8Array; readonly alignment: AlignmentTemplate }): Promise<Float32Array> {
    return this.inference.embedAligned(crop.alignedJpeg, crop.alignment);
  }

  /** The estimated age, years, of a stored aligned crop cut with `alignment`, in the worker (samples that have none yet). */
  estimateAgeAligned(crop: { readonly alignedJpeg: Uint8Array; readonly alignment: AlignmentTemplate }): Promise<number> {
    return this.inference.estimateAgeAligned(crop.alignedJpeg, crop.alignment);
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
      liveness: this.livenessHealth(),
      identification: this.identificationHealth(),
    };
  }

  /** Where the 1:N threshold comes from, with a note where it does not follow the gallery. */
  private identificationHealth(): NonNullable<TerminalHealth['identification']> {
    const { source, note } = this.identifyThreshold.state();
    return { source, ...(note ? { note } : {}) };
  }

  /** The site's liveness mode and whether the passive check the policy asks for runs. */
  livenessHealth(): LivenessHealth {
    const policy = this.decisionSettings.liveness;
    const mode = policy.mode ?? this.liveness.defaultMode;
    const { passiveModelId, passiveFailure, trainedCue, trainedCueFailure } = this.liveness;
    const modes = [mode, ...Object.values(policy.groups), ...policy.schedules.map((schedule) => schedule.mode)];
    const passiveAsked = modes.some((m) => m === 'passive' || m === 'passive+active');
    const cue = {
      ...(trainedCue
        ? {
            trainedCue: {
              trainedAt: trainedCue.provenance.trainedAt,
              features: [...trainedCue.features],
              threshold: trainedCue.threshold,
              clips: Object.values(trainedCue.provenance.clips).reduce((sum, count) => sum + count, 0),
              outOfFold: { ...trainedCue.provenance.outOfFold, apcerBySpecies: { ...trainedCue.provenance.outOfFold.apcerBySpecies } },
              ...(trainedCue.provenance.heldOut
                ? { heldOut: { ...trainedCue.provenance.heldOut, apcerBySpecies: { ...trainedCue.provenance.heldOut.apcerBySpecies } } }
                : {}),
            },
          }
        : {}),
      ...(trainedCueFailure ? { trainedCueUnavailable: trainedCueFailure } : {}),
    };
    if (!passiveAsked || passiveModelId !== null) return { mode, passiveModelId, ...cue };
    const why = passiveFailure ?? 'no passive liveness model is chosen (setting liveness.modelId)';
    return { mode, passiveModelId, passiveUnavailable: `${why}; the active challenge runs in its place`, ...cue };
  }

  /** Forgets a track: its policy state, and its challenge (the grant it held is withdrawn, no decision made). */
  private endTrack(trackId: number, atMs: number): void {
    this.policy.endTrack(trackId);
    this.identifyingTemplates.delete(trackId);
    this.cardTracks.delete(trackId);
    const held = this.challenges.drop(trackId);
    if (!held) return;
    this.policy.withdraw(held);
    this.emit('challenge', { trackId, atMs, prompt: null });
  }

  /** Whether two faces are the same person by the 1:1 threshold; undefined where either has no template. */
  private sameFace(earlier: ProcessedFace, current: ProcessedFace): boolean | undefined {
    if (!earlier.template || !current.template) return undefined;
    return this.matcher.verify(earlier.template, current.template).match;
  }

  private personAccess(personId: string): PersonAccess | undefined {
    const person = this.options.store.persons.get(personId);
    if (!person) return undefined;
    return this.options.store.samples.youngChildOf(personId) ? { ...person, youngChild: true } : person;
  }

  private submit(frame: CameraFrame): void {
    if (this.paused || this.stopping) return;
    const { minInterOcularPx, liveness, timeZone } = this.decisionSettings;
    const scorePassive = passiveMayBeAsked(liveness, frame.timestampMs, { ...(timeZone ? { timeZone } : {}), defaultMode: this.liveness.defaultMode });
    // Tracked: a frame already in the worker when `stop` begins is decided and recorded before the worker and
    // the store close, rather than failing against them.
    this.track(
      this.inference.submitLatest(frame, minInterOcularPx, scorePassive).then(
        async (result) => {
          if (result) await this.onResult(result).catch((error: Error) => this.emit('error', error));
        },
        (error: Error) => {
          this.emit('error', error);
        },
      ),
    );
  }

  private async onResult(result: ProcessResult): Promise<void> {
    this.lastTimingsMs = result.timingsMs;
    this.processedAtMs.push(Date.now());
    if (this.processedAtMs.length > 120) this.processedAtMs.splice(0, this.processedAtMs.length - 120);
    const atMs = result.timestampMs;
    const { tracks, ended } = this.tracker.update(result.faces, atMs);
    for (const track of ended) this.endTrack(track.id, atMs);
    if (this.card && atMs >= this.card.untilMs) this.endCardTurn(atMs);
    // Another face entering the view restarts every running challenge: the person asked is the one who does it.
    if (tracks.some((track) => track.hits === 1)) this.challenges.faceEntered(atMs);
    const faces: TrackedFace[] = [];
    const decisions: { decision: RecordedDecision; face: ProcessedFace; trackAgeMs: number; retrying?: boolean }[] = [];
    const challenged = new Set<number>();
    const settle = (outcome: ChallengeOutcome | undefined, face: ProcessedFace, trackAgeMs: number): void => {
      if (!outcome) return;
      const card = this.cardTracks.get(outcome.decision.trackId);
      if (outcome.kind === 'denied' && !outcome.retrying) this.policy.withdraw(outcome.held);
      if (!(outcome.kind === 'denied' && outcome.retrying)) {
        this.identifyingTemplates.delete(outcome.decision.trackId);
        this.cardTracks.delete(outcome.decision.trackId);
      }
      // A retry's prompt goes out with the others below; a final outcome's only here (the challenge is over).
      if (!(outcome.kind === 'denied' && outcome.retrying)) this.emit('challenge', { trackId: outcome.decision.trackId, atMs, prompt: outcome.prompt });
      const decision = card ? { ...outcome.decision, card } : outcome.decision;
      decisions.push({ decision, face, trackAgeMs, ...(outcome.kind === 'denied' && outcome.retrying ? { retrying: true } : {}) });
    };
    result.faces.forEach((face, index) => {
      const track = tracks[index];
      if (!track) return;
      // After a card, the face is compared with the card holder's only: nobody else is searched for.
      const card = this.card;
      const cardCheck = card && face.template ? this.matcher.verifyPerson(card.person.id, face.template, this.identifyThreshold.oneToOneSimilarity) : undefined;
      if (card && face.template && qualityHint(face.quality, this.decisionSettings) === null) {
        card.comparedFaces++;
        if (cardCheck) card.bestSimilarity = Math.max(card.bestSimilarity ?? -1, cardCheck.similarity);
      }
      const [hit] = card ? (cardCheck ? [{ id: card.person.id, ...cardCheck }] : []) : face.template ? this.matcher.identify(face.template) : [];
      // The overlay needs the name only: the policy's lookup (personAccess) reads the samples' ages too.
      const person = hit?.match ? this.options.store.persons.get(hit.id) : undefined;
      const matchScore = hit?.match && person ? this.matchScore(this.matcher.modelId, hit.similarity) : null;
      faces.push({
        ...face,
        trackId: track.id,
        ...(hit?.match && person ? { match: { personId: hit.id, name: person.name, similarity: hit.similarity, ...(matchScore !== null ? { matchScore } : {}) } } : {}),
      });
      const trackAgeMs = atMs - track.firstSeenMs;
      const mesh = { timestampMs: atMs, meshNorm: face.meshNorm, widthPx: result.widthPx, heightPx: result.heightPx };
      if (this.challenges.holds(track.id)) {
        // The challenge concerns the identity decided on this track: every frame with a template must still be
        // the face that was identified (same session, so a turned head still verifies), else it is another
        // person — a print swapped for a live face — who starts from the beginning.
        const identifying = this.identifyingTemplates.get(track.id);
        const sameFace = face.template && identifying ? this.matcher.verify(identifying, face.template).match : undefined;
        // A grant that came with a card was verified 1:1; a search naming someone else does not undo it.
        const namedOther = !this.cardTracks.has(track.id) && hit?.match && hit.id !== this.challenges.heldPersonId(track.id);
        if (sameFace === false || namedOther) {
          this.endTrack(track.id, atMs);
          return;
        }
        challenged.add(track.id);
        settle(this.challenges.observe(track.id, mesh, sameFace), face, trackAgeMs);
        return;
      }
      const decision = this.policy.observe({
        trackId: track.id,
        timestampMs: result.timestampMs,
        quality: face.quality,
        ...(hit?.match ? { match: { personId: hit.id, similarity: hit.similarity } } : {}),
        ...(hit ? { bestSimilarity: hit.similarity } : {}),
        ...(face.liveness !== undefined ? { liveness: face.liveness } : {}),
        mesh,
        ...(face.padValues ? { padValues: face.padValues } : {}),
        ...(card ? { claim: { personId: card.person.id } } : {}),
      });
      // The card holder is decided: the card's turn is over, and the other faces in view are judged afresh.
      if (card && decision?.person?.id === card.person.id) this.dropCard(atMs);
      if (decision?.pendingChallenge) {
        this.challenges.hold(decision, this.decisionSettings.liveness, atMs);
        if (card) this.cardTracks.set(track.id, card.credential);
        if (face.template) this.identifyingTemplates.set(track.id, face.template);
        challenged.add(track.id);
        settle(this.challenges.observe(track.id, mesh, face.template ? true : undefined), face, trackAgeMs);
      } else if (decision) {
        // A decision on the card holder is the card's: the event says which card.
        decisions.push({ decision: card && decision.person?.id === card.person.id ? { ...decision, card: card.credential } : decision, face, trackAgeMs });
      }
    });
    // Tracks with a challenge but no face in this frame: the clock runs on.
    for (const trackId of this.challenges.trackIds) {
      const track = this.tracker.active.find((candidate) => candidate.id === trackId);
      if (!challenged.has(trackId) && track) settle(this.challenges.tick(trackId, atMs), track.face, atMs - track.firstSeenMs);
    }
    for (const trackId of this.challenges.trackIds) {
      const prompt = this.challenges.prompt(trackId);
      if (prompt) this.emit('challenge', { trackId, atMs, prompt });
    }
    this.emit('analysis', { frameSeq: result.frameSeq, timestampMs: result.timestampMs, readyAtMs: Date.now(), widthPx: result.widthPx, heightPx: result.heightPx, faces, timingsMs: result.timingsMs });
    for (const { decision, face, trackAgeMs, retrying } of decisions) await this.record(decision, face, result.pixelsId, trackAgeMs, retrying);
  }

  /**
   * The event first (a grant on disk before the relay moves), then the door outputs, and the snapshot last: it
   * is cut and encoded in the inference worker, after the frame in progress there, and the door must not wait
   * for it. The snapshot is attached to the event once encoded, in the background.
   */
  private async record(decision: RecordedDecision, face: ProcessedFace | undefined, pixelsId: number | undefined, trackAgeMs: number, retrying?: boolean): Promise<void> {
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
      livenessCue: decision.livenessCue ?? null,
      card: decision.card ?? null,
      quality: decision.quality ?? null,
      snapshotJpeg: null,
    });
    // The card stays in the log: the door screen never says whose card was shown.
    const { card, ...shown } = decision;
    this.emit('decision', { ...shown, eventId, trackAgeMs, ...(retrying ? { retrying } : {}) });
    const event = {
      id: eventId,
      atMs: decision.decidedAtMs,
      decision: decision.decision,
      reason: decision.reason,
      ...(decision.person ? { personId: decision.person.id, personName: decision.person.name } : {}),
      ...(decision.similarity !== undefined ? { similarity: decision.similarity } : {}),
      ...(decision.livenessCue !== undefined ? { livenessCue: decision.livenessCue } : {}),
      ...(card ? { card } : {}),
    };
    // One failing output (an unreachable webhook) must not keep the door shut: each runs on its own.
    const opened = Promise.all((this.options.sinks ?? []).map((sink) => sink.open(event).catch((error: Error) => this.emit('error', error))));
    if (keepSnapshot && face && pixelsId !== undefined) this.track(this.attachSnapshot(eventId, face, pixelsId));
    await opened;
  }

  /** The snapshot is cut and encoded in the worker, from the decided frame it still holds: no pixels cross back. */
  private async attachSnapshot(eventId: number, face: ProcessedFace, pixelsId: number): Promise<void> {
    try {
      // The face with some margin, not the whole frame: enough to check an event, no more.
      this.options.store.events.attachSnapshot(eventId, await this.inference.snapshot(pixelsId, face.boxNorm, { marginRatio: 0.3, jpegQuality: 80 }));
    } catch (error) {
      this.emit('error', error as Error);
    }
  }

  /** Background work `stop` waits for, so nothing writes to the store after it closed. */
  private track(work: Promise<void>): void {
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.challenges.dropAll();
    this.identifyingTemplates.clear();
    this.cardTracks.clear();
    if (this.card) clearTimeout(this.card.timer);
    this.card = undefined;
    this.stopCamera?.();
    await this.currentCamera.stop();
    // Until none is left: a frame's record starts its snapshot's encode as more background work.
    while (this.background.size > 0) await Promise.all(this.background);
    this.options.store.detachGallery(this.matcher.gallery);
    await this.inference.close();
  }
}
