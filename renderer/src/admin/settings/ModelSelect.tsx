// A model setting as a list of the models this terminal has for a role: the built-in ones and those an
// administrator added (System → Models). Empty means the default (extractor) or none (liveness).
import { useEffect, useId, useState, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import { FieldError } from '../../common/FieldError.js';
import type { ResponseOf } from '../../contract.js';

type ModelListing = ResponseOf<'models:list'>[number];

export interface ModelSelectProps {
  readonly label: string;
  readonly role: 'extractor' | 'liveness';
  readonly value: string | null;
  readonly onChange: (value: string | null) => void;
  /** The text of the empty choice; for extractors the default model's id is added to it. */
  readonly emptyText: string;
  readonly hint?: ReactNode;
  readonly error?: string | null | undefined;
}

export function ModelSelect(props: ModelSelectProps): ReactNode {
  const client = useClient();
  const id = useId();
  const [models, setModels] = useState<readonly ModelListing[] | null>(null);

  useEffect(() => {
    let current = true;
    void client['models:list']({}).then((result) => {
      if (current && result.ok) setModels(result.value);
    });
    return () => {
      current = false;
    };
  }, [client]);

  const available = (models ?? []).filter((model) => model.role === props.role && model.state !== 'not-added');
  const fallback = props.role === 'extractor' ? available.find((model) => model.isDefault) : undefined;
  // A stored id that is not (or no longer) available stays a choice: the form never changes a setting silently.
  const stray = props.value !== null && models !== null && !available.some((model) => model.id === props.value) ? props.value : null;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : null, props.error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <div className="field-label-row">
        <label htmlFor={id}>{props.label}</label>
      </div>
      <select
        id={id}
        value={props.value ?? ''}
        onChange={(event) => props.onChange(event.target.value === '' ? null : event.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
      >
        <option value="">{fallback ? `${props.emptyText} (${fallback.id})` : props.emptyText}</option>
        {available.map((model) => (
          <option key={model.id} value={model.id}>
            {model.state === 'added' ? `${model.id} (added)` : model.id}
          </option>
        ))}
        {stray !== null ? <option value={stray}>{`${stray} (not available)`}</option> : null}
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
