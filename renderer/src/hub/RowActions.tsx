// A list row's Edit and Delete buttons, as the Access screens show them.
import type { ReactNode } from 'react';

import { Icon } from '../common/Icon.js';

export function RowActions({ editDisabled, deleteDisabled, onEdit, onDelete }: { readonly editDisabled: boolean; readonly deleteDisabled: boolean; readonly onEdit: () => void; readonly onDelete: () => void }): ReactNode {
  return (
    <div className="button-row">
      <button type="button" className="btn btn-small" disabled={editDisabled} onClick={onEdit}>
        Edit
      </button>
      <button type="button" className="btn btn-small btn-danger" disabled={deleteDisabled} onClick={onDelete}>
        <Icon name="trash" />
        Delete
      </button>
    </div>
  );
}
