// One choice of a few, as big buttons side by side (a radio group).
import type { ReactNode } from 'react';

import { Icon, type IconName } from './Icon.js';

export interface SegmentOption<T extends string> {
  readonly value: T;
  readonly label: string;
  readonly icon?: IconName;
}

export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  showLabel = true,
  className,
}: {
  readonly label: string;
  readonly value: T;
  readonly options: readonly SegmentOption<T>[];
  readonly onChange: (value: T) => void;
  readonly showLabel?: boolean;
  readonly className?: string;
}): ReactNode {
  return (
    <div className={className ? `field ${className}` : 'field'}>
      {showLabel ? <span className="segmented-label">{label}</span> : null}
      <div className="segmented" role="radiogroup" aria-label={label}>
        {options.map((option) => (
          <button
            key={option.value}
            type="button"
            role="radio"
            aria-checked={option.value === value}
            className={option.value === value ? 'segment segment-on' : 'segment'}
            onClick={() => onChange(option.value)}
          >
            {option.icon ? <Icon name={option.icon} /> : null}
            {option.label}
          </button>
        ))}
      </div>
    </div>
  );
}
