// What the terminal does at the door once a decision is made, as one interface: an output acts on an event and
// reports its health. The implementations (relay, webhook, log, Wiegand, OSDP) live beside this file; they are
// built from the settings in create-door-outputs.ts and driven together by DoorOutputs (door-outputs.ts).
import type { z } from 'zod';

import type { decisionSchema } from '../../shared/contract/schemas.js';

/** What the terminal decided at the door. */
export type DoorDecision = z.output<typeof decisionSchema>;

/**
 * The card credential a panel output sends for a granted person: the number an access-control panel knows the
 * person by. `format` names the bit format the numbers were validated against — `wiegand26`, `wiegand34`, or
 * the name of a custom format from the `credentials.customFormats` setting — and so how many bits each has.
 */
export interface DoorCredential {
  /** Facility (site) code, where the format has one; W26: 0–255, W34: 0–65535. */
  readonly facilityCode?: number;
  /** Card number; W26: 0–65535, W34: 0–65535. */
  readonly cardNumber: number;
  readonly format: string;
}

/** The access decision an output acts on; structurally the store's logged event plus the person's name. */
export interface DoorEvent {
  /** The event's id in the access log; a webhook receiver's idempotency key. */
  readonly id: number;
  /** When the decision was made, ms since the epoch. */
  readonly atMs: number;
  readonly decision: DoorDecision;
  /** Why, as a code, e.g. 'match', 'unknown-face', 'liveness' (see the store's EventInput.reason). */
  readonly reason: string;
  /** The recognised person, if any. */
  readonly personId?: string | null;
  /** The recognised person's name, if any. */
  readonly personName?: string | null;
  /** Cosine similarity of the best match, -1..1. */
  readonly similarity?: number | null;
  /** Which liveness check failed, with a `liveness-failed` denial (a code: 'timeout', 'planar', 'passive'…). */
  readonly livenessCue?: string | null;
  /** The granted person's credential, for panel outputs (Wiegand, OSDP); absent when denied or the person has none. */
  readonly credential?: DoorCredential;
  /** The card shown at the door's reader, on a card's decisions (`unknown-card`, the card + face check of its holder). */
  readonly card?: { readonly facilityCode: number | null; readonly cardNumber: number } | null;
}

/** Which implementation an output is. */
export type DoorOutputKind = 'log' | 'gpio' | 'webhook' | 'wiegand' | 'osdp';

/**
 * What one output did with one event. `done`: acted (relay driven, line logged); `queued`: durably in the
 * webhook outbox, sent later; `skipped`: not this output's business (a denied event at the relay);
 * `failed`: could not act, with a readable reason.
 */
export type DoorOutputResult =
  | { readonly status: 'done'; readonly detail: string }
  | { readonly status: 'queued'; readonly deliveryId: number; readonly pending: number }
  | { readonly status: 'skipped'; readonly detail: string }
  | { readonly status: 'failed'; readonly error: string };

/**
 * `ok`: working; `unknown`: not tried yet (the relay opens on the first grant); `degraded`: working with
 * failures (webhook retrying); `unavailable`: cannot act now, retried on the next event.
 */
export type DoorOutputStatus = 'ok' | 'unknown' | 'degraded' | 'unavailable';

interface HealthBase {
  readonly name: string;
  readonly status: DoorOutputStatus;
  /** One line for the health screen, e.g. "door relay unavailable: …". */
  readonly message: string;
}

/** Health of the log output. */
export interface LogOutputHealth extends HealthBase {
  readonly kind: 'log';
}

/** Health of a GPIO relay. */
export interface GpioRelayHealth extends HealthBase {
  readonly kind: 'gpio';
  readonly chipPath: string;
  readonly line: number;
  /** uAPI the line was requested through; null while not held. */
  readonly uapi: 'v2' | 'v1' | null;
  /** Whether the relay is energised right now. */
  readonly active: boolean;
}

/** Health of a webhook. */
export interface WebhookHealth extends HealthBase {
  readonly kind: 'webhook';
  /** Deliveries waiting in the outbox. */
  readonly pending: number;
  /** Deliveries given up on (permanent failure, or maxAttempts used), kept for inspection. */
  readonly deadLetters: number;
  /** Undelivered rows dropped since start because the outbox was full. */
  readonly dropped: number;
  readonly lastError: string | null;
  /** When lastError happened, ms since the epoch. */
  readonly lastErrorAtMs: number | null;
  /** Last 2xx answer, ms since the epoch. */
  readonly lastSuccessAtMs: number | null;
}

/** online: the panel polls; secure: it polls over a Secure Channel session; offline: no poll for 8 s. */
export type OsdpLink = 'online' | 'offline' | 'secure';

/** Health of an OSDP output. */
export interface OsdpHealth extends HealthBase {
  readonly kind: 'osdp';
  readonly port: string;
  /** In force: the configured values, or what the panel chose with osdp_COMSET. */
  readonly baudRate: number;
  readonly address: number;
  readonly link: OsdpLink;
  readonly secureChannel: boolean;
  readonly installMode: boolean;
  readonly keyInstalled: boolean;
  /** The open session runs on the default key (install mode). */
  readonly defaultKey: boolean;
  readonly cardReadsSent: number;
  /** When the last card read was sent, ms since the epoch. */
  readonly lastCardReadAtMs: number | null;
  readonly lastError: string | null;
}

/** Health of a Wiegand output. */
export interface WiegandHealth extends HealthBase {
  readonly kind: 'wiegand';
  /** `driver` (kernel, sysfs) or `gpio` (user space). */
  readonly transport: 'driver' | 'gpio';
  /** Frames sent since start. */
  readonly framesSent: number;
  /** When the last frame went out, ms since the epoch. */
  readonly lastFrameAtMs: number | null;
  readonly lastError: string | null;
}

/** Health of any output; narrow on `kind`. */
export type DoorOutputHealth = LogOutputHealth | GpioRelayHealth | WebhookHealth | WiegandHealth | OsdpHealth;

/**
 * Something that acts on door decisions. `open` resolves once the action has taken effect (relay driven,
 * delivery durably queued) and reports failures as a `failed` result rather than rejecting; each output
 * decides what a denied event means to it. `close` releases hardware and files and is idempotent.
 */
export interface DoorOutput {
  readonly kind: DoorOutputKind;
  /** Tells outputs apart in results, health and logs; unique within a configuration. */
  readonly name: string;
  open(event: DoorEvent): Promise<DoorOutputResult>;
  /** Current state for the health screen; never throws (a failing check is itself a state). */
  health(): DoorOutputHealth;
  close(): Promise<void>;
  /** Outputs that keep events (the webhook outbox) forget a person when the store erases them; returns records changed. */
  erasePerson?(personId: string): number;
}

/** Structured logging: a message code and fields; the sink writes them as one line. */
export interface DoorLogger {
  info(message: string, fields: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields: Readonly<Record<string, unknown>>): void;
}
