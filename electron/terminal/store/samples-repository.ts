import { randomUUID } from 'node:crypto';

import type Database from 'better-sqlite3';

import { youngChildOf, type YoungChildNotice } from '../../vision/age/young-child.js';
import type { AlignmentTemplate } from '../../vision/align/align-face.js';
import type { FaceQuality } from '../../vision/quality/face-quality.js';
import { seal, unseal } from './crypto.js';
import { isSqliteError, StoreError } from './errors.js';

/** One enrolled photo of a person, as the vision pipeline produced it. */
export interface SampleInput {
  /** The extractor's template (any length up to 4096 floats; the matcher normalises). */
  readonly template: Float32Array;
  /** Id of the extractor that made the template (a manifest model id). */
  readonly modelId: string;
  readonly quality: FaceQuality;
  /** The aligned face crop as JPEG (e.g. `encodeJpeg(alignedCrop)`), kept to rebuild templates. */
  readonly alignedJpeg: Uint8Array;
  /** The alignment that cut the crop (the extractor's, from the manifest): a rebuild re-embeds the crop with it. */
  readonly alignment: AlignmentTemplate;
  /** The face's estimated age, years, where the pipeline estimated it; a sample without one is estimated later. */
  readonly estimatedAgeYears?: number;
}

/** A stored sample without its blobs. */
export interface SampleInfo {
  readonly id: string;
  readonly personId: string;
  readonly quality: FaceQuality;
  readonly createdAtMs: number;
  /** The models this sample has a template of, sorted. */
  readonly modelIds: readonly string[];
  /** The face's estimated age, years; null until estimated. */
  readonly estimatedAgeYears: number | null;
}

/** A decrypted template and whose it is. */
export interface StoredTemplate {
  readonly personId: string;
  readonly sampleId: string;
  readonly modelId: string;
  readonly template: Float32Array;
}

/** A sample that lacks a template of the model being rebuilt, with its decrypted aligned crop. */
export interface SampleToRebuild {
  readonly sampleId: string;
  readonly personId: string;
  readonly alignedJpeg: Buffer;
  /** The alignment that cut the crop; null where none was recorded (see migration 0007). */
  readonly alignment: AlignmentTemplate | null;
}

/** A sample whose face's age was never estimated, with its decrypted aligned crop and the alignment that cut it. */
export interface SampleToEstimate {
  readonly sampleId: string;
  readonly alignedJpeg: Buffer;
  readonly alignment: AlignmentTemplate;
}

/** A sample the site hub manages: its id, time and crop are the hub's; templates of any models it has. */
export interface SyncedSampleInput {
  readonly id: string;
  readonly createdAtMs: number;
  readonly quality: FaceQuality;
  readonly alignedJpeg: Uint8Array;
  /** The alignment that cut the crop, as the hub recorded it; null when it has none (a rebuild then refuses the sample). */
  readonly alignment: AlignmentTemplate | null;
  /** Templates the hub holds of this sample; may lack the terminal's model (a rebuild makes that one). */
  readonly templates: readonly { readonly modelId: string; readonly template: Float32Array }[];
  /** The face's estimated age, years, where the hub has one; else the terminal estimates it (`samplesWithoutAge`). */
  readonly estimatedAgeYears?: number;
}

/** Largest JPEG accepted for a crop or a snapshot, bytes. */
export const MAX_JPEG_BYTES = 2 * 1024 * 1024;
const MAX_TEMPLATE_FLOATS = 4096;
/** Rows fetched per query by the paging iterators: small enough that a caller may await between rows. */
const PAGE_ROWS = 256;

/** AAD of a sample's aligned crop. */
export const cropAad = (sampleId: string): string => `sample:${sampleId}:crop`;
/** AAD of a sample's template of one model: binds it to the sample and to the model that made it. */
export const templateAad = (sampleId: string, modelId: string): string => `sample:${sampleId}:template:${modelId}`;
/** AAD of a sample's age estimate. */
export const ageAad = (sampleId: string): string => `sample:${sampleId}:age`;

/** A sample's estimated age, years, sealed with `blobKey` (float64, bound to the sample). */
export function sealAgeEstimate(blobKey: Uint8Array, sampleId: string, years: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(years);
  return seal(blobKey, bytes, ageAad(sampleId));
}

