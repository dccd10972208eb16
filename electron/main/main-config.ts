// What the main process reads from its environment, as one pure function (main-config.test.ts).
import { join } from 'node:path';

import { parsePublicOrigin } from '../host/origin-policy.js';
import { readTlsFiles, type TlsFiles } from '../host/tls-files.js';
import { resolveDataDir } from '../terminal/data-dir.js';
import { readHubBundle, type HubBundle } from '../terminal/sync/hub-bundle.js';
import { parseNpuPrecision, type NpuOptions, type NpuPrecisionPlan } from '../vision/backend/rknn-backend.js';

/** The main process's configuration. */
export interface MainConfig {
  /** Kiosk mode (packaged, or LINTEL_KIOSK=1): kiosk window, no devtools, response validation off. */
  readonly production: boolean;
  readonly dataDir: string;
  /** LINTEL_CAMERA; undefined: the demo photos (`demoCameraUri()`). */
  readonly cameraUri: string | undefined;
  /** LINTEL_RKNN_LIB (absolute path of librknnrt.so) and LINTEL_RKNN_PRECISION; undefined: CPU only. */
  readonly npu: NpuOptions | undefined;
  /** LINTEL_DISABLE_GPU=1: software rendering, for a board whose GPU driver Chromium cannot use. */
  readonly disableGpu: boolean;
  /**
   * The model manifest; undefined: the one beside the code (`defaultManifestPath()`). A packaged app ships the
   * models as plain files in `resources/models` (electron-builder.yml), outside app.asar, so an integrator can
   * add the NPU builds made for the board and their manifest on the board itself.
   */
  readonly manifestPath: string | undefined;
  /**
   * LINTEL_HTTP_PORT (and LINTEL_HTTP_HOST, default 127.0.0.1): also serve the browser host beside the kiosk
   * window, for an admin's browser or a test; undefined: the kiosk window only (`lintel pair` mints a pairing
   * address). LINTEL_TLS_CERT + LINTEL_TLS_KEY serve it as HTTPS; LINTEL_PUBLIC_ORIGIN names the address
   * browsers use behind a proxy that terminates TLS (as `lintel serve`'s flags).
   */
  readonly browserHost:
    | { readonly host: string; readonly port: number; readonly publicOrigin?: string; readonly tls?: TlsFiles }
    | undefined;
  /**
   * LINTEL_CHALLENGE_SEED: repeatable liveness challenges for end-to-end tests; ignored in kiosk mode (whoever
   * knows the seed knows every direction the door will ask for).
   */
  readonly challengeSeed: number | undefined;
  /** LINTEL_HUB_BUNDLE: the joining bundle of the site hub (as `lintel serve --hub`), read and checked; undefined: no hub. */
  readonly hub: HubBundle | undefined;
}

/** Where a packaged app finds its runtime: Electron's `process.resourcesPath` when packaged. */
export interface AppLocation {
  readonly isPackaged: boolean;
  readonly resourcesPath?: string;
}

/** Reads the configuration; throws with a readable message for a value that cannot be right. */
export function readMainConfig(env: NodeJS.ProcessEnv, location: AppLocation): MainConfig {
  const { isPackaged, resourcesPath } = location;
  const precisionText = env.LINTEL_RKNN_PRECISION;
  let precision: NpuPrecisionPlan | undefined;
  try {
    precision = precisionText ? parseNpuPrecision(precisionText) : undefined;
  } catch (error) {
    throw new Error(`LINTEL_RKNN_PRECISION: ${(error as Error).message}`, { cause: error });
  }
  const libraryPath = env.LINTEL_RKNN_LIB;
  if (libraryPath && !libraryPath.startsWith('/')) {
    // Lintel never searches the loader's path for the NPU runtime (README, "On the Forlinx OK3568-C").
    throw new Error(`LINTEL_RKNN_LIB must be an absolute path to librknnrt.so, not "${libraryPath}"`);
  }
  const portText = env.LINTEL_HTTP_PORT;
  const port = portText ? Number(portText) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error(`LINTEL_HTTP_PORT must be a port number 0..65535, not "${portText}"`);
  const production = isPackaged || env.LINTEL_KIOSK === '1';
  const seedText = env.LINTEL_CHALLENGE_SEED;
  const challengeSeed = seedText && !production ? Number(seedText) : undefined;
  if (challengeSeed !== undefined && !Number.isSafeInteger(challengeSeed)) throw new Error(`LINTEL_CHALLENGE_SEED must be a whole number, not "${seedText}"`);
  return {
    production,
    dataDir: resolveDataDir(undefined, env),
    cameraUri: env.LINTEL_CAMERA || undefined,
    npu: libraryPath ? { libraryPath, ...(precision ? { precision } : {}) } : undefined,
    disableGpu: env.LINTEL_DISABLE_GPU === '1',
    manifestPath: isPackaged && resourcesPath ? join(resourcesPath, 'models', 'manifest.json') : undefined,
    browserHost: port === undefined ? undefined : { host: env.LINTEL_HTTP_HOST || '127.0.0.1', port, ...browserHostSecurity(env) },
    challengeSeed,
    hub: env.LINTEL_HUB_BUNDLE ? readHubBundle(env.LINTEL_HUB_BUNDLE) : undefined,
  };
}

/** The browser host's TLS files and public origin from the environment, checked. */
function browserHostSecurity(env: NodeJS.ProcessEnv): { publicOrigin?: string; tls?: TlsFiles } {
  const publicOrigin = env.LINTEL_PUBLIC_ORIGIN || undefined;
  if (publicOrigin !== undefined) parsePublicOrigin(publicOrigin);
  const tls = readTlsFiles(env.LINTEL_TLS_CERT, env.LINTEL_TLS_KEY, { cert: 'LINTEL_TLS_CERT', key: 'LINTEL_TLS_KEY' });
  return { ...(publicOrigin !== undefined ? { publicOrigin } : {}), ...(tls ? { tls } : {}) };
}
