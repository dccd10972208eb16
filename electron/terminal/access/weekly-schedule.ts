import type { GroupSchedules, WeeklyWindow } from '../../shared/shapes/weekly-schedule.js';

/**
 * One formatter per time zone: the hours in force are looked up for every frame (whether the passive check may be
 * asked) and every decision, and building an Intl.DateTimeFormat costs far more than using one.
 */
const formatters = new Map<string | undefined, Intl.DateTimeFormat>();

/** ISO weekday and "HH:MM" of an instant in a time zone (IANA name; default the machine's). */
export function localTimeOf(atMs: number, timeZone?: string): { isoWeekday: number; hhmm: string } {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(atMs);
  const get = (type: string): string => parts.find((part) => part.type === type)?.value ?? '';
  const isoWeekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  return { isoWeekday, hhmm: `${get('hour')}:${get('minute')}` };
}

/**
 * Whether a person in `groups` may enter at `atMs`. Unrestricted when none of their groups has a schedule;
 * otherwise inside any window of any of their scheduled groups (from inclusive, to exclusive).
 */
export function withinSchedule(groups: readonly string[], schedules: GroupSchedules, atMs: number, timeZone?: string): boolean {
  if (!groups.some((group) => schedules[group] !== undefined)) return true;
  return withinWindows(groups.flatMap((group) => schedules[group] ?? []), atMs, timeZone);
}

/** The first of `schedules` whose windows hold `atMs` (a liveness or credential policy's hours in force), if any. */
export function scheduleInForce<Schedule extends { readonly windows: readonly WeeklyWindow[] }>(schedules: readonly Schedule[], atMs: number, timeZone?: string): Schedule | undefined {
  return schedules.find((schedule) => withinWindows(schedule.windows, atMs, timeZone));
}

/** Whether `atMs` falls inside any of `windows` (from inclusive, to exclusive) in the time zone. */
export function withinWindows(windows: readonly WeeklyWindow[], atMs: number, timeZone?: string): boolean {
  const { isoWeekday, hhmm } = localTimeOf(atMs, timeZone);
  return windows.some((window) => window.days.includes(isoWeekday) && hhmm >= window.from && hhmm < window.to);
}
