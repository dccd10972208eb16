// The terminal settings a hub sets for the site or for one door, as labelled fields. Every door applies them
// through its own settings checks (electron/terminal/app/terminal-app.ts applyHubSettings): the site's for every
// door, a door policy's over them, `access.policy` merged key by key over the door's own. A door refuses a bad
// value only in its log, so each field is checked here with the terminal's own schema before it is sent. An
// empty field is not set by the hub: the door keeps its own value (or, for a door, takes the site's).
import type { ReactNode } from 'react';
import { z } from 'zod';

import { SelectField } from '../common/SelectField.js';
import { TextField } from '../common/TextField.js';
import { issuesByPath, type SettingsIssue } from '../admin/settings/settings-issues.js';
import { isRecord } from '../../../electron/shared/is-record.js';
import { cardFormatNames, credentialsFormatSchema, customCardFormatsSchema, DEFAULT_CARD_FORMAT, type CustomCardFormat } from '../../../electron/shared/shapes/card-formats.js';
import { decisionSettingsSchema } from '../../../electron/shared/shapes/decision-settings.js';
import { weeklyWindowSchema, type WeeklyWindow } from '../../../electron/shared/shapes/weekly-schedule.js';
import { SETTINGS } from '../../../electron/shared/shapes/settings.js';

/** The key of `access.policy` that the hub merges into the door's decision settings. */
const POLICY = 'access.policy';

interface FieldBase {
  /** A top-level setting key, or `access.policy.<key>`. */
  readonly path: string;
  readonly label: string;
  readonly hint: string;
  readonly schema: z.ZodType;
  /** Only on a door's own settings (a name is a door's, not the site's). */
  readonly doorOnly?: boolean;
}

/** A field: typed text, a number shown in `unit` (`scale` stored units per shown one) or one of a few choices. */
export type SettingField = FieldBase & ({ readonly kind: 'text'; readonly placeholder?: string } | { readonly kind: 'number'; readonly unit?: string; readonly scale?: number } | { readonly kind: 'choice'; readonly choices: readonly { readonly value: string; readonly label: string }[] });

/** The settings the hub's screens set, in the order shown. */
export const SETTING_FIELDS: readonly SettingField[] = [
  { path: 'terminal.name', kind: 'text', label: 'Name on the door screen', hint: 'Shown on the kiosk and in exported logs.', schema: SETTINGS['terminal.name'].schema, doorOnly: true },
  { path: `${POLICY}.timeZone`, kind: 'text', label: 'Time zone of the schedules', placeholder: 'Europe/Berlin', hint: 'An IANA time zone name; the schedules are read in it.', schema: decisionSettingsSchema.shape.timeZone.unwrap() },
  { path: 'recognition.targetFpir', kind: 'number', label: 'Strangers taken for someone, per search', hint: 'Target rate, 0.000001 to 0.1 (0.001: one in a thousand); each door sets its threshold for it at its gallery size.', schema: SETTINGS['recognition.targetFpir'].schema },
  { path: `${POLICY}.framesToAgree`, kind: 'number', label: 'Frames to agree', hint: 'Frames that must name the same person before the door opens (1 to 30).', schema: decisionSettingsSchema.shape.framesToAgree.unwrap() },
  { path: `${POLICY}.cooldownMs`, kind: 'number', label: 'Cooldown', unit: 's', scale: 1_000, hint: 'How long after a decision the same face is not decided again (0 to 600 s).', schema: decisionSettingsSchema.shape.cooldownMs.unwrap() },
  {
    path: 'events.snapshots',
    kind: 'choice',
    label: 'Snapshots kept with events',
    hint: 'Which decisions keep a picture of the face.',
    schema: SETTINGS['events.snapshots'].schema,
    choices: [
      { value: 'all', label: 'Every decision' },
      { value: 'denied', label: 'Denials only' },
      { value: 'none', label: 'None' },
    ],
  },
  { path: 'events.retentionDays', kind: 'number', label: 'Keep events for', unit: 'days', hint: '1 to 3650 days; older events are deleted at the door.', schema: SETTINGS['events.retentionDays'].schema },
  { path: 'events.snapshotRetentionDays', kind: 'number', label: 'Keep snapshots for', unit: 'days', hint: '0 to 3650 days; the events stay.', schema: SETTINGS['events.snapshotRetentionDays'].schema },
  {
    path: 'door.showDiagnostics',
    kind: 'choice',
    label: 'Diagnostics on the door screen',
    hint: 'Track numbers, frame rate and latency for a technician.',
    schema: SETTINGS['door.showDiagnostics'].schema,
    choices: [
      { value: 'false', label: 'Hidden' },
      { value: 'true', label: 'Shown' },
    ],
  },
  { path: 'admin.idleLogoutMs', kind: 'number', label: 'Door admin logout after idle', unit: 's', scale: 1_000, hint: '15 to 3600 s without a touch ends an admin session at the door.', schema: SETTINGS['admin.idleLogoutMs'].schema },
];

