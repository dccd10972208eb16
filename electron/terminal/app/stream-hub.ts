import type { StreamMessage, StreamMessageOf } from '../../shared/contract/streams.js';
import type { DecisionSettings } from '../../shared/shapes/decision-settings.js';
import { qualityHint } from '../access/decision-policy.js';
import { copyOf, type CameraFrame } from '../camera/camera.js';
import { PreviewEncoder } from '../camera/preview-encoder.js';
import type { EnrollmentFeedback } from '../enrollment/live-enrollment.js';
import type { CardUpdate, ChallengeUpdate, DecisionEvent, FrameAnalysis, TerminalHealth } from '../terminal-service.js';
import type { PanelIndication } from '../door/osdp/indicators.js';
import type { EnrollmentEnded } from './live-enrollments.js';

/** Options of the stream hub. */
export interface StreamHubOptions {
  /** Widest preview frame sent, px; default 640 (the kiosk's live view needs no more). */
  readonly previewWidthPx?: number;
  /** Most preview frames a second; default 15. */
  readonly previewFps?: number;
  /** JPEG quality of preview frames, 1..100; default 70. */
  readonly previewJpegQuality?: number;
  /** Makes the preview JPEGs; default one on a worker thread of its own. */
  readonly previewEncoder?: PreviewEncoder;
}

type Listener = (message: StreamMessage) => void;

/**
 * Turns the service's frames, analyses, decisions, health and enrollment feedback into the contract's stream
 * messages, for every subscriber (the kiosk window, browsers). Preview JPEGs are made only while someone
 * listens, at most `previewFps` a second, one at a time: an encode still running when the next frame comes
 * skips that frame rather than queueing it. They are made on the preview worker from a copy of the camera's
 * pixels as delivered (the frame itself goes to the inference worker): this thread neither converts nor encodes. Sequence numbers of frames continue across camera restarts, so a
 * consumer's "newest only" rule never mistakes a new camera's frames for stale ones.
 */
export class StreamHub {
  private readonly listeners = new Set<Listener>();
  private readonly previewWidthPx: number;
  private readonly minFrameGapMs: number;
  private readonly jpegQuality: number;
  private readonly encoder: PreviewEncoder;
  private encoding = false;
  private lastFrameSentAtMs = 0;
  /** Added to camera sequence numbers; raised past the last one when the camera is replaced. */
  private frameSeqBase = 0;
  private lastFrameSeq = -1;
  private readonly seqByKind = new Map<StreamMessage['kind'], number>();

  constructor(options: StreamHubOptions = {}) {
    this.previewWidthPx = options.previewWidthPx ?? 640;
    this.minFrameGapMs = 1000 / (options.previewFps ?? 15);
    this.jpegQuality = options.previewJpegQuality ?? 70;
    this.encoder = options.previewEncoder ?? new PreviewEncoder();
  }

  /** Stops the preview worker. */
  async close(): Promise<void> {
    await this.encoder.close();
  }

  /** Every message from now on; returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new camera starts counting frames from 0 again. */
  cameraReplaced(): void {
    this.frameSeqBase = this.lastFrameSeq + 1;
  }

  /** The stream's sequence number of a camera frame. */
  frameSeq(cameraSeq: number): number {
    return this.frameSeqBase + cameraSeq;
  }

  frame(frame: CameraFrame): void {
    const nowMs = Date.now();
    const seq = this.frameSeq(frame.seq);
    this.lastFrameSeq = Math.max(this.lastFrameSeq, seq);
    if (this.listeners.size === 0 || this.encoding || nowMs - this.lastFrameSentAtMs < this.minFrameGapMs) return;
    const { pixels } = frame;
    // Read while the camera's listeners run, before the inference worker takes the frame: one copy of the raw
    // bytes (half the RGB's for NV12), moved to the preview worker.
    if (pixels.data.length === 0) return;
    this.encoding = true;
    this.lastFrameSentAtMs = nowMs;
    this.encoder
      .encode({ ...pixels, data: copyOf(pixels.data) }, { targetWidthPx: this.previewWidthPx, jpegQuality: this.jpegQuality })
      .then(
        (preview) => this.emit({ kind: 'frame', seq, timestampMs: frame.timestampMs, widthPx: preview.widthPx, heightPx: preview.heightPx, jpegBase64: preview.jpegBase64 }),
        () => undefined,
      )
      .finally(() => (this.encoding = false));
  }

