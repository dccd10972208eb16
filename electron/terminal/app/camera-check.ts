// The save-time check of the `camera.uri` setting: the camera it names must open and give a picture within a few
// seconds, or the setting is refused saying why. The check runs on a camera of its own, so the live camera keeps
// running while it does and whatever the outcome; only a camera that passed replaces it.
import type { Camera } from '../camera/camera.js';
import { parseCameraUri } from '../camera/camera-uri.js';

/** How long a camera has to give its first picture when a setting names it, ms. */
export const CAMERA_CHECK_TIMEOUT_MS = 5000;

/**
 * Starts `camera`, waits for its first frame and stops it again. Resolves with what is wrong in words (the camera
 * did not open, or opened and stayed dark), or null when a frame came within `timeoutMs`.
 */
export async function checkCameraGivesFrame(camera: Camera, timeoutMs = CAMERA_CHECK_TIMEOUT_MS): Promise<string | null> {
  const unsubscribe: (() => void)[] = [];
  try {
    const outcome = new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(`it opened but gave no picture within ${formatSeconds(timeoutMs)}`), timeoutMs);
      unsubscribe.push(() => clearTimeout(timer));
      unsubscribe.push(camera.onFrame(() => resolve(null)));
      // A source that cannot open goes offline with the reason and would retry; the first failure is the answer.
      unsubscribe.push(camera.onState((state) => (state.status === 'offline' ? resolve(cameraProblem(camera.uri, state.reason)) : undefined)));
    });
    await camera.start();
    return await outcome;
  } finally {
    for (const stop of unsubscribe) stop();
    await camera.stop();
  }
}

/** Why a camera did not open, in the administrator's words where the cause is a common one. */
export function cameraProblem(uri: string, reason: string): string {
  let device = uri;
  try {
    const config = parseCameraUri(uri);
    // A file camera's reasons are already in words (`… does not exist`, `… holds no images`).
    if (config.kind === 'file') return reason;
    device = config.devicePath;
  } catch {
    // The URI was parsed before the check; the raw text stands.
  }
  if (/\bENOENT\b/.test(reason)) return `${device} does not exist on this terminal (the camera list shows the cameras present)`;
  if (/\b(EACCES|EPERM)\b/.test(reason)) return `the terminal may not open ${device} (permission denied: the service user needs the video group)`;
  if (/\bEBUSY\b/.test(reason)) return `${device} is in use by another program`;
  if (/\bENOTTY\b/.test(reason)) return `${device} is not a camera`;
  return `it did not open: ${reason}`;
}

/**
 * Whether `next` names the same V4L2 device as `live`: a device streams to one reader at a time, so the live camera's
 * own device cannot be opened a second time to be checked.
 */
export function sameV4l2Device(live: string | undefined, next: string): string | null {
  if (live === undefined) return null;
  try {
    const a = parseCameraUri(live);
    const b = parseCameraUri(next);
    return a.kind === 'v4l2' && b.kind === 'v4l2' && a.devicePath === b.devicePath ? b.devicePath : null;
  } catch {
    return null;
  }
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
