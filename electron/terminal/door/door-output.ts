// What the terminal does at the door once a decision is made: drive a relay, tell a web service, or just log.
// Every output sits behind DoorOutput; `createDoorOutputs` is the one place that turns configuration into
// implementations, and DoorOutputs fans one decision out to all of them so a broken output never stops the rest.
import { z } from 'zod';

import { errorMessage } from './error-message.js';
import { GpioRelayOutput } from './gpio-relay-output.js';
import type { GpioLineFactory, RelayTimers } from './gpio-relay-output.js';
import { LogOutput } from './log-output.js';
import { WebhookOutput } from './webhook-output.js';
import type { PanelIndication } from './osdp/indicators.js';
import { OsdpOutput, osdpOutputConfigSchema, type OsdpHealth, type SerialPortOpener } from './osdp/osdp-output.js';
import type { CustomCardFormat } from './card-format.js';
import type { WiegandPulseWorkerOptions } from '../../../native-bridge/gpio/wiegand-pulse-worker.js';
import { WiegandOutput, wiegandOutputConfigSchema, type WiegandHealth } from './wiegand-output.js';

/** What the terminal decided at the door (the store's `Decision`). */
export type DoorDecision = 'granted' | 'denied';

/**
 * The card credential a panel output sends for a granted person: the number an access-control panel knows the
 * person by. `format` names the bit format the numbers were validated against — `wiegand26`, `wiegand34`, or
 * the name of a custom format from the `credentials.customFormats` setting — and so how many bits each has.
 */
export interface DoorCredential {
  /** Facility (site) code, where the format has one; W26: 0–255, W34: 0–65535. */
  readonly facilityCode?: number;
  /** Card number; W26: 0–65535, W34: 0–65535. */
  readonly cardNumber: number;
  readonly format: string;
}

/** The access decision an output acts on; structurally the store's logged event plus the person's name. */
export interface DoorEvent {
  /** The event's id in the access log; a webhook receiver's idempotency key. */
  readonly id: number;
  /** When the decision was made, ms since the epoch. */
  readonly atMs: number;
  readonly decision: DoorDecision;
  /** Why, as a code, e.g. 'match', 'unknown-face', 'liveness' (see the store's EventInput.reason). */
  readonly reason: string;
  /** The recognised person, if any. */
  readonly personId?: string | null;
  /** The recognised person's name, if any. */
  readonly personName?: string | null;
  /** Cosine similarity of the best match, -1..1. */
  readonly similarity?: number | null;
  /** Which liveness check failed, with a `liveness-failed` denial (a code: 'timeout', 'planar', 'passive'…). */
  readonly livenessCue?: string | null;
  /** The granted person's credential, for panel outputs (Wiegand, OSDP); absent when denied or the person has none. */
  readonly credential?: DoorCredential;
}

/** Which implementation an output is. */
export type DoorOutputKind = 'log' | 'gpio' | 'webhook' | 'wiegand' | 'osdp';

/**
 * What one output did with one event. `done`: acted (relay driven, line logged); `queued`: durably in the
 * webhook outbox, sent later; `skipped`: not this output's business (a denied event at the relay);
 * `failed`: could not act, with a readable reason.
 */
export type DoorOutputResult =
  | { readonly status: 'done'; readonly detail: string }
  | { readonly status: 'queued'; readonly deliveryId: number; readonly pending: number }
  | { readonly status: 'skipped'; readonly detail: string }
  | { readonly status: 'failed'; readonly error: string };

/**
 * `ok`: working; `unknown`: not tried yet (the relay opens on the first grant); `degraded`: working with
 * failures (webhook retrying); `unavailable`: cannot act now, retried on the next event.
 */
export type DoorOutputStatus = 'ok' | 'unknown' | 'degraded' | 'unavailable';

interface HealthBase {
  readonly name: string;
  readonly status: DoorOutputStatus;
  /** One line for the health screen, e.g. "door relay unavailable: …". */
  readonly message: string;
}

/** Health of the log output. */
export interface LogOutputHealth extends HealthBase {
  readonly kind: 'log';
}

/** Health of a GPIO relay. */
export interface GpioRelayHealth extends HealthBase {
  readonly kind: 'gpio';
  readonly chipPath: string;
  readonly line: number;
  /** uAPI the line was requested through; null while not held. */
  readonly uapi: 'v2' | 'v1' | null;
  /** Whether the relay is energised right now. */
  readonly active: boolean;
}

