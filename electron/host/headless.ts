// The terminal without Electron: the app from the data directory, served to browsers on 127.0.0.1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { jsonLinesLogger } from '../terminal/app/json-logger.js';
import { TerminalApp, type AppLogger } from '../terminal/app/terminal-app.js';
import { packageRoot } from '../vision/models/paths.js';
import { startHttpHost, type HttpHost } from './http-host.js';
import type { NpuOptions } from '../vision/backend/rknn-backend.js';
import type { HubBundle } from '../terminal/sync/hub-bundle.js';

/** Options of `startHeadless`; everything has a default that runs out of the box. */
export interface HeadlessOptions {
  readonly dataDir: string;
  /** Camera when the stored settings name none; default LINTEL_CAMERA, else the demo photos. */
  readonly cameraUri?: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 7300; 0 picks a free port. */
  readonly port?: number;
  /** The address browsers use behind a TLS proxy (HttpHostOptions.publicOrigin). */
  readonly publicOrigin?: string;
  /** Serve HTTPS directly with this certificate and key, PEM. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly manifestPath?: string;
  readonly npu?: NpuOptions;
  readonly logger?: AppLogger;
  readonly validateResponses?: boolean;
  /** Repeatable liveness challenges (TerminalAppOptions.challengeSeed); default LINTEL_CHALLENGE_SEED, else none. */
  readonly challengeSeed?: number;
  /** The site hub to join (TerminalAppOptions.hub); default none. */
  readonly hub?: HubBundle;
}

/** A running headless terminal. */
export interface Headless {
  readonly app: TerminalApp;
  readonly host: HttpHost;
  close(): Promise<void>;
}

/** The product's version, from package.json. */
export function productVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The camera used when nothing is configured: the sample photos that ship with face-api, shown one a second,
 * so a fresh checkout has faces on screen with no camera attached.
 */
export function demoCameraUri(): string {
  return `file:${join(packageRoot(), 'node_modules', '@vladmandic', 'face-api', 'demo')}?fps=1`;
}

/** Opens the terminal and serves it. */
export async function startHeadless(options: HeadlessOptions): Promise<Headless> {
  const logger = options.logger ?? jsonLinesLogger();
  const seedText = process.env.LINTEL_CHALLENGE_SEED;
  const challengeSeed = options.challengeSeed ?? (seedText ? Number(seedText) : undefined);
  if (challengeSeed !== undefined && !Number.isSafeInteger(challengeSeed)) throw new Error(`LINTEL_CHALLENGE_SEED must be a whole number, not "${seedText}"`);
  const app = await TerminalApp.open({
    dataDir: options.dataDir,
    defaultCameraUri: options.cameraUri ?? process.env.LINTEL_CAMERA ?? demoCameraUri(),
    logger,
    version: productVersion(),
    ...(options.manifestPath ? { manifestPath: options.manifestPath } : {}),
    ...(options.npu ? { npu: options.npu } : {}),
    ...(options.validateResponses !== undefined ? { validateResponses: options.validateResponses } : {}),
    ...(challengeSeed !== undefined ? { challengeSeed } : {}),
    ...(options.hub ? { hub: options.hub } : {}),
  });
  try {
    const host = await startHttpHost({
      app,
      rendererDir: join(packageRoot(), 'dist', 'renderer'),
      host: options.host,
      port: options.port,
      publicOrigin: options.publicOrigin,
      tls: options.tls,
    });
    return {
      app,
      host,
      // The host first (no new calls, the running ones answered), the app last: its store closes only after
      // everything that writes to it has stopped.
      close: async () => {
        await host.close();
        await app.close();
        logger.info('terminal.stopped', {});
      },
    };
  } catch (error) {
    await app.close();
    throw error;
  }
}
