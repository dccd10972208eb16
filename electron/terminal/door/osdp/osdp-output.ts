// The terminal as an OSDP reader (a PD) on an access-control panel's RS-485 bus: the panel polls it, and a
// granted face becomes the person's card read in the reply to the next poll, as osdp_RAW in the configured bit
// format. The panel decides and drives the lock; its LED, buzzer, text and output commands come back to the door
// screen as PanelIndications. The port is opened right away (the panel polls all the time) and reopened after
// a failure; the Secure Channel key and the panel's osdp_COMSET choices live in the data folder.
import type { SerialPort, SerialPortOptions } from '../../../../native-bridge/serial/serial-port.js';
import type { CustomCardFormat } from '../../../shared/shapes/card-formats.js';
import { OSDP_BAUD_RATES, type OsdpOutputConfig } from '../../../shared/shapes/door-outputs.js';
import { encodeCard, frameBytes, resolveCardFormat } from '../card-format.js';
import type { DoorEvent, DoorLogger, DoorOutput, DoorOutputResult, OsdpHealth, OsdpLink } from '../door-output.js';
import { errorMessage } from '../error-message.js';
import { ReaderIndicators, type PanelIndication } from './indicators.js';
import { OsdpStore } from './osdp-store.js';
import { PacketReader } from './packet.js';
import { OsdpPeripheral, type CardBits, type PeripheralEvent } from './peripheral.js';
import { wipe } from './secure-channel.js';

/** Opens the serial port; throws (or rejects) when it cannot. */
export type SerialPortOpener = (options: SerialPortOptions) => SerialPort | Promise<SerialPort>;

/** What the output needs from the composition root. */
export interface OsdpOutputDeps {
  readonly logger: DoorLogger;
  /** Folder of `osdp/<name>.json` (the key, the panel's COMSET choice). */
  readonly dataDir: string;
  /** The configured custom card formats; default none. */
  readonly customFormats?: readonly CustomCardFormat[];
  /** Default: the real serial port, its module imported on first use. */
  readonly openPort?: SerialPortOpener;
  /** Where the panel's LED, buzzer, text and output changes go (the door screen); default nowhere. */
  readonly onIndication?: (indication: PanelIndication) => void;
  /** The product's version, reported as firmware in osdp_PDID; default 0.0.0. */
  readonly productVersion?: string;
  /** Wall clock, ms since the epoch; default Date.now. */
  readonly nowMs?: () => number;
  /** Monotonic clock for protocol timing, ms; default performance.now. */
  readonly monotonicMs?: () => number;
  /** Wait before reopening a port that failed, ms; default 1000. */
  readonly reopenDelayMs?: number;
  /** The key store; default OsdpStore.open(dataDir, name). */
  readonly store?: OsdpStore;
}

/** Imported on first use: koffi is a native addon, and a terminal without an OSDP output must start without it. */
const openRealPort: SerialPortOpener = async (options) => {
  const { openSerialPort } = await import('../../../../native-bridge/serial/serial-port.js');
  return openSerialPort(options);
};

/** `0.1.0` → major 0, minor 1, build 0 (each 0–255). */
function firmwareVersion(version: string): { major: number; minor: number; build: number } {
  const [major = 0, minor = 0, build = 0] = version.split(/[.+-]/).map((part) => Math.min(255, Number.parseInt(part, 10) || 0));
  return { major, minor, build };
}

/** Identical NAKs are logged once per this many ms: a misconfigured panel repeats its command every poll. */
const NAK_LOG_INTERVAL_MS = 60_000;

/**
 * A PD on the panel's bus. `open` queues a granted person's card read for the next poll and resolves once it
 * was sent (`done`) or dropped (`failed`: no poll within cardReadTimeoutMs, for instance with the link offline
 * or the secure channel not open); denied decisions and people without a credential send nothing.
 */
