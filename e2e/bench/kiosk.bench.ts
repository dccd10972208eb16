// `npm run bench:kiosk`: the kiosk's figures in a real browser against the headless terminal.
//   load → first overlay: from navigation start to the first painted frame with a face overlay (median of runs);
//   overlay lag: capture time of the analysed frame → the overlay painted over it (median and p95).
// Reads the renderer's `window.__lintelMetrics`; prints figures, asserts nothing.
import { cpus } from 'node:os';

import { chromium } from 'playwright';

import { medianAndP95 } from '../../electron/vision/statistics.js';
import { CHROMIUM_ARGS, chromiumPath } from '../support/environment.js';
import { lfwPhoto, missingPrerequisite, TerminalUnderTest } from '../support/terminal.js';

interface LiveMetrics {
  readonly firstOverlayAtMs: number | null;
  readonly overlayLagMs: readonly number[];
  readonly framesPainted: number;
  readonly droppedStale: number;
}

const LOADS = 5;
const LAG_WINDOW_MS = 15_000;

const missing = missingPrerequisite();
if (missing) {
  console.log(`bench:kiosk skipped: ${missing}`);
  process.exit(0);
}

const terminal = await TerminalUnderTest.start();
const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
try {
  await terminal.loginAsAdmin();
  // One person walking up: a 15 fps source of real photos, one face each.
  await terminal.show([1, 2, 3, 4, 5, 6].map((index) => lfwPhoto('Colin_Powell', index)), 15);
  const context = await browser.newContext({ viewport: { width: 800, height: 1280 } });
  const page = await context.newPage();
  await page.goto(terminal.pairingUrl());
  const readMetrics = (): Promise<LiveMetrics | undefined> => page.evaluate(() => (globalThis as unknown as { __lintelMetrics?: LiveMetrics }).__lintelMetrics);

  const firstOverlayMs: number[] = [];
  for (let load = 0; load < LOADS; load++) {
    await page.reload();
    await page.waitForFunction(() => ((globalThis as unknown as { __lintelMetrics?: LiveMetrics }).__lintelMetrics?.firstOverlayAtMs ?? null) !== null, undefined, { timeout: 30_000 });
    const metrics = await readMetrics();
    if (metrics?.firstOverlayAtMs !== null && metrics?.firstOverlayAtMs !== undefined) firstOverlayMs.push(metrics.firstOverlayAtMs);
  }

  await page.waitForTimeout(LAG_WINDOW_MS);
  const metrics = await readMetrics();
  const lags = [...(metrics?.overlayLagMs ?? [])];
  const health = await terminal.call<{ processedFps: number; lastTimingsMs?: Record<string, number> }>('health:get', {});

  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}, Chromium ${browser.version()}`);
  console.log(`camera: 15 fps file source (LFW photos, one face each), 640 px preview at ≤ 15 fps`);
  const load = medianAndP95(firstOverlayMs);
  const lag = medianAndP95(lags);
  console.log(`load → first frame with overlays: median ${load.median.toFixed(0)} ms over ${firstOverlayMs.length} loads (${firstOverlayMs.map((ms) => ms.toFixed(0)).join(', ')})`);
  console.log(`overlay lag (capture → painted): median ${lag.median.toFixed(0)} ms, p95 ${lag.p95.toFixed(0)} ms over ${lags.length} overlays`);
  console.log(`frames painted in the last load: ${metrics?.framesPainted ?? 0}; stale messages dropped: ${metrics?.droppedStale ?? 0}; terminal processed ${health.processedFps.toFixed(1)} fps`);
} finally {
  await browser.close();
  await terminal.stop();
}
