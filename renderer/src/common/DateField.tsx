// A date (the browser's own picker, large enough to tap) with a button to clear it.
import { useId, type ReactNode } from 'react';

import { FieldError } from './FieldError.js';
import { Icon } from './Icon.js';

export function DateField({ label, value, onChange, error, hint, type = 'date' }: { readonly label: string; readonly value: string; readonly onChange: (value: string) => void; readonly error?: string | undefined; readonly hint?: string; readonly type?: 'date' | 'datetime-local' | 'time' }): ReactNode {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="date-field">
        <input id={id} type={type} value={value} onChange={(event) => onChange(event.target.value)} aria-invalid={error ? true : undefined} />
        {value ? (
          <button type="button" className="btn btn-icon" aria-label={`Clear ${label.toLowerCase()}`} onClick={() => onChange('')}>
            <Icon name="cross" />
          </button>
        ) : null}
      </div>
      {hint ? <p className="field-hint">{hint}</p> : null}
      {error ? (
        <FieldError>{error}</FieldError>
      ) : null}
    </div>
  );
}