/** Health of a webhook. */
export interface WebhookHealth extends HealthBase {
  readonly kind: 'webhook';
  /** Deliveries waiting in the outbox. */
  readonly pending: number;
  /** Deliveries given up on (permanent failure, or maxAttempts used), kept for inspection. */
  readonly deadLetters: number;
  /** Undelivered rows dropped since start because the outbox was full. */
  readonly dropped: number;
  readonly lastError: string | null;
  /** When lastError happened, ms since the epoch. */
  readonly lastErrorAtMs: number | null;
  /** Last 2xx answer, ms since the epoch. */
  readonly lastSuccessAtMs: number | null;
}

/** Health of any output; narrow on `kind`. */
export type DoorOutputHealth = LogOutputHealth | GpioRelayHealth | WebhookHealth | WiegandHealth | OsdpHealth;

/**
 * Something that acts on door decisions. `open` resolves once the action has taken effect (relay driven,
 * delivery durably queued) and reports failures as a `failed` result rather than rejecting; each output
 * decides what a denied event means to it. `close` releases hardware and files and is idempotent.
 */
export interface DoorOutput {
  readonly kind: DoorOutputKind;
  /** Tells outputs apart in results, health and logs; unique within a configuration. */
  readonly name: string;
  open(event: DoorEvent): Promise<DoorOutputResult>;
  /** Current state for the health screen; never throws (a failing check is itself a state). */
  health(): DoorOutputHealth;
  close(): Promise<void>;
  /** Outputs that keep events (the webhook outbox) forget a person when the store erases them; returns records changed. */
  erasePerson?(personId: string): number;
}

/** Structured logging: a message code and fields; the sink writes them as one line. */
export interface DoorLogger {
  info(message: string, fields: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields: Readonly<Record<string, unknown>>): void;
}

// ---- configuration ---------------------------------------------------------------------------------------------

/** An integer in [min, max]; `unit` (e.g. 'ms') is named in the messages. */
const intIn = (min: number, max: number, unit = '') => {
  const of = unit === '' ? '' : ` of ${unit}`;
  const range = `must be from ${min} to ${max}${unit === '' ? '' : ` ${unit}`}`;
  return z
    .number({ error: (issue) => `must be a number${of}, got ${JSON.stringify(issue.input)}` })
    .int({ error: (issue) => `must be a whole number${of}, got ${String(issue.input)}` })
    .min(min, { error: (issue) => `${range}, got ${String(issue.input)}` })
    .max(max, { error: (issue) => `${range}, got ${String(issue.input)}` });
};

const outputName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1–64 lower-case letters, digits and ._- (it keys the webhook outbox)');

/** Headers the webhook sets itself, or that the HTTP client owns. */
const RESERVED_HEADER = /^(content-type|content-length|host|connection|transfer-encoding|x-lintel-.*)$/i;

const headerValue = z
  .string()
  .max(4096, 'header value must be at most 4096 characters')
  .refine((value) => !/[\r\n\0]/.test(value), 'header value must not contain CR, LF or NUL');

/** Extra request headers; names are checked here rather than as record keys, whose errors zod reports only as "Invalid key". */
const headers = z.record(z.string(), headerValue).superRefine((value, ctx) => {
  for (const name of Object.keys(value)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'header name must be an HTTP token' });
    else if (RESERVED_HEADER.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `header ${name} is set by Lintel and cannot be configured` });
  }
});

const httpUrl = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http:// or https:// URL' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `must be an http:// or https:// URL, got ${url.protocol}//` });
    }
    // fetch refuses URLs with credentials; say where they go instead.
    if (url.username !== '' || url.password !== '') {
      ctx.addIssue({ code: 'custom', message: 'must not hold credentials: send them in headers (e.g. Authorization)' });
    }
  });

/** The log output (the default): one structured line per event. */
export const logOutputConfigSchema = z.strictObject({
  kind: z.literal('log'),
  /** Default `log`. */
  name: outputName.default('log'),
  /** Log the person's name as well as the id; default false (ids only, so the log holds no names). */
  includePersonName: z.boolean().default(false),
});

/** A door relay on a GPIO line, pulsed on granted events. */
export const gpioOutputConfigSchema = z.strictObject({
  kind: z.literal('gpio'),
  /** Default `relay`. */
  name: outputName.default('relay'),
  /** GPIO chip device, e.g. `/dev/gpiochip3` for bank gpio3. */
  chipPath: z.string().regex(/^\/dev\/[\w./-]+$/, 'must be a device path such as /dev/gpiochip3'),
  /** Line offset within the chip (GPIO3_A7 → chip 3, line 7). */
  line: intIn(0, 1023),
  /** Relay asserted at low level; default false. */
  activeLow: z.boolean().default(false),
  /** How long the relay stays energised after a grant, ms; 100–10000, default 3000. */
  pulseMs: intIn(100, 10_000, 'ms').default(3000),
  /** Consumer label shown by `gpioinfo`, at most 31 bytes; default `lintel-door`. */
  consumer: z
    .string()
    .min(1)
    .refine((value) => Buffer.byteLength(value, 'utf8') <= 31 && !value.includes('\0'), 'must be at most 31 bytes without NUL')
    .default('lintel-door'),
});