  analysis(analysis: FrameAnalysis, settings: DecisionSettings): void {
    if (this.listeners.size === 0) return;
    this.emit({
      kind: 'analysis',
      seq: this.nextSeq('analysis'),
      timestampMs: analysis.timestampMs,
      frameSeq: this.frameSeq(analysis.frameSeq),
      readyAtMs: analysis.readyAtMs,
      widthPx: analysis.widthPx,
      heightPx: analysis.heightPx,
      faces: analysis.faces.slice(0, 32).map((face) => ({
        trackId: face.trackId,
        boxNorm: face.boxNorm,
        fivePointsNorm: face.fivePointsNorm.map(({ x, y }) => ({ x, y })),
        ...(face.match ? { match: face.match } : {}),
        qualityHint: qualityHint(face.quality, settings),
      })),
    });
  }

  decision(decision: DecisionEvent): void {
    this.emit({ kind: 'decision', seq: this.nextSeq('decision'), timestampMs: decision.decidedAtMs, decision: toWireDecision(decision) });
  }

  /** A face's liveness challenge as it stands: the door screen draws the prompt. */
  challenge(update: ChallengeUpdate): void {
    if (this.listeners.size === 0) return;
    const { prompt } = update;
    this.emit({
      kind: 'challenge',
      seq: this.nextSeq('challenge'),
      timestampMs: update.atMs,
      trackId: update.trackId,
      prompt: prompt ? { ...prompt, action: { ...prompt.action } } : null,
    });
  }

  /** The door waits for a card holder's face, or no longer: the door screen says so. */
  card(update: CardUpdate): void {
    this.emit({ kind: 'card', seq: this.nextSeq('card'), timestampMs: update.atMs, waiting: update.waiting ? { untilMs: update.waiting.untilMs } : null });
  }

  health(health: TerminalHealth): void {
    if (this.listeners.size === 0) return;
    this.emit({ kind: 'health', seq: this.nextSeq('health'), timestampMs: Date.now(), health: toWireHealth(health) });
  }

  enrollmentFeedback(sessionId: string, feedback: EnrollmentFeedback): void {
    this.emit({
      kind: 'enrollment-feedback',
      seq: this.nextSeq('enrollment-feedback'),
      timestampMs: feedback.timestampMs,
      sessionId,
      feedback: { ...feedback, frameSeq: this.frameSeq(feedback.frameSeq) },
    });
  }

  /** A live enrollment ended without its admin (taken over, nobody at the camera): its screen says so. */
  enrollmentEnded(ended: EnrollmentEnded): void {
    this.emit({ kind: 'enrollment-ended', seq: this.nextSeq('enrollment-ended'), timestampMs: Date.now(), ...ended });
  }

  /** What the access-control panel shows through an OSDP output (LED, text, output, buzzer): the door screen draws it. */
  panel(indication: PanelIndication): void {
    const { output, led, text, outputActive, buzzer } = indication;
    this.emit({ kind: 'panel', seq: this.nextSeq('panel'), timestampMs: indication.atMs, output, led, text, outputActive, buzzer });
  }

  private nextSeq(kind: StreamMessage['kind']): number {
    const seq = (this.seqByKind.get(kind) ?? -1) + 1;
    this.seqByKind.set(kind, seq);
    return seq;
  }

