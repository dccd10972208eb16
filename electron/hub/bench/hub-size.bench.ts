// PostgreSQL size and hub memory per 10,000 persons: fills a throwaway cluster with enrolled persons (aligned
// crops cut from LFW photos and encoded as enrollment stores them, one 512-float template per sample, both
// sealed as the hub stores them), then walks the whole change log as a terminal catching up from nothing would,
// then stores events from three terminals at once in outbox-sized batches (the store's side of ingest).
//   npm run bench:hub-size -- [--persons 10000] [--samples 3] [--crop-px 150]
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

import { CROP_JPEG_QUALITY } from '../../terminal/enrollment/photo-sample.js';
import type { HubSampleInput } from '../store/hub-store.js';
import { openHubStore } from '../store/postgres-hub-store.js';
import { startPostgresServer } from '../test/postgres-server.js';

const LFW_DIR = '/work/shared/data/lfw-dev/images';
const DISTINCT_CROPS = 300;
const TEMPLATE_FLOATS = 512;
const WRITERS = 4;
/** Terminals sending events at once, and the events in each of their messages (the fleet's most). */
const EVENT_TERMINALS = 3;
const EVENTS_PER_BATCH = 100;

const { values } = parseArgs({
  options: { persons: { type: 'string', default: '10000' }, samples: { type: 'string', default: '3' }, 'crop-px': { type: 'string', default: '150' } },
});
const persons = Number(values.persons);
const samplesPerPerson = Number(values.samples);
/** Side of an aligned crop: 112 to 224 px by extractor (models/manifest.json); 150 is dlib's. */
const cropPx = Number(values['crop-px']);
if (!Number.isInteger(cropPx) || cropPx < 32 || cropPx > 512) throw new Error(`--crop-px must be 32 to 512, got ${values['crop-px']}`);
if (!Number.isInteger(persons) || persons < 1) throw new Error(`--persons must be a whole number ≥ 1, got ${values.persons}`);
if (!Number.isInteger(samplesPerPerson) || samplesPerPerson < 1 || samplesPerPerson > 16) throw new Error(`--samples must be 1 to 16, got ${values.samples}`);

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Aligned-crop-sized JPEGs (at the quality enrollment stores crops with) from LFW's face centres, or noise without LFW. */
async function loadCrops(): Promise<Buffer[]> {
  const crops: Buffer[] = [];
  if (existsSync(LFW_DIR)) {
    for (const person of readdirSync(LFW_DIR).slice(0, DISTINCT_CROPS)) {
      const file = readdirSync(join(LFW_DIR, person)).find((name) => name.endsWith('.jpg'));
      if (!file) continue;
      // LFW's 250×250 photos are centred on the face: its middle 110 pixels are about an aligned crop.
      crops.push(await sharp(readFileSync(join(LFW_DIR, person, file))).extract({ left: 70, top: 70, width: 110, height: 110 }).resize(cropPx, cropPx).jpeg({ quality: CROP_JPEG_QUALITY }).toBuffer());
    }
  } else {
    console.log(`(${LFW_DIR} is absent: noise crops instead of faces; sizes will differ from real ones)`);
    for (let i = 0; i < DISTINCT_CROPS; i++) {
      crops.push(await sharp(randomBytes(cropPx * cropPx * 3), { raw: { width: cropPx, height: cropPx, channels: 3 } }).jpeg({ quality: CROP_JPEG_QUALITY }).toBuffer());
    }
  }
  return crops;
}

function sampleOf(crop: Buffer): HubSampleInput {
  const template = new Float32Array(TEMPLATE_FLOATS);
  for (let i = 0; i < template.length; i++) template[i] = Math.random() * 2 - 1;
  return {
    alignedJpeg: crop,
    alignment: null,
    quality: { interOcularPx: 52, yawDeg: 3, pitchDeg: -2, rollDeg: 1, sharpness: 0.7, brightness: 0.5, contrast: 0.4, presence: 0.99, detectorScore: 0.98 },
    templates: [{ modelId: 'arcface-r50', template }],
  };
}

/** Resident memory of the PostgreSQL server: the postmaster and every backend it forked, from /proc. */
function postgresRssBytes(dataDir: string): number {
  const postmasterPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      if (Number(entry) !== postmasterPid && ppid !== postmasterPid) continue;
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // The process ended while being read.
    }
  }
  return total;
}

