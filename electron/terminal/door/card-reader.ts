// A Wiegand card reader on two GPIO input lines, D0 and D1 (`door.inputs.cardReader`). The reader holds both lines
// high and pulls one low for about 50 µs per bit: a pulse on D0 is a 0, on D1 a 1, the first bit first. The kernel
// timestamps every edge (gpio-input.ts), so a frame is cut where no pulse has started for `frameGapMs` by those
// stamps, however late the edges reach this thread. A frame is decoded with the configured card format, or with the
// one known format of its length; anything else is unreadable and said why, never guessed.
import type { z } from 'zod';

import type { GpioEdgeEvent } from '../../../native-bridge/gpio/gpio-input.js';
import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { cardReaderHealthSchema } from '../../shared/contract/schemas.js';
import type { CustomCardFormat } from '../../shared/shapes/card-formats.js';
import type { DoorInputsConfig } from '../../shared/shapes/door-inputs.js';
import { bitString, decodeCard, knownCardFormats, resolveCardFormat, type CardFormat, type DecodedCard } from './card-format.js';
import { nodeTimers, openRealLines, type DoorInputLines, type DoorInputLinesFactory, type DoorInputTimers } from './door-inputs.js';
import type { DoorLogger } from './door-output.js';
import { errorMessage } from './error-message.js';

/** The setting `door.inputs.cardReader`, when one is wired. */
export type CardReaderConfig = NonNullable<DoorInputsConfig['cardReader']>;

/** State of the reader for health (the contract's cardReaderHealthSchema). */
export type CardReaderHealth = DeepReadonly<z.output<typeof cardReaderHealthSchema>>;

/** A card credential as read: facility code where the format has one, and card number. */
export interface ReadCredential {
  readonly facilityCode: number | null;
  readonly cardNumber: number;
}

/** A frame that decoded cleanly. */
export interface CardRead {
  /** When the frame's first pulse began, ms since the epoch. */
  readonly atMs: number;
  readonly credential: ReadCredential;
  /** The card format that decoded it. */
  readonly formatName: string;
  /** The frame as received, e.g. `10001101001100110000101100`. */
  readonly bits: string;
}

/** A frame that could not be read. */
export interface UnreadableCard {
  /** When the frame's first pulse began, ms since the epoch. */
  readonly atMs: number;
  /** The bits as received (pulses in the order they began). */
  readonly bits: string;
  /** Why, in words: `26 bits (wiegand26), parity bit 1 wrong`, `13 bits: no card format has 13 bits`. */
  readonly reason: string;
}

/** What the reader reads and how. */
export interface CardReaderOptions {
  /** The wiring; null when no reader is configured (the reader stays `off`). */
  readonly config: CardReaderConfig | null;
  /** The setting `credentials.format`: the format read when `config.format` is null. */
  readonly siteFormat: string;
  /** The setting `credentials.customFormats`: formats known besides the standard ones. */
  readonly customFormats: readonly CustomCardFormat[];
  /** Consumer label of the lines (`gpioinfo`), at most 31 bytes; default `lintel-card-reader`. */
  readonly consumer?: string;
  /** A frame ends when no pulse has started for this long, ms; default 25 (SIA: bits at most 20 ms apart). */
  readonly frameGapMs?: number;
}

/** Dependencies of the reader. */
export interface CardReaderDeps {
  readonly logger: DoorLogger;
  readonly onCard: (read: CardRead) => void;
  readonly onUnreadable: (frame: UnreadableCard) => void;
  /** Default GpioInputLines.open on the real character device, imported on first use. */
  readonly openLines?: DoorInputLinesFactory;
  /** Default node's. */
  readonly timers?: DoorInputTimers;
  /** Wall clock, ms since the epoch; default Date.now. */
  readonly nowMs?: () => number;
  /** The clock the kernel stamps edges on (CLOCK_MONOTONIC), ns; default process.hrtime.bigint. */
  readonly monotonicNs?: () => bigint;
  /** Wait before lines that could not be had are asked for again, ms; default 10000. */
  readonly retryMs?: number;
}

/** A pulse on D0 or D1: its asserting and releasing edges, on the kernel's CLOCK_MONOTONIC. */
export interface WiegandPulse {
  readonly value: 0 | 1;
  readonly startNs: bigint;
  readonly endNs: bigint;
}

