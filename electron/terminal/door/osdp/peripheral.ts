// The OSDP peripheral device (PD) state machine, without I/O: a packet from the panel goes in, the reply's bytes
// come out. It checks address and sequence (a repeated sequence number gets the same reply again, byte for
// byte, so a lost reply never runs a command twice or breaks the MAC chain), runs the Secure Channel handshake
// and session (MAC on every message, encrypted data, the default key only in install mode), answers the
// commands a reader owes, and hands a queued card read to the next osdp_POLL.
import { randomBytes as cryptoRandomBytes } from 'node:crypto';

import {
  COMMAND,
  commandName,
  decodeBuzzer,
  decodeComset,
  decodeKeyset,
  decodeLed,
  decodeOutputs,
  decodeText,
  NAK,
  REPLY,
} from './commands.js';
import type { BuzzerRecord, LedRecord, OutputRecord, TextRecord } from './commands.js';
import { BROADCAST_ADDRESS, encodePacket, MAX_PACKET_BYTES } from './packet.js';
import type { ReceivedPacket, SecurityBlock } from './packet.js';
import {
  complement,
  computeMac,
  cpCryptogram,
  decryptData,
  deriveSessionKeys,
  encryptData,
  initialRmac,
  pdCryptogram,
  sameBytes,
  SCBK_DEFAULT,
  SCS_11,
  SCS_12,
  SCS_13,
  SCS_14,
  SCS_15,
  SCS_16,
  SCS_17,
  SCS_18,
  wipe,
} from './secure-channel.js';
import type { SessionKeys } from './secure-channel.js';

/** The panel counts a PD offline after this long without a command from it, ms (libosdp's value). */
export const ONLINE_TIMEOUT_MS = 8_000;
/** A secure session ends after this long without a secured command, ms (SIA OSDP 2.2 D.6; libosdp's value). */
export const SESSION_TIMEOUT_MS = 8_000;

/** What osdp_PDID reports. */
export interface PeripheralIdentity {
  /** IEEE OUI, 24 bits; 0 where the vendor has none. */
  readonly vendorCode: number;
  readonly model: number;
  readonly version: number;
  /** 32 bits, stable for the device: the panel and its operators tell readers apart by it. */
  readonly serialNumber: number;
  readonly firmware: { readonly major: number; readonly minor: number; readonly build: number };
}

/** A card read for osdp_RAW: the bits as the configured format lays them out. */
export interface CardBits {
  /** osdp_RAW format byte: 0 = raw, unspecified; 1 = raw Wiegand. */
  readonly format: 0 | 1;
  readonly bitCount: number;
  /** The bits, most significant first, packed from the first byte's top bit; ceil(bitCount / 8) bytes. */
  readonly data: Buffer;
}

/** A card read waiting for the next osdp_POLL. */
export interface QueuedCardRead {
  readonly bits: CardBits;
  /** Not sent after this time (ms, the peripheral's clock): an old read must not open a door late. */
  readonly expiresAtMs: number;
  /** Called once the reply carrying it is handed to the port. */
  readonly onSent: (atMs: number) => void;
  /** Called when it expired unsent, or the peripheral dropped it. */
  readonly onDropped: (reason: string) => void;
}

/** What the PD does with the panel's commands; each throws to refuse (the panel gets osdp_NAK, record error). */
export interface PeripheralHandlers {
  led(records: readonly LedRecord[]): void;
  buzzer(records: readonly BuzzerRecord[]): void;
  text(record: TextRecord): void;
  output(records: readonly OutputRecord[]): void;
  /** Each output's state, 1 active, 0 not; as many as `outputCount`. */
  outputStates(): readonly number[];
  /** Each input's state; as many as `inputCount`. */
  inputStates(): readonly number[];
  /** Stores a new SCBK durably before the panel is told it was taken. */
  storeKey(key: Buffer): void;
  /** Stores the new address and baud rate before the panel is told; `apply` of the result runs once the reply is sent. */
  comset(address: number, baudRate: number): void;
  /** Switches to the stored communication settings; called after the osdp_COM reply has been sent at the old ones. */
  applyComset(address: number, baudRate: number): void;
}