  private emit(message: StreamMessage): void {
    for (const listener of this.listeners) {
      // A failing subscriber (a closed socket) must not keep the message from the others.
      try {
        listener(message);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }
}

/**
 * A stream message as a paired device elsewhere may see it, without an admin session: who is at the door and
 * who was let in are the kiosk's and the admins' to see, so decisions lose their person and overlays their match.
 */
export function forPairedDevice(message: StreamMessage): StreamMessage {
  if (message.kind === 'decision') return { ...message, decision: withoutPerson(message.decision) };
  if (message.kind === 'analysis') return { ...message, faces: message.faces.map(({ match: _match, ...face }) => face) };
  if (message.kind === 'health') return { ...message, health: withoutFaultDetails(message.health) };
  return message;
}

type WireHealth = StreamMessageOf<'health'>['health'];

/**
 * Health without the causes of faults (device paths, errno, file names, a relay's line): what each fault is stays,
 * so a door screen can say it in its words; the details are the System screen's, for admins and the terminal itself.
 */
export function withoutFaultDetails(health: WireHealth): WireHealth {
  const { startFailure, doorController, storage, door, camera } = health;
  return {
    ...health,
    camera: camera.status === 'offline' ? { ...camera, reason: 'offline' } : camera,
    ...(startFailure === undefined ? {} : { startFailure: 'not running' }),
    ...(doorController === undefined ? {} : { doorController: { status: 'fault' as const, message: 'fault' } }),
    ...(storage?.status === 'full' ? { storage: { ...storage, message: 'full' } } : {}),
    ...(door === undefined ? {} : { door: { ...door, message: door.status === 'unavailable' ? 'unavailable' : door.message } }),
  };
}

/** A wire decision without the person it names. */
export function withoutPerson(decision: StreamMessageOf<'decision'>['decision']): StreamMessageOf<'decision'>['decision'] {
  const { person: _person, ...rest } = decision;
  return rest;
}

/** A DecisionEvent as the wire carries it: the person's fields only, no extra properties. */
export function toWireDecision(decision: DecisionEvent): StreamMessageOf<'decision'>['decision'] {
  const { person } = decision;
  return {
    eventId: decision.eventId,
    trackId: decision.trackId,
    decidedAtMs: decision.decidedAtMs,
    decision: decision.decision,
    reason: decision.reason,
    ...(person
      ? { person: { id: person.id, name: person.name, enabled: person.enabled, validFromMs: person.validFromMs, validUntilMs: person.validUntilMs, groups: [...person.groups] } }
      : {}),
    ...(decision.similarity !== undefined ? { similarity: decision.similarity } : {}),
    ...(decision.liveness !== undefined ? { liveness: decision.liveness } : {}),
    ...(decision.livenessCue !== undefined ? { livenessCue: decision.livenessCue } : {}),
    ...(decision.retrying ? { retrying: true } : {}),
    quality: decision.quality,
    trackAgeMs: decision.trackAgeMs,
  };
}

/** TerminalHealth as the wire carries it (mutable arrays, copied). */
export function toWireHealth(health: TerminalHealth): StreamMessageOf<'health'>['health'] {
  const { liveness, ...rest } = health;
  let wireLiveness: StreamMessageOf<'health'>['health']['liveness'];
  if (liveness) {
    const { trainedCue: cue, ...plain } = liveness;
    const trainedCue = cue
      ? { ...cue, features: [...cue.features], outOfFold: { ...cue.outOfFold, apcerBySpecies: { ...cue.outOfFold.apcerBySpecies } }, ...(cue.heldOut ? { heldOut: { ...cue.heldOut, apcerBySpecies: { ...cue.heldOut.apcerBySpecies } } } : {}) }
      : undefined;
    wireLiveness = { ...plain, ...(trainedCue ? { trainedCue } : {}) };
  }
  return {
    ...rest,
    engines: health.engines.map((engine) => ({ ...engine })),
    ...(wireLiveness ? { liveness: wireLiveness } : {}),
    ...(health.identification ? { identification: { ...health.identification } } : {}),
  };
}
