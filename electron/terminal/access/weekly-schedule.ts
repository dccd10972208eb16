import { z } from 'zod';

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day as HH:MM');

/** One window of a week: ISO weekdays (1 = Monday … 7 = Sunday) and a time span, local time. */
export const weeklyWindowSchema = z
  .object({
    days: z.array(z.number().int().min(1).max(7)).min(1),
    from: timeOfDay,
    to: timeOfDay,
  })
  .refine((window) => window.from < window.to, { message: 'a window must end after it starts (split one that crosses midnight in two)' });

/** When the members of each group may enter: group name → windows. Groups without an entry are not restricted. */
export const groupSchedulesSchema = z.record(z.string().min(1), z.array(weeklyWindowSchema).min(1));

export type WeeklyWindow = z.infer<typeof weeklyWindowSchema>;
export type GroupSchedules = z.infer<typeof groupSchedulesSchema>;

/** ISO weekday and "HH:MM" of an instant in a time zone (IANA name; default the machine's). */
export function localTimeOf(atMs: number, timeZone?: string): { isoWeekday: number; hhmm: string } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(atMs);
  const get = (type: string): string => parts.find((part) => part.type === type)?.value ?? '';
  const isoWeekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  return { isoWeekday, hhmm: `${get('hour')}:${get('minute')}` };
}

/**
 * Whether a person in `groups` may enter at `atMs`. Unrestricted when none of their groups has a schedule;
 * otherwise inside any window of any of their scheduled groups (from inclusive, to exclusive).
 */
export function withinSchedule(groups: readonly string[], schedules: GroupSchedules, atMs: number, timeZone?: string): boolean {
  const windows = groups.flatMap((group) => schedules[group] ?? []);
  if (!groups.some((group) => schedules[group] !== undefined)) return true;
  const { isoWeekday, hhmm } = localTimeOf(atMs, timeZone);
  return windows.some((window) => window.days.includes(isoWeekday) && hhmm >= window.from && hhmm < window.to);
}
