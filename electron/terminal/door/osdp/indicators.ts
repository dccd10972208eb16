// What the panel shows through the reader: its LED (a permanent state, and a temporary one for a while, e.g.
// green for 3 s after the panel granted), its buzzer, its text line and its output. The terminal has no such
// LED: it draws them on the door screen, so a terminal configured as a reader shows the panel's decision.
// Each change becomes one PanelIndication, the whole state at once, so a screen that missed one is not wrong.
import type { BuzzerRecord, LedColor, LedPattern, LedRecord, OutputRecord, TextRecord } from './commands.js';

/** The reader's state as the door screen shows it. */
export interface PanelIndication {
  /** The output it came through. */
  readonly output: string;
  /** The LED now: null when dark. */
  readonly led: { readonly color: LedColor; readonly flashing: boolean } | null;
  /** The text line; null when none. */
  readonly text: string | null;
  /** Whether the panel has the reader's output (a door release) switched on. */
  readonly outputActive: boolean;
  /** A buzz to sound now (only in the indication an osdp_BUZ caused); count 0 = until the next buzzer command. */
  readonly buzzer: { readonly onMs: number; readonly offMs: number; readonly count: number } | null;
  /** When it changed, ms since the epoch. */
  readonly atMs: number;
}

/** Timers the indicators use; tests pass manual ones. */
export interface IndicatorTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const nodeTimers: IndicatorTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A state that lasts until its timer ends, then gives way to the permanent one. */
interface Temporary<T> {
  readonly value: T;
  readonly timer: unknown;
}

/** LED, buzzer, text and output of one reader, with their temporary states timed. */
export class ReaderIndicators {
  private permanentLed: LedPattern | null = null;
  private temporaryLed: Temporary<LedPattern> | undefined;
  private permanentText: string | null = null;
  private temporaryText: Temporary<string> | undefined;
  private permanentOutput = false;
  private temporaryOutput: Temporary<boolean> | undefined;
  private closed = false;

  constructor(
    private readonly output: string,
    private readonly emit: (indication: PanelIndication) => void,
    private readonly nowMs: () => number = Date.now,
    private readonly timers: IndicatorTimers = nodeTimers,
  ) {}

  /** osdp_LED: LED 0's temporary and permanent states. */
  led(records: readonly LedRecord[]): void {
    for (const record of records) {
      if (record.permanentControl === 1) this.permanentLed = record.permanent;
      if (record.temporaryControl === 1) this.temporaryLed = this.cancel(this.temporaryLed);
      if (record.temporaryControl === 2) {
        this.cancel(this.temporaryLed);
        const { timerMs, ...pattern } = record.temporary;
        this.temporaryLed = { value: pattern, timer: this.after(timerMs, () => (this.temporaryLed = undefined)) };
      }
    }
    this.publish(null);
  }

  /** osdp_BUZ: sounds on the door screen; tone 1 (off) stops a buzzer left sounding. */
  buzzer(records: readonly BuzzerRecord[]): void {
    for (const record of records) {
      if (record.tone === 0) continue;
      this.publish(record.tone === 1 ? { onMs: 0, offMs: 0, count: 1 } : { onMs: record.onMs, offMs: record.offMs, count: record.count });
    }
  }

  /** osdp_TEXT: one line; a temporary text for its seconds, then the permanent one again. */
  text(record: TextRecord): void {
    const text = record.text.trim() === '' ? null : record.text.trim();
    if (record.command <= 2) {
      this.permanentText = text;
      this.temporaryText = this.cancel(this.temporaryText);
    } else {
      this.cancel(this.temporaryText);
      this.temporaryText = text === null ? undefined : { value: text, timer: this.after(record.temporarySeconds * 1000, () => (this.temporaryText = undefined)) };
    }
    this.publish(null);
  }

  /** osdp_OUT: the reader's one output, permanent or timed (control codes 1–6). */
  outputs(records: readonly OutputRecord[]): void {
    for (const { control, timerMs } of records) {
      switch (control) {
        case 1:
        case 2:
          this.permanentOutput = control === 2;
          this.temporaryOutput = this.cancel(this.temporaryOutput);
          break;
        case 3:
        case 4:
          // The permanent state changes; a timed state running now finishes first.
          this.permanentOutput = control === 4;
          break;
        case 5:
        case 6:
          this.cancel(this.temporaryOutput);
          this.temporaryOutput = { value: control === 5, timer: this.after(timerMs, () => (this.temporaryOutput = undefined)) };
          break;
        default:
          break;
      }
    }
    this.publish(null);
  }

  /** The output's state, 1 active, for osdp_OSTATR. */
  outputStates(): number[] {
    return [this.outputActive() ? 1 : 0];
  }

  /** The current state, without a buzz. */
  current(): PanelIndication {
    const led = this.temporaryLed?.value ?? this.permanentLed;
    const lit = led === null || (led.onColor === 'black' && led.offColor === 'black') ? null : led;
    return {
      output: this.output,
      led: lit === null ? null : { color: lit.onMs === 0 ? lit.offColor : lit.onColor, flashing: lit.onMs > 0 && lit.offMs > 0 && lit.onColor !== lit.offColor },
      text: this.temporaryText?.value ?? this.permanentText,
      outputActive: this.outputActive(),
      buzzer: null,
      atMs: this.nowMs(),
    };
  }

  /** Stops the timers; nothing is published afterwards. */
  close(): void {
    this.closed = true;
    this.cancel(this.temporaryLed);
    this.cancel(this.temporaryText);
    this.cancel(this.temporaryOutput);
  }

  private outputActive(): boolean {
    return this.temporaryOutput?.value ?? this.permanentOutput;
  }

  /** Runs `expire` after `ms`, then publishes the state it leaves. */
  private after(ms: number, expire: () => void): unknown {
    return this.timers.setTimeout(() => {
      expire();
      this.publish(null);
    }, ms);
  }

  private cancel<T>(temporary: Temporary<T> | undefined): undefined {
    if (temporary !== undefined) this.timers.clearTimeout(temporary.timer);
    return undefined;
  }

  private publish(buzzer: PanelIndication['buzzer']): void {
    if (this.closed) return;
    this.emit({ ...this.current(), buzzer });
  }
}
