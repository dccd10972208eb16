/**
 * On-disk cache of face embeddings for evaluations, so a second run with another fusion, gallery size or
 * threshold does not embed the same images again.
 *
 * One append-only JSON-lines file per key (model, its converted file's sha256, detector and fitter, mirror
 * averaging, mesh passes…): the first line holds the key, each further line one image — its resolved path,
 * size in bytes, modification time and sha256, and the embedding (float32, base64) or null when no face was
 * found. An entry is used while the image file still has that size and mtime, or that size and content (a data
 * set copied or unpacked again gets new mtimes, not new faces: its line is written again with the new mtime);
 * a changed file is embedded again and its new line wins (last line per path). A torn last line (a run killed
 * mid-write) is skipped.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** What decides an embedding besides the image: any change here selects another cache file. */
export type EmbeddingCacheKey = Readonly<Record<string, string | number | boolean>>;

/** One cached image. */
export interface CachedEmbedding {
  /** Unit-length embedding, or null when the pipeline found no face. */
  embedding: Float32Array | null;
  /** Time the pipeline took for the image when it was embedded (analysis + extraction, decoding excluded), ms. */
  pipelineMs: number;
  /** Time of the extraction alone (alignment + extractor, both mirror passes), ms; null without a face. */
  extractMs: number | null;
}

interface CacheLine {
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  /** Hex sha256 of the image file; absent in lines written before it was kept. */
  sha256?: string;
  vector: string | null;
  pipelineMs: number;
  extractMs: number | null;
}

function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

function decodeVector(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  // Copy into a fresh, aligned buffer: Buffer's pool offset need not be a multiple of 4.
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

async function fileSha256(filePath: string): Promise<string> {
  return createHash('sha256').update(await readFile(filePath)).digest('hex');
}

/** File name of the cache for `key` inside the cache folder: a readable prefix and a hash of the whole key. */
export function embeddingCacheFileName(key: EmbeddingCacheKey): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(key).sort(([a], [b]) => a.localeCompare(b))));
  const hash = createHash('sha256').update(canonical).digest('hex').slice(0, 16);
  const prefix = String(key['model'] ?? 'embeddings').replace(/[^\w.-]+/g, '_');
  return `${prefix}-${hash}.jsonl`;
}

/** The embeddings of one model and pipeline configuration, keyed by image file. */
export class EmbeddingCache {
  private constructor(
    /** Absolute path of the cache file. */
    readonly filePath: string,
    private readonly entries: Map<string, CacheLine>,
    private pending: string[],
  ) {}

  /** Opens (or starts) the cache for `key` under `dir`; the folder is created if needed. */
  static async open(dir: string, key: EmbeddingCacheKey): Promise<EmbeddingCache> {
    await mkdir(dir, { recursive: true });
    const filePath = path.resolve(dir, embeddingCacheFileName(key));
    const entries = new Map<string, CacheLine>();
    let text: string | undefined;
    try {
      text = await readFile(filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const pending: string[] = [];
    if (text === undefined) {
      pending.push(JSON.stringify({ key }));
    } else {
      for (const line of text.split('\n').slice(1)) {
        if (line === '') continue;
        try {
          const parsed = JSON.parse(line) as CacheLine;
          if (typeof parsed.path === 'string') entries.set(parsed.path, parsed);
        } catch {
          // A line cut short by a killed run: that image is embedded again.
        }
      }
      // A torn last line has no newline; start the next entry on a line of its own.
      if (text.length > 0 && !text.endsWith('\n')) pending.push('');
    }
    return new EmbeddingCache(filePath, entries, pending);
  }

  /** Images with a cached line (whether still valid or not). */
  get size(): number {
    return this.entries.size;
  }

  /** The cached embedding of `imagePath`, or undefined when absent or the file changed since. */
  async get(imagePath: string): Promise<CachedEmbedding | undefined> {
    const resolved = path.resolve(imagePath);
    const line = this.entries.get(resolved);
    if (!line) return undefined;
    const info = await stat(resolved).catch(() => undefined);
    if (!info || info.size !== line.sizeBytes) return undefined;
    if (info.mtimeMs !== line.mtimeMs) {
      if (line.sha256 === undefined || (await fileSha256(resolved)) !== line.sha256) return undefined;
      const touched = { ...line, mtimeMs: info.mtimeMs };
      this.entries.set(resolved, touched);
      this.pending.push(JSON.stringify(touched));
    }
    return { embedding: line.vector === null ? null : decodeVector(line.vector), pipelineMs: line.pipelineMs, extractMs: line.extractMs };
  }

  /** Records the embedding of `imagePath` (kept in memory until {@link flush}). */
  async put(imagePath: string, value: CachedEmbedding): Promise<void> {
    const resolved = path.resolve(imagePath);
    const info = await stat(resolved);
    const line: CacheLine = {
      path: resolved,
      sizeBytes: info.size,
      mtimeMs: info.mtimeMs,
      sha256: await fileSha256(resolved),
      vector: value.embedding === null ? null : encodeVector(value.embedding),
      pipelineMs: value.pipelineMs,
      extractMs: value.extractMs,
    };
    this.entries.set(resolved, line);
    this.pending.push(JSON.stringify(line));
  }

  /** Appends the lines recorded since the last flush to the file. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    await appendFile(this.filePath, text, 'utf8');
  }
}
