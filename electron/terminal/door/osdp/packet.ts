// The OSDP packet (SIA OSDP 2.2, §5): an optional 0xFF mark, SOM 0x53, the address (bit 7 set on replies),
// the length of the whole packet from SOM to the check bytes (LSB first), the control byte (sequence in bits
// 0–1, CRC-16 in bit 2, a security block in bit 3), the security block, the command or reply code and its data,
// the 4-byte MAC on secure messages, and a CRC-16 (LSB first) or an 8-bit checksum.

/** Start of message. */
export const OSDP_SOM = 0x53;
/** The byte a sender may put before SOM to let receivers settle on the bus (libosdp always sends it). */
export const OSDP_MARK = 0xff;
/** The address every PD answers (with its reply addressed 0x7F too). */
export const BROADCAST_ADDRESS = 0x7f;
/** Bit 7 of the address byte: a reply, from a PD. */
export const REPLY_FLAG = 0x80;

const CONTROL_SEQUENCE = 0x03;
const CONTROL_CRC = 0x04;
const CONTROL_SECURITY_BLOCK = 0x08;
/** SOM, address, two length bytes, control. */
const HEADER_BYTES = 5;
/** The smallest packet: header, a code and a checksum. */
const MIN_PACKET_BYTES = HEADER_BYTES + 1 + 1;

/**
 * Largest packet this PD accepts, bytes from SOM to the check bytes; announced in osdp_PDCAP (receive buffer
 * size). The longest command Lintel honours (osdp_TEXT of 32 characters under a secure channel) needs 70.
 */
export const MAX_PACKET_BYTES = 256;

/** A partial packet is dropped when its next byte takes longer than this, ms (libosdp's response timeout). */
export const INTER_BYTE_TIMEOUT_MS = 200;

/**
 * CRC-16 of OSDP: CRC-16/AUG-CCITT (polynomial 0x1021, initial value 0x1D0F, no reflection, no final XOR),
 * sent least significant byte first (SIA OSDP 2.2 Annex A; the byte-wise form of libosdp's crc16_itu_t).
 */
export function crc16(bytes: Uint8Array): number {
  let crc = 0x1d0f;
  for (const byte of bytes) {
    crc = ((crc >>> 8) | (crc << 8)) & 0xffff;
    crc ^= byte;
    crc ^= (crc & 0xff) >>> 4;
    crc ^= (crc << 12) & 0xffff;
    crc ^= ((crc & 0xff) << 5) & 0xffff;
  }
  return crc;
}

/** The 8-bit checksum: the two's complement of the byte sum, so that all bytes plus it add to 0 mod 256. */
export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum = (sum + byte) & 0xff;
  return (0x100 - sum) & 0xff;
}

/** A security control block: its type (SCS_11…SCS_18) and the bytes after the type. */
export interface SecurityBlock {
  readonly type: number;
  readonly data: Buffer;
}

/** A packet as it came off the wire, its check bytes verified. */
export interface ReceivedPacket {
  /** Address, 0–0x7F, without the reply bit. */
  readonly address: number;
  /** Whether bit 7 of the address was set (a reply, from another PD on the bus). */
  readonly isReply: boolean;
  /** Sequence number 0–3. */
  readonly sequence: number;
  /** CRC-16 rather than a checksum. */
  readonly useCrc: boolean;
  /** Whether the sender put the 0xFF mark before SOM. */
  readonly hasMark: boolean;
  readonly securityBlock: SecurityBlock | undefined;
  /** The command or reply code. */
  readonly code: number;
  /** The bytes after the code, up to the MAC (still encrypted under SCS_17/18). */
  readonly data: Buffer;
  /** The 4 MAC bytes of SCS_15…18 packets. */
  readonly mac: Buffer | undefined;
  /** The bytes a MAC is computed over: SOM up to the MAC. */
  readonly macInput: Buffer;
  /** The whole packet from SOM to the check bytes. */
  readonly bytes: Buffer;
}