/** What the peripheral reports about itself, for logs (never key material). */
export type PeripheralEvent =
  | { readonly kind: 'secure-channel-opened'; readonly defaultKey: boolean }
  | { readonly kind: 'secure-channel-closed'; readonly reason: string }
  | { readonly kind: 'nak'; readonly command: string; readonly code: number; readonly reason: string }
  | { readonly kind: 'key-set' }
  | { readonly kind: 'comset'; readonly address: number; readonly baudRate: number };

/** How the peripheral is set up. */
export interface PeripheralOptions {
  /** 0–126. */
  readonly address: number;
  readonly identity: PeripheralIdentity;
  /** Secure Channel offered, and required for everything but osdp_ID, osdp_CAP and the handshake. */
  readonly secureChannel: boolean;
  /** Accept the default key SCBK-D, until the panel sets a key (osdp_KEYSET). */
  readonly installMode: boolean;
  /** The stored SCBK; undefined before the panel has set one. */
  readonly scbk: Buffer | undefined;
  readonly inputCount: number;
  readonly outputCount: number;
  /** Baud rates osdp_COMSET may choose. */
  readonly baudRates: readonly number[];
  readonly handlers: PeripheralHandlers;
  readonly onEvent?: (event: PeripheralEvent) => void;
  /** Random bytes for the handshake; default crypto.randomBytes. */
  readonly randomBytes?: (count: number) => Buffer;
  /** Monotonic clock, ms. */
  readonly nowMs: () => number;
}

/** The link as the health screen shows it. */
export interface PeripheralStatus {
  /** A command came from the panel within ONLINE_TIMEOUT_MS. */
  readonly online: boolean;
  /** A secure session is open. */
  readonly secure: boolean;
  /** The open session runs on the default key (install mode). */
  readonly defaultKey: boolean;
  readonly address: number;
  readonly keyInstalled: boolean;
  readonly installMode: boolean;
  /** Last command from the panel, ms on the peripheral's clock; null before the first. */
  readonly lastCommandAtMs: number | null;
  readonly cardReadsQueued: number;
}

/** The outcome of one received packet: the reply to send, and what to do once it is sent. */
export interface PeripheralReply {
  readonly bytes: Buffer;
  readonly afterSend?: () => void;
}

interface Session {
  readonly keys: SessionKeys;
  readonly defaultKey: boolean;
  /** Last reply's MAC (R-MAC-I at first): the IV of the next command's MAC. */
  rmac: Buffer;
  /** Last command's MAC: the IV of the reply's MAC. */
  cmac: Buffer;
  lastSecuredAtMs: number;
}

interface Handshake {
  readonly keys: SessionKeys;
  readonly cpRandom: Buffer;
  readonly pdRandom: Buffer;
  readonly defaultKey: boolean;
}

/** A reply before framing. */
interface ReplyPlan {
  readonly code: number;
  readonly data?: Buffer;
  /** For the handshake replies (SCS_12, SCS_14); session replies get SCS_16/18 by themselves. */
  readonly securityBlock?: SecurityBlock;
  readonly afterSend?: () => void;
}

/** What the command handling knows about how the packet came. */
interface Incoming {
  readonly packet: ReceivedPacket;
  /** The data, decrypted when it came encrypted. */
  readonly data: Buffer;
  /** It came under a verified session MAC. */
  readonly secured: boolean;
}

/** Commands accepted in the clear while Secure Channel is required: enough to identify the PD and open a session. */
const ALLOWED_IN_CLEAR = new Set<number>([COMMAND.ID, COMMAND.CAP, COMMAND.CHLNG, COMMAND.SCRYPT]);

/** The sequence number after `sequence`: 1, 2, 3, 1… (0 only restarts). */
function nextSequence(sequence: number): number {
  return sequence >= 3 ? 1 : sequence + 1;
}

/**
 * One PD on the bus. `receive` each packet the reader finds; send the reply it returns (then call its
 * `afterSend`). `queueCardRead` puts a card read in line for the next osdp_POLL.
 */
