import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

import type { z } from 'zod';

import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { importPersonResultSchema, importStatusSchema, importSummarySchema } from '../../shared/contract/schemas.js';
import { StoreError } from '../store/errors.js';
import { foldName, type PersonInput } from '../store/persons-repository.js';
import { CsvError, parseCsv } from './csv.js';
import type { DuplicateMatcher, DuplicateWarning, EnrollmentStore } from './duplicates.js';
import { enrollFromPhotos } from './enroll-photos.js';
import type { EnrollmentGates } from './gates.js';
import { readImportFile, resolveInsideRoots } from './import-files.js';
import type { EnrollmentAnalyser } from './photo-sample.js';

/**
 * What became of one file: a PhotoStatus, or `skipped` (the person was already enrolled, by name for a folder
 * import, by external id for a CSV) or `invalid` (not attributable to a person, a bad CSV row, or a person
 * the store refused, e.g. a 300-character name).
 */
export type ImportStatus = z.output<typeof importStatusSchema>;

/** One file's result. */
export interface ImportFileResult {
  readonly file: string;
  /** The person's name as imported ('' when the file belongs to nobody). */
  readonly person: string;
  readonly externalId?: string;
  /** The enrolled (or, when skipped, the existing) person's id. */
  readonly personId?: string;
  /** The CSV line, for a CSV import. */
  readonly line?: number;
  readonly status: ImportStatus;
  readonly detail: string;
  readonly duplicateOf?: DuplicateWarning;
}

/** One person's result. */
export type ImportPersonResult = DeepReadonly<z.output<typeof importPersonResultSchema>>;

/** Totals of an import. */
export type ImportSummary = DeepReadonly<z.output<typeof importSummarySchema>>;

/** Everything an import did. */
export interface ImportReport {
  readonly results: readonly ImportFileResult[];
  readonly persons: readonly ImportPersonResult[];
  readonly summary: ImportSummary;
}

/** Options shared by importFolder and importCsv. */
export interface ImportOptions {
  readonly store: EnrollmentStore;
  readonly pipeline: EnrollmentAnalyser;
  /** Its gallery must be attached to `store`, so people imported earlier in the run are checked against too. */
  readonly matcher: DuplicateMatcher;
  /** Called as each file starts (`current` its path) and once at the end (`current` undefined); `done` files have results. */
  readonly onProgress?: (done: number, total: number, current: string | undefined) => void;
  /** Called with each file's result, once its person is decided. */
  readonly onResult?: (result: ImportFileResult) => void;
  /** Called after each person is decided (after the commit, for an enrolled one). */
  readonly onPerson?: (result: ImportPersonResult) => void;
  /** Stops between photos; the person in progress is not written, everyone before stays. */
  readonly signal?: AbortSignal;
  /** Overrides of PHOTO_ENROLLMENT_GATES. */
  readonly gates?: Partial<EnrollmentGates>;
  /** See pickSubject; default 2. */
  readonly dominanceRatio?: number;
  /** See enrollSamples; default false: a person who identifies as someone enrolled is refused. */
  readonly allowDuplicate?: boolean;
  /** Groups every imported person joins; default none. */
  readonly groups?: readonly string[];
  /**
   * Folders the import may read (the folder or CSV, and every photo, links followed); a file elsewhere is
   * refused. Default anywhere (the command line, whose user can read the files anyway).
   */
  readonly roots?: readonly string[];
}

/** Largest CSV an import reads, bytes: some 100,000 rows. */
export const MAX_CSV_BYTES = 16 * 1024 * 1024;

/** A person the import will enroll, with their files. */
interface PlannedPerson {
  readonly name: string;
  readonly externalId?: string;
  /** From the CSV's optional `card` and `facility` columns; the store checks it against the card format. */
  readonly credential?: { readonly facilityCode: number | null; readonly cardNumber: number };
  /** Photos to analyse, in order. */
  readonly photos: readonly { readonly file: string; readonly line?: number }[];
  /** Files of this person already judged without analysis (not a photo, a bad CSV row). */
  readonly prejudged: readonly ImportFileResult[];
  /** The person already in the store, if any: then nothing of theirs is read. */
  existing(): { readonly id: string; readonly name: string } | undefined;
}

interface ImportPlan {
  readonly persons: readonly PlannedPerson[];
  /** Files that belong to nobody. */
  readonly stray: readonly ImportFileResult[];
  /** Called after a person is enrolled, so later lookups see them. */
  readonly remember?: (name: string, id: string) => void;
}

const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);
/** Files operating systems leave in folders; never an admin's intent. */
const JUNK_FILES = new Set(['thumbs.db', 'desktop.ini']);

const isPhotoName = (name: string): boolean => PHOTO_EXTENSIONS.has(extname(name).toLowerCase());
const isIgnored = (name: string): boolean => name.startsWith('.') || JUNK_FILES.has(name.toLowerCase());

