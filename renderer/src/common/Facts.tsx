// Terms and their values as a read-only list (a person's details, the system screen's figures).
import type { ReactNode } from 'react';

export function Facts({ rows }: { readonly rows: readonly (readonly [string, ReactNode])[] }): ReactNode {
  return (
    <dl className="summary">
      {rows.map(([term, value]) => (
        <div key={term} className="summary-row">
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