export class OsdpPeripheral {
  private address: number;
  private scbk: Buffer | undefined;
  private installMode: boolean;
  private readonly randomBytes: (count: number) => Buffer;
  private lastSequence: number | undefined;
  /** The last reply, for a repeated sequence number: its command code and bytes. */
  private cached: { readonly code: number; readonly bytes: Buffer } | undefined;
  private handshake: Handshake | undefined;
  private session: Session | undefined;
  private lastCommandAtMs: number | undefined;
  private readonly cardReads: QueuedCardRead[] = [];

  constructor(private readonly options: PeripheralOptions) {
    this.address = options.address;
    this.scbk = options.scbk === undefined ? undefined : Buffer.from(options.scbk);
    this.installMode = options.installMode;
    this.randomBytes = options.randomBytes ?? cryptoRandomBytes;
  }

  /** The link now. */
  status(): PeripheralStatus {
    const nowMs = this.options.nowMs();
    this.expireSession(nowMs);
    this.expireCardReads(nowMs);
    return {
      online: this.lastCommandAtMs !== undefined && nowMs - this.lastCommandAtMs <= ONLINE_TIMEOUT_MS,
      secure: this.session !== undefined,
      defaultKey: this.session?.defaultKey ?? false,
      address: this.address,
      keyInstalled: this.scbk !== undefined,
      installMode: this.installMode,
      lastCommandAtMs: this.lastCommandAtMs ?? null,
      cardReadsQueued: this.cardReads.length,
    };
  }

  /** Queues a card read for the next osdp_POLL. */
  queueCardRead(read: QueuedCardRead): void {
    this.cardReads.push(read);
  }

  /** Drops every queued card read (the output is closing). */
  dropCardReads(reason: string): void {
    for (const read of this.cardReads.splice(0)) read.onDropped(reason);
  }

  /** Ends any session and forgets its keys (the port closed). */
  reset(reason: string): void {
    this.endSession(reason);
    this.lastSequence = undefined;
    this.cached = undefined;
  }

  /**
   * Handles one packet from the bus. Returns the reply, or undefined when the packet is not for this PD (another
   * address, another PD's reply).
   */
  receive(packet: ReceivedPacket): PeripheralReply | undefined {
    if (packet.isReply) return undefined;
    if (packet.address !== this.address && packet.address !== BROADCAST_ADDRESS) return undefined;
    const nowMs = this.options.nowMs();
    this.expireSession(nowMs);
    this.lastCommandAtMs = nowMs;
    const { sequence } = packet;
    if (sequence === 0) {
      // The panel (re)starts the conversation: nothing of the previous one holds.
      this.cached = undefined;
      this.endSession('the panel restarted the sequence');
    } else if (sequence === this.lastSequence && this.cached !== undefined && this.cached.code === packet.code) {
      // The panel did not get the last reply and asks again: the same bytes, the command not run again.
      return { bytes: this.cached.bytes };
    } else if (sequence !== this.lastSequence && sequence !== (this.lastSequence === undefined ? 0 : nextSequence(this.lastSequence))) {
      return { bytes: this.frame(packet, { code: REPLY.NAK, data: Buffer.of(NAK.SEQUENCE) }, false) };
    }
    const unsecured = this.unwrap(packet, nowMs);
    let plan: ReplyPlan;
    let secured = false;
    if ('nak' in unsecured) {
      plan = this.nak(packet.code, unsecured.nak, unsecured.reason);
    } else {
      secured = unsecured.secured;
      plan = this.handle(unsecured);
    }
    // A reply goes under the session when the command came under it and the session still stands.
    const bytes = this.frame(packet, plan, secured && this.session !== undefined);
    this.lastSequence = sequence;
    this.cached = { code: packet.code, bytes };
    return plan.afterSend === undefined ? { bytes } : { bytes, afterSend: plan.afterSend };
  }

