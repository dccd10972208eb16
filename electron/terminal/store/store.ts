import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type Database from 'better-sqlite3';

import type { AlignmentTemplate } from '../../vision/align/align-face.js';
import type { Gallery } from '../../vision/matcher/gallery.js';
import { shuffledIndices } from '../../vision/matcher/seeded-random.js';
import { CardFormatError, credentialProblems, resolveCardFormat } from '../door/card-format.js';
import { AdminRepository, type AdminRepositoryOptions } from './admin-repository.js';
import { PairingRepository } from './pairing-repository.js';
import { backupDatabase, restoreDatabase, type BackupProgress, type BackupResult } from './backup.js';
import { deriveKeys, KEY_FILE_NAME, loadOrCreateKey, type StoreKeys } from './crypto.js';
import { bindKey, DATABASE_FILE_NAME, openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { EventsRepository, type EventsTestHooks } from './events-repository.js';
import { HubSyncRepository } from './hub-sync-repository.js';
import { PersonsRepository, type Person, type PersonInput } from './persons-repository.js';
import { SamplesRepository, type SampleInput, type SyncedSampleInput } from './samples-repository.js';
import { SettingsRepository } from './settings-repository.js';

/** Options of `TerminalStore.open`. */
export interface TerminalStoreOptions {
  /** Folder of `lintel.db` and `lintel.key`; created with mode 0700. */
  readonly dataDir: string;
  /** Clock, ms since epoch; default Date.now. */
  readonly nowMs?: () => number;
  /** scrypt parameters and lockout policy of admin credentials; defaults in admin-repository.ts. */
  readonly admin?: Omit<AdminRepositoryOptions, 'nowMs'>;
  /** Observations for tests (e.g. the synchronous level of grant writes). */
  readonly eventsTestHooks?: EventsTestHooks;
}

/** The part of the vision Gallery the store keeps in step with the database. */
export type GallerySink = Pick<Gallery, 'dimension' | 'addMany' | 'removeById' | 'clear'>;

/** Progress of a template rebuild, in samples. */
export interface RebuildProgress {
  readonly totalCount: number;
  /** Samples that have a template of the new model. */
  readonly doneCount: number;
  readonly failedCount: number;
}

/** Options of `rebuildTemplates`. */
export interface RebuildOptions {
  /** The new extractor's model id. */
  readonly modelId: string;
  /** Template by the new extractor of an aligned crop JPEG cut with `alignment` (e.g. decodeImageBuffer + FaceExtractor.extractFromCrop). */
  extract(crop: { readonly alignedJpeg: Buffer; readonly alignment: AlignmentTemplate }): Promise<Float32Array>;
  /** Called after every sample. */
  onProgress?(progress: RebuildProgress): void;
  /** Stops after the current sample; what is done stays done and a later rebuild resumes. */
  readonly signal?: AbortSignal;
}

/** The outcome of `rebuildTemplates`. */
export interface RebuildResult extends RebuildProgress {
  /** Samples whose crop the extractor could not handle, with why. */
  readonly failures: readonly { sampleId: string; message: string }[];
  readonly aborted: boolean;
}

/** What the public `samples` property offers: reads only, so every write goes through the store and its galleries. */
export type SamplesReader = Pick<
  SamplesRepository,
  | 'listForPerson'
  | 'personOf'
  | 'getCrop'
  | 'templatesForModel'
  | 'templatesOfPerson'
  | 'templatesToRebuild'
  | 'rebuildProgress'
  | 'templateCounts'
  | 'ageEstimatesOf'
  | 'youngChildOf'
  | 'samplesWithoutAge'
  | 'countWithoutAgeEstimate'
>;

/**
 * What the public `persons` property offers: everything but erasure, which is `TerminalStore.deletePerson`, and
 * the hub's writes, which are `TerminalStore.applySynced`.
 */
export type PersonsAccess = Omit<PersonsRepository, 'erase' | 'putSynced'>;

/** One write of the site hub's change log: a person (whole, with their samples) at a version, or their erasure. */
export type SyncedWrite =
  | {
      readonly kind: 'put-person';
      readonly id: string;
      readonly version: number;
      readonly createdAtMs: number;
      readonly updatedAtMs: number;
      readonly person: PersonInput;
      readonly samples: readonly SyncedSampleInput[];
    }
  | { readonly kind: 'erase-person'; readonly id: string };

/** What `applySynced` changed. */
export interface SyncedResult {
  /** Persons written (created or replaced). */
  readonly put: readonly string[];
  /** Persons erased (those that were here). */
  readonly erased: readonly string[];
  /** Writes skipped because the person here is already at that version or newer. */
  readonly skipped: number;
}

/**
 * The terminal's store: one SQLite connection and the key, the repositories on them, and the 1:N galleries
 * kept in step with the database (a deleted person leaves the gallery in the same call). Plain Node.
 */
export class TerminalStore {
  readonly persons: PersonsAccess;
  readonly samples: SamplesReader;
  readonly events: EventsRepository;
  readonly settings: SettingsRepository;
  readonly admins: AdminRepository;
  /** Single-use pairing codes for device sessions. */
  readonly pairing: PairingRepository;
  /** The site hub this terminal joined, its change-log cursor, the event outbox and queued enrollments. */
  readonly hubSync: HubSyncRepository;
  /** Fingerprint of the key in use (not secret). */
  readonly keyId: string;
  private readonly personsRepository: PersonsRepository;
  private readonly samplesRepository: SamplesRepository;
  private readonly galleries = new Map<GallerySink, string>();
  private revision = 0;
  private readonly countGallery: Database.Statement<[string], { persons: number; templates: number }>;
  private closed = false;

  private constructor(
    readonly dataDir: string,
    private readonly db: Database.Database,
    keys: StoreKeys,
    options: TerminalStoreOptions,
  ) {
    const nowMs = options.nowMs ?? Date.now;
    this.keyId = keys.keyId;
    this.settings = new SettingsRepository(db, nowMs);
    this.personsRepository = new PersonsRepository(db, nowMs, () => this.revision++, (credential) => this.credentialProblems(credential));
    this.samplesRepository = new SamplesRepository(db, keys.blobKey, nowMs);
    this.persons = this.personsRepository;
    this.samples = this.samplesRepository;
    this.events = new EventsRepository(db, keys.blobKey, nowMs, options.eventsTestHooks);
    this.admins = new AdminRepository(db, keys.pepperKey, { ...options.admin, nowMs });
    this.pairing = new PairingRepository(db, nowMs);
    this.hubSync = new HubSyncRepository(db, keys.blobKey, nowMs);
    this.countGallery = db.prepare<[string], { persons: number; templates: number }>(
      // Persons, then their samples (samples_by_person), then the template's primary key (sample_id, model_id),
      // a covering index. Starting from templates_by_model reads every template row (10× slower), and an EXISTS
      // over a samples-templates join scanned the model's templates for each person (6 s at 2,000 people).
      `SELECT count(DISTINCT p.id) AS persons, count(t.sample_id) AS templates
         FROM persons p JOIN samples s ON s.person_id = p.id JOIN templates t ON t.sample_id = s.id AND t.model_id = ?
        WHERE p.enabled = 1`,
    );
  }

  /**
   * Opens the store in `dataDir`: creates the folder (0700), the key (first start) and the database,
   * applies migrations and checks the database was sealed with this key. A StoreError 'key-file' when the
   * key is missing for an existing database or has loose permissions, 'key-mismatch', 'schema-too-new',
   * 'not-lintel'.
   */
  static open(options: TerminalStoreOptions): TerminalStore {
    const { dataDir } = options;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const db = openDatabase({ dataDir });
    try {
      const boundKeyId = db.prepare<[], string>("SELECT value FROM meta WHERE key = 'key_id'").pluck().get();
      if (boundKeyId !== undefined && !existsSync(join(dataDir, KEY_FILE_NAME))) {
        // Never make a fresh key for sealed data: it would hide the real problem behind a key mismatch.
        throw new StoreError('key-file', `${join(dataDir, KEY_FILE_NAME)} is missing but the database needs key ${boundKeyId}: put the key file back`);
      }
      const masterKey = loadOrCreateKey(dataDir);
      const keys = deriveKeys(masterKey);
      masterKey.fill(0);
      bindKey(db, keys.keyId);
      return new TerminalStore(dataDir, db, keys, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Replaces the database in `dataDir` with a backup (see restoreDatabase); the store on `dataDir` must be
   * closed, and opened again afterwards. Needs the key the backup was sealed with in `dataDir`.
   */
  static restore(options: { dataDir: string; backupPath: string }): { schemaVersion: number } {
    const keyPath = join(options.dataDir, KEY_FILE_NAME);
    if (!existsSync(keyPath)) throw new StoreError('key-file', `${keyPath} is missing: install the key file the backup was made with, then restore`);
    const masterKey = loadOrCreateKey(options.dataDir);
    const { keyId } = deriveKeys(masterKey);
    masterKey.fill(0);
    return restoreDatabase({ ...options, keyId });
  }

  /** Adds a person and their samples in one transaction: after a crash either all of it exists or none. */
  enrollPerson(input: PersonInput, samples: Iterable<SampleInput>): { person: Person; sampleIds: string[] } {
    const result = this.db.transaction(() => {
      const person = this.personsRepository.create(input);
      const sampleIds: string[] = [];
      for (const sample of samples) {
        this.assertGalleryDimension(sample.modelId, sample.template);
        sampleIds.push(this.samplesRepository.add(person.id, sample));
      }
      return { person, sampleIds };
    })();
    this.refreshGalleries(result.person.id);
    return result;
  }

  /** Adds a sample to a person and to the attached galleries of its model; returns the sample id. */
  addSample(personId: string, sample: SampleInput): string {
    this.assertGalleryDimension(sample.modelId, sample.template);
    const id = this.samplesRepository.add(personId, sample);
    this.refreshGalleries(personId);
    return id;
  }

  /** Deletes a sample (crop and templates) and its gallery rows; returns false when there was none. */
  deleteSample(sampleId: string): boolean {
    const personId = this.samplesRepository.delete(sampleId);
    if (personId === undefined) return false;
    this.refreshGalleries(personId);
    this.truncateWal();
    return true;
  }

  /**
   * Adds samples to an enrolled person in one transaction; with `replace` they take the place of every sample the
   * person had (a re-enrollment), so after a crash the person has the old samples or the new ones, never neither.
   * A StoreError 'not-found' for no such person. Returns the new samples' ids.
   */
  addSamples(personId: string, samples: readonly SampleInput[], options: { readonly replace?: boolean } = {}): string[] {
    const sampleIds = this.db.transaction(() => {
      if (!this.personsRepository.get(personId)) throw new StoreError('not-found', `no person with id ${personId}`);
      if (options.replace) for (const sample of this.samplesRepository.listForPerson(personId)) this.samplesRepository.delete(sample.id);
      return samples.map((sample) => {
        this.assertGalleryDimension(sample.modelId, sample.template);
        return this.samplesRepository.add(personId, sample);
      });
    })();
    this.refreshGalleries(personId);
    // The replaced crops must not linger in the WAL.
    if (options.replace) this.truncateWal();
    return sampleIds;
  }

  /**
   * Erases a person: person, groups, samples, templates and the snapshots of their events in one
   * transaction, their rows in every attached gallery at once, then a TRUNCATE checkpoint so no earlier
   * page image stays in the WAL. Their events stay, with person id null and `personErasedAtMs` set: the
   * door log must survive, but not their face or name. secure_delete zeroes the freed space in the file.
   * `walTruncated` is false when a reader kept the WAL busy (the next erasure or checkpoint retries).
   */
  deletePerson(personId: string): { deleted: boolean; walTruncated: boolean } {
    const deleted = this.personsRepository.erase(personId);
    for (const gallery of this.galleries.keys()) gallery.removeById(personId);
    this.revision++;
    return { deleted, walTruncated: this.truncateWal() };
  }

  /**
   * Applies writes of the site hub's change log, and `inside` (the change-log cursor), in ONE immediate
   * transaction: after a crash or a refused write either the whole page is applied with its cursor or nothing
   * is. A person is written only when the hub's version is newer than the one here (a page applied twice changes
   * nothing); an erasure is a local erasure (samples, templates, event snapshots; events kept with the person's
   * reference cleared). The galleries follow after the commit, and the WAL is truncated after an erasure.
   */
  applySynced(writes: readonly SyncedWrite[], inside: () => void = () => undefined): SyncedResult {
    const put: string[] = [];
    const erased: string[] = [];
    let skipped = 0;
    this.db
      .transaction(() => {
        for (const write of writes) {
          if (write.kind === 'erase-person') {
            if (this.personsRepository.erase(write.id)) erased.push(write.id);
            continue;
          }
          const current = this.personsRepository.hubVersionOf(write.id);
          if (current !== undefined && current !== null && current >= write.version) {
            skipped++;
            continue;
          }
          for (const sample of write.samples) for (const { modelId, template } of sample.templates) this.assertGalleryDimension(modelId, template);
          this.personsRepository.putSynced(write.id, write.person, { version: write.version, createdAtMs: write.createdAtMs, updatedAtMs: write.updatedAtMs });
          this.samplesRepository.replaceSynced(write.id, write.samples);
          put.push(write.id);
        }
        inside();
      })
      .immediate();
    for (const id of erased) for (const gallery of this.galleries.keys()) gallery.removeById(id);
    for (const id of put) this.refreshGalleries(id);
    this.revision++;
    if (erased.length > 0) this.truncateWal();
    return { put, erased, skipped };
  }

  /**
   * Fills `gallery` with every template of `modelId` and keeps it in step with later enrollments, sample
   * and person deletions and rebuilt templates, until detached. Every person with templates is in it,
   * disabled or out of their window too: the access decision checks `accessStateAt`, so the log can say
   * who was refused. Returns the number of templates loaded.
   */
  attachGallery(modelId: string, gallery: GallerySink): number {
    gallery.clear();
    let batch: { id: string; template: Float32Array }[] = [];
    let count = 0;
    for (const stored of this.samplesRepository.templatesForModel(modelId)) {
      batch.push({ id: stored.personId, template: stored.template });
      if (batch.length === 1024) {
        gallery.addMany(batch);
        count += batch.length;
        batch = [];
      }
    }
    gallery.addMany(batch);
    count += batch.length;
    this.galleries.set(gallery, modelId);
    this.revision++;
    return count;
  }

  /**
   * Rises with every change that may change who is in a gallery or who is enabled: enrollments, sample and
   * person deletions, rebuilt templates, person updates (enable / disable), an attached gallery. Cheap to read,
   * so a reader can count the gallery again only when it moved (`galleryCount`).
   */
  get galleryRevision(): number {
    return this.revision;
  }

  /**
   * Enabled people with at least one template of `modelId` (the people a search by a stranger can open the door
   * as) — the N of the 1:N threshold: a search compares with one template per person, the mean of their
   * samples (PersonGallery) — and their templates of it. Disabled people are searched too, but a hit on them is
   * denied, so they add no false grant.
   */
  galleryCount(modelId: string): { persons: number; templates: number } {
    return this.countGallery.get(modelId) ?? { persons: 0, templates: 0 };
  }

  /**
   * The templates of `modelId` of at most `maxPersons` people, decrypted, and how many people have one: the site's
   * likeness is measured on them (IdentifyThreshold). Beyond `maxPersons` a seeded random subset of the people is
   * chosen before anything is decrypted (10,000 people's 50,000 templates took 1.7 s to decrypt here, on the
   * process that runs the camera), the way `crossPersonSimilarities` chooses among templates it is handed.
   */
  galleryTemplates(modelId: string, maxPersons = Number.POSITIVE_INFINITY, seed = 1): { persons: number; templates: { personId: string; template: Float32Array }[] } {
    const everyone = this.samplesRepository.personsWithTemplates(modelId);
    const chosen = everyone.length > maxPersons ? shuffledIndices(everyone.length, seed).slice(0, maxPersons).map((i) => everyone[i]!) : everyone;
    const templates = this.samplesRepository.templatesOfPersons(modelId, chosen).map(({ personId, template }) => ({ personId, template }));
    return { persons: everyone.length, templates };
  }

  /** Counts and the database's size on disk (with its WAL), for the system screen. */
  stats(): { persons: number; samples: number; events: number; databaseBytes: number } {
    const count = (table: 'persons' | 'samples' | 'events'): number => this.db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0;
    const base = join(this.dataDir, DATABASE_FILE_NAME);
    const size = (path: string): number => (existsSync(path) ? statSync(path).size : 0);
    return { persons: count('persons'), samples: count('samples'), events: count('events'), databaseBytes: size(base) + size(`${base}-wal`) };
  }

  /** Stops keeping `gallery` in step. */
  detachGallery(gallery: GallerySink): void {
    this.galleries.delete(gallery);
  }

  /** Stores a template of `modelId` for a sample (see SamplesRepository.replaceTemplate) and updates attached galleries. */
  replaceTemplate(sampleId: string, modelId: string, template: Float32Array): void {
    this.assertGalleryDimension(modelId, template);
    const personId = this.samplesRepository.replaceTemplate(sampleId, modelId, template);
    this.refreshGalleries(personId);
  }

  /**
   * Makes a template of `modelId` for every sample lacking one, from its stored aligned crop. Resumable:
   * templates of the old model stay, so the terminal keeps recognising people meanwhile, and a new run
   * picks up what is missing. When it completes: switch the gallery to the new model, detach the old one,
   * then `pruneTemplates(modelId)`.
   */
  async rebuildTemplates(options: RebuildOptions): Promise<RebuildResult> {
    const { modelId, signal } = options;
    const failures = new Map<string, string>();
    const progress = (): RebuildProgress => ({ ...this.samplesRepository.rebuildProgress(modelId), failedCount: failures.size });
    let aborted = false;
    // Passes until one writes nothing: samples enrolled during a pass may land behind its read position.
    for (let written = -1; written !== 0 && !aborted; ) {
      written = 0;
      for (const sample of this.samplesRepository.templatesToRebuild(modelId)) {
        if (signal?.aborted) {
          aborted = true;
          break;
        }
        if (failures.has(sample.sampleId)) continue;
        try {
          // Never guessed from the crop's size: only an administrator-added extractor's samples from before
          // alignments were recorded lack one (migration 0007).
          const { alignment } = sample;
          if (alignment === null) throw new Error(`sample ${sample.sampleId} records no alignment (enrolled before alignments were recorded, by an added extractor): add this person's photos again`);
          this.replaceTemplate(sample.sampleId, modelId, await options.extract({ alignedJpeg: sample.alignedJpeg, alignment }));
          written++;
        } catch (error) {
          // Deleted while its template was computed: nothing left to rebuild.
          if (!(error instanceof StoreError && error.code === 'not-found')) failures.set(sample.sampleId, (error as Error).message);
        }
        options.onProgress?.(progress());
      }
    }
    return { ...progress(), failures: [...failures].map(([sampleId, message]) => ({ sampleId, message })), aborted };
  }

  /**
   * Estimates the age of every sample that has no estimate (enrolled before estimates were kept, or synced from
   * the hub) from its stored aligned crop. Returns how many were estimated and the samples that failed, with why;
   * a sample deleted meanwhile is skipped. Stops between samples when `signal` aborts; a later run resumes.
   */
  async estimateMissingAges(options: {
    estimate(crop: { readonly alignedJpeg: Buffer; readonly alignment: AlignmentTemplate }): Promise<number>;
    readonly signal?: AbortSignal;
  }): Promise<{ readonly estimatedCount: number; readonly failures: readonly { sampleId: string; message: string }[] }> {
    const failures = new Map<string, string>();
    let estimatedCount = 0;
    for (const sample of this.samplesRepository.samplesWithoutAge()) {
      if (options.signal?.aborted) break;
      try {
        if (this.samplesRepository.setAgeEstimate(sample.sampleId, await options.estimate(sample))) estimatedCount++;
      } catch (error) {
        failures.set(sample.sampleId, (error as Error).message);
      }
    }
    return { estimatedCount, failures: [...failures].map(([sampleId, message]) => ({ sampleId, message })) };
  }

  /**
   * Deletes the templates of every model but `keepModelId` after a rebuild; returns how many. Refuses
   * (StoreError 'invalid') while a gallery of another model is attached, or while samples lack a template of
   * `keepModelId` (they would become unrecognisable) unless `force`.
   */
  pruneTemplates(keepModelId: string, options: { force?: boolean } = {}): number {
    for (const modelId of this.galleries.values()) {
      if (modelId !== keepModelId) throw new StoreError('invalid', `a gallery of model ${modelId} is attached: detach it before pruning its templates`);
    }
    const { totalCount, doneCount } = this.samplesRepository.rebuildProgress(keepModelId);
    if (doneCount < totalCount && !options.force) {
      throw new StoreError('invalid', `${totalCount - doneCount} samples have no template of ${keepModelId} yet: finish the rebuild first`);
    }
    const pruned = this.samplesRepository.pruneTemplates(keepModelId);
    this.truncateWal();
    return pruned;
  }

  /** Writes the whole database to one file (see backupDatabase for what it holds and the key it needs). */
  backup(destPath: string, onProgress?: (progress: BackupProgress) => void): Promise<BackupResult> {
    return backupDatabase(this.db, destPath, onProgress);
  }

  /** `PRAGMA integrity_check` ('ok' or the first problems found), for diagnostics. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check).join('; ');
  }

  /** Closes the connection (checkpointing the WAL); the store is unusable afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.galleries.clear();
    this.db.close();
  }

  /** Why a credential does not fit the configured card format (`credentials.format`), one message per field. */
  private credentialProblems(credential: { facilityCode: number | null; cardNumber: number }): string[] {
    try {
      return credentialProblems(resolveCardFormat(this.settings.get('credentials.format'), this.settings.get('credentials.customFormats')), credential);
    } catch (error) {
      if (error instanceof CardFormatError) return [`cannot be checked: ${error.message}`];
      throw error;
    }
  }

  private refreshGalleries(personId: string): void {
    this.revision++;
    for (const [gallery, modelId] of this.galleries) {
      gallery.removeById(personId);
      const templates = this.samplesRepository.templatesOfPerson(personId, modelId);
      if (templates.length > 0) gallery.addMany(templates.map(({ template }) => ({ id: personId, template })));
    }
  }

  private assertGalleryDimension(modelId: string, template: Float32Array): void {
    for (const [gallery, galleryModelId] of this.galleries) {
      if (galleryModelId === modelId && template.length !== gallery.dimension) {
        throw new StoreError('invalid', `a template of ${modelId} has ${gallery.dimension} floats, this one ${template.length}`);
      }
    }
  }

  /** Checkpoints every WAL frame into the database and empties the WAL file; false when a reader prevented it. */
  private truncateWal(): boolean {
    const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    return result?.busy === 0;
  }
}
