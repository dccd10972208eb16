// `lintel events`: match scores from the curve of each event's model, the raw cosine where a model has none.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { TerminalStore } from '../terminal/store/store.js';
import { matchScore, type IdentificationCurve } from '../vision/matcher/identification-curve.js';
import { defaultManifestPath } from '../vision/models/paths.js';
import { commandEvents } from './data-commands.js';

const dir = mkdtempSync(join(tmpdir(), 'lintel-events-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** What the command writes to stdout. */
async function output(args: string[]): Promise<string> {
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  // The command writes strings; the test runner's own reports (bytes) on the same stdout go through.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    typeof chunk === 'string' ? (chunks.push(chunk), true) : original(chunk, ...rest)) as typeof process.stdout.write;
  try {
    await commandEvents(args);
  } finally {
    process.stdout.write = original;
  }
  return chunks.join('');
}

test("events show the match score from their model's curve, and the cosine where the model has no curve", async () => {
  const models = (JSON.parse(readFileSync(defaultManifestPath(), 'utf8')) as { models: Record<string, { identification?: IdentificationCurve }> }).models;
  const withCurve = Object.entries(models).find(([, model]) => model.identification);
  assert.ok(withCurve, 'the shipped manifest has at least one curve');
  const [curveModelId, { identification: curve }] = withCurve;
  const store = TerminalStore.open({ dataDir: dir });
  const similarity = curve!.points[8]!.similarity;
  store.events.append({ atMs: Date.UTC(2026, 11, 2, 8), decision: 'granted', reason: 'granted', modelId: curveModelId, similarity });
  store.events.append({ atMs: Date.UTC(2026, 11, 2, 9), decision: 'denied', reason: 'unknown', modelId: 'model-without-curve', similarity: 0.4321 });
  store.close();

  const lines = (await output(['--data', dir])).trim().split('\n');
  assert.match(lines[0]!, /denied .*cosine 0\.432$/);
  assert.match(lines[1]!, new RegExp(`granted .*match ${matchScore(curve!, similarity)}$`));
  const json = JSON.parse(await output(['--data', dir, '--json'])) as { similarity: number; matchScore: number | null }[];
  assert.deepEqual(
    json.map((event) => [event.similarity, event.matchScore]),
    [
      [0.4321, null],
      [similarity, matchScore(curve!, similarity)],
    ],
    'the stored cosine is kept beside the score',
  );
});

test("events show the card shown, and --card lists one card's events", async () => {
  const cardDir = mkdtempSync(join(tmpdir(), 'lintel-events-card-'));
  try {
    const store = TerminalStore.open({ dataDir: cardDir });
    store.events.append({ atMs: Date.UTC(2026, 11, 3, 8), decision: 'denied', reason: 'unknown-card', card: { facilityCode: 12, cardNumber: 34567 } });
    store.events.append({ atMs: Date.UTC(2026, 11, 3, 9), decision: 'denied', reason: 'unknown-card', card: { facilityCode: null, cardNumber: 777 } });
    store.events.append({ atMs: Date.UTC(2026, 11, 3, 10), decision: 'denied', reason: 'unknown' });
    store.close();

    const eventLines = (text: string): string[] => text.trim().split('\n');
    const lines = eventLines(await output(['--data', cardDir]));
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /unknown-card .*card 777$/);
    assert.match(lines[2]!, /unknown-card .*card 12:34567$/);
    const one = eventLines(await output(['--data', cardDir, '--card', '34567']));
    assert.equal(one.length, 1);
    assert.match(one[0]!, /card 12:34567$/);
    await assert.rejects(commandEvents(['--data', cardDir, '--card', '12a']), /--card 12a is not a card number/);
  } finally {
    rmSync(cardDir, { recursive: true, force: true });
  }
});
