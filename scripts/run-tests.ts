// Runs every `*.test.ts` under the source folders with Node's test runner (Node 20 has no glob for --test), and
// the UI's component tests (`*.test.tsx`, in a DOM from happy-dom) in a second run compiled with the renderer's
// JSX settings: tsx reads one tsconfig per run, and the root one has no JSX.
// `--root <dir>` (repeatable) searches those folders instead: the security suite in e2e/security runs after the
// build, against real `lintel serve` processes, so it is not part of the unit run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const rootArgs = args.flatMap((arg, index) => (args[index - 1] === '--root' ? [arg] : []));
const roots = rootArgs.length > 0 ? rootArgs : ['electron', 'models', 'native-bridge', 'scripts', 'renderer'];
// models/onnx holds converted models, not sources; a folder named onnx elsewhere (models/convert/onnx) is code.
const skip = new Set(['node_modules', 'dist', 'models/onnx']);

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (skip.has(entry.name) || skip.has(path)) return [];
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') || entry.name.endsWith('.test.tsx') ? [path] : [];
  });
}

const filter = args.filter((arg, index) => arg !== '--root' && args[index - 1] !== '--root');
const files = roots
  .flatMap((root) => {
    try {
      return findTests(root);
    } catch {
      return [];
    }
  })
  .filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
console.log(`running ${files.length} test files: ${files.map((file) => relative('.', file)).join(', ')}`);

// Files run side by side, one per core: most of them wait on timers, sockets and the servers they start rather than
// on the CPU (Node's default, one fewer than the cores, serialises a 2-core machine). LINTEL_TEST_CONCURRENCY=1
// runs them one at a time.
const concurrency = Number(process.env.LINTEL_TEST_CONCURRENCY) || availableParallelism();

function run(batch: readonly string[], env: NodeJS.ProcessEnv): number {
  if (batch.length === 0) return 0;
  return spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...batch], { stdio: 'inherit', env }).status ?? 1;
}

const componentTests = files.filter((file) => file.endsWith('.tsx'));
const status = run(files.filter((file) => !file.endsWith('.tsx')), process.env);
const componentStatus = run(componentTests, { ...process.env, TSX_TSCONFIG_PATH: 'renderer/tsconfig.test.json' });
process.exit(status !== 0 ? status : componentStatus);
