// The door relay on a GPIO line: energised for pulseMs on a grant. The line is opened on the first grant (and
// again after a failure), so a missing or busy chip is a health state retried on the next event, not a crash.
import type { GpioOutputLine, GpioOutputLineOptions } from '../../../native-bridge/gpio/gpio-line.js';
import type { GpioOutputConfig } from '../../shared/shapes/door-outputs.js';
import type { DoorEvent, DoorLogger, DoorOutput, DoorOutputResult, GpioRelayHealth } from './door-output.js';
import { errorMessage } from './error-message.js';

/** The part of GpioOutputLine the relay uses. */
export type RelayLine = Pick<GpioOutputLine, 'set' | 'close' | 'closed' | 'uapi'>;

/** Requests an output line, initially inactive; throws (or rejects) when it cannot. */
export type GpioLineFactory = (options: GpioOutputLineOptions) => RelayLine | Promise<RelayLine>;

/** The timer the pulse uses; tests pass a manual one. */
export interface RelayTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Dependencies of the relay. */
export interface GpioRelayDeps {
  readonly logger: DoorLogger;
  /** Default: GpioOutputLine.open with the real system calls, imported on first use. */
  readonly openLine?: GpioLineFactory;
  /** Default: node's setTimeout/clearTimeout. */
  readonly timers?: RelayTimers;
}

/**
 * Imported on first use rather than at module load: koffi is a native addon, and a terminal configured for
 * log or webhook only must start even where it cannot load. Here it becomes the relay's unavailable state.
 */
const openRealLine: GpioLineFactory = async (options) => {
  const { GpioOutputLine } = await import('../../../native-bridge/gpio/gpio-line.js');
  return GpioOutputLine.open(options);
};

const nodeTimers: RelayTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Pulses a relay on granted events; denied events do nothing. A grant while the relay is energised moves the
 * single release time to pulseMs from now (one timer, however many grants), so the door stays open pulseMs after
 * the last grant and never closes early because an earlier pulse ended.
 */
export class GpioRelayOutput implements DoorOutput {
  readonly kind = 'gpio';
  readonly name: string;
  private readonly openLine: GpioLineFactory;
  private readonly timers: RelayTimers;
  private line: RelayLine | undefined;
  private opening: Promise<RelayLine> | undefined;
  /** The pending switch-off while the relay is energised; boxed because a timer handle may be any value. */
  private releaseTimer: { readonly handle: unknown } | undefined;
  private failure: string | undefined;
  private isClosed = false;

  constructor(
    private readonly config: GpioOutputConfig,
    private readonly deps: GpioRelayDeps,
  ) {
    this.name = config.name;
    this.openLine = deps.openLine ?? openRealLine;
    this.timers = deps.timers ?? nodeTimers;
  }

  /** Whether the relay is energised right now. */
  get active(): boolean {
    return this.releaseTimer !== undefined;
  }

  async open(event: DoorEvent): Promise<DoorOutputResult> {
    if (this.isClosed) return { status: 'failed', error: `${this.name} is closed` };
    if (event.decision !== 'granted') return { status: 'skipped', detail: 'denied: the relay stays closed' };
    let line: RelayLine;
    try {
      line = await this.ensureLine();
    } catch (error) {
      return this.fail(`cannot open ${this.config.chipPath} line ${this.config.line}: ${errorMessage(error)}`);
    }
    if (this.isClosed) return { status: 'failed', error: `${this.name} was closed while opening the line` };
    const extending = this.releaseTimer !== undefined;
    if (this.releaseTimer !== undefined) {
      this.timers.clearTimeout(this.releaseTimer.handle);
    } else {
      try {
        line.set(true);
      } catch (error) {
        // close() drives the line inactive again and releases it; the next grant requests it afresh.
        this.dropLine();
        return this.fail(`cannot energise ${this.config.chipPath} line ${this.config.line}: ${errorMessage(error)}`);
      }
    }
    this.releaseTimer = { handle: this.timers.setTimeout(() => this.release(line), this.config.pulseMs) };
    this.failure = undefined;
    return { status: 'done', detail: extending ? `relay held: ${this.config.pulseMs} ms from now` : `relay energised for ${this.config.pulseMs} ms` };
  }

  health(): GpioRelayHealth {
    const base = { kind: 'gpio', name: this.name, chipPath: this.config.chipPath, line: this.config.line, uapi: this.line?.uapi ?? null, active: this.active } as const;
    const where = `${this.config.chipPath} line ${this.config.line}${this.config.activeLow ? ', active low' : ''}`;
    if (this.isClosed) return { ...base, status: 'unavailable', message: 'door relay closed' };
    if (this.failure !== undefined) return { ...base, status: 'unavailable', message: `door relay unavailable: ${this.failure}` };
    if (this.line === undefined) return { ...base, status: 'unknown', message: `door relay on ${where}: opens on the first grant` };
    return { ...base, status: 'ok', message: `door relay ready on ${where} (uAPI ${this.line.uapi})` };
  }

  /** Drives the relay inactive and releases the line; a pulse in progress ends now. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.opening?.catch(() => undefined);
    this.dropLine();
  }

  /** The held line, or a new request; concurrent grants share one request (a second would get EBUSY). */
  private ensureLine(): Promise<RelayLine> {
    if (this.line !== undefined && !this.line.closed) return Promise.resolve(this.line);
    this.opening ??= Promise.resolve()
      .then(() => this.openLine({ chipPath: this.config.chipPath, line: this.config.line, activeLow: this.config.activeLow, consumer: this.config.consumer }))
      .then((line) => {
        if (this.isClosed) {
          line.close();
          throw new Error('closed while opening');
        }
        this.line = line;
        return line;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  private release(line: RelayLine): void {
    this.releaseTimer = undefined;
    if (line.closed) return;
    try {
      line.set(false);
    } catch (error) {
      // A relay that cannot be switched off must not stay held energised by us: releasing the line leaves the
      // level to the hardware (pull-down), which is the best left to do.
      this.dropLine();
      this.fail(`cannot switch ${this.config.chipPath} line ${this.config.line} off (${errorMessage(error)}); the line was released`);
    }
  }

  /** Clears the pulse and closes the line (which drives it inactive first). */
  private dropLine(): void {
    if (this.releaseTimer !== undefined) this.timers.clearTimeout(this.releaseTimer.handle);
    this.releaseTimer = undefined;
    const line = this.line;
    this.line = undefined;
    try {
      line?.close();
    } catch (error) {
      this.deps.logger.warn('door.relay.close-failed', { output: this.name, error: errorMessage(error) });
    }
  }

  private fail(reason: string): DoorOutputResult {
    this.failure = reason;
    this.deps.logger.warn('door.relay.unavailable', { output: this.name, reason });
    return { status: 'failed', error: `door relay unavailable: ${reason}` };
  }
}
