/**
 * Gallery search benchmark: fills galleries of random unit templates (seeded) and times 1:N searches.
 * Run: `npx tsx electron/vision/matcher/gallery.bench.ts` (prints a table); `npm run bench` calls runGalleryBench.
 */
import { pathToFileURL } from 'node:url';
import { isWasmSimdSupported, type DotKernelName } from './dot-products.js';
import { Gallery } from './gallery.js';
import { createSeededRandom, randomUnitVector } from './seeded-random.js';
import { measureSiteLikeness } from './site-likeness.js';
import { median, percentile } from '../statistics.js';

/** Options for {@link runGalleryBench}; every field has a default. */
export interface GalleryBenchOptions {
  /** Gallery sizes in templates; default [10_000, 100_000]. */
  sizes?: readonly number[];
  /** Template dimensions; default [128, 512]. */
  dimensions?: readonly number[];
  /** Timed searches per configuration; default 200 (after 20 untimed warm-up searches). */
  searches?: number;
  /** Hits per search; default 5. */
  topK?: number;
  /** Kernels to compare; default every kernel this runtime supports. */
  kernels?: readonly DotKernelName[];
  /** PRNG seed for templates and probes; default 1. */
  seed?: number;
  /** Receives one line per finished configuration; default none. */
  log?: (line: string) => void;
}

/** One benchmark configuration's figures; times in milliseconds per search. */
export interface BenchRow {
  name: string;
  kernel: DotKernelName;
  dimension: number;
  templates: number;
  searches: number;
  medianMs: number;
  p95Ms: number;
}



/** Formats rows as an aligned text table. */
export function formatBenchTable(rows: readonly BenchRow[]): string {
  const header = ['kernel', 'dim', 'templates', 'median ms', 'p95 ms'];
  const body = rows.map((r) => [r.kernel, String(r.dimension), String(r.templates), r.medianMs.toFixed(2), r.p95Ms.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  return [header, ...body].map((cells) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

/** Times Gallery.search for every (dimension, size, kernel); resolves with one row per configuration. */
export async function runGalleryBench(options: GalleryBenchOptions = {}): Promise<BenchRow[]> {
  const {
    sizes = [10_000, 100_000],
    dimensions = [128, 512],
    searches = 200,
    topK = 5,
    kernels = isWasmSimdSupported() ? (['wasm-simd', 'js'] as const) : (['js'] as const),
    seed = 1,
    log = () => {},
  } = options;
  const rows: BenchRow[] = [];
  for (const dimension of dimensions) {
    for (const templates of sizes) {
      // Templates are generated once and shared by the kernels, so each kernel searches identical data.
      const random = createSeededRandom(seed);
      const matrix = new Float32Array(templates * dimension);
      for (let r = 0; r < templates; r++) matrix.set(randomUnitVector(random, dimension), r * dimension);
      const probes = Array.from({ length: searches + 20 }, () => randomUnitVector(random, dimension));
      for (const kernel of kernels) {
        const gallery = new Gallery({ dimension, initialCapacity: templates, kernel });
        for (let r = 0; r < templates; r++) {
          // Ten rows per id, like a site enrolling several samples per person.
          gallery.add(`person-${Math.floor(r / 10)}`, matrix.subarray(r * dimension, (r + 1) * dimension));
        }
        const timesMs: number[] = [];
        probes.forEach((probe, i) => {
          const start = performance.now();
          gallery.search(probe, { topK });
          if (i >= 20) timesMs.push(performance.now() - start);
        });
        timesMs.sort((a, b) => a - b);
        const row: BenchRow = {
          name: `gallery.search ${kernel} ${dimension}-d × ${templates}`,
          kernel,
          dimension,
          templates,
          searches,
          medianMs: median(timesMs),
          p95Ms: percentile(timesMs, 0.95),
        };
        rows.push(row);
        log(`${row.name}: median ${row.medianMs.toFixed(2)} ms, p95 ${row.p95Ms.toFixed(2)} ms`);
        // Let pending I/O (progress output, a caller's timers) run between configurations.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
  return rows;
}

/**
 * Times measureSiteLikeness on `persons` people of `samplesEach` random unit templates (seeded), `runs` times:
 * median and p95 ms, the templates' generation excluded.
 */
export function benchSiteLikeness(persons: number, samplesEach: number, dimension: number, runs: number, seed = 1): { medianMs: number; p95Ms: number } {
  const random = createSeededRandom(seed);
  const templates = Array.from({ length: persons * samplesEach }, (_, i) => ({ personId: `p${Math.floor(i / samplesEach)}`, template: randomUnitVector(random, dimension) }));
  const reference = { levels: [{ fmr: 1e-2, similarity: 0.1 }, { fmr: 1e-3, similarity: 0.15 }, { fmr: 1e-4, similarity: 0.2 }] };
  const timesMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    measureSiteLikeness(templates, reference, { seed: run + 1 });
    timesMs.push(performance.now() - start);
  }
  timesMs.sort((a, b) => a - b);
  return { medianMs: median(timesMs), p95Ms: percentile(timesMs, 0.95) };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const rows = await runGalleryBench({ log: (line) => console.error(line) });
  console.log(`gallery search, topK 5, ${rows[0]?.searches ?? 0} searches each (node ${process.version}, ${process.arch})`);
  console.log(formatBenchTable(rows));
}
