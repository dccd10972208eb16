/**
 * `npm run bench:liveness`: the whole door on genuine clips, through the composition root (TerminalApp: file
 * camera, inference worker, decision policy, liveness policy, challenges), with the people in them enrolled.
 * Each clip is played three ways — liveness off, passive alone (MiniFASNetV2, where its file is there), passive +
 * challenge — and the challenge twice, once asking every time for a turn to the person's left and once to
 * their right (a fixed challenge seed, LINTEL_CHALLENGE_SEED's option): the clips cannot answer a prompt, they
 * turn (or not) at their own time, so both sides are asked of each. Prints, per kind of clip and condition, the
 * genuine attempts granted within the window (BPCER: not granted) and, for attack clips, the attacks granted
 * (APCER), the grant time from the clip's first
 * processed frame, the time the challenge adds to a genuine entry (grant with the challenge minus grant with
 * liveness off, same clip and person) and the time from the prompt to the grant. Asserts nothing.
 *
 * Clips (../shared/data, never committed):
 * - Intel's head-pose GIFs (CC BY 4.0, 12 fps, played at their own pace and looped): `female` sweeps her head
 *   left and right over and over (real turns, up to 47°, about 1 s a sweep), started at `--phases` points of her
 *   loop (default 6), as it is and mirrored; `male` faces the camera throughout
 *   (yaw within 2°); `female-and-male` has both, she holding a 30° turn, he drifting 12°. Cropped and enlarged
 *   so that faces pass the door's size rule; each person is enrolled from frames of their own clip.
 * - Replay-Attack devel bona-fide clips (research use): 5 frames 0.8 s apart of a person sitting still before a
 *   laptop webcam, played at that pace and looped; each person is enrolled from their `controlled_1` clip and
 *   shown their other three. They never turn their heads: with the challenge they measure only that a still
 *   genuine face is refused (as a print is); off and passive they measure identification and the passive check.
 * - With `--attacks print,…`: the same people's devel attack clips of those species (print, phone-photo,
 *   phone-video, tablet-photo, tablet-video; hand-held and fixed, both lights), 5 frames 0.5 s apart, played at
 *   that pace and looped. Liveness off says whether the door takes them for the person at all; the other
 *   conditions are the attacks' success rate (APCER) at the door.
 *
 * Options: --data <dir> (default ../shared/data), --window-ms <ms> an attempt's window from the first processed
 * frame (default 15000: three challenges of 4 s and their pauses), --replay-people <n> Replay-Attack devel
 * people (default 5, 3 clips each; 0 for none), --skip-gifs, --natural-motion (the natural-motion cue on with the
 * passive check: setting liveness.naturalMotion), --pad-cue <file> (a site-trained passive cue, `lintel pad train`,
 * installed with MiniFASNetV1SE beside V2), --skip-challenge (off and passive only), --attacks <species,…>, --json <file>.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

import type { Session } from '../../shared/contract/handler.js';
import type { Result } from '../../shared/contract/result.js';
import type { StreamMessage } from '../../shared/contract/streams.js';
import { seedAskingAlways } from '../access/test/challenge-clips.js';
import { makeWallCamera } from '../app/test/open-test-app.js';
import { sitePadCuePath } from '../models/site-pad-cue.js';
import { TerminalApp, type AppLogger } from '../app/terminal-app.js';
import { median } from '../../vision/statistics.js';
import { packageRoot } from '../../vision/models/paths.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: join(packageRoot(), '..', 'shared', 'data') },
    'window-ms': { type: 'string', default: '15000' },
    'replay-people': { type: 'string', default: '5' },
    'skip-gifs': { type: 'boolean', default: false },
    'natural-motion': { type: 'boolean', default: false },
    'pad-cue': { type: 'string' },
    'skip-challenge': { type: 'boolean', default: false },
    attacks: { type: 'string', default: '' },
    phases: { type: 'string', default: '6' },
    json: { type: 'string' },
  },
});
const DATA = values.data;
const WINDOW_MS = Number(values['window-ms']);
const REPLAY_PEOPLE = Number(values['replay-people']);
const PHASES = Number(values.phases);
const NATURAL_MOTION = values['natural-motion'];
const MINIFASNET_V2 = join(DATA, '..', 'models', 'minifasnet', 'MiniFASNetV2.onnx');
const MINIFASNET_V1SE = join(DATA, '..', 'models', 'minifasnet', 'MiniFASNetV1SE.onnx');
const PAD_CUE = values['pad-cue'];
const ATTACK_SPECIES = ['print', 'phone-photo', 'phone-video', 'tablet-photo', 'tablet-video'] as const;
const ATTACKS = values.attacks
  .split(',')
  .map((species) => species.trim())
  .filter((species) => species !== '');
for (const species of ATTACKS) {
  if (!(ATTACK_SPECIES as readonly string[]).includes(species)) throw new Error(`--attacks: no attack species "${species}" (known: ${ATTACK_SPECIES.join(', ')})`);
}

const print = (line: string): void => void process.stdout.write(`${line}\n`);
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const quiet: AppLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

type Condition = 'off' | 'passive' | 'challenge-left' | 'challenge-right';
type ClipKind =
  | 'head-turn GIF (she sweeps left and right)'
  | 'still GIF (he faces the camera)'
  | 'two-person GIF'
  | 'Replay-Attack bona fide (sitting still)'
  | `Replay-Attack attack: ${string}`;

const isAttack = (kind: ClipKind): boolean => kind.startsWith('Replay-Attack attack');

/** A clip for the file camera and who is in it. */
interface BenchClip {
  readonly name: string;
  readonly kind: ClipKind;
  readonly dir: string;
  readonly fps: number;
  readonly people: readonly string[];
}

