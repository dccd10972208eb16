// The site's persons, kept once on the hub for every door: search, create from photos (the hub judges each and
// cuts the crops and templates as a door would), disable or enable, and erase, with the erasure's progress
// across the doors ("erased on N of N terminals") until every door has acknowledged it. A person's details (name,
// validity, card) are edited in the terminal's own form; their groups (which door policies and schedules name)
// are chosen from the site's groups, also straight from the list.
import { useEffect, useState, type ReactNode } from 'react';

import { ConfirmDialog } from '../common/ConfirmDialog.js';
import { ErrorNotice, Notice } from '../common/ErrorNotice.js';
import { Icon } from '../common/Icon.js';
import { ProgressBar } from '../common/ProgressBar.js';
import { TextField } from '../common/TextField.js';
import { usePagedList } from '../common/use-paged-list.js';
import type { ContractErrorBody } from '../contract.js';
import { GroupChips } from './GroupChips.js';
import type { HubErasure, HubPerson, HubResponseOf } from './hub-client.js';
import { listDocuments } from './hub-documents.js';
import { useHubClient } from './hub-services.js';
import { HubPersonEditor } from './HubPersonEditor.js';
import { HubPhotoEnrollment } from './HubPhotoEnrollment.js';

/** How often an erasure still under way is asked about, ms. */
export const ERASURE_POLL_MS = 2_000;
const PAGE_SIZE = 100;
/** Typing pauses this long before the list is asked for, ms. */
const SEARCH_DELAY_MS = 200;
/** Most persons one persons:list answers. */
const MAX_PAGE = 500;

/** "erased on 2 of 3 terminals" (and which doors still hold the person). */
export function erasureText(erasure: HubErasure): string {
  const done = `erased on ${erasure.erasedOn} of ${erasure.of} terminal${erasure.of === 1 ? '' : 's'}`;
  return erasure.pendingTerminalIds.length > 0 ? `${done} — waiting for ${erasure.pendingTerminalIds.join(', ')}` : done;
}

type Listing = HubResponseOf<'persons:list'>;

interface Tracked {
  readonly name: string;
  readonly erasure: HubErasure;
}

