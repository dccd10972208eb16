// Wiegand output to an access-control panel: on a grant, the person's card credential as a Wiegand frame, either
// through the kernel's Wiegand driver (a sysfs file the board's BSP provides) or bit-banged on two GPIO lines.
// The panel decides and drives the lock; a denied face sends nothing, as a reader sends nothing without a card.
import { writeFile } from 'node:fs/promises';

import { WiegandPulseWorker, type WiegandLinesSpec, type WiegandPulseWorkerOptions, type WiegandSendResult } from '../../../native-bridge/gpio/wiegand-pulse-worker.js';
import type { WiegandTiming, WiegandTrainReport } from '../../../native-bridge/gpio/wiegand-pulses.js';
import type { CustomCardFormat } from '../../shared/shapes/card-formats.js';
import type { WiegandOutputConfig } from '../../shared/shapes/door-outputs.js';
import { bitString, encodeCard, resolveCardFormat } from './card-format.js';
import type { DoorEvent, DoorLogger, DoorOutput, DoorOutputResult, WiegandHealth } from './door-output.js';
import { errorMessage } from './error-message.js';

/** What a transmitter did with one frame. */
export interface WiegandSent {
  /** The measured pulses, for the GPIO transport. */
  readonly report?: WiegandTrainReport;
  /** With a fake chip in the pulse worker: the writes as its fake kernel stamped them. */
  readonly fakeWrites?: WiegandSendResult['fakeWrites'];
}

/** Puts frames on the wire. */
export interface WiegandTransmitter {
  readonly transport: 'driver' | 'gpio';
  /** Sends one frame (0/1 per bit, first sent first); rejects when it could not. */
  send(bits: Uint8Array): Promise<WiegandSent>;
  close(): Promise<void>;
}

/**
 * DATA0 and DATA1 on GPIO lines, pulsed by the pulse worker's thread (see wiegand-pulses.ts for the timing): the
 * main thread waits for the frame without being held by it. The lines are requested on the first frame and held;
 * a failure releases them and the next frame requests them again. Frames go out one at a time, in order.
 */
export class GpioWiegandTransmitter implements WiegandTransmitter {
  readonly transport = 'gpio';
  private readonly worker: WiegandPulseWorker;
  private readonly lines: WiegandLinesSpec;

  constructor(
    private readonly config: Pick<WiegandOutputConfig, 'chipPath' | 'd0Line' | 'd1Line' | 'pulseLevel' | 'consumer'> & WiegandTiming,
    /** The worker, or options for one of its own (fake chips for tests); default a worker on the real character device. */
    worker: WiegandPulseWorker | WiegandPulseWorkerOptions = {},
  ) {
    this.worker = worker instanceof WiegandPulseWorker ? worker : new WiegandPulseWorker(worker);
    const { chipPath = '', d0Line = 0, d1Line = 0, pulseLevel, consumer } = config;
    // "Active" is the pulse: active-low when the pulse pulls the GPIO low, so idle (inactive) is high.
    this.lines = { chipPath, d0Line, d1Line, activeLow: pulseLevel === 'low', consumer };
  }

  async send(bits: Uint8Array): Promise<WiegandSent> {
    const { pulseWidthUs, intervalUs } = this.config;
    return this.worker.send(this.lines, { pulseWidthUs, intervalUs }, bits);
  }

  async close(): Promise<void> {
    await this.worker.close();
  }
}

/** The kernel driver: the frame is written to its sysfs file as a string of 0/1, which times the pulses itself. */
export class DriverWiegandTransmitter implements WiegandTransmitter {
  readonly transport = 'driver';

  constructor(
    private readonly driverPath: string,
    private readonly write: (path: string, text: string) => Promise<void> = (path, text) => writeFile(path, text),
  ) {}

  async send(bits: Uint8Array): Promise<WiegandSent> {
    await this.write(this.driverPath, `${bitString(bits)}\n`);
    return {};
  }

  async close(): Promise<void> {}
}

