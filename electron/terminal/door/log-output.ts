// The default door output: no hardware, one structured log line per decision. Used on a desk, in demos and
// wherever the door is driven by something that reads the log.
import type { LogOutputConfig } from '../../shared/shapes/door-outputs.js';
import type { DoorEvent, DoorLogger, DoorOutput, DoorOutputResult, LogOutputHealth } from './door-output.js';

/** Writes each event as one log line (`door.event`), granted and denied alike. */
export class LogOutput implements DoorOutput {
  readonly kind = 'log';
  readonly name: string;
  private closed = false;

  constructor(
    private readonly config: LogOutputConfig,
    private readonly deps: { readonly logger: DoorLogger },
  ) {
    this.name = config.name;
  }

  async open(event: DoorEvent): Promise<DoorOutputResult> {
    if (this.closed) return { status: 'failed', error: `${this.name} is closed` };
    this.deps.logger.info('door.event', {
      output: this.name,
      eventId: event.id,
      atMs: event.atMs,
      decision: event.decision,
      reason: event.reason,
      personId: event.personId ?? null,
      // Names stay out of logs unless asked for: log files travel (support bundles) further than the database.
      ...(this.config.includePersonName ? { personName: event.personName ?? null } : {}),
      similarity: event.similarity ?? null,
      livenessCue: event.livenessCue ?? null,
      ...(event.card ? { card: { facilityCode: event.card.facilityCode, cardNumber: event.card.cardNumber } } : {}),
    });
    return { status: 'done', detail: 'logged' };
  }

  health(): LogOutputHealth {
    return this.closed
      ? { kind: 'log', name: this.name, status: 'unavailable', message: `${this.name}: closed` }
      : { kind: 'log', name: this.name, status: 'ok', message: `${this.name}: logging door events` };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/**
 * A DoorLogger writing one JSON object per line (`{"time":…,"level":…,"msg":…,…fields}`), e.g. to
 * `(line) => process.stdout.write(line)`. Fields cannot overwrite time, level or msg.
 */
export function createJsonLineLogger(write: (line: string) => void, nowMs: () => number = Date.now): DoorLogger {
  const emit = (level: 'info' | 'warn', message: string, fields: Readonly<Record<string, unknown>>): void => {
    const head = { time: new Date(nowMs()).toISOString(), level, msg: message };
    // Spread twice: keys keep the head's order, values the head's content.
    write(`${JSON.stringify({ ...head, ...fields, ...head })}\n`);
  };
  return {
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
  };
}
