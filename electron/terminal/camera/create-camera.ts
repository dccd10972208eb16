import type { Camera } from './camera.js';
import { parseCameraUri } from './camera-uri.js';
import { FileCamera } from './file-camera.js';
import { V4l2CameraSource } from './v4l2-camera-source.js';

/** The camera a URI names (see camera-uri.ts); throws CameraUriError for one that cannot be used. */
export function createCamera(uri: string): Camera {
  const config = parseCameraUri(uri);
  if (config.kind === 'file') return new FileCamera({ path: config.path, fps: config.fps, loop: config.loop, uri });
  return new V4l2CameraSource({ uri, devicePath: config.devicePath, format: config.format, widthPx: config.widthPx, heightPx: config.heightPx });
}