/** What goes into a packet. */
export interface PacketFields {
  readonly address: number;
  readonly isReply: boolean;
  readonly sequence: number;
  readonly useCrc: boolean;
  /** Put the 0xFF mark first. */
  readonly mark: boolean;
  readonly securityBlock?: SecurityBlock;
  readonly code: number;
  /** Data after the code, as sent (already encrypted under SCS_17/18). */
  readonly data?: Uint8Array;
  /** Computes the MAC over SOM…data (length byte already final); its first 4 bytes are sent. */
  readonly mac?: (macInput: Buffer) => Buffer;
}

/** Builds a packet's bytes. Throws RangeError for values that do not fit their fields. */
export function encodePacket(fields: PacketFields): Buffer {
  const { address, sequence, securityBlock, data = Buffer.alloc(0) } = fields;
  if (!Number.isInteger(address) || address < 0 || address > 0x7f) throw new RangeError(`address must be 0–127, got ${address}`);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 3) throw new RangeError(`sequence must be 0–3, got ${sequence}`);
  const blockBytes = securityBlock === undefined ? 0 : 2 + securityBlock.data.length;
  const macBytes = fields.mac === undefined ? 0 : 4;
  const checkBytes = fields.useCrc ? 2 : 1;
  const length = HEADER_BYTES + blockBytes + 1 + data.length + macBytes + checkBytes;
  const head = Buffer.alloc(HEADER_BYTES + blockBytes + 1);
  head[0] = OSDP_SOM;
  head[1] = address | (fields.isReply ? REPLY_FLAG : 0);
  head.writeUInt16LE(length, 2);
  head[4] = sequence | (fields.useCrc ? CONTROL_CRC : 0) | (securityBlock === undefined ? 0 : CONTROL_SECURITY_BLOCK);
  if (securityBlock !== undefined) {
    head[5] = blockBytes;
    head[6] = securityBlock.type;
    securityBlock.data.copy(head, 7);
  }
  head[HEADER_BYTES + blockBytes] = fields.code;
  const macInput = Buffer.concat([head, data]);
  const body = fields.mac === undefined ? macInput : Buffer.concat([macInput, fields.mac(macInput).subarray(0, 4)]);
  const check = Buffer.alloc(checkBytes);
  if (fields.useCrc) check.writeUInt16LE(crc16(body));
  else check[0] = checksum(body);
  return Buffer.concat([fields.mark ? Buffer.of(OSDP_MARK) : Buffer.alloc(0), body, check]);
}

/** What the reader found in the byte stream. */
export type ReaderEvent =
  | { readonly kind: 'packet'; readonly packet: ReceivedPacket }
  /** A frame whose check bytes were wrong, or whose structure made no sense (lengths that do not add up). */
  | { readonly kind: 'corrupt'; readonly reason: string; readonly sizeBytes: number };

/**
 * Finds packets in a byte stream: skips noise up to a SOM, waits for the length the header announces, checks
 * CRC or checksum, and on any inconsistency rescans from the byte after the false SOM (a real packet may start
 * inside a broken one). A frame that stalls longer than INTER_BYTE_TIMEOUT_MS is dropped.
 */
export class PacketReader {
  private buffer = Buffer.alloc(0);
  private lastByteAtMs = 0;
  /** Whether the byte dropped just before the current SOM was a mark (it may have arrived in an earlier chunk). */
  private markBefore = false;
  /** Bytes skipped before a SOM since the last packet (line noise, other traffic). */
  skippedBytes = 0;