export class OsdpOutput implements DoorOutput {
  readonly kind = 'osdp';
  readonly name: string;
  private readonly peripheral: OsdpPeripheral;
  private readonly indicators: ReaderIndicators;
  private readonly reader = new PacketReader();
  private readonly store: OsdpStore | undefined;
  private readonly nowMs: () => number;
  private readonly monotonicMs: () => number;
  private port: SerialPort | undefined;
  private address: number;
  private baudRate: number;
  private portError: string | undefined;
  private storeProblem: string | undefined;
  private lastReportedError: string | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private readonly startTimer: NodeJS.Immediate;
  private readonly watchTimer: NodeJS.Timeout;
  private readonly pending = new Set<NodeJS.Timeout>();
  private wasOnline = false;
  private cardReadsSent = 0;
  private lastCardReadAtMs: number | null = null;
  private readonly nakLoggedAtMs = new Map<string, number>();
  private isClosed = false;

  constructor(
    private readonly config: OsdpOutputConfig,
    private readonly deps: OsdpOutputDeps,
  ) {
    this.name = config.name;
    this.nowMs = deps.nowMs ?? Date.now;
    this.monotonicMs = deps.monotonicMs ?? (() => performance.now());
    let scbk: Buffer | undefined;
    this.address = config.address;
    this.baudRate = config.baudRate;
    try {
      this.store = deps.store ?? OsdpStore.open(deps.dataDir, config.name);
      const state = this.store.load();
      scbk = state.scbk;
      if (state.problems.length > 0) this.storeProblem = state.problems.join('; ');
      const comset = state.comset;
      if (comset !== undefined) {
        if (comset.configuredAddress === config.address && comset.configuredBaudRate === config.baudRate) {
          this.address = comset.address;
          this.baudRate = comset.baudRate;
        } else {
          // The administrator changed the settings since: theirs win over the panel's earlier choice.
          this.store.saveComset(undefined);
        }
      }
    } catch (error) {
      this.storeProblem = `cannot open the key store: ${errorMessage(error)}`;
    }
    if (this.storeProblem !== undefined) deps.logger.warn('door.osdp.store-problem', { output: this.name, problem: this.storeProblem });
    this.indicators = new ReaderIndicators(config.name, (indication) => deps.onIndication?.(indication), this.nowMs);
    this.peripheral = new OsdpPeripheral({
      address: this.address,
      identity: { vendorCode: 0, model: 1, version: 1, serialNumber: this.store?.serialNumber ?? 0, firmware: firmwareVersion(deps.productVersion ?? '0.0.0') },
      secureChannel: config.secureChannel,
      installMode: config.installMode,
      scbk,
      inputCount: 0,
      outputCount: 1,
      baudRates: OSDP_BAUD_RATES,
      handlers: {
        led: (records) => this.indicators.led(records),
        buzzer: (records) => this.indicators.buzzer(records),
        text: (record) => this.indicators.text(record),
        output: (records) => this.indicators.outputs(records),
        outputStates: () => this.indicators.outputStates(),
        inputStates: () => [],
        storeKey: (key) => this.requireStore().saveKey(key),
        comset: (address, baudRate) =>
          this.requireStore().saveComset({ address, baudRate, configuredAddress: config.address, configuredBaudRate: config.baudRate }),
        applyComset: (address, baudRate) => this.applyComset(address, baudRate),
      },
      onEvent: (event) => this.logPeripheralEvent(event),
      nowMs: this.monotonicMs,
    });
    wipe(scbk);
    // Opened on the next turn: a configuration built only to be checked (and closed at once) never takes the port.
    this.startTimer = setImmediate(() => void this.openPort());
    this.watchTimer = setInterval(() => this.watchLink(), 1000);
    this.watchTimer.unref();
  }

