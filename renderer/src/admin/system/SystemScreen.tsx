// The terminal's state for whoever looks after it: version, models and where they run, processing, storage,
// door outputs; refreshed every two seconds.
import { useEffect, useState, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import type { ContractErrorBody, ResponseOf } from '../../contract.js';
import { formatDateTime } from '../../common/dates.js';
import { ErrorNotice, Notice } from '../../common/ErrorNotice.js';
import { Facts } from '../../common/Facts.js';
import { Icon } from '../../common/Icon.js';
import { ProgressBar } from '../../common/ProgressBar.js';
import { cameraStatusText } from '../../door/camera-status.js';
import { doorFaults } from '../../door/door-faults.js';
import { useLintel } from '../../store/store.js';
import { asSentence } from '../../common/sentence.js';
import { DOOR_STATE_TEXT, LIVENESS_MODE_TEXT } from '../../wording/wording.js';
import { DoorOpenButton, TestOutputButton } from './DoorControls.js';
import { IdentificationCard } from './IdentificationCard.js';
import { LatencyChart } from './LatencyChart.js';
import { ModelsCard } from './ModelsCard.js';
import { SiteHubCard } from './SiteHubCard.js';
import { trainedCueText } from './trained-cue-text.js';

type SystemInfo = ResponseOf<'system:get'>;

/** How often the system screen refreshes, ms. */
const REFRESH_EVERY_MS = 2_000;

const OUTPUT_STATUS: Readonly<Record<SystemInfo['doorOutputs'][number]['status'], { readonly text: string; readonly good: boolean }>> = {
  ok: { text: 'Working', good: true },
  unknown: { text: 'Not tried yet', good: true },
  degraded: { text: 'Retrying', good: false },
  unavailable: { text: 'Unavailable', good: false },
};

/** An OSDP reader's link to its panel. */
const OSDP_LINK_TEXT: Readonly<Record<NonNullable<SystemInfo['doorOutputs'][number]['link']>, string>> = {
  online: 'Panel polling',
  secure: 'Panel polling, secure',
  offline: 'No panel',
};

function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function formatUptime(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1_440);
  const hours = Math.floor((minutes % 1_440) / 60);
  return days > 0 ? `${days} d ${hours} h` : hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
}

