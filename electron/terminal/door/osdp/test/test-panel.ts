// A control panel for the peripheral's unit tests, built on the same packet and Secure Channel primitives (which
// have their own known-answer tests; the interoperability suite checks the whole against libosdp's panel). It
// frames commands, runs the handshake from the panel's side, verifies the MAC of every secured reply and
// decrypts its data, so a test reads replies as a panel sees them.
import assert from 'node:assert/strict';

import { COMMAND, REPLY } from '../commands.js';
import { encodePacket, parsePacket } from '../packet.js';
import type { ReceivedPacket } from '../packet.js';
import type { OsdpPeripheral } from '../peripheral.js';
import {
  complement,
  computeMac,
  cpCryptogram,
  decryptData,
  deriveSessionKeys,
  encryptData,
  initialRmac,
  pdCryptogram,
  SCBK_DEFAULT,
  SCS_11,
  SCS_12,
  SCS_13,
  SCS_14,
  SCS_15,
  SCS_16,
  SCS_17,
  SCS_18,
} from '../secure-channel.js';
import type { SessionKeys } from '../secure-channel.js';

/** A reply as the panel reads it. */
export interface PanelReply {
  readonly packet: ReceivedPacket;
  readonly code: number;
  /** Decrypted under a session. */
  readonly data: Buffer;
  /** The reply's bytes on the wire. */
  readonly bytes: Buffer;
  /** Whether it came under the session (SCS_16/18 with a verified MAC). */
  readonly secured: boolean;
}

/** How to send one command. */
export interface SendOptions {
  /** Override the sequence number (default: the next one). */
  readonly sequence?: number;
  /** Send in the clear even with a session open. */
  readonly clear?: boolean;
  /** Address; default the panel's. */
  readonly address?: number;
  /** Flip a bit of the MAC. */
  readonly corruptMac?: boolean;
}

/** Sends a command's bytes over a line and resolves the reply's bytes (undefined: no reply in time). */
export type Exchange = (wire: Buffer) => Promise<Buffer | undefined>;

export class TestPanel {
  /** The sequence number of the next command. */
  nextSequence = 0;
  useCrc = true;
  mark = true;
  session: { keys: SessionKeys; rmac: Buffer; cmac: Buffer } | undefined;

  /** `pd`: the peripheral to hand commands to directly; or `exchange`, to send them over a line. */
  constructor(
    private readonly pd: OsdpPeripheral | undefined,
    public address: number,
    private readonly exchange?: Exchange,
  ) {}

  /** The bytes of a command as the panel would send it (advances the sequence and the MAC chain). */
  frame(code: number, data: Buffer = Buffer.alloc(0), options: SendOptions = {}): Buffer {
    const sequence = options.sequence ?? this.nextSequence;
    if (options.sequence === undefined) this.nextSequence = sequence >= 3 ? 1 : sequence + 1;
    const common = { address: options.address ?? this.address, isReply: false, sequence, useCrc: this.useCrc, mark: this.mark, code };
    const session = this.session;
    if (session === undefined || options.clear === true) return encodePacket({ ...common, data });
    const encrypted = data.length > 0;
    return encodePacket({
      ...common,
      securityBlock: { type: encrypted ? SCS_17 : SCS_15, data: Buffer.alloc(0) },
      data: encrypted ? encryptData(session.keys, complement(session.rmac), data) : data,
      mac: (input) => {
        session.cmac = computeMac(session.keys, session.rmac, input);
        const sent = Buffer.from(session.cmac);
        if (options.corruptMac === true) sent[0] = (sent[0] ?? 0) ^ 0x01;
        return sent;
      },
    });
  }

  /** Sends a command; undefined when the PD stays silent. Runs the reply's afterSend, as the output does. */
  send(code: number, data: Buffer = Buffer.alloc(0), options: SendOptions = {}): PanelReply | undefined {
    return this.deliver(this.frame(code, data, options));
  }

  /** Sends a command directly or over the line, whichever this panel has. */
  async request(code: number, data: Buffer = Buffer.alloc(0), options: SendOptions = {}): Promise<PanelReply | undefined> {
    return this.transmit(this.frame(code, data, options));
  }

  /** Sends wire bytes and reads the reply, over the line when there is one. */
  async transmit(wire: Buffer): Promise<PanelReply | undefined> {
    if (this.exchange === undefined) return this.deliver(wire);
    const bytes = await this.exchange(wire);
    return bytes === undefined ? undefined : this.read(bytes);
  }

