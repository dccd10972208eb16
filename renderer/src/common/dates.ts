// Local dates and times for inputs and labels. Date inputs speak `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM` in the
// terminal's local time; the contract speaks ms since the epoch.

const pad = (n: number): string => String(n).padStart(2, '0');

/** `YYYY-MM-DD` of a moment, local time; '' for null. */
export function toDateInput(ms: number | null): string {
  if (ms === null) return '';
  const date = new Date(ms);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** `YYYY-MM-DDTHH:MM` of a moment, local time; '' for null. */
export function toDateTimeInput(ms: number | null): string {
  if (ms === null) return '';
  const date = new Date(ms);
  return `${toDateInput(ms)}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function parseDate(value: string): [number, number, number] | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day ? [year, month, day] : null;
}

/** The first ms of a `YYYY-MM-DD` day, local time; null for empty or invalid. */
export function startOfDayMs(value: string): number | null {
  const parts = parseDate(value);
  return parts ? new Date(parts[0], parts[1] - 1, parts[2]).getTime() : null;
}

/** The last ms of a `YYYY-MM-DD` day, local time (a pass valid "until" a day is valid all that day). */
export function endOfDayMs(value: string): number | null {
  const parts = parseDate(value);
  return parts ? new Date(parts[0], parts[1] - 1, parts[2] + 1).getTime() - 1 : null;
}

/** A `YYYY-MM-DDTHH:MM` local moment in ms; null for empty or invalid. */
export function parseDateTimeInput(value: string): number | null {
  const match = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)$/.exec(value.trim());
  if (!match) return null;
  const dayMs = startOfDayMs(match[1] ?? '');
  if (dayMs === null) return null;
  const day = new Date(dayMs);
  return new Date(day.getFullYear(), day.getMonth(), day.getDate(), Number(match[2]), Number(match[3])).getTime();
}

/** `HH:MM:SS`, local time, 24-hour. */
export function formatClockTime(ms: number): string {
  const date = new Date(ms);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `HH:MM`, local time, 24-hour. */
export function formatHourMinute(ms: number): string {
  const date = new Date(ms);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** `YYYY-MM-DD HH:MM:SS`, local time. */
export function formatDateTime(ms: number): string {
  return `${toDateInput(ms)} ${formatClockTime(ms)}`;
}
