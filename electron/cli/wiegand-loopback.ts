/**
 * `lintel doctor --wiegand-loopback`: with D0/D1 wired back to two spare input lines, sends known frames through the
 * Wiegand pulse worker (as a grant does) and reads them back from the inputs' edge events, which the kernel
 * timestamps when each edge's interrupt fires. Reports the pulse widths and intervals the wire carried, their
 * spread against the configuration and the SIA tolerances, and whether each frame read back is the one sent.
 */
import type { GpioEdgeEvent, GpioInputLinesOptions } from '../../native-bridge/gpio/gpio-input.js';
import { measureWiegandJitter, type WiegandJitter, type WiegandTiming, type WiegandTrainReport } from '../../native-bridge/gpio/wiegand-pulses.js';
import { bitString, decodeCard, encodeCard, resolveCardFormat } from '../terminal/door/card-format.js';
import { pulsesFromEdges } from '../terminal/door/card-reader.js';
import { GpioWiegandTransmitter, type WiegandTransmitter } from '../terminal/door/wiegand-output.js';
import { mark } from './status-mark.js';

/** The wiring and what to send. */
export interface WiegandLoopbackOptions {
  /** Chip of the D0/D1 outputs, e.g. `/dev/gpiochip3`. */
  readonly chipPath: string;
  readonly d0Line: number;
  readonly d1Line: number;
  /** Chip of the two inputs; default the outputs' chip. */
  readonly inChipPath?: string;
  /** The input D0 is wired to, and the one D1 is wired to. */
  readonly d0InLine: number;
  readonly d1InLine: number;
  /** As the Wiegand output's `pulseLevel`: `low` when a pulse pulls the line low (idle high). Default `low`. */
  readonly pulseLevel?: 'low' | 'high';
  readonly timing: WiegandTiming;
  /** Card format of the frames; default `wiegand26`. */
  readonly format?: string;
  /** Frames to send; default 10. */
  readonly frames?: number;
}

/** The input lines as the check uses them. */
export interface LoopbackInputs {
  values(): Map<number, boolean>;
  wait(timeoutMs: number): Promise<GpioEdgeEvent[]>;
  readonly eventsLost: number;
  close(): Promise<void>;
}

/** Dependencies; the defaults are the board's. */
export interface WiegandLoopbackDeps {
  /** Where the report goes, one line at a time. */
  readonly print: (line: string) => void;
  /** Default the Wiegand output's own transmitter: the pulse worker on the real character device. */
  readonly transmitter?: WiegandTransmitter;
  /** Default GpioInputLines.open on the real character device. */
  readonly openInputs?: (options: GpioInputLinesOptions) => LoopbackInputs | Promise<LoopbackInputs>;
}

/** What one frame did on the wire. */
export interface LoopbackFrame {
  readonly sent: string;
  readonly received: string;
  readonly matches: boolean;
}

/** The check's outcome. */
export interface WiegandLoopbackResult {
  readonly frames: readonly LoopbackFrame[];
  /** Widths and intervals measured from the input edges; null when no pulse came back. */
  readonly jitter: WiegandJitter | null;
  /** Edge events the kernel dropped (its buffer overflowed). */
  readonly eventsLost: number;
  /** Every frame read back as sent, every pulse and interval within the SIA tolerances, no event lost. */
  readonly ok: boolean;
}

const us = (value: number): string => value.toFixed(1);

const openRealInputs = async (options: GpioInputLinesOptions): Promise<LoopbackInputs> => {
  const { GpioInputLines } = await import('../../native-bridge/gpio/gpio-input.js');
  return GpioInputLines.open(options);
};