/** One person's attempt in one clip under one condition; times from the clip's first processed frame, ms. */
interface Attempt {
  readonly clip: string;
  readonly kind: ClipKind;
  readonly condition: Condition;
  readonly person: string;
  readonly grantMs: number | null;
  readonly firstPromptMs: number | null;
  /** The last denial's reason and cue, when not granted. */
  readonly denial: string | null;
}

/** Frames of a GIF (every page), cropped and enlarged, as JPEGs. */
async function gifFrames(gif: string, crop: { left: number; top: number; width: number; height: number }, scale: number, pages?: readonly number[]): Promise<Buffer[]> {
  const count = (await sharp(gif).metadata()).pages ?? 1;
  const wanted = pages ?? Array.from({ length: count }, (_, page) => page);
  return Promise.all(
    wanted.map((page) =>
      sharp(gif, { page }).removeAlpha().extract(crop).resize(crop.width * scale, crop.height * scale, { kernel: 'lanczos3' }).jpeg({ quality: 92 }).toBuffer(),
    ),
  );
}

async function writeFolder(dir: string, frames: readonly Buffer[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  await Promise.all(frames.map((jpeg, index) => writeFile(join(dir, `frame-${String(index).padStart(4, '0')}.jpg`), jpeg)));
  return dir;
}

/** Replay-Attack frames of one clip, enlarged twice (320 × 240 → 640 × 480, as a door camera sees). */
async function replayFrames(split: string, clip: string): Promise<Buffer[]> {
  const dir = join(DATA, 'pad', 'replay-attack', split, clip);
  const files = readdirSync(dir).filter((file) => file.endsWith('.jpg')).sort();
  return Promise.all(files.map((file) => sharp(join(dir, file)).resize(640, 480, { kernel: 'lanczos3' }).jpeg({ quality: 92 }).toBuffer()));
}

/** Makes the clips and the enrollment photos of their people. */
async function prepare(work: string): Promise<{ clips: BenchClip[]; photos: Map<string, Buffer[]> }> {
  const clips: BenchClip[] = [];
  const photos = new Map<string, Buffer[]>();
  const video = join(DATA, 'video');
  const gif = (name: string): string => join(video, `intel_head-pose-face-detection-${name}.gif`);
  if (!values['skip-gifs'] && existsSync(gif('female')) && existsSync(gif('male'))) {
    // Her face is ~30 px wide in the 480 × 270 source, his ~72 px: enlarged until the eyes are ≥ 40 px apart.
    const her = { left: 120, top: 0, width: 240, height: 270 };
    const him = { left: 100, top: 0, width: 280, height: 270 };
    photos.set('her', await gifFrames(gif('female'), her, 3, [8, 9, 18, 19]));
    photos.set('him', await gifFrames(gif('male'), him, 2, [0, 10, 20, 30]));
    // Her sweep, started at `PHASES` points of its loop, as it is and mirrored (a person turning the other way
    // first): where she is in her sweep when the prompt comes is up to chance, as a person's reaction is.
    const sweep = await gifFrames(gif('female'), her, 3);
    const mirrored = await Promise.all(sweep.map((jpeg) => sharp(jpeg).flop().jpeg({ quality: 92 }).toBuffer()));
    for (let phase = 0; phase < PHASES; phase++) {
      const start = Math.round((phase * sweep.length) / PHASES);
      for (const [suffix, frames] of [['', sweep], ['-mirrored', mirrored]] as const) {
        const name = `female@${start}${suffix}`;
        clips.push({ name, kind: 'head-turn GIF (she sweeps left and right)', dir: await writeFolder(join(work, name), [...frames.slice(start), ...frames.slice(0, start)]), fps: 12, people: ['her'] });
      }
    }
    clips.push({ name: 'male', kind: 'still GIF (he faces the camera)', dir: await writeFolder(join(work, 'male'), await gifFrames(gif('male'), him, 2)), fps: 12, people: ['him'] });
    if (existsSync(gif('female-and-male'))) {
      const both = { left: 0, top: 0, width: 480, height: 270 };
      clips.push({ name: 'female-and-male', kind: 'two-person GIF', dir: await writeFolder(join(work, 'female-and-male'), await gifFrames(gif('female-and-male'), both, 2)), fps: 12, people: ['her', 'him'] });
    }
  } else {
    log(`head-pose GIFs: ${values['skip-gifs'] ? 'skipped' : `not found in ${video}`}`);
  }
  const csv = join(DATA, 'pad', 'replay-attack', 'clips.csv');
  if (REPLAY_PEOPLE > 0 && existsSync(csv)) {
    const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    const genuine = rows.filter(([split, , label]) => split === 'devel' && label === 'bona-fide').map(([, clip]) => clip as string);
    const attacks = rows.filter(([split, , label, , species]) => split === 'devel' && label === 'attack' && ATTACKS.includes(species as string));
    const people = [...new Set(genuine.map((clip) => /client(\d+)/.exec(clip)?.[1] ?? ''))].filter(Boolean).sort().slice(0, REPLAY_PEOPLE);
    for (const client of people) {
      const own = genuine.filter((clip) => clip.includes(`client${client}_`));
      const enroll = own.find((clip) => clip.endsWith('controlled_1'));
      if (!enroll) continue;
      const person = `client${client}`;
      photos.set(person, await replayFrames('devel', enroll));
      for (const clip of own.filter((name) => name !== enroll)) {
        const short = clip.replace(/^devel__real__real__/, '');
        // 5 frames taken 0.8 s apart: played at that pace.
        clips.push({ name: short, kind: 'Replay-Attack bona fide (sitting still)', dir: await writeFolder(join(work, short), await replayFrames('devel', clip)), fps: 1.25, people: [person] });
      }
      for (const [, clip, , support, species] of attacks.filter(([, clip]) => clip!.includes(`client${client}_`))) {
        const short = clip!.replace(/^devel__attack__/, '');
        // 5 frames taken 0.5 s apart: played at that pace.
        clips.push({ name: short, kind: `Replay-Attack attack: ${species} (${support === 'hand' ? 'hand-held' : 'fixed'})`, dir: await writeFolder(join(work, short), await replayFrames('devel', clip!)), fps: 2, people: [person] });
      }
    }
  } else if (REPLAY_PEOPLE > 0) {
    log(`Replay-Attack: not found at ${csv}`);
  }
  return { clips, photos };
}

/** An app on `dataDir` with an admin session; `call` runs one contract call and throws on an error. */
async function openApp(dataDir: string, wallCamera: string, challengeSeed?: number): Promise<{ app: TerminalApp; call: <T>(channel: string, request: unknown) => Promise<T> }> {
  const app = await TerminalApp.open({ dataDir, defaultCameraUri: wallCamera, logger: quiet, version: 'bench', ...(challengeSeed !== undefined ? { challengeSeed } : {}) });
  const { token, session } = app.sessions.issue('admin', 'bench', 24 * 60 * 60_000);
  const call = async <T>(channel: string, request: unknown): Promise<T> => {
    const result = (await app.handle(channel, request, { senderOk: true, session: session as Session, sessionToken: token })) as Result<T>;
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value;
  };
  return { app, call };
}

async function setLiveness(call: <T>(channel: string, request: unknown) => Promise<T>, app: TerminalApp, mode: 'off' | 'passive' | 'passive+active'): Promise<void> {
  const policy = app.store.settings.get('access.policy');
  // No cooldown: the same person is shown again clip after clip, and each showing is an attempt.
  await call('settings:update', { values: { 'access.policy': { ...policy, cooldownMs: 0, liveness: { ...policy.liveness, mode, naturalMotion: NATURAL_MOTION } } } });
}

/** Plays one clip until everyone in it is granted or the window is over; one attempt per person. */
async function play(app: TerminalApp, call: <T>(channel: string, request: unknown) => Promise<T>, wallCamera: string, clip: BenchClip, condition: Condition, personIds: Map<string, string>): Promise<Attempt[]> {
  await call('settings:update', { values: { 'camera.uri': wallCamera } });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const keyOf = new Map([...personIds].map(([key, id]) => [id, key]));
  const grants = new Map<string, number>();
  const prompts = new Map<string, number>();
  const denials = new Map<string, string>();
  const personOfTrack = new Map<number, string>();
  const switchedAtMs = Date.now();
  let firstFrameMs: number | undefined;
  let firstFrameWallMs: number | undefined;
  await new Promise<void>((resolve) => {
    const finish = (): void => {
      clearInterval(timer);
      stop();
      resolve();
    };
    const timer = setInterval(() => {
      if (firstFrameWallMs !== undefined && Date.now() - firstFrameWallMs > WINDOW_MS) finish();
      // A clip that never shows a processed frame still ends.
      if (Date.now() - switchedAtMs > WINDOW_MS * 3) finish();
    }, 100);
    const stop = app.subscribe((message: StreamMessage) => {
      if (message.kind === 'analysis') {
        if (message.timestampMs < switchedAtMs) return;
        if (firstFrameMs === undefined) {
          firstFrameMs = message.timestampMs;
          firstFrameWallMs = Date.now();
        }
        for (const face of message.faces) {
          const key = face.match ? keyOf.get(face.match.personId) : undefined;
          if (key) personOfTrack.set(face.trackId, key);
        }
      } else if (message.kind === 'challenge' && message.prompt && firstFrameMs !== undefined) {
        const key = personOfTrack.get(message.trackId);
        if (key && !prompts.has(key)) prompts.set(key, message.timestampMs - firstFrameMs);
      } else if (message.kind === 'decision' && firstFrameMs !== undefined) {
        const { decision } = message;
        const key = decision.person ? keyOf.get(decision.person.id) : decision.trackId !== undefined ? personOfTrack.get(decision.trackId) : undefined;
        if (!key) return;
        if (decision.decision === 'granted') {
          if (!grants.has(key)) grants.set(key, decision.decidedAtMs - firstFrameMs);
          if (clip.people.every((person) => grants.has(person))) finish();
        } else {
          denials.set(key, decision.livenessCue ? `${decision.reason} (${decision.livenessCue})` : decision.reason);
        }
      }
    });
    void call('settings:update', { values: { 'camera.uri': `file:${clip.dir}?fps=${clip.fps}` } });
  });
  return clip.people.map((person) => {
    const grantedMs = grants.get(person);
    const grantMs = grantedMs !== undefined && grantedMs <= WINDOW_MS ? grantedMs : null;
    return {
      clip: clip.name,
      kind: clip.kind,
      condition,
      person,
      grantMs,
      firstPromptMs: prompts.get(person) ?? null,
      denial: grantMs === null ? (denials.get(person) ?? (grantedMs !== undefined ? 'granted after the window' : 'no decision')) : null,
    };
  });
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} % (${part}/${whole})` : '– (0/0)');
const medianOf = (samples: readonly number[]): string => (samples.length > 0 ? seconds(median([...samples].sort((a, b) => a - b))) : '–');

function report(attempts: readonly Attempt[], passiveRan: boolean): void {
  const kinds = [...new Set(attempts.map((attempt) => attempt.kind))].filter((kind) => !isAttack(kind));
  const attackKinds = [...new Set(attempts.map((attempt) => attempt.kind))].filter(isAttack).sort();
  const conditions: Condition[] = ['off', ...(passiveRan ? (['passive'] as const) : []), 'challenge-left', 'challenge-right'];
  const label: Record<Condition, string> = {
    off: 'liveness off',
    passive: 'passive alone',
    'challenge-left': `${passiveRan ? 'passive + ' : ''}challenge, asked "left"`,
    'challenge-right': `${passiveRan ? 'passive + ' : ''}challenge, asked "right"`,
  };
  print('');
  print(
    `Window ${seconds(WINDOW_MS)} from the clip's first processed frame. BPCER: genuine attempts not granted within it. Natural-motion cue ${NATURAL_MOTION ? 'on' : 'off'} with the passive check; ` +
      `site-trained cue ${PAD_CUE ? `${PAD_CUE} installed` : 'none'}.`,
  );
  print('| clips | condition | attempts | BPCER | median grant time | median added by the challenge | median prompt → grant | not granted because |');
  print('|---|---|---:|---:|---:|---:|---:|---|');
  const offGrant = new Map(attempts.filter((a) => a.condition === 'off' && a.grantMs !== null).map((a) => [`${a.clip}/${a.person}`, a.grantMs as number]));
  for (const kind of kinds) {
    for (const condition of conditions) {
      const rows = attempts.filter((attempt) => attempt.kind === kind && attempt.condition === condition);
      if (rows.length === 0) continue;
      const granted = rows.filter((row) => row.grantMs !== null);
      const added = condition.startsWith('challenge')
        ? granted.flatMap((row) => {
            const off = offGrant.get(`${row.clip}/${row.person}`);
            return off === undefined ? [] : [(row.grantMs as number) - off];
          })
        : [];
      const promptToGrant = granted.flatMap((row) => (row.firstPromptMs !== null ? [(row.grantMs as number) - row.firstPromptMs] : []));
      const why = new Map<string, number>();
      for (const row of rows) if (row.denial) why.set(row.denial, (why.get(row.denial) ?? 0) + 1);
      print(
        `| ${kind} | ${label[condition]} | ${rows.length} | ${pct(rows.length - granted.length, rows.length)} | ${medianOf(granted.map((row) => row.grantMs as number))} | ` +
          `${condition.startsWith('challenge') ? medianOf(added) : '–'} | ${condition.startsWith('challenge') ? medianOf(promptToGrant) : '–'} | ${[...why].map(([reason, n]) => `${reason} ${n}`).join(', ') || '–'} |`,
      );
    }
  }
  if (attackKinds.length > 0) {
    print('');
    print('Attacks (Replay-Attack devel, the person shown enrolled): APCER is the share granted within the window.');
    print('| attacks | condition | attempts | APCER (granted) | not granted because |');
    print('|---|---|---:|---:|---|');
    for (const kind of attackKinds) {
      for (const condition of conditions) {
        const rows = attempts.filter((attempt) => attempt.kind === kind && attempt.condition === condition);
        if (rows.length === 0) continue;
        const why = new Map<string, number>();
        for (const row of rows) if (row.denial) why.set(row.denial, (why.get(row.denial) ?? 0) + 1);
        print(`| ${kind.replace('Replay-Attack attack: ', '')} | ${label[condition]} | ${rows.length} | ${pct(rows.filter((row) => row.grantMs !== null).length, rows.length)} | ${[...why].map(([reason, n]) => `${reason} ${n}`).join(', ') || '–'} |`);
      }
    }
    for (const condition of conditions) {
      const rows = attempts.filter((attempt) => isAttack(attempt.kind) && attempt.condition === condition);
      if (rows.length > 0) print(`Every attack, ${label[condition]}: APCER ${pct(rows.filter((row) => row.grantMs !== null).length, rows.length)}.`);
    }
  }
  const door = attempts.filter((attempt) => attempt.condition.startsWith('challenge') && !isAttack(attempt.kind));
  const doorGranted = door.filter((attempt) => attempt.grantMs !== null);
  const added = doorGranted.flatMap((row) => {
    const off = offGrant.get(`${row.clip}/${row.person}`);
    return off === undefined ? [] : [(row.grantMs as number) - off];
  });
  print('');
  print(`Whole door (${passiveRan ? 'passive + challenge' : 'challenge alone: no passive model'}), every clip and both asked sides: BPCER ${pct(door.length - doorGranted.length, door.length)}; ` +
    `median added by the challenge ${medianOf(added)} over ${added.length} granted attempts (target ≤ 1.50 s).`);
  for (const row of doorGranted) {
    const off = offGrant.get(`${row.clip}/${row.person}`);
    print(`  granted: ${row.clip} ${row.person} ${row.condition}: ${seconds(row.grantMs as number)}${off !== undefined ? ` (off ${seconds(off)}, added ${seconds((row.grantMs as number) - off)})` : ''}` +
      `${row.firstPromptMs !== null ? `, prompt at ${seconds(row.firstPromptMs)}` : ''}`);
  }
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'lintel-liveness-bench-'));
  try {
    const wall = await makeWallCamera(work);
    const { clips, photos } = await prepare(work);
    if (clips.length === 0) throw new Error(`no clips: the head-pose GIFs and Replay-Attack are both missing under ${DATA}`);
    log(`${clips.length} clips, ${photos.size} people`);
    const dataDir = join(work, 'data');
    // The site cue is read when the terminal starts; it runs once the models it needs are added below.
    if (PAD_CUE) {
      await mkdir(dataDir, { recursive: true });
      await writeFile(sitePadCuePath(dataDir), readFileSync(PAD_CUE));
    }
    const attempts: Attempt[] = [];
    const personIds = new Map<string, string>();
    let passiveRan = false;
    {
      const { app, call } = await openApp(dataDir, wall);
      try {
        if (existsSync(MINIFASNET_V2)) {
          await call('models:add', { name: 'MiniFASNetV2.onnx', dataBase64: readFileSync(MINIFASNET_V2).toString('base64'), role: 'liveness' });
          if (PAD_CUE && existsSync(MINIFASNET_V1SE)) await call('models:add', { name: 'MiniFASNetV1SE.onnx', dataBase64: readFileSync(MINIFASNET_V1SE).toString('base64'), role: 'liveness' });
          await call('settings:update', { values: { 'liveness.modelId': 'minifasnet-v2' } });
          passiveRan = true;
          if (PAD_CUE) {
            const health = await call<{ liveness?: { trainedCue?: { threshold: number }; trainedCueUnavailable?: string } }>('health:get', {});
            log(health.liveness?.trainedCue ? `site cue runs (threshold ${health.liveness.trainedCue.threshold.toFixed(3)})` : `site cue does not run: ${health.liveness?.trainedCueUnavailable ?? 'not read'}`);
          }
        } else {
          log(`MiniFASNetV2 not found at ${MINIFASNET_V2}: the challenge runs alone`);
        }
        for (const [key, jpegs] of photos) {
          const enrolled = await call<{ outcome: 'enrolled'; person: { id: string } } | { outcome: 'refused'; reason: string; duplicates: { name: string }[] }>('enroll:photos', {
            person: { name: key },
            photos: jpegs.map((jpeg, index) => ({ name: `${key}-${index}.jpg`, dataBase64: jpeg.toString('base64') })),
          });
          if (enrolled.outcome === 'enrolled') {
            personIds.set(key, enrolled.person.id);
            log(`enrolled ${key}`);
            continue;
          }
          // Refused (taken for someone enrolled before, or no usable photo): their clips say nothing of the door.
          const left = clips.filter((clip) => clip.people.includes(key));
          for (const clip of left) clips.splice(clips.indexOf(clip), 1);
          log(`not enrolled ${key}: ${enrolled.reason}${enrolled.duplicates.length > 0 ? ` (${enrolled.duplicates.map((d) => d.name).join(', ')})` : ''}; their ${left.length} clips left out`);
        }
        for (const condition of ['off', ...(passiveRan ? (['passive'] as const) : [])] as const) {
          await setLiveness(call, app, condition);
          for (const clip of clips) {
            const results = await play(app, call, wall, clip, condition, personIds);
            attempts.push(...results);
            log(`${condition} ${clip.name}: ${results.map((r) => `${r.person} ${r.grantMs !== null ? seconds(r.grantMs) : r.denial}`).join(', ')}`);
          }
        }
      } finally {
        await app.close();
      }
    }
    for (const direction of values['skip-challenge'] ? [] : (['left', 'right'] as const)) {
      const condition: Condition = `challenge-${direction}`;
      for (const clip of clips) {
        // A terminal per clip whose challenges all ask for the same side (the first 16: three attempts and the
        // restarts a lost track causes): the clip's own turns meet it or not.
        const { app, call } = await openApp(dataDir, wall, seedAskingAlways(direction, 16));
        try {
          await setLiveness(call, app, 'passive+active');
          const results = await play(app, call, wall, clip, condition, personIds);
          attempts.push(...results);
          log(`${condition} ${clip.name}: ${results.map((r) => `${r.person} ${r.grantMs !== null ? seconds(r.grantMs) : r.denial}`).join(', ')}`);
        } finally {
          await app.close();
        }
      }
    }
    report(attempts, passiveRan);
    if (values.json) writeFileSync(values.json, JSON.stringify({ windowMs: WINDOW_MS, passiveRan, attempts }, null, 2));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
