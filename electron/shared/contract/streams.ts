// Frame-rate data: not request/response. The terminal pushes these messages on one stream per client (an
// Electron MessagePort, a WebSocket); each carries `seq` (increasing per kind, from the producer) and
// `timestampMs` (ms since epoch of the moment it describes). A consumer keeps only the newest message of each
// kind (`NewestByKind`): a slow renderer skips stale frames and overlays, it never queues them. Missed
// decisions are not lost: they are in the access log and `decisions:recent`.
import { z } from 'zod';

import {
  boxNormSchema,
  decisionEventSchema,
  enrollmentFeedbackSchema,
  livenessCueSchema,
  msSinceEpoch,
  pointSchema,
  qualityHintSchema,
  terminalHealthSchema,
  unitScore,
  uuid,
} from './schemas.js';

const header = { seq: z.int().min(0), timestampMs: msSinceEpoch };

/** Largest JPEG of a `frame` message, bytes before base64. */
export const MAX_FRAME_JPEG_BYTES = 2 * 1024 * 1024;

/**
 * A camera frame for the live view. The JPEG travels inline as base64: one encoding for both transports
 * (structured clone and WebSocket text), and the renderer shows it as a `data:image/jpeg;base64,` URL with
 * no decode step. At the kiosk's preview size (≤ 640 px wide, ~30–50 KB) and ≤ 15 fps that is under 1 MB/s
 * of localhost traffic. `seq` is the camera frame's sequence number: the `analysis` of this frame has it as
 * its `frameSeq`.
 */
export const frameMessageSchema = z.object({
  kind: z.literal('frame'),
  ...header,
  widthPx: z.int().min(1),
  heightPx: z.int().min(1),
  jpegBase64: z.base64().max(Math.ceil(MAX_FRAME_JPEG_BYTES / 3) * 4),
});

/** One tracked face for the overlay: FrameAnalysis's TrackedFace without mesh and template. */
export const overlayFaceSchema = z.object({
  trackId: z.int().min(0),
  boxNorm: boxNormSchema,
  /** Left eye, right eye, nose tip, left and right mouth corner, normalised to the image. */
  fivePointsNorm: z.array(pointSchema).length(5),
  /** Once the face identifies as someone (identification threshold); absent while unknown. */
  match: z.object({ personId: uuid, name: z.string(), similarity: z.number().min(-1).max(1), matchScore: z.int().min(0).max(100).optional() }).optional(),
  /** What the person should do for a usable frame; null when the frame is usable. */
  qualityHint: qualityHintSchema.nullable(),
});

/** What the live view draws over a frame; `timestampMs` is the frame's capture time. */
export const analysisMessageSchema = z.object({
  kind: z.literal('analysis'),
  ...header,
  /** The analysed frame's `seq`: draw over that frame, or over the newest one when it is gone. */
  frameSeq: z.int().min(0),
  /** When the analysis was ready, ms since epoch; minus timestampMs, the overlay's lag. */
  readyAtMs: msSinceEpoch,
  widthPx: z.int().min(1),
  heightPx: z.int().min(1),
  faces: z.array(overlayFaceSchema).max(32),
});

/** A decision at the door; `timestampMs` is its `decidedAtMs`. */
export const decisionMessageSchema = z.object({ kind: z.literal('decision'), ...header, decision: decisionEventSchema });

/** Health figures, about once a second; `timestampMs` is when they were taken. */
export const healthMessageSchema = z.object({ kind: z.literal('health'), ...header, health: terminalHealthSchema });

/** Feedback on one frame of a live enrollment; `timestampMs` is the frame's capture time. */
export const enrollmentFeedbackMessageSchema = z.object({
  kind: z.literal('enrollment-feedback'),
  ...header,
  /** The `enroll:live-start` session the frame belongs to. */
  sessionId: uuid,
  feedback: enrollmentFeedbackSchema,
});

/**
 * A live enrollment ended without its admin: another admin took the camera over (`byUsername`), nobody was seen at
 * the camera for too long, it was left unfinished, or the terminal restarted its camera. `message` says so in words.
 */
export const enrollmentEndedMessageSchema = z.object({
  kind: z.literal('enrollment-ended'),
  ...header,
  sessionId: uuid,
  reason: z.enum(['taken-over', 'no-face', 'abandoned', 'camera-changed']),
  byUsername: z.string().optional(),
  message: z.string(),
});

/** What the door asks of the person (track-challenges' ChallengePrompt). */
export const challengePromptSchema = z.object({
  trackId: z.int().min(0),
  /** 1 for the first challenge of the face, counting retries. */
  attempt: z.int().min(1),
  maxAttempts: z.int().min(1),
  /** `failed`: this attempt failed; another follows at `retryAtMs` (else the denial is shown as a decision). */
  status: z.enum(['waiting', 'passed', 'failed']),
  /** A turn toward the person's own left or right (the door screen is a mirror: their left is the screen's left), or a blink. */
  action: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('turn'), direction: z.enum(['left', 'right']), minTurnDeg: z.number().min(0).max(90) }),
    z.object({ kind: z.literal('blink') }),
  ]),
  /** Toward the asked action, 0..1. */
  progress: unitScore,
  /** Until the timeout, ms; 0 once failed. */
  remainingMs: z.number().min(0),
  timeoutMs: z.number().min(0),
  /** Why the attempt failed. */
  cue: livenessCueSchema.optional(),
  /** When the next challenge starts, ms on the frames' clock; absent after the last attempt. */
  retryAtMs: msSinceEpoch.optional(),
});

