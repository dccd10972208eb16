import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { customCardFormatSchema, type CustomCardFormat } from '../../shared/shapes/card-formats.js';
import {
  bitString,
  CardFormatError,
  compileCardFormat,
  credentialProblems,
  decodeCard,
  encodeCard,
  frameBytes,
  frameHex,
  resolveCardFormat,
} from './card-format.js';

const w26 = resolveCardFormat('wiegand26');
const w34 = resolveCardFormat('wiegand34');

/** HID H10304, 37 bits: the layout and masks as HID's data sheet prints them. */
const h10304: CustomCardFormat = {
  name: 'h10304',
  layout: `P${'F'.repeat(16)}${'C'.repeat(19)}P`,
  parity: [`E${'X'.repeat(18)}${'.'.repeat(18)}`, `${'.'.repeat(18)}${'X'.repeat(18)}O`],
};

/**
 * HID Corporate 1000, 35 bits: bit 2 even over bits 3,4,6,7…, bit 35 odd over bits 2,3,5,6…, then bit 1 odd over
 * all the others (it covers the two parity bits set before it).
 */
const corp1000: CustomCardFormat = {
  name: 'corp1000-35',
  layout: `PP${'F'.repeat(12)}${'C'.repeat(20)}P`,
  parity: [
    Array.from({ length: 35 }, (_, i) => (i === 1 ? 'E' : i >= 2 && i <= 33 && (i + 1) % 3 !== 2 ? 'X' : '.')).join(''),
    Array.from({ length: 35 }, (_, i) => (i === 34 ? 'O' : i >= 1 && i <= 33 && (i + 1) % 3 !== 1 ? 'X' : '.')).join(''),
    `O${'X'.repeat(34)}`,
  ],
};

/** Known frames from published examples (reader manuals, HID tech notes, Proxmark3's encoder). */
const KNOWN_FRAMES = [
  // A 26-bit read worked through bit by bit: hex 21A6616, facility 13, card 13067.
  { format: 'wiegand26', facilityCode: 13, cardNumber: 13067, hex: '21A6616' },
  // A reader manual's W26 example: data D4 1B 81 → 1 11010100 00011011 10000001 0.
  { format: 'wiegand26', facilityCode: 0xd4, cardNumber: 0x1b81, bits: '1' + '110101000001101110000001' + '0' },
  // A camera manual's W34 example: card 1234567890 = 0x499602D2 → parities 1 and 0.
  { format: 'wiegand34', facilityCode: 0x4996, cardNumber: 0x02d2, bits: '1' + '01001001100101100000001011010010' + '0' },
  // A reader manual's W34 example: data 89 D4 1B 81 → parities 1 and 1.
  { format: 'wiegand34', facilityCode: 0x89d4, cardNumber: 0x1b81, bits: '1' + '10001001110101000001101110000001' + '1' },
  // A keypad manual: user code 12345678 = 0x00BC614E → even parity of 00BC is 1, odd parity of 614E is 0.
  { format: 'wiegand34', facilityCode: 0x00bc, cardNumber: 0x614e, bits: '1' + '00000000101111000110000101001110' + '0' },
  // The same manual: user code 1234 = 0x000004D2 → both parities 0.
  { format: 'wiegand34', facilityCode: 0, cardNumber: 1234, bits: '0' + '00000000000000000000010011010010' + '0' },
  // Proxmark3's H10304 encoding of facility 666, card 31337.
  { format: 'h10304', facilityCode: 666, cardNumber: 31337, hex: '1029A0F4D2' },
  // An iCLASS Corporate 1000 35-bit card (facility 1337, card 2137) as a reader sends it.
  { format: 'corp1000-35', facilityCode: 1337, cardNumber: 2137, hex: '4A72010B3' },
] as const;

