// Builds the stand-in librknnrt.so from test/stand-in/rknn_stand_in.c with the machine's C compiler, once per
// source version: the output is keyed by a hash of the source, header, flags and compiler, so parallel test
// processes share one build and an edited source is rebuilt.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const SOURCE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'stand-in');
const SOURCE = join(SOURCE_DIR, 'rknn_stand_in.c');
const HEADER = join(SOURCE_DIR, 'rknn_stand_in.h');
const FLAGS = ['-shared', '-fPIC', '-O2', '-std=c11', '-Wall', '-Wextra', '-pthread', '-fvisibility=hidden'];

/** Which stand-in to build: the current API, or one spelling `rknn_destory_mem` like runtime 1.0–1.2. */
export type StandInVariant = 'current' | 'legacy-destory-mem';

/** A built stand-in library, or why the tests that need it are skipped. */
export type StandInBuild = { readonly ok: true; readonly libraryPath: string } | { readonly ok: false; readonly skip: string };

const builds = new Map<StandInVariant, Promise<StandInBuild>>();

/** Builds (or reuses) the stand-in librknnrt.so; `{ ok: false, skip }` when the machine has no C compiler. */
export function buildStandIn(variant: StandInVariant = 'current'): Promise<StandInBuild> {
  let build = builds.get(variant);
  if (build === undefined) {
    build = compile(variant);
    builds.set(variant, build);
  }
  return build;
}

function findCompiler(): string | null {
  const candidates = [process.env.CC, 'cc', 'gcc'].filter((name): name is string => typeof name === 'string' && name.length > 0);
  return candidates.find((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0) ?? null;
}

async function compile(variant: StandInVariant): Promise<StandInBuild> {
  const compiler = findCompiler();
  if (compiler === null) {
    return { ok: false, skip: 'no C compiler (tried $CC, cc, gcc): the stand-in librknnrt.so is built from test/stand-in/rknn_stand_in.c' };
  }
  const defines = variant === 'legacy-destory-mem' ? ['-DLINTEL_STAND_IN_LEGACY_DESTORY_MEM'] : [];
  const hash = createHash('sha256')
    .update(await readFile(SOURCE))
    .update(await readFile(HEADER))
    .update([compiler, ...FLAGS, ...defines].join(' '))
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), `lintel-rknn-stand-in-${hash}`);
  const libraryPath = join(dir, 'librknnrt.so');
  if (existsSync(libraryPath)) return { ok: true, libraryPath };
  await mkdir(dir, { recursive: true });
  // Compile to a private name and rename: another test process may be building the same file.
  const partial = `${libraryPath}.${process.pid}.partial`;
  try {
    await execFileAsync(compiler, [...FLAGS, ...defines, '-o', partial, SOURCE, '-lm']);
    await rename(partial, libraryPath);
  } catch (error) {
    await rm(partial, { force: true });
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`building the stand-in librknnrt.so with ${compiler} failed: ${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return { ok: true, libraryPath };
}
