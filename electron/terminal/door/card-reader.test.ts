import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';

import type { z } from 'zod';

import { FakeGpioChip } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import { GpioInputLines } from '../../../native-bridge/gpio/gpio-input.js';
import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import type { CustomCardFormat } from '../../shared/shapes/card-formats.js';
import { doorInputsConfigSchema } from '../../shared/shapes/door-inputs.js';
import { bitString, encodeCard, resolveCardFormat } from './card-format.js';
import { CardReader, type CardRead, type CardReaderOptions, type UnreadableCard } from './card-reader.js';
import { ManualTimers } from './test/manual-timers.js';

const CHIP = '/dev/gpiochip3';
const D0 = 8;
const D1 = 9;
/** The terminal's wall clock when the manual clock reads 0. */
const WALL_MS = Date.UTC(2025, 0, 6, 8, 0, 0);
/** CLOCK_MONOTONIC when the manual clock reads 0: the board has been up a while. */
const MONOTONIC_NS = 3_600_000_000_000n;

/** H10304: 37 bits, 16-bit facility code, 19-bit card number; a site's own format. */
const H10304: CustomCardFormat = {
  name: 'h10304',
  layout: `P${'F'.repeat(16)}${'C'.repeat(19)}P`,
  parity: [`E${'X'.repeat(18)}${'.'.repeat(18)}`, `${'.'.repeat(18)}${'X'.repeat(18)}O`],
};

/** Lets the lines' watch loop read what the fake chip queued. */
const delivered = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));

const ns = (ms: number): bigint => MONOTONIC_NS + BigInt(Math.round(ms * 1000)) * 1000n;

/** A frame's bits in a format, as a reader sends them. */
const frame = (format: string, credential: { facilityCode?: number; cardNumber: number }, custom: readonly CustomCardFormat[] = []): string => bitString(encodeCard(resolveCardFormat(format, custom), credential));

/** A card reader on a fake chip, on manual clocks; closed when the test ends. */
function reader(t: TestContext, config: Partial<z.input<typeof doorInputsConfigSchema>['cardReader'] & object> = {}, options: Partial<CardReaderOptions> = {}) {
  const sys = new FakeSyscalls();
  const chip = new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3' }).install(sys, CHIP);
  const timers = new ManualTimers();
  const cards: CardRead[] = [];
  const unreadable: UnreadableCard[] = [];
  const logged: string[] = [];
  const parsed = doorInputsConfigSchema.parse({ cardReader: { chipPath: CHIP, d0Line: D0, d1Line: D1, ...config } });
  const cardReader = new CardReader(
    { config: parsed.cardReader, siteFormat: 'wiegand26', customFormats: [H10304], consumer: 'lintel-door-inputs', ...options },
    {
      logger: { info: (message) => void logged.push(message), warn: (message) => void logged.push(message) },
      onCard: (read) => void cards.push(read),
      onUnreadable: (read) => void unreadable.push(read),
      openLines: (lineOptions) => GpioInputLines.open(lineOptions, { sys, pollSliceMs: 20 }),
      timers,
      nowMs: () => WALL_MS + timers.nowMs,
      monotonicNs: () => ns(timers.nowMs),
      retryMs: 5000,
    },
  );
  t.after(() => cardReader.close());

  /** When the last edge the test made was stamped, on the manual clock. */
  let lastEdgeMs = 0;

  /** Drives a line as the reader does, the edge stamped by the "kernel" at `atMs` on the manual clock. */
  function drive(line: number, high: boolean, atMs: number): void {
    chip.drive(line, high, ns(atMs));
    lastEdgeMs = Math.max(lastEdgeMs, atMs);
  }

  /**
   * Pulses `bits` as a reader does, from `startMs` on the manual clock: a pulse of 50 µs low on D0 for a 0, on D1
   * for a 1, one every `intervalMs`. Returns when the last pulse began.
   */
  function pulse(bits: string, startMs: number, intervalMs = 2): number {
    [...bits].forEach((bit, i) => {
      const line = bit === '1' ? D1 : D0;
      const atMs = startMs + i * intervalMs;
      drive(line, false, atMs);
      drive(line, true, atMs + 0.05);
    });
    return startMs + (bits.length - 1) * intervalMs;
  }

  /** Lets the edges reach the reader, then moves the manual clock to 100 ms after the last edge (the gap passes). */
  async function settle(): Promise<void> {
    await delivered();
    timers.advance(Math.max(0, lastEdgeMs + 100 - timers.nowMs));
  }

  return { chip, timers, cards, unreadable, logged, cardReader, drive, pulse, settle };
}