/** Runs the check and prints its report. */
export async function runWiegandLoopback(options: WiegandLoopbackOptions, deps: WiegandLoopbackDeps): Promise<WiegandLoopbackResult> {
  const { print } = deps;
  const { chipPath, d0Line, d1Line, d0InLine, d1InLine, timing, pulseLevel = 'low', frames: frameCount = 10 } = options;
  const inChipPath = options.inChipPath ?? chipPath;
  const format = resolveCardFormat(options.format ?? 'wiegand26');
  print(`Wiegand loopback — D0 ${chipPath} line ${d0Line} → ${inChipPath} line ${d0InLine}, D1 line ${d1Line} → line ${d1InLine}`);
  print(`${mark('info')} ${frameCount} ${format.name} frames, pulse ${timing.pulseWidthUs} µs every ${timing.intervalUs} µs, pulses ${pulseLevel}`);
  // The inputs see the level the outputs drive: active (a pulse) at the same level.
  const activeLow = pulseLevel === 'low';
  const inputs = await (deps.openInputs ?? openRealInputs)({
    chipPath: inChipPath,
    lines: [
      { line: d0InLine, activeLow },
      { line: d1InLine, activeLow },
    ],
    consumer: 'lintel-loopback',
    eventBufferSize: 1024,
  });
  const transmitter = deps.transmitter ?? new GpioWiegandTransmitter({ chipPath, d0Line, d1Line, pulseLevel, consumer: 'lintel-loopback', ...timing });
  const results: LoopbackFrame[] = [];
  const reports: WiegandTrainReport[] = [];
  try {
    const idle = inputs.values();
    for (const [line, name] of [[d0InLine, 'D0'], [d1InLine, 'D1']] as const) {
      if (idle.get(line) === true) print(`${mark('warn')} the ${name} input (line ${line}) reads a pulse at rest: check its wire, or --pulse-level`);
    }
    const frameMs = (format.totalBits * timing.intervalUs) / 1000;
    for (let i = 0; i < frameCount; i++) {
      const credential = { facilityCode: format.maxFacilityCode === null ? undefined : (i * 37 + 13) % (format.maxFacilityCode + 1), cardNumber: (i * 7919 + 13067) % (format.maxCardNumber + 1) };
      const bits = encodeCard(format, credential);
      const events: GpioEdgeEvent[] = [];
      let doneAtMs = Number.POSITIVE_INFINITY;
      // Read while the worker pulses (the main thread is free; the kernel buffers what comes meanwhile), until every
      // edge of the frame is in or a frame's time after the send.
      const reading = (async () => {
        while (events.length < 2 * bits.length && performance.now() < doneAtMs + Math.max(100, frameMs)) events.push(...(await inputs.wait(20)));
      })();
      try {
        await transmitter.send(bits);
      } finally {
        doneAtMs = performance.now();
        await reading;
      }
      const pulses = pulsesFromEdges(events, d0InLine, d1InLine);
      const received = pulses.map((pulse) => String(pulse.value)).join('');
      results.push({ sent: bitString(bits), received, matches: received === bitString(bits) });
      reports.push({ startedAtNs: pulses[0]?.startNs ?? 0n, edges: pulses.map((pulse, bit) => ({ bit, value: pulse.value, assertedAtNs: pulse.startNs, releasedAtNs: pulse.endNs })) });
      // Frames are separate reads for a panel.
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  } finally {
    await transmitter.close();
    await inputs.close();
  }
  return report(results, reports, inputs.eventsLost, { format, timing, d0InLine, d1InLine }, print);
}

function report(
  frames: readonly LoopbackFrame[],
  reports: readonly WiegandTrainReport[],
  eventsLost: number,
  context: { format: ReturnType<typeof resolveCardFormat>; timing: WiegandTiming; d0InLine: number; d1InLine: number },
  print: (line: string) => void,
): WiegandLoopbackResult {
  const { format, timing } = context;
  const matched = frames.filter((frame) => frame.matches).length;
  print(`${mark(matched === frames.length ? 'ok' : 'fail')} ${matched} of ${frames.length} frames read back as sent`);
  for (const frame of frames.filter((candidate) => !candidate.matches).slice(0, 3)) {
    const why = frameProblem(frame, context);
    print(`${mark('info')}   sent ${frame.sent}, read ${frame.received === '' ? 'nothing' : frame.received}${why}`);
  }
  const withPulses = reports.filter((candidate) => candidate.edges.length > 0);
  const jitter = withPulses.length === 0 ? null : measureWiegandJitter(withPulses, timing);
  if (jitter === null) {
    print(`${mark('fail')} no pulse came back: check the wires from D0/D1 to the inputs, and that nothing else drives them`);
  } else {
    const { pulseWidthUs: width, intervalUs: interval } = jitter;
    const widthOk = width.max <= 100 && width.min >= 20;
    const intervalOk = Number.isNaN(interval.min) || (interval.min >= 200 && interval.max <= 20_000);
    print(`${mark(widthOk ? 'ok' : 'warn')} pulse width µs: min ${us(width.min)}, median ${us(width.median)}, p99 ${us(width.p99)}, max ${us(width.max)} (configured ${timing.pulseWidthUs}; SIA 20–100)`);
    print(`${mark(intervalOk ? 'ok' : 'warn')} interval µs: min ${us(interval.min)}, median ${us(interval.median)}, p99 ${us(interval.p99)}, max ${us(interval.max)} (configured ${timing.intervalUs}; SIA 200–20000)`);
    print(`${mark(jitter.outOfSpec === 0 ? 'ok' : 'warn')} ${jitter.pulses} pulses, worst error ${us(jitter.worstErrorUs)} µs, ${jitter.outOfSpec} outside the SIA tolerances${jitter.outOfSpec === 0 ? '' : ': a strict panel drops those frames; use the kernel driver (driverPath) where the board has one'}`);
  }
  if (eventsLost > 0) print(`${mark('warn')} the kernel dropped ${eventsLost} edge event(s): its buffer overflowed`);
  print(`${mark('info')} format ${format.name}: pulses read on D0 are 0s, on D1 1s, the first bit first`);
  return { frames, jitter, eventsLost, ok: matched === frames.length && jitter !== null && jitter.outOfSpec === 0 && eventsLost === 0 };
}

/** Why a frame did not come back, in words where it can be told. */
function frameProblem(frame: LoopbackFrame, context: { format: ReturnType<typeof resolveCardFormat>; d0InLine: number; d1InLine: number }): string {
  const { sent, received } = frame;
  if (received === '') return '';
  const inverted = [...sent].map((bit) => (bit === '1' ? '0' : '1')).join('');
  if (received === inverted) return ': every bit inverted — D0 and D1 are crossed';
  if (!received.includes('0') && sent.includes('0')) return `: nothing on D0's input (line ${context.d0InLine})`;
  if (!received.includes('1') && sent.includes('1')) return `: nothing on D1's input (line ${context.d1InLine})`;
  if (received.length !== sent.length) return `: ${received.length} of ${sent.length} bits`;
  const decoded = decodeCard(context.format, [...received].map(Number));
  return decoded.parityErrors.length > 0 ? `: parity bit(s) ${decoded.parityErrors.join(', ')} wrong` : '';
}