  /** Adds received bytes; returns the packets (and broken frames) now complete, in order. */
  push(chunk: Uint8Array, nowMs: number): ReaderEvent[] {
    if (this.buffer.length > 0 && nowMs - this.lastByteAtMs > INTER_BYTE_TIMEOUT_MS) {
      this.buffer = Buffer.alloc(0);
      this.markBefore = false;
    }
    this.lastByteAtMs = nowMs;
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const events: ReaderEvent[] = [];
    for (;;) {
      const start = this.buffer.indexOf(OSDP_SOM);
      if (start < 0) {
        this.skip(this.buffer.length);
        return events;
      }
      this.skip(start);
      if (this.buffer.length < HEADER_BYTES) return events;
      const length = this.buffer.readUInt16LE(2);
      if (length < MIN_PACKET_BYTES || length > MAX_PACKET_BYTES) {
        events.push({ kind: 'corrupt', reason: `length ${length} is outside ${MIN_PACKET_BYTES}–${MAX_PACKET_BYTES}`, sizeBytes: HEADER_BYTES });
        this.skip(1);
        continue;
      }
      if (this.buffer.length < length) return events;
      const frame = this.buffer.subarray(0, length);
      const parsed = parsePacket(Buffer.from(frame), this.markBefore);
      if (typeof parsed === 'string') {
        events.push({ kind: 'corrupt', reason: parsed, sizeBytes: length });
        this.skip(1);
        continue;
      }
      events.push({ kind: 'packet', packet: parsed });
      this.buffer = this.buffer.subarray(length);
      this.markBefore = false;
    }
  }

  private skip(count: number): void {
    if (count <= 0) return;
    const dropped = this.buffer.subarray(0, count);
    this.markBefore = dropped[dropped.length - 1] === OSDP_MARK;
    for (const byte of dropped) if (byte !== OSDP_MARK) this.skippedBytes++;
    this.buffer = this.buffer.subarray(count);
  }
}

/** Parses one whole frame (SOM…check bytes); a string saying what is wrong when it does not hold together. */
export function parsePacket(bytes: Buffer, hasMark: boolean): ReceivedPacket | string {
  if (bytes[0] !== OSDP_SOM) return 'no SOM';
  const control = bytes[4] ?? 0;
  const useCrc = (control & CONTROL_CRC) !== 0;
  const checkBytes = useCrc ? 2 : 1;
  const body = bytes.subarray(0, bytes.length - checkBytes);
  if (useCrc) {
    const sent = bytes.readUInt16LE(bytes.length - 2);
    const computed = crc16(body);
    if (sent !== computed) return `CRC 0x${hex16(sent)} does not match 0x${hex16(computed)}`;
  } else {
    const sent = bytes[bytes.length - 1] ?? 0;
    const computed = checksum(body);
    if (sent !== computed) return `checksum 0x${sent.toString(16)} does not match 0x${computed.toString(16)}`;
  }
  let offset = HEADER_BYTES;
  let securityBlock: SecurityBlock | undefined;
  if ((control & CONTROL_SECURITY_BLOCK) !== 0) {
    const blockBytes = body[offset] ?? 0;
    if (blockBytes < 2 || offset + blockBytes >= body.length) return `security block length ${blockBytes} does not fit the packet`;
    securityBlock = { type: body[offset + 1] ?? 0, data: Buffer.from(body.subarray(offset + 2, offset + blockBytes)) };
    offset += blockBytes;
  }
  if (offset >= body.length) return 'no command or reply code';
  const code = body[offset] ?? 0;
  // SCS_15…SCS_18 carry a MAC; the handshake blocks (SCS_11…SCS_14) do not.
  const hasMac = securityBlock !== undefined && securityBlock.type >= 0x15 && securityBlock.type <= 0x18;
  const dataEnd = body.length - (hasMac ? 4 : 0);
  if (dataEnd < offset + 1) return 'the packet is too short for its MAC';
  const address = (bytes[1] ?? 0) & 0x7f;
  return {
    address,
    isReply: ((bytes[1] ?? 0) & REPLY_FLAG) !== 0,
    sequence: control & CONTROL_SEQUENCE,
    useCrc,
    hasMark,
    securityBlock,
    code,
    data: Buffer.from(body.subarray(offset + 1, dataEnd)),
    mac: hasMac ? Buffer.from(body.subarray(dataEnd)) : undefined,
    macInput: Buffer.from(body.subarray(0, dataEnd)),
    bytes,
  };
}

function hex16(value: number): string {
  return value.toString(16).padStart(4, '0');
}
