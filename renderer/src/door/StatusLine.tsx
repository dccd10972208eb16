// The door's status line: the camera, what needs someone's attention first (storage full, a door forced or held
// open), and with diagnostics on (setting `door.showDiagnostics`) the backend, processed frames per second and
// the last frame's processing time, which mean nothing to people at the door.
import type { ReactNode } from 'react';

import { Icon } from '../common/Icon.js';
import { useLintel } from '../store/store.js';
import { DOOR_STATE_TEXT } from '../wording/wording.js';
import { cameraStatusText, totalLatencyMs } from './camera-status.js';

export function StatusLine(): ReactNode {
  const health = useLintel((state) => state.health);
  const connected = useLintel((state) => state.stream.state === 'open');
  if (!health) return <div className="status-line">Waiting for the terminal…</div>;
  if (!connected) {
    return (
      <ul className="status-line" aria-label="Terminal status">
        <li className="status-item status-item-warn">
          <Icon name="offline" />
          No connection to the terminal
        </li>
      </ul>
    );
  }
  const cameraOk = health.camera.status === 'live';
  // Where the models run, e.g. "auto · NPU, CPU": the configured backend and the engines in use.
  const engines = [...new Set(health.engines.map((engine) => engine.engine))];
  const backend = engines.length > 0 ? `${health.backend} · ${engines.join(', ')}` : health.backend;
  return (
    <ul className="status-line" aria-label="Terminal status">
      {health.storage?.status === 'full' ? (
        <li className="status-item status-item-warn">
          <Icon name="warning" />
          Storage full — the door stays shut
        </li>
      ) : null}
      {health.door?.state === 'forced-open' || health.door?.state === 'held-open' ? (
        <li className="status-item status-item-warn">
          <Icon name="warning" />
          {DOOR_STATE_TEXT[health.door.state]}
        </li>
      ) : null}
      {health.door?.status === 'unavailable' ? (
        <li className="status-item status-item-warn">
          <Icon name="warning" />
          Door sensor not working
        </li>
      ) : null}
      <li className={cameraOk ? 'status-item' : 'status-item status-item-warn'}>
        <Icon name={cameraOk ? 'camera' : 'warning'} />
        {cameraStatusText(health.camera)}
      </li>
      {health.showDiagnostics ? (
        <>
          <li className="status-item">
            <Icon name="chip" />
            {backend}
          </li>
          <li className="status-item">{health.processedFps.toFixed(1)} fps processed</li>
          {health.lastTimingsMs ? <li className="status-item">Latency {Math.round(totalLatencyMs(health.lastTimingsMs))} ms</li> : null}
        </>
      ) : null}
    </ul>
  );
}
