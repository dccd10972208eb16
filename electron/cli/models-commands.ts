/**
 * `lintel models list | add | remove`: the models of the manifest and the ones an administrator added to the
 * terminal's data folder (`--data <dir>`, or LINTEL_DATA_DIR, or the platform's app-data folder), in `<dir>/models`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { resolveDataDir } from '../terminal/data-dir.js';
import { AddedModels, AddModelError, type ModelListing } from '../terminal/models/added-models.js';
import type { ModelRole } from '../vision/models/manifest.js';
import { defaultManifestPath } from '../vision/models/paths.js';
import { DataCommandError } from './data-commands.js';

const write = (text: string): void => void process.stdout.write(`${text}\n`);

const ROLES: readonly ModelRole[] = ['detector', 'fitter', 'extractor', 'liveness', 'age'];

const STATE_TEXT: Readonly<Record<ModelListing['state'], string>> = { 'built-in': 'built in', added: 'added', 'not-added': 'not added' };

function open(values: { data?: string; manifest?: string }): Promise<AddedModels> {
  return AddedModels.open({ manifestPath: values.manifest ? resolve(values.manifest) : defaultManifestPath(), dataDir: resolveDataDir(values.data) });
}

/** `lintel models list [--json]`: every manifest model, its state on this terminal and its licences. */
async function commandList(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { data: { type: 'string' }, manifest: { type: 'string' }, json: { type: 'boolean' } } });
  const models = await open(values);
  const listing = await models.list();
  if (values.json) {
    write(JSON.stringify(listing, null, 2));
    return 0;
  }
  const idWidth = Math.max(...listing.map((model) => model.id.length));
  for (const model of listing) {
    const mark = model.isDefault ? ' (default)' : '';
    write(`${model.id.padEnd(idWidth)}  ${model.role.padEnd(9)}  ${STATE_TEXT[model.state]}${mark}`);
    const { code, weights, trainingData } = model.licences;
    write(`${''.padEnd(idWidth)}  licences: code ${code ?? 'not recorded'}, weights ${weights}, training data ${trainingData ?? 'not recorded'}`);
    if (model.state === 'not-added') write(`${''.padEnd(idWidth)}  add ${model.file ?? ''} from ${model.obtainFrom ?? ''}`);
  }
  write(`added models are kept in ${models.dir}`);
  return 0;
}

/** `lintel models add <file> [--role extractor|liveness]`: checks, converts and records a model file. */
async function commandAdd(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { data: { type: 'string' }, manifest: { type: 'string' }, role: { type: 'string' } },
  });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new DataCommandError('models add takes one model file');
  const role = values.role;
  if (role !== undefined && !(ROLES as readonly string[]).includes(role)) throw new DataCommandError(`--role must be one of ${ROLES.join(', ')}, got "${role}"`);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new DataCommandError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const models = await open(values);
  try {
    const record = await models.add(bytes, file, role === undefined ? {} : { role: role as ModelRole });
    const entry = models.manifest.manifest.models[record.id];
    const { code, weights, trainingData } = record.licences;
    write(`added ${record.id} (${entry?.role ?? 'model'}) from ${record.originalFile}: sha256 ${record.sha256.slice(0, 12)}…, converted ${record.onnxSha256.slice(0, 12)}…`);
    write(`licences: code ${code ?? 'not recorded'}, weights ${weights}, training data ${trainingData ?? 'not recorded'}`);
    if (entry?.role === 'liveness') write(`use it with the setting liveness.modelId = ${record.id}`);
    if (entry?.role === 'extractor') write(`the terminal uses it when no extractor is set and it is the manifest's preferred one; templates are rebuilt when the extractor changes`);
    write('a terminal already running picks it up when it restarts (adding from its System screen applies it at once)');
    return 0;
  } catch (error) {
    if (error instanceof AddModelError) throw new DataCommandError(error.message);
    throw error;
  }
}

/** `lintel models remove <id>`: removes an added model's file and record. */
async function commandRemove(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { data: { type: 'string' }, manifest: { type: 'string' } } });
  const [id] = positionals;
  if (!id || positionals.length > 1) throw new DataCommandError('models remove takes one model id');
  const models = await open(values);
  if (!(await models.remove(id))) throw new DataCommandError(`model ${id} has not been added to ${models.dir}`);
  write(`removed ${id}`);
  return 0;
}

/** `lintel models <list | add | remove> …`. */
export async function commandModels(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list':
      return commandList(rest);
    case 'add':
      return commandAdd(rest);
    case 'remove':
      return commandRemove(rest);
    default:
      throw new DataCommandError(`models needs list, add <file> or remove <id>${sub === undefined ? '' : `, not "${sub}"`}`);
  }
}
