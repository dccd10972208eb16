// A labelled list of choices, for settings where the terminal knows what may be chosen.
import { useId, type ReactNode } from 'react';

import { FieldError } from './FieldError.js';

export interface SelectChoice {
  readonly value: string;
  readonly label: string;
}

export interface SelectFieldProps {
  readonly label: string;
  readonly value: string;
  readonly choices: readonly SelectChoice[];
  readonly onChange: (value: string) => void;
  readonly hint?: ReactNode;
  readonly error?: string | null | undefined;
}

export function SelectField(props: SelectFieldProps): ReactNode {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : null, props.error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <div className="field-label-row">
        <label htmlFor={id}>{props.label}</label>
      </div>
      <select id={id} value={props.value} onChange={(event) => props.onChange(event.target.value)} aria-invalid={props.error ? true : undefined} aria-describedby={describedBy}>
        {props.choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
      {props.hint ? (
        <p className="field-hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? <FieldError id={errorId}>{props.error}</FieldError> : null}
    </div>
  );
}