/** A web service told about events by a signed JSON POST, through a persistent outbox. */
export const webhookOutputConfigSchema = z
  .strictObject({
    kind: z.literal('webhook'),
    /** Default `webhook`; keys this webhook's rows in the outbox, so the URL can change without losing them. */
    name: outputName.default('webhook'),
    /** Where to POST; http or https only. */
    url: httpUrl,
    /** Extra request headers, e.g. Authorization; default none. */
    headers: headers.default({}),
    /** Key of the `X-Lintel-Signature: sha256=<hex>` HMAC-SHA256 over the body; at least 16 characters; no signature when absent. */
    secret: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Per-request timeout, ms; default 10000. */
    timeoutMs: intIn(100, 120_000, 'ms').default(10_000),
    /** Attempts per delivery before it becomes a dead letter; default 10. */
    maxAttempts: intIn(1, 100, 'attempts').default(10),
    /** First retry delay, ms, doubled per attempt; default 1000. */
    backoffBaseMs: intIn(10, 3_600_000, 'ms').default(1000),
    /** Longest retry delay, ms; default 300000 (5 min). */
    backoffMaxMs: intIn(10, 86_400_000, 'ms').default(300_000),
    /** Most rows kept in the outbox for this webhook; the oldest are dropped beyond it. Default 10000. */
    queueLimit: intIn(1, 1_000_000, 'rows').default(10_000),
    /** Which events to send; default `all`. */
    events: z.enum(['granted', 'all']).default('all'),
  })
  .refine((config) => config.backoffMaxMs >= config.backoffBaseMs, { path: ['backoffMaxMs'], message: 'must be at least backoffBaseMs' });

/** One door output's configuration. */
export const doorOutputConfigSchema = z.discriminatedUnion('kind', [logOutputConfigSchema, gpioOutputConfigSchema, webhookOutputConfigSchema, wiegandOutputConfigSchema, osdpOutputConfigSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? 'kind must be one of log, gpio, webhook, wiegand, osdp' : undefined),
});

/** Every door output; default one log output. Names must be unique, and a GPIO line can be driven by one output only. */
export const doorOutputsConfigSchema = z
  .array(doorOutputConfigSchema)
  .max(16, 'at most 16 door outputs')
  .prefault([{ kind: 'log' }])
  .superRefine((outputs, ctx) => {
    const names = new Map<string, number>();
    const lines = new Map<string, number>();
    const ports = new Map<string, number>();
    outputs.forEach((output, index) => {
      const sameName = names.get(output.name);
      if (sameName !== undefined) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `"${output.name}" is already the name of output ${sameName}` });
      names.set(output.name, index);
      if (output.kind === 'osdp') {
        // Two readers on one port would both answer the panel.
        const samePort = ports.get(output.port);
        if (samePort !== undefined) ctx.addIssue({ code: 'custom', path: [index, 'port'], message: `${output.port} is already the port of output ${samePort}` });
        ports.set(output.port, index);
      }
      const driven: [string, string | undefined, number | undefined][] =
        output.kind === 'gpio' ? [['line', output.chipPath, output.line]] : output.kind === 'wiegand' ? [['d0Line', output.chipPath, output.d0Line], ['d1Line', output.chipPath, output.d1Line]] : [];
      for (const [field, chipPath, line] of driven) {
        if (chipPath === undefined || line === undefined) continue;
        const key = `${chipPath}:${line}`;
        const sameLine = lines.get(key);
        if (sameLine !== undefined) ctx.addIssue({ code: 'custom', path: [index, field], message: `${chipPath} line ${line} is already driven by output ${sameLine}` });
        lines.set(key, index);
      }
    });
  });

export type LogOutputConfig = z.output<typeof logOutputConfigSchema>;
export type GpioOutputConfig = z.output<typeof gpioOutputConfigSchema>;
export type WebhookOutputConfig = z.output<typeof webhookOutputConfigSchema>;
export type { OsdpOutputConfig } from './osdp/osdp-output.js';
export type { WiegandOutputConfig } from './wiegand-output.js';
export type DoorOutputConfig = z.output<typeof doorOutputConfigSchema>;
/** Configuration as written (defaults not yet applied). */
export type DoorOutputConfigInput = z.input<typeof doorOutputConfigSchema>;

