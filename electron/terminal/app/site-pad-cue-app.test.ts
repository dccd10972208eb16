// The site-trained passive cue through the composition root: a cue installed in the data folder is read when the
// terminal starts and shown in its health (what the System screen shows); one that no longer checks is not run,
// and health says why; one installed or removed from a shell while the terminal runs is taken up at once.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import type { Result } from '../../shared/contract/result.js';
import { loadManifest } from '../../vision/models/manifest.js';
import { siteCueFile } from '../../vision/liveness/test/site-cue-file.js';
import { installSitePadCue, removeSitePadCue, sitePadCuePath } from '../models/site-pad-cue.js';
import type { TerminalApp } from './terminal-app.js';
import { openTestApp } from './test/open-test-app.js';

/** A cue over two colour features: no model to add. */
const CUE = siteCueFile(['colour-contrast', 'colour-saturation']);

interface LivenessHealth {
  readonly trainedCue?: { trainedAt: string; features: string[]; threshold: number; clips: number; outOfFold: { bpcer: number; apcerWorst: number; apcerWorstSpecies: string } };
  readonly trainedCueUnavailable?: string;
}

describe('TerminalApp: the site-trained passive cue', () => {
  const dirs: string[] = [];
  const apps: TerminalApp[] = [];
  after(async () => {
    for (const app of apps) await app.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A terminal whose data folder holds `cue` (if any) as its installed site cue. */
  async function terminalWith(cue: unknown): Promise<{ app: TerminalApp; dir: string; dataDir: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'lintel-site-cue-app-'));
    dirs.push(dir);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    if (cue !== undefined) writeFileSync(sitePadCuePath(dataDir), JSON.stringify(cue));
    const app = await openTestApp({ dataDir, defaultCameraUri: `file:${join(dir, 'no-camera')}` });
    apps.push(app);
    return { app, dir, dataDir };
  }

  /** The liveness part of the terminal's health, as the System screen asks for it. */
  async function livenessOf(app: TerminalApp): Promise<LivenessHealth | undefined> {
    const { session, token } = app.sessions.issue('admin', 'ann', 60_000);
    const result = (await app.handle('health:get', {}, { senderOk: true, session, sessionToken: token })) as Result<{ liveness?: LivenessHealth }>;
    if (!result.ok) assert.fail(`health:get: ${result.error.message}`);
    return result.value.liveness;
  }

  async function livenessWith(cue: unknown): Promise<LivenessHealth | undefined> {
    return livenessOf((await terminalWith(cue)).app);
  }

  /** Polls the terminal's liveness health until `check` holds; fails naming `what` after 20 s. */
  async function until(app: TerminalApp, what: string, check: (liveness: LivenessHealth | undefined) => boolean): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!check(await livenessOf(app))) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('reads the installed cue when it starts and says when it was trained and what it did out of fold', async () => {
    const liveness = await livenessWith(CUE);
    assert.deepEqual(liveness?.trainedCue, {
      trainedAt: CUE.provenance.trainedAt,
      features: CUE.features,
      threshold: 0.35,
      clips: 90,
      outOfFold: CUE.provenance.outOfFold,
    });
    assert.equal(liveness?.trainedCueUnavailable, undefined);
  });

  it('does not run a cue whose model this terminal lacks, and says why', async () => {
    const liveness = await livenessWith({ ...CUE, features: ['minifasnet-v1se', 'colour-saturation'] });
    assert.equal(liveness?.trainedCue, undefined);
    assert.match(liveness?.trainedCueUnavailable ?? '', /its features run minifasnet-v1se, model minifasnet-v1se has not been added/);
  });

  it('takes up a cue installed while it runs, and lets it go when it is removed, without being restarted', async () => {
    const { app, dir, dataDir } = await terminalWith(undefined);
    assert.equal((await livenessOf(app))?.trainedCue, undefined);
    const file = join(dir, 'pad-cue.json');
    writeFileSync(file, JSON.stringify(CUE));
    // What `lintel pad install` does from a shell; the cue's colour features need no added model.
    await installSitePadCue(file, dataDir, await loadManifest(app.manifestPath));
    await until(app, 'the installed cue in health', (liveness) => liveness?.trainedCue?.trainedAt === CUE.provenance.trainedAt);
    assert.ok(await removeSitePadCue(dataDir));
    await until(app, 'the removed cue gone from health', (liveness) => liveness?.trainedCue === undefined);
  });
});