  async open(event: DoorEvent): Promise<DoorOutputResult> {
    if (this.isClosed) return { status: 'failed', error: `${this.name} is closed` };
    if (event.decision !== 'granted') return { status: 'skipped', detail: 'denied: no card read is sent' };
    const credential = event.credential;
    if (credential === undefined) {
      this.deps.logger.info('door.osdp.no-credential', { output: this.name, eventId: event.id, personId: event.personId ?? null });
      return { status: 'skipped', detail: 'the person has no card credential: no card read is sent' };
    }
    let bits: CardBits;
    let formatName: string;
    try {
      const format = resolveCardFormat(this.config.format ?? credential.format, this.deps.customFormats);
      formatName = format.name;
      const frame = encodeCard(format, credential);
      bits = { format: 1, bitCount: frame.length, data: Buffer.from(frameBytes(frame)) };
    } catch (error) {
      return { status: 'failed', error: `${this.name}: cannot frame the credential: ${errorMessage(error)}` };
    }
    if (this.port === undefined) return { status: 'failed', error: `${this.name}: port ${this.config.port} unavailable: ${this.portError ?? 'not open yet'}` };
    const queuedAtMs = this.monotonicMs();
    return new Promise<DoorOutputResult>((resolve) => {
      // Expiry is checked on each poll; without polls this timer notices it (and keeps a waiting caller alive).
      const timer = setTimeout(() => this.peripheral.status(), this.config.cardReadTimeoutMs + 1);
      this.pending.add(timer);
      const settle = (result: DoorOutputResult): void => {
        clearTimeout(timer);
        this.pending.delete(timer);
        resolve(result);
      };
      this.peripheral.queueCardRead({
        bits,
        expiresAtMs: queuedAtMs + this.config.cardReadTimeoutMs,
        onSent: (atMs) => {
          this.cardReadsSent += 1;
          this.lastCardReadAtMs = this.nowMs();
          settle({ status: 'done', detail: `card read (${formatName}, ${bits.bitCount} bits) sent in the poll reply ${Math.round(atMs - queuedAtMs)} ms after the decision` });
        },
        onDropped: (reason) => settle({ status: 'failed', error: `${this.name}: card read dropped: ${reason} (${this.linkText()})` }),
      });
    });
  }

  health(): OsdpHealth {
    const status = this.peripheral.status();
    const link: OsdpLink = status.secure ? 'secure' : status.online ? 'online' : 'offline';
    const base = {
      kind: 'osdp',
      name: this.name,
      port: this.config.port,
      baudRate: this.baudRate,
      address: status.address,
      link,
      secureChannel: this.config.secureChannel,
      installMode: status.installMode,
      keyInstalled: status.keyInstalled,
      defaultKey: status.defaultKey,
      cardReadsSent: this.cardReadsSent,
      lastCardReadAtMs: this.lastCardReadAtMs,
      lastError: this.portError ?? this.storeProblem ?? null,
    } as const;
    const where = `OSDP reader ${status.address} on ${this.config.port} at ${this.baudRate} baud`;
    if (this.isClosed) return { ...base, status: 'unavailable', message: `${this.name}: closed` };
    if (this.port === undefined) return { ...base, status: 'unavailable', message: `${where} unavailable: ${this.portError ?? 'opening'}` };
    const notes = [
      ...(status.installMode ? ['install mode: the default key is accepted until the panel sets one'] : []),
      ...(this.config.secureChannel && !status.keyInstalled && !status.installMode ? ['no Secure Channel key yet: switch install mode on for the panel to set one'] : []),
      ...(this.storeProblem === undefined ? [] : [this.storeProblem]),
    ];
    const tail = notes.length === 0 ? '' : `; ${notes.join('; ')}`;
    if (link === 'secure') return { ...base, status: 'ok', message: `${where}: online, secure channel${status.defaultKey ? ' on the default key' : ''}${tail}` };
    if (link === 'online') {
      if (this.config.secureChannel) return { ...base, status: 'degraded', message: `${where}: polled, but no secure channel is open: card reads wait${tail}` };
      return { ...base, status: 'ok', message: `${where}: online (no secure channel: card reads travel in the clear)${tail}` };
    }
    if (status.lastCommandAtMs === null) return { ...base, status: 'unknown', message: `${where}: waiting for the panel's first poll${tail}` };
    return { ...base, status: 'unavailable', message: `${where}: offline, no poll for ${Math.round((this.monotonicMs() - status.lastCommandAtMs) / 1000)} s${tail}` };
  }