/** Door output configuration that cannot be used; the message lists every problem with its place. */
export class DoorConfigError extends Error {
  override readonly name = 'DoorConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`door outputs: ${problems.join('; ')}`);
  }
}

/** Validates door output configuration and applies defaults; throws DoorConfigError. Undefined → one log output. */
export function parseDoorOutputsConfig(raw: unknown): DoorOutputConfig[] {
  const parsed = doorOutputsConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new DoorConfigError(
    parsed.error.issues.map((issue) => {
      const [index, ...rest] = issue.path;
      const kind = typeof index === 'number' && Array.isArray(raw) ? (raw[index] as { kind?: unknown } | undefined)?.kind : undefined;
      const where = typeof index === 'number' ? `outputs[${index}]${typeof kind === 'string' ? ` (${kind})` : ''}` : 'outputs';
      const field = rest.map(String).join('.');
      return `${where}${field === '' ? '' : ` ${field}`}: ${issue.message}`;
    }),
  );
}

// ---- fan-out ---------------------------------------------------------------------------------------------------

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

/** What the outputs need from the composition root; everything but `logger` has a real default. */
export interface DoorOutputDeps {
  readonly logger: DoorLogger;
  /** Folder of `outbox.db`; required when a webhook is configured. */
  readonly dataDir?: string;
  /** Opens a GPIO line; default GpioOutputLine.open with the real system calls. */
  readonly openGpioLine?: GpioLineFactory;
  /** Timers of the relay pulse; default node's. */
  readonly relayTimers?: RelayTimers;
  /** HTTP client of webhooks; default node's fetch. */
  readonly fetch?: typeof fetch;
  /** Wall clock, ms since the epoch; default Date.now. */
  readonly nowMs?: () => number;
  /** Jitter source, [0, 1); default Math.random. */
  readonly random?: () => number;
  /** See DoorOutputsOptions.openTimeoutMs. */
  readonly openTimeoutMs?: number;
  /** Opens the OSDP outputs' serial ports; default the real tty, its module loaded on first use. */
  readonly openSerialPort?: SerialPortOpener;
  /** Where the panel's LED, buzzer, text and output changes arrive through an OSDP output: the door screen. */
  readonly onPanelIndication?: (indication: PanelIndication) => void;
  /** The product's version, which an OSDP reader reports to its panel as firmware. */
  readonly productVersion?: string;
  /** The configured custom card formats (`credentials.customFormats`), for the Wiegand outputs; default none. */
  readonly customCardFormats?: readonly CustomCardFormat[];
  /** The Wiegand outputs' pulse worker (fake chips inside it for tests); default the real character device. */
  readonly wiegandPulseWorker?: WiegandPulseWorkerOptions;
}

/**
 * Builds the configured outputs (validating `configs` first; DoorConfigError) and returns them as one fan-out.
 * Nothing is opened here: the relay opens on the first grant, and a webhook whose outbox cannot be opened
 * reports unavailable and retries on the next event.
 */
export function createDoorOutputs(configs: unknown, deps: DoorOutputDeps): DoorOutputs {
  const parsed = parseDoorOutputsConfig(configs);
  if (deps.dataDir === undefined && parsed.some((config) => config.kind === 'webhook')) {
    throw new DoorConfigError(['a webhook output needs deps.dataDir for its outbox']);
  }
  if (deps.dataDir === undefined && parsed.some((config) => config.kind === 'osdp')) {
    throw new DoorConfigError(['an OSDP output needs deps.dataDir for its Secure Channel key']);
  }
  const outputs = parsed.map((config): DoorOutput => {
    switch (config.kind) {
      case 'log':
        return new LogOutput(config, { logger: deps.logger });
      case 'gpio':
        return new GpioRelayOutput(config, { logger: deps.logger, openLine: deps.openGpioLine, timers: deps.relayTimers });
      case 'webhook':
        return new WebhookOutput(config, { dataDir: deps.dataDir ?? '', logger: deps.logger, fetch: deps.fetch, nowMs: deps.nowMs, random: deps.random });
      case 'osdp':
        return new OsdpOutput(config, {
          logger: deps.logger,
          dataDir: deps.dataDir ?? '',
          customFormats: deps.customCardFormats,
          openPort: deps.openSerialPort,
          onIndication: deps.onPanelIndication,
          productVersion: deps.productVersion,
          nowMs: deps.nowMs,
        });
      case 'wiegand':
        return new WiegandOutput(config, { logger: deps.logger, customFormats: deps.customCardFormats, pulseWorker: deps.wiegandPulseWorker, nowMs: deps.nowMs });
    }
  });
  return new DoorOutputs(outputs, { logger: deps.logger, openTimeoutMs: deps.openTimeoutMs });
}
