/**
 * The presentation-attack protocol of a frames folder: `clips.csv` (one row per clip: split, clip, label,
 * support, species, light, and optionally person) and `<framesDir>/<split>/<clip>/frame_NNNNN.jpg`, the layout of the Replay-Attack
 * frames. Attack species are told apart by instrument and support (ISO/IEC 30107-3 counts APCER per species).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** What was shown to the camera. */
export const PAD_SPECIES = ['bona-fide', 'print', 'phone-photo', 'phone-video', 'tablet-photo', 'tablet-video'] as const;
export type PadSpecies = (typeof PAD_SPECIES)[number];
/** How the instrument was held: `none` for bona-fide presentations. */
export const PAD_SUPPORTS = ['none', 'fixed', 'hand'] as const;
export type PadSupport = (typeof PAD_SUPPORTS)[number];

/** One clip of the protocol. */
export interface PadClip {
  readonly split: string;
  readonly clip: string;
  readonly label: 'bona-fide' | 'attack';
  readonly support: PadSupport;
  readonly species: PadSpecies;
  readonly light: string;
  /** Whose face it shows, where clips.csv has a `person` column; training keeps a person's clips in one fold. */
  readonly person?: string;
  /** `print/hand`, `tablet-video/fixed`…; `bona-fide` for bona-fide clips. The unit APCER is counted in. */
  readonly speciesKey: string;
  /** Absolute paths of the clip's frames, in name order. */
  readonly framePaths: readonly string[];
}

/** A malformed clips.csv, or a clip whose frames are missing. */
export class PadProtocolError extends Error {
  override readonly name = 'PadProtocolError';
}

const HEADER = ['split', 'clip', 'label', 'support', 'species', 'light'] as const;
/** The optional last column. */
const PERSON = 'person';

/** The species key of a clip: species and support, the unit APCER is reported for. */
export function speciesKey(species: PadSpecies, support: PadSupport): string {
  return species === 'bona-fide' ? 'bona-fide' : `${species}/${support}`;
}

/** One clips.csv row before its frames are listed. */
export type PadClipRow = Omit<PadClip, 'framePaths'>;

/**
 * Parses clips.csv text. Throws PadProtocolError naming the line for a wrong header, a wrong field count, an
 * unknown label, support or species, a label that contradicts the species, or a clip listed twice.
 */
export function parseClipsCsv(text: string, sourceName = 'clips.csv'): PadClipRow[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const fail = (lineIndex: number, detail: string): never => {
    throw new PadProtocolError(`${sourceName} line ${lineIndex + 1}: ${detail}`);
  };
  const header = (lines[0] ?? '').trim().split(',');
  const withPerson = header.join(',') === [...HEADER, PERSON].join(',');
  if (!withPerson && header.join(',') !== HEADER.join(',')) fail(0, `header must be "${HEADER.join(',')}" (optionally ",${PERSON}"), got "${lines[0] ?? ''}"`);
  const columns = HEADER.length + (withPerson ? 1 : 0);
  const rows: PadClipRow[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i]!.trim().split(',');
    if (fields.length !== columns) fail(i, `expected ${columns} comma-separated fields, got ${fields.length}`);
    const [split, clip, label, support, species, light, person] = fields as [string, string, string, string, string, string, string | undefined];
    if (withPerson && !person) fail(i, 'person must not be empty');
    if (!split || !clip) fail(i, 'split and clip must not be empty');
    if (clip.includes('/') || clip.includes('\\') || clip === '..' || split.includes('/') || split === '..') fail(i, `"${split}/${clip}" is not a plain folder name`);
    if (label !== 'bona-fide' && label !== 'attack') fail(i, `label must be bona-fide or attack, got "${label}"`);
    if (!(PAD_SUPPORTS as readonly string[]).includes(support)) fail(i, `support must be one of ${PAD_SUPPORTS.join(', ')}, got "${support}"`);
    if (!(PAD_SPECIES as readonly string[]).includes(species)) fail(i, `species must be one of ${PAD_SPECIES.join(', ')}, got "${species}"`);
    if ((label === 'bona-fide') !== (species === 'bona-fide')) fail(i, `label ${label} contradicts species ${species}`);
    if ((species === 'bona-fide') !== (support === 'none')) fail(i, `support ${support} does not fit species ${species}`);
    const key = `${split}/${clip}`;
    if (seen.has(key)) fail(i, `clip ${key} is listed twice`);
    seen.add(key);
    rows.push({
      split,
      clip,
      label: label as PadClip['label'],
      support: support as PadSupport,
      species: species as PadSpecies,
      light,
      ...(person ? { person } : {}),
      speciesKey: speciesKey(species as PadSpecies, support as PadSupport),
    });
  }
  return rows;
}

/**
 * Reads clips.csv and lists the frames (`*.jpg`, `*.png`) of every clip of `split`. A clip folder that is
 * missing or holds no frames is an error naming it: a protocol with holes would give rates on other clips
 * than it says.
 */
export async function readPadProtocol(clipsCsvPath: string, framesDir: string, split: string): Promise<PadClip[]> {
  let text: string;
  try {
    text = await readFile(clipsCsvPath, 'utf8');
  } catch (error) {
    throw new PadProtocolError(`cannot read ${clipsCsvPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const rows = parseClipsCsv(text, path.basename(clipsCsvPath)).filter((row) => row.split === split);
  if (rows.length === 0) throw new PadProtocolError(`${clipsCsvPath} has no clips in split "${split}"`);
  const clips: PadClip[] = [];
  const missing: string[] = [];
  for (const row of rows) {
    const dir = path.join(framesDir, row.split, row.clip);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((name) => /\.(jpe?g|png)$/i.test(name)).sort();
    } catch {
      names = [];
    }
    if (names.length === 0) missing.push(dir);
    clips.push({ ...row, framePaths: names.map((name) => path.join(dir, name)) });
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 3).join(', ') + (missing.length > 3 ? `, … (${missing.length} in all)` : '');
    throw new PadProtocolError(`frames missing for ${missing.length} of ${rows.length} clips of split "${split}": no frames in ${shown}`);
  }
  return clips;
}