/** `access.policy.<key>` of a stored settings record; undefined where it is not set. */
export function policyValueOf(settings: Readonly<Record<string, unknown>>, key: string): unknown {
  const policy = settings[POLICY];
  return isRecord(policy) ? policy[key] : undefined;
}

/** `settings` with `access.policy.<key>` set, or removed when `value` is undefined (an `access.policy` left empty goes). */
export function withPolicyValue(settings: Readonly<Record<string, unknown>>, key: string, value: unknown): Record<string, unknown> {
  const { [POLICY]: current, ...rest } = settings;
  const { [key]: _old, ...policy } = isRecord(current) ? current : {};
  const next = value === undefined ? policy : { ...policy, [key]: value };
  return Object.keys(next).length > 0 ? { ...rest, [POLICY]: next } : rest;
}

/** `access.policy.<key>` of a stored settings record as `schema` reads it (its defaults filled); undefined where it is not set or not valid. */
export function parsedPolicyValue<T>(settings: Readonly<Record<string, unknown>>, key: string, schema: z.ZodType<T>): T | undefined {
  const value = policyValueOf(settings, key);
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** A value's issues by path, with the terminal's schema; none when it is not set (nothing is sent). */
export function issuesIfSet(schema: z.ZodType, value: unknown): ReadonlyMap<string, SettingsIssue> {
  return value === undefined ? new Map() : issuesByPath(schema, value);
}

export const doorHoursSchema = weeklyWindowSchema.array().min(1).max(28);

/** The hours a settings record sets for a door (or every door): its windows, null for "any time", undefined when none. */
export function doorHoursOf(settings: Readonly<Record<string, unknown>>): WeeklyWindow[] | null | undefined {
  const hours = policyValueOf(settings, 'doorHours');
  if (hours === null) return null;
  const parsed = doorHoursSchema.safeParse(hours);
  return parsed.success ? parsed.data : undefined;
}

/** The card format a settings record sets for every door: both keys, sent together. */
export interface HubCardFormat {
  readonly 'credentials.format': string;
  readonly 'credentials.customFormats': CustomCardFormat[];
}

const CARD_FORMAT_KEYS = ['credentials.format', 'credentials.customFormats'] as const;

/** The two keys checked with the terminal's schemas, and the format one of those the door will know. */
const hubCardFormatSchema = z
  .object({ 'credentials.format': credentialsFormatSchema, 'credentials.customFormats': customCardFormatsSchema })
  .superRefine((value, ctx) => {
    const names = cardFormatNames(value['credentials.customFormats']);
    if (!names.includes(value['credentials.format'])) {
      ctx.addIssue({ code: 'custom', path: ['credentials.format'], message: `no card format "${value['credentials.format']}": choose one of ${names.join(', ')}` });
    }
  });

/** The card format a stored settings record sets (either key set; the other the terminal's default), or undefined. */
export function cardFormatOf(settings: Readonly<Record<string, unknown>>): HubCardFormat | undefined {
  if (CARD_FORMAT_KEYS.every((key) => settings[key] === undefined)) return undefined;
  const format = credentialsFormatSchema.safeParse(settings['credentials.format'] ?? DEFAULT_CARD_FORMAT);
  const custom = customCardFormatsSchema.safeParse(settings['credentials.customFormats'] ?? []);
  return format.success && custom.success ? { 'credentials.format': format.data, 'credentials.customFormats': custom.data } : undefined;
}

/** `settings` with both card format keys set, or both removed when undefined (each door takes back its own). */
export function withCardFormat(settings: Readonly<Record<string, unknown>>, cardFormat: HubCardFormat | undefined): Record<string, unknown> {
  const { 'credentials.format': _format, 'credentials.customFormats': _custom, ...rest } = settings;
  return cardFormat === undefined ? rest : { ...rest, ...cardFormat };
}

/** The card format's issues by path (under the setting keys), with the terminal's schemas; empty when it may be sent. */
export function cardFormatIssues(cardFormat: HubCardFormat | undefined): ReadonlyMap<string, SettingsIssue> {
  return issuesIfSet(hubCardFormatSchema, cardFormat);
}

/** Each field's text as typed ('' = not set). */
export type SettingTexts = Readonly<Record<string, string>>;

export function fieldsOf(scope: 'site' | 'door'): readonly SettingField[] {
  return SETTING_FIELDS.filter((field) => scope === 'door' || !field.doorOnly);
}

function valueAt(settings: Readonly<Record<string, unknown>>, path: string): unknown {
  if (!path.startsWith(`${POLICY}.`)) return settings[path];
  const policy = settings[POLICY];
  return typeof policy === 'object' && policy !== null ? (policy as Record<string, unknown>)[path.slice(POLICY.length + 1)] : undefined;
}

function textOf(field: SettingField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.kind === 'number' && typeof value === 'number') return String(Number((value / (field.scale ?? 1)).toFixed(6)));
  return String(value);
}

/** The fields' texts for a stored settings record. */
export function settingTexts(settings: Readonly<Record<string, unknown>>, scope: 'site' | 'door'): SettingTexts {
  return Object.fromEntries(fieldsOf(scope).map((field) => [field.path, textOf(field, valueAt(settings, field.path))]));
}

