// A GPIO chip and its lines as choices: the chips the terminal found with their labels, and the lines each has.
// Where the terminal found no chip (or could not list them) the chip is typed as a path and the line as a number;
// either way the terminal checks on save that the chip has the line.
import type { ReactNode } from 'react';

import { NumberField } from '../../common/NumberField.js';
import { SelectField, type SelectChoice } from '../../common/SelectField.js';
import { TextField } from '../../common/TextField.js';
import { useHardware, type GpioChipChoice } from './hardware.js';

type ReadableChip = Extract<GpioChipChoice, { lines: number }>;

/** The chips the terminal could read; empty where it found none. */
function useChips(): readonly ReadableChip[] {
  const hardware = useHardware();
  return (hardware?.gpioChips ?? []).filter((chip): chip is ReadableChip => 'lines' in chip);
}

export interface GpioChipFieldProps {
  readonly label: string;
  readonly value: string;
  readonly onChange: (chipPath: string) => void;
  readonly error?: string | undefined;
  readonly hint?: ReactNode;
}

export function GpioChipField({ label, value, onChange, error, hint }: GpioChipFieldProps): ReactNode {
  const chips = useChips();
  if (chips.length === 0) return <TextField label={label} value={value} onChange={onChange} maxLength={255} error={error} hint={hint ?? 'e.g. /dev/gpiochip3 for bank GPIO3. The terminal found no GPIO chip to list.'} />;
  // Short enough for a half-width field standing up; the line list shows how many lines the chip has.
  const choices: SelectChoice[] = chips.map((chip) => ({ value: chip.path, label: `${chip.name} (${chip.label})` }));
  if (!chips.some((chip) => chip.path === value)) choices.push({ value, label: `${value} (not found)` });
  return <SelectField label={label} value={value} choices={choices} onChange={onChange} error={error} hint={hint} />;
}

export interface GpioLineFieldProps {
  readonly label: string;
  /** The chip the line is on: its lines are the choices. */
  readonly chipPath: string;
  readonly value: number | null;
  readonly onChange: (line: number) => void;
  readonly error?: string | undefined;
  readonly hint?: ReactNode;
}

export function GpioLineField({ label, chipPath, value, onChange, error, hint }: GpioLineFieldProps): ReactNode {
  const chip = useChips().find((candidate) => candidate.path === chipPath);
  if (!chip) return <NumberField label={label} value={value} onChange={(line) => onChange(line ?? Number.NaN)} error={error} hint={hint} />;
  const choices: SelectChoice[] = Array.from({ length: chip.lines }, (_, line) => ({ value: String(line), label: lineName(chip, line) }));
  if (value === null || Number.isNaN(value) || value >= chip.lines) choices.push({ value: String(value ?? ''), label: value === null || Number.isNaN(value) ? 'Choose a line' : `${value} (${chip.path} has ${chip.lines})` });
  return <SelectField label={label} value={String(value ?? '')} choices={choices} onChange={(picked) => onChange(Number(picked))} error={error} hint={hint} />;
}

/**
 * A line by its offset and, on a Rockchip bank of 32 lines, by the pin name on the board's schematic: line 7 of
 * bank `gpio3` is GPIO3_A7 (four groups A–D of eight lines).
 */
export function lineName(chip: { readonly label: string; readonly lines: number }, line: number): string {
  const bank = /^gpio(\d+)$/.exec(chip.label)?.[1];
  if (bank === undefined || chip.lines !== 32) return String(line);
  return `${line} — GPIO${bank}_${'ABCD'[Math.floor(line / 8)]}${line % 8}`;
}
