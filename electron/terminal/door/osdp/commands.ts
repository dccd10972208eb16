// The command and reply codes a Lintel PD speaks (SIA OSDP 2.2 §6 and §7), the NAK reasons, and the decoding of
// the commands that carry records: output control, reader LED, buzzer, text, communication settings and key set.
// Decoders return a string saying what is wrong with a record instead of throwing: it becomes a NAK.

/** Commands, panel → PD. */
export const COMMAND = {
  POLL: 0x60,
  ID: 0x61,
  CAP: 0x62,
  LSTAT: 0x64,
  ISTAT: 0x65,
  OSTAT: 0x66,
  OUT: 0x68,
  LED: 0x69,
  BUZ: 0x6a,
  TEXT: 0x6b,
  COMSET: 0x6e,
  KEYSET: 0x75,
  CHLNG: 0x76,
  SCRYPT: 0x77,
} as const;

/** Replies, PD → panel. */
export const REPLY = {
  ACK: 0x40,
  NAK: 0x41,
  PDID: 0x45,
  PDCAP: 0x46,
  LSTATR: 0x48,
  ISTATR: 0x49,
  OSTATR: 0x4a,
  RAW: 0x50,
  COM: 0x54,
  CCRYPT: 0x76,
  RMAC_I: 0x78,
} as const;

/** Reasons of osdp_NAK (its one data byte). */
export const NAK = {
  /** Message check character(s) error. */
  CHECK: 0x01,
  /** Command length error. */
  LENGTH: 0x02,
  /** Unknown command code: not implemented by the PD. */
  UNKNOWN_COMMAND: 0x03,
  /** Unexpected sequence number. */
  SEQUENCE: 0x04,
  /** Secure Channel not supported (switched off on this PD). */
  SC_UNSUPPORTED: 0x05,
  /** Security block unsupported or security conditions not met (no session, a bad MAC, a refused key). */
  SC_CONDITIONS: 0x06,
  /** Unable to process a command record (a value out of range, a store that failed). */
  RECORD: 0x09,
} as const;

/** The name of a command code, for logs. */
export function commandName(code: number): string {
  const entry = Object.entries(COMMAND).find(([, value]) => value === code);
  return entry === undefined ? `0x${code.toString(16).padStart(2, '0')}` : `osdp_${entry[0]}`;
}

/** Colours of osdp_LED (its on/off colour bytes). */
export const LED_COLORS = ['black', 'red', 'green', 'amber', 'blue', 'magenta', 'cyan', 'white'] as const;
export type LedColor = (typeof LED_COLORS)[number];

/** OSDP times are counted in units of 100 ms. */
const TICK_MS = 100;

/** One LED state: on for `onMs`, off for `offMs`, repeating (a steady light has `offMs` 0). */
export interface LedPattern {
  readonly onMs: number;
  readonly offMs: number;
  readonly onColor: LedColor;
  readonly offColor: LedColor;
}

/** One osdp_LED record (14 bytes). */
export interface LedRecord {
  readonly reader: number;
  readonly led: number;
  /** 0: no change; 1: cancel the temporary state; 2: set it for `timerMs`. */
  readonly temporaryControl: number;
  readonly temporary: LedPattern & { readonly timerMs: number };
  /** 0: no change; 1: set the permanent state. */
  readonly permanentControl: number;
  readonly permanent: LedPattern;
}

/** One osdp_BUZ record (5 bytes). */
export interface BuzzerRecord {
  readonly reader: number;
  /** 0: no change; 1: off; 2: the default tone. */
  readonly tone: number;
  readonly onMs: number;
  readonly offMs: number;
  /** Beeps; 0 = until told otherwise. */
  readonly count: number;
}

/** An osdp_TEXT command. */
export interface TextRecord {
  readonly reader: number;
  /** 1: permanent, no wrap; 2: permanent, wrap; 3: temporary, no wrap; 4: temporary, wrap. */
  readonly command: number;
  /** How long a temporary text stays, s. */
  readonly temporarySeconds: number;
  readonly row: number;
  readonly column: number;
  readonly text: string;
}

/** One osdp_OUT record (4 bytes). */
export interface OutputRecord {
  readonly output: number;
  /**
   * 0: no change; 1: off, cancelling a timed operation; 2: on, cancelling one; 3: off once a timed operation
   * ends; 4: on once it ends; 5: on for `timerMs`, then back; 6: off for `timerMs`, then back.
   */
  readonly control: number;
  readonly timerMs: number;
}

/** Longest osdp_TEXT this PD shows, characters. */
export const MAX_TEXT_CHARACTERS = 32;

function color(byte: number): LedColor | string {
  return LED_COLORS[byte] ?? `unknown LED colour ${byte}`;
}

