import { MAX_CARD_FIELD } from '../../shared/contract/schemas.js';
import { HubStoreError } from './errors.js';
import type { HubCredential, HubPersonInput, HubSampleInput, WireEvent, WireSample } from './hub-store.js';

/** Largest JPEG accepted for a crop or a snapshot, bytes (as on the terminal). */
export const MAX_JPEG_BYTES = 2 * 1024 * 1024;
/** Longest template, floats. */
export const MAX_TEMPLATE_FLOATS = 4096;
/** Largest JSON document (group, schedule, door policy, site settings), bytes. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f]/;

function invalid(message: string): HubStoreError {
  return new HubStoreError('invalid', message);
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function requireUuid(value: unknown, what: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw invalid(`${what} must be a UUID, got ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

export function requireCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid(`${what} must be a whole number ≥ 0, got ${String(value)}`);
  return value;
}

/** Free text of 1..max characters without control characters, trimmed. */
export function requireText(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string') throw invalid(`${what} must be text`);
  const text = value.trim();
  if (text.length < 1 || text.length > max) throw invalid(`${what} must be 1 to ${max} characters, got ${text.length}`);
  if (CONTROL.test(text)) throw invalid(`${what} must not contain control characters`);
  return text;
}

function optionalMs(value: unknown, what: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(`${what} must be ms since epoch (a whole number) or null`);
  return value;
}

/** A person's fields, checked and normalised (groups sorted and unique). */
export interface NormalisedPerson {
  readonly name: string;
  readonly externalId: string | null;
  readonly enabled: boolean;
  readonly validFromMs: number | null;
  readonly validUntilMs: number | null;
  readonly groups: readonly string[];
  readonly credentials: readonly HubCredential[];
}

export function normalisePerson(input: Omit<HubPersonInput, 'samples'>): NormalisedPerson {
  const name = requireText(input.name, 'name', 200);
  const externalId = input.externalId === undefined || input.externalId === null ? null : requireText(input.externalId, 'externalId', 200);
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') throw invalid('enabled must be true or false');
  const validFromMs = optionalMs(input.validFromMs, 'validFromMs');
  const validUntilMs = optionalMs(input.validUntilMs, 'validUntilMs');
  if (validFromMs !== null && validUntilMs !== null && validFromMs >= validUntilMs) throw invalid('validFromMs must be before validUntilMs');
  const groups = [...new Set((input.groups ?? []).map((group) => requireText(group, 'group name', 64)))].sort();
  const credentials = (input.credentials ?? []).map((credential, index) => {
    const cardNumber = requireCount(credential.cardNumber, `credentials[${index}].cardNumber`);
    const facilityCode = credential.facilityCode === null || credential.facilityCode === undefined ? null : requireCount(credential.facilityCode, `credentials[${index}].facilityCode`);
    // The wire's limits (fleet wireCredentialSchema): 16-bit facility codes, 32-bit card numbers.
    if (facilityCode !== null && facilityCode > 0xffff) throw invalid(`credentials[${index}].facilityCode must be at most 65535`);
    if (cardNumber > 0xffff_ffff) throw invalid(`credentials[${index}].cardNumber must be at most 4294967295`);
    return { facilityCode, cardNumber };
  });
  const keys = credentials.map((credential) => `${credential.facilityCode ?? -1}:${credential.cardNumber}`);
  if (new Set(keys).size !== keys.length) throw invalid('the same credential is listed twice');
  return { name, externalId, enabled: input.enabled ?? true, validFromMs, validUntilMs, groups, credentials };
}

/** True when the bytes begin like a JPEG (SOI marker). */
function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

export function requireJpeg(bytes: Uint8Array, what: string): void {
  if (!isJpeg(bytes)) throw invalid(`${what} is not a JPEG`);
  if (bytes.length > MAX_JPEG_BYTES) throw invalid(`${what} is ${bytes.length} bytes, more than ${MAX_JPEG_BYTES}`);
}

