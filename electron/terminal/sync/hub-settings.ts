// The settings a door takes from the hub: the site's, this door's policy's over them, `access.policy` merged key
// by key at every step so that a door policy setting one decision key still follows the site for the others.
import { isSettingKey, type Settings } from '../../shared/shapes/settings.js';

const POLICY = 'access.policy';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The setting values to apply for `site` and `door` (as the hub sent them) over the door's `currentPolicy`: every
 * key of the two, the door's over the site's; `access.policy` as the current one with the site's keys over it and
 * the door's over those, keeping the schedules and allowed groups the change log wrote. Keys that are no setting
 * are returned apart, to be logged.
 */
export function hubSettingValues(site: Readonly<Record<string, unknown>>, door: Readonly<Record<string, unknown>>, currentPolicy: Settings['access.policy']): { values: Partial<Record<keyof Settings, unknown>>; unknown: string[] } {
  const values: Partial<Record<keyof Settings, unknown>> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries({ ...site, ...door })) {
    if (!isSettingKey(key)) unknown.push(key);
    else if (key !== POLICY) values[key] = value;
  }
  const sitePolicy = site[POLICY];
  const doorPolicy = door[POLICY];
  if (isRecord(sitePolicy) || isRecord(doorPolicy)) {
    values[POLICY] = {
      ...currentPolicy,
      ...(isRecord(sitePolicy) ? sitePolicy : {}),
      ...(isRecord(doorPolicy) ? doorPolicy : {}),
      schedules: currentPolicy.schedules,
      allowedGroups: currentPolicy.allowedGroups,
    };
  } else if (sitePolicy !== undefined || doorPolicy !== undefined) values[POLICY] = doorPolicy ?? sitePolicy;
  return { values, unknown };
}