/** Keys of a stored record the form has no field for: kept as they are, and named on screen. */
export function otherSettingKeys(settings: Readonly<Record<string, unknown>>, scope: 'site' | 'door'): string[] {
  // The liveness and credential policies and the door's hours have their own sections (HubLivenessSection,
  // HubCredentialSection, DoorHoursEditor); the site's card format too (CardFormatFields), not yet a door's.
  const paths = new Set([...fieldsOf(scope).map((field) => field.path), `${POLICY}.liveness`, `${POLICY}.credential`, `${POLICY}.doorHours`, ...(scope === 'site' ? CARD_FORMAT_KEYS : [])]);
  const others = Object.keys(settings).filter((key) => key !== POLICY && !paths.has(key));
  const policy = settings[POLICY];
  if (typeof policy === 'object' && policy !== null) others.push(...Object.keys(policy).filter((key) => !paths.has(`${POLICY}.${key}`)).map((key) => `${POLICY}.${key}`));
  return others;
}

/**
 * The settings record from the texts, over `original` (keys without a field stay as they were), or each field's
 * problem in words, by path.
 */
export function settingsFromTexts(texts: SettingTexts, original: Readonly<Record<string, unknown>>, scope: 'site' | 'door'): { readonly settings: Record<string, unknown> } | { readonly problems: Readonly<Record<string, string>> } {
  const settings: Record<string, unknown> = { ...original };
  const policy: Record<string, unknown> = typeof original[POLICY] === 'object' && original[POLICY] !== null ? { ...(original[POLICY] as Record<string, unknown>) } : {};
  const problems: Record<string, string> = {};
  for (const field of fieldsOf(scope)) {
    const text = (texts[field.path] ?? '').trim();
    let value: unknown;
    if (text === '') value = undefined;
    else if (field.kind === 'number') {
      const shown = Number(text.replace(',', '.'));
      if (!Number.isFinite(shown)) {
        problems[field.path] = `${field.label}: must be a number.`;
        continue;
      }
      value = field.scale ? Math.round(shown * field.scale) : shown;
    } else if (field.kind === 'choice' && (text === 'true' || text === 'false')) value = text === 'true';
    else value = text;
    if (value !== undefined) {
      const parsed = field.schema.safeParse(value);
      if (!parsed.success) {
        const message = parsed.error.issues[0]?.message ?? 'is not valid';
        problems[field.path] = `${field.label}: ${message}${field.kind === 'number' && field.scale ? ` (in ms: ${String(value)})` : ''}.`;
        continue;
      }
    }
    if (field.path.startsWith(`${POLICY}.`)) {
      const key = field.path.slice(POLICY.length + 1);
      if (value === undefined) delete policy[key];
      else policy[key] = value;
    } else if (value === undefined) delete settings[field.path];
    else settings[field.path] = value;
  }
  if (Object.keys(problems).length > 0) return { problems };
  if (Object.keys(policy).length > 0) settings[POLICY] = policy;
  else delete settings[POLICY];
  return { settings };
}

/** The fields of a settings record; `inherited` (the site's, for a door) shows as each empty field's placeholder. */
export function HubSettingsFields({
  scope,
  texts,
  onChange,
  problems,
  inherited,
}: {
  readonly scope: 'site' | 'door';
  readonly texts: SettingTexts;
  readonly onChange: (texts: SettingTexts) => void;
  readonly problems: Readonly<Record<string, string>>;
  readonly inherited?: Readonly<Record<string, unknown>>;
}): ReactNode {
  const set = (path: string, text: string): void => onChange({ ...texts, [path]: text });
  const notSet = scope === 'site' ? 'Not set (each door’s own)' : 'Not set (site’s, else own)';
  return (
    <div className="field-grid">
      {fieldsOf(scope).map((field) => {
        const label = field.kind === 'number' && field.unit ? `${field.label} (${field.unit})` : field.label;
        const text = texts[field.path] ?? '';
        const error = problems[field.path] ?? null;
        const siteText = inherited ? textOf(field, valueAt(inherited, field.path)) : '';
        if (field.kind === 'choice') {
          const fromSite = siteText ? field.choices.find((choice) => choice.value === siteText)?.label : undefined;
          return (
            <SelectField
              key={field.path}
              label={label}
              value={text}
              choices={[{ value: '', label: fromSite ? `Not set (the site’s: ${fromSite})` : notSet }, ...field.choices]}
              onChange={(value) => set(field.path, value)}
              hint={field.hint}
              error={error}
            />
          );
        }
        const placeholder = siteText ? `site: ${siteText}` : field.kind === 'text' ? field.placeholder : undefined;
        return (
          <TextField
            key={field.path}
            label={label}
            value={text}
            onChange={(value) => set(field.path, value)}
            maxLength={field.kind === 'number' ? 24 : 64}
            inputMode={field.kind === 'number' ? 'decimal' : 'text'}
            placeholder={placeholder ?? 'not set'}
            hint={field.hint}
            error={error}
          />
        );
      })}
    </div>
  );
}