/** A sample, checked: a JPEG crop and at least one finite template per model. */
export function checkSample(sample: HubSampleInput, index: number): void {
  if (sample.id !== undefined) requireUuid(sample.id, `samples[${index}].id`);
  requireJpeg(sample.alignedJpeg, `samples[${index}] crop`);
  if (sample.quality === undefined) throw invalid(`samples[${index}].quality is missing`);
  const models = new Set<string>();
  for (const template of sample.templates) {
    requireText(template.modelId, `samples[${index}] template modelId`, 100);
    if (models.has(template.modelId)) throw invalid(`samples[${index}] has two templates of ${template.modelId}`);
    models.add(template.modelId);
    const length = template.template.length;
    if (length < 1 || length > MAX_TEMPLATE_FLOATS) throw invalid(`samples[${index}] template of ${template.modelId} has ${length} floats (1 to ${MAX_TEMPLATE_FLOATS})`);
    if (!template.template.every(Number.isFinite)) throw invalid(`samples[${index}] template of ${template.modelId} holds a non-finite number`);
  }
}

/** Base64 to bytes, refusing text that is not base64 (Buffer.from would silently skip it). */
export function decodeBase64(text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw invalid(`${what} is not base64`);
  return Buffer.from(text, 'base64');
}

/** A sample as a terminal sends it, into the store's input shape. */
export function sampleFromWire(sample: WireSample, index: number): HubSampleInput {
  const templates = sample.templates.map((template) => {
    const bytes = decodeBase64(template.templateBase64, `samples[${index}] template of ${template.modelId}`);
    if (bytes.length !== template.dimension * 4) throw invalid(`samples[${index}] template of ${template.modelId} is ${bytes.length} bytes, not ${template.dimension} floats`);
    // Copied into its own buffer: Float32Array needs 4-byte alignment, a pooled Buffer may not have it.
    const floats = new Float32Array(template.dimension);
    new Uint8Array(floats.buffer).set(bytes);
    return { modelId: template.modelId, template: floats };
  });
  return {
    id: sample.id,
    alignedJpeg: decodeBase64(sample.cropJpegBase64, `samples[${index}] crop`),
    alignment: sample.alignment,
    quality: sample.quality,
    templates,
    createdAtMs: sample.createdAtMs,
    ...(sample.estimatedAgeYears === undefined ? {} : { estimatedAgeYears: sample.estimatedAgeYears }),
  };
}

export function checkEvent(event: WireEvent, index: number): void {
  const at = `events[${index}]`;
  requireUuid(event.uuid, `${at}.uuid`);
  requireCount(event.seq, `${at}.seq`);
  requireCount(event.atMs, `${at}.atMs`);
  if (event.decision !== 'granted' && event.decision !== 'denied') throw invalid(`${at}.decision must be granted or denied`);
  requireText(event.reason, `${at}.reason`, 64);
  if (event.personId !== null) requireUuid(event.personId, `${at}.personId`);
  if (event.similarity !== null && (typeof event.similarity !== 'number' || !(event.similarity >= -1 && event.similarity <= 1))) {
    throw invalid(`${at}.similarity must be between -1 and 1 or null`);
  }
  if (event.livenessScore !== null && !(event.livenessScore >= 0 && event.livenessScore <= 1)) throw invalid(`${at}.livenessScore must be between 0 and 1 or null`);
  if (event.livenessCue !== null) requireText(event.livenessCue, `${at}.livenessCue`, 64);
  if (event.modelId !== undefined && event.modelId !== null) requireText(event.modelId, `${at}.modelId`, 100);
  // Absent from a caller that never parsed the wire schema (which defaults it to null): the same as no card.
  if (event.card !== undefined && event.card !== null) {
    if (typeof event.card !== 'object') throw invalid(`${at}.card must be a card or null`);
    requireCardField(event.card.cardNumber, `${at}.card.cardNumber`);
    if (event.card.facilityCode !== undefined && event.card.facilityCode !== null) requireCardField(event.card.facilityCode, `${at}.card.facilityCode`);
  }
}

function requireCardField(value: unknown, what: string): void {
  if (requireCount(value, what) > MAX_CARD_FIELD) throw invalid(`${what} must be at most ${MAX_CARD_FIELD}, got ${String(value)}`);
}