/** Pairs each line's asserting edge with its release, in the order the pulses started; a pulse not released is left out. */
export function pulsesFromEdges(events: readonly GpioEdgeEvent[], d0InLine: number, d1InLine: number): WiegandPulse[] {
  const started = new Map<number, bigint>();
  const pulses: WiegandPulse[] = [];
  for (const event of events) {
    if (event.line !== d0InLine && event.line !== d1InLine) continue;
    if (event.active) {
      started.set(event.line, event.timestampNs);
    } else {
      const startNs = started.get(event.line);
      started.delete(event.line);
      if (startNs !== undefined) pulses.push({ value: event.line === d1InLine ? 1 : 0, startNs, endNs: event.timestampNs });
    }
  }
  return pulses.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
}

/**
 * Edges reach this thread a little after the kernel stamps them: a frame is closed this long after its gap has
 * passed, so a last edge still on its way is not taken for the start of another frame.
 */
const DELIVERY_MARGIN_MS = 5;

/**
 * Frames shorter than this that no format reads are line noise (a relay switching nearby, a cable moved), logged but
 * no access event: a reader sends 26 bits and more for a card, and keypads 4 or 8 for a key.
 */
const NOISE_BELOW_BITS = 4;

/** Edges the kernel buffers: two frames of the longest format (128 bits, two edges each) while the thread is busy. */
const EVENT_BUFFER_SIZE = 512;

/** The edges of the frame being received. */
interface Frame {
  readonly edges: GpioEdgeEvent[];
  readonly firstNs: bigint;
  lastStartNs: bigint;
  /** Edges the kernel dropped while the frame came (gaps in the sequence numbers). */
  lostEdges: number;
}

const bitCount = (count: number): string => `${count} bit${count === 1 ? '' : 's'}`;

const listed = (numbers: readonly number[]): string => (numbers.length === 1 ? String(numbers[0]) : `${numbers.slice(0, -1).join(', ')} and ${String(numbers.at(-1))}`);

/** A decoded frame's errors in words: `parity bit 1 wrong`, `parity bits 1 and 26 wrong, fixed bit 2 wrong`. */
function decodeProblems(decoded: DecodedCard): string {
  const problems: string[] = [];
  if (decoded.parityErrors.length > 0) problems.push(`parity bit${decoded.parityErrors.length === 1 ? '' : 's'} ${listed(decoded.parityErrors)} wrong`);
  if (decoded.fixedErrors.length > 0) problems.push(`fixed bit${decoded.fixedErrors.length === 1 ? '' : 's'} ${listed(decoded.fixedErrors)} wrong`);
  return problems.join(', ');
}

/**
 * A frame's bits read with a reader's rules: the `configured` format when the frame has its length, else the one
 * `known` format of that length whose parity and fixed bits hold; a reason when there is none, or several would fit.
 */
export function decodeFrame(bits: readonly number[], configured: CardFormat, known: readonly CardFormat[]): { format: CardFormat; card: DecodedCard } | { reason: string } {
  const count = bits.length;
  const candidates = count === configured.totalBits ? [configured] : known.filter((format) => format.totalBits === count);
  if (candidates.length === 0) return { reason: `${bitCount(count)}: no card format has ${bitCount(count)}` };
  const results = candidates.map((format) => ({ format, card: decodeCard(format, bits) }));
  const clean = results.filter(({ card }) => card.parityErrors.length === 0 && card.fixedErrors.length === 0);
  const [only] = clean;
  if (only && clean.length === 1) return only;
  if (clean.length > 1) return { reason: `${bitCount(count)}: formats ${clean.map(({ format }) => format.name).join(', ')} all fit; set the reader's format` };
  // The configured format's errors when it has the length, else the first known format's.
  const first = results[0] as (typeof results)[number];
  return { reason: `${bitCount(count)} (${first.format.name}), ${decodeProblems(first.card)}` };
}

/**
 * The card reader of one configuration. `start()` requests D0 and D1 (a failure is a health state, retried),
 * every frame goes to `onCard` or `onUnreadable`, `close()` releases the lines and stops every timer.
 */
export class CardReader {
  private readonly timers: DoorInputTimers;
  private readonly nowMs: () => number;
  private readonly monotonicNs: () => bigint;
  private readonly frameGapNs: bigint;
  private format: CardFormat | undefined;
  private knownFormats: readonly CardFormat[] = [];
  /** Why the configured format cannot be used (a configuration problem: not retried). */
  private formatProblem: string | undefined;
  private lines: DoorInputLines | undefined;
  private failure: string | undefined;
  private retryTimer: { readonly handle: unknown } | undefined;
  private frameTimer: { readonly handle: unknown } | undefined;
  private frame: Frame | undefined;
  private lastSeqno = 0;
  private starting: Promise<void> | undefined;
  private isClosed = false;