  /** Checks the security block, MAC and encryption; the command's plain data, or the NAK to answer. */
  private unwrap(packet: ReceivedPacket, nowMs: number): Incoming | { nak: number; reason: string } {
    const block = packet.securityBlock;
    if (block === undefined) {
      if (this.session !== undefined) return { nak: NAK.SC_CONDITIONS, reason: 'a command in the clear during a secure session' };
      return { packet, data: packet.data, secured: false };
    }
    if (!this.options.secureChannel) return { nak: NAK.SC_UNSUPPORTED, reason: 'Secure Channel is switched off on this reader' };
    if (block.type === SCS_11 || block.type === SCS_13) return { packet, data: packet.data, secured: false };
    if (block.type !== SCS_15 && block.type !== SCS_17) return { nak: NAK.SC_CONDITIONS, reason: `security block type 0x${block.type.toString(16)} is not one a panel sends` };
    const session = this.session;
    if (session === undefined) return { nak: NAK.SC_CONDITIONS, reason: 'a secured command without a session' };
    const mac = computeMac(session.keys, session.rmac, packet.macInput);
    if (packet.mac === undefined || !sameBytes(packet.mac, mac.subarray(0, 4))) {
      this.endSession('a command with a wrong MAC');
      return { nak: NAK.SC_CONDITIONS, reason: 'wrong MAC' };
    }
    let data = packet.data;
    if (block.type === SCS_17) {
      const plain = decryptData(session.keys, complement(session.rmac), packet.data);
      if (plain === undefined) {
        this.endSession('a command whose data did not decrypt');
        return { nak: NAK.SC_CONDITIONS, reason: 'data did not decrypt' };
      }
      data = plain;
    }
    session.cmac = mac;
    session.lastSecuredAtMs = nowMs;
    return { packet, data, secured: true };
  }

  private handle(incoming: Incoming): ReplyPlan {
    const { packet, data, secured } = incoming;
    const code = packet.code;
    if (this.options.secureChannel && !secured && !ALLOWED_IN_CLEAR.has(code)) {
      return this.nak(code, NAK.SC_CONDITIONS, 'Secure Channel is required and no session is open');
    }
    const expectLength = (length: number): ReplyPlan | undefined => (data.length === length ? undefined : this.nak(code, NAK.LENGTH, `${data.length} data bytes where ${length} are due`));
    const refused = (what: string, error: unknown): ReplyPlan => this.nak(code, NAK.RECORD, `${what}: ${error instanceof Error ? error.message : String(error)}`);
    switch (code) {
      case COMMAND.POLL:
        return expectLength(0) ?? this.poll();
      case COMMAND.ID:
        return expectLength(1) ?? { code: REPLY.PDID, data: this.identityBytes() };
      case COMMAND.CAP:
        return expectLength(1) ?? { code: REPLY.PDCAP, data: this.capabilityBytes() };
      case COMMAND.LSTAT:
        // Tamper normal, power normal: the terminal has no tamper switch, and it runs.
        return expectLength(0) ?? { code: REPLY.LSTATR, data: Buffer.of(0, 0) };
      case COMMAND.ISTAT:
        return expectLength(0) ?? this.statusReply(REPLY.ISTATR, this.options.handlers.inputStates(), this.options.inputCount);
      case COMMAND.OSTAT:
        return expectLength(0) ?? this.statusReply(REPLY.OSTATR, this.options.handlers.outputStates(), this.options.outputCount);
      case COMMAND.OUT: {
        const records = decodeOutputs(data, this.options.outputCount);
        if (typeof records === 'string') return this.nak(code, NAK.RECORD, records);
        try {
          this.options.handlers.output(records);
        } catch (error) {
          return refused('the outputs refused it', error);
        }
        return { code: REPLY.ACK };
      }
      case COMMAND.LED: {
        const records = decodeLed(data);
        if (typeof records === 'string') return this.nak(code, data.length % 14 === 0 ? NAK.RECORD : NAK.LENGTH, records);
        const missing = records.find((record) => record.led !== 0);
        if (missing !== undefined) return this.nak(code, NAK.RECORD, `LED ${missing.led} does not exist (this reader has one, LED 0)`);
        try {
          this.options.handlers.led(records);
        } catch (error) {
          return refused('the LED refused it', error);
        }
        return { code: REPLY.ACK };
      }
      case COMMAND.BUZ: {
        const records = decodeBuzzer(data);
        if (typeof records === 'string') return this.nak(code, data.length % 5 === 0 ? NAK.RECORD : NAK.LENGTH, records);
        try {
          this.options.handlers.buzzer(records);
        } catch (error) {
          return refused('the buzzer refused it', error);
        }
        return { code: REPLY.ACK };
      }
      case COMMAND.TEXT: {
        const record = decodeText(data);
        if (typeof record === 'string') return this.nak(code, NAK.LENGTH, record);
        try {
          this.options.handlers.text(record);
        } catch (error) {
          return refused('the display refused it', error);
        }
        return { code: REPLY.ACK };
      }
      case COMMAND.COMSET:
        return this.comset(data);
      case COMMAND.KEYSET:
        return this.keyset(data, secured);
      case COMMAND.CHLNG:
        return this.challenge(packet, data);
      case COMMAND.SCRYPT:
        return this.serverCryptogram(packet, data);
      default:
        return this.nak(code, NAK.UNKNOWN_COMMAND, 'not a command this reader implements');
    }
  }

