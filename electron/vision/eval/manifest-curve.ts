/**
 * Writes an extractor's identification curve into the manifest's text in place: only that model's
 * `identification` member changes (replaced, or added after its last member), so the rest of the file —
 * other people's entries, escapes, number formats — stays byte for byte as it was.
 */
import type { IdentificationCurve } from '../models/manifest.js';

/** Thrown when the manifest text has no such model entry. */
export class ManifestEditError extends Error {
  override readonly name = 'ManifestEditError';
}

/** Index just past the JSON value starting at `start` (object, array, string or scalar). */
function endOfValue(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return i + 1;
      }
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
      if (depth < 0) return i;
    } else if (depth === 0 && (c === ',' || c === '\n')) return i;
  }
  return text.length;
}

/** Members of the object starting at `open` ('{'): name, where its value starts and ends. */
function members(text: string, open: number): Array<{ name: string; keyAt: number; valueAt: number; valueEnd: number }> {
  const out: Array<{ name: string; keyAt: number; valueAt: number; valueEnd: number }> = [];
  let i = open + 1;
  for (;;) {
    while (i < text.length && /[\s,]/.test(text[i]!)) i++;
    if (text[i] !== '"') return out;
    const keyEnd = endOfValue(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    let valueAt = text.indexOf(':', keyEnd) + 1;
    while (/\s/.test(text[valueAt]!)) valueAt++;
    const valueEnd = endOfValue(text, valueAt);
    out.push({ name, keyAt: i, valueAt, valueEnd });
    i = valueEnd;
  }
}

/** The curve as JSON indented for a model member at `indent` spaces, one point per line. */
function formatCurve(curve: IdentificationCurve, indent: string): string {
  const inner = `${indent}  `;
  const points = curve.points.map((p) => `${inner}  ${JSON.stringify(p).replace(/[:,]/g, '$& ')}`).join(',\n');
  const protocol = JSON.stringify(curve.protocol, null, 2).split('\n').join(`\n${inner}`);
  const reference = curve.galleryReference ? `,\n${inner}"galleryReference": ${JSON.stringify(curve.galleryReference).replace(/[:,]/g, '$& ')}` : '';
  const meanTemplate = curve.meanTemplate ? `,\n${inner}"meanTemplate": ${JSON.stringify(curve.meanTemplate, null, 2).split('\n').join(`\n${inner}`)}` : '';
  return `{\n${inner}"points": [\n${points}\n${inner}],\n${inner}"protocol": ${protocol}${reference}${meanTemplate}\n${indent}}`;
}

/** `manifestText` with `curve` as the `identification` of model `modelId`. */
export function withIdentificationCurve(manifestText: string, modelId: string, curve: IdentificationCurve): string {
  const root = manifestText.indexOf('{');
  const modelsMember = members(manifestText, root).find((m) => m.name === 'models');
  const model = modelsMember && members(manifestText, modelsMember.valueAt).find((m) => m.name === modelId);
  if (!model || manifestText[model.valueAt] !== '{') throw new ManifestEditError(`the manifest has no model "${modelId}"`);
  const fields = members(manifestText, model.valueAt);
  const lineStart = manifestText.lastIndexOf('\n', fields[0]?.keyAt ?? model.valueAt) + 1;
  const indent = manifestText.slice(lineStart, fields[0]?.keyAt ?? lineStart);
  const formatted = formatCurve(curve, indent);
  const existing = fields.find((f) => f.name === 'identification');
  if (existing) return manifestText.slice(0, existing.valueAt) + formatted + manifestText.slice(existing.valueEnd);
  const last = fields.at(-1);
  if (!last) throw new ManifestEditError(`model "${modelId}" has no members`);
  return `${manifestText.slice(0, last.valueEnd)},\n${indent}"identification": ${formatted}${manifestText.slice(last.valueEnd)}`;
}
