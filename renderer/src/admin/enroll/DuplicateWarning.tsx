// The face looks like someone already enrolled: say who, how alike, and let the administrator decide — add these
// samples to that person (the usual case: a re-enrollment, a new photo), or enroll a new person anyway (twins).
import type { ReactNode } from 'react';

import type { ResponseOf } from '../../contract.js';
import { Icon } from '../../common/Icon.js';

export type DuplicateWarningItem = ResponseOf<'enroll:live-commit'>['duplicates'][number];

export function DuplicateWarning({
  duplicates,
  busy,
  onEnrollAnyway,
  onAddTo,
  onCancel,
}: {
  readonly duplicates: readonly DuplicateWarningItem[];
  readonly busy: boolean;
  readonly onEnrollAnyway: () => void;
  /** Adds the samples to this enrolled person instead; absent where that is not offered. */
  readonly onAddTo?: (duplicate: DuplicateWarningItem) => void;
  readonly onCancel: () => void;
}): ReactNode {
  return (
    <div className="notice notice-warning duplicate-warning" role="alert">
      <Icon name="warning" />
      <div className="notice-body">
        <strong>This face looks like someone already enrolled</strong>
        <ul>
          {duplicates.map((duplicate) => (
            <li key={duplicate.personId}>
              {duplicate.name}
              {duplicate.externalId ? ` (${duplicate.externalId})` : ''} — {duplicate.matchScore !== null ? `match score ${duplicate.matchScore}` : `similarity ${duplicate.similarity.toFixed(2)}`}
            </li>
          ))}
        </ul>
        <span>
          {onAddTo ? 'If this is the same person, add these photos to them. ' : ''}Enroll anyway only for a different person who looks alike (twins, close family).
        </span>
        <div className="button-row">
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          {onAddTo
            ? duplicates.map((duplicate) => (
                <button key={duplicate.personId} type="button" className="btn btn-primary" onClick={() => onAddTo(duplicate)} disabled={busy}>
                  <Icon name="check" />
                  Add to {duplicate.name}
                </button>
              ))
            : null}
          <button type="button" className="btn btn-warning" onClick={onEnrollAnyway} disabled={busy}>
            Enroll anyway
          </button>
        </div>
      </div>
    </div>
  );
}
