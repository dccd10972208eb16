// Every door of the site with its state: online or not (or revoked), the model it recognises with, how far it is
// behind the hub's change log, and when it was last heard from. Refreshed while open. A lost or replaced door is
// revoked here, as with `lintel hub revoke-terminal`.
import { useCallback, useEffect, useState, type ReactNode } from 'react';

import { ConfirmDialog } from '../common/ConfirmDialog.js';
import { formatDateTime } from '../common/dates.js';
import { ErrorNotice, Notice } from '../common/ErrorNotice.js';
import type { ContractErrorBody } from '../contract.js';
import type { HubDoor, HubResponseOf } from './hub-client.js';
import { useHubClient } from './hub-services.js';

/** How often the list is refreshed, ms. */
export const DOORS_REFRESH_MS = 5_000;

/** The door's link state in a word, and whether that is good. */
export function doorState(door: HubDoor): { readonly text: string; readonly ok: boolean } {
  if (door.revoked) return { text: 'Revoked', ok: false };
  return door.online ? { text: 'Online', ok: true } : { text: 'Offline', ok: false };
}

/** How far behind the change log the door is, in words. */
export function lagText(door: HubDoor): string {
  if (door.behindBy === 0) return 'Up to date';
  return `${door.behindBy} ${door.behindBy === 1 ? 'change' : 'changes'} behind`;
}

export function HubDoorsScreen(): ReactNode {
  const client = useHubClient();
  const [listing, setListing] = useState<HubResponseOf<'doors:list'> | null>(null);
  const [problem, setProblem] = useState<ContractErrorBody | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<HubDoor | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async (): Promise<void> => {
    const result = await client['doors:list']({});
    if (result.ok) {
      setListing(result.value);
      setProblem(null);
    } else setProblem(result.error);
  }, [client]);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), DOORS_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  const revoke = async (door: HubDoor): Promise<void> => {
    setBusy(true);
    const result = await client['doors:revoke']({ id: door.id });
    setBusy(false);
    setRevoking(null);
    if (!result.ok) return setProblem(result.error);
    setNotice(`${door.name} is revoked: the broker no longer lets it in, and the hub ignores anything it sends. To bring it back, enroll it again (lintel hub enroll-terminal ${door.id} --replace).`);
    await load();
  };

  const models = new Set(listing?.doors.filter((door) => !door.revoked && door.modelId !== null).map((door) => door.modelId));

  return (
    <section className="screen hub-doors" aria-labelledby="hub-doors-heading">
      <header className="screen-header">
        <h1 id="hub-doors-heading">Doors</h1>
        {listing ? <span className="muted">Change log at #{listing.headSeq}</span> : null}
      </header>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {problem ? <ErrorNotice error={problem} onRetry={() => void load()} /> : null}
      {models.size > 1 ? (
        <p className="notice notice-warning" role="status">
          The doors run {models.size} different models: each rebuilds its templates from the synced crops, so recognition works everywhere.
        </p>
      ) : null}
      {listing && listing.doors.length === 0 ? <p className="muted">No doors yet: enroll a terminal with `lintel hub enroll-terminal &lt;id&gt;`.</p> : null}
      {listing && listing.doors.length > 0 ? (
        <div className="table-scroll">
          <table className="table hub-door-table">
            <caption className="visually-hidden">Doors of the site</caption>
            <thead>
              <tr>
                <th scope="col">Door</th>
                <th scope="col">State</th>
                <th scope="col">Model</th>
                <th scope="col">Change log</th>
                <th scope="col">Door contact</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {listing.doors.map((door) => {
                const state = doorState(door);
                return (
                  <tr key={door.id} aria-label={door.name}>
                    <th scope="row">
                      {door.name}
                      {door.name !== door.id ? <span className="muted"> ({door.id})</span> : null}
                      {door.appVersion ? <div className="muted">Lintel {door.appVersion}</div> : null}
                    </th>
                    <td>
                      <span className={state.ok ? 'badge badge-ok' : 'badge badge-bad'}>{state.text}</span>
                    </td>
                    <td>{door.modelId ?? <span className="muted">not reported</span>}</td>
                    <td>
                      {lagText(door)}
                      <div className="muted">applied #{door.appliedSeq}</div>
                    </td>
                    <td>{door.doorOpen === null ? <span className="muted">no sensor</span> : door.doorOpen ? 'Open' : 'Closed'}</td>
                    <td>{door.lastSeenMs === null ? <span className="muted">never</span> : formatDateTime(door.lastSeenMs)}</td>
                    <td>
                      {door.revoked ? null : (
                        <button type="button" className="btn btn-small btn-danger" disabled={busy} onClick={() => setRevoking(door)}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {revoking ? (
        <ConfirmDialog title={`Revoke ${revoking.name}?`} confirmText="Revoke the door" danger busy={busy} onConfirm={() => void revoke(revoking)} onCancel={() => setRevoking(null)}>
          <p>
            For a door that was lost, stolen or replaced: its certificate goes into the site&apos;s revocation list, the broker cuts it off and the hub ignores anything it
            sends. It no longer receives people or changes; what it already holds stays on it. Only enrolling it again brings it back.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
