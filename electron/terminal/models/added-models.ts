/**
 * The models an administrator added to this terminal, kept in `<dataDir>/models/`: each converted `.onnx` under
 * the name the manifest gives it, and `added.json`, the record of what was added, from which file and when,
 * under which licences. Adding checks the file against the sha256 the manifest pins, converts it, checks the
 * result, and writes it atomically (temporary file and rename): a failed or interrupted add leaves nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { z } from 'zod';

import { writeFileAtomic } from '../../shared/write-file-atomic.js';
import type { DeepReadonly } from '../../shared/contract/handler.js';
import { MAX_MODEL_FILE_BYTES, type modelLicencesSchema, type modelListingSchema } from '../../shared/contract/schemas.js';
import { AddedModelConversionError, convertAddedModel, verifyConvertedModel } from '../../../models/convert/added/convert-added-model.js';
import {
  isAddedModel,
  isModelAdded,
  loadManifest,
  preferredExtractorId,
  type AddedModelEntry,
  type LoadedManifest,
  type ModelManifest,
  type ModelRole,
} from '../../vision/models/manifest.js';

/** The folder of added models inside a terminal's data folder. */
export function addedModelsDir(dataDir: string): string {
  return join(dataDir, 'models');
}

/** Largest model file accepted, bytes (EdgeFace-XS is 3 MB, MiniFASNet 1.7 MB); the contract's cap. */
export const MAX_ADDED_MODEL_BYTES = MAX_MODEL_FILE_BYTES;

/** Why a file was not added; `code` for callers that branch (the contract, the CLI's exit code). */
export type AddModelErrorCode = 'unknown-file' | 'tampered' | 'wrong-kind' | 'too-large' | 'conversion-unavailable' | 'invalid-model';

/** A file that cannot be added, with a message that says what to do. */
export class AddModelError extends Error {
  override readonly name = 'AddModelError';

