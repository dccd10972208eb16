// What the door says where the camera picture should be, when it cannot show one: a short sentence for the people
// at the door (door-faults.ts); the cause is on the System screen.
import type { ReactNode } from 'react';

import { useServices } from '../app/services.js';
import { formatClockTime } from '../common/dates.js';
import { Icon } from '../common/Icon.js';
import { useLintel } from '../store/store.js';
import { doorFaults, pictureFault } from './door-faults.js';

export function CameraNotice(): ReactNode {
  const stream = useLintel((state) => state.stream);
  const health = useLintel((state) => state.health);
  const camera = health?.camera ?? null;
  const pairedNot = useLintel((state) => state.paired === false);
  const { transportKind } = useServices();
  const unpaired = pairedNot && transportKind === 'browser';
  let title: string;
  let detail: string | null = null;
  let icon: 'offline' | 'camera' | 'warning' | 'lock' = 'camera';
  if (unpaired) {
    icon = 'lock';
    title = 'This browser is not paired with the terminal';
    detail = 'Open a pairing address: run lintel pair on the terminal for one. Each works once, for 10 minutes.';
  } else if (stream.state === 'lost') {
    icon = 'offline';
    title = pictureFault(doorFaults(health, false))?.publicText ?? 'Terminal unavailable';
    detail = `Reconnecting at ${formatClockTime(stream.retryAtMs)}`;
  } else if (camera === null) {
    title = 'Connecting to the terminal…';
  } else {
    const fault = pictureFault(doorFaults(health, true));
    if (fault) {
      icon = 'warning';
      title = fault.publicText;
    } else if (camera.status === 'starting') {
      title = 'Starting the camera…';
    } else {
      return null;
    }
  }
  // The picture and figures on screen are old news while the stream is down: dim them.
  const stale = unpaired || stream.state === 'lost';
  return (
    <>
      {stale ? <div className="door-stale" /> : null}
      <div className="camera-notice" role="status">
        <Icon name={icon} />
        <strong>{title}</strong>
        {detail ? <span>{detail}</span> : null}
      </div>
    </>
  );
}
