// Door outputs as the settings hold them (`door.outputs`): a relay, a web service, a log line, a Wiegand or OSDP
// panel link. The terminal builds the outputs from these in electron/terminal/door/create-door-outputs.ts.
import { z } from 'zod';

import { cardFormatName, consumerLabel, devicePath, gpioLine, intIn } from './fields.js';

/** Tells outputs apart; keys the webhook outbox and the OSDP key file, so it is a safe file name. */
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
  .max(4096, 'must be at most 4096 characters')
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
  chipPath: devicePath('/dev/gpiochip3'),
  /** Line offset within the chip (GPIO3_A7 → chip 3, line 7). */
  line: intIn(0, 1023),
  /** Relay asserted at low level; default false. */
  activeLow: z.boolean().default(false),
  /** How long the relay stays energised after a grant, ms; 100–10000, default 3000. */
  pulseMs: intIn(100, 10_000, 'ms').default(3000),
  /** Consumer label shown by `gpioinfo`, at most 31 bytes; default `lintel-door`. */
  consumer: consumerLabel.default('lintel-door'),
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

/** Baud rates of the RS-485 line (and of osdp_COMSET). */
export const OSDP_BAUD_RATES = [9600, 19200, 38400, 57600, 115200] as const;

/** An OSDP reader on a serial port. */
export const osdpOutputConfigSchema = z
  .strictObject({
    kind: z.literal('osdp'),
    /** Default `osdp`; also names the file of its key in the data folder. */
    name: outputName.default('osdp'),
    /** The RS-485 UART, e.g. `/dev/ttyS3`. */
    port: z.string().max(255, 'must be at most 255 characters').regex(/^\/dev\/[\w./-]+$/, 'must be a serial device such as /dev/ttyS3'),
    /** 9600 (default), 19200, 38400, 57600 or 115200; the panel may change it with osdp_COMSET. */
    baudRate: z
      .int({ error: 'must be a whole number of baud' })
      .refine((value) => (OSDP_BAUD_RATES as readonly number[]).includes(value), { error: (issue) => `must be one of ${OSDP_BAUD_RATES.join(', ')}, got ${String(issue.input)}` })
      .default(9600),
    /** The reader's address on the bus, 0–126 (127 is broadcast); default 0. The panel may change it with osdp_COMSET. */
    address: z
      .int({ error: 'must be a whole number' })
      .min(0, { error: (issue) => `must be from 0 to 126, got ${String(issue.input)}` })
      .max(126, { error: (issue) => `must be from 0 to 126 (127 is the broadcast address), got ${String(issue.input)}` })
      .default(0),
    /** Require Secure Channel (AES-128): card reads never leave in the clear; default true. */
    secureChannel: z.boolean().default(true),
    /** Accept the default key until the panel sets this reader's own (osdp_KEYSET); default false. Switch off once set. */
    installMode: z.boolean().default(false),
    /** Card format of the card data; null (default) = the credential's own. */
    format: cardFormatName.nullable().default(null),
    /** How long a card read waits for the panel's next poll before it is dropped, ms; 200–10000, default 3000. */
    cardReadTimeoutMs: z
      .int({ error: 'must be a whole number of ms' })
      .min(200, { error: (issue) => `must be from 200 to 10000 ms, got ${String(issue.input)}` })
      .max(10_000, { error: (issue) => `must be from 200 to 10000 ms, got ${String(issue.input)}` })
      .default(3000),
  })
  .refine((config) => config.secureChannel || !config.installMode, { path: ['installMode'], message: 'install mode sets up Secure Channel: switch secureChannel on, or install mode off' });

const deviceOrSysfsPath = (example: string) =>
  z
    .string()
    .max(255, 'must be at most 255 characters')
    .regex(/^\/(dev|sys)\/[\w.:/-]+$/, `must be a device or sysfs path such as ${example}`);

