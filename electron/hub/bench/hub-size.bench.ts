// PostgreSQL size and hub memory per 10,000 persons: fills a throwaway cluster with enrolled persons (aligned
// 112×112 JPEG crops cut from LFW photos, one 512-float template per sample, both sealed as the hub stores
// them), then walks the whole change log as a terminal catching up from nothing would pull it.
//   npm run bench:hub-size -- [--persons 10000] [--samples 3]
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

import type { HubSampleInput } from '../store/hub-store.js';
import { openHubStore } from '../store/postgres-hub-store.js';
import { startPostgresServer } from '../test/postgres-server.js';

const LFW_DIR = '/work/shared/data/lfw-dev/images';
const DISTINCT_CROPS = 300;
const TEMPLATE_FLOATS = 512;
const WRITERS = 4;

const { values } = parseArgs({ options: { persons: { type: 'string', default: '10000' }, samples: { type: 'string', default: '3' } } });
const persons = Number(values.persons);
const samplesPerPerson = Number(values.samples);
if (!Number.isInteger(persons) || persons < 1) throw new Error(`--persons must be a whole number ≥ 1, got ${values.persons}`);
if (!Number.isInteger(samplesPerPerson) || samplesPerPerson < 1 || samplesPerPerson > 16) throw new Error(`--samples must be 1 to 16, got ${values.samples}`);

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Aligned-crop-sized JPEGs (quality 85, as the terminal encodes them) from LFW's face centres, or grey noise without LFW. */
async function loadCrops(): Promise<Buffer[]> {
  const crops: Buffer[] = [];
  if (existsSync(LFW_DIR)) {
    for (const person of readdirSync(LFW_DIR).slice(0, DISTINCT_CROPS)) {
      const file = readdirSync(join(LFW_DIR, person)).find((name) => name.endsWith('.jpg'));
      if (!file) continue;
      // LFW's 250×250 photos are centred on the face: its middle 110 pixels are about an aligned crop.
      crops.push(await sharp(readFileSync(join(LFW_DIR, person, file))).extract({ left: 70, top: 70, width: 110, height: 110 }).resize(112, 112).jpeg({ quality: 85 }).toBuffer());
    }
  } else {
    console.log(`(${LFW_DIR} is absent: noise crops instead of faces; sizes will differ from real ones)`);
    for (let i = 0; i < DISTINCT_CROPS; i++) crops.push(await sharp(randomBytes(112 * 112 * 3), { raw: { width: 112, height: 112, channels: 3 } }).jpeg({ quality: 85 }).toBuffer());
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
// Throwaway data: durability off makes filling faster and changes no size.
const server = await startPostgresServer({ durable: false });
const store = await openHubStore({ connectionString: server.connectionString, masterKey: randomBytes(32) });
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

  const scale = 10_000 / persons;
  console.log(`hub size: ${persons} persons × ${samplesPerPerson} samples (112×112 JPEG crops, mean ${(meanCropBytes / 1024).toFixed(1)} KiB; one ${TEMPLATE_FLOATS}-float template each)`);
  console.log(`  filled in ${(fillMs / 1000).toFixed(1)} s (${((persons / fillMs) * 1000).toFixed(0)} persons/s, ${WRITERS} writers)`);
  console.log(`  PostgreSQL database: ${mib(emptyBytes)} empty → ${mib(filledBytes)} filled; ${mib((filledBytes - emptyBytes) * scale)} per 10,000 persons (${((filledBytes - emptyBytes) / persons / 1024).toFixed(1)} KiB per person)`);
  console.log(`  largest tables: ${tables.rows.map((row) => `${row.name} ${mib(row.size)}`).join(', ')}`);
  console.log(`  full catch-up from seq 0: ${pages} pages, ${mib(wireBytes)} of JSON, built in ${(walkMs / 1000).toFixed(1)} s`);
  console.log(`  hub process RSS: ${mib(rssBefore)} open → ${mib(rssFilled)} after filling → ${mib(peakRss)} peak while paging`);
  console.log(`  PostgreSQL server RSS (postmaster + backends): ${mib(postgresRss)}`);
} finally {
  await store.close();
  await server.stop();
}