/** Dependencies of the Wiegand output. */
export interface WiegandOutputDeps {
  readonly logger: DoorLogger;
  /** The configured custom card formats (`credentials.customFormats`); default none. */
  readonly customFormats?: readonly CustomCardFormat[];
  /** Default: from the configuration (GPIO lines or the kernel driver). */
  readonly transmitter?: WiegandTransmitter;
  /** The pulse worker's options, when no transmitter is given (fake chips for tests); default the real character device. */
  readonly pulseWorker?: WiegandPulseWorkerOptions;
  /** Wall clock, ms since the epoch; default Date.now. */
  readonly nowMs?: () => number;
}

/** Sends each granted person's credential as a Wiegand frame; denied events and people without one send nothing. */
export class WiegandOutput implements DoorOutput {
  readonly kind = 'wiegand';
  readonly name: string;
  private readonly transmitter: WiegandTransmitter;
  private framesSent = 0;
  private lastFrameAtMs: number | null = null;
  private lastError: string | null = null;
  private isClosed = false;

  constructor(
    private readonly config: WiegandOutputConfig,
    private readonly deps: WiegandOutputDeps,
  ) {
    this.name = config.name;
    this.transmitter =
      deps.transmitter ?? (config.driverPath !== undefined ? new DriverWiegandTransmitter(config.driverPath) : new GpioWiegandTransmitter(config, deps.pulseWorker));
  }

  async open(event: DoorEvent): Promise<DoorOutputResult> {
    if (this.isClosed) return { status: 'failed', error: `${this.name} is closed` };
    if (event.decision !== 'granted') return { status: 'skipped', detail: 'denied: no card is sent' };
    const credential = event.credential;
    if (!credential) return { status: 'skipped', detail: 'the person has no card credential' };
    let bits: Uint8Array;
    let formatName: string;
    try {
      const format = resolveCardFormat(this.config.format ?? credential.format, this.deps.customFormats);
      formatName = format.name;
      bits = encodeCard(format, credential);
    } catch (error) {
      return this.fail(`cannot frame the credential: ${errorMessage(error)}`);
    }
    try {
      const sent = await this.transmitter.send(bits);
      this.framesSent += 1;
      this.lastFrameAtMs = (this.deps.nowMs ?? Date.now)();
      this.lastError = null;
      const late = sent.report ? Math.max(...sent.report.edges.map((edge) => Number(edge.releasedAtNs - edge.assertedAtNs) / 1000)) : undefined;
      return { status: 'done', detail: `${formatName} frame of ${bits.length} bits sent${late === undefined ? '' : ` (longest pulse ${late.toFixed(0)} µs)`}` };
    } catch (error) {
      return this.fail(`cannot send on ${this.where()}: ${errorMessage(error)}`);
    }
  }

  /** Sends a test frame (facility 0, card 0 of the output's or the default format); for the System screen. */
  async test(formatName: string): Promise<DoorOutputResult> {
    return this.open({ id: 0, atMs: Date.now(), decision: 'granted', reason: 'test', credential: { facilityCode: 0, cardNumber: 0, format: formatName } });
  }

  health(): WiegandHealth {
    const base = { kind: 'wiegand', name: this.name, transport: this.transmitter.transport, framesSent: this.framesSent, lastFrameAtMs: this.lastFrameAtMs, lastError: this.lastError } as const;
    if (this.isClosed) return { ...base, status: 'unavailable', message: `${this.name}: closed` };
    if (this.lastError !== null) return { ...base, status: 'unavailable', message: `Wiegand on ${this.where()} unavailable: ${this.lastError}` };
    if (this.framesSent === 0) return { ...base, status: 'unknown', message: `Wiegand on ${this.where()}: sends on the first grant` };
    return { ...base, status: 'ok', message: `Wiegand on ${this.where()}: ${this.framesSent} frame(s) sent` };
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.transmitter.close();
  }

  private where(): string {
    const { driverPath, chipPath, d0Line, d1Line, pulseWidthUs, intervalUs } = this.config;
    return driverPath !== undefined ? `driver ${driverPath}` : `${chipPath ?? ''} D0 line ${d0Line ?? ''} / D1 line ${d1Line ?? ''} (${pulseWidthUs} µs every ${intervalUs} µs)`;
  }

  private fail(reason: string): DoorOutputResult {
    this.lastError = reason;
    this.deps.logger.warn('door.wiegand.failed', { output: this.name, reason });
    return { status: 'failed', error: reason };
  }
}