const crops = await loadCrops();
const meanCropBytes = crops.reduce((sum, crop) => sum + crop.length, 0) / crops.length;
// Durable as a site runs it: every commit reaches the disk before it is acknowledged.
const server = await startPostgresServer({ durable: true });
const store = await openHubStore({ connectionString: server.connectionString, masterKey: randomBytes(32) });
// Ctrl-C still stops the cluster and removes its folder (the writes in flight fail, which no longer matters).
process.once('SIGINT', () => void server.stop().finally(() => process.exit(130)));
try {
  const sizeOf = async (): Promise<number> => (await store.database.query<{ size: number }>('SELECT pg_database_size(current_database()) AS size')).rows[0]?.size ?? 0;
  const emptyBytes = await sizeOf();
  const rssBefore = process.memoryUsage().rss;

  const fillStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < persons) {
        const index = next++;
        const samples = Array.from({ length: samplesPerPerson }, (_, k) => sampleOf(crops[(index * samplesPerPerson + k) % crops.length] as Buffer));
        await store.createPerson({ name: `Person ${index}`, externalId: `E${index}`, groups: ['staff'], samples });
      }
    }),
  );
  const fillMs = performance.now() - fillStarted;
  await store.database.query('VACUUM ANALYZE');
  const filledBytes = await sizeOf();
  const tables = await store.database.query<{ name: string; size: number }>(
    "SELECT relname AS name, pg_total_relation_size(oid) AS size FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 2 DESC LIMIT 4",
  );
  const rssFilled = process.memoryUsage().rss;

  // A terminal catching up from nothing: every page the hub would send, built and serialised.
  const walkStarted = performance.now();
  let cursor = 0;
  let pages = 0;
  let wireBytes = 0;
  let peakRss = process.memoryUsage().rss;
  for (;;) {
    const page = await store.changesAfter(cursor);
    if (page.changes.length === 0) break;
    wireBytes += JSON.stringify(page).length;
    cursor = page.lastSeq;
    pages++;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const walkMs = performance.now() - walkStarted;
  const postgresRss = postgresRssBytes(server.dataDir);

  // Event ingest: each terminal's batches one after another (as its outbox sends them), the terminals at once.
  const batchesPerTerminal = 20;
  for (let t = 0; t < EVENT_TERMINALS; t++) await store.registerTerminal({ id: `door-${t + 1}` });
  const someone = (await store.listPersons({ limit: 1 })).persons[0]?.id ?? null;
  const ingestStarted = performance.now();
  await Promise.all(
    Array.from({ length: EVENT_TERMINALS }, async (_, t) => {
      for (let batch = 0; batch < batchesPerTerminal; batch++) {
        const events = Array.from({ length: EVENTS_PER_BATCH }, (_, k) => {
          const seq = batch * EVENTS_PER_BATCH + k + 1;
          return {
            uuid: randomUUID(),
            seq,
            atMs: Date.now(),
            decision: k % 5 === 0 ? ('denied' as const) : ('granted' as const),
            reason: k % 5 === 0 ? 'unknown' : 'granted',
            personId: k % 5 === 0 ? null : someone,
            modelId: 'arcface-r50',
            similarity: 0.6,
            livenessScore: null,
            livenessCue: null,
            card: null,
            quality: null,
            snapshotJpegBase64: null,
          };
        });
        await store.insertEvents(`door-${t + 1}`, events);
      }
    }),
  );
  const ingestMs = performance.now() - ingestStarted;
  const ingested = EVENT_TERMINALS * batchesPerTerminal * EVENTS_PER_BATCH;

  const scale = 10_000 / persons;
  console.log(`hub size: ${persons} persons × ${samplesPerPerson} samples (${cropPx}×${cropPx} JPEG crops at quality ${CROP_JPEG_QUALITY}, mean ${(meanCropBytes / 1024).toFixed(1)} KiB; one ${TEMPLATE_FLOATS}-float template each)`);
  console.log(`  filled in ${(fillMs / 1000).toFixed(1)} s (${((persons / fillMs) * 1000).toFixed(0)} persons/s, ${WRITERS} writers)`);
  console.log(`  PostgreSQL database: ${mib(emptyBytes)} empty → ${mib(filledBytes)} filled; ${mib((filledBytes - emptyBytes) * scale)} per 10,000 persons (${((filledBytes - emptyBytes) / persons / 1024).toFixed(1)} KiB per person)`);
  console.log(`  largest tables: ${tables.rows.map((row) => `${row.name} ${mib(row.size)}`).join(', ')}`);
  console.log(`  full catch-up from seq 0: ${pages} pages, ${mib(wireBytes)} of JSON, built in ${(walkMs / 1000).toFixed(1)} s`);
  console.log(`  hub process RSS: ${mib(rssBefore)} open → ${mib(rssFilled)} after filling → ${mib(peakRss)} peak while paging`);
  console.log(`  PostgreSQL server RSS (postmaster + backends): ${mib(postgresRss)}`);
  console.log(
    `  event ingest: ${ingested} events from ${EVENT_TERMINALS} terminals in batches of ${EVENTS_PER_BATCH} in ${(ingestMs / 1000).toFixed(1)} s: ` +
      `${((ingested / ingestMs) * 1000).toFixed(0)} events/s stored and acknowledged (no snapshots)`,
  );
} finally {
  await store.close();
  await server.stop();
}
