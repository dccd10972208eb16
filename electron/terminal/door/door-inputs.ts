// The door's own inputs: the door contact (is the door open?) and the request-to-exit button, on GPIO input lines.
// Edges come from the kernel (gpio-input.ts) and are debounced here: a level counts once it has held for
// `debounceMs`. The contact opening with no grant, exit request or remote open within the relay's window is a
// forced door; a door open longer than `heldOpenMs` is held open. Both are events for the access log and a state
// for health, the System screen and the door's status line. A press of the exit button asks the owner to open.
import type { z } from 'zod';

import type { GpioBias, GpioEdgeEvent, GpioInputLinesOptions } from '../../../native-bridge/gpio/gpio-input.js';
import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { doorInputsHealthSchema } from '../../shared/contract/schemas.js';
import type { DoorInputsConfig } from '../../shared/shapes/door-inputs.js';
import { errorMessage } from './error-message.js';
import type { DoorLogger } from './door-output.js';

/** State of the inputs for health (the contract's doorInputsHealthSchema). */
export type DoorInputsHealth = DeepReadonly<z.output<typeof doorInputsHealthSchema>>;

/** Where the door is: `unknown` without a contact, or while its line cannot be read. */
export type DoorState = DoorInputsHealth['state'];

/** What the inputs tell their owner. `forced-open`, `held-open` and `exit-request` belong in the access log. */
export type DoorInputEvent =
  | { readonly kind: 'forced-open' | 'held-open' | 'exit-request'; readonly atMs: number }
  | { readonly kind: 'opened'; readonly atMs: number; readonly authorised: boolean }
  | { readonly kind: 'closed'; readonly atMs: number; readonly openForMs: number | null };

/** The part of GpioInputLines the door uses. */
export interface DoorInputLines {
  values(): Map<number, boolean>;
  watch(onEvents: (events: GpioEdgeEvent[]) => void, onError: (error: unknown) => void): void;
  close(): Promise<void>;
}

/** Requests input lines; throws (or rejects) when it cannot. */
export type DoorInputLinesFactory = (options: GpioInputLinesOptions) => DoorInputLines | Promise<DoorInputLines>;

/** The timers the debounce, the held-open check and the retry use; tests pass manual ones. */
export interface DoorInputTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Dependencies of the door inputs. */
export interface DoorInputsDeps {
  readonly logger: DoorLogger;
  /** Where forced and held doors, exit requests and openings go. */
  readonly onEvent: (event: DoorInputEvent) => void;
  /** Default GpioInputLines.open on the real character device, imported on first use. */
  readonly openLines?: DoorInputLinesFactory;
  /** Default node's. */
  readonly timers?: DoorInputTimers;
  /** Wall clock, ms since the epoch; default Date.now. */
  readonly nowMs?: () => number;
  /** Wait before lines that could not be had are asked for again, ms; default 10000. */
  readonly retryMs?: number;
}

/** GpioInputLines.open on the real character device (the door inputs' and the card reader's default). */
export const openRealLines: DoorInputLinesFactory = async (options) => {
  // Imported on first use: koffi is a native addon, and a terminal without GPIO inputs must start without it.
  const { GpioInputLines } = await import('../../../native-bridge/gpio/gpio-input.js');
  return GpioInputLines.open(options);
};

/** Node's timers (the default of the GPIO inputs' debounce, retry and frame timers). */
export const nodeTimers: DoorInputTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

type InputName = 'contact' | 'exitButton';

/** One debounced input: the raw level as the edges say, and the level that has held for debounceMs. */
interface Debounced {
  readonly chipPath: string;
  readonly line: number;
  raw: boolean;
  stable: boolean;
  /** When the raw level last changed, ms since the epoch. */
  rawSinceMs: number;
  timer: { readonly handle: unknown } | undefined;
}

/**
 * The door contact and exit button of one configuration. `start()` requests the lines (a failure is a health state,
 * retried), `authorise()` opens the window in which the door may open, `close()` releases everything.
 */
export class DoorInputs {
  private readonly timers: DoorInputTimers;
  private readonly nowMs: () => number;
  private readonly inputs = new Map<InputName, Debounced>();
  private lines: DoorInputLines[] = [];
  private failure: string | undefined;
  private retryTimer: { readonly handle: unknown } | undefined;
  private heldTimer: { readonly handle: unknown } | undefined;
  private state: DoorState = 'unknown';
  private sinceMs: number | null = null;
  private openedAtMs: number | null = null;
  private authorisedUntilMs = Number.NEGATIVE_INFINITY;
  private starting: Promise<void> | undefined;
  private isClosed = false;