  constructor(
    readonly options: CardReaderOptions,
    private readonly deps: CardReaderDeps,
  ) {
    this.timers = deps.timers ?? nodeTimers;
    this.nowMs = deps.nowMs ?? Date.now;
    this.monotonicNs = deps.monotonicNs ?? process.hrtime.bigint;
    this.frameGapNs = BigInt(Math.round((options.frameGapMs ?? 25) * 1e6));
    if (options.config === null) return;
    try {
      this.format = resolveCardFormat(options.config.format ?? options.siteFormat, options.customFormats);
      this.knownFormats = knownCardFormats(options.customFormats);
    } catch (error) {
      this.formatProblem = errorMessage(error);
    }
  }

  /** Whether a reader is configured. */
  get configured(): boolean {
    return this.options.config !== null;
  }

  /** Requests D0 and D1; resolves either way (a failure is health, retried). */
  start(): Promise<void> {
    if (this.options.config === null || this.formatProblem !== undefined || this.isClosed || this.lines !== undefined) return Promise.resolve();
    this.starting ??= this.openLines(this.options.config).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  health(): CardReaderHealth {
    const { config } = this.options;
    if (config === null) return { status: 'off' };
    if (this.formatProblem !== undefined) return { status: 'fault', message: `card reader: ${this.formatProblem}` };
    if (this.failure !== undefined) return { status: 'fault', message: `card reader unavailable: ${this.failure}` };
    return { status: 'ok', message: `reads ${this.format?.name ?? ''} cards on ${config.chipPath} lines ${config.d0Line} (D0) and ${config.d1Line} (D1)` };
  }

  /** Releases the lines and stops every timer; a frame being received is dropped. Idempotent. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.starting;
    this.clear(this.retryTimer);
    this.clear(this.frameTimer);
    this.frame = undefined;
    await this.releaseLines();
  }

  private async openLines(config: CardReaderConfig): Promise<void> {
    const { chipPath, d0Line, d1Line, bias } = config;
    try {
      // Active low: the kernel inverts, so a pulse is the line active and its falling edge the pulse's start.
      const lines = await (this.deps.openLines ?? openRealLines)({
        chipPath,
        lines: [
          { line: d0Line, activeLow: true, bias },
          { line: d1Line, activeLow: true, bias },
        ],
        consumer: this.options.consumer ?? 'lintel-card-reader',
        eventBufferSize: EVENT_BUFFER_SIZE,
      });
      this.lines = lines;
      if (this.isClosed) return;
      this.lastSeqno = 0;
      const levels = lines.values();
      for (const [line, name] of [[d0Line, 'D0'], [d1Line, 'D1']] as const) {
        // Nothing reads on a line held low: a reader without power and no pull-up, or a wire to ground.
        if (levels.get(line) === true) this.deps.logger.warn('door.card-reader.line-low', { line: `${name} ${chipPath} line ${line}` });
      }
      lines.watch(
        (events) => this.onEdges(events),
        (error) => void this.lost(error),
      );
    } catch (error) {
      await this.unavailable(error);
      return;
    }
    if (this.failure !== undefined) this.deps.logger.info('door.card-reader.available', { chipPath, d0Line, d1Line });
    this.failure = undefined;
  }

  private onEdges(events: readonly GpioEdgeEvent[]): void {
    const config = this.options.config;
    if (this.isClosed || config === null) return;
    const gapNs = this.frameGapNs;
    for (const event of events) {
      // Sequence numbers start at 1 with each request: a gap, even before the first edge read, is edges dropped.
      const lost = event.seqno > this.lastSeqno + 1 ? event.seqno - this.lastSeqno - 1 : 0;
      this.lastSeqno = event.seqno;
      if (event.line !== config.d0Line && event.line !== config.d1Line) continue;
      if (event.active) {
        if (this.frame && event.timestampNs - this.frame.lastStartNs >= gapNs) {
          // Edges lost in the gap may be the end of the one frame or the start of the next: both are unreadable.
          this.frame.lostEdges += lost;
          this.finishFrame();
        }
        this.frame ??= { edges: [], firstNs: event.timestampNs, lastStartNs: event.timestampNs, lostEdges: 0 };
        this.frame.lastStartNs = event.timestampNs;
      }
      // A release with no frame open ends a pulse that began before the lines were requested, or a line held past
      // its frame's end (told in that frame): nothing to read.
      if (!this.frame) continue;
      this.frame.edges.push(event);
      this.frame.lostEdges += lost;
    }
    this.armFrameTimer();
  }

  /** Closes the open frame once no pulse has started for frameGapMs by the kernel's clock. */
  private armFrameTimer(): void {
    this.clear(this.frameTimer);
    this.frameTimer = undefined;
    const frame = this.frame;
    if (!frame) return;
    const remainingMs = Number(frame.lastStartNs + this.frameGapNs - this.monotonicNs()) / 1e6 + DELIVERY_MARGIN_MS;
    this.frameTimer = {
      handle: this.timers.setTimeout(
        () => {
          this.frameTimer = undefined;
          if (this.isClosed || this.frame !== frame) return;
          // A timer may fire early against the kernel's clock: wait for the rest.
          if (this.monotonicNs() - frame.lastStartNs < this.frameGapNs) this.armFrameTimer();
          else this.finishFrame();
        },
        Math.max(0, Math.ceil(remainingMs)),
      ),
    };
  }

  private finishFrame(): void {
    const frame = this.frame;
    const config = this.options.config;
    this.frame = undefined;
    if (!frame || config === null) return;
    const { d0Line, d1Line } = config;
    // The kernel's stamp on the wall clock: now, less how long ago the stamp was; whole ms, as events are kept.
    const atMs = Math.round(this.nowMs() - Number(this.monotonicNs() - frame.firstNs) / 1e6);
    const pulses = pulsesFromEdges(frame.edges, d0Line, d1Line);
    const bits = pulses.map((pulse) => pulse.value);
    const frameBits = bitString(bits);
    const unreadable = (reason: string): void => this.report(() => this.deps.onUnreadable({ atMs, bits: frameBits, reason }));
    if (frame.lostEdges > 0) return unreadable(`${bitCount(bits.length)}: the kernel dropped ${frame.lostEdges} edge(s) of the frame`);
    const held = ([[d0Line, 'D0'], [d1Line, 'D1']] as const).filter(([line]) => frame.edges.findLast((event) => event.line === line)?.active === true).map(([, name]) => name);
    if (held.length > 0) return unreadable(`${bitCount(bits.length)}: ${held.join(' and ')} still low ${this.options.frameGapMs ?? 25} ms after the last pulse began`);
    let endNs: bigint | undefined;
    for (const pulse of pulses) {
      if (endNs !== undefined && pulse.startNs < endNs) return unreadable(`${bitCount(bits.length)}: pulses on D0 and D1 at once`);
      endNs = endNs === undefined || pulse.endNs > endNs ? pulse.endNs : endNs;
    }
    const decoded = this.decode(bits);
    if ('reason' in decoded && bits.length < NOISE_BELOW_BITS) {
      // A pulse or two that no format reads is interference on the wires, not something presented at the door.
      this.deps.logger.info('door.card-reader.noise', { bits: frameBits, reason: decoded.reason });
      return;
    }
    if ('reason' in decoded) return unreadable(decoded.reason);
    this.report(() => this.deps.onCard({ atMs, credential: { facilityCode: decoded.card.facilityCode, cardNumber: decoded.card.cardNumber }, formatName: decoded.format.name, bits: frameBits }));
  }

  /** Runs an owner's callback: one that throws must not end the watch of the lines (or escape a timer). */
  private report(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.deps.logger.warn('door.card-reader.report-failed', { error: errorMessage(error) });
    }
  }

