// Card credential bit formats: how a facility code and a card number become the bits a panel reads, as Wiegand
// pulses or as OSDP raw card data. Formats are described the way card vendors publish them — a layout line
// (`PFFFFFFFFCCCCCCCCCCCCCCCCP`) and one mask line per parity bit (`EXXXXXXXXXXXX.............`) — so a site's
// own format is configured by copying its data sheet, and the two standard ones are written the same way.
import { cardFormatNames, layoutProblems, type CustomCardFormat, type STANDARD_CARD_FORMAT_NAMES } from '../../shared/shapes/card-formats.js';

export { cardFormatNames };

/** A card credential as a person carries it: facility code where the format has one, and card number. */
export interface CardCredential {
  readonly facilityCode?: number | null;
  readonly cardNumber: number;
}

/** A parity bit: where it is, which bits it covers (its own excluded), even or odd. */
export interface ParityRule {
  readonly bit: number;
  readonly kind: 'even' | 'odd';
  readonly covers: readonly number[];
}

/** A format ready to encode: positions of each field's bits, most significant first. */
export interface CardFormat {
  readonly name: string;
  readonly totalBits: number;
  readonly layout: string;
  readonly facilityBits: readonly number[];
  readonly cardBits: readonly number[];
  /** Bits that are always 0 or 1. */
  readonly fixedBits: readonly { readonly bit: number; readonly value: 0 | 1 }[];
  readonly parity: readonly ParityRule[];
  /** Largest facility code, or null when the format has none. */
  readonly maxFacilityCode: number | null;
  readonly maxCardNumber: number;
}

/** Bit formats every panel knows, by name. */
export const STANDARD_CARD_FORMATS = {
  /** H10301: even parity over bits 2–13, 8-bit facility code, 16-bit card number, odd parity over bits 14–25. */
  wiegand26: { name: 'wiegand26', layout: `P${'F'.repeat(8)}${'C'.repeat(16)}P`, parity: [`E${'X'.repeat(12)}${'.'.repeat(13)}`, `${'.'.repeat(13)}${'X'.repeat(12)}O`] },
  /** H10306: even parity over bits 2–17, 16-bit facility code, 16-bit card number, odd parity over bits 18–33. */
  wiegand34: { name: 'wiegand34', layout: `P${'F'.repeat(16)}${'C'.repeat(16)}P`, parity: [`E${'X'.repeat(16)}${'.'.repeat(17)}`, `${'.'.repeat(17)}${'X'.repeat(16)}O`] },
} as const satisfies Record<(typeof STANDARD_CARD_FORMAT_NAMES)[number], CustomCardFormat>;

export type StandardCardFormatName = keyof typeof STANDARD_CARD_FORMATS;

/** A format or credential that cannot be used; the message names the field. */
export class CardFormatError extends Error {
  override readonly name = 'CardFormatError';
}

/** Turns a description into a format; throws CardFormatError naming what is wrong. */
export function compileCardFormat(description: CustomCardFormat): CardFormat {
  const problems = layoutProblems(description);
  if (problems.length > 0) throw new CardFormatError(`card format ${description.name}: ${problems.join('; ')}`);
  const positions = (char: string): number[] => [...description.layout].flatMap((c, bit) => (c === char ? [bit] : []));
  const facilityBits = positions('F');
  const cardBits = positions('C');
  return {
    name: description.name,
    totalBits: description.layout.length,
    layout: description.layout,
    facilityBits,
    cardBits,
    fixedBits: [...positions('0').map((bit) => ({ bit, value: 0 as const })), ...positions('1').map((bit) => ({ bit, value: 1 as const }))],
    parity: description.parity.map((line) => {
      const bit = [...line].findIndex((char) => char === 'E' || char === 'O');
      return { bit, kind: line[bit] === 'E' ? 'even' : 'odd', covers: [...line].flatMap((char, at) => (char === 'X' && at !== bit ? [at] : [])) };
    }),
    maxFacilityCode: facilityBits.length === 0 ? null : 2 ** facilityBits.length - 1,
    maxCardNumber: 2 ** cardBits.length - 1,
  };
}

/** Every format available with `custom` formats configured, compiled: the standard ones first. */
export function knownCardFormats(custom: readonly CustomCardFormat[] = []): CardFormat[] {
  return cardFormatNames(custom).map((name) => resolveCardFormat(name, custom));
}

/** The format called `name`: a standard one or one of `custom`; throws CardFormatError naming the choices. */
export function resolveCardFormat(name: string, custom: readonly CustomCardFormat[] = []): CardFormat {
  const description = Object.hasOwn(STANDARD_CARD_FORMATS, name) ? STANDARD_CARD_FORMATS[name as StandardCardFormatName] : custom.find((format) => format.name === name);
  if (description === undefined) throw new CardFormatError(`no card format "${name}": choose one of ${cardFormatNames(custom).join(', ')}`);
  return compileCardFormat(description);
}

/**
 * Why `credential` does not fit `format`, one message per field naming it (empty when it fits): whole numbers
 * within the field's range, and a facility code exactly where the format has one.
 */
