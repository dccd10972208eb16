/**
 * The passive cue a site trained on its own recordings (`lintel pad train`), installed in the terminal's data
 * folder as `<dataDir>/pad-cue.json`. Installing checks the file (schema, finite numbers, known features, the
 * models its features run added to this terminal) and writes it atomically: a refused file changes nothing.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { writeFileAtomic } from '../../shared/write-file-atomic.js';
import { ModelNotAddedError, resolveModel, type LoadedManifest } from '../../vision/models/manifest.js';
import { frameMeasuresOf, modelsOfMeasures } from '../../vision/liveness/pad-frame-measures.js';
import { parseSitePadCue, type SitePadCue } from '../../vision/liveness/pad-linear.js';

/** The installed cue's file name in the data folder. */
export const SITE_PAD_CUE_FILE = 'pad-cue.json';

/** Where a terminal keeps its site cue. */
export function sitePadCuePath(dataDir: string): string {
  return join(dataDir, SITE_PAD_CUE_FILE);
}

/** A cue file that cannot be installed or run, with a message saying what is wrong. */
export class SitePadCueError extends Error {
  override readonly name = 'SitePadCueError';
}

/**
 * Checks a cue read as JSON against this terminal: the file's schema and numbers, then that every model its
 * features run (MiniFASNet V2 / V1SE) has been added. Throws SitePadCueError naming what is wrong.
 */
export function checkSitePadCue(json: unknown, manifest: LoadedManifest, source: string): SitePadCue {
  let cue: SitePadCue;
  try {
    cue = parseSitePadCue(json, source);
  } catch (error) {
    throw new SitePadCueError((error as Error).message);
  }
  for (const modelId of modelsOfMeasures(frameMeasuresOf(cue.features))) {
    try {
      resolveModel(manifest, modelId);
    } catch (error) {
      if (error instanceof ModelNotAddedError) throw new SitePadCueError(`${source}: its features run ${modelId}, ${error.message}`);
      throw new SitePadCueError(`${source}: its features run ${modelId}: ${(error as Error).message}`);
    }
  }
  return cue;
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SitePadCueError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SitePadCueError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

/** Checks the cue file `file` and installs it in `dataDir` (temporary file and rename); returns the cue. */
export async function installSitePadCue(file: string, dataDir: string, manifest: LoadedManifest): Promise<SitePadCue> {
  const cue = checkSitePadCue(await readJson(file), manifest, file);
  await mkdir(dataDir, { recursive: true });
  await writeFileAtomic(sitePadCuePath(dataDir), `${JSON.stringify(cue, null, 2)}\n`);
  return cue;
}

/** Removes the installed cue; false when none was installed. */
export async function removeSitePadCue(dataDir: string): Promise<boolean> {
  const target = sitePadCuePath(dataDir);
  if (!existsSync(target)) return false;
  await rm(target);
  return true;
}

/** The cue installed as `file` (sitePadCuePath), checked; undefined when none is. Throws SitePadCueError for a file that will not run. */
export async function readSitePadCue(file: string, manifest: LoadedManifest): Promise<SitePadCue | undefined> {
  if (!existsSync(file)) return undefined;
  return checkSitePadCue(await readJson(file), manifest, file);
}