describe('card formats', () => {
  for (const known of KNOWN_FRAMES) {
    test(`${known.format} facility ${known.facilityCode} card ${known.cardNumber} is the published frame`, () => {
      const format = resolveCardFormat(known.format, [h10304, corp1000]);
      const frame = encodeCard(format, known);
      if ('hex' in known) assert.equal(frameHex(frame), known.hex);
      if ('bits' in known) assert.equal(bitString(frame), known.bits);
      const decoded = decodeCard(format, frame);
      assert.deepEqual(decoded, { facilityCode: known.facilityCode, cardNumber: known.cardNumber, parityErrors: [], fixedErrors: [] });
    });
  }

  test('W26: every card number and every facility code round-trip, with the parities the H10301 masks give', () => {
    // An independent reading of the data sheet: 24 data bits as one number, parity over its top and bottom 12.
    const ones = (value: number): number => value.toString(2).replaceAll('0', '').length;
    const check = (facilityCode: number, cardNumber: number): void => {
      const frame = encodeCard(w26, { facilityCode, cardNumber });
      const data = facilityCode * 65536 + cardNumber;
      const even = ones(data >> 12) % 2;
      const odd = 1 - (ones(data & 0xfff) % 2);
      const expected = even * 2 ** 25 + data * 2 + odd;
      assert.equal(parseInt(frameHex(frame), 16), expected, `facility ${facilityCode} card ${cardNumber}`);
      const decoded = decodeCard(w26, frame);
      assert.equal(decoded.facilityCode, facilityCode);
      assert.equal(decoded.cardNumber, cardNumber);
      assert.deepEqual(decoded.parityErrors, []);
    };
    for (let cardNumber = 0; cardNumber <= 65535; cardNumber++) check(cardNumber % 256, cardNumber);
    for (let facilityCode = 0; facilityCode <= 255; facilityCode++) for (const cardNumber of [0, 1, 13067, 65535]) check(facilityCode, cardNumber);
  });

  test('W34: every card number round-trips with parities over the two 16-bit halves', () => {
    const ones = (value: number): number => value.toString(2).replaceAll('0', '').length;
    for (let cardNumber = 0; cardNumber <= 65535; cardNumber++) {
      const facilityCode = (cardNumber * 7919) % 65536;
      const frame = encodeCard(w34, { facilityCode, cardNumber });
      assert.equal(frame[0], ones(facilityCode) % 2);
      assert.equal(frame[33], 1 - (ones(cardNumber) % 2));
      const decoded = decodeCard(w34, frame);
      assert.equal(decoded.facilityCode, facilityCode);
      assert.equal(decoded.cardNumber, cardNumber);
      assert.deepEqual(decoded.parityErrors, []);
    }
  });

  test('a single flipped bit anywhere in a known frame is caught by a parity', () => {
    for (const known of KNOWN_FRAMES) {
      const format = resolveCardFormat(known.format, [h10304, corp1000]);
      const frame = encodeCard(format, known);
      for (let bit = 0; bit < frame.length; bit++) {
        const flipped = Uint8Array.from(frame);
        flipped[bit] = 1 - (flipped[bit] as number);
        assert.notDeepEqual(decodeCard(format, flipped).parityErrors, [], `${known.format} bit ${bit + 1}`);
      }
    }
  });

  test('credentials are checked against the format, each message naming its field', () => {
    assert.deepEqual(credentialProblems(w26, { facilityCode: 255, cardNumber: 65535 }), []);
    assert.match(credentialProblems(w26, { facilityCode: 256, cardNumber: 1 }).join(), /^facilityCode must be a whole number from 0 to 255 in format wiegand26, got 256$/);
    assert.match(credentialProblems(w26, { facilityCode: 1, cardNumber: 65536 }).join(), /^cardNumber must be a whole number from 0 to 65535/);
    assert.match(credentialProblems(w26, { facilityCode: 1, cardNumber: -1 }).join(), /^cardNumber .* got -1$/);
    assert.match(credentialProblems(w26, { facilityCode: 1.5, cardNumber: 1 }).join(), /^facilityCode .* got 1.5$/);
    assert.match(credentialProblems(w26, { cardNumber: 1 }).join(), /^facilityCode is required in format wiegand26 \(0 to 255\)$/);
    assert.deepEqual(credentialProblems(w34, { facilityCode: 65535, cardNumber: 65535 }), []);
    const cardOnly = compileCardFormat({ name: 'card32', layout: `P${'C'.repeat(32)}P`, parity: [`E${'X'.repeat(16)}${'.'.repeat(17)}`, `${'.'.repeat(17)}${'X'.repeat(16)}O`] });
    assert.deepEqual(credentialProblems(cardOnly, { cardNumber: 4_294_967_295 }), []);
    assert.match(credentialProblems(cardOnly, { facilityCode: 3, cardNumber: 1 }).join(), /^facilityCode: format card32 has no facility code, got 3$/);
    assert.throws(() => encodeCard(w26, { facilityCode: 300, cardNumber: 1 }), CardFormatError);
  });

  test('fixed bits are sent and checked', () => {
    const format = compileCardFormat({ name: 'fixed', layout: `P10${'C'.repeat(8)}P`, parity: [`E..XXXX${'.'.repeat(5)}`, `${'.'.repeat(7)}XXXXO`] });
    const frame = encodeCard(format, { cardNumber: 0xa5 });
    assert.equal(bitString(frame).slice(1, 3), '10');
    const broken = Uint8Array.from(frame);
    broken[1] = 0;
    assert.deepEqual(decodeCard(format, broken).fixedErrors, [2]);
  });

  test('descriptions that cannot work are refused, naming the problem', () => {
    const problems = (description: unknown): string => {
      const parsed = customCardFormatSchema.safeParse(description);
      assert.equal(parsed.success, false);
      return parsed.error?.issues.map((issue) => issue.message).join('; ') ?? '';
    };
    assert.match(problems({ name: 'x', layout: 'PFFP', parity: ['EXX.', '.XXO'] }), /layout needs card number bits/);
    assert.match(problems({ name: 'x', layout: 'PCCP', parity: ['EXX.'] }), /parity bit 4 \(P in the layout\) has no parity line/);
    assert.match(problems({ name: 'x', layout: 'PCCP', parity: ['EXX', '.XXO'] }), /parity line 1 has 3 characters, the layout 4/);
    assert.match(problems({ name: 'x', layout: 'PCCP', parity: ['EXX.', '.XOO'] }), /parity line 2 needs exactly one E or O/);
    assert.match(problems({ name: 'x', layout: 'PCCP', parity: ['EXX.', 'OXX.'] }), /already set by parity line 1/);
    assert.match(problems({ name: 'x', layout: 'PCCP', parity: ['E...', '.XXO'] }), /parity line 1 covers no bit/);
    assert.match(problems({ name: 'x', layout: 'PCZP', parity: [] }), /must be 2–128 characters of P/);
    assert.match(problems({ name: 'Bad Name', layout: 'CC', parity: [] }), /lower-case/);
    assert.throws(() => resolveCardFormat('h10302'), /no card format "h10302": choose one of wiegand26, wiegand34/);
  });

  test('frames pack into bytes first bit first, as OSDP raw card data carries them', () => {
    const frame = encodeCard(w26, { facilityCode: 13, cardNumber: 13067 });
    // 0x21A6616 shifted left to fill 4 bytes: 10000110 10011001 10000101 10000000.
    assert.deepEqual([...frameBytes(frame)], [0x86, 0x99, 0x85, 0x80]);
  });
});