/** osdp_LED records; a string naming the first invalid record. */
export function decodeLed(data: Buffer): LedRecord[] | string {
  if (data.length === 0 || data.length % 14 !== 0) return `osdp_LED data must be records of 14 bytes, got ${data.length}`;
  const records: LedRecord[] = [];
  for (let offset = 0; offset < data.length; offset += 14) {
    const byte = (index: number): number => data[offset + index] ?? 0;
    const colors = [byte(5), byte(6), byte(12), byte(13)].map(color);
    const unknown = colors.find((name) => !(LED_COLORS as readonly string[]).includes(name));
    if (unknown !== undefined) return unknown;
    const [tempOn, tempOff, permOn, permOff] = colors as LedColor[];
    const record: LedRecord = {
      reader: byte(0),
      led: byte(1),
      temporaryControl: byte(2),
      temporary: { onMs: byte(3) * TICK_MS, offMs: byte(4) * TICK_MS, onColor: tempOn ?? 'black', offColor: tempOff ?? 'black', timerMs: data.readUInt16LE(offset + 7) * TICK_MS },
      permanentControl: byte(9),
      permanent: { onMs: byte(10) * TICK_MS, offMs: byte(11) * TICK_MS, onColor: permOn ?? 'black', offColor: permOff ?? 'black' },
    };
    if (record.temporaryControl > 2) return `osdp_LED temporary control code ${record.temporaryControl} is not 0–2`;
    if (record.permanentControl > 1) return `osdp_LED permanent control code ${record.permanentControl} is not 0–1`;
    // An LED with neither an on nor an off time has no state to show (libosdp refuses it the same way).
    if (record.temporaryControl === 2 && record.temporary.onMs === 0 && record.temporary.offMs === 0) return 'osdp_LED temporary state has neither on nor off time';
    if (record.permanentControl === 1 && record.permanent.onMs === 0 && record.permanent.offMs === 0) return 'osdp_LED permanent state has neither on nor off time';
    records.push(record);
  }
  return records;
}

/** osdp_BUZ records; a string naming the first invalid record. */
export function decodeBuzzer(data: Buffer): BuzzerRecord[] | string {
  if (data.length === 0 || data.length % 5 !== 0) return `osdp_BUZ data must be records of 5 bytes, got ${data.length}`;
  const records: BuzzerRecord[] = [];
  for (let offset = 0; offset < data.length; offset += 5) {
    const record: BuzzerRecord = {
      reader: data[offset] ?? 0,
      tone: data[offset + 1] ?? 0,
      onMs: (data[offset + 2] ?? 0) * TICK_MS,
      offMs: (data[offset + 3] ?? 0) * TICK_MS,
      count: data[offset + 4] ?? 0,
    };
    if (record.tone > 2) return `osdp_BUZ tone code ${record.tone} is not 0–2`;
    if (record.tone === 2 && record.onMs === 0) return 'osdp_BUZ asks for a tone with no on time';
    records.push(record);
  }
  return records;
}

/** An osdp_TEXT command; a string when it does not hold together. */
export function decodeText(data: Buffer): TextRecord | string {
  if (data.length < 6) return `osdp_TEXT needs at least 6 bytes, got ${data.length}`;
  const length = data[5] ?? 0;
  if (data.length !== 6 + length) return `osdp_TEXT announces ${length} characters but carries ${data.length - 6}`;
  if (length > MAX_TEXT_CHARACTERS) return `osdp_TEXT of ${length} characters is longer than ${MAX_TEXT_CHARACTERS}`;
  const command = data[1] ?? 0;
  if (command < 1 || command > 4) return `osdp_TEXT command ${command} is not 1–4`;
  return {
    reader: data[0] ?? 0,
    command,
    temporarySeconds: data[2] ?? 0,
    row: data[3] ?? 0,
    column: data[4] ?? 0,
    // Printable ASCII only: the text reaches the door screen, never as markup.
    text: data
      .subarray(6)
      .toString('latin1')
      .replace(/[^\x20-\x7e]/g, ' '),
  };
}

/** osdp_OUT records; `outputCount` bounds the output numbers. */
export function decodeOutputs(data: Buffer, outputCount: number): OutputRecord[] | string {
  if (data.length === 0 || data.length % 4 !== 0) return `osdp_OUT data must be records of 4 bytes, got ${data.length}`;
  const records: OutputRecord[] = [];
  for (let offset = 0; offset < data.length; offset += 4) {
    const record: OutputRecord = { output: data[offset] ?? 0, control: data[offset + 1] ?? 0, timerMs: data.readUInt16LE(offset + 2) * TICK_MS };
    if (record.output >= outputCount) return `osdp_OUT output ${record.output} does not exist (this PD has ${outputCount})`;
    if (record.control > 6) return `osdp_OUT control code ${record.control} is not 0–6`;
    records.push(record);
  }
  return records;
}

/** osdp_COMSET: the new address and baud rate (not yet checked against what the PD supports). */
export function decodeComset(data: Buffer): { address: number; baudRate: number } | string {
  if (data.length !== 5) return `osdp_COMSET needs 5 bytes, got ${data.length}`;
  return { address: data[0] ?? 0, baudRate: data.readUInt32LE(1) };
}

/** osdp_KEYSET: a new SCBK (key type 1, 16 bytes). */
export function decodeKeyset(data: Buffer): Buffer | string {
  if (data.length !== 18) return `osdp_KEYSET needs 18 bytes, got ${data.length}`;
  if (data[0] !== 1) return `osdp_KEYSET key type ${String(data[0])} is not 1 (SCBK)`;
  if (data[1] !== 16) return `osdp_KEYSET key length ${String(data[1])} is not 16`;
  return Buffer.from(data.subarray(2));
}