export function SystemScreen(): ReactNode {
  const client = useClient();
  const timings = useLintel((state) => state.timingsHistory);
  const [info, setInfo] = useState<SystemInfo | null>(null);
  const [error, setError] = useState<ContractErrorBody | null>(null);

  useEffect(() => {
    let current = true;
    let timer = 0;
    const refresh = async (): Promise<void> => {
      const result = await client['system:get']({});
      if (!current) return;
      if (result.ok) {
        setInfo(result.value);
        setError(null);
      } else {
        setError(result.error);
      }
      timer = window.setTimeout(() => void refresh(), REFRESH_EVERY_MS);
    };
    void refresh();
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [client]);

  return (
    <section className="screen system" aria-labelledby="system-heading">
      <header className="screen-header">
        <h1 id="system-heading">System</h1>
      </header>
      {error ? <ErrorNotice error={error} /> : null}
      {info ? <SystemDetails info={info} /> : error ? null : <p className="muted">Loading…</p>}
      <ModelsCard />
      <section className="card" aria-labelledby="latency-heading">
        <h2 id="latency-heading">Processing time per frame</h2>
        <LatencyChart samples={timings} />
      </section>
    </section>
  );
}

function SystemDetails({ info }: { readonly info: SystemInfo }): ReactNode {
  const health = info.health;
  const faults = doorFaults(health, true);
  return (
    <div className="card-grid">
      {faults.length > 0 ? (
        <section className="card card-faults" aria-labelledby="sys-faults">
          <h2 id="sys-faults">Faults</h2>
          <ul className="fault-list">
            {faults.map((fault) => (
              <li key={fault.kind} data-fault={fault.kind}>
                <Notice tone="warning">
                  <strong>{fault.detail}</strong>
                  <span>The door screen says: “{fault.publicText}”</span>
                </Notice>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section className="card" aria-labelledby="sys-terminal">
        <h2 id="sys-terminal">Terminal</h2>
        <Facts
          rows={[
            ['Name', info.terminalName],
            ['Version', info.version],
            ['Running since', `${formatDateTime(info.startedAtMs)} (${formatUptime(Date.now() - info.startedAtMs)})`],
            ['Data folder', info.dataDir],
          ]}
        />
      </section>
      <section className="card" aria-labelledby="sys-processing">
        <h2 id="sys-processing">Camera and processing</h2>
        <Facts
          rows={[
            ['Camera', cameraStatusText(health.camera)],
            ['Processed', `${health.processedFps.toFixed(1)} frames per second`],
            ['Frames', `${health.framesProcessed.toLocaleString()} processed · ${health.framesDropped.toLocaleString()} dropped`],
            ['Worker restarts', String(health.workerRestarts)],
          ]}
        />
      </section>
      {info.hub ? <SiteHubCard hub={info.hub} /> : null}
      {info.identification ? <IdentificationCard info={info.identification} /> : null}
      {health.liveness ? (
        <section className="card" aria-labelledby="sys-liveness">
          <h2 id="sys-liveness">Liveness</h2>
          <Facts
            rows={[
              ['Door’s mode', LIVENESS_MODE_TEXT[health.liveness.mode]],
              ['Passive model', health.liveness.passiveModelId ?? 'None'],
              ['Site-trained check', health.liveness.trainedCue ? trainedCueText(health.liveness.trainedCue) : 'None installed (lintel pad install)'],
              ['Challenge', 'Runs on the face mesh (no model of its own)'],
            ]}
          />
          {health.liveness.trainedCueUnavailable ? (
            <Notice tone="warning">
              <strong>The site-trained check is not running</strong>
              <span>{asSentence(health.liveness.trainedCueUnavailable)}.</span>
            </Notice>
          ) : null}
          {health.liveness.passiveUnavailable ? (
            <Notice tone="warning">
              <strong>The passive check is not running</strong>
              <span>{asSentence(health.liveness.passiveUnavailable)}.</span>
            </Notice>
          ) : null}
        </section>
      ) : null}
      <section className="card" aria-labelledby="sys-models">
        <h2 id="sys-models">Models</h2>
        <Facts
          rows={[
            ['Backend', health.backend],
            ['Detector', health.models.detector],
            ['Face fitter', health.models.fitter],
            ['Extractor', health.models.extractor],
          ]}
        />
        {health.engines.length > 0 ? (
          <table className="table">
            <caption>Where each model runs</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Engine</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {health.engines.map((engine) => (
                <tr key={engine.modelId}>
                  <td>{engine.modelId}</td>
                  <td>
                    <span className="badge">
                      <Icon name="chip" />
                      {engine.engine}
                    </span>
                  </td>
                  <td>{engine.reason ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <section className="card" aria-labelledby="sys-storage">
        <h2 id="sys-storage">Storage and counts</h2>
        <Facts
          rows={[
            ['Database', formatBytes(info.storage.databaseBytes)],
            ['Free space', formatBytes(info.storage.freeBytes)],
            ['People', info.counts.persons.toLocaleString()],
            ['Samples', info.counts.samples.toLocaleString()],
            ['Events', info.counts.events.toLocaleString()],
            ...info.templates.map((template) => [`Templates (${template.modelId})`, template.templateCount.toLocaleString()] as const),
          ]}
        />
        {health.storage?.status === 'full' ? (
          <Notice tone="warning">
            <strong>Storage full since {formatDateTime(health.storage.sinceMs)}: the door denies everyone</strong>
            <span>Events cannot be written, and a door that cannot log does not open. Free space on the data folder’s disk; the door opens again with the next event written.</span>
          </Notice>
        ) : null}
        {info.rebuild ? (
          <div className="rebuild">
            <ProgressBar
              label={`Template rebuild for ${info.rebuild.modelId}`}
              value={info.rebuild.doneCount}
              max={info.rebuild.totalCount}
              text={`${info.rebuild.doneCount} of ${info.rebuild.totalCount}${info.rebuild.failedCount > 0 ? `, ${info.rebuild.failedCount} failed` : ''} — ${info.rebuild.state === 'running' ? 'running' : info.rebuild.state === 'done' ? 'done' : 'failed'}`}
              tone={info.rebuild.state === 'done' ? 'ok' : 'busy'}
            />
          </div>
        ) : null}
      </section>
      <section className="card" aria-labelledby="sys-outputs">
        <h2 id="sys-outputs">Door outputs</h2>
        {info.doorOutputs.length === 0 ? <p className="muted">None configured.</p> : null}
        <DoorOpenButton />
        <ul className="output-status">
          {info.doorOutputs.map((output) => {
            const status = OUTPUT_STATUS[output.status];
            return (
              <li key={output.name}>
                <span className={status.good ? 'badge badge-ok' : 'badge badge-bad'}>
                  <Icon name={status.good ? 'check' : 'warning'} />
                  {status.text}
                </span>
                <strong>{output.name}</strong> <span className="muted">({output.kind})</span>
                {output.link === undefined ? null : <span className={output.link === 'offline' ? 'badge badge-bad' : 'badge badge-ok'}>{OSDP_LINK_TEXT[output.link]}</span>}
                <span className="output-message">{output.message}</span>
                <TestOutputButton name={output.name} />
              </li>
            );
          })}
        </ul>
      </section>
      {health.door ? <DoorInputsCard door={health.door} /> : null}
    </div>
  );
}

/** The door contact and exit button: where the door is, and what to do when it needs someone. */
function DoorInputsCard({ door }: { readonly door: NonNullable<SystemInfo['health']['door']> }): ReactNode {
  const alarm = door.state === 'forced-open' || door.state === 'held-open';
  return (
    <section className="card" aria-labelledby="sys-door">
      <h2 id="sys-door">Door</h2>
      <Facts
        rows={[
          ['Door', door.status === 'unavailable' ? 'Sensor not working' : `${DOOR_STATE_TEXT[door.state]}${door.sinceMs === null ? '' : ` since ${formatDateTime(door.sinceMs)}`}`],
          ['Exit button', door.exitButton ? (door.status === 'unavailable' ? 'Not working' : 'Watched') : 'None'],
        ]}
      />
      {alarm ? (
        <Notice tone="warning">
          <strong>{DOOR_STATE_TEXT[door.state]}</strong>
          <span>{door.state === 'forced-open' ? 'The door opened without a grant, the exit button or Open door now. Check the door; the access log has the event.' : 'The door has stayed open too long. Check that it is closed.'}</span>
        </Notice>
      ) : null}
      {door.status === 'unavailable' ? <Notice tone="warning">{door.message}</Notice> : <p className="muted">{door.message}</p>}
    </section>
  );
}
