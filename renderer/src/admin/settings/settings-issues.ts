// Validation of the settings form with the contract's own schema, issue by field, in plain words.
import type { z } from 'zod';

import { settingsSchema } from '../../contract.js';
import type { Settings } from '../../store/types.js';

export type SettingsIssue = z.core.$ZodIssue;
export type IssuePath = readonly (string | number)[];

const pathKey = (path: IssuePath): string => JSON.stringify(path);

/** The changed settings' issues by field path; empty when the change is valid. */
export function settingsIssues(values: Partial<Settings>): ReadonlyMap<string, SettingsIssue> {
  return issuesByPath(settingsSchema.partial(), values);
}

/** `value`'s issues against `schema` by path (the first at each), for {@link issueAt}; empty when it is valid. */
export function issuesByPath(schema: z.ZodType, value: unknown): ReadonlyMap<string, SettingsIssue> {
  const result = schema.safeParse(value);
  const issues = new Map<string, SettingsIssue>();
  if (result.success) return issues;
  for (const issue of result.error.issues) {
    const key = pathKey(issue.path.filter((part): part is string | number => typeof part !== 'symbol'));
    if (!issues.has(key)) issues.set(key, issue);
  }
  return issues;
}

/** The issue of one field. */
export function issueAt(issues: ReadonlyMap<string, SettingsIssue>, path: IssuePath): SettingsIssue | undefined {
  return issues.get(pathKey(path));
}

const trimNumber = (value: number): string => String(Number(value.toFixed(4)));

/**
 * An issue in words. Bounds are shown in the field's own unit: `scale` is how many stored units one shown unit is
 * (1000 for a field in seconds storing ms).
 */
export function issueText(issue: SettingsIssue, scale = 1, unit = ''): string {
  const suffix = unit ? ` ${unit}` : '';
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'Required.' : `At least ${issue.minimum} characters.`;
      if (issue.origin === 'array') return `At least ${issue.minimum}.`;
      return `At least ${trimNumber(Number(issue.minimum) / scale)}${suffix}.`;
    case 'too_big':
      if (issue.origin === 'string') return `At most ${issue.maximum} characters.`;
      if (issue.origin === 'array') return `At most ${issue.maximum}.`;
      return `At most ${trimNumber(Number(issue.maximum) / scale)}${suffix}.`;
    case 'invalid_type':
      if (issue.expected === 'int') return 'Enter a whole number.';
      if (issue.expected === 'number') return 'Enter a number.';
      return 'Required.';
    default: {
      const message = issue.message;
      return `${message.charAt(0).toUpperCase()}${message.slice(1)}${message.endsWith('.') ? '' : '.'}`;
    }
  }
}

/** A setting the terminal refused on save, with its words, for the field that holds it. */
export interface RefusedSetting {
  readonly key: string;
  readonly message: string;
}

/**
 * The setting a refusal names (`setting camera.uri: the camera … cannot be used: …`) when it is one of those being
 * saved; null for any other error, which the save bar shows as it is.
 */
export function refusedSetting(message: string, saving: readonly string[]): RefusedSetting | null {
  const match = /^setting ([\w.]+): ([\s\S]+)$/.exec(message);
  if (!match?.[1] || !match[2] || !saving.includes(match[1])) return null;
  const words = match[2];
  return { key: match[1], message: `${words.charAt(0).toUpperCase()}${words.slice(1)}${words.endsWith('.') ? '' : '.'}` };
}

/** Keys whose value differs between the stored settings and the form. */
export function changedSettings(stored: Settings, draft: Settings): Partial<Settings> {
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(draft) as (keyof Settings)[]) {
    if (JSON.stringify(draft[key]) !== JSON.stringify(stored[key])) changed[key] = draft[key];
  }
  return changed as Partial<Settings>;
}
