// A pseudo-terminal pair as a stand-in serial cable: the device side (`/dev/pts/N`) opens and configures like a
// UART, and the controller side is the other end of the wire — handed to a peer process (a control panel) as a
// file descriptor, or read and written here. Used by tests, the interoperability suite and benchmarks.
import { closeSync } from 'node:fs';
import { ReadStream } from 'node:tty';

import { openSerialSystem } from './serial-port.js';
import type { SerialSystem } from './serial-port.js';

/** Both ends of a new pseudo-terminal. */
export interface PseudoTerminal {
  /** The controller side's file descriptor (pass it to a child process, or `openController()` it here). */
  readonly controllerFd: number;
  /** The device side, opened as a serial port, e.g. `/dev/pts/3`. */
  readonly devicePath: string;
  /** The controller side as a stream owned by this process; call at most once (the stream then owns the fd). */
  openController(): ReadStream;
  /** Closes the controller fd unless a stream owns it; idempotent. */
  close(): void;
}

/** Opens a new pseudo-terminal pair (posix_openpt, grantpt, unlockpt, ptsname_r). */
export function openPseudoTerminal(system: SerialSystem = openSerialSystem()): PseudoTerminal {
  const { controllerFd, devicePath } = system.openPseudoTerminal();
  let stream: ReadStream | undefined;
  let closed = false;
  return {
    controllerFd,
    devicePath,
    openController() {
      if (stream !== undefined || closed) throw new Error(`the controller of ${devicePath} is already open or closed`);
      stream = new ReadStream(controllerFd);
      return stream;
    },
    close() {
      if (closed) return;
      closed = true;
      if (stream !== undefined) stream.destroy();
      else closeSync(controllerFd);
    },
  };
}