  /** Hands wire bytes to the PD and reads its reply. */
  deliver(wire: Buffer): PanelReply | undefined {
    const command = parsePacket(wire.subarray(wire[0] === 0xff ? 1 : 0), wire[0] === 0xff);
    assert.notEqual(typeof command, 'string', `the test panel framed a broken packet: ${String(command)}`);
    assert.ok(this.pd !== undefined, 'deliver() needs the peripheral; over a line, frame() and read()');
    const result = this.pd.receive(command as ReceivedPacket);
    if (result === undefined) return undefined;
    result.afterSend?.();
    return this.read(result.bytes);
  }

  /** Parses a reply, verifying its MAC and decrypting it when it came under the session. */
  read(bytes: Buffer): PanelReply {
    const hasMark = bytes[0] === 0xff;
    const parsed = parsePacket(bytes.subarray(hasMark ? 1 : 0), hasMark);
    assert.notEqual(typeof parsed, 'string', `the PD sent a broken packet: ${String(parsed)}`);
    const packet = parsed as ReceivedPacket;
    assert.equal(packet.isReply, true, 'a reply has bit 7 of the address set');
    const type = packet.securityBlock?.type;
    if (type !== SCS_16 && type !== SCS_18) return { packet, code: packet.code, data: packet.data, bytes, secured: false };
    const session = this.session;
    assert.ok(session !== undefined, 'a secured reply without a session at the panel');
    const mac = computeMac(session.keys, session.cmac, packet.macInput);
    assert.deepEqual(packet.mac, mac.subarray(0, 4), 'the reply MAC verifies');
    const iv = complement(session.cmac);
    session.rmac = mac;
    let data = packet.data;
    if (type === SCS_18) {
      const plain = decryptData(session.keys, iv, packet.data);
      assert.ok(plain !== undefined, 'the reply data decrypts');
      data = plain;
    }
    return { packet, code: packet.code, data, bytes, secured: true };
  }

  /**
   * Runs osdp_CHLNG and osdp_SCRYPT with `scbk` (SCBK-D when `defaultKey`), checking the PD's cryptogram as a
   * panel does. Returns the failing reply when the PD refuses, or 'pd-cryptogram-wrong' when the PD holds another key.
   */
  async openSession(scbk: Buffer | undefined, options: { defaultKey?: boolean; cpRandom?: Buffer } = {}): Promise<'open' | 'pd-cryptogram-wrong' | PanelReply> {
    this.session = undefined;
    const defaultKey = options.defaultKey === true;
    const key = defaultKey ? SCBK_DEFAULT : scbk;
    assert.ok(key !== undefined);
    const cpRandom = options.cpRandom ?? Buffer.from('0102030405060708', 'hex');
    const sequence = this.nextSequence;
    this.nextSequence = sequence >= 3 ? 1 : sequence + 1;
    const challenge = await this.transmit(
      encodePacket({ address: this.address, isReply: false, sequence, useCrc: this.useCrc, mark: this.mark, code: COMMAND.CHLNG, securityBlock: { type: SCS_11, data: Buffer.of(defaultKey ? 0 : 1) }, data: cpRandom }),
    );
    assert.ok(challenge !== undefined);
    if (challenge.code !== REPLY.CCRYPT) return challenge;
    assert.equal(challenge.packet.securityBlock?.type, SCS_12);
    const pdRandom = challenge.data.subarray(8, 16);
    const keys = deriveSessionKeys(key, cpRandom);
    if (!pdCryptogram(keys, cpRandom, pdRandom).equals(challenge.data.subarray(16, 32))) return 'pd-cryptogram-wrong';
    const server = cpCryptogram(keys, cpRandom, pdRandom);
    const next = this.nextSequence;
    this.nextSequence = next >= 3 ? 1 : next + 1;
    const confirm = await this.transmit(
      encodePacket({ address: this.address, isReply: false, sequence: next, useCrc: this.useCrc, mark: this.mark, code: COMMAND.SCRYPT, securityBlock: { type: SCS_13, data: Buffer.of(defaultKey ? 0 : 1) }, data: server }),
    );
    assert.ok(confirm !== undefined);
    if (confirm.code !== REPLY.RMAC_I) return confirm;
    assert.equal(confirm.packet.securityBlock?.type, SCS_14);
    const rmac = initialRmac(keys, server);
    assert.deepEqual(confirm.data, rmac, 'R-MAC-I as the panel computes it');
    this.session = { keys, rmac, cmac: Buffer.alloc(16) };
    return 'open';
  }
}
