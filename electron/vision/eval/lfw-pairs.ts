/**
 * Parser for LFW's `pairs.txt` (View 2): a header `<folds> <pairsPerFold>`, then for each fold
 * `pairsPerFold` same-person lines `Name i j` followed by `pairsPerFold` different-person lines
 * `NameA i NameB j`. Fields are separated by tabs or spaces; image numbers are 1-based.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** One verification pair with resolved image paths. */
export interface LfwPair {
  /** 0-based fold index. */
  fold: number;
  /** True for a same-person pair. */
  same: boolean;
  imageA: string;
  imageB: string;
  /** 1-based line in pairs.txt, for error messages and reports. */
  lineNumber: number;
}

/** The parsed file. */
export interface LfwPairsFile {
  folds: number;
  pairsPerFold: number;
  /** folds × 2 × pairsPerFold pairs, in file order. */
  pairs: LfwPair[];
}

/** A malformed pairs file; `lineNumber` is 1-based. */
export class LfwPairsParseError extends Error {
  readonly lineNumber: number;

  constructor(source: string, lineNumber: number, detail: string) {
    super(`${source} line ${lineNumber}: ${detail}`);
    this.name = 'LfwPairsParseError';
    this.lineNumber = lineNumber;
  }
}

/** Path of LFW image `imageNumber` (1-based) of `name`: `<imagesDir>/<name>/<name>_<NNNN>.jpg`. */
export function lfwImagePath(imagesDir: string, name: string, imageNumber: number): string {
  return path.join(imagesDir, name, `${name}_${String(imageNumber).padStart(4, '0')}.jpg`);
}

const POSITIVE_INTEGER = /^[1-9][0-9]*$/;

/**
 * Parses pairs.txt text, resolving image paths under `imagesDir`. Throws LfwPairsParseError naming the line
 * for a bad header, a line with the wrong number of fields, a bad image number or a missing/extra line.
 * `sourceName` (default 'pairs.txt') prefixes error messages.
 */
export function parseLfwPairs(text: string, imagesDir: string, sourceName = 'pairs.txt'): LfwPairsFile {
  const lines = text.split(/\r?\n/);
  // Trailing blank lines are common (editors add them); blank lines inside the body are errors below.
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const fail = (lineIndex: number, detail: string): never => {
    throw new LfwPairsParseError(sourceName, lineIndex + 1, detail);
  };

  const header = (lines[0] ?? '').trim().split(/\s+/);
  if (header.length !== 2 || !header.every((f) => POSITIVE_INTEGER.test(f))) {
    fail(0, `expected a header "<folds> <pairsPerFold>" of two positive integers, got "${lines[0] ?? ''}"`);
  }
  const folds = Number(header[0]);
  const pairsPerFold = Number(header[1]);
  const expectedLines = 1 + folds * 2 * pairsPerFold;
  if (lines.length < expectedLines) {
    fail(lines.length, `file ends after ${lines.length - 1} pair lines; the header promises ${folds} folds × 2 × ${pairsPerFold} = ${expectedLines - 1}`);
  }
  if (lines.length > expectedLines) {
    fail(expectedLines, `unexpected line after the ${expectedLines - 1} pairs the header promises`);
  }

  const imageNumber = (field: string, lineIndex: number): number => {
    if (!POSITIVE_INTEGER.test(field)) fail(lineIndex, `image number "${field}" is not a positive integer`);
    return Number(field);
  };

  const pairs: LfwPair[] = [];
  for (let fold = 0; fold < folds; fold++) {
    for (let k = 0; k < 2 * pairsPerFold; k++) {
      const lineIndex = 1 + fold * 2 * pairsPerFold + k;
      const same = k < pairsPerFold;
      const fields = lines[lineIndex]!.trim().split(/\s+/).filter((f) => f !== '');
      const lineNumber = lineIndex + 1;
      if (same) {
        if (fields.length !== 3) {
          fail(lineIndex, `expected a same-person pair "Name i j" (3 fields, fold ${fold + 1}), got ${fields.length} fields`);
        }
        const [name, i, j] = fields as [string, string, string];
        pairs.push({
          fold,
          same,
          imageA: lfwImagePath(imagesDir, name, imageNumber(i, lineIndex)),
          imageB: lfwImagePath(imagesDir, name, imageNumber(j, lineIndex)),
          lineNumber,
        });
      } else {
        if (fields.length !== 4) {
          fail(lineIndex, `expected a different-person pair "NameA i NameB j" (4 fields, fold ${fold + 1}), got ${fields.length} fields`);
        }
        const [nameA, i, nameB, j] = fields as [string, string, string, string];
        pairs.push({
          fold,
          same,
          imageA: lfwImagePath(imagesDir, nameA, imageNumber(i, lineIndex)),
          imageB: lfwImagePath(imagesDir, nameB, imageNumber(j, lineIndex)),
          lineNumber,
        });
      }
    }
  }
  return { folds, pairsPerFold, pairs };
}

/** Reads and parses a pairs.txt file; errors name the file and line. */
export async function readLfwPairs(pairsPath: string, imagesDir: string): Promise<LfwPairsFile> {
  let text: string;
  try {
    text = await readFile(pairsPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LfwPairsParseError(pairsPath, 0, code === 'ENOENT' ? 'no such file: give the path of LFW\'s pairs.txt' : `cannot be read (${code ?? String(error)})`);
  }
  return parseLfwPairs(text, imagesDir, pairsPath);
}