  private poll(): ReplyPlan {
    this.expireCardReads(this.options.nowMs());
    const read = this.cardReads.shift();
    if (read === undefined) return { code: REPLY.ACK };
    const { bits } = read;
    const data = Buffer.alloc(4 + bits.data.length);
    data[0] = 0; // reader 0: this PD itself
    data[1] = bits.format;
    data.writeUInt16LE(bits.bitCount, 2);
    bits.data.copy(data, 4);
    return { code: REPLY.RAW, data, afterSend: () => read.onSent(this.options.nowMs()) };
  }

  private identityBytes(): Buffer {
    const { vendorCode, model, version, serialNumber, firmware } = this.options.identity;
    const data = Buffer.alloc(12);
    data.writeUIntLE(vendorCode & 0xffffff, 0, 3);
    data[3] = model & 0xff;
    data[4] = version & 0xff;
    data.writeUInt32LE(serialNumber >>> 0, 5);
    data[9] = firmware.major & 0xff;
    data[10] = firmware.minor & 0xff;
    data[11] = firmware.build & 0xff;
    return data;
  }

  /** osdp_PDCAP: function code, compliance level, number of items, per function this reader has. */
  private capabilityBytes(): Buffer {
    const { secureChannel, inputCount, outputCount } = this.options;
    const capabilities: [number, number, number][] = [
      [1, 1, inputCount], // contact status monitoring: open/closed inputs
      [2, 1, outputCount], // output control: on/off, timed
      [3, 1, 0], // card data format: an array of bits (osdp_RAW)
      [4, 4, 1], // reader LED control: one LED, timed, any colour
      [5, 2, 1], // reader audible output: one buzzer, timed
      [6, 1, 1], // reader text output: one line
      [8, 1, 0], // check character support: CRC-16
      // Communication security: AES-128 when on; the default key (SCBK-D) while in install mode.
      [9, secureChannel ? 1 : 0, secureChannel && this.installMode ? 1 : 0],
      [10, MAX_PACKET_BYTES & 0xff, MAX_PACKET_BYTES >> 8], // receive buffer size, bytes
      [11, MAX_PACKET_BYTES & 0xff, MAX_PACKET_BYTES >> 8], // largest combined message, bytes
      [16, 2, 0], // OSDP version: SIA OSDP 2.2
    ];
    return Buffer.from(capabilities.flat());
  }

  private statusReply(code: number, states: readonly number[], count: number): ReplyPlan {
    // The panel checks the report's length against the count in osdp_PDCAP.
    if (states.length !== count) return this.nak(code === REPLY.ISTATR ? COMMAND.ISTAT : COMMAND.OSTAT, NAK.RECORD, `${states.length} states where ${count} are announced`);
    return { code, data: Buffer.from(states.map((state) => (state === 0 ? 0 : 1))) };
  }

