// The hub's side of the MQTT link: it publishes the signed head after every change, answers pulls with signed
// pages of the change log, records each terminal's cursor, stores events idempotently and acknowledges them,
// turns enrollments made at a door into hub writes, keeps each door's state, and speaks Home Assistant's MQTT
// discovery (a lock whose OPEN reaches the door, a door contact, an access event entity).
import { randomUUID } from 'node:crypto';

import type { MqttClient } from 'mqtt';
import type { z } from 'zod';

import {
  appliedSchema,
  changePageSchema,
  commandSchema,
  encodeSigned,
  enrollRequestSchema,
  enrollResultSchema,
  eventsAckSchema,
  eventsMessageSchema,
  decodeMessage,
  headSchema,
  HUB_CLIENT_ID,
  MAX_PAGE_BYTES,
  pullRequestSchema,
  siteTopics,
  terminalStateSchema,
  type SiteTopics,
  type TerminalInName,
  type TerminalOutName,
} from '../../shared/fleet/index.js';
import type { HubStore, TerminalRecord } from '../store/hub-store.js';
import { homeAssistantDiscovery, homeAssistantTopics, HOME_ASSISTANT_OFFLINE, HOME_ASSISTANT_ONLINE } from './home-assistant.js';
import { connectMqtt, type MqttTlsIdentity } from './mqtt-connection.js';