/**
 * The active liveness challenge of a face, after each processed frame while it runs; `prompt` null once the
 * challenge is dropped (the face left). `timestampMs` is the frame's capture time.
 */
export const challengeMessageSchema = z.object({ kind: z.literal('challenge'), ...header, trackId: z.int().min(0), prompt: challengePromptSchema.nullable() });

/**
 * A card was read at the door's reader and the door waits for the card holder's face until `waiting.untilMs`
 * (frames' clock); `waiting` null once the card's turn is over (decided, timed out). Whose card it is stays unsaid
 * until the face agrees. `timestampMs` is when it changed.
 */
export const cardMessageSchema = z.object({ kind: z.literal('card'), ...header, waiting: z.object({ untilMs: msSinceEpoch }).nullable() });

/** Reader LED colours an access-control panel sets (osdp_LED). */
export const panelLedColorSchema = z.enum(['black', 'red', 'green', 'amber', 'blue', 'magenta', 'cyan', 'white']);

/**
 * What an access-control panel shows through the terminal as its reader (an OSDP output), whole each time: the
 * LED (null: dark), the text line, the reader's output (a door release), and a buzz to sound now (only in the
 * message an osdp_BUZ caused; count 0: until the next). `output` names the door output; `timestampMs` is when it changed.
 */
export const panelMessageSchema = z.object({
  kind: z.literal('panel'),
  ...header,
  output: z.string(),
  led: z.object({ color: panelLedColorSchema, flashing: z.boolean() }).nullable(),
  text: z.string().max(32).nullable(),
  outputActive: z.boolean(),
  buzzer: z.object({ onMs: z.int().min(0), offMs: z.int().min(0), count: z.int().min(0) }).nullable(),
});

export const streamMessageSchema = z.discriminatedUnion('kind', [
  frameMessageSchema,
  analysisMessageSchema,
  decisionMessageSchema,
  healthMessageSchema,
  enrollmentFeedbackMessageSchema,
  enrollmentEndedMessageSchema,
  challengeMessageSchema,
  cardMessageSchema,
  panelMessageSchema,
]);

export type StreamMessage = z.infer<typeof streamMessageSchema>;
export type StreamKind = StreamMessage['kind'];
export type StreamMessageOf<K extends StreamKind> = Extract<StreamMessage, { kind: K }>;

export const STREAM_KINDS = streamMessageSchema.options.map((option) => option.shape.kind.value) as readonly StreamKind[];

/**
 * The consumer side of the rule "keep only the newest of each kind": `offer` every arriving message, `take`
 * when ready to draw (e.g. on requestAnimationFrame). A message whose `seq` is not newer than the last one
 * offered for its kind is stale (reordered, or replayed after a reconnect) and dropped; an unread message is
 * replaced by a newer one of its kind. Nothing queues, so a slow consumer costs memory of one message per kind.
 * A producer that restarts its counters (a new stream) calls for a new NewestByKind.
 */
export class NewestByKind {
  private readonly pending = new Map<StreamKind, StreamMessage>();
  private readonly lastSeq = new Map<StreamKind, number>();
  private droppedCount = 0;

  /** Keeps the message if it is the newest of its kind; returns false when it was stale and dropped. */
  offer(message: StreamMessage): boolean {
    const last = this.lastSeq.get(message.kind);
    if (last !== undefined && message.seq <= last) {
      this.droppedCount++;
      return false;
    }
    if (this.pending.has(message.kind)) this.droppedCount++;
    this.lastSeq.set(message.kind, message.seq);
    this.pending.set(message.kind, message);
    return true;
  }

  /** The unread newest message of a kind, once: it is removed. */
  take<K extends StreamKind>(kind: K): StreamMessageOf<K> | undefined {
    const message = this.pending.get(kind);
    this.pending.delete(kind);
    return message as StreamMessageOf<K> | undefined;
  }

  /** Every unread message, at most one per kind, in no particular order; all are removed. */
  takeAll(): StreamMessage[] {
    const messages = [...this.pending.values()];
    this.pending.clear();
    return messages;
  }

  /** Messages dropped as stale or replaced before they were read. */
  get dropped(): number {
    return this.droppedCount;
  }
}

/**
 * Parses a message off the wire; undefined for anything malformed (the consumer drops it: a stream has
 * no one to answer an error to).
 */
export function parseStreamMessage(raw: unknown): StreamMessage | undefined {
  const result = streamMessageSchema.safeParse(raw);
  return result.success ? result.data : undefined;
}
