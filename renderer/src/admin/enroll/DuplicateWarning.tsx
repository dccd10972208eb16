// The face looks like someone already enrolled: say who, how alike, and let the administrator decide.
import type { ReactNode } from 'react';

import type { ResponseOf } from '../../contract.js';
import { Icon } from '../../common/Icon.js';

export type DuplicateWarningItem = ResponseOf<'enroll:live-commit'>['duplicates'][number];

export function DuplicateWarning({ duplicates, busy, onEnrollAnyway, onCancel }: { readonly duplicates: readonly DuplicateWarningItem[]; readonly busy: boolean; readonly onEnrollAnyway: () => void; readonly onCancel: () => void }): ReactNode {
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
        <span>Enroll anyway only for a different person who looks alike (twins, close family).</span>
        <div className="button-row">
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="btn btn-warning" onClick={onEnrollAnyway} disabled={busy}>
            Enroll anyway
          </button>
        </div>
      </div>
    </div>
  );
}