  constructor(
    readonly code: AddModelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Licences of a model: its code, its trained weights, and the data it was trained on; null where the manifest
 * does not say (an npm model's entry records the licence of its weights only).
 */
export type ModelLicences = DeepReadonly<z.output<typeof modelLicencesSchema>>;

/** One entry of `added.json`. */
export interface AddedModelRecord {
  readonly id: string;
  /** Name of the file the administrator added, without its folder. */
  readonly originalFile: string;
  /** sha256 of that file, hex. */
  readonly sha256: string;
  /** The converted file in the folder of added models, and its sha256. */
  readonly onnxFile: string;
  readonly onnxSha256: string;
  readonly addedAtMs: number;
  readonly licences: ModelLicences;
}

/** A manifest model as the terminal has it. */
export type ModelListing = DeepReadonly<z.output<typeof modelListingSchema>>;

interface AddedRecordFile {
  readonly version: 1;
  readonly models: AddedModelRecord[];
}

const RECORD_FILE = 'added.json';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const withArticle = (word: string): string => `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;

/** The file name without any folder, whichever separator the client used. */
function baseName(fileName: string): string {
  return fileName.split(/[/\\]/).pop() ?? fileName;
}

function licencesOf(entry: ModelManifest['models'][string]): ModelLicences {
  const { source } = entry;
  if (source.kind === 'added') return { code: source.licence, weights: source.weightsLicence, trainingData: source.trainingData };
  return { code: null, weights: source.licence, trainingData: source.trainingData ?? null };
}

/**
 * Which manifest model a file is, by its sha256. A file named like a known one whose hash differs is
 * `tampered`; a file the manifest does not know is `unknown-file` (the message lists the ones it knows); a known
 * file of another role than `role` is `wrong-kind`.
 */
export function identifyAddedModel(manifest: ModelManifest, fileBytes: Uint8Array, fileName: string, role?: ModelRole): { id: string; entry: AddedModelEntry } {
  const name = baseName(fileName);
  const actual = sha256(fileBytes);
  const added = Object.entries(manifest.models).filter((pair): pair is [string, AddedModelEntry] => isAddedModel(pair[1]));
  const found = added.find(([, entry]) => entry.source.sha256 === actual);
  if (found) {
    const [id, entry] = found;
    if (role !== undefined && entry.role !== role) throw new AddModelError('wrong-kind', `${name} is ${id}, ${withArticle(entry.role)} model, not ${withArticle(role)} model`);
    return { id, entry };
  }
  const sameName = added.find(([, entry]) => entry.source.file.toLowerCase() === name.toLowerCase());
  if (sameName) {
    const [id, entry] = sameName;
    throw new AddModelError(
      'tampered',
      `${name} is named like the file of ${id} but its sha256 is ${actual.slice(0, 12)}…, not ${entry.source.sha256.slice(0, 12)}…: it is damaged, tampered with, or a different version; get ${entry.source.file} from ${entry.source.obtainFrom}`,
    );
  }
  const known = added.filter(([, entry]) => role === undefined || entry.role === role).map(([id, entry]) => `${entry.source.file} (${id})`);
  throw new AddModelError(
    'unknown-file',
    `${name} (sha256 ${actual.slice(0, 12)}…) is not a model the manifest knows; the ${role === undefined ? '' : `${role} `}models an administrator can add are: ${known.join(', ') || 'none'}`,
  );
}

/** Options of `AddedModels.open`. */
export interface AddedModelsOptions {
  /** The model manifest (models/manifest.json). */
  readonly manifestPath: string;
  /** The terminal's data folder; added models live in `<dataDir>/models`. */
  readonly dataDir: string;
}

/**
 * The added models of one terminal: list, add, remove. Adds and removes run one at a time. The manifest is read
 * at the first call (`open` reads it at once).
 */
export class AddedModels {
  readonly manifestPath: string;
  /** `<dataDir>/models`. */
  readonly dir: string;
  private chain: Promise<unknown> = Promise.resolve();
  private loaded: LoadedManifest | undefined;

  constructor(options: AddedModelsOptions) {
    this.manifestPath = options.manifestPath;
    this.dir = addedModelsDir(options.dataDir);
  }

  /** An AddedModels whose manifest has been read (a manifest that cannot be read throws here). */
  static async open(options: AddedModelsOptions): Promise<AddedModels> {
    const models = new AddedModels(options);
    await models.load();
    return models;
  }

  /** The manifest with this folder of added models, for resolving models; read once. */
  async load(): Promise<LoadedManifest> {
    this.loaded ??= await loadManifest(this.manifestPath, undefined, { addedModelsDir: this.dir });
    return this.loaded;
  }

  /** The manifest `load` read; throws before it has. */
  get manifest(): LoadedManifest {
    if (!this.loaded) throw new Error('AddedModels: the manifest has not been read yet (await load() or use AddedModels.open)');
    return this.loaded;
  }

  /** What `added.json` records, in the order the models were added. */
  async records(): Promise<AddedModelRecord[]> {
    let text: string;
    try {
      text = await readFile(join(this.dir, RECORD_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return (JSON.parse(text) as AddedRecordFile).models;
  }

  /** Every manifest model with its state and licences, in manifest order. */
  async list(): Promise<ModelListing[]> {
    const loaded = await this.load();
    const records = new Map((await this.records()).map((record) => [record.id, record]));
    const { defaults } = loaded.manifest;
    const preferred = preferredExtractorId(loaded);
    return Object.entries(loaded.manifest.models).map(([id, entry]) => {
      const added = isAddedModel(entry);
      const present = added && isModelAdded(loaded, id);
      return {
        id,
        role: entry.role,
        description: entry.description,
        state: !added ? 'built-in' : present ? 'added' : 'not-added',
        licences: licencesOf(entry),
        upstream: entry.source.upstream,
        file: added ? entry.source.file : null,
        obtainFrom: added ? entry.source.obtainFrom : null,
        addedAtMs: present ? (records.get(id)?.addedAtMs ?? null) : null,
        isDefault: entry.role === 'extractor' ? id === preferred : defaults[entry.role] === id,
      };
    });
  }

  /**
   * Adds a model file: identifies it by sha256 (refusing unknown, tampered, and — where `role` is given — other
   * kinds of files), converts it, checks the result in onnxruntime, writes it atomically and records it.
   * Adding a model that is already added replaces it with the same bytes.
   */
  add(fileBytes: Uint8Array, fileName: string, options: { readonly role?: ModelRole; readonly nowMs?: number } = {}): Promise<AddedModelRecord> {
    return this.serialised(async () => {
      if (fileBytes.length > MAX_ADDED_MODEL_BYTES) {
        throw new AddModelError('too-large', `${baseName(fileName)} is ${(fileBytes.length / 1e6).toFixed(1)} MB; model files larger than ${MAX_ADDED_MODEL_BYTES / 1024 / 1024} MB are refused`);
      }
      const { id, entry } = identifyAddedModel((await this.load()).manifest, fileBytes, fileName, options.role);
      let onnxBytes: Uint8Array;
      try {
        onnxBytes = await convertAddedModel(id, entry, fileBytes);
        await verifyConvertedModel(id, entry, onnxBytes);
      } catch (error) {
        if (error instanceof AddedModelConversionError) throw new AddModelError(error.reason === 'unavailable' ? 'conversion-unavailable' : 'invalid-model', error.message);
        throw error;
      }
      const record: AddedModelRecord = {
        id,
        originalFile: baseName(fileName),
        sha256: entry.source.sha256,
        onnxFile: entry.onnx.file,
        onnxSha256: entry.onnx.sha256,
        addedAtMs: options.nowMs ?? Date.now(),
        licences: licencesOf(entry),
      };
      await mkdir(this.dir, { recursive: true });
      // The model first, then its record: a crash between the two leaves a complete, checked model unrecorded.
      await writeFileAtomic(join(this.dir, entry.onnx.file), onnxBytes);
      await this.writeRecords([...(await this.records()).filter((other) => other.id !== id), record]);
      return record;
    });
  }

  /** Removes an added model's file and record; false when it was not added. */
  remove(id: string): Promise<boolean> {
    return this.serialised(async () => {
      const entry = (await this.load()).manifest.models[id];
      if (!entry || !isAddedModel(entry)) return false;
      const records = await this.records();
      const path = join(this.dir, entry.onnx.file);
      const present = existsSync(path);
      await rm(path, { force: true });
      if (records.some((record) => record.id === id)) await this.writeRecords(records.filter((record) => record.id !== id));
      return present;
    });
  }

  private async writeRecords(models: AddedModelRecord[]): Promise<void> {
    const file: AddedRecordFile = { version: 1, models };
    await writeFileAtomic(join(this.dir, RECORD_FILE), `${JSON.stringify(file, null, 2)}\n`);
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