/** The person's name of a folder: underscores become spaces (`Ann_Lee` → `Ann Lee`), runs of spaces one. */
export function nameFromFolder(folder: string): string {
  return folder.replace(/_/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Imports `root/<Name>/*.jpg|jpeg|png|webp`: one person per folder, named by nameFromFolder, one sample per
 * usable photo. Hidden files are ignored; other files in a person's folder are `unreadable` (not a photo);
 * photos directly in `root` are `invalid` (whose are they?); nested folders are not entered.
 *
 * Idempotent by name: a folder whose name (case and accents ignored) is already enrolled is `skipped` without
 * reading it, so re-running after a crash or an abort picks up where it stopped. Every person is written in
 * one transaction with all their samples, so a killed import leaves each person whole or absent. Folder names
 * say nothing about who already exists under another name; the duplicate check catches that by face.
 */
export async function importFolder(options: ImportOptions & { readonly root: string }): Promise<ImportReport> {
  return runImport(options, await planFolder(options.store, options.root, options.roots));
}

/**
 * Imports a CSV with a header naming the columns `id`, `name` and `photo` (any order, case ignored, more
 * columns ignored): several rows with one id are several samples of one person, named by the id's first row.
 * Photo paths are relative to the CSV's folder (absolute ones are taken as they are). A row missing a
 * field, or naming an id differently from its first row, is `invalid`. Idempotent by external id: an id
 * already enrolled is `skipped`. A CSV that cannot be parsed, or lacks a column, throws a CsvError before
 * anything is read.
 */
export async function importCsv(options: ImportOptions & { readonly csvPath: string }): Promise<ImportReport> {
  return runImport(options, await planCsv(options.store, options.csvPath, options));
}

async function runImport(options: ImportOptions, plan: ImportPlan): Promise<ImportReport> {
  const { signal } = options;
  const startMs = performance.now();
  const total = plan.stray.length + plan.persons.reduce((sum, person) => sum + person.photos.length + person.prejudged.length, 0);
  const results: ImportFileResult[] = [];
  const persons: ImportPersonResult[] = [];
  let photosRead = 0;
  let aborted = false;
  const report = (result: ImportFileResult): void => {
    results.push(result);
    options.onResult?.(result);
  };
  const decide = (result: ImportPersonResult): void => {
    persons.push(result);
    options.onPerson?.(result);
  };
  for (const result of plan.stray) report(result);

  for (const planned of plan.persons) {
    if (signal?.aborted) {
      aborted = true;
      break;
    }
    const who = { person: planned.name, ...(planned.externalId === undefined ? {} : { externalId: planned.externalId }) };
    const existing = planned.existing();
    if (existing) {
      const detail = `already enrolled as ${existing.name} (${existing.id})`;
      for (const photo of planned.photos) report({ file: photo.file, ...who, personId: existing.id, ...lineOf(photo), status: 'skipped', detail });
      for (const result of planned.prejudged) report(result);
      decide({ ...who, personId: existing.id, status: 'skipped', sampleCount: 0, detail });
      continue;
    }
    if (planned.photos.length === 0) {
      for (const result of planned.prejudged) report(result);
      decide({ ...who, status: 'invalid', sampleCount: 0, detail: 'no photo to import' });
      continue;
    }
    const doneBefore = results.length;
    let enrolled: Awaited<ReturnType<typeof enrollFromPhotos>>;
    try {
      enrolled = await enrollFromPhotos({
        store: options.store,
        pipeline: options.pipeline,
        matcher: options.matcher,
        person: { name: planned.name, externalId: planned.externalId ?? null, groups: options.groups ?? [], ...(planned.credential ? { credential: planned.credential } : {}) } satisfies PersonInput,
        photos: planned.photos.map(({ file }) => file),
        gates: options.gates,
        dominanceRatio: options.dominanceRatio,
        allowDuplicate: options.allowDuplicate,
        ...(options.roots ? { roots: options.roots } : {}),
        signal,
        onPhoto: (index, file) => options.onProgress?.(doneBefore + index, total, file),
      });
    } catch (error) {
      if (signal?.aborted && error === signal.reason) {
        aborted = true;
        break;
      }
      // The store refused the person itself (a bad name, an external id taken meanwhile): their files say why.
      if (error instanceof StoreError && (error.code === 'invalid' || error.code === 'conflict')) {
        for (const photo of planned.photos) report({ file: photo.file, ...who, ...lineOf(photo), status: 'invalid', detail: error.message });
        for (const result of planned.prejudged) report(result);
        decide({ ...who, status: 'invalid', sampleCount: 0, detail: error.message });
        continue;
      }
      throw error;
    }
    photosRead += planned.photos.length;
    const personId = enrolled.outcome === 'enrolled' ? enrolled.person.id : undefined;
    for (const [index, photo] of enrolled.photos.entries()) {
      const planEntry = planned.photos[index];
      report({
        file: photo.file,
        ...who,
        ...(personId === undefined ? {} : { personId }),
        ...(planEntry ? lineOf(planEntry) : {}),
        status: photo.status,
        detail: photo.detail,
        ...(photo.duplicateOf ? { duplicateOf: photo.duplicateOf } : {}),
      });
    }
    for (const result of planned.prejudged) report(result);
    if (enrolled.outcome === 'enrolled') {
      plan.remember?.(enrolled.person.name, enrolled.person.id);
      // The young-child check's word travels in the person's line of the report (and its CSV).
      const youngChild = enrolled.youngChild ? `; looks like a young child (about ${Math.max(1, Math.round(enrolled.youngChild.estimatedAgeYears))} years): the door asks for card and face` : '';
      decide({ ...who, personId: enrolled.person.id, status: 'enrolled', sampleCount: enrolled.sampleIds.length, detail: `${enrolled.sampleIds.length} of ${planned.photos.length} photo(s) enrolled${youngChild}` });
    } else {
      const detail = enrolled.reason === 'duplicate-of' ? (enrolled.duplicates[0]?.message ?? 'a duplicate') : 'no usable photo';
      decide({ ...who, status: 'refused', sampleCount: 0, detail });
    }
  }
  options.onProgress?.(results.length, total, undefined);

  const durationMs = performance.now() - startMs;
  const byStatus = Object.fromEntries(IMPORT_STATUSES.map((status) => [status, 0])) as Record<ImportStatus, number>;
  for (const result of results) byStatus[result.status]++;
  const count = (status: ImportPersonResult['status']): number => persons.filter((person) => person.status === status).length;
  return {
    results,
    persons,
    summary: {
      filesTotal: total,
      filesDone: results.length,
      byStatus,
      personsEnrolled: count('enrolled'),
      personsRefused: count('refused'),
      personsSkipped: count('skipped'),
      samplesEnrolled: persons.reduce((sum, person) => sum + person.sampleCount, 0),
      photosRead,
      durationMs,
      photosPerSecond: durationMs > 0 ? (photosRead * 1000) / durationMs : 0,
      aborted,
    },
  };
}

/** Every ImportStatus, in the order a summary lists them. */
export const IMPORT_STATUSES: readonly ImportStatus[] = ['enrolled', 'duplicate', 'no-face', 'several-faces', 'too-small', 'poor-quality', 'unreadable', 'skipped', 'invalid'];

const lineOf = (entry: { readonly line?: number }): { line?: number } => (entry.line === undefined ? {} : { line: entry.line });

/** Whether a directory entry is a folder or a file, following symbolic links; undefined for anything else or a broken link. */
async function kindOf(dir: string, entry: Dirent): Promise<'folder' | 'file' | undefined> {
  if (entry.isDirectory()) return 'folder';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return undefined;
  const target = await stat(join(dir, entry.name)).catch(() => undefined);
  return target?.isDirectory() ? 'folder' : target?.isFile() ? 'file' : undefined;
}

async function sortedEntries(dir: string): Promise<Dirent[]> {
  return (await readdir(dir, { withFileTypes: true })).filter((entry) => !isIgnored(entry.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every enrolled person by folded name; kept up to date by `remember` as the import enrolls. */
function enrolledNames(store: EnrollmentStore): Map<string, { id: string; name: string }> {
  const byName = new Map<string, { id: string; name: string }>();
  const limit = 500;
  for (let offset = 0; ; offset += limit) {
    const { persons, total } = store.persons.list({ limit, offset });
    for (const person of persons) if (!byName.has(foldName(person.name))) byName.set(foldName(person.name), { id: person.id, name: person.name });
    if (persons.length === 0 || offset + limit >= total) return byName;
  }
}

async function planFolder(store: EnrollmentStore, root: string, roots: readonly string[] | undefined): Promise<ImportPlan> {
  if (roots) await resolveInsideRoots(root, roots);
  const names = enrolledNames(store);
  const stray: ImportFileResult[] = [];
  const persons: PlannedPerson[] = [];
  for (const entry of await sortedEntries(root)) {
    const path = join(root, entry.name);
    const kind = await kindOf(root, entry);
    if (kind === 'file') {
      if (isPhotoName(entry.name)) stray.push({ file: path, person: '', status: 'invalid', detail: "not in a person's folder: put photos in root/<Name>/" });
      continue;
    }
    if (kind !== 'folder') continue;
    const name = nameFromFolder(entry.name);
    const photos: { file: string }[] = [];
    const prejudged: ImportFileResult[] = [];
    for (const inner of await sortedEntries(path)) {
      const file = join(path, inner.name);
      if ((await kindOf(path, inner)) !== 'file') continue;
      if (isPhotoName(inner.name)) photos.push({ file });
      else prejudged.push({ file, person: name, status: 'unreadable', detail: `not a photo (${extname(inner.name) || 'no extension'}): only JPEG, PNG and WebP are imported` });
    }
    if (name === '') {
      for (const photo of photos) stray.push({ file: photo.file, person: '', status: 'invalid', detail: `folder name "${entry.name}" gives no person name` });
      stray.push(...prejudged);
      continue;
    }
    persons.push({ name, photos, prejudged, existing: () => names.get(foldName(name)) });
  }
  return { persons, stray, remember: (name, id) => names.set(foldName(name), { id, name }) };
}

async function planCsv(store: EnrollmentStore, csvPath: string, options: Pick<ImportOptions, 'roots' | 'signal'>): Promise<ImportPlan> {
  const bytes = await readImportFile(csvPath, { maxBytes: MAX_CSV_BYTES, ...(options.roots ? { roots: options.roots } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const records = parseCsv(bytes.toString('utf8'));
  const [header, ...rows] = records;
  if (!header) throw new CsvError(1, 'the file is empty: it needs a header naming the columns id, name and photo');
  const columns = header.fields.map((field) => field.trim().toLowerCase());
  const column = (name: string): number => {
    const index = columns.indexOf(name);
    // The header's own text is not repeated: the file may be anything (a key, a password file) but a CSV.
    if (index < 0) throw new CsvError(header.line, `no "${name}" column: the header must name the columns id, name and photo (found ${header.fields.length} column(s) without it)`);
    return index;
  };
  const [idColumn, nameColumn, photoColumn] = [column('id'), column('name'), column('photo')];
  // Optional: a card credential for the access-control panel (the facility code where the format has one).
  const [cardColumn, facilityColumn] = [columns.indexOf('card'), columns.indexOf('facility')];
  const folder = dirname(resolve(csvPath));
  const stray: ImportFileResult[] = [];
  const byId = new Map<string, { name: string; photos: { file: string; line: number }[]; prejudged: ImportFileResult[]; credential?: { facilityCode: number | null; cardNumber: number } }>();
  for (const row of rows) {
    const [id, name, photo] = [idColumn, nameColumn, photoColumn].map((index) => (row.fields[index] ?? '').trim()) as [string, string, string];
    if (row.fields.every((field) => field.trim() === '')) continue;
    const file = photo === '' ? `${csvPath}:${row.line}` : resolve(folder, photo);
    const missing = [['id', id], ['name', name], ['photo', photo]].filter(([, value]) => value === '').map(([field]) => field);
    if (missing.length > 0) {
      stray.push({ file, person: name, ...(id ? { externalId: id } : {}), line: row.line, status: 'invalid', detail: `line ${row.line}: no ${missing.join(', ')}` });
      continue;
    }
    const [card, facility] = [cardColumn, facilityColumn].map((index) => (index < 0 ? '' : (row.fields[index] ?? '').trim())) as [string, string];
    const badNumber = [['card', card], ['facility', facility]].find(([, value]) => value !== '' && !/^\d{1,15}$/.test(value as string));
    if (badNumber || (facility !== '' && card === '')) {
      stray.push({ file, person: name, externalId: id, line: row.line, status: 'invalid', detail: badNumber ? `line ${row.line}: ${badNumber[0]} must be a whole number` : `line ${row.line}: a facility code needs a card number` });
      continue;
    }
    const credential = card === '' ? undefined : { facilityCode: facility === '' ? null : Number(facility), cardNumber: Number(card) };
    let person = byId.get(id);
    if (!person) {
      person = { name, photos: [], prejudged: [], ...(credential ? { credential } : {}) };
      byId.set(id, person);
    }
    if (credential && JSON.stringify(credential) !== JSON.stringify(person.credential ?? null)) {
      person.prejudged.push({ file, person: name, externalId: id, line: row.line, status: 'invalid', detail: `line ${row.line}: id ${id} has another card on an earlier line` });
    } else if (name !== person.name) {
      person.prejudged.push({ file, person: name, externalId: id, line: row.line, status: 'invalid', detail: `line ${row.line}: id ${id} is named "${person.name}" on an earlier line` });
    } else if (person.photos.some((earlier) => earlier.file === file)) {
      person.prejudged.push({ file, person: name, externalId: id, line: row.line, status: 'invalid', detail: `line ${row.line}: this photo is already listed for id ${id}` });
    } else {
      person.photos.push({ file, line: row.line });
    }
  }
  const persons = [...byId].map(([externalId, person]): PlannedPerson => ({
    name: person.name,
    externalId,
    ...(person.credential ? { credential: person.credential } : {}),
    photos: person.photos,
    prejudged: person.prejudged,
    existing: () => store.persons.getByExternalId(externalId),
  }));
  return { persons, stray };
}
