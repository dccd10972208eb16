// The save-time check of every GPIO line the door settings name — the relay, Wiegand's D0/D1, the door contact, the
// exit button and the card reader's D0/D1: the chip must exist and have the line, and no line may serve two
// purposes. Each setting checks its own lines for repeats (door-output.ts, door-inputs.ts); this adds the repeats
// across the two settings and asks the kernel about the chips, so a typo is refused naming the field rather than
// found on the first grant.
import type { GpioChipInfo } from '../../../native-bridge/gpio/list-chips.js';
import type { GpioInputSyscalls } from '../../../native-bridge/gpio/gpio-input.js';
import type { DoorInputsConfig } from '../../shared/shapes/door-inputs.js';
import type { DoorOutputConfig } from '../../shared/shapes/door-outputs.js';
import { errorMessage } from './error-message.js';

/** The door settings that name GPIO lines. */
export type GpioSetting = 'door.outputs' | 'door.inputs';

/** One line a setting uses, with the field that names it (as the setting's own errors name fields). */
export interface GpioLineUse {
  readonly setting: GpioSetting;
  /** e.g. `outputs[0] (gpio) line`, `contact.line`, `cardReader.d0Line`. */
  readonly lineField: string;
  /** e.g. `outputs[0] (gpio) chipPath`, `contact.chipPath`. */
  readonly chipField: string;
  readonly chipPath: string;
  readonly line: number;
  /** What the line is for, in words: `the door relay "relay"`, `Wiegand D0 of "wiegand"`, `the door contact`, `the card reader's D1`. */
  readonly purpose: string;
}

/** A problem, with the setting it belongs to. */
export interface GpioLineProblem {
  readonly setting: GpioSetting;
  readonly message: string;
}

/** Reads a chip's info (GPIO_GET_CHIPINFO_IOCTL); throws a SystemCallError (ENOENT: no such chip) when it cannot. */
export type GpioChipProbe = (chipPath: string) => GpioChipInfo | Promise<GpioChipInfo>;

/** Every GPIO line of the two settings, in order. */
export function gpioLineUses(outputs: readonly DoorOutputConfig[], inputs: DoorInputsConfig): GpioLineUse[] {
  const uses: GpioLineUse[] = [];
  outputs.forEach((output, index) => {
    const at = `outputs[${index}] (${output.kind})`;
    if (output.kind === 'gpio') {
      uses.push({ setting: 'door.outputs', lineField: `${at} line`, chipField: `${at} chipPath`, chipPath: output.chipPath, line: output.line, purpose: `the door relay "${output.name}"` });
    } else if (output.kind === 'wiegand' && output.chipPath !== undefined) {
      for (const [field, line, name] of [['d0Line', output.d0Line, 'D0'], ['d1Line', output.d1Line, 'D1']] as const) {
        if (line !== undefined) uses.push({ setting: 'door.outputs', lineField: `${at} ${field}`, chipField: `${at} chipPath`, chipPath: output.chipPath, line, purpose: `Wiegand ${name} of "${output.name}"` });
      }
    }
  });
  if (inputs.contact) uses.push({ setting: 'door.inputs', lineField: 'contact.line', chipField: 'contact.chipPath', chipPath: inputs.contact.chipPath, line: inputs.contact.line, purpose: 'the door contact' });
  if (inputs.exitButton) uses.push({ setting: 'door.inputs', lineField: 'exitButton.line', chipField: 'exitButton.chipPath', chipPath: inputs.exitButton.chipPath, line: inputs.exitButton.line, purpose: 'the exit button' });
  const reader = inputs.cardReader;
  if (reader) {
    for (const [field, line, name] of [['d0Line', reader.d0Line, 'D0'], ['d1Line', reader.d1Line, 'D1']] as const) {
      uses.push({ setting: 'door.inputs', lineField: `cardReader.${field}`, chipField: 'cardReader.chipPath', chipPath: reader.chipPath, line, purpose: `the card reader's ${name}` });
    }
  }
  return uses;
}

/**
 * Lines the door inputs share with the door outputs, told from both sides (the caller keeps the side being saved);
 * repeats within one setting are that setting's own check.
 */
export function sharedLineProblems(uses: readonly GpioLineUse[]): GpioLineProblem[] {
  const problems: GpioLineProblem[] = [];
  for (const input of uses) {
    if (input.setting !== 'door.inputs') continue;
    for (const output of uses) {
      if (output.setting !== 'door.outputs' || output.chipPath !== input.chipPath || output.line !== input.line) continue;
      const where = `${input.chipPath} line ${input.line}`;
      problems.push({ setting: 'door.inputs', message: `${input.lineField}: ${where} is already ${output.purpose} (door.outputs ${output.lineField})` });
      problems.push({ setting: 'door.outputs', message: `${output.lineField}: ${where} is already ${input.purpose} (door.inputs ${input.lineField})` });
    }
  }
  return problems;
}

/**
 * Lines whose chip cannot be opened or does not have them, for the uses of `settings` only (a stored setting
 * that is not being changed is not refused for a chip that has gone). Each chip is asked once.
 */
export async function missingLineProblems(uses: readonly GpioLineUse[], settings: readonly GpioSetting[], probe: GpioChipProbe): Promise<GpioLineProblem[]> {
  const chips = new Map<string, Promise<GpioChipInfo | Error>>();
  const problems: GpioLineProblem[] = [];
  for (const use of uses) {
    if (!settings.includes(use.setting)) continue;
    let info = chips.get(use.chipPath);
    if (info === undefined) {
      info = Promise.resolve()
        .then(() => probe(use.chipPath))
        .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      chips.set(use.chipPath, info);
    }
    const chip = await info;
    if (chip instanceof Error) {
      const code = (chip as { code?: unknown }).code;
      const why = code === 'ENOENT' ? 'no such GPIO chip on this terminal (`lintel doctor` lists them)' : errorMessage(chip);
      // One message per chip field, however many lines of the same chip the setting uses.
      if (!problems.some((problem) => problem.setting === use.setting && problem.message.startsWith(`${use.chipField}: `))) {
        problems.push({ setting: use.setting, message: `${use.chipField}: ${use.chipPath}: ${why}` });
      }
    } else if (use.line >= chip.lines) {
      problems.push({ setting: use.setting, message: `${use.lineField}: ${use.chipPath} (${chip.label}) has lines 0–${chip.lines - 1}, not ${use.line}` });
    }
  }
  return problems;
}

/** The probe on the real character device (or `sys`), its native code loaded on first use. */
export function chipProbe(sys?: GpioInputSyscalls): GpioChipProbe {
  return async (chipPath) => {
    const [{ openLibc }, { O_CLOEXEC, O_RDONLY }, { withGpioChip }] = await Promise.all([
      import('../../../native-bridge/libc/syscalls.js'),
      import('../../../native-bridge/libc/bindings.js'),
      import('../../../native-bridge/gpio/list-chips.js'),
    ]);
    return withGpioChip(sys ?? openLibc(), chipPath, O_RDONLY | O_CLOEXEC, (_fd, chip) => chip);
  };
}
