// `npx tsx electron/terminal/bench/live-enrollment.bench.ts [--people 8]`: enrollment at the camera, then the
// door. Each LFW person (with at least 6 photos) is enrolled live from photos 1–3 played by a file camera (5
// samples), then photos 4–6 are shown at the door: how many are granted, and after how long; then as many
// people never enrolled come to the door: how many are denied as unknown. Prints figures.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

import type { StreamMessage } from '../../shared/contract/streams.js';
import { medianAndP95 } from '../../vision/statistics.js';
import { TerminalApp } from '../app/terminal-app.js';
import { LFW_IMAGES, lfwPhoto } from '../enrollment/test/helpers.js';

const { values } = parseArgs({ options: { people: { type: 'string', default: '8' } } });
const count = Number(values.people);
const candidates = readdirSync(LFW_IMAGES).filter((name) => readdirSync(join(LFW_IMAGES, name)).length >= 6);
const people = candidates.slice(0, count);
/** People never enrolled, shown at the door after everyone is: each should be denied "unknown". */
const strangers = candidates.slice(count, 2 * count);

const dir = mkdtempSync(join(tmpdir(), 'lintel-live-bench-'));
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const app = await TerminalApp.open({ dataDir: join(dir, 'data'), defaultCameraUri: `file:${dir}/none`, logger: quiet, version: 'bench' });
// Stills cannot turn their heads: enrollment → recognition only, without the liveness challenge.
const policy = app.store.settings.get('access.policy');
await app.updateSettings({ 'access.policy': { ...policy, liveness: { ...policy.liveness, mode: 'off' } } });
const { token } = app.sessions.issue('admin', 'bench', 3_600_000);
const session = app.sessions.resolve(token);
const call = async <T>(channel: string, request: unknown): Promise<T> => {
  const result = await app.handle(channel, request, { senderOk: true, session, sessionToken: token });
  if (!result.ok) throw new Error(`${channel}: ${result.error.message}`);
  return result.value as T;
};
const next = <K extends StreamMessage['kind']>(kind: K, accept: (message: Extract<StreamMessage, { kind: K }>) => boolean, timeoutMs: number): Promise<Extract<StreamMessage, { kind: K }> | undefined> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => (stop(), resolve(undefined)), timeoutMs);
    const stop = app.subscribe((message) => {
      if (message.kind === kind && accept(message as Extract<StreamMessage, { kind: K }>)) {
        clearTimeout(timer);
        stop();
        resolve(message as Extract<StreamMessage, { kind: K }>);
      }
    });
  });
let cameras = 0;
/** A camera playing photos of one person, enlarged to 500 px: someone standing at the door. */
const show = async (name: string, indices: readonly number[]): Promise<number> => {
  const folder = join(dir, `camera-${++cameras}`);
  mkdirSync(folder);
  await Promise.all(indices.map((index) => sharp(lfwPhoto(name, index)).resize({ width: 500 }).toFile(join(folder, `${index}.jpg`))));
  await call('settings:update', { values: { 'camera.uri': `file:${folder}?fps=10` } });
  return Date.now();
};

const outcomes: string[] = [];
const decisionMs: number[] = [];
for (const name of people) {
  await show(name, [1, 2, 3]);
  const { sessionId } = await call<{ sessionId: string }>('enroll:live-start', { samplesWanted: 5 });
  const done = await next('enrollment-feedback', (message) => message.sessionId === sessionId && message.feedback.samplesTaken === 5, 20_000);
  if (!done) {
    outcomes.push(`${name}: enrollment incomplete`);
    await call('enroll:live-cancel', { sessionId });
    continue;
  }
  await call('enroll:live-commit', { sessionId, person: { name }, allowDuplicate: true });
  const shownAtMs = await show(name, [4, 5, 6]);
  const decided = await next('decision', () => true, 15_000);
  const decision = decided?.decision;
  if (decision?.decision === 'granted' && decision.person?.name === name) decisionMs.push(decision.decidedAtMs - shownAtMs);
  outcomes.push(`${name}: ${decision ? `${decision.decision} (${decision.reason}${decision.similarity !== undefined ? `, ${decision.similarity.toFixed(3)}` : ''})` : 'no decision'}`);
}
const strangerOutcomes: string[] = [];
for (const name of strangers) {
  await show(name, [1, 2, 3]);
  const decided = await next('decision', () => true, 15_000);
  strangerOutcomes.push(`${name}: ${decided ? `${decided.decision.decision} (${decided.decision.reason}${decided.decision.person ? ` as ${decided.decision.person.name}` : ''})` : 'no decision'}`);
}
await app.close();
rmSync(dir, { recursive: true, force: true });

const granted = outcomes.filter((line) => line.includes(': granted')).length;
const timing = medianAndP95(decisionMs);
console.log(`Lintel live enrollment → door — ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.versions.node}, CPU backend`);
console.log(outcomes.join('\n'));
console.log(`granted ${granted} of ${people.length} from other photos than those enrolled (5 live samples from 3 photos each); camera switch → decision median ${timing.median.toFixed(0)} ms`);
console.log(strangerOutcomes.join('\n'));
console.log(`strangers denied as unknown: ${strangerOutcomes.filter((line) => line.includes('(unknown')).length} of ${strangers.length}; let in as someone: ${strangerOutcomes.filter((line) => line.includes(': granted')).length}`);
