/**
 * The open-set (1:N) identification protocol of `lintel eval ident`, built from folders of images:
 *
 * - `imagesDir` holds `<Person>/<image>` (LFW's layout). Every person with MORE than `enrollCount` images is
 *   enrolled with their first `enrollCount` images (file-name order); up to `matedPerPerson` further images
 *   are their mated searches. People with `enrollCount` images or fewer are never enrolled: each of their
 *   images is a non-mated search.
 * - Every image under a `nonMatedDirs` folder is a non-mated search; a `labels.csv` beside the images
 *   (FairFace: `file,…,gender,race`) gives each its demographic labels.
 * - Every image under a `distractorDirs` folder is enrolled as one more person, to grow the gallery.
 * - A folder given both as distractors and as non-mated searches is split in two deterministic halves
 *   (alternate images in path order), so no face is both enrolled and searched as a stranger.
 * - An image listed in the errata (a known label error: it shows someone its label does not say) is left out
 *   everywhere, before any of the rules above.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** One enrolled identity and the images its templates come from. */
export interface ProtocolSubject {
  /** Person name (LFW folder) or `distractor:<relative path>`. */
  id: string;
  /** Enrollment images, absolute paths. */
  images: string[];
  /** True for a distractor (enrolled only to grow the gallery; never searched for). */
  distractor: boolean;
}

/** One search. */
export interface ProtocolSearch {
  /** Absolute image path. */
  image: string;
  /** The enrolled subject this is a photo of; null for a non-mated search. */
  mateId: string | null;
  /** Demographic labels (e.g. race, gender) from a labels.csv; empty when none. */
  labels: Readonly<Record<string, string>>;
}

/** The protocol: who is enrolled and what is searched. */
export interface OpenSetProtocol {
  enrollCount: number;
  /** Enrolled people, name order, then distractors in path order. */
  subjects: ProtocolSubject[];
  mated: ProtocolSearch[];
  nonMated: ProtocolSearch[];
  /** Counts for the report. */
  summary: {
    people: number;
    enrolledPeople: number;
    distractors: number;
    matedSearches: number;
    nonMatedSearches: number;
    nonMatedFromImagesDir: number;
    nonMatedFromFolders: number;
    /** Folders split between the distractor and non-mated roles. */
    splitFolders: string[];
    /** Images left out because the errata list them. */
    leftOutByErrata: number;
    /** Errata that named no image of the folders given (a typo, or another copy of the data). */
    errataNotFound: string[];
  };
}

/** One known label error of a data set: an image that shows someone its label does not say. */
export interface Erratum {
  /** Path relative to the folder it was given under (`--images`, `--non-mated`, `--distractors`), `/`-separated. */
  image: string;
  /** Who the image shows. */
  shows: string;
  /** How it was found and checked. */
  note: string;
}

/** Options for {@link buildOpenSetProtocol}. */
export interface OpenSetProtocolOptions {
  /** Folder of `<Person>/<image>`. */
  imagesDir: string;
  /** Images enrolled per person; default 1. */
  enrollCount?: number;
  /** Most mated searches per enrolled person; default 5. */
  matedPerPerson?: number;
  /** Folders whose every image is a non-mated search; default none. */
  nonMatedDirs?: readonly string[];
  /** Folders whose every image is enrolled as a distractor; default none. */
  distractorDirs?: readonly string[];
  /** Label columns read from a labels.csv; default ['race', 'gender', 'age']. */
  labelColumns?: readonly string[];
  /** Images to leave out; default none. */
  errata?: readonly Erratum[];
  /**
   * Only every other enrollable person (in name order, the first of each pair for 1, the second for 2), the
   * others left out with their images: to fit on one half and measure on the other. Default: everyone.
   */
  half?: 1 | 2;
}