/** The years `sealAgeEstimate` sealed; a StoreError 'decrypt' for another key or sample. */
export function openAgeEstimate(blobKey: Uint8Array, sampleId: string, sealed: Uint8Array): number {
  return unseal(blobKey, sealed, ageAad(sampleId)).readDoubleLE(0);
}

/** Face samples: a sealed aligned crop per sample, and a sealed template per sample and model. */
export class SamplesRepository {
  private readonly insertSample;
  private readonly upsertTemplate;
  private readonly selectSample;
  private readonly selectSamplesOf;
  private readonly selectCrop;
  private readonly deleteSampleRow;
  private readonly selectTemplatesPage;
  private readonly selectTemplatesOf;
  private readonly selectPersonsWithTemplates;
  private readonly selectTemplatesOfPersons;
  private readonly selectToRebuildPage;
  private readonly countSamples;
  private readonly countWithTemplate;
  private readonly deleteOtherTemplates;
  private readonly selectModelCounts;
  private readonly insertSyncedSample;
  private readonly selectSampleIdsOf;
  private readonly selectAgesOf;
  private readonly selectWithoutAgePage;
  private readonly updateAge;
  private readonly countWithoutAge;

  constructor(
    private readonly db: Database.Database,
    private readonly blobKey: Buffer,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.insertSample = db.prepare<[string, string, string, Buffer, string, Buffer | null, number]>(
      'INSERT INTO samples (id, person_id, quality_json, crop, alignment_json, age_estimate, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.upsertTemplate = db.prepare<[string, string, number, Buffer, number]>(
      `INSERT INTO templates (sample_id, model_id, dimension, template, created_at_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (sample_id, model_id) DO UPDATE SET dimension = excluded.dimension, template = excluded.template,
         created_at_ms = excluded.created_at_ms`,
    );
    this.selectSample = db.prepare<[string], { person_id: string }>('SELECT person_id FROM samples WHERE id = ?');
    this.selectSamplesOf = db.prepare<[string], { id: string; person_id: string; quality_json: string; created_at_ms: number; age_estimate: Buffer | null; model_ids: string }>(
      `SELECT s.id, s.person_id, s.quality_json, s.created_at_ms, s.age_estimate,
         (SELECT json_group_array(model_id) FROM (SELECT model_id FROM templates t WHERE t.sample_id = s.id ORDER BY model_id)) AS model_ids
       FROM samples s WHERE s.person_id = ? ORDER BY s.created_at_ms, s.rowid`,
    );
    this.selectCrop = db.prepare<[string], Buffer>('SELECT crop FROM samples WHERE id = ?').pluck();
    this.deleteSampleRow = db.prepare<[string]>('DELETE FROM samples WHERE id = ?');
    // Paged by the templates' rowid rather than iterated: an open iterator keeps the connection busy, and a
    // caller filling a gallery or rebuilding may write in between.
    this.selectTemplatesPage = db.prepare<[string, number, number], TemplateRow & { rowid: number }>(
      `SELECT t.rowid, s.person_id, t.sample_id, t.model_id, t.dimension, t.template FROM templates t JOIN samples s ON s.id = t.sample_id
       WHERE t.model_id = ? AND t.rowid > ? ORDER BY t.rowid LIMIT ?`,
    );
    this.selectTemplatesOf = db.prepare<[string, string], TemplateRow>(
      `SELECT s.person_id, t.sample_id, t.model_id, t.dimension, t.template FROM templates t JOIN samples s ON s.id = t.sample_id
       WHERE s.person_id = ? AND t.model_id = ? ORDER BY s.rowid`,
    );
    this.selectPersonsWithTemplates = db
      .prepare<[string], string>(
        // From the small persons rows, each checked through the indexes: no template row (nor its blob) is read.
        `SELECT p.id FROM persons p
         WHERE EXISTS (SELECT 1 FROM samples s JOIN templates t ON t.sample_id = s.id AND t.model_id = ? WHERE s.person_id = p.id)
         ORDER BY p.rowid`,
      )
      .pluck();
    // The chosen people drive the join (CROSS JOIN keeps that order): SQLite would otherwise walk every template of the model.
    this.selectTemplatesOfPersons = db.prepare<[string, string], TemplateRow>(
      `SELECT s.person_id, t.sample_id, t.model_id, t.dimension, t.template
       FROM json_each(?) chosen CROSS JOIN samples s ON s.person_id = chosen.value CROSS JOIN templates t ON t.sample_id = s.id AND t.model_id = ?
       ORDER BY t.rowid`,
    );
    this.selectToRebuildPage = db.prepare<[number, string, number], { rowid: number; id: string; person_id: string; crop: Buffer; alignment_json: string | null }>(
      `SELECT s.rowid, s.id, s.person_id, s.crop, s.alignment_json FROM samples s
       WHERE s.rowid > ? AND NOT EXISTS (SELECT 1 FROM templates t WHERE t.sample_id = s.id AND t.model_id = ?)
       ORDER BY s.rowid LIMIT ?`,
    );
    this.countSamples = db.prepare<[], number>('SELECT count(*) FROM samples').pluck();
    this.countWithTemplate = db.prepare<[string], number>('SELECT count(*) FROM templates WHERE model_id = ?').pluck();
    this.deleteOtherTemplates = db.prepare<[string]>('DELETE FROM templates WHERE model_id <> ?');
    this.selectModelCounts = db.prepare<[], { model_id: string; n: number }>(
      'SELECT model_id, count(*) AS n FROM templates GROUP BY model_id ORDER BY model_id',
    );
    this.insertSyncedSample = db.prepare<[string, string, string, Buffer, string | null, number, Buffer | null]>(
      'INSERT INTO samples (id, person_id, quality_json, crop, alignment_json, created_at_ms, age_estimate) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectSampleIdsOf = db.prepare<[string], string>('SELECT id FROM samples WHERE person_id = ?').pluck();
    this.selectAgesOf = db.prepare<[string], { id: string; age_estimate: Buffer }>('SELECT id, age_estimate FROM samples WHERE person_id = ? AND age_estimate IS NOT NULL');
    // Only samples whose alignment is known: the age model cuts its own crop from the stored one by that alignment.
    this.selectWithoutAgePage = db.prepare<[number, number], { rowid: number; id: string; crop: Buffer; alignment_json: string }>(
      `SELECT rowid, id, crop, alignment_json FROM samples WHERE rowid > ? AND age_estimate IS NULL AND alignment_json IS NOT NULL ORDER BY rowid LIMIT ?`,
    );
    this.updateAge = db.prepare<[Buffer, string]>('UPDATE samples SET age_estimate = ? WHERE id = ?');
    this.countWithoutAge = db.prepare<[], number>('SELECT count(*) FROM samples WHERE age_estimate IS NULL AND alignment_json IS NOT NULL').pluck();
  }

  /** Stores a sample of a person (crop and template sealed) and returns its id; a StoreError 'not-found' or 'invalid'. */
  add(personId: string, input: SampleInput): string {
    assertModelId(input.modelId);
    assertTemplate(input.template);
    assertJpeg(input.alignedJpeg, 'aligned crop');
    const qualityJson = qualityToJson(input.quality);
    const alignmentJson = alignmentToJson(input.alignment);
    if (input.estimatedAgeYears !== undefined) assertAge(input.estimatedAgeYears);
    const id = randomUUID();
    const nowMs = this.nowMs();
    this.db.transaction(() => {
      try {
        const age = input.estimatedAgeYears === undefined ? null : this.sealAge(id, input.estimatedAgeYears);
        this.insertSample.run(id, personId, qualityJson, seal(this.blobKey, input.alignedJpeg, cropAad(id)), alignmentJson, age, nowMs);
      } catch (error) {
        if (isSqliteError(error, 'SQLITE_CONSTRAINT_FOREIGNKEY')) throw new StoreError('not-found', `no person with id ${personId}`, { cause: error });
        throw error;
      }
      this.writeTemplate(id, input.modelId, input.template, nowMs);
    })();
    return id;
  }

  /**
   * Makes a synced person's samples exactly `samples`: new ones stored (crop and templates sealed with this
   * terminal's key, under the hub's sample ids), templates of kept ones added or replaced, the others deleted.
   * A StoreError 'invalid' for bad bytes, 'conflict' for a sample id another person holds. Runs in the caller's
   * transaction.
   */
  replaceSynced(personId: string, samples: readonly SyncedSampleInput[]): void {
    for (const sample of samples) {
      assertJpeg(sample.alignedJpeg, `the aligned crop of sample ${sample.id}`);
      if (sample.alignment !== null) alignmentToJson(sample.alignment);
      if (!Number.isSafeInteger(sample.createdAtMs)) throw new StoreError('invalid', `sample ${sample.id}: createdAtMs must be whole ms since epoch`);
      if (sample.estimatedAgeYears !== undefined) assertAge(sample.estimatedAgeYears);
      for (const { modelId, template } of sample.templates) {
        assertModelId(modelId);
        assertTemplate(template);
      }
    }
    const nowMs = this.nowMs();
    this.db.transaction(() => {
      const wanted = new Set(samples.map((sample) => sample.id));
      for (const id of this.selectSampleIdsOf.all(personId)) if (!wanted.has(id)) this.deleteSampleRow.run(id);
      for (const sample of samples) {
        const owner = this.personOf(sample.id);
        if (owner !== undefined && owner !== personId) throw new StoreError('conflict', `sample ${sample.id} belongs to another person`);
        // A sample's crop never changes under its id; only its templates do (the hub adds models).
        if (owner === undefined) {
          const alignmentJson = sample.alignment === null ? null : alignmentToJson(sample.alignment);
          const age = sample.estimatedAgeYears === undefined ? null : this.sealAge(sample.id, sample.estimatedAgeYears);
          this.insertSyncedSample.run(sample.id, personId, qualityToJson(sample.quality), seal(this.blobKey, sample.alignedJpeg, cropAad(sample.id)), alignmentJson, sample.createdAtMs, age);
        }
        for (const { modelId, template } of sample.templates) this.writeTemplate(sample.id, modelId, template, nowMs);
      }
    })();
  }

  /** The person's samples, oldest first, without blobs. */
  listForPerson(personId: string): SampleInfo[] {
    return this.selectSamplesOf.all(personId).map((row) => ({
      id: row.id,
      personId: row.person_id,
      quality: JSON.parse(row.quality_json) as FaceQuality,
      createdAtMs: row.created_at_ms,
      modelIds: JSON.parse(row.model_ids) as string[],
      estimatedAgeYears: row.age_estimate === null ? null : this.openAge(row.id, row.age_estimate),
    }));
  }

  /** The age estimates of the person's samples, years (samples not yet estimated have none). */
  ageEstimatesOf(personId: string): number[] {
    return this.selectAgesOf.all(personId).map((row) => this.openAge(row.id, row.age_estimate));
  }

  /** Whether the person's samples look like a young child's (`youngChildOf` on their estimates): the notice, or undefined. */
  youngChildOf(personId: string): YoungChildNotice | undefined {
    return youngChildOf(this.ageEstimatesOf(personId));
  }

  /**
   * Samples whose age was never estimated (enrolled before estimates were kept, or synced from the hub), with
   * their decrypted crops; paged like templatesToRebuild, so the caller may await and write between items.
   */
  *samplesWithoutAge(): Generator<SampleToEstimate> {
    let afterRowid = 0;
    for (;;) {
      const rows = this.selectWithoutAgePage.all(afterRowid, PAGE_ROWS);
      for (const row of rows) {
        yield { sampleId: row.id, alignedJpeg: unseal(this.blobKey, row.crop, cropAad(row.id)), alignment: JSON.parse(row.alignment_json) as AlignmentTemplate };
      }
      const last = rows.at(-1);
      if (!last) return;
      afterRowid = last.rowid;
    }
  }

  /** How many samples wait for an age estimate. */
  countWithoutAgeEstimate(): number {
    return this.countWithoutAge.get() ?? 0;
  }

  /** Records a sample's estimated age, years; false when the sample is gone. */
  setAgeEstimate(sampleId: string, years: number): boolean {
    assertAge(years);
    return this.updateAge.run(this.sealAge(sampleId, years), sampleId).changes > 0;
  }

  /** The id of the person a sample belongs to, or undefined. */
  personOf(sampleId: string): string | undefined {
    return this.selectSample.get(sampleId)?.person_id;
  }

  /** The decrypted aligned-crop JPEG of a sample (e.g. for the admin UI), or undefined. */
  getCrop(sampleId: string): Buffer | undefined {
    const sealed = this.selectCrop.get(sampleId);
    return sealed === undefined ? undefined : unseal(this.blobKey, sealed, cropAad(sampleId));
  }

  /** Deletes a sample and its templates; returns the person it belonged to, or undefined if there was none. */
  delete(sampleId: string): string | undefined {
    return this.db.transaction(() => {
      const personId = this.personOf(sampleId);
      if (personId !== undefined) this.deleteSampleRow.run(sampleId);
      return personId;
    })();
  }

  /** Every template of one model, decrypted, in insertion order: what the 1:N gallery is built from. */
  *templatesForModel(modelId: string): Generator<StoredTemplate> {
    let afterRowid = 0;
    for (;;) {
      const rows = this.selectTemplatesPage.all(modelId, afterRowid, PAGE_ROWS);
      for (const row of rows) yield this.openTemplate(row);
      const last = rows.at(-1);
      if (!last || rows.length < PAGE_ROWS) return;
      afterRowid = last.rowid;
    }
  }

  /** The people with a template of one model, in the order they were enrolled (nothing decrypted). */
  personsWithTemplates(modelId: string): string[] {
    return this.selectPersonsWithTemplates.all(modelId);
  }

  /** The templates of one model of the given people, decrypted, in insertion order. */
  templatesOfPersons(modelId: string, personIds: readonly string[]): StoredTemplate[] {
    return this.selectTemplatesOfPersons.all(JSON.stringify(personIds), modelId).map((row) => this.openTemplate(row));
  }

  /** The person's templates of one model, decrypted. */
  templatesOfPerson(personId: string, modelId: string): StoredTemplate[] {
    return this.selectTemplatesOf.all(personId, modelId).map((row) => this.openTemplate(row));
  }

  /**
   * Samples without a template of `modelId`, oldest first, with their decrypted crops. Pages through the
   * table, so the caller may await and write (`replaceTemplate`) between items; samples added meanwhile come
   * last. Ends when none is left.
   */
  *templatesToRebuild(modelId: string): Generator<SampleToRebuild> {
    let afterRowid = 0;
    for (;;) {
      const rows = this.selectToRebuildPage.all(afterRowid, modelId, PAGE_ROWS);
      for (const row of rows) {
        yield {
          sampleId: row.id,
          personId: row.person_id,
          alignedJpeg: unseal(this.blobKey, row.crop, cropAad(row.id)),
          alignment: row.alignment_json === null ? null : (JSON.parse(row.alignment_json) as AlignmentTemplate),
        };
      }
      const last = rows.at(-1);
      if (!last) return;
      afterRowid = last.rowid;
    }
  }

  /** Samples in all, and how many have a template of `modelId`: the progress of a rebuild. */
  rebuildProgress(modelId: string): { totalCount: number; doneCount: number } {
    return this.db.transaction(() => ({ totalCount: this.countSamples.get() ?? 0, doneCount: this.countWithTemplate.get(modelId) ?? 0 }))();
  }

  /**
   * Stores the template `modelId` made of a sample, replacing an earlier one of the same model (templates
   * of other models stay). Returns the sample's person; a StoreError 'not-found' when the sample is gone.
   */
  replaceTemplate(sampleId: string, modelId: string, template: Float32Array): string {
    assertModelId(modelId);
    assertTemplate(template);
    return this.db.transaction(() => {
      const personId = this.personOf(sampleId);
      if (personId === undefined) throw new StoreError('not-found', `no sample with id ${sampleId}`);
      this.writeTemplate(sampleId, modelId, template, this.nowMs());
      return personId;
    })();
  }

  /** Deletes every template not made by `keepModelId` (after a completed rebuild); returns how many. */
  pruneTemplates(keepModelId: string): number {
    return this.db.transaction(() => this.deleteOtherTemplates.run(keepModelId).changes)();
  }

  /** The models that have templates, with their counts. */
  templateCounts(): { modelId: string; templateCount: number }[] {
    return this.selectModelCounts.all().map((row) => ({ modelId: row.model_id, templateCount: row.n }));
  }

  private writeTemplate(sampleId: string, modelId: string, template: Float32Array, nowMs: number): void {
    const sealed = seal(this.blobKey, encodeTemplate(template), templateAad(sampleId, modelId));
    this.upsertTemplate.run(sampleId, modelId, template.length, sealed, nowMs);
  }

  private sealAge(sampleId: string, years: number): Buffer {
    return sealAgeEstimate(this.blobKey, sampleId, years);
  }

  private openAge(sampleId: string, sealed: Buffer): number {
    return openAgeEstimate(this.blobKey, sampleId, sealed);
  }

  private openTemplate(row: TemplateRow): StoredTemplate {
    const bytes = unseal(this.blobKey, row.template, templateAad(row.sample_id, row.model_id));
    const template = decodeTemplate(bytes);
    if (template.length !== row.dimension) {
      throw new StoreError('decrypt', `template of sample ${row.sample_id} has ${template.length} floats, the row says ${row.dimension}`);
    }
    return { personId: row.person_id, sampleId: row.sample_id, modelId: row.model_id, template };
  }
}

interface TemplateRow {
  person_id: string;
  sample_id: string;
  model_id: string;
  dimension: number;
  template: Buffer;
}

/** Float32 little-endian, whatever the CPU: a backup restored on another machine reads the same. */
export function encodeTemplate(template: Float32Array): Buffer {
  const bytes = Buffer.alloc(template.length * 4);
  for (let i = 0; i < template.length; i++) bytes.writeFloatLE(template[i]!, i * 4);
  return bytes;
}

/** The inverse of encodeTemplate. */
export function decodeTemplate(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0) throw new StoreError('decrypt', `a template of ${bytes.length} bytes is not whole floats`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const template = new Float32Array(bytes.length / 4);
  for (let i = 0; i < template.length; i++) template[i] = view.getFloat32(i * 4, true);
  return template;
}

/** A StoreError 'invalid' unless `bytes` starts like a JPEG and is at most MAX_JPEG_BYTES. */
export function assertJpeg(bytes: Uint8Array, what: string): void {
  if (!(bytes instanceof Uint8Array)) throw new StoreError('invalid', `${what} must be JPEG bytes`);
  // Catches raw RGB passed by mistake; full validation would need a decoder in the store.
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) throw new StoreError('invalid', `${what} is not a JPEG`);
  if (bytes.length > MAX_JPEG_BYTES) throw new StoreError('invalid', `${what} is ${bytes.length} bytes, more than ${MAX_JPEG_BYTES}`);
}

