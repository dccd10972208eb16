import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of Lintel's package.json, found by walking up from this module: the same code runs from
 * TypeScript sources (tests, tsx) and from the compiled `dist/` tree, at different depths.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'lintel') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find Lintel's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The model manifest shipped with Lintel. */
export function defaultManifestPath(): string {
  return join(packageRoot(), 'models', 'manifest.json');
}