/** What the link reports; the hub service writes it to its log. */
export interface HubLinkLog {
  (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

/** Options of `HubLink.start`. */
export interface HubLinkOptions {
  readonly identity: MqttTlsIdentity;
  readonly siteId: string;
  /** The hub's Ed25519 private key (PKCS#8 PEM): every message to a terminal is signed with it. */
  readonly signingKeyPem: string;
  readonly store: HubStore;
  readonly log?: HubLinkLog;
  /** How often the head is compared with the store's, ms: catches writes made by another process. Default 500. */
  readonly headPollMs?: number;
  /** Publish Home Assistant discovery; default true. */
  readonly homeAssistant?: boolean;
  readonly nowMs?: () => number;
}

/** The hub's MQTT side; `start` connects, `close` disconnects cleanly. */
export class HubLink {
  private readonly topics: SiteTopics;
  private readonly log: HubLinkLog;
  private readonly nowMs: () => number;
  /** Messages of one terminal are handled one after another, in the order they arrived. */
  private readonly queues = new Map<string, Promise<void>>();
  private publishedHeadSeq = -1;
  private headFailing = false;
  private headTimer: NodeJS.Timeout | undefined;
  private headCheck: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly client: MqttClient,
    private readonly options: HubLinkOptions,
  ) {
    this.topics = siteTopics(options.siteId);
    this.log = options.log ?? (() => undefined);
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Connects to the broker with the hub's certificate, subscribes to every terminal and publishes the head. */
  static async start(options: HubLinkOptions): Promise<HubLink> {
    const ha = homeAssistantTopics(options.siteId);
    const client = await connectMqtt(options.identity, {
      clientId: HUB_CLIENT_ID,
      // Home Assistant shows every door unavailable while the hub is gone.
      will: { topic: ha.hubAvailability, payload: HOME_ASSISTANT_OFFLINE },
    });
    const link = new HubLink(client, options);
    client.on('message', (topic, payload) => link.onMessage(topic, payload));
    client.on('error', (error) => link.log('warn', 'broker connection error', { error: error.message }));
    client.on('connect', () => void link.onReconnect());
    await client.subscribeAsync([link.topics.everyTerminalOut, ha.everyLockCommand], { qos: 1 });
    await link.onReconnect();
    link.headTimer = setInterval(() => void link.publishHeadIfChanged(), options.headPollMs ?? 500);
    link.headTimer.unref();
    return link;
  }

  /** Tells the link the change log grew: the head goes out now rather than at the next poll. */
  notifyChanged(): Promise<void> {
    return this.publishHeadIfChanged();
  }

  /** Publishes Home Assistant's discovery for every registered, unrevoked door (and clears it for revoked ones). */
  async publishDiscovery(): Promise<void> {
    if (this.options.homeAssistant === false) return;
    for (const terminal of await this.options.store.listTerminals()) await this.publishDiscoveryOf(terminal);
  }

  /** Stops polling, marks the hub offline for Home Assistant and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.headTimer);
    await Promise.allSettled([this.headCheck, ...this.queues.values()]);
    try {
      await this.client.publishAsync(homeAssistantTopics(this.options.siteId).hubAvailability, HOME_ASSISTANT_OFFLINE, { qos: 1, retain: true });
    } catch {
      // The broker may already be gone; the last will says the same.
    }
    await this.client.endAsync();
  }

  private async onReconnect(): Promise<void> {
    try {
      this.publishedHeadSeq = -1;
      await this.publishHeadIfChanged();
      await this.client.publishAsync(homeAssistantTopics(this.options.siteId).hubAvailability, HOME_ASSISTANT_ONLINE, { qos: 1, retain: true });
      await this.publishDiscovery();
    } catch (error) {
      this.log('error', 'could not announce the hub after connecting', { error: (error as Error).message });
    }
  }

  private publishHeadIfChanged(): Promise<void> {
    // One check at a time: two overlapping ones could publish an older head after a newer one.
    this.headCheck = this.headCheck.then(async () => {
      if (this.closed || !this.client.connected) return;
      try {
        const headSeq = await this.options.store.headSeq();
        if (headSeq === this.publishedHeadSeq) return;
        await this.client.publishAsync(this.topics.head, encodeSigned(headSchema, { headSeq, atMs: this.nowMs() }, this.options.signingKeyPem), { qos: 1, retain: true });
        this.publishedHeadSeq = headSeq;
        if (this.headFailing) this.log('info', 'the head is published again');
        this.headFailing = false;
      } catch (error) {
        // Once per outage, not at every poll while the database or broker is away.
        if (!this.headFailing) this.log('error', 'could not publish the head', { error: (error as Error).message });
        this.headFailing = true;
      }
    });
    return this.headCheck;
  }

  private onMessage(topic: string, payload: Buffer): void {
    const lock = homeAssistantTopics(this.options.siteId).parseLockCommand(topic);
    if (lock) {
      this.enqueue(lock, () => this.onLockCommand(lock, payload.toString('utf8')));
      return;
    }
    const parsed = this.topics.parseTerminalOut(topic);
    if (!parsed) {
      this.log('warn', 'message on an unexpected topic dropped', { topic });
      return;
    }
    this.enqueue(parsed.terminalId, () => this.onTerminalMessage(parsed.terminalId, parsed.name, payload));
  }

  private enqueue(terminalId: string, handle: () => Promise<void>): void {
    const previous = this.queues.get(terminalId) ?? Promise.resolve();
    const next = previous.then(handle).catch((error: unknown) => this.log('error', 'handling a terminal message failed', { terminalId, error: (error as Error).message }));
    this.queues.set(terminalId, next);
    void next.then(() => {
      if (this.queues.get(terminalId) === next) this.queues.delete(terminalId);
    });
  }

  private async onTerminalMessage(terminalId: string, name: TerminalOutName, payload: Buffer): Promise<void> {
    const terminal = await this.knownTerminal(terminalId);
    if (!terminal) return;
    switch (name) {
      case 'pull':
        return this.onPull(terminalId, this.decode(terminalId, name, payload, pullRequestSchema));
      case 'applied': {
        const applied = this.decode(terminalId, name, payload, appliedSchema);
        if (applied) await this.options.store.recordApplied(terminalId, applied.appliedSeq);
        return;
      }
      case 'events':
        return this.onEvents(terminal, this.decode(terminalId, name, payload, eventsMessageSchema));
      case 'enroll':
        return this.onEnroll(terminalId, this.decode(terminalId, name, payload, enrollRequestSchema));
      case 'state':
        return this.onState(terminal, payload);
    }
  }

  /** The terminal's record, or undefined (logged) for an unknown or revoked one: the broker's ACL is not the only gate. */
  private async knownTerminal(terminalId: string): Promise<TerminalRecord | undefined> {
    let terminal: TerminalRecord;
    try {
      terminal = await this.options.store.getTerminal(terminalId);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'not-found') {
        this.log('warn', 'message from a terminal this hub has not registered dropped', { terminalId });
        return undefined;
      }
      throw error;
    }
    if (terminal.revoked) {
      this.log('warn', 'message from a revoked terminal dropped', { terminalId });
      return undefined;
    }
    return terminal;
  }

  private decode<S extends z.ZodType>(terminalId: string, name: TerminalOutName, payload: Buffer, schema: S): z.output<S> | undefined {
    try {
      return decodeMessage(payload, schema);
    } catch (error) {
      this.log('warn', `invalid ${name} message dropped`, { terminalId, error: (error as Error).message });
      return undefined;
    }
  }

  private async onPull(terminalId: string, request: z.output<typeof pullRequestSchema> | undefined): Promise<void> {
    if (!request) return;
    const page = await this.options.store.changesAfter(request.afterSeq, { maxChanges: request.maxChanges, maxBytes: MAX_PAGE_BYTES });
    await this.sendToTerminal(terminalId, 'changes', changePageSchema, { requestId: request.requestId, changes: [...page.changes], lastSeq: page.lastSeq, headSeq: page.headSeq });
  }

  private async onEvents(terminal: TerminalRecord, message: z.output<typeof eventsMessageSchema> | undefined): Promise<void> {
    if (!message) return;
    const { upToSeq } = await this.options.store.insertEvents(terminal.id, message.events);
    await this.sendToTerminal(terminal.id, 'events-ack', eventsAckSchema, { upToSeq });
    if (this.options.homeAssistant === false) return;
    // Only events the hub had not acknowledged before: a resent batch does not ring Home Assistant twice.
    for (const event of message.events.filter((each) => each.seq > terminal.eventsAckedSeq)) {
      const person = event.personId === null ? null : await this.options.store.getPerson(event.personId).catch(() => null);
      const topics = homeAssistantTopics(this.options.siteId);
      const body = { event_type: event.decision, person: person?.name ?? 'unknown', reason: event.reason, at: new Date(event.atMs).toISOString() };
      await this.client.publishAsync(topics.of(terminal.id).event, JSON.stringify(body), { qos: 1 });
    }
  }

  private async onEnroll(terminalId: string, request: z.output<typeof enrollRequestSchema> | undefined): Promise<void> {
    if (!request) return;
    try {
      const { personId } = await this.options.store.enrollFromTerminal(terminalId, request);
      await this.sendToTerminal(terminalId, 'enroll-result', enrollResultSchema, { requestId: request.requestId, ok: true, personId });
      await this.publishHeadIfChanged();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // A refusal the door can show (a taken external id, a bad sample); anything else is retried by the door.
      if (code !== 'invalid' && code !== 'conflict') throw error;
      await this.sendToTerminal(terminalId, 'enroll-result', enrollResultSchema, { requestId: request.requestId, ok: false, error: (error as Error).message.slice(0, 500) });
    }
  }

  private async onState(terminal: TerminalRecord, payload: Buffer): Promise<void> {
    // An empty retained message clears the topic; nothing to record.
    if (payload.length === 0) return;
    const state = this.decode(terminal.id, 'state', payload, terminalStateSchema);
    if (!state) return;
    await this.options.store.setTerminalState(terminal.id, state);
    if (this.options.homeAssistant === false) return;
    const topics = homeAssistantTopics(this.options.siteId).of(terminal.id);
    if (state.online) {
      // Discovery follows what the door reports (its version, whether it has a contact); an offline state says
      // nothing about either, so the entities stay as they were.
      const before = terminal.state?.online ? terminal.state : null;
      const changed = before === null || before.appVersion !== state.appVersion || (before.door?.open === undefined) !== (state.door.open === undefined);
      if (changed) await this.publishDiscoveryOf({ ...terminal, state });
    }
    await this.client.publishAsync(topics.availability, state.online ? HOME_ASSISTANT_ONLINE : HOME_ASSISTANT_OFFLINE, { qos: 1, retain: true });
    if (state.online && state.door.open !== undefined) await this.client.publishAsync(topics.door, state.door.open ? 'open' : 'closed', { qos: 1, retain: true });
  }

  private async onLockCommand(terminalId: string, command: string): Promise<void> {
    const terminal = await this.knownTerminal(terminalId);
    if (!terminal) return;
    if (command !== 'OPEN') {
      // The door's relay pulses; there is no lasting unlocked state to switch to.
      this.log('info', 'Home Assistant lock command other than OPEN ignored', { terminalId, command });
      return;
    }
    await this.sendToTerminal(terminalId, 'command', commandSchema, { requestId: randomUUID(), command: 'open' });
    this.log('info', 'door opened from Home Assistant', { terminalId });
  }

  private async publishDiscoveryOf(terminal: TerminalRecord): Promise<void> {
    if (this.options.homeAssistant === false) return;
    for (const { topic, config } of homeAssistantDiscovery(this.options.siteId, terminal)) {
      // An empty retained config removes the entity from Home Assistant (a revoked door, a door without contact).
      await this.client.publishAsync(topic, config === null ? '' : JSON.stringify(config), { qos: 1, retain: true });
    }
    const topics = homeAssistantTopics(this.options.siteId).of(terminal.id);
    await this.client.publishAsync(topics.lockState, 'LOCKED', { qos: 1, retain: true });
  }

  private async sendToTerminal<S extends z.ZodType>(terminalId: string, name: TerminalInName, schema: S, value: z.input<S>): Promise<void> {
    await this.client.publishAsync(this.topics.terminalIn(terminalId, name), encodeSigned(schema, value, this.options.signingKeyPem), { qos: 1 });
  }
}
