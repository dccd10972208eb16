// What the browser uploads for an import: a zip chosen as it is, or photos chosen as a folder (one sub-folder
// per person) packed into a zip here, so the terminal reads one archive either way.
import { zipSync, type Zippable } from 'fflate';

import { MAX_IMPORT_ZIP_BYTES } from '../../contract.js';

/** A chosen file and the path it was chosen under (a folder pick's `webkitRelativePath`, e.g. `staff/Ann/1.jpg`). */
export interface ChosenFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

const PHOTO_EXTENSION = /\.(jpe?g|png|webp)$/i;

/**
 * The photos of a folder pick as one zip (stored, not compressed: JPEGs do not shrink), their paths kept so the
 * folders name the persons. Files that are no photos are left out here; hidden files too.
 */
export function zipChosenPhotos(files: readonly ChosenFile[]): Uint8Array {
  const entries: Zippable = {};
  for (const file of files) {
    const segments = file.path.split('/').filter(Boolean);
    if (segments.some((segment) => segment.startsWith('.')) || !PHOTO_EXTENSION.test(file.path)) continue;
    entries[segments.join('/')] = [file.bytes, { level: 0 }];
  }
  return zipSync(entries);
}

/** Why an archive cannot be uploaded, or null. */
export function uploadProblem(sizeBytes: number): string | null {
  return sizeBytes > MAX_IMPORT_ZIP_BYTES ? `The upload is ${Math.ceil(sizeBytes / 1_048_576)} MB; at most ${MAX_IMPORT_ZIP_BYTES / 1_048_576} MB at a time. Split it into several.` : null;
}
