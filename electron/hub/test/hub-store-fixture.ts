import { randomBytes, randomUUID } from 'node:crypto';

import pg from 'pg';
import sharp from 'sharp';

import type { WireEvent } from '../../shared/fleet/index.js';
import type { HubSampleInput } from '../store/hub-store.js';
import { openHubStore, type PostgresHubStore } from '../store/postgres-hub-store.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

/** One PostgreSQL cluster for a test file, and a fresh database (and store) per test. */
export class HubStoreFixture {
  private server: PostgresServer | undefined;
  private databases = 0;
  private readonly stores: PostgresHubStore[] = [];
  readonly masterKey = randomBytes(32);

  async start(): Promise<void> {
    this.server = await startPostgresServer({ durable: false });
  }

  /** A store over a new, empty database; `nowMs` defaults to the real clock. */
  async openStore(nowMs?: () => number): Promise<PostgresHubStore> {
    const connectionString = await this.createDatabase();
    const store = await openHubStore({ connectionString, masterKey: this.masterKey, adminScryptCost: 2 ** 10, ...(nowMs ? { nowMs } : {}) });
    this.stores.push(store);
    return store;
  }

  /** A new empty database; its connection string. */
  async createDatabase(): Promise<string> {
    const server = this.requireServer();
    const name = `hub_test_${++this.databases}`;
    const admin = new pg.Client({ connectionString: server.connectionString });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    return server.connectionString.replace(/\/[a-z0-9_]+$/, `/${name}`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.stores.map((store) => store.close().catch(() => undefined)));
    await this.server?.stop();
  }

  private requireServer(): PostgresServer {
    if (!this.server) throw new Error('HubStoreFixture.start() was not awaited');
    return this.server;
  }
}

let cachedJpeg: Buffer | undefined;

/** A small real JPEG (a grey gradient, 112×112 like an aligned crop). */
export async function testJpeg(): Promise<Buffer> {
  if (!cachedJpeg) {
    const pixels = Buffer.alloc(112 * 112 * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) % 251;
    cachedJpeg = await sharp(pixels, { raw: { width: 112, height: 112, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
  }
  return cachedJpeg;
}

/** A face quality record as the vision pipeline writes it. */
export const TEST_QUALITY = { interOcularPx: 48, yawDeg: 2, pitchDeg: -3, rollDeg: 1, sharpness: 0.8, brightness: 0.5, contrast: 0.4, presence: 0.99, detectorScore: 0.97 };

/** A sample with one 128-float template of `modelId`, the floats derived from `seed`. */
export async function testSample(seed = 1, modelId = 'mobilefacenet'): Promise<HubSampleInput> {
  const template = new Float32Array(128).map((_, i) => Math.sin(seed * 31 + i));
  return { alignedJpeg: await testJpeg(), alignment: { method: 'similarity-5pt' }, quality: TEST_QUALITY, templates: [{ modelId, template }] };
}

/** An event as a terminal's outbox sends it. */
export function testEvent(seq: number, overrides: Partial<WireEvent> = {}): WireEvent {
  return {
    uuid: randomUUID(),
    seq,
    atMs: 1_700_000_000_000 + seq * 1000,
    decision: 'granted',
    reason: 'granted',
    personId: null,
    modelId: 'mobilefacenet',
    similarity: 0.71,
    livenessScore: null,
    livenessCue: null,
    card: null,
    quality: null,
    snapshotJpegBase64: null,
    ...overrides,
  };
}