/**
 * A Wiegand output. Either `driverPath` (the kernel driver's sysfs file that takes a frame as a string of 0/1),
 * or `chipPath` with `d0Line` and `d1Line` (bit-banged from user space with the pulse timing below).
 */
export const wiegandOutputConfigSchema = z
  .strictObject({
    kind: z.literal('wiegand'),
    /** Default `wiegand`. */
    name: outputName.default('wiegand'),
    /** Card format of the frames; null (default) = the credential's own, the `credentials.format` setting. */
    format: cardFormatName.nullable().default(null),
    /** The kernel driver's file a frame is written to, e.g. `/sys/class/wiegand/wiegand0/send` (BSPs differ). */
    driverPath: deviceOrSysfsPath('/sys/class/wiegand/wiegand0/send').optional(),
    /** GPIO chip of both data lines, e.g. `/dev/gpiochip3`. */
    chipPath: deviceOrSysfsPath('/dev/gpiochip3').optional(),
    /** Line offset of DATA0 (a "0" bit) and DATA1 (a "1" bit) within the chip. */
    d0Line: gpioLine.optional(),
    d1Line: gpioLine.optional(),
    /**
     * GPIO level during a pulse: `low` when the GPIO drives the data line directly (idle high, Wiegand's own
     * levels), `high` when an open-collector transistor between them inverts. Default `low`.
     */
    pulseLevel: z.enum(['low', 'high']).default('low'),
    /** Pulse width, µs; 20–1000, default 50 (SIA: 20–100). */
    pulseWidthUs: z.int().min(20, 'must be from 20 to 1000 µs').max(1000, 'must be from 20 to 1000 µs').default(50),
    /** Start of one pulse to the start of the next, µs; 200–20000, default 2000 (SIA: 200 µs – 20 ms). */
    intervalUs: z.int().min(200, 'must be from 200 to 20000 µs').max(20_000, 'must be from 200 to 20000 µs').default(2000),
    /** Consumer label of the two lines, at most 31 bytes; default `lintel-wiegand`. */
    consumer: consumerLabel.default('lintel-wiegand'),
  })
  .superRefine((config, ctx) => {
    const gpio = config.chipPath !== undefined || config.d0Line !== undefined || config.d1Line !== undefined;
    if (config.driverPath !== undefined && gpio) ctx.addIssue({ code: 'custom', path: ['driverPath'], message: 'give either driverPath or chipPath with d0Line and d1Line, not both' });
    if (config.driverPath === undefined) {
      for (const key of ['chipPath', 'd0Line', 'd1Line'] as const) {
        if (config[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `is required for GPIO lines (or give driverPath for the kernel driver)` });
      }
      if (config.d0Line !== undefined && config.d0Line === config.d1Line) ctx.addIssue({ code: 'custom', path: ['d1Line'], message: 'must differ from d0Line' });
    }
    if (config.intervalUs < 2 * config.pulseWidthUs) ctx.addIssue({ code: 'custom', path: ['intervalUs'], message: `must be at least twice the pulse width (${2 * config.pulseWidthUs} µs)` });
  });

/** One door output's configuration. */
export const doorOutputConfigSchema = z.discriminatedUnion('kind', [logOutputConfigSchema, gpioOutputConfigSchema, webhookOutputConfigSchema, wiegandOutputConfigSchema, osdpOutputConfigSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? 'kind must be one of log, gpio, webhook, wiegand, osdp' : undefined),
});

/** Every door output (the setting's default: one log output). Names must be unique, and a GPIO line can be driven by one output only. */
export const doorOutputsConfigSchema = z
  .array(doorOutputConfigSchema)
  .max(16, 'at most 16 door outputs')
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
export type OsdpOutputConfig = z.output<typeof osdpOutputConfigSchema>;
export type WiegandOutputConfig = z.output<typeof wiegandOutputConfigSchema>;
export type DoorOutputConfig = z.output<typeof doorOutputConfigSchema>;
/** Configuration as written (defaults not yet applied). */
export type DoorOutputConfigInput = z.input<typeof doorOutputConfigSchema>;
