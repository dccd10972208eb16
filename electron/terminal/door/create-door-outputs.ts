// The one place that turns the `door.outputs` setting into implementations: each configured output is built with
// what it needs from the composition root, and all of them are handed back as one DoorOutputs fan-out.
import type { WiegandPulseWorkerOptions } from '../../../native-bridge/gpio/wiegand-pulse-worker.js';
import type { CustomCardFormat } from '../../shared/shapes/card-formats.js';
import { doorOutputsConfigSchema, type DoorOutputConfig } from '../../shared/shapes/door-outputs.js';
import type { DoorLogger, DoorOutput } from './door-output.js';
import { DoorOutputs } from './door-outputs.js';
import { GpioRelayOutput, type GpioLineFactory, type RelayTimers } from './gpio-relay-output.js';
import { LogOutput } from './log-output.js';
import type { PanelIndication } from './osdp/indicators.js';
import { OsdpOutput, type SerialPortOpener } from './osdp/osdp-output.js';
import { WebhookOutput } from './webhook-output.js';
import { WiegandOutput } from './wiegand-output.js';

/** Door output configuration that cannot be used; the message lists every problem with its place. */
export class DoorConfigError extends Error {
  override readonly name = 'DoorConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`door outputs: ${problems.join('; ')}`);
  }
}

/** Validates door output configuration and applies defaults; throws DoorConfigError. Undefined → one log output. */
export function parseDoorOutputsConfig(raw: unknown): DoorOutputConfig[] {
  const parsed = doorOutputsConfigSchema.safeParse(raw === undefined ? [{ kind: 'log' }] : raw);
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
