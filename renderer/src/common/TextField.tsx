// A labelled text field. On a kiosk the on-screen keyboard opens when it is tapped (`keyboard` picks the layout);
// a real keyboard works as usual.
import { useId, type ReactNode } from 'react';

import { FieldError } from './FieldError.js';

export interface TextFieldProps {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly type?: 'text' | 'password' | 'search' | 'url';
  readonly keyboard?: 'text' | 'number' | 'digits' | 'none';
  readonly inputMode?: 'text' | 'numeric' | 'decimal' | 'url' | 'search';
  readonly maxLength?: number;
  readonly required?: boolean;
  readonly autoComplete?: string;
  readonly enterKeyHint?: 'go' | 'done' | 'next' | 'search';
  readonly placeholder?: string;
  readonly hint?: ReactNode;
  readonly error?: string | null | undefined;
  readonly autoFocus?: boolean;
  readonly className?: string;
  readonly onBlur?: () => void;
}

export function TextField(props: TextFieldProps): ReactNode {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : null, props.error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={props.className ? `field ${props.className}` : 'field'}>
      <div className="field-label-row">
        <label htmlFor={id}>{props.label}</label>
        {props.required ? <span className="field-required">required</span> : null}
      </div>
      <input
        id={id}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        onBlur={props.onBlur}
        data-keyboard={props.keyboard ?? 'text'}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        required={props.required}
        autoComplete={props.autoComplete ?? 'off'}
        autoCapitalize="off"
        autoCorrect="off"
        spellCheck={false}
        enterKeyHint={props.enterKeyHint}
        placeholder={props.placeholder}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
        autoFocus={props.autoFocus}
      />
      {props.hint ? (
        <p className="field-hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <FieldError id={errorId}>{props.error}</FieldError>
      ) : null}
    </div>
  );
}