export function credentialProblems(format: CardFormat, credential: CardCredential): string[] {
  const problems: string[] = [];
  const { facilityCode, cardNumber } = credential;
  if (!Number.isSafeInteger(cardNumber) || cardNumber < 0 || cardNumber > format.maxCardNumber) {
    problems.push(`cardNumber must be a whole number from 0 to ${format.maxCardNumber} in format ${format.name}, got ${String(cardNumber)}`);
  }
  if (format.maxFacilityCode === null) {
    if (facilityCode !== undefined && facilityCode !== null) problems.push(`facilityCode: format ${format.name} has no facility code, got ${String(facilityCode)}`);
  } else if (facilityCode === undefined || facilityCode === null) {
    problems.push(`facilityCode is required in format ${format.name} (0 to ${format.maxFacilityCode})`);
  } else if (!Number.isSafeInteger(facilityCode) || facilityCode < 0 || facilityCode > format.maxFacilityCode) {
    problems.push(`facilityCode must be a whole number from 0 to ${format.maxFacilityCode} in format ${format.name}, got ${String(facilityCode)}`);
  }
  return problems;
}

/** Writes `value` into `bits` at `positions`, most significant bit first. */
function writeField(bits: Uint8Array, positions: readonly number[], value: number): void {
  let rest = value;
  for (let i = positions.length - 1; i >= 0; i--) {
    bits[positions[i] as number] = rest % 2;
    rest = Math.floor(rest / 2);
  }
}

function readField(bits: ArrayLike<number>, positions: readonly number[]): number {
  let value = 0;
  for (const position of positions) value = value * 2 + ((bits[position] ?? 0) === 1 ? 1 : 0);
  return value;
}

function parityBit(bits: ArrayLike<number>, rule: ParityRule): 0 | 1 {
  let ones = 0;
  for (const position of rule.covers) ones += bits[position] === 1 ? 1 : 0;
  // Even parity: the bit makes the count of ones (covered bits and itself) even; odd: odd.
  const even = ones % 2 === 0 ? 0 : 1;
  return rule.kind === 'even' ? even : ((1 - even) as 0 | 1);
}

/**
 * The frame of `credential` in `format`: one 0/1 per bit, in the order sent (bit 1 first). Throws
 * CardFormatError when the credential does not fit (see credentialProblems).
 */
export function encodeCard(format: CardFormat, credential: CardCredential): Uint8Array {
  const problems = credentialProblems(format, credential);
  if (problems.length > 0) throw new CardFormatError(problems.join('; '));
  const bits = new Uint8Array(format.totalBits);
  for (const { bit, value } of format.fixedBits) bits[bit] = value;
  writeField(bits, format.facilityBits, credential.facilityCode ?? 0);
  writeField(bits, format.cardBits, credential.cardNumber);
  for (const rule of format.parity) bits[rule.bit] = parityBit(bits, rule);
  return bits;
}

/** What a received frame holds, and whether its parity and fixed bits are right. */
export interface DecodedCard {
  readonly facilityCode: number | null;
  readonly cardNumber: number;
  /** Parity bits (1-based) that do not match. */
  readonly parityErrors: readonly number[];
  /** Fixed bits (1-based) with the wrong value. */
  readonly fixedErrors: readonly number[];
}

/** Reads a frame (one 0/1 per bit, as sent); throws CardFormatError when its length is not the format's. */
export function decodeCard(format: CardFormat, bits: ArrayLike<number>): DecodedCard {
  if (bits.length !== format.totalBits) throw new CardFormatError(`format ${format.name} has ${format.totalBits} bits, the frame ${bits.length}`);
  // Parities are checked in the order they were set, each against the bits as received.
  const parityErrors = format.parity.filter((rule) => parityBit(bits, rule) !== bits[rule.bit]).map((rule) => rule.bit + 1);
  const fixedErrors = format.fixedBits.filter(({ bit, value }) => bits[bit] !== value).map(({ bit }) => bit + 1);
  return {
    facilityCode: format.facilityBits.length === 0 ? null : readField(bits, format.facilityBits),
    cardNumber: readField(bits, format.cardBits),
    parityErrors,
    fixedErrors,
  };
}

/** A frame as a bit string, e.g. `10001101001100110000101100` (for logs and tests). */
export function bitString(bits: ArrayLike<number>): string {
  return Array.from(bits, (bit) => (bit === 1 ? '1' : '0')).join('');
}

/** A frame as a hexadecimal number, its first bit the most significant (how readers and tools print frames). */
export function frameHex(bits: ArrayLike<number>): string {
  let value = 0n;
  for (let i = 0; i < bits.length; i++) value = (value << 1n) | (bits[i] === 1 ? 1n : 0n);
  return value.toString(16).toUpperCase();
}

/** The frame as bytes, first bit in the most significant bit of byte 0, the last byte padded with zeros (OSDP raw card data). */
export function frameBytes(bits: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i] === 1) bytes[i >> 3] = (bytes[i >> 3] as number) | (0x80 >> (i & 7));
  return bytes;
}