  private comset(data: Buffer): ReplyPlan {
    const request = decodeComset(data);
    if (typeof request === 'string') return this.nak(COMMAND.COMSET, NAK.LENGTH, request);
    const { address, baudRate } = request;
    if (address > 126) return this.nak(COMMAND.COMSET, NAK.RECORD, `address ${address} is not 0–126`);
    if (!this.options.baudRates.includes(baudRate)) return this.nak(COMMAND.COMSET, NAK.RECORD, `baud rate ${baudRate} is not one of ${this.options.baudRates.join(', ')}`);
    try {
      this.options.handlers.comset(address, baudRate);
    } catch (error) {
      return this.nak(COMMAND.COMSET, NAK.RECORD, `cannot store the new settings: ${error instanceof Error ? error.message : String(error)}`);
    }
    const reply = Buffer.alloc(5);
    reply[0] = address;
    reply.writeUInt32LE(baudRate, 1);
    return {
      code: REPLY.COM,
      data: reply,
      // The reply goes out at the old address and speed; the new ones apply from the next command on.
      afterSend: () => {
        this.address = address;
        this.options.handlers.applyComset(address, baudRate);
        this.options.onEvent?.({ kind: 'comset', address, baudRate });
      },
    };
  }

  private keyset(data: Buffer, secured: boolean): ReplyPlan {
    if (!secured) return this.nak(COMMAND.KEYSET, NAK.SC_CONDITIONS, 'a key is only taken inside a secure session');
    const key = decodeKeyset(data);
    if (typeof key === 'string') return this.nak(COMMAND.KEYSET, data.length === 18 ? NAK.RECORD : NAK.LENGTH, key);
    try {
      this.options.handlers.storeKey(key);
    } catch (error) {
      wipe(key);
      return this.nak(COMMAND.KEYSET, NAK.RECORD, `cannot store the key: ${error instanceof Error ? error.message : String(error)}`);
    }
    return {
      code: REPLY.ACK,
      // The ACK goes under the old session; then the new key is the key, install mode ends, and the panel
      // opens a new session with it.
      afterSend: () => {
        wipe(this.scbk);
        this.scbk = key;
        this.installMode = false;
        this.endSession('the panel set a new key');
        this.options.onEvent?.({ kind: 'key-set' });
      },
    };
  }

  private challenge(packet: ReceivedPacket, data: Buffer): ReplyPlan {
    if (packet.securityBlock?.type !== SCS_11) return this.nak(COMMAND.CHLNG, NAK.SC_CONDITIONS, 'osdp_CHLNG without its SCS_11 block');
    if (data.length !== 8) return this.nak(COMMAND.CHLNG, NAK.LENGTH, `${data.length} data bytes where 8 are due`);
    this.endSession('the panel opened a new session');
    this.dropHandshake();
    const defaultKey = packet.securityBlock.data[0] === 0;
    let scbk: Buffer;
    if (defaultKey) {
      if (!this.installMode) return this.nak(COMMAND.CHLNG, NAK.SC_CONDITIONS, 'the default key is accepted in install mode only');
      scbk = SCBK_DEFAULT;
    } else {
      if (this.scbk === undefined) return this.nak(COMMAND.CHLNG, NAK.SC_CONDITIONS, 'no key is installed yet (install mode lets the panel set one)');
      scbk = this.scbk;
    }
    const cpRandom = Buffer.from(data);
    const pdRandom = this.randomBytes(8);
    const keys = deriveSessionKeys(scbk, cpRandom);
    this.handshake = { keys, cpRandom, pdRandom, defaultKey };
    const { vendorCode, model, serialNumber } = this.options.identity;
    const clientId = Buffer.alloc(8);
    clientId.writeUIntLE(vendorCode & 0xffffff, 0, 3);
    clientId[3] = model & 0xff;
    clientId.writeUInt32LE(serialNumber >>> 0, 4);
    return {
      code: REPLY.CCRYPT,
      data: Buffer.concat([clientId, pdRandom, pdCryptogram(keys, cpRandom, pdRandom)]),
      securityBlock: { type: SCS_12, data: Buffer.of(defaultKey ? 0 : 1) },
    };
  }

