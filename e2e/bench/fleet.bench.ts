// `npm run bench:fleet`: a site's figures with the real servers — PostgreSQL, Mosquitto, the hub and three
// `lintel serve --hub` doors on this machine (e2e/fleet's site). Prints figures, asserts nothing.
//   enrolled on the hub → granted at a door: a person is written to the hub's database (crops and templates from
//     a donor terminal's enrollment of LFW photos; `lintel hub serve` notices a write from another process within
//     its 500 ms head poll); the door has them once its store does; another photo of them is then shown at the
//     door; median over 20 people, with the two parts (hub → door's store, photo shown → grant) beside it;
//   events the hub ingests from 3 doors: each door logs a backlog while cut off from the broker, then all are
//     reconnected at once; events per second from the first stored to the last (and from reconnection);
//   a door's catch-up after 1,000 changes made while it was cut off: reconnection → its cursor at the head.
// The hub's memory and PostgreSQL's size per 10,000 people are bench:hub-size's.
//   npm run bench:fleet -- [--people 20] [--events 2000] [--changes 1000]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import type { HubSampleInput } from '../../electron/hub/store/hub-store.js';
import { TerminalStore } from '../../electron/terminal/store/store.js';
import { medianAndP95 } from '../../electron/vision/statistics.js';
import { eventually, Fleet, missingFleetPrerequisite } from '../fleet/fleet.js';
import { LFW_IMAGES, lfwPhoto, ROOT } from '../support/terminal.js';

