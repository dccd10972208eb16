// Field rules the shapes share: free text, names, bounded integers, device paths. Zod alone: the renderer
// imports these shapes to check a form before it is sent, the terminal to check what it stores.
import { z } from 'zod';

/** True when `text` holds a control character (C0, DEL or C1: a NUL, a line break, an escape). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * Text a person types or picks (names, labels, paths, URLs): a string without control characters. None of
 * these fields needs one, and a NUL or an escape breaks what the text reaches later (SQLite's text functions,
 * paths, log lines, terminals). Every free-text field of a request is built on it, so a bad one answers
 * 'invalid-request' naming the field.
 */
export const freeText = z.string().refine((text) => !hasControlCharacter(text), { message: 'must not contain control characters (NUL, line breaks, escapes)' });

/** A group of people, as schedules and liveness modes name it: 1–64 characters, trimmed. */
export const groupName = freeText.trim().min(1).max(64);

/** An integer in [min, max]; `unit` (e.g. 'ms') is named in the messages, which quote the value given. */
export const intIn = (min: number, max: number, unit = '') => {
  const of = unit === '' ? '' : ` of ${unit}`;
  const range = `must be from ${min} to ${max}${unit === '' ? '' : ` ${unit}`}`;
  return z
    .number({ error: (issue) => `must be a number${of}, got ${JSON.stringify(issue.input)}` })
    .int({ error: (issue) => `must be a whole number${of}, got ${String(issue.input)}` })
    .min(min, { error: (issue) => `${range}, got ${String(issue.input)}` })
    .max(max, { error: (issue) => `${range}, got ${String(issue.input)}` });
};

/** A GPIO line's offset within its chip (GPIO3_A7 → chip 3, line 7). */
export const gpioLine = z.int({ error: 'must be a whole number' }).min(0, 'must be from 0 to 1023').max(1023, 'must be from 0 to 1023');

/** A character device under /dev, e.g. `/dev/gpiochip3`; `example` is named in the message. */
export const devicePath = (example: string) =>
  z
    .string()
    .max(255, 'must be at most 255 characters')
    .regex(/^\/dev\/[\w./-]+$/, `must be a device path such as ${example}`);

/** A GPIO consumer label, shown by `gpioinfo`: the kernel keeps 31 bytes of it. */
export const consumerLabel = z
  .string()
  .min(1)
  .refine((value) => new TextEncoder().encode(value).length <= 31 && !hasControlCharacter(value), 'must be at most 31 bytes without control characters');

/** Name of a card format: a standard one (`wiegand26`, `wiegand34`) or a custom one. */
export const cardFormatName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, 'must name a card format');
