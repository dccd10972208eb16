// The terminal's link to its site hub over MQTT (mqtt.js, mutual TLS with the terminal's certificate): pulls the
// hub's change log when the signed head moves past its cursor and applies each page in one SQLite transaction,
// sends its events from the durable outbox until the hub acknowledges them, forwards enrollments made here, and
// keeps a retained state with a last will. The door never waits for any of it: it decides from the local copy.
import { randomUUID } from 'node:crypto';

import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

import {
  appliedSchema,
  changePageSchema,
  commandSchema,
  decodeSigned,
  encodeMessage,
  enrollRequestSchema,
  enrollResultSchema,
  eventsAckSchema,
  eventsMessageSchema,
  FleetMessageError,
  headSchema,
  MAX_EVENTS_PER_MESSAGE,
  MAX_JPEG_BYTES,
  pullRequestSchema,
  siteTopics,
  terminalStateSchema,
  wireEventSchema,
  type ChangePage,
  type EnrollRequest,
  type EnrollResult,
  type SiteTopics,
  type WireEvent,
} from '../../shared/fleet/index.js';
import type { OutboxEvent } from '../store/hub-sync-repository.js';
import type { TerminalStore } from '../store/store.js';
import { applyPage, type AppliedPage } from './apply-page.js';
import type { HubBundle } from './hub-bundle.js';

/** Where the link reports what happens (the app's logger). */
export interface HubLinkLogger {
  info(message: string, details: Readonly<Record<string, unknown>>): void;
  warn(message: string, details: Readonly<Record<string, unknown>>): void;
  error(message: string, details: Readonly<Record<string, unknown>>): void;
}

/** What the link needs of the terminal around the store. */
export interface HubLinkHost {
  readonly store: Pick<TerminalStore, 'applySynced' | 'hubSync' | 'settings'>;
  readonly logger: HubLinkLogger;
  readonly appVersion: string;
  /** The extractor the door recognises with now; null while the service is down. */
  runningModelId(): string | null;
  /** The door contact, when the door has an input. */
  doorState(): { readonly open?: boolean };
  /** After a page was applied: forget erased people everywhere outside the store, rebuild missing templates. */
  afterApplied(page: AppliedPage): void;
  /** The hub asked the door to open (Home Assistant's OPEN). */
  remoteOpen(requestId: string): Promise<void>;
}

/** Options of `HubLink.start`; the timings have defaults for a site network. */
export interface HubLinkOptions {
  readonly bundle: HubBundle;
  readonly host: HubLinkHost;
  /** Changes asked for per page; default 200. */
  readonly maxChangesPerPage?: number;
  /** A page or an events ack not answered within this is asked for again, ms; default 10000. */
  readonly answerTimeoutMs?: number;
  /** Wait between reconnection attempts, ms; default 2000. */
  readonly reconnectPeriodMs?: number;
  /** How often the outbox is looked at besides the nudges, ms; default 1000. */
  readonly outboxPollMs?: number;
  /** A page the store refused is asked for again after this, ms; default 30000. */
  readonly refusedPageRetryMs?: number;
  /**
   * An event without a snapshot waits this long after its decision before it is sent, ms; default 1500: the door
   * opens before the face's JPEG is encoded, and the snapshot is attached to the logged event just after.
   */
  readonly snapshotGraceMs?: number;
}

/** What the link knows right now, for health screens and tests. */
export interface HubLinkStatus {
  readonly connected: boolean;
  readonly siteId: string;
  readonly terminalId: string;
  /** The cursor: the last change applied here. */
  readonly appliedSeq: number;
  /** The newest change the hub announced. */
  readonly headSeq: number;
  readonly pendingEvents: number;
  readonly pendingEnrollments: number;
  /** The last thing that went wrong (a refused page, a dropped message), or null. */
  readonly lastError: string | null;
}

/** Largest `out/events` message the link builds, bytes of JSON (the hub's page cap, for symmetry). */
const MAX_EVENTS_MESSAGE_BYTES = 900_000;

/**
 * The hub link of one terminal. Started by the composition root when the terminal was given a bundle; every
 * handler runs on the event loop one at a time, and the store's writes are synchronous, so a page is applied
 * whole before the next message is looked at.
 */
export class HubLink {
  private readonly topics: SiteTopics;
  private readonly client: MqttClient;
  private headSeq = 0;
  private pull: { requestId: string; timer: NodeJS.Timeout } | undefined;
  private eventsInFlight: { upToSeq: number; timer: NodeJS.Timeout } | undefined;
  private pullRetry: NodeJS.Timeout | undefined;
  private readonly poll: NodeJS.Timeout;
  /** When each enrollment not yet answered was last sent on this connection, ms since epoch. */
  private readonly enrollsSent = new Map<string, number>();
  private lastError: string | null = null;
  /** What the last published state said (without its time), to publish only changes between the full ones. */
  private publishedState: string | undefined;
  private closed = false;

