// A person's details as a read-only list, for a last look before saving.
import type { ReactNode } from 'react';

import { Facts } from '../../common/Facts.js';
import type { PersonDraft } from './person-draft.js';

export function validityText(validFrom: string, validUntil: string): string {
  if (!validFrom && !validUntil) return 'Always';
  if (!validUntil) return `From ${validFrom}`;
  if (!validFrom) return `Until ${validUntil}`;
  return `${validFrom} to ${validUntil}`;
}

export function PersonSummary({ draft, extra = [] }: { readonly draft: PersonDraft; readonly extra?: readonly (readonly [string, string])[] }): ReactNode {
  const rows: (readonly [string, string])[] = [
    ['Name', draft.name.trim()],
    ['External id', draft.externalId.trim() || '—'],
    ['Valid', validityText(draft.validFrom, draft.validUntil)],
    ['Groups', draft.groups.length > 0 ? draft.groups.join(', ') : '—'],
    ['Access', draft.enabled ? 'Enabled' : 'Disabled'],
    ...extra,
  ];
  return <Facts rows={rows} />;
}