  private decode(bits: readonly number[]): { format: CardFormat; card: DecodedCard } | { reason: string } {
    return this.format === undefined ? { reason: 'no card format' } : decodeFrame(bits, this.format, this.knownFormats);
  }

  /** The watch failed (a line went away): release, report, retry. */
  private async lost(error: unknown): Promise<void> {
    if (this.isClosed) return;
    await this.unavailable(error);
  }

  private async unavailable(error: unknown): Promise<void> {
    const reason = errorMessage(error);
    const retryMs = this.deps.retryMs ?? 10_000;
    if (this.failure !== reason) this.deps.logger.warn('door.card-reader.unavailable', { reason, retryMs });
    this.failure = reason;
    this.clear(this.frameTimer);
    this.frameTimer = undefined;
    this.frame = undefined;
    await this.releaseLines();
    if (this.isClosed) return;
    this.clear(this.retryTimer);
    this.retryTimer = { handle: this.timers.setTimeout(() => void this.start(), retryMs) };
  }

  private async releaseLines(): Promise<void> {
    const lines = this.lines;
    this.lines = undefined;
    await lines?.close().catch((error: unknown) => {
      this.deps.logger.warn('door.card-reader.close-failed', { error: errorMessage(error) });
    });
  }

  private clear(timer: { readonly handle: unknown } | undefined): void {
    if (timer !== undefined) this.timers.clearTimeout(timer.handle);
  }
}