  private constructor(private readonly options: HubLinkOptions) {
    const { bundle, host } = options;
    this.topics = siteTopics(bundle.siteId);
    host.store.hubSync.join({ siteId: bundle.siteId, terminalId: bundle.terminalId, hubPublicKeyPem: bundle.hubPublicKeyPem });
    const clientOptions: IClientOptions = {
      clientId: `lintel-${bundle.terminalId}`,
      // The protocol is pull-based: nothing is lost with a clean session, and no broker-side queue grows while a door is away.
      clean: true,
      resubscribe: false,
      key: bundle.keyPem,
      cert: bundle.certPem,
      ca: bundle.caCertPem,
      rejectUnauthorized: true,
      reconnectPeriod: options.reconnectPeriodMs ?? 2000,
      connectTimeout: 10_000,
      will: { topic: this.topics.terminalOut(bundle.terminalId, 'state'), payload: encodeMessage(terminalStateSchema, { online: false }), qos: 1, retain: true },
    };
    this.client = mqtt.connect(bundle.brokerUrl, clientOptions);
    this.client.on('connect', () => this.onConnect());
    this.client.on('close', () => this.onClose());
    this.client.on('error', (error) => this.fail('hub.connection-error', error.message));
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload));
    this.poll = setInterval(() => {
      this.flushEvents();
      if (this.enrollsSent.size > 0) this.flushEnrollments();
      // A new extractor after a settings change, the door opened or closed: the hub (and Home Assistant) see it.
      this.publishState({ onlyWhenChanged: true });
    }, options.outboxPollMs ?? 1000);
    this.poll.unref();
  }

  /** Joins the bundle's site in the store (refusing another site) and connects; reconnects by itself. */
  static start(options: HubLinkOptions): HubLink {
    return new HubLink(options);
  }

  get status(): HubLinkStatus {
    const { hubSync } = this.options.host.store;
    const appliedSeq = hubSync.link()?.appliedSeq ?? 0;
    return {
      connected: this.client.connected,
      siteId: this.options.bundle.siteId,
      terminalId: this.options.bundle.terminalId,
      appliedSeq,
      headSeq: Math.max(this.headSeq, appliedSeq),
      pendingEvents: hubSync.pendingEventCount(),
      pendingEnrollments: hubSync.pendingEnrollRequests().length,
      lastError: this.lastError,
    };
  }

  /** An event was logged: send it now rather than at the next poll. */
  eventsWritten(): void {
    this.flushEvents();
  }

  /**
   * Queues an enrollment made at this door for the hub (on disk before this returns) and sends it when connected;
   * the person arrives through the change log once the hub created them. Returns the request id.
   */
  requestEnrollment(request: Omit<EnrollRequest, 'requestId'>): string {
    const requestId = randomUUID();
    const body = enrollRequestSchema.parse({ ...request, requestId });
    this.options.host.store.hubSync.queueEnrollRequest(requestId, body);
    this.flushEnrollments();
    return requestId;
  }

  /** Says the terminal is going offline (the will covers a crash), then disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poll);
    this.clearPull();
    clearTimeout(this.pullRetry);
    if (this.eventsInFlight) clearTimeout(this.eventsInFlight.timer);
    if (this.client.connected) {
      await this.client.publishAsync(this.out('state'), encodeMessage(terminalStateSchema, { online: false, atMs: Date.now() }), { qos: 1, retain: true }).catch(() => undefined);
    }
    await this.client.endAsync();
  }

  private out(name: Parameters<SiteTopics['terminalOut']>[1]): string {
    return this.topics.terminalOut(this.options.bundle.terminalId, name);
  }

  private onConnect(): void {
    const { bundle, host } = this.options;
    host.logger.info('hub.connected', { broker: bundle.brokerUrl, site: bundle.siteId, terminal: bundle.terminalId });
    this.enrollsSent.clear();
    this.client.subscribe([this.topics.head, this.topics.terminalInAll(bundle.terminalId)], { qos: 1 }, (error) => {
      if (error) return this.fail('hub.subscribe-failed', error.message);
      // Whatever was in flight on the last connection is asked for again: answers to it are gone with it.
      this.clearPull();
      if (this.eventsInFlight) clearTimeout(this.eventsInFlight.timer);
      this.eventsInFlight = undefined;
      this.publishState();
      this.requestPage();
      this.flushEvents();
      this.flushEnrollments();
    });
  }

  private onClose(): void {
    if (this.closed) return;
    this.clearPull();
    if (this.eventsInFlight) clearTimeout(this.eventsInFlight.timer);
    this.eventsInFlight = undefined;
  }

  private onMessage(topic: string, payload: Buffer): void {
    const publicKey = this.options.bundle.hubPublicKeyPem;
    try {
      if (topic === this.topics.head) {
        const head = decodeSigned(payload, publicKey, headSchema);
        this.headSeq = Math.max(this.headSeq, head.headSeq);
        if (head.headSeq > (this.options.host.store.hubSync.link()?.appliedSeq ?? 0)) this.requestPage();
        return;
      }
      const inbox = this.topics.parseTerminalIn(topic);
      if (!inbox || inbox.terminalId !== this.options.bundle.terminalId) return;
      switch (inbox.name) {
        case 'changes':
          return this.onPage(decodeSigned(payload, publicKey, changePageSchema));
        case 'events-ack':
          return this.onEventsAck(decodeSigned(payload, publicKey, eventsAckSchema).upToSeq);
        case 'enroll-result':
          return this.onEnrollResult(decodeSigned(payload, publicKey, enrollResultSchema));
        case 'command': {
          const command = decodeSigned(payload, publicKey, commandSchema);
          this.options.host.logger.info('hub.command', { command: command.command, requestId: command.requestId });
          void this.options.host.remoteOpen(command.requestId).catch((error: Error) => this.fail('hub.command-failed', error.message));
          return;
        }
      }
    } catch (error) {
      // Anything that does not verify against the hub's key, or does not parse, is dropped and logged.
      if (error instanceof FleetMessageError) return this.fail('hub.message-dropped', `${topic}: ${error.problem}: ${error.message}`);
      this.fail('hub.message-failed', `${topic}: ${(error as Error).message}`);
    }
  }

  private requestPage(): void {
    if (this.closed || !this.client.connected || this.pull || this.pullRetry) return;
    const requestId = randomUUID();
    const afterSeq = this.options.host.store.hubSync.link()?.appliedSeq ?? 0;
    const timer = setTimeout(() => {
      this.pull = undefined;
      this.requestPage();
    }, this.options.answerTimeoutMs ?? 10_000);
    timer.unref();
    this.pull = { requestId, timer };
    const message = encodeMessage(pullRequestSchema, { requestId, afterSeq, maxChanges: this.options.maxChangesPerPage ?? 200 });
    this.client.publish(this.out('pull'), message, { qos: 1 });
  }

  private onPage(page: ChangePage): void {
    // An answer to another request (one that timed out, or of the last connection) is stale.
    if (!this.pull || page.requestId !== this.pull.requestId) return;
    this.clearPull();
    const { host } = this.options;
    let applied: AppliedPage;
    try {
      applied = applyPage(host.store, page);
    } catch (error) {
      // The page stays unapplied (one transaction) and is asked for again later: the door keeps working meanwhile.
      this.fail('hub.page-refused', `changes ${page.changes[0]?.seq ?? page.lastSeq}..${page.lastSeq}: ${(error as Error).message}`);
      this.pullRetry = setTimeout(() => {
        this.pullRetry = undefined;
        this.requestPage();
      }, this.options.refusedPageRetryMs ?? 30_000);
      this.pullRetry.unref();
      return;
    }
    this.headSeq = Math.max(this.headSeq, page.headSeq);
    if (page.changes.length > 0) {
      host.logger.info('hub.changes-applied', { appliedSeq: applied.appliedSeq, put: applied.put.length, erased: applied.erased.length, skipped: applied.skipped, ignored: applied.ignored });
    }
    host.afterApplied(applied);
    this.client.publish(this.out('applied'), encodeMessage(appliedSchema, { appliedSeq: applied.appliedSeq }), { qos: 1 });
    if (applied.appliedSeq < this.headSeq) this.requestPage();
    else this.publishState();
  }

  private flushEvents(): void {
    if (this.closed || !this.client.connected || this.eventsInFlight) return;
    const { hubSync } = this.options.host.store;
    const pending = hubSync.pendingEvents(MAX_EVENTS_PER_MESSAGE);
    if (pending.length === 0) return;
    const events: WireEvent[] = [];
    let sizeBytes = 0;
    const graceStartMs = Date.now() - (this.options.snapshotGraceMs ?? 1500);
    for (const event of pending) {
      // In seq order, so the batch stops here; the outbox poll sends the rest once their snapshot had its time.
      if (event.snapshotJpeg === null && event.atMs > graceStartMs) break;
      const wire = this.toWireEvent(event);
      if (wire === null) continue;
      const eventBytes = JSON.stringify(wire).length;
      if (events.length > 0 && sizeBytes + eventBytes > MAX_EVENTS_MESSAGE_BYTES) break;
      events.push(wire);
      sizeBytes += eventBytes;
    }
    if (events.length === 0) return;
    const upToSeq = events.at(-1)!.seq;
    const timer = setTimeout(() => {
      this.eventsInFlight = undefined;
      this.flushEvents();
    }, this.options.answerTimeoutMs ?? 10_000);
    timer.unref();
    this.eventsInFlight = { upToSeq, timer };
    this.client.publish(this.out('events'), encodeMessage(eventsMessageSchema, { events }), { qos: 1 });
  }

  /**
   * The wire form of an outbox event. A snapshot larger than the wire allows goes without it; an event the wire
   * schema refuses even then (a model id the hub cannot name) leaves the outbox with a logged error rather than
   * blocking every later event.
   */
  private toWireEvent(event: OutboxEvent): WireEvent | null {
    const snapshot = event.snapshotJpeg !== null && event.snapshotJpeg.length <= MAX_JPEG_BYTES ? event.snapshotJpeg.toString('base64') : null;
    const candidate = {
      uuid: event.uuid,
      seq: event.seq,
      atMs: event.atMs,
      decision: event.decision,
      reason: event.reason,
      personId: event.personId,
      modelId: event.modelId,
      similarity: event.similarity,
      livenessScore: event.livenessScore,
      livenessCue: event.livenessCue,
      card: event.card,
      snapshotJpegBase64: snapshot,
    };
    const parsed = wireEventSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
    const plain = wireEventSchema.safeParse({ ...candidate, modelId: null, snapshotJpegBase64: null });
    if (plain.success) return plain.data;
    this.fail('hub.event-unsendable', `event ${event.eventId}: ${parsed.error.message}`);
    this.options.host.store.hubSync.acknowledgeEvents(event.seq);
    return null;
  }

  private onEventsAck(upToSeq: number): void {
    const removed = this.options.host.store.hubSync.acknowledgeEvents(upToSeq);
    if (this.eventsInFlight && upToSeq >= this.eventsInFlight.upToSeq) {
      clearTimeout(this.eventsInFlight.timer);
      this.eventsInFlight = undefined;
    }
    if (removed > 0) this.flushEvents();
  }

  /**
   * Sends the queued enrollments not sent on this connection, and again those the hub has not answered within
   * the answer timeout (the hub may have been away; it creates a person once per request id).
   */
  private flushEnrollments(): void {
    if (this.closed || !this.client.connected) return;
    const nowMs = Date.now();
    for (const request of this.options.host.store.hubSync.pendingEnrollRequests()) {
      const sentAtMs = this.enrollsSent.get(request.requestId);
      if (sentAtMs !== undefined && nowMs - sentAtMs < (this.options.answerTimeoutMs ?? 10_000)) continue;
      this.enrollsSent.set(request.requestId, nowMs);
      this.client.publish(this.out('enroll'), encodeMessage(enrollRequestSchema, request.body as EnrollRequest), { qos: 1 });
    }
  }

  private onEnrollResult(result: EnrollResult): void {
    const { hubSync } = this.options.host.store;
    this.enrollsSent.delete(result.requestId);
    if (!hubSync.enrollRequestAnswered(result.requestId)) return;
    if (result.ok) this.options.host.logger.info('hub.enrolled', { requestId: result.requestId, personId: result.personId });
    else this.fail('hub.enroll-refused', `enrollment ${result.requestId}: ${result.error}`);
  }

  private publishState(options: { readonly onlyWhenChanged?: boolean } = {}): void {
    if (this.closed || !this.client.connected) return;
    const { host } = this.options;
    const content = { modelId: host.runningModelId(), appVersion: host.appVersion, appliedSeq: host.store.hubSync.link()?.appliedSeq ?? 0, door: host.doorState() };
    const key = JSON.stringify(content);
    if (options.onlyWhenChanged && key === this.publishedState) return;
    this.publishedState = key;
    this.client.publish(this.out('state'), encodeMessage(terminalStateSchema, { online: true, ...content, atMs: Date.now() }), { qos: 1, retain: true });
  }

  private clearPull(): void {
    if (this.pull) clearTimeout(this.pull.timer);
    this.pull = undefined;
  }

  private fail(message: string, detail: string): void {
    this.lastError = `${message}: ${detail}`;
    this.options.host.logger.warn(message, { error: detail });
  }
}
