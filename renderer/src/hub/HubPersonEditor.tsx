// A site person's details, edited once on the hub for every door: name, external id, the days their access is
// valid, card, groups (the site's) and whether they are enabled. The terminal's own person form, so both screens
// check a person alike; a refused save keeps what was typed.
import { useState, type FormEvent, type ReactNode } from 'react';

import { draftProblems, type DraftProblems, type PersonDraft } from '../admin/person/person-draft.js';
import { PersonForm } from '../admin/person/PersonForm.js';
import { ErrorNotice } from '../common/ErrorNotice.js';
import type { ContractErrorBody } from '../contract.js';
import { GroupChips } from './GroupChips.js';
import type { HubPerson } from './hub-client.js';
import { draftFromHubPerson, hubPatchFromDraft } from './hub-person-draft.js';
import { useHubClient } from './hub-services.js';

export function HubPersonEditor({
  person,
  siteGroups,
  onDone,
}: {
  readonly person: HubPerson;
  readonly siteGroups: readonly string[];
  /** Called with the saved person's name, or null when the edit was cancelled. */
  readonly onDone: (saved: { readonly name: string } | null) => void;
}): ReactNode {
  const client = useHubClient();
  const [draft, setDraft] = useState<PersonDraft>(() => draftFromHubPerson(person));
  const [problems, setProblems] = useState<DraftProblems | null>(null);
  const [error, setError] = useState<ContractErrorBody | null>(null);
  const [busy, setBusy] = useState(false);
  const extraCards = person.credentials.length - 1;

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const found = draftProblems(draft);
    if (Object.keys(found).length > 0) return setProblems(found);
    setProblems(null);
    setBusy(true);
    const result = await client['persons:update']({ id: person.id, patch: hubPatchFromDraft(draft, person) });
    setBusy(false);
    if (result.ok) onDone(result.value);
    else setError(result.error);
  };

  return (
    <section className="screen hub-person-editor" aria-labelledby="hub-person-editor-heading">
      <header className="screen-header">
        <h1 id="hub-person-editor-heading">{person.name}</h1>
      </header>
      {error ? <ErrorNotice error={error} /> : null}
      <form className="card" onSubmit={(event) => void save(event)} noValidate>
        <PersonForm
          draft={draft}
          onChange={setDraft}
          problems={problems}
          groupsField={
            <div className="field">
              <span className="segmented-label">Groups</span>
              <GroupChips label={`Groups of ${person.name}`} groups={siteGroups} chosen={[...draft.groups]} onChange={(groups) => setDraft({ ...draft, groups })} />
            </div>
          }
        />
        {extraCards > 0 ? <p className="muted">{`${extraCards} more ${extraCards === 1 ? 'card stays' : 'cards stay'} as ${extraCards === 1 ? 'it is' : 'they are'}: this form edits the first.`}</p> : null}
        <p className="muted">Saved once here; every door receives the change with its next sync.</p>
        <div className="button-row">
          <button type="button" className="btn" onClick={() => onDone(null)}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save
          </button>
        </div>
      </form>
    </section>
  );
}
