// A verified page of the hub's change log, turned into the store's writes and applied with the cursor in one
// SQLite transaction. Plain functions over the store: the MQTT side (hub-link.ts) only moves bytes.
import type { Change, ChangePage, DoorPolicyPayload, PersonPayload, WireSample } from '../../shared/fleet/messages.js';
import type { AlignmentTemplate } from '../../vision/align/align-face.js';
import { decodeTemplate, type SyncedSampleInput } from '../store/samples-repository.js';
import type { SyncedResult, SyncedWrite, TerminalStore } from '../store/store.js';

/** What applying one page did. */
export interface AppliedPage extends SyncedResult {
  /** The cursor after the page: its `lastSeq`. */
  readonly appliedSeq: number;
  /** Groups whose weekly schedule the page set or removed (in the `access.policy` setting). */
  readonly schedules: readonly string[];
  /** Whether the page changed this door's policy (its allowed groups) or the settings the hub sets for it. */
  readonly settingsChanged: boolean;
  /**
   * Changes of records this terminal keeps no copy of: groups (people carry their group names), other doors'
   * policies, cards apart from a person.
   */
  readonly ignored: number;
}

/** The store's write for one change, or null for an entity the terminal keeps no copy of. */
export function toSyncedWrite(change: Change): SyncedWrite | null {
  if (change.entity !== 'person') return null;
  if (change.op === 'delete') return { kind: 'erase-person', id: change.id };
  return personWrite(change.version, change.payload);
}

function personWrite(version: number, payload: PersonPayload): SyncedWrite {
  return {
    kind: 'put-person',
    id: payload.id,
    version,
    createdAtMs: payload.createdAtMs,
    updatedAtMs: payload.updatedAtMs,
    person: {
      name: payload.name,
      externalId: payload.externalId,
      enabled: payload.enabled,
      validFromMs: payload.validFromMs,
      validUntilMs: payload.validUntilMs,
      groups: payload.groups,
      // One card per person here: the first, as the wire schema says.
      credential: payload.credentials[0] ?? null,
    },
    samples: payload.samples.map(toSyncedSample),
  };
}

/**
 * The alignment record of a synced crop, when the hub sent one of the shape the store keeps (crop size and five
 * points); anything else is kept as unknown, and a rebuild then names the sample rather than guessing.
 */
function toAlignment(alignment: WireSample['alignment']): AlignmentTemplate | null {
  if (typeof alignment !== 'object' || alignment === null || Array.isArray(alignment)) return null;
  const { sizePx, fivePointsPx } = alignment as { sizePx?: unknown; fivePointsPx?: unknown };
  if (typeof sizePx !== 'number' || !Array.isArray(fivePointsPx) || fivePointsPx.length !== 5) return null;
  const points = fivePointsPx.map((point) => (Array.isArray(point) && point.length === 2 && point.every((value) => typeof value === 'number') ? ([point[0], point[1]] as [number, number]) : null));
  if (points.some((point) => point === null)) return null;
  return { sizePx, fivePointsPx: points as [number, number][] };
}

function toSyncedSample(sample: WireSample): SyncedSampleInput {
  return {
    id: sample.id,
    createdAtMs: sample.createdAtMs,
    alignment: toAlignment(sample.alignment),
    quality: sample.quality,
    alignedJpeg: Buffer.from(sample.cropJpegBase64, 'base64'),
    templates: sample.templates.map(({ modelId, templateBase64 }) => ({ modelId, template: decodeTemplate(Buffer.from(templateBase64, 'base64')) })),
    ...(sample.estimatedAgeYears === undefined ? {} : { estimatedAgeYears: sample.estimatedAgeYears }),
  };
}

/**
 * Applies a verified page: every person write and erasure of it and the cursor (`lastSeq`) in ONE transaction,
 * so a crash or a refused record leaves the terminal at the previous cursor with nothing of the page applied.
 * A page that starts behind the cursor (a replay) is applied all the same: a person already at the page's
 * version is skipped, and the cursor never moves back. Throws a StoreError when a record is refused.
 */
export function applyPage(store: Pick<TerminalStore, 'applySynced' | 'hubSync' | 'settings'>, page: ChangePage): AppliedPage {
  const writes: SyncedWrite[] = [];
  /** A group's windows, or null where the hub deleted its schedule; the last change of a group wins. */
  const schedules = new Map<string, Change & { entity: 'schedule' }>();
  // This door's policy and the site's settings: undefined where the page has none, null where the hub deleted it.
  let doorPolicy: DoorPolicyPayload | null | undefined;
  let siteSettings: Readonly<Record<string, unknown>> | null | undefined;
  const terminalId = store.hubSync.link()?.terminalId;
  let ignored = 0;
  for (const change of page.changes) {
    if (change.entity === 'schedule') {
      schedules.set(change.id, change as Change & { entity: 'schedule' });
      continue;
    }
    if (change.entity === 'door-policy' && change.id === terminalId) {
      doorPolicy = change.op === 'delete' ? null : change.payload;
      continue;
    }
    if (change.entity === 'site-settings') {
      siteSettings = change.op === 'delete' ? null : change.payload.settings;
      continue;
    }
    const write = toSyncedWrite(change);
    if (write === null) ignored++;
    else writes.push(write);
  }
  let appliedSeq = 0;
  const result = store.applySynced(writes, () => {
    if (schedules.size > 0 || doorPolicy !== undefined) {
      // The site's schedules and this door's allowed groups are the hub's: written in the page's transaction.
      const policy = store.settings.get('access.policy');
      const next = { ...policy.schedules };
      for (const [group, change] of schedules) {
        if (change.op === 'delete') delete next[group];
        else next[change.payload.group] = change.payload.windows;
      }
      const allowedGroups = doorPolicy === undefined ? policy.allowedGroups : (doorPolicy?.allowedGroups ?? null);
      store.settings.update({ 'access.policy': { ...policy, schedules: next, allowedGroups } });
    }
    // Other settings go through the terminal's own checks (a camera, a model) after the page: kept here, so that
    // one refused or a crash before they are applied loses nothing (the terminal applies them again at start).
    if (doorPolicy !== undefined) store.hubSync.setHubSettings('door', doorPolicy?.settings ?? {});
    if (siteSettings !== undefined) store.hubSync.setHubSettings('site', siteSettings ?? {});
    appliedSeq = Math.max(store.hubSync.link()?.appliedSeq ?? 0, page.lastSeq);
    store.hubSync.setAppliedSeq(appliedSeq);
  });
  return { ...result, appliedSeq, schedules: [...schedules.keys()], settingsChanged: doorPolicy !== undefined || siteSettings !== undefined, ignored };
}