const { values } = parseArgs({ options: { people: { type: 'string', default: '20' }, events: { type: 'string', default: '2000' }, changes: { type: 'string', default: '1000' } } });
const PEOPLE = Number(values.people);
const EVENTS_PER_DOOR = Number(values.events);
const CHANGES = Number(values.changes);
for (const [name, value] of [['--people', PEOPLE], ['--events', EVENTS_PER_DOOR], ['--changes', CHANGES]] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1, got ${String(value)}`);
}

const missing = missingFleetPrerequisite();
if (missing) {
  console.log(`bench:fleet skipped: ${missing}`);
  process.exit(0);
}

const CLI = join(ROOT, 'dist', 'electron', 'cli', 'lintel.js');
const ms = (value: number): string => `${value.toFixed(0)} ms`;

/** LFW people with at least three photos, in name order: two to enroll, the third for the door. */
function lfwPeople(count: number): string[] {
  const people = readdirSync(LFW_IMAGES).filter((name) => readdirSync(join(LFW_IMAGES, name)).length >= 3).sort();
  if (people.length < count) throw new Error(`LFW has ${people.length} people with three photos, fewer than ${count}`);
  return people.slice(0, count);
}

/**
 * What the hub enrolls: each person's aligned crops and templates as a terminal makes them, from `lintel import`
 * of photos 1–2 into a donor data folder (the doors run the same extractor, so they rebuild nothing).
 */
function donorEnrollments(workDir: string, people: readonly string[]): { modelId: string; byName: Map<string, HubSampleInput[]> } {
  const photos = join(workDir, 'donor-photos');
  for (const name of people) {
    mkdirSync(join(photos, name), { recursive: true });
    for (const index of [1, 2]) symlinkSync(lfwPhoto(name, index), join(photos, name, `${index}.jpg`));
  }
  const dataDir = join(workDir, 'donor');
  const imported = spawnSync(process.execPath, [CLI, 'import', '--data', dataDir, photos], { encoding: 'utf8' });
  if (imported.status !== 0) console.log(`(lintel import exited ${imported.status}: ${imported.stdout.split('\n').slice(-3).join(' ')})`);
  const store = TerminalStore.open({ dataDir });
  try {
    const [counts] = store.samples.templateCounts();
    if (!counts) throw new Error(`the donor enrollment made no templates: ${imported.stdout}${imported.stderr}`);
    const byName = new Map<string, HubSampleInput[]>();
    for (const person of store.persons.list({ limit: 500 }).persons) {
      const templates = new Map(store.samples.templatesOfPerson(person.id, counts.modelId).map((stored) => [stored.sampleId, stored.template]));
      byName.set(
        person.name,
        store.samples.listForPerson(person.id).map((sample) => ({
          alignedJpeg: store.samples.getCrop(sample.id)!,
          quality: sample.quality,
          templates: templates.has(sample.id) ? [{ modelId: counts.modelId, template: templates.get(sample.id)! }] : [],
        })),
      );
    }
    return { modelId: counts.modelId, byName };
  } finally {
    store.close();
  }
}

const workDir = mkdtempSync(join(tmpdir(), 'lintel-bench-fleet-'));
const fleet = await Fleet.start(['door-1', 'door-2', 'door-3']);
try {
  const door2 = fleet.door('door-2');
  const door3 = fleet.door('door-3');
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}; PostgreSQL, Mosquitto, the hub and 3 doors on it`);

  // --- enrolled on the hub → granted at a door --------------------------------------------------------------
  const people = lfwPeople(PEOPLE);
  const donor = donorEnrollments(workDir, people);
  const toStoreMs: number[] = [];
  const toGrantMs: number[] = [];
  const totalMs: number[] = [];
  let notGranted = 0;
  for (const lfwName of people) {
    const name = lfwName.replaceAll('_', ' ');
    const samples = donor.byName.get(name);
    if (!samples || samples.length === 0) {
      notGranted++;
      continue;
    }
    const enrolledAtMs = Date.now();
    const person = await fleet.hub.store.createPerson({ name, samples });
    await eventually(`${name} at door-2`, async () => (await door2.person(person.id)) !== null, 30_000);
    const inStoreAtMs = Date.now();
    const decision = await door2.decide([lfwPhoto(lfwName, 3)]);
    if (decision.decision !== 'granted' || decision.person?.id !== person.id) {
      notGranted++;
      continue;
    }
    toStoreMs.push(inStoreAtMs - enrolledAtMs);
    toGrantMs.push(decision.decidedAtMs - inStoreAtMs);
    totalMs.push(decision.decidedAtMs - enrolledAtMs);
  }
  const total = medianAndP95(totalMs);
  console.log(
    `enrolled on the hub → granted at a door: median ${ms(total.median)}, p95 ${ms(total.p95)} over ${totalMs.length} people` +
      ` (hub → door's store median ${ms(medianAndP95(toStoreMs).median)}; photo shown → grant median ${ms(medianAndP95(toGrantMs).median)})` +
      (notGranted > 0 ? `; ${notGranted} not granted (no usable donor photo or another decision)` : ''),
  );

  // --- events the hub ingests from 3 doors ----------------------------------------------------------------
  for (const door of fleet.doors) door.link.sever();
  // Decided a minute ago, each a millisecond apart: past the door's wait for a late snapshot, so all go at once.
  const sinceMs = Date.now() - 60_000 - EVENTS_PER_DOOR;
  for (const door of fleet.doors) {
    // A second connection to the door's own database: the outbox trigger queues each event as the door would.
    const store = TerminalStore.open({ dataDir: door.terminal.dataDir });
    try {
      for (let i = 0; i < EVENTS_PER_DOOR; i++) store.events.append({ atMs: sinceMs + i, decision: 'denied', reason: 'bench-backlog', modelId: donor.modelId, similarity: 0.1 });
    } finally {
      store.close();
    }
  }
  const reconnectAtMs = Date.now();
  for (const door of fleet.doors) door.link.restore();
  const expected = EVENTS_PER_DOOR * fleet.doors.length;
  const stored = async (): Promise<{ count: number; firstMs: number; lastMs: number }> => {
    let count = 0;
    let firstMs = Number.POSITIVE_INFINITY;
    let lastMs = 0;
    for (const door of fleet.doors) {
      for (let before: { atMs: number; id: number } | null | undefined; before !== null; ) {
        const page = await fleet.hub.store.queryEvents({ terminalId: door.terminalId, fromMs: sinceMs, limit: 1000, ...(before ? { before } : {}) });
        for (const event of page.events) {
          if (event.reason !== 'bench-backlog') continue;
          count++;
          firstMs = Math.min(firstMs, event.receivedAtMs);
          lastMs = Math.max(lastMs, event.receivedAtMs);
        }
        before = page.next;
      }
    }
    return { count, firstMs, lastMs };
  };
  await eventually('every backlog event at the hub', async () => (await stored()).count >= expected, 600_000);
  const allInAtMs = Date.now();
  const ingest = await stored();
  console.log(
    `events the hub ingests from 3 doors: ${((ingest.count / Math.max(1, ingest.lastMs - ingest.firstMs)) * 1000).toFixed(0)} events/s ` +
      `(${ingest.count} events, first to last stored in ${ms(ingest.lastMs - ingest.firstMs)}; ${ms(allInAtMs - reconnectAtMs)} from reconnection, ` +
      `${((ingest.count / (allInAtMs - reconnectAtMs)) * 1000).toFixed(0)} events/s with it)`,
  );

  // --- a door's catch-up after 1,000 changes while cut off ----------------------------------------------------
  door3.link.sever();
  const dimension = [...donor.byName.values()].flat()[0]?.templates[0]?.template.length ?? 192;
  const crops = [...donor.byName.values()].flat().map((sample) => sample.alignedJpeg);
  const writeStartMs = Date.now();
  for (let i = 0; i < CHANGES; i++) {
    const template = new Float32Array(dimension).map(() => Math.random() * 2 - 1);
    await fleet.hub.store.createPerson({ name: `Catch-up ${i}`, samples: [{ alignedJpeg: crops[i % crops.length]!, quality: [...donor.byName.values()].flat()[0]!.quality, templates: [{ modelId: donor.modelId, template }] }] });
  }
  const headSeq = await fleet.hub.store.headSeq();
  console.log(`(${CHANGES} person changes written at the hub in ${ms(Date.now() - writeStartMs)} while door-3 was cut off)`);
  const reconnectedAtMs = Date.now();
  door3.link.restore();
  await eventually('door-3 at the head', async () => (await fleet.hub.store.getTerminal('door-3')).appliedSeq >= headSeq, 600_000);
  const caughtUpMs = Date.now() - reconnectedAtMs;
  const system = await door3.terminal.call<{ counts: { persons: number } }>('system:get', {});
  console.log(`a door's catch-up after ${CHANGES} changes while cut off: ${ms(caughtUpMs)} from reconnection to its cursor at the head (${system.counts.persons} people at door-3 now)`);
} finally {
  await fleet.stop();
  rmSync(workDir, { recursive: true, force: true });
}