describe('the card reader setting', () => {
  test('none by default; a reader is pulled up and reads the site format unless it names one', () => {
    assert.equal(doorInputsConfigSchema.parse({}).cardReader, null);
    const parsed = doorInputsConfigSchema.parse({ cardReader: { chipPath: CHIP, d0Line: D0, d1Line: D1 } });
    assert.deepEqual(parsed.cardReader, { chipPath: CHIP, d0Line: D0, d1Line: D1, bias: 'pull-up', format: null });
  });

  test('D0 and D1 are two lines, neither the door contact nor the exit button; the message names the line', () => {
    const problems = (value: unknown): string[] => {
      const result = doorInputsConfigSchema.safeParse(value);
      return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    assert.deepEqual(problems({ cardReader: { chipPath: CHIP, d0Line: 4, d1Line: 4 } }), [`cardReader.d1Line: ${CHIP} line 4 is already the card reader's D0`]);
    assert.deepEqual(
      problems({ contact: { chipPath: CHIP, line: 4 }, exitButton: { chipPath: CHIP, line: 5 }, cardReader: { chipPath: CHIP, d0Line: 4, d1Line: 5 } }),
      [`cardReader.d0Line: ${CHIP} line 4 is already the door contact`, `cardReader.d1Line: ${CHIP} line 5 is already the exit button`],
    );
    assert.deepEqual(problems({ contact: { chipPath: '/dev/gpiochip0', line: 4 }, cardReader: { chipPath: CHIP, d0Line: 4, d1Line: 5 } }), [], 'the same offset on another chip is another line');
    assert.deepEqual(problems({ cardReader: { chipPath: CHIP, d0Line: 4, d1Line: 5, format: 'Wiegand 26' } }), ['cardReader.format: must name a card format']);
  });
});

describe('card reader', () => {
  test('D0 and D1 on one request, active low and pulled up, both edges; a 26-bit frame is a card at its first edge', async (t) => {
    const { chip, timers, cards, unreadable, cardReader, pulse, settle } = reader(t);
    await cardReader.start();
    const [request] = chip.requests;
    assert.deepEqual(request?.offsets, [D0, D1]);
    // INPUT | EDGE_RISING | EDGE_FALLING | BIAS_PULL_UP | ACTIVE_LOW, the same for both lines.
    assert.equal(request?.flags, 0x4 | 0x10 | 0x20 | 0x100 | 0x2);
    assert.equal(request?.lineFlags, undefined);
    assert.equal(request?.consumer, 'lintel-door-inputs');
    assert.equal(request?.eventBufferSize, 512);
    assert.deepEqual(cardReader.health(), { status: 'ok', message: `reads wiegand26 cards on ${CHIP} lines 8 (D0) and 9 (D1)` });

    timers.advance(1000);
    const bits = frame('wiegand26', { facilityCode: 123, cardNumber: 4567 });
    pulse(bits, 1000);
    await delivered();
    timers.advance(50);
    assert.deepEqual(cards, [], 'not before no pulse has started for 25 ms');
    await settle();
    assert.deepEqual(cards, [{ atMs: WALL_MS + 1000, credential: { facilityCode: 123, cardNumber: 4567 }, formatName: 'wiegand26', bits }]);
    assert.deepEqual(unreadable, []);
  });

  test('a frame of another length is read with the one known format of that length: wiegand34, a custom format', async (t) => {
    const { cards, unreadable, cardReader, pulse, settle } = reader(t);
    await cardReader.start();
    pulse(frame('wiegand34', { facilityCode: 40_000, cardNumber: 65_000 }), 0);
    await settle();
    pulse(frame('h10304', { facilityCode: 1234, cardNumber: 500_000 }, [H10304]), 100);
    await settle();
    assert.deepEqual(
      cards.map(({ formatName, credential }) => ({ formatName, ...credential })),
      [
        { formatName: 'wiegand34', facilityCode: 40_000, cardNumber: 65_000 },
        { formatName: 'h10304', facilityCode: 1234, cardNumber: 500_000 },
      ],
    );
    assert.deepEqual(unreadable, []);
  });

  test('a reader may name its own format, a custom one; the site format does not matter then', async (t) => {
    const { cards, cardReader, pulse, settle } = reader(t, { format: 'h10304' }, { siteFormat: 'wiegand34' });
    await cardReader.start();
    assert.match(cardReader.health().message ?? '', /^reads h10304 cards/);
    pulse(frame('h10304', { facilityCode: 7, cardNumber: 123_456 }, [H10304]), 0);
    await settle();
    assert.deepEqual(cards.map(({ formatName, credential }) => ({ formatName, ...credential })), [{ formatName: 'h10304', facilityCode: 7, cardNumber: 123_456 }]);
  });

  test('a wrong parity bit, a length no format has, pulses on both lines at once: unreadable, said why, never guessed', async (t) => {
    const { unreadable, cards, cardReader, pulse, drive, settle } = reader(t);
    await cardReader.start();
    const good = frame('wiegand26', { facilityCode: 12, cardNumber: 345 });
    const flipped = `${good[0] === '1' ? '0' : '1'}${good.slice(1)}`;
    pulse(flipped, 0);
    await settle();
    pulse('1011001110100', 200);
    await settle();
    // The 3rd pulse on D1 starts while the 2nd, on D0, is still low.
    drive(D1, false, 400);
    drive(D1, true, 400.05);
    drive(D0, false, 402);
    drive(D1, false, 402.02);
    drive(D0, true, 402.05);
    drive(D1, true, 402.07);
    await settle();
    assert.deepEqual(unreadable, [
      { atMs: WALL_MS, bits: flipped, reason: '26 bits (wiegand26), parity bit 1 wrong' },
      { atMs: WALL_MS + 200, bits: '1011001110100', reason: '13 bits: no card format has 13 bits' },
      { atMs: WALL_MS + 400, bits: '101', reason: '3 bits: pulses on D0 and D1 at once' },
    ]);
    assert.deepEqual(cards, []);
  });

  test('a pulse or two that no format reads is line noise: logged, not an unreadable card', async (t) => {
    const { unreadable, cards, logged, cardReader, pulse, settle } = reader(t);
    await cardReader.start();
    pulse('1', 0);
    await settle();
    pulse('01', 200);
    await settle();
    pulse('0110', 400);
    await settle();
    assert.deepEqual(
      logged.filter((message) => message === 'door.card-reader.noise'),
      ['door.card-reader.noise', 'door.card-reader.noise'],
    );
    assert.deepEqual(unreadable, [{ atMs: WALL_MS + 400, bits: '0110', reason: '4 bits: no card format has 4 bits' }], 'four bits may be a keypad: said');
    assert.deepEqual(cards, []);
  });

  test('bits up to 20 ms apart are one frame; a pause of 25 ms splits it, and frames 30 ms apart are two cards', async (t) => {
    const { unreadable, cards, cardReader, pulse, settle } = reader(t);
    await cardReader.start();
    const first = frame('wiegand26', { facilityCode: 1, cardNumber: 1 });
    const second = frame('wiegand26', { facilityCode: 2, cardNumber: 2 });
    // A slow reader: the SIA's longest interval.
    pulse(first, 0, 20);
    await settle();
    assert.deepEqual(cards.map(({ atMs, credential }) => ({ atMs, ...credential })), [{ atMs: WALL_MS, facilityCode: 1, cardNumber: 1 }]);

    // A frame broken by a 40 ms pause: two halves, neither a card. Both reach the reader in one batch.
    pulse(first.slice(0, 13), 1000);
    pulse(first.slice(13), 1000 + 12 * 2 + 40);
    await settle();
    assert.deepEqual(unreadable.map(({ atMs, reason }) => ({ atMs, reason })), [
      { atMs: WALL_MS + 1000, reason: '13 bits: no card format has 13 bits' },
      { atMs: WALL_MS + 1064, reason: '13 bits: no card format has 13 bits' },
    ]);

    // Two cards back to back, the second 30 ms after the first one's last bit, also in one batch.
    const end = pulse(first, 2000);
    pulse(second, end + 30);
    await settle();
    assert.deepEqual(
      cards.slice(1).map(({ atMs, credential }) => ({ atMs, ...credential })),
      [
        { atMs: WALL_MS + 2000, facilityCode: 1, cardNumber: 1 },
        { atMs: WALL_MS + end + 30, facilityCode: 2, cardNumber: 2 },
      ],
    );
    assert.equal(unreadable.length, 2);
  });

  test('edges the kernel dropped make the frame unreadable; a line held low is said', async (t) => {
    const { unreadable, cardReader, pulse, drive, settle } = reader(t);
    await cardReader.start();
    // 300 pulses at once overflow the 512 events the request buffers: the oldest 88 go.
    pulse('01'.repeat(150), 0, 0.1);
    await settle();
    assert.deepEqual(unreadable.map(({ reason }) => reason), ['256 bits: the kernel dropped 88 edge(s) of the frame']);
    drive(D0, false, 500);
    drive(D1, false, 502);
    drive(D1, true, 502.05);
    await settle();
    assert.equal(unreadable[1]?.reason, '1 bit: D0 still low 25 ms after the last pulse began');
  });

  test('lines that cannot be had are a fault, retried until they can; then cards are read', async (t) => {
    const { chip, timers, logged, cards, cardReader, pulse, settle } = reader(t);
    chip.holdElsewhere(D1, 'gpio-keys');
    await cardReader.start();
    const health = cardReader.health();
    assert.equal(health.status, 'fault');
    assert.match(health.message ?? '', /^card reader unavailable: .*EBUSY.*another consumer/);
    assert.deepEqual(logged, ['door.card-reader.unavailable']);
    timers.advance(5000);
    await delivered();
    assert.deepEqual(logged, ['door.card-reader.unavailable'], 'still busy: not logged again');
    chip.releaseElsewhere(D1);
    timers.advance(5000);
    await delivered();
    assert.equal(cardReader.health().status, 'ok');
    assert.deepEqual(logged, ['door.card-reader.unavailable', 'door.card-reader.available']);
    pulse(frame('wiegand26', { facilityCode: 9, cardNumber: 99 }), timers.nowMs);
    await settle();
    assert.deepEqual(cards.map(({ credential }) => credential), [{ facilityCode: 9, cardNumber: 99 }]);
  });

  test('a format the terminal does not know is a fault, and no line is requested', async (t) => {
    const { chip, cardReader } = reader(t, { format: 'h10306' });
    await cardReader.start();
    assert.deepEqual(cardReader.health(), { status: 'fault', message: 'card reader: no card format "h10306": choose one of wiegand26, wiegand34, h10304' });
    assert.deepEqual(chip.requests, []);
  });

  test('close releases the lines and every timer; a frame being received is dropped', async (t) => {
    const { chip, timers, cards, unreadable, cardReader, pulse } = reader(t);
    await cardReader.start();
    assert.equal(chip.isHeld(D0), true);
    pulse(frame('wiegand26', { facilityCode: 3, cardNumber: 3 }), 0);
    await delivered();
    assert.equal(timers.armed, 1, 'the frame timer');
    await cardReader.close();
    assert.equal(chip.isHeld(D0), false);
    assert.equal(chip.isHeld(D1), false);
    assert.equal(timers.armed, 0);
    timers.advance(1000);
    assert.deepEqual([cards, unreadable], [[], []]);
    await cardReader.close();
  });

  test('without a reader configured it is off and requests nothing', async (t) => {
    const { chip } = reader(t);
    const off = new CardReader({ config: null, siteFormat: 'wiegand26', customFormats: [] }, { logger: { info: () => undefined, warn: () => undefined }, onCard: () => undefined, onUnreadable: () => undefined });
    await off.start();
    assert.equal(off.configured, false);
    assert.deepEqual(off.health(), { status: 'off' });
    assert.deepEqual(chip.requests, []);
    await off.close();
  });

  test('on the real clocks a card is stamped with the wall time of its first edge', async (t) => {
    const sys = new FakeSyscalls();
    const chip = new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3' }).install(sys, CHIP);
    const config = doorInputsConfigSchema.parse({ cardReader: { chipPath: CHIP, d0Line: D0, d1Line: D1 } }).cardReader;
    const cards: CardRead[] = [];
    const cardReader = new CardReader(
      { config, siteFormat: 'wiegand26', customFormats: [] },
      { logger: { info: () => undefined, warn: () => undefined }, onCard: (read) => void cards.push(read), onUnreadable: () => assert.fail('unreadable'), openLines: (options) => GpioInputLines.open(options, { sys, pollSliceMs: 20 }) },
    );
    t.after(() => cardReader.close());
    await cardReader.start();
    // The frame began 100 ms ago by the kernel's clock.
    const startNs = process.hrtime.bigint() - 100_000_000n;
    const sentAtMs = Date.now() - 100;
    [...frame('wiegand26', { facilityCode: 5, cardNumber: 5 })].forEach((bit, i) => {
      const line = bit === '1' ? D1 : D0;
      chip.drive(line, false, startNs + BigInt(i) * 2_000_000n);
      chip.drive(line, true, startNs + BigInt(i) * 2_000_000n + 50_000n);
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(cards.length, 1);
    assert.ok(Math.abs((cards[0]?.atMs ?? 0) - sentAtMs) < 20, `stamped ${String(cards[0]?.atMs)}, sent ${sentAtMs}`);
  });
});
