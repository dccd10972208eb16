import { spawn } from 'node:child_process';

import { packageRoot } from '../../vision/models/paths.js';

/** How a `lintel` child process ended. */
export interface CliRun {
  /** Exit code; null when the process was killed (after 60 s). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `lintel <args>` as a child process from the repository root, as `npm run lintel -- <args>` does, and
 * collects its output; killed after 60 s. The child sees neither the test runner's NODE_TEST_CONTEXT (it would
 * think it is a test file of this run) nor the machine's LINTEL_DATA_DIR (a test names its data folder with
 * `--data`).
 */
export function runLintel(args: readonly string[]): Promise<CliRun> {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.LINTEL_DATA_DIR;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/lintel.ts', ...args], { cwd: packageRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
