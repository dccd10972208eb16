import { Gallery, type GalleryEntry, type GalleryHit, type GalleryOptions, type GallerySearchOptions } from './gallery.js';
import { l2Norm, l2Normalize } from './similarity.js';

/** Options of PersonGallery. */
export interface PersonGalleryOptions extends GalleryOptions {
  /**
   * A person's similarities are their mean template's cosine times the mean's length raised to this (0 ≤ x ≤ 1;
   * default 0, the cosine). The mean of unit samples is 1 long for one sample and shorter the more the samples
   * differ; normalised, it lets strangers come closer than one photo does (LFW, 3 photos: 0.29 % FPIR where the
   * curve of single photos promises 0.1 %), and the curve is measured on single photos. The extractor's manifest
   * says how much to take back (`identification.meanTemplate.lengthExponent`, fitted by `lintel eval ident`).
   */
  lengthExponent?: number;
}

/**
 * A 1:N gallery with one row per person: the L2-normalised mean of their templates (several samples of one
 * person enrolled, rebuilt or added later). Measured on the dev protocol (`lintel eval ident --enroll 3`), the mean
 * template misses fewer enrolled people than searching each sample and keeping the best (MobileFaceNet FNIR at
 * FPIR 1e-2 1.6 % against 2.3 %, at 1e-3 3.5 % against 7.2 %): averaging cancels pose and lighting, and a
 * stranger gets one comparison per person instead of one per sample. The same surface as Gallery, so the
 * store keeps it in step the same way; the running sums of each person's templates are kept beside it, so a
 * person's templates may arrive in several `addMany` calls.
 */
export class PersonGallery {
  private readonly rows: Gallery;
  private readonly sums = new Map<string, { sum: Float32Array; count: number }>();
  private readonly lengthExponent: number;

  constructor(options: PersonGalleryOptions) {
    const { lengthExponent = 0, ...galleryOptions } = options;
    if (!(lengthExponent >= 0 && lengthExponent <= 1)) throw new RangeError(`PersonGallery: lengthExponent must lie in [0, 1], got ${lengthExponent}`);
    this.rows = new Gallery(galleryOptions);
    this.lengthExponent = lengthExponent;
  }

  /** Template length in floats. */
  get dimension(): number {
    return this.rows.dimension;
  }

  /** People in the gallery (one row each). */
  get size(): number {
    return this.rows.size;
  }

  /** Templates averaged into the rows. */
  get templateCount(): number {
    let count = 0;
    for (const entry of this.sums.values()) count += entry.count;
    return count;
  }

  has(id: string): boolean {
    return this.sums.has(id);
  }

  /** Adds one template of `id` to their mean. */
  add(id: string, template: Float32Array): void {
    this.addMany([{ id, template }]);
  }

  /** Adds templates to their people's means; all are validated first, so a bad one changes nothing. */
  addMany(entries: readonly GalleryEntry[]): void {
    const units = entries.map(({ id, template }, index) => {
      if (typeof id !== 'string' || id === '') throw new TypeError(`PersonGallery.addMany: entry ${index} has an empty id`);
      if (!(template instanceof Float32Array) || template.length !== this.dimension) {
        throw new RangeError(`PersonGallery.addMany: entry ${index} has ${template?.length} floats, the gallery ${this.dimension}`);
      }
      return { id, unit: l2Normalize(template) };
    });
    const touched = new Set<string>();
    for (const { id, unit } of units) {
      const entry = this.sums.get(id) ?? { sum: new Float32Array(this.dimension), count: 0 };
      for (let i = 0; i < unit.length; i++) entry.sum[i]! += unit[i]!;
      entry.count++;
      this.sums.set(id, entry);
      touched.add(id);
    }
    for (const id of touched) {
      this.rows.removeById(id);
      // Opposite templates can cancel out: such a person has no direction to search by until another sample comes.
      const { sum, count } = this.sums.get(id)!;
      if (sum.some((value) => value !== 0)) this.rows.addMany([{ id, template: sum, scale: this.scaleOf(sum, count) }]);
    }
  }

  /** The similarity (-1..1) of `probe` with `id`'s mean template, as searched; undefined when they have none to compare with. */
  similarityTo(id: string, probe: Float32Array): number | undefined {
    const entry = this.sums.get(id);
    if (!entry || !entry.sum.some((value) => value !== 0)) return undefined;
    return Gallery.similarity(entry.sum, probe) * this.scaleOf(entry.sum, entry.count);
  }

  /** The mean's length raised to the exponent: 1 for one sample (or exponent 0). */
  private scaleOf(sum: Float32Array, count: number): number {
    if (this.lengthExponent === 0 || count === 1) return 1;
    return Math.min(1, (l2Norm(sum) / count) ** this.lengthExponent);
  }

  /** Removes a person; returns the number of templates their row averaged. */
  removeById(id: string): number {
    const count = this.sums.get(id)?.count ?? 0;
    this.sums.delete(id);
    this.rows.removeById(id);
    return count;
  }

  clear(): void {
    this.sums.clear();
    this.rows.clear();
  }

  /** The topK people most similar to `probe`, best first, by similarity (-1..1) with their mean template (see `lengthExponent`). */
  search(probe: Float32Array, options: GallerySearchOptions = {}): GalleryHit[] {
    return this.rows.search(probe, options);
  }
}
