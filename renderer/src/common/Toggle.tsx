// An on/off switch that says which it is in words, not only by colour.
import { useId, type ReactNode } from 'react';

export function Toggle({
  label,
  checked,
  onChange,
  onText = 'On',
  offText = 'Off',
  hint,
}: {
  readonly label: string;
  readonly checked: boolean;
  readonly onChange: (checked: boolean) => void;
  readonly onText?: string;
  readonly offText?: string;
  readonly hint?: ReactNode;
}): ReactNode {
  const id = useId();
  return (
    <div className="field toggle-field">
      <span className="toggle-label" id={`${id}-label`}>
        {label}
      </span>
      <button
        type="button"
        role="switch"
        aria-checked={checked}
        aria-labelledby={`${id}-label`}
        className={checked ? 'toggle toggle-on' : 'toggle'}
        onClick={() => onChange(!checked)}
      >
        <span className="toggle-track" aria-hidden="true">
          <span className="toggle-thumb" />
        </span>
        <span className="toggle-text">{checked ? onText : offText}</span>
      </button>
      {hint ? <p className="field-hint">{hint}</p> : null}
    </div>
  );
}
