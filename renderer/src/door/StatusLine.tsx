// The door's status line: what needs someone's attention first (each fault in a short sentence, door-faults.ts; the
// details are on the System screen), the camera, and with diagnostics on (setting `door.showDiagnostics`) the backend, processed frames per second and
// the last frame's processing time, which mean nothing to people at the door.
import type { ReactNode } from 'react';

import { Icon } from '../common/Icon.js';
import { useLintel } from '../store/store.js';
import { totalLatencyMs } from './camera-status.js';
import { doorFaults } from './door-faults.js';

export function StatusLine(): ReactNode {
  const health = useLintel((state) => state.health);
  const connected = useLintel((state) => state.stream.state === 'open');
  if (!health) return <div className="status-line">Waiting for the terminal…</div>;
  if (!connected) {
    return (
      <ul className="status-line" aria-label="Terminal status">
        <li className="status-item status-item-warn">
          <Icon name="offline" />
          {doorFaults(health, false)[0]?.publicText}
        </li>
      </ul>
    );
  }
  const faults = doorFaults(health, true);
  const cameraFault = faults.find((fault) => fault.kind === 'camera' || fault.kind === 'recognition');
  // Where the models run, e.g. "auto · NPU, CPU": the configured backend and the engines in use.
  const engines = [...new Set(health.engines.map((engine) => engine.engine))];
  const backend = engines.length > 0 ? `${health.backend} · ${engines.join(', ')}` : health.backend;
  return (
    <ul className="status-line" aria-label="Terminal status">
      {faults
        .filter((fault) => fault !== cameraFault)
        .map((fault) => (
          <li key={fault.kind} className="status-item status-item-warn" data-fault={fault.kind}>
            <Icon name="warning" />
            {fault.publicText}
          </li>
        ))}
      <li className={cameraFault ? 'status-item status-item-warn' : 'status-item'} data-fault={cameraFault?.kind}>
        <Icon name={cameraFault ? 'warning' : 'camera'} />
        {cameraFault ? cameraFault.publicText : health.camera.status === 'live' ? 'Camera live' : 'Camera starting…'}
      </li>
      {health.showDiagnostics ? (
        <>
          <li className="status-item">
            <Icon name="chip" />
            {backend}
          </li>
          {health.camera.status === 'live' ? <li className="status-item">Camera {health.camera.fps.toFixed(0)} fps</li> : null}
          <li className="status-item">{health.processedFps.toFixed(1)} fps processed</li>
          {health.lastTimingsMs ? <li className="status-item">Latency {Math.round(totalLatencyMs(health.lastTimingsMs))} ms</li> : null}
        </>
      ) : null}
    </ul>
  );
}