  /** Releases the port; card reads still waiting fail. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    clearImmediate(this.startTimer);
    clearInterval(this.watchTimer);
    clearTimeout(this.reopenTimer);
    this.indicators.close();
    this.peripheral.dropCardReads('the output closed');
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    this.peripheral.reset('the output closed');
    const port = this.port;
    this.port = undefined;
    await port?.close();
  }

  private async openPort(): Promise<void> {
    if (this.isClosed || this.port !== undefined) return;
    let port: SerialPort;
    try {
      port = await (this.deps.openPort ?? openRealPort)({ path: this.config.port, baudRate: this.baudRate, exclusive: true });
    } catch (error) {
      this.portFailed(errorMessage(error));
      return;
    }
    if (this.isClosed) {
      await port.close();
      return;
    }
    this.port = port;
    this.portError = undefined;
    this.lastReportedError = undefined;
    this.deps.logger.info('door.osdp.port-open', { output: this.name, port: this.config.port, baudRate: this.baudRate, address: this.address, secureChannel: this.config.secureChannel });
    port.onData((chunk) => this.receive(port, chunk));
    port.onClose((error) => {
      if (this.port !== port) return;
      this.port = undefined;
      this.peripheral.reset('the port closed');
      if (!this.isClosed) this.portFailed(error === undefined ? 'the port closed' : errorMessage(error));
    });
  }

  private receive(port: SerialPort, chunk: Buffer): void {
    for (const event of this.reader.push(chunk, this.monotonicMs())) {
      if (event.kind !== 'packet') continue;
      const reply = this.peripheral.receive(event.packet);
      if (reply === undefined) continue;
      port.write(reply.bytes).then(
        () => reply.afterSend?.(),
        (error: unknown) => this.deps.logger.warn('door.osdp.write-failed', { output: this.name, error: errorMessage(error) }),
      );
    }
  }

  private applyComset(address: number, baudRate: number): void {
    this.address = address;
    if (baudRate === this.baudRate) return;
    this.baudRate = baudRate;
    try {
      this.port?.setBaudRate(baudRate);
    } catch (error) {
      // The port is reopened at the new speed.
      const port = this.port;
      this.port = undefined;
      this.portFailed(`cannot switch to ${baudRate} baud: ${errorMessage(error)}`);
      void port?.close();
    }
  }

  private portFailed(message: string): void {
    this.portError = message;
    if (message !== this.lastReportedError) this.deps.logger.warn('door.osdp.port-unavailable', { output: this.name, port: this.config.port, error: message });
    this.lastReportedError = message;
    if (this.isClosed) return;
    clearTimeout(this.reopenTimer);
    this.reopenTimer = setTimeout(() => void this.openPort(), this.deps.reopenDelayMs ?? 1000);
    this.reopenTimer.unref();
  }

  private watchLink(): void {
    const { online } = this.peripheral.status();
    if (online !== this.wasOnline) this.deps.logger.info(online ? 'door.osdp.online' : 'door.osdp.offline', { output: this.name, address: this.address });
    this.wasOnline = online;
  }

  private linkText(): string {
    const status = this.peripheral.status();
    if (this.port === undefined) return `port unavailable: ${this.portError ?? 'not open'}`;
    if (status.secure) return 'link secure';
    if (status.online) return this.config.secureChannel ? 'link online without a secure channel' : 'link online';
    return 'link offline: the panel does not poll';
  }

  private requireStore(): OsdpStore {
    if (this.store === undefined) throw new Error(this.storeProblem ?? 'no key store');
    return this.store;
  }

  /** Logs what the peripheral reports; key material never reaches these events. */
  private logPeripheralEvent(event: PeripheralEvent): void {
    switch (event.kind) {
      case 'secure-channel-opened':
        this.deps.logger.info('door.osdp.secure-channel-opened', { output: this.name, defaultKey: event.defaultKey });
        return;
      case 'secure-channel-closed':
        this.deps.logger.info('door.osdp.secure-channel-closed', { output: this.name, reason: event.reason });
        return;
      case 'key-set':
        this.deps.logger.info('door.osdp.key-set', { output: this.name, note: 'the panel set a new Secure Channel key; install mode has ended' });
        return;
      case 'comset':
        this.deps.logger.info('door.osdp.comset', { output: this.name, address: event.address, baudRate: event.baudRate });
        return;
      case 'nak': {
        const key = `${event.command}:${event.code}:${event.reason}`;
        const nowMs = this.monotonicMs();
        const last = this.nakLoggedAtMs.get(key);
        if (last !== undefined && nowMs - last < NAK_LOG_INTERVAL_MS) return;
        this.nakLoggedAtMs.set(key, nowMs);
        this.deps.logger.info('door.osdp.nak', { output: this.name, command: event.command, code: event.code, reason: event.reason });
        return;
      }
    }
  }
}
