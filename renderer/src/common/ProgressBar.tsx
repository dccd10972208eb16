import type { ReactNode } from 'react';

/** A progress bar with its figures in words beside it. */
export function ProgressBar({ label, value, max, text, tone }: { readonly label: string; readonly value: number; readonly max: number; readonly text?: string; readonly tone?: 'ok' | 'busy' }): ReactNode {
  const fraction = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  return (
    <div className="progress">
      <div className="progress-caption">
        <span>{label}</span>
        <span>{text ?? `${value} of ${max}`}</span>
      </div>
      <div className="progress-track" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value} aria-valuetext={text}>
        <div className={tone === 'ok' ? 'progress-fill progress-fill-ok' : 'progress-fill'} style={{ width: `${fraction * 100}%` }} />
      </div>
    </div>
  );
}