/** Thrown when a folder cannot be read or holds no usable images. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every image file under `dir`, recursively, as absolute paths in code-point order. */
export async function listImagesRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && IMAGE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) out.push(path.resolve(full));
    }
  };
  try {
    await walk(dir);
  } catch (error) {
    throw new ProtocolError(`cannot read ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return out.sort(byCodePoint);
}

/** Splits one CSV line (RFC 4180 quotes). */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

/**
 * Reads `<dir>/labels.csv` if present: file (as written in the CSV, and its base name) → the wanted columns.
 * Returns an empty map without the file or without a `file` column.
 */
export async function readLabels(dir: string, columns: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const labels = new Map<string, Record<string, string>>();
  let text: string;
  try {
    text = await readFile(path.join(dir, 'labels.csv'), 'utf8');
  } catch {
    return labels;
  }
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const fileColumn = header.indexOf('file');
  if (fileColumn < 0) return labels;
  const wanted = columns.map((name) => [name, header.indexOf(name)] as const).filter(([, index]) => index >= 0);
  for (const line of lines.slice(1)) {
    const cells = splitCsvLine(line);
    const file = cells[fileColumn]?.trim();
    if (!file) continue;
    const record = Object.fromEntries(wanted.map(([name, index]) => [name, undoSpreadsheetDate(cells[index]?.trim() ?? '')]));
    labels.set(file, record);
  }
  return labels;
}

/**
 * Reads an errata file: CSV with the columns `image,shows,note` (a header line first; `#` lines are comments).
 * @throws ProtocolError naming the file and line of anything malformed
 */
export async function readErrata(file: string): Promise<Erratum[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ProtocolError(`cannot read the errata ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const lines = text.split(/\r?\n/).map((line, index) => ({ line, number: index + 1 })).filter(({ line }) => line.trim() !== '' && !line.startsWith('#'));
  const header = splitCsvLine(lines[0]?.line ?? '').map((h) => h.trim());
  if (header.join(',') !== 'image,shows,note') throw new ProtocolError(`${file}: the first line must be "image,shows,note", got "${lines[0]?.line ?? ''}"`);
  return lines.slice(1).map(({ line, number }) => {
    const [image, shows, note, extra] = splitCsvLine(line).map((cell) => cell.trim());
    if (!image || !shows || !note || extra !== undefined || image.startsWith('/') || image.split('/').includes('..')) {
      throw new ProtocolError(`${file} line ${number}: expected a relative image path, who it shows and a note, got "${line}"`);
    }
    return { image, shows, note };
  });
}

/**
 * Spreadsheets turn age bands into dates: FairFace's labels.csv has "03-Sep" for 3–9 and "Oct-19" for 10–19.
 * Turns such a cell back into its band; any other cell is returned as it is.
 */
export function undoSpreadsheetDate(cell: string): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const dayMonth = /^(\d{1,2})-([A-Z][a-z]{2})$/.exec(cell);
  if (dayMonth && months.includes(dayMonth[2]!)) return `${Number(dayMonth[1])}-${months.indexOf(dayMonth[2]!) + 1}`;
  const monthYear = /^([A-Z][a-z]{2})-(\d{1,2})$/.exec(cell);
  if (monthYear && months.includes(monthYear[1]!)) return `${months.indexOf(monthYear[1]!) + 1}-${Number(monthYear[2])}`;
  return cell;
}

function labelsOf(labels: Map<string, Record<string, string>>, dir: string, image: string): Record<string, string> {
  const relative = path.relative(dir, image).split(path.sep).join('/');
  return labels.get(relative) ?? labels.get(path.basename(image)) ?? {};
}

/** Builds the protocol from the folders; see the module comment for the rules. */
export async function buildOpenSetProtocol(options: OpenSetProtocolOptions): Promise<OpenSetProtocol> {
  const { imagesDir, enrollCount = 1, matedPerPerson = 5, nonMatedDirs = [], distractorDirs = [], labelColumns = ['race', 'gender', 'age'], errata = [], half } = options;
  if (!Number.isInteger(enrollCount) || enrollCount < 1) throw new RangeError(`enrollCount must be a whole number ≥ 1, got ${enrollCount}`);
  if (!Number.isInteger(matedPerPerson) || matedPerPerson < 0) throw new RangeError(`matedPerPerson must be a whole number ≥ 0, got ${matedPerPerson}`);

  let personDirs: string[];
  try {
    personDirs = (await readdir(imagesDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort(byCodePoint);
  } catch (error) {
    throw new ProtocolError(`cannot read ${imagesDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  // Errata by relative path; each found image is left out and its erratum marked as used.
  const errataByImage = new Map(errata.map((e) => [e.image, e]));
  const errataFound = new Set<string>();
  const listUsable = async (root: string, dir: string): Promise<string[]> =>
    (await listImagesRecursive(dir)).filter((image) => {
      const relative = path.relative(root, image).split(path.sep).join('/');
      if (!errataByImage.has(relative)) return true;
      errataFound.add(relative);
      return false;
    });
  const subjects: ProtocolSubject[] = [];
  const mated: ProtocolSearch[] = [];
  const nonMated: ProtocolSearch[] = [];
  let people = 0;
  let enrollable = 0;
  for (const person of personDirs) {
    const images = await listUsable(imagesDir, path.join(imagesDir, person));
    if (images.length === 0) continue;
    if (images.length > enrollCount && half !== undefined && enrollable++ % 2 !== half - 1) continue;
    people++;
    if (images.length > enrollCount) {
      subjects.push({ id: person, images: images.slice(0, enrollCount), distractor: false });
      for (const image of images.slice(enrollCount, enrollCount + matedPerPerson)) mated.push({ image, mateId: person, labels: {} });
    } else {
      for (const image of images) nonMated.push({ image, mateId: null, labels: {} });
    }
  }
  if (subjects.length === 0) throw new ProtocolError(`no person under ${imagesDir} has more than ${enrollCount} image${enrollCount === 1 ? '' : 's'}: nobody to enroll`);
  const enrolledPeople = subjects.length;
  const nonMatedFromImagesDir = nonMated.length;

  const resolvedNonMated = nonMatedDirs.map((dir) => path.resolve(dir));
  const resolvedDistractors = distractorDirs.map((dir) => path.resolve(dir));
  const splitFolders = resolvedNonMated.filter((dir) => resolvedDistractors.includes(dir));
  const roleOfSplit = (index: number): 'distractor' | 'non-mated' => (index % 2 === 0 ? 'distractor' : 'non-mated');

  let distractors = 0;
  for (const dir of [...new Set(resolvedDistractors)]) {
    const images = await listUsable(dir, dir);
    const split = splitFolders.includes(dir);
    images.forEach((image, index) => {
      if (split && roleOfSplit(index) !== 'distractor') return;
      subjects.push({ id: `distractor:${path.relative(path.dirname(dir), image).split(path.sep).join('/')}`, images: [image], distractor: true });
      distractors++;
    });
  }
  for (const dir of [...new Set(resolvedNonMated)]) {
    const images = await listUsable(dir, dir);
    const labels = await readLabels(dir, labelColumns);
    const split = splitFolders.includes(dir);
    images.forEach((image, index) => {
      if (split && roleOfSplit(index) !== 'non-mated') return;
      nonMated.push({ image, mateId: null, labels: labelsOf(labels, dir, image) });
    });
  }
  return {
    enrollCount,
    subjects,
    mated,
    nonMated,
    summary: {
      people,
      enrolledPeople,
      distractors,
      matedSearches: mated.length,
      nonMatedSearches: nonMated.length,
      nonMatedFromImagesDir,
      nonMatedFromFolders: nonMated.length - nonMatedFromImagesDir,
      splitFolders,
      leftOutByErrata: errataFound.size,
      errataNotFound: errata.map((e) => e.image).filter((image) => !errataFound.has(image)),
    },
  };
}
