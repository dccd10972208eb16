// One decision, every door output: DoorOutputs runs the configured outputs side by side, so a broken or hung
// output never stops the others, and reports what each did.
import type { DoorEvent, DoorLogger, DoorOutput, DoorOutputHealth, DoorOutputKind, DoorOutputResult } from './door-output.js';
import { errorMessage } from './error-message.js';

/** What one output did with an event, in the fan-out's report. */
export interface DoorOutputOutcome {
  readonly name: string;
  readonly kind: DoorOutputKind;
  readonly result: DoorOutputResult;
  /** Time until the output answered, ms. */
  readonly durationMs: number;
}

/** Every output's outcome for one event, in configuration order. */
export interface DoorOpenReport {
  readonly eventId: number;
  readonly outcomes: readonly DoorOutputOutcome[];
  /** How many outcomes are `failed`. */
  readonly failed: number;
}

/** Options of the fan-out. */
export interface DoorOutputsOptions {
  /** Where failures are logged. */
  readonly logger: DoorLogger;
  /** An output that has not answered by then counts as failed for this event, ms; default 5000. */
  readonly openTimeoutMs?: number;
}

/**
 * All configured outputs as one: `open` runs them concurrently and collects each one's result; an output that
 * throws, rejects or hangs is a `failed` outcome and the others go on.
 */
export class DoorOutputs {
  private readonly openTimeoutMs: number;

  constructor(
    readonly outputs: readonly DoorOutput[],
    private readonly options: DoorOutputsOptions,
  ) {
    this.openTimeoutMs = options.openTimeoutMs ?? 5000;
  }

  /** Hands `event` to every output; never rejects. */
  async open(event: DoorEvent): Promise<DoorOpenReport> {
    const outcomes = await Promise.all(this.outputs.map((output) => this.openOne(output, event)));
    return { eventId: event.id, outcomes, failed: outcomes.filter((outcome) => outcome.result.status === 'failed').length };
  }

  /** Every output's health, in configuration order. */
  health(): DoorOutputHealth[] {
    return this.outputs.map((output) => output.health());
  }

  /**
   * Forgets a person in every output that keeps events; returns records changed. All outputs are tried;
   * failures are thrown together afterwards (AggregateError), since an erasure must not pass silently.
   */
  erasePerson(personId: string): number {
    let changed = 0;
    const errors: unknown[] = [];
    for (const output of this.outputs) {
      try {
        changed += output.erasePerson?.(personId) ?? 0;
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `door outputs: erasing person ${personId} failed in ${errors.length} output(s): ${errors.map(errorMessage).join('; ')}`);
    return changed;
  }

  /** Closes every output; failures are logged, never thrown, so one cannot keep another's hardware held. */
  async close(): Promise<void> {
    const results = await Promise.allSettled(this.outputs.map((output) => Promise.resolve().then(() => output.close())));
    results.forEach((result, index) => {
      if (result.status === 'rejected') this.options.logger.warn('door.output.close-failed', { output: this.outputs[index]?.name, error: errorMessage(result.reason) });
    });
  }

  private async openOne(output: DoorOutput, event: DoorEvent): Promise<DoorOutputOutcome> {
    const startedMs = performance.now();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    // Through then(): an output that throws synchronously becomes a rejection like any other.
    const attempt = Promise.resolve()
      .then(() => output.open(event))
      .catch((error: unknown): DoorOutputResult => ({ status: 'failed', error: `${output.name} threw: ${errorMessage(error)}` }))
      .then((result) => {
        if (timedOut && result.status === 'failed') this.logFailure(output, event, `after timing out: ${result.error}`);
        return result;
      });
    const timeout = new Promise<DoorOutputResult>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        resolve({ status: 'failed', error: `${output.name} did not answer within ${this.openTimeoutMs} ms` });
      }, this.openTimeoutMs);
    });
    const result = await Promise.race([attempt, timeout]);
    clearTimeout(timer);
    if (result.status === 'failed') this.logFailure(output, event, result.error);
    return { name: output.name, kind: output.kind, result, durationMs: performance.now() - startedMs };
  }

  private logFailure(output: DoorOutput, event: DoorEvent, error: string): void {
    this.options.logger.warn('door.output.failed', { output: output.name, kind: output.kind, eventId: event.id, decision: event.decision, error });
  }
}
