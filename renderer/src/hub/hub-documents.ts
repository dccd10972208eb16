// The site's synced documents (groups, schedules, door policies, site settings) as the hub's screens edit them:
// typed bodies (the fleet's payloads, which the hub checks every document against before storing it), writes
// that carry the version the form read (so the hub refuses one over another admin's change), answers in words.
import type { Result } from '../contract.js';
import type { DoorPolicyPayload, GroupPayload, SchedulePayload, SiteSettingsPayload } from '../../../electron/shared/fleet/messages.js';
import type { HubClient, HubRequestOf } from './hub-client.js';

export type DocumentEntity = HubRequestOf<'documents:list'>['entity'];

/** Each entity's body, as the hub stores it (checked against the fleet's payload schema on the way in). */
export interface DocumentBodies {
  readonly group: GroupPayload;
  readonly schedule: SchedulePayload;
  readonly 'door-policy': DoorPolicyPayload;
  readonly 'site-settings': SiteSettingsPayload;
}

export interface HubDocument<E extends DocumentEntity> {
  readonly id: string;
  /** Grows with every write; a form keeps the version it read, so a save can tell someone else changed it. */
  readonly version: number;
  readonly body: DocumentBodies[E];
}

/** What a save or a delete got: its place in the change log, which the doors pull from. */
export interface DocumentWrite {
  readonly seq: number;
  readonly version?: number;
}

/** The site settings' one id. */
export const SITE_SETTINGS_ID = 'site';

/** Every document of an entity, sorted by id. */
export async function listDocuments<E extends DocumentEntity>(client: HubClient, entity: E): Promise<Result<HubDocument<E>[]>> {
  const result = await client['documents:list']({ entity });
  // The hub checked each body against the entity's payload schema before storing it.
  return result.ok ? { ok: true, value: result.value as unknown as HubDocument<E>[] } : result;
}

/**
 * Writes a document. `readVersion` is the version the form was opened with (null: a new one): the hub writes only
 * while the document is still at it, and otherwise answers 'conflict' — someone saved it meanwhile.
 */
export async function saveDocument<E extends DocumentEntity>(client: HubClient, entity: E, id: string, body: DocumentBodies[E], readVersion: number | null): Promise<Result<DocumentWrite & { readonly version: number }>> {
  return withConflictAdvice(await client['documents:put']({ entity, id, body: body as unknown as Record<string, unknown>, expectedVersion: readVersion }));
}

/** Deletes a document while it is still at the version the list showed. */
export async function deleteDocument(client: HubClient, entity: DocumentEntity, id: string, readVersion: number): Promise<Result<DocumentWrite>> {
  return withConflictAdvice(await client['documents:delete']({ entity, id, expectedVersion: readVersion }));
}

function withConflictAdvice<T>(result: Result<T>): Result<T> {
  if (result.ok || result.error.code !== 'conflict') return result;
  return { ok: false, error: { ...result.error, message: `${result.error.message}: someone else saved it meanwhile. Reload to see theirs, then make your change again` } };
}

/** "Group “staff” saved as version 2, change #14: sent to doors; each applies it with its next sync." */
export function savedText(what: string, write: DocumentWrite): string {
  const version = write.version === undefined ? '' : ` as version ${write.version}`;
  return `${what} saved${version}, change #${write.seq}: sent to doors; each applies it with its next sync.`;
}

export function deletedText(what: string, write: DocumentWrite): string {
  return `${what} deleted, change #${write.seq}: sent to doors; each applies it with its next sync.`;
}

const SUBJECTS: Readonly<Record<DocumentEntity, (id: string) => string>> = {
  group: (id) => `group “${id}”`,
  schedule: (id) => `schedule of “${id}”`,
  'door-policy': (id) => `policy of ${id}`,
  'site-settings': () => 'site settings',
};

/**
 * The hub's message in words: the store's `<entity> <id>:` as the document's name, the body's field paths
 * named (`windows.0.to` → `window 1, “to”`, `allowedGroups.2` → `allowed group 3`, `settings.<key>` → `setting <key>`).
 */
export function documentErrorText(message: string): string {
  return message
    .replace(/^(group|schedule|door-policy|site-settings) (.+?): /, (_match, entity: DocumentEntity, id: string) => `${SUBJECTS[entity](id)}: `)
    .replace(/\bwindows\.(\d+)(\.(\w+))?/g, (_match, index: string, _field, field: string | undefined) => `window ${Number(index) + 1}${field ? `, ${field === 'days' ? 'days' : `“${field}”`}` : ''}`)
    .replace(/\ballowedGroups\.(\d+)/g, (_match, index: string) => `allowed group ${Number(index) + 1}`)
    .replace(/\bsettings\.([\w.]+)/g, (_match, key: string) => `setting ${key}`);
}
