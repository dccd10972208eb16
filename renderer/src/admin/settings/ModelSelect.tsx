// A model setting as a list of the models this terminal has for a role: the built-in ones and those an
// administrator added (System → Models). Empty means the default (extractor) or none (liveness).
import { useEffect, useState, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import { SelectField, type SelectChoice } from '../../common/SelectField.js';
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
  const choices: SelectChoice[] = [
    { value: '', label: fallback ? `${props.emptyText} (${fallback.id})` : props.emptyText },
    ...available.map((model) => ({ value: model.id, label: model.state === 'added' ? `${model.id} (added)` : model.id })),
    ...(stray !== null ? [{ value: stray, label: `${stray} (not available)` }] : []),
  ];
  return (
    <SelectField
      label={props.label}
      value={props.value ?? ''}
      choices={choices}
      onChange={(value) => props.onChange(value === '' ? null : value)}
      hint={props.hint}
      error={props.error}
    />
  );
}
