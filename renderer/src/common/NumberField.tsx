// A number typed as text (the on-screen keyboard's number pad), shown in a friendly unit and stored in the
// contract's: `scale` stored units per shown unit (1000 for seconds stored as ms). Text that is no number
// reaches the form as NaN, so the form's validation reports it.
import { useEffect, useState, type ReactNode } from 'react';

import { TextField } from './TextField.js';

export function NumberField({
  label,
  value,
  onChange,
  scale = 1,
  unit,
  allowEmpty = false,
  hint,
  error,
  placeholder,
}: {
  readonly label: string;
  readonly value: number | null;
  readonly onChange: (value: number | null) => void;
  readonly scale?: number;
  readonly unit?: string;
  /** Empty means null (e.g. "the model's default", "off"). */
  readonly allowEmpty?: boolean;
  readonly hint?: ReactNode;
  readonly error?: string | null | undefined;
  /** Shown while empty, e.g. what empty means. */
  readonly placeholder?: string;
}): ReactNode {
  const format = (stored: number | null): string => (stored === null || Number.isNaN(stored) ? '' : String(Number((stored / scale).toFixed(6))));
  const parse = (text: string): number | null => {
    const trimmed = text.trim().replace(',', '.');
    if (trimmed === '') return allowEmpty ? null : Number.NaN;
    const shown = Number(trimmed);
    if (!Number.isFinite(shown)) return Number.NaN;
    // Seconds to ms and the like: the stored unit is whole.
    return scale === 1 ? shown : Math.round(shown * scale);
  };
  const [text, setText] = useState(() => format(value));
  useEffect(() => {
    // A value changed from outside (discarded changes, a reload): show it, unless the text already means it.
    setText((current) => (Object.is(parse(current), value) ? current : format(value)));
  }, [value, scale, allowEmpty]); // parse and format depend on these props only
  return (
    <TextField
      label={unit ? `${label} (${unit})` : label}
      value={text}
      onChange={(next) => {
        setText(next);
        onChange(parse(next));
      }}
      inputMode="decimal"
      keyboard="number"
      maxLength={24}
      hint={hint}
      error={error}
      placeholder={placeholder}
      className="number-field"
    />
  );
}