export function HubPersonsScreen(): ReactNode {
  const client = useHubClient();
  const [search, setSearch] = useState('');
  const [problem, setProblem] = useState<ContractErrorBody | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [erasing, setErasing] = useState<HubPerson | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [erasures, setErasures] = useState<ReadonlyMap<string, Tracked>>(new Map());
  const [siteGroups, setSiteGroups] = useState<readonly string[]>([]);
  /** The person whose groups are being chosen, with the choice so far. */
  const [grouping, setGrouping] = useState<{ readonly id: string; readonly groups: string[] } | null>(null);
  /** The person whose details are being edited. */
  const [editing, setEditing] = useState<HubPerson | null>(null);
  const term = search.trim();
  const {
    page: listing,
    error: listingError,
    loadMore,
    reload,
    edit,
  } = usePagedList({
    query: term ? { search: term } : {},
    delayMs: SEARCH_DELAY_MS,
    // Asked again after a change, the list comes back as far down as it was shown (one answer holds at most 500).
    first: (query, shown: Listing | null) => client['persons:list']({ ...query, limit: shown ? Math.min(MAX_PAGE, Math.max(PAGE_SIZE, shown.persons.length)) : PAGE_SIZE }),
    next: (query, shown) => (shown.persons.length < shown.total ? client['persons:list']({ ...query, limit: PAGE_SIZE, offset: shown.persons.length }) : null),
    append: (shown, further) => ({ persons: [...shown.persons, ...further.persons], total: further.total }),
  });

  useEffect(() => {
    void listDocuments(client, 'group').then((result) => {
      if (result.ok) setSiteGroups(result.value.map((group) => group.id));
    });
  }, [client]);

  // Erasures still under way when the screen opens (made earlier, or by another admin).
  useEffect(() => {
    void client['erasures:list']({ limit: 100 }).then((result) => {
      if (!result.ok) return;
      setErasures((current) => {
        const next = new Map(current);
        for (const erasure of result.value) if (erasure.erasedOn < erasure.of && !next.has(erasure.personId)) next.set(erasure.personId, { name: `Person ${erasure.personId.slice(0, 8)}`, erasure });
        return next;
      });
    });
  }, [client]);

  const pending = [...erasures.values()].filter((tracked) => tracked.erasure.erasedOn < tracked.erasure.of).map((tracked) => tracked.erasure.personId);
  const pendingKey = pending.join(',');
  useEffect(() => {
    if (pendingKey === '') return;
    const timer = window.setInterval(() => {
      for (const personId of pendingKey.split(',')) {
        void client['erasures:get']({ personId }).then((result) => {
          if (!result.ok) return;
          setErasures((current) => {
            const tracked = current.get(personId);
            return tracked ? new Map(current).set(personId, { ...tracked, erasure: result.value }) : current;
          });
        });
      }
    }, ERASURE_POLL_MS);
    return () => window.clearInterval(timer);
  }, [client, pendingKey]);

  /** The row of a person the hub has just changed, as it answered, while the list is asked again. */
  const showChanged = (changed: Omit<HubPerson, 'sampleCount' | 'youngChild'>): void =>
    edit((shown) => ({ ...shown, persons: shown.persons.map((row) => (row.id === changed.id ? { ...row, ...changed } : row)) }));

  const setEnabled = async (person: HubPerson, enabled: boolean): Promise<void> => {
    setProblem(null);
    setBusyId(person.id);
    const result = await client['persons:update']({ id: person.id, patch: { enabled } });
    setBusyId(null);
    if (!result.ok) return setProblem(result.error);
    showChanged(result.value);
    setNotice(`${person.name} is ${enabled ? 'enabled' : 'disabled'} at every door.`);
    reload();
  };

  const saveGroups = async (person: HubPerson, groups: string[]): Promise<void> => {
    setBusyId(person.id);
    const result = await client['persons:update']({ id: person.id, patch: { groups } });
    setBusyId(null);
    // A refused change keeps the choice open, with the hub's reason above.
    if (!result.ok) return setProblem(result.error);
    setGrouping(null);
    setProblem(null);
    showChanged(result.value);
    setNotice(`${person.name} is in ${groups.length === 0 ? 'no group' : groups.join(', ')} at every door.`);
    reload();
  };

  const erase = async (person: HubPerson): Promise<void> => {
    setProblem(null);
    setBusyId(person.id);
    const result = await client['persons:delete']({ id: person.id });
    setBusyId(null);
    setErasing(null);
    if (!result.ok) return setProblem(result.error);
    setErasures((current) => new Map(current).set(person.id, { name: person.name, erasure: result.value }));
    setNotice(null);
    reload();
  };

  if (creating) {
    return (
      <HubPhotoEnrollment
        onDone={(created) => {
          setCreating(false);
          if (created) setNotice(`${created.name} is enrolled; every door receives them with its next sync.`);
          reload();
        }}
      />
    );
  }

  if (editing) {
    return (
      <HubPersonEditor
        person={editing}
        siteGroups={siteGroups}
        onDone={(saved) => {
          setEditing(null);
          if (saved) setNotice(`${saved.name} is saved; every door receives the change with its next sync.`);
          reload();
        }}
      />
    );
  }

  return (
    <section className="screen hub-persons" aria-labelledby="hub-persons-heading">
      <header className="screen-header">
        <h1 id="hub-persons-heading">Persons</h1>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          <Icon name="plus" />
          New from photos
        </button>
      </header>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {problem ? <ErrorNotice error={problem} /> : null}
      {listingError ? <ErrorNotice error={listingError} onRetry={reload} /> : null}
      {erasures.size > 0 ? (
        <div className="card hub-erasures" aria-label="Erasures">
          <h2>Erasures</h2>
          {[...erasures.values()].map(({ name, erasure }) => (
            <ProgressBar key={erasure.personId} label={name} value={erasure.erasedOn} max={erasure.of} text={erasureText(erasure)} tone={erasure.erasedOn >= erasure.of ? 'ok' : 'busy'} />
          ))}
        </div>
      ) : null}
      <div className="search-row" role="search">
        <Icon name="search" />
        <TextField label="Search by name or external id" type="search" value={search} onChange={setSearch} maxLength={200} />
      </div>
      {listing ? (
        <p className="muted" aria-live="polite">
          {listing.total === listing.persons.length ? `${listing.total} ${listing.total === 1 ? 'person' : 'persons'}` : `${listing.persons.length} of ${listing.total} persons shown: search to narrow them down, or show more below`}
        </p>
      ) : (
        <p className="muted">Loading…</p>
      )}
      {listing && listing.persons.length > 0 ? (
        <ul className="person-list" aria-label="Persons">
          {listing.persons.map((person) => (
            <li key={person.id} className="person-row hub-person-row" aria-label={person.name}>
              <div className="person-main">
                <span className="person-name">{person.name}</span>
                <span className="person-meta">
                  {[
                    person.externalId,
                    `${person.sampleCount} ${person.sampleCount === 1 ? 'sample' : 'samples'}`,
                    // The doors ask a young child for card and face (their site or door policy says otherwise).
                    person.youngChild ? 'young child' : null,
                    person.groups.length > 0 ? person.groups.join(', ') : null,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </div>
              <span className={person.enabled ? 'badge badge-ok' : 'badge badge-bad'}>{person.enabled ? 'Enabled' : 'Disabled'}</span>
              <div className="button-row">
                <button type="button" className="btn btn-small" disabled={busyId === person.id} onClick={() => setEditing(person)}>
                  <Icon name="user" />
                  Edit
                </button>
                <button type="button" className="btn btn-small" disabled={busyId === person.id || grouping !== null} onClick={() => setGrouping({ id: person.id, groups: [...person.groups] })}>
                  <Icon name="users" />
                  Groups
                </button>
                <button type="button" className="btn btn-small" disabled={busyId === person.id} onClick={() => void setEnabled(person, !person.enabled)}>
                  {person.enabled ? 'Disable' : 'Enable'}
                </button>
                <button type="button" className="btn btn-small btn-danger" disabled={busyId === person.id} onClick={() => setErasing(person)}>
                  <Icon name="trash" />
                  Erase
                </button>
              </div>
              {grouping?.id === person.id ? (
                <div className="hub-person-groups">
                  <GroupChips label={`Groups of ${person.name}`} groups={siteGroups} chosen={grouping.groups} onChange={(groups) => setGrouping({ id: person.id, groups })} />
                  <div className="button-row button-row-start">
                    <button type="button" className="btn btn-primary btn-small" disabled={busyId === person.id} onClick={() => void saveGroups(person, grouping.groups)}>
                      Save groups
                    </button>
                    <button type="button" className="btn btn-small" onClick={() => setGrouping(null)}>
                      Cancel
                    </button>
                  </div>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {listing && listing.persons.length < listing.total ? (
        <button type="button" className="btn btn-block" onClick={loadMore}>
          Show {Math.min(PAGE_SIZE, listing.total - listing.persons.length)} more
        </button>
      ) : null}
      {erasing ? (
        <ConfirmDialog title={`Erase ${erasing.name}?`} confirmText="Erase everywhere" danger busy={busyId === erasing.id} onConfirm={() => void erase(erasing)} onCancel={() => setErasing(null)}>
          <p>Their face samples, templates and credentials are removed from the hub and from every door. A door that is offline erases them when it reconnects. This cannot be undone.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
