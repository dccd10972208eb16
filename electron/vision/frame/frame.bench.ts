// Prints median timings of the per-frame pixel paths. Run: npx tsx electron/vision/frame/frame.bench.ts [runs]
import { pathToFileURL } from 'node:url';
import { estimateSimilarity } from '../geometry/affine.js';
import { warpAffine } from '../geometry/warp.js';
import { rawFrameToRgb } from './raw-frame.js';
import { letterbox, resizeBilinear } from './resize.js';
import { createRgbImage } from './rgb-image.js';

/** One benchmark result: median and 90th percentile over `runs` timed calls, in milliseconds. */
export interface BenchResult {
  readonly name: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
}

function measure(name: string, runs: number, fn: () => unknown): BenchResult {
  for (let i = 0; i < Math.max(20, runs / 4); i++) fn(); // let the JIT settle first
  const timesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const startMs = performance.now();
    fn();
    timesMs.push(performance.now() - startMs);
  }
  timesMs.sort((a, b) => a - b);
  return { name, runs, medianMs: timesMs[Math.floor(runs / 2)]!, p90Ms: timesMs[Math.floor(runs * 0.9)]! };
}

/** Deterministic noise so no branch or table lookup gets an easy ride. */
function noise(length: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0, state = 1; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) | 0;
    data[i] = state >>> 24;
  }
  return data;
}

/** Runs every frame-path benchmark `runs` times (default 200). */
export function runFrameBench(runs = 200): BenchResult[] {
  const nv12 = { format: 'NV12', widthPx: 1280, heightPx: 720, data: noise(1280 * 720 * 1.5) } as const;
  const vga = { ...createRgbImage(640, 480), data: noise(640 * 480 * 3) };
  // A face of ~60 px eye distance, tilted, mapped onto the ArcFace-style template of a 192-px crop.
  const faceToCrop = estimateSimilarity(
    [{ x: 290, y: 210 }, { x: 350, y: 220 }, { x: 318, y: 255 }],
    [{ x: 66, y: 89 }, { x: 126, y: 89 }, { x: 96, y: 123 }],
  );
  return [
    measure('NV12 1280x720 -> RGB', runs, () => rawFrameToRgb(nv12)),
    measure('resizeBilinear 640x480 -> 256x256', runs, () => resizeBilinear(vga, 256, 256)),
    measure('letterbox 640x480 -> 256', runs, () => letterbox(vga, 256)),
    measure('warpAffine 640x480 -> 192x192', runs, () => warpAffine(vga, faceToCrop, 192, 192)),
    measure('warpAffine 640x480 -> 112x112', runs, () => warpAffine(vga, faceToCrop, 112, 112)),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const runs = Number(process.argv[2] ?? 200);
  for (const r of runFrameBench(runs)) {
    console.log(`${r.name.padEnd(36)} median ${r.medianMs.toFixed(3)} ms   p90 ${r.p90Ms.toFixed(3)} ms   (${r.runs} runs)`);
  }
}
