// Every fault the door screen can show, in two voices: a short sentence for the people at the door, who can do
// nothing about it but find someone ("Camera unavailable — please contact reception"), and the details for the
// System screen (the camera's own reason, the model that is missing, the relay's errno). The door never shows the
// details: raw error text means nothing there and tells a passer-by how the terminal is built.
import { formatClockTime } from '../common/dates.js';
import type { TerminalHealth } from '../store/types.js';

export type DoorFaultKind = 'connection' | 'recognition' | 'camera' | 'storage' | 'door-controller' | 'door-sensor' | 'card-reader' | 'door-forced' | 'door-held';

export interface DoorFault {
  readonly kind: DoorFaultKind;
  /** What the door screen says. */
  readonly publicText: string;
  /** What the System screen adds: the cause in the terminal's words, and what to do. */
  readonly detail: string;
}

const CONTACT = 'please contact reception';

/** The faults in order of weight: what keeps the door from working first. */
export function doorFaults(health: TerminalHealth | null, connected: boolean): DoorFault[] {
  const faults: DoorFault[] = [];
  if (!connected) faults.push({ kind: 'connection', publicText: `Terminal unavailable — ${CONTACT}`, detail: 'This screen has lost its connection to the terminal; it reconnects by itself.' });
  if (!health) return faults;
  if (health.startFailure !== undefined) {
    faults.push({ kind: 'recognition', publicText: `Face recognition unavailable — ${CONTACT}`, detail: `Recognition is not running: ${health.startFailure}` });
  } else if (health.camera.status === 'offline') {
    faults.push({ kind: 'camera', publicText: `Camera unavailable — ${CONTACT}`, detail: `The camera is offline: ${health.camera.reason} (retrying at ${formatClockTime(health.camera.retryAtMs)}).` });
  } else if (health.camera.status === 'stopped') {
    faults.push({ kind: 'camera', publicText: `Camera unavailable — ${CONTACT}`, detail: 'The camera is stopped.' });
  }
  if (health.storage?.status === 'full') {
    faults.push({ kind: 'storage', publicText: `Door closed: storage full — ${CONTACT}`, detail: `Events cannot be written since ${formatClockTime(health.storage.sinceMs)} (${health.storage.message}); the door denies everyone until one is.` });
  }
  if (health.doorController) {
    faults.push({ kind: 'door-controller', publicText: `Door controller fault — ${CONTACT}`, detail: `An output that opens the door cannot: ${health.doorController.message}` });
  }
  if (health.door?.status === 'unavailable') faults.push({ kind: 'door-sensor', publicText: `Door sensor fault — ${CONTACT}`, detail: health.door.message });
  if (health.cardReader?.status === 'fault') faults.push({ kind: 'card-reader', publicText: `Card reader fault — ${CONTACT}`, detail: health.cardReader.message ?? 'The card reader cannot be read.' });
  if (health.door?.state === 'forced-open') faults.push({ kind: 'door-forced', publicText: 'Door forced open', detail: 'The door opened without a grant, the exit button or Open door now.' });
  if (health.door?.state === 'held-open') faults.push({ kind: 'door-held', publicText: 'Door held open — please close the door', detail: 'The door has stayed open longer than the setting allows.' });
  return faults;
}

/** The fault that keeps the camera picture from showing, if any: shown where the picture would be. */
export function pictureFault(faults: readonly DoorFault[]): DoorFault | undefined {
  return faults.find((fault) => fault.kind === 'connection' || fault.kind === 'recognition' || fault.kind === 'camera');
}