  private serverCryptogram(packet: ReceivedPacket, data: Buffer): ReplyPlan {
    if (packet.securityBlock?.type !== SCS_13) return this.nak(COMMAND.SCRYPT, NAK.SC_CONDITIONS, 'osdp_SCRYPT without its SCS_13 block');
    if (data.length !== 16) return this.nak(COMMAND.SCRYPT, NAK.LENGTH, `${data.length} data bytes where 16 are due`);
    const handshake = this.handshake;
    this.handshake = undefined;
    if (handshake === undefined || this.session !== undefined) return this.nak(COMMAND.SCRYPT, NAK.SC_CONDITIONS, 'osdp_SCRYPT without an osdp_CHLNG before it');
    const expected = cpCryptogram(handshake.keys, handshake.cpRandom, handshake.pdRandom);
    if (!sameBytes(data, expected)) {
      wipe(handshake.keys.enc, handshake.keys.mac1, handshake.keys.mac2);
      return this.nak(COMMAND.SCRYPT, NAK.SC_CONDITIONS, "the panel's cryptogram is wrong: it holds another key");
    }
    const rmac = initialRmac(handshake.keys, data);
    this.session = { keys: handshake.keys, defaultKey: handshake.defaultKey, rmac: Buffer.from(rmac), cmac: Buffer.alloc(16), lastSecuredAtMs: this.options.nowMs() };
    this.options.onEvent?.({ kind: 'secure-channel-opened', defaultKey: handshake.defaultKey });
    return { code: REPLY.RMAC_I, data: rmac, securityBlock: { type: SCS_14, data: Buffer.of(1) } };
  }

  private nak(command: number, code: number, reason: string): ReplyPlan {
    this.options.onEvent?.({ kind: 'nak', command: commandName(command), code, reason });
    return { code: REPLY.NAK, data: Buffer.of(code) };
  }

  /** Frames a reply: the same sequence and check type as the command, the mark if it had one, under the session if `secured`. */
  private frame(packet: ReceivedPacket, plan: ReplyPlan, secured: boolean): Buffer {
    const common = {
      address: packet.address === BROADCAST_ADDRESS ? BROADCAST_ADDRESS : this.address,
      isReply: true,
      sequence: packet.sequence,
      useCrc: packet.useCrc,
      mark: packet.hasMark,
      code: plan.code,
    };
    const session = this.session;
    if (!secured || session === undefined) {
      return encodePacket({ ...common, data: plan.data ?? Buffer.alloc(0), ...(plan.securityBlock === undefined ? {} : { securityBlock: plan.securityBlock }) });
    }
    const plain = plan.data ?? Buffer.alloc(0);
    const encrypted = plain.length > 0;
    return encodePacket({
      ...common,
      securityBlock: { type: encrypted ? SCS_18 : SCS_16, data: Buffer.alloc(0) },
      data: encrypted ? encryptData(session.keys, complement(session.cmac), plain) : plain,
      mac: (macInput) => {
        session.rmac = computeMac(session.keys, session.cmac, macInput);
        return session.rmac;
      },
    });
  }

  private expireSession(nowMs: number): void {
    if (this.session !== undefined && nowMs - this.session.lastSecuredAtMs > SESSION_TIMEOUT_MS) this.endSession(`no secured command for ${SESSION_TIMEOUT_MS} ms`);
  }

  private expireCardReads(nowMs: number): void {
    for (let i = this.cardReads.length - 1; i >= 0; i--) {
      const read = this.cardReads[i];
      if (read !== undefined && read.expiresAtMs < nowMs) {
        this.cardReads.splice(i, 1);
        read.onDropped('the panel did not poll for it in time');
      }
    }
  }

  private endSession(reason: string): void {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    wipe(session.keys.enc, session.keys.mac1, session.keys.mac2, session.rmac, session.cmac);
    this.options.onEvent?.({ kind: 'secure-channel-closed', reason });
  }

  private dropHandshake(): void {
    const handshake = this.handshake;
    this.handshake = undefined;
    if (handshake !== undefined) wipe(handshake.keys.enc, handshake.keys.mac1, handshake.keys.mac2);
  }
}
