// A running or finished import: progress, the file at hand, each person's result, and a summary at the end.
import { useEffect, useState, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import type { ContractErrorBody, ResponseOf } from '../../contract.js';
import { ErrorNotice, Notice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { ProgressBar } from '../../common/ProgressBar.js';
import { IMPORT_PERSON_STATUS_TEXT, IMPORT_STATUS_TEXT, type ImportStatus } from '../../wording/wording.js';

type ImportJob = ResponseOf<'import:status'>;

/** How often a running import is asked about, ms. */
const POLL_EVERY_MS = 500;
/** Rows shown at most; a big import lists its newest results. */
const MAX_ROWS = 200;

const STATE_TEXT: Readonly<Record<ImportJob['state'], string>> = {
  running: 'Importing…',
  done: 'Import finished',
  aborted: 'Import cancelled',
  failed: 'Import failed',
};

export function ImportProgress({ importId, onNewImport }: { readonly importId: string; readonly onNewImport: () => void }): ReactNode {
  const client = useClient();
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<ContractErrorBody | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const running = job === null || job.state === 'running';

  useEffect(() => {
    if (!running) return;
    let current = true;
    let timer = 0;
    const poll = async (): Promise<void> => {
      const result = await client['import:status']({ importId });
      if (!current) return;
      if (result.ok) {
        setJob(result.value);
        setError(null);
        if (result.value.state !== 'running') return;
      } else {
        setError(result.error);
        if (result.error.code === 'not-found') return;
      }
      timer = window.setTimeout(() => void poll(), POLL_EVERY_MS);
    };
    void poll();
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [client, importId, running]);

  const cancel = async (): Promise<void> => {
    setCancelling(true);
    const result = await client['import:cancel']({ importId });
    setCancelling(false);
    if (result.ok) setJob(result.value);
    else setError(result.error);
  };

  const persons = job ? job.persons.slice(-MAX_ROWS).reverse() : [];
  return (
    <div className="import-progress">
      {error ? <ErrorNotice error={error} /> : null}
      {job ? (
        <>
          <div role="status">
            <h2>{STATE_TEXT[job.state]}</h2>
          </div>
          <ProgressBar label="Files" value={job.done} max={job.total} text={`${job.done} of ${job.total} files`} tone={job.state === 'done' ? 'ok' : 'busy'} />
          {job.state === 'running' && job.current ? (
            <p className="muted import-current">
              <Icon name="import" />
              {job.current}
            </p>
          ) : null}
          {job.failure ? <ErrorNotice error={job.failure} /> : null}
          {job.summary ? <ImportSummary summary={job.summary} /> : null}
          <div className="button-row">
            {job.state === 'running' ? (
              <button type="button" className="btn btn-danger" onClick={() => void cancel()} disabled={cancelling}>
                <Icon name="cross" />
                {cancelling ? 'Cancelling…' : 'Cancel import'}
              </button>
            ) : (
              <button type="button" className="btn btn-primary" onClick={onNewImport}>
                <Icon name="plus" />
                New import
              </button>
            )}
          </div>
          {persons.length > 0 ? (
            <div className="table-scroll">
              <table className="table">
                <caption>
                  {job.persons.length > MAX_ROWS ? `The latest ${MAX_ROWS} of ${job.persons.length} people, newest first` : `${job.persons.length} people, newest first`}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Result</th>
                    <th scope="col">Samples</th>
                    <th scope="col">Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {persons.map((person, index) => (
                    <tr key={`${job.persons.length - index}`}>
                      <td>
                        {person.person}
                        {person.externalId ? <span className="muted"> · {person.externalId}</span> : null}
                      </td>
                      <td>
                        <span className={person.status === 'enrolled' ? 'badge badge-ok' : person.status === 'skipped' ? 'badge' : 'badge badge-bad'}>
                          <Icon name={person.status === 'enrolled' ? 'check' : person.status === 'skipped' ? 'info' : 'cross'} />
                          {IMPORT_PERSON_STATUS_TEXT[person.status]}
                        </span>
                      </td>
                      <td>{person.sampleCount}</td>
                      <td>{person.detail}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : error ? null : (
        <p className="muted">Asking the terminal…</p>
      )}
    </div>
  );
}

function ImportSummary({ summary }: { readonly summary: NonNullable<ImportJob['summary']> }): ReactNode {
  const byStatus = Object.entries(summary.byStatus).filter(([, count]) => count > 0) as [ImportStatus, number][];
  return (
    <Notice tone={summary.personsRefused > 0 || summary.aborted ? 'warning' : 'success'}>
      <strong>
        {summary.personsEnrolled} enrolled · {summary.personsRefused} refused · {summary.personsSkipped} skipped
      </strong>
      <span>
        {summary.samplesEnrolled} samples from {summary.photosRead} photos in {(summary.durationMs / 1_000).toFixed(1)} s ({summary.photosPerSecond.toFixed(1)} photos/s)
        {summary.aborted ? ' — cancelled before the end' : ''}
      </span>
      {byStatus.length > 0 ? <span>Files: {byStatus.map(([status, count]) => `${IMPORT_STATUS_TEXT[status]} ${count}`).join(' · ')}</span> : null}
    </Notice>
  );
}
