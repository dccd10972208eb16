// A site's own card format, as the settings hold it (`credentials.customFormats`): a layout line and parity lines
// copied from the card's data sheet. The terminal compiles and encodes formats (electron/terminal/door/card-format.ts).
import { z } from 'zod';

import { cardFormatName } from './fields.js';

/** Field widths are capped so numbers stay exact in a JavaScript number. */
const MAX_FIELD_BITS = 48;

/** The formats every terminal knows (defined in electron/terminal/door/card-format.ts), first in every list. */
export const STANDARD_CARD_FORMAT_NAMES = ['wiegand26', 'wiegand34'] as const;

/** Names of every format available with `custom` formats configured: the standard ones first. */
export function cardFormatNames(custom: readonly { readonly name: string }[] = []): string[] {
  return [...STANDARD_CARD_FORMAT_NAMES, ...custom.map((format) => format.name)];
}

/** Problems of a description's layout and parity lines (empty when usable). */
export function layoutProblems(description: { layout: string; parity: readonly string[] }): string[] {
  const { layout, parity } = description;
  const problems: string[] = [];
  const facility = [...layout].filter((char) => char === 'F').length;
  const card = [...layout].filter((char) => char === 'C').length;
  if (card === 0) problems.push('layout needs card number bits (C)');
  if (facility > MAX_FIELD_BITS || card > MAX_FIELD_BITS) problems.push(`a field has at most ${MAX_FIELD_BITS} bits`);
  const parityBits = [...layout].flatMap((char, bit) => (char === 'P' ? [bit] : []));
  const setBy = new Map<number, number>();
  parity.forEach((line, index) => {
    const where = `parity line ${index + 1}`;
    if (line.length !== layout.length) problems.push(`${where} has ${line.length} characters, the layout ${layout.length}`);
    const markers = [...line].flatMap((char, bit) => (char === 'E' || char === 'O' ? [bit] : []));
    if (markers.length !== 1) {
      problems.push(`${where} needs exactly one E or O (the parity bit it sets), found ${markers.length}`);
      return;
    }
    const bit = markers[0] as number;
    if (layout[bit] !== 'P') problems.push(`${where} sets bit ${bit + 1}, which the layout does not mark P`);
    if (setBy.has(bit)) problems.push(`${where} sets bit ${bit + 1}, already set by parity line ${(setBy.get(bit) as number) + 1}`);
    setBy.set(bit, index);
    if (!line.includes('X')) problems.push(`${where} covers no bit (X)`);
  });
  for (const bit of parityBits) if (!setBy.has(bit)) problems.push(`parity bit ${bit + 1} (P in the layout) has no parity line`);
  return problems;
}

/**
 * A custom format as configured. `layout` has one character per bit, first bit sent first: `P` parity, `F`
 * facility code, `C` card number, `0`/`1` fixed bits. Each `parity` line has the same length: `E` (even) or `O`
 * (odd) at the parity bit it sets, `X` at the bits it covers, `.` elsewhere; lines are applied in order, so a
 * parity that covers another parity bit comes after it.
 */
export const customCardFormatSchema = z
  .strictObject({
    /** How credentials and outputs name the format, e.g. `h10304`; not `wiegand26` or `wiegand34`. */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, 'must be 1–32 lower-case letters, digits and ._-')
      .refine((name) => !(STANDARD_CARD_FORMAT_NAMES as readonly string[]).includes(name), `${STANDARD_CARD_FORMAT_NAMES.join(' and ')} are the standard formats: give a custom one another name`),
    layout: z.string().regex(/^[PFC01]{2,128}$/, 'must be 2–128 characters of P (parity), F (facility), C (card), 0 or 1'),
    parity: z.array(z.string().regex(/^[.XEO]{2,128}$/, 'a parity line is made of . X E O')).max(8, 'at most 8 parity bits'),
  })
  .superRefine((description, ctx) => {
    for (const problem of layoutProblems(description)) ctx.addIssue({ code: 'custom', message: problem });
  });

export type CustomCardFormat = z.output<typeof customCardFormatSchema>;

/** The custom formats of a site; at most 16, names unique. */
export const customCardFormatsSchema = z
  .array(customCardFormatSchema)
  .max(16)
  .refine((formats) => new Set(formats.map((format) => format.name)).size === formats.length, 'format names must be unique');

/** The format a terminal uses unless configured otherwise: H10301, the 26-bit format every panel knows. */
export const DEFAULT_CARD_FORMAT = 'wiegand26';

/** The setting `credentials.format`: the format of the people's card credentials. */
export const credentialsFormatSchema = cardFormatName;
