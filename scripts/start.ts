// `npm start`: the kiosk in Electron where Electron's binary is installed and can run here; otherwise the same
// terminal headless (`lintel serve`), to be opened in a browser. Either way out of the box: a fresh data
// directory and the demo photos as the camera. Builds first when the build is missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { commandServe as CommandServe } from '../electron/cli/serve-command.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What the build leaves behind that `npm start` needs. */
export const BUILD_OUTPUTS = ['dist/electron/main/main.js', 'dist/electron/preload/preload.cjs', 'dist/electron/cli/serve-command.js', 'dist/renderer/index.html'] as const;

/** The build outputs missing under `root`. */
export function missingBuildOutputs(root: string): string[] {
  return BUILD_OUTPUTS.filter((path) => !existsSync(join(root, path)));
}

/** The module version (ABI) a compiled addon was built for, from its `node_register_module_v<N>` symbol. */
export function addonAbi(bytes: Uint8Array): number | undefined {
  const match = /node_register_module_v(\d+)/.exec(Buffer.from(bytes).toString('latin1'));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** What decides between Electron and headless. */
export interface LaunchFacts {
  /** The Electron binary, when installed. */
  readonly electronPath: string | undefined;
  /** Electron's module version (node_modules/electron/abi_version). */
  readonly electronAbi: number | undefined;
  /** better-sqlite3's module version: the one native addon that is not N-API and must match the runtime. */
  readonly sqliteAbi: number | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
}

/** Electron, or headless and why. */
export type LaunchMode = { readonly mode: 'electron'; readonly electronPath: string } | { readonly mode: 'headless'; readonly reason: string };

/** Chooses how to run; headless whenever Electron could not start the terminal here. */
export function chooseLaunchMode(facts: LaunchFacts): LaunchMode {
  if (facts.env.LINTEL_HEADLESS === '1') return { mode: 'headless', reason: 'LINTEL_HEADLESS=1' };
  if (!facts.electronPath) return { mode: 'headless', reason: `Electron's binary is not installed (\`${INSTALL_ELECTRON_HINT}\` installs it where the network reaches Electron's releases)` };
  if (facts.platform === 'linux' && !facts.env.DISPLAY && !facts.env.WAYLAND_DISPLAY) return { mode: 'headless', reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  if (facts.electronAbi !== undefined && facts.sqliteAbi !== undefined && facts.electronAbi !== facts.sqliteAbi) {
    return {
      mode: 'headless',
      reason:
        `better-sqlite3 is built for Node.js (module version ${facts.sqliteAbi}) and Electron needs ${facts.electronAbi}. ` +
        'For the kiosk, rebuild it for Electron: npx electron-builder install-app-deps (the command line then needs npm rebuild better-sqlite3 to run under Node again)',
    };
  }
  return { mode: 'electron', electronPath: facts.electronPath };
}

/** How to install Electron's binary where `npm ci` could not (it downloads once from Electron's releases). */
export const INSTALL_ELECTRON_HINT = 'npx install-electron --no';

/**
 * The installed Electron binary, or undefined. Read from the package's own `path.txt` and `dist/` as its
 * `index.js` would, but never through `require('electron')`: that downloads a missing binary, and `npm start`
 * downloads nothing (`npm ci` fetches the binary, see scripts/fetch-electron.ts).
 */
export function findElectron(root: string, env: NodeJS.ProcessEnv): string | undefined {
  const packageDir = join(root, 'node_modules', 'electron');
  let executable: string;
  try {
    executable = readFileSync(join(packageDir, 'path.txt'), 'utf8').trim();
  } catch {
    return undefined;
  }
  if (executable === '') return undefined;
  const path = join(env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist'), executable);
  return existsSync(path) ? path : undefined;
}

function readAbi(path: string, parse: (bytes: Buffer) => number | undefined): number | undefined {
  try {
    return parse(readFileSync(path));
  } catch {
    return undefined;
  }
}

/** Runs `npm run build` when something it makes is missing; false when the build failed. */
function ensureBuilt(root: string): boolean {
  const missing = missingBuildOutputs(root);
  if (missing.length === 0) return true;
  console.log(`Building first (missing: ${missing.join(', ')})…`);
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) return false;
  const stillMissing = missingBuildOutputs(root);
  if (stillMissing.length > 0) console.error(`npm run build did not make ${stillMissing.join(', ')}`);
  return stillMissing.length === 0;
}

/** Runs Electron on the app until it exits; resolves with its exit code. */
function runElectron(electronPath: string, args: readonly string[]): Promise<number> {
  const child = spawn(electronPath, [ROOT, ...args], { cwd: ROOT, stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group too; a kill of this process alone is passed on.
  const forward = (signal: NodeJS.Signals) => () => void child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/** The headless terminal, as `lintel serve` (it prints the pairing address and runs until Ctrl-C). */
async function runHeadless(args: readonly string[]): Promise<number> {
  // The compiled command, as `lintel serve` runs it: its inference worker then starts from JavaScript too.
  const { commandServe } = (await import(pathToFileURL(join(ROOT, 'dist', 'electron', 'cli', 'serve-command.js')).href)) as { commandServe: typeof CommandServe };
  // The kiosk reads the NPU runtime from the environment; `lintel serve` takes it as a flag.
  const npuArgs = process.env.LINTEL_RKNN_LIB && !args.includes('--rknn-lib') ? ['--rknn-lib', process.env.LINTEL_RKNN_LIB] : [];
  return commandServe([...args, ...npuArgs]);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (!ensureBuilt(ROOT)) return 1;
  const launch = chooseLaunchMode({
    electronPath: findElectron(ROOT, process.env),
    electronAbi: readAbi(join(ROOT, 'node_modules', 'electron', 'abi_version'), (bytes) => Number(bytes.toString('utf8').trim()) || undefined),
    sqliteAbi: readAbi(join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), addonAbi),
    env: process.env,
    platform: process.platform,
  });
  if (launch.mode === 'electron') return runElectron(launch.electronPath, args);
  console.log(`Starting the terminal headless: ${launch.reason}.`);
  return runHeadless(args);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