  constructor(
    readonly config: DoorInputsConfig,
    private readonly deps: DoorInputsDeps,
  ) {
    this.timers = deps.timers ?? nodeTimers;
    this.nowMs = deps.nowMs ?? Date.now;
  }

  /** Whether any input is configured. */
  get configured(): boolean {
    return this.config.contact !== null || this.config.exitButton !== null;
  }

  /** Where the door is now. */
  get doorState(): DoorState {
    return this.state;
  }

  /** Requests the lines and reads the door's state; resolves either way (a failure is health, retried). */
  start(): Promise<void> {
    if (!this.configured || this.isClosed || this.lines.length > 0) return Promise.resolve();
    this.starting ??= this.openLines().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * The door may open from now for `windowMs` (a grant, an exit request or a remote open energised the lock);
   * the window only ever grows. An opening outside every window is a forced door.
   */
  authorise(windowMs: number): void {
    this.authorisedUntilMs = Math.max(this.authorisedUntilMs, this.nowMs() + windowMs);
  }

  health(): DoorInputsHealth {
    const exitButton = this.config.exitButton !== null;
    if (this.failure !== undefined) return { status: 'unavailable', state: 'unknown', sinceMs: null, exitButton, message: `door inputs unavailable: ${this.failure}` };
    const words: Record<DoorState, string> = { closed: 'door closed', open: 'door open', 'forced-open': 'door forced open', 'held-open': 'door held open', unknown: 'no door contact' };
    const since = this.sinceMs === null ? '' : ` since ${new Date(this.sinceMs).toISOString()}`;
    const button = exitButton ? `; exit button on ${this.where('exitButton')}` : '';
    const contact = this.config.contact ? ` (contact on ${this.where('contact')})` : '';
    return { status: 'ok', state: this.state, sinceMs: this.sinceMs, exitButton, message: `${words[this.state]}${since}${contact}${button}` };
  }

  /** Releases the lines and stops every timer. Idempotent. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.starting;
    this.clear(this.retryTimer);
    this.clear(this.heldTimer);
    for (const input of this.inputs.values()) this.clear(input.timer);
    await this.releaseLines();
  }

  private where(name: InputName): string {
    const input = this.config[name];
    return input === null ? '' : `${input.chipPath} line ${input.line}`;
  }

  private async openLines(): Promise<void> {
    const openLines = this.deps.openLines ?? openRealLines;
    const wanted: { name: InputName; chipPath: string; line: number; activeLow: boolean; bias: GpioBias }[] = [];
    const { contact, exitButton } = this.config;
    // The kernel inverts active-low lines: "active" is the door open, the button pressed, whatever the wiring.
    if (contact) wanted.push({ name: 'contact', chipPath: contact.chipPath, line: contact.line, activeLow: contact.openLevel === 'low', bias: contact.bias });
    if (exitButton) wanted.push({ name: 'exitButton', chipPath: exitButton.chipPath, line: exitButton.line, activeLow: exitButton.pressedLevel === 'low', bias: exitButton.bias });
    const chips = [...new Set(wanted.map((input) => input.chipPath))];
    try {
      for (const chip of chips) {
        const onChip = wanted.filter((input) => input.chipPath === chip);
        const lines = await openLines({ chipPath: chip, lines: onChip.map(({ line, activeLow, bias: lineBias }) => ({ line, activeLow, bias: lineBias })), consumer: this.config.consumer });
        this.lines.push(lines);
        if (this.isClosed) return;
        const levels = lines.values();
        const nowMs = this.nowMs();
        for (const input of onChip) {
          const level = levels.get(input.line) ?? false;
          this.inputs.set(input.name, { chipPath: chip, line: input.line, raw: level, stable: level, rawSinceMs: nowMs, timer: undefined });
        }
        lines.watch(
          (events) => this.onEdges(chip, events),
          (error) => void this.lost(error),
        );
      }
    } catch (error) {
      await this.unavailable(error);
      return;
    }
    if (this.failure !== undefined) this.deps.logger.info('door.inputs.available', { inputs: wanted.map(({ name, chipPath: chip, line }) => `${name} ${chip} line ${line}`) });
    this.failure = undefined;
    const contactInput = this.inputs.get('contact');
    if (contactInput) this.enter(contactInput.stable ? 'open' : 'closed', this.nowMs());
    // Open when the terminal starts: nobody knows why, so it is not forced, but it can be held open.
    if (contactInput?.stable) {
      this.openedAtMs = this.nowMs();
      this.armHeldOpen();
    }
  }

  private onEdges(chipPath: string, events: readonly GpioEdgeEvent[]): void {
    if (this.isClosed) return;
    const nowMs = this.nowMs();
    for (const event of events) {
      for (const [name, input] of this.inputs) {
        if (input.chipPath !== chipPath || input.line !== event.line || input.raw === event.active) continue;
        input.raw = event.active;
        input.rawSinceMs = nowMs;
        this.clear(input.timer);
        input.timer = undefined;
        if (this.config.debounceMs === 0) this.settle(name, input);
        else input.timer = { handle: this.timers.setTimeout(() => this.settle(name, input), this.config.debounceMs) };
      }
    }
  }

  /** The raw level has held for debounceMs: it is the input's level now. */
  private settle(name: InputName, input: Debounced): void {
    input.timer = undefined;
    if (this.isClosed || input.raw === input.stable) return;
    input.stable = input.raw;
    // The change happened when the level first moved, not when the bounce ended.
    const atMs = input.rawSinceMs;
    if (name === 'exitButton') {
      if (input.stable) this.deps.onEvent({ kind: 'exit-request', atMs });
      return;
    }
    if (input.stable) this.doorOpened(atMs);
    else this.doorClosed(atMs);
  }

  private doorOpened(atMs: number): void {
    const authorised = atMs <= this.authorisedUntilMs;
    this.openedAtMs = atMs;
    this.enter(authorised ? 'open' : 'forced-open', atMs);
    this.deps.onEvent({ kind: 'opened', atMs, authorised });
    if (!authorised) {
      this.deps.logger.warn('door.forced-open', { contact: this.where('contact') });
      this.deps.onEvent({ kind: 'forced-open', atMs });
    }
    this.armHeldOpen();
  }

  private doorClosed(atMs: number): void {
    this.clear(this.heldTimer);
    this.heldTimer = undefined;
    const openForMs = this.openedAtMs === null ? null : atMs - this.openedAtMs;
    this.openedAtMs = null;
    this.enter('closed', atMs);
    this.deps.onEvent({ kind: 'closed', atMs, openForMs });
  }

  private armHeldOpen(): void {
    this.clear(this.heldTimer);
    const heldOpenMs = this.config.heldOpenMs;
    const openedAtMs = this.openedAtMs ?? this.nowMs();
    this.heldTimer = {
      handle: this.timers.setTimeout(() => {
        this.heldTimer = undefined;
        if (this.isClosed || this.openedAtMs === null) return;
        const atMs = openedAtMs + heldOpenMs;
        // A forced door stays "forced open" on screen; the held-open event is logged all the same.
        if (this.state === 'open') this.enter('held-open', atMs);
        this.deps.logger.warn('door.held-open', { contact: this.where('contact'), heldOpenMs });
        this.deps.onEvent({ kind: 'held-open', atMs });
      }, Math.max(0, openedAtMs + heldOpenMs - this.nowMs())),
    };
  }

  private enter(state: DoorState, atMs: number): void {
    if (this.state === state) return;
    this.state = state;
    this.sinceMs = atMs;
  }

  /** The watch failed (a line went away): release, report, retry. */
  private async lost(error: unknown): Promise<void> {
    if (this.isClosed) return;
    await this.unavailable(error);
  }

  private async unavailable(error: unknown): Promise<void> {
    const reason = errorMessage(error);
    if (this.failure !== reason) this.deps.logger.warn('door.inputs.unavailable', { reason, retryMs: this.deps.retryMs ?? 10_000 });
    this.failure = reason;
    this.enter('unknown', this.nowMs());
    this.sinceMs = null;
    this.clear(this.heldTimer);
    this.heldTimer = undefined;
    for (const input of this.inputs.values()) this.clear(input.timer);
    this.inputs.clear();
    await this.releaseLines();
    if (this.isClosed) return;
    this.clear(this.retryTimer);
    this.retryTimer = { handle: this.timers.setTimeout(() => void this.start(), this.deps.retryMs ?? 10_000) };
  }

  private async releaseLines(): Promise<void> {
    const lines = this.lines;
    this.lines = [];
    await Promise.all(
      lines.map((line) =>
        line.close().catch((error: unknown) => {
          this.deps.logger.warn('door.inputs.close-failed', { error: errorMessage(error) });
        }),
      ),
    );
  }

  private clear(timer: { readonly handle: unknown } | undefined): void {
    if (timer !== undefined) this.timers.clearTimeout(timer.handle);
  }
}
