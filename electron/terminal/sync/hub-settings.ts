// The settings a door takes from the hub: the site's, this door's policy's over them, `access.policy` merged key
// by key at every step so that a door policy setting one decision key still follows the site for the others. What
// the hub sets over the door's own value, the door keeps aside, and takes back when the hub stops setting it.
import { isRecord } from '../../shared/is-record.js';
import { isSettingKey, type Settings } from '../../shared/shapes/settings.js';

const POLICY = 'access.policy';
/** Decision keys the change log writes (schedules, the door policy's groups): never the hub settings'. */
const CHANGE_LOG_KEYS = new Set(['schedules', 'allowedGroups']);

/** The door's own value of a setting the hub sets over it; no `value` where the door had none (an optional key). */
export interface OwnValue {
  readonly value?: unknown;
}

/** The door's own values under the hub's, by setting key or `access.policy.<key>`. */
export type OwnSettings = Readonly<Record<string, OwnValue>>;

/** What {@link hubSettingValues} gives: the values to apply, keys that are no setting, the own values to keep. */
export interface HubSettingValues {
  readonly values: Partial<Record<keyof Settings, unknown>>;
  readonly unknown: string[];
  readonly own: Record<string, OwnValue>;
}

/**
 * The setting values to apply for `site` and `door` (as the hub sent them) over the door's settings (`current`):
 * every key of the two, the door's over the site's; `access.policy` as the current one with the site's keys over
 * it and the door's over those, keeping the schedules and allowed groups the change log wrote. The door's own value
 * of a key the hub sets for the first time goes into `own`; a key in `own` the hub no longer sets gets its own value
 * back. Keys that are no setting are returned apart, to be logged.
 */
export function hubSettingValues(site: Readonly<Record<string, unknown>>, door: Readonly<Record<string, unknown>>, current: Settings, own: OwnSettings = {}): HubSettingValues {
  const values: Partial<Record<keyof Settings, unknown>> = {};
  const unknown: string[] = [];
  const kept: Record<string, OwnValue> = { ...own };
  const set = new Set<string>();
  for (const [key, value] of Object.entries({ ...site, ...door })) {
    if (!isSettingKey(key)) unknown.push(key);
    else if (key !== POLICY) {
      values[key] = value;
      set.add(key);
      if (!(key in kept)) kept[key] = { value: current[key] };
    }
  }
  const sitePolicy = site[POLICY];
  const doorPolicy = door[POLICY];
  const currentPolicy = current[POLICY];
  const hubPolicy = { ...(isRecord(sitePolicy) ? sitePolicy : {}), ...(isRecord(doorPolicy) ? doorPolicy : {}) };
  for (const key of Object.keys(hubPolicy)) {
    if (CHANGE_LOG_KEYS.has(key)) continue;
    set.add(`${POLICY}.${key}`);
    const mine = (currentPolicy as Record<string, unknown>)[key];
    if (!(`${POLICY}.${key}` in kept)) kept[`${POLICY}.${key}`] = mine === undefined ? {} : { value: mine };
  }
  // What the hub no longer sets goes back to the door's own value.
  const policy: Record<string, unknown> = { ...currentPolicy };
  let policyRestored = false;
  for (const [id, ownValue] of Object.entries(own)) {
    if (set.has(id)) continue;
    delete kept[id];
    if (id.startsWith(`${POLICY}.`)) {
      const key = id.slice(POLICY.length + 1);
      if ('value' in ownValue) policy[key] = ownValue.value;
      else delete policy[key];
      policyRestored = true;
    } else if (isSettingKey(id) && id !== POLICY) values[id] = ownValue.value;
  }
  if (isRecord(sitePolicy) || isRecord(doorPolicy) || policyRestored) {
    values[POLICY] = { ...policy, ...hubPolicy, schedules: currentPolicy.schedules, allowedGroups: currentPolicy.allowedGroups };
  } else if (sitePolicy !== undefined || doorPolicy !== undefined) values[POLICY] = doorPolicy ?? sitePolicy;
  return { values, unknown, own: kept };
}