function assertTemplate(template: Float32Array): void {
  if (!(template instanceof Float32Array) || template.length === 0 || template.length > MAX_TEMPLATE_FLOATS) {
    throw new StoreError('invalid', `a template must be a Float32Array of 1..${MAX_TEMPLATE_FLOATS} floats`);
  }
  if (!template.every(Number.isFinite)) throw new StoreError('invalid', 'a template holds NaN or infinite values');
}

function assertAge(years: number): void {
  if (!Number.isFinite(years) || years < 0 || years > 150) throw new StoreError('invalid', `an estimated age must be 0 to 150 years, not ${years}`);
}

function assertModelId(modelId: string): void {
  if (typeof modelId !== 'string' || modelId.length < 1 || modelId.length > 100) throw new StoreError('invalid', 'a model id needs 1 to 100 characters');
}

/** JSON of quality figures; a StoreError 'invalid' unless every figure is a finite number. */
export function qualityToJson(quality: FaceQuality): string {
  for (const [name, value] of Object.entries(quality)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new StoreError('invalid', `quality figure ${name} is not a finite number`);
  }
  return JSON.stringify(quality);
}

/**
 * JSON of the alignment that cut a crop: its size and five reference points, nothing else. A StoreError 'invalid'
 * unless the size is a whole number of pixels (8..1024) and there are five finite points.
 */
export function alignmentToJson(alignment: AlignmentTemplate): string {
  const { sizePx, fivePointsPx } = alignment ?? {};
  if (!Number.isInteger(sizePx) || sizePx < 8 || sizePx > 1024) throw new StoreError('invalid', 'an alignment needs a crop size of 8..1024 whole pixels');
  if (!Array.isArray(fivePointsPx) || fivePointsPx.length !== 5 || !fivePointsPx.every((point) => Array.isArray(point) && point.length === 2 && point.every(Number.isFinite))) {
    throw new StoreError('invalid', 'an alignment needs five reference points of two finite coordinates');
  }
  return JSON.stringify({ sizePx, fivePointsPx: fivePointsPx.map(([x, y]) => [x, y]) });
}
