// Weekly windows, as schedules and liveness modes name them in the settings (`access.policy`). The terminal
// decides whether an instant falls in one in electron/terminal/access/weekly-schedule.ts.
import { z } from 'zod';

import { groupName } from './fields.js';

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day as HH:MM');

/** One window of a week: ISO weekdays (1 = Monday … 7 = Sunday) and a time span, local time. */
export const weeklyWindowSchema = z
  .strictObject({
    days: z.array(z.int().min(1).max(7)).min(1).max(7),
    from: timeOfDay,
    to: timeOfDay,
  })
  .refine((window) => window.from < window.to, { message: 'a window must end after it starts (split one that crosses midnight in two)' });

/** When the members of each group may enter: group name → windows. Groups without an entry are not restricted. */
export const groupSchedulesSchema = z.record(groupName, z.array(weeklyWindowSchema).min(1).max(28));

/** A mode in force during some weekly windows (the liveness and credential policies' hours), from `mode`'s schema. */
export function modeScheduleSchema<Mode extends z.ZodType>(mode: Mode) {
  return z.strictObject({ windows: z.array(weeklyWindowSchema).min(1).max(28), mode });
}

export type WeeklyWindow = z.infer<typeof weeklyWindowSchema>;
export type GroupSchedules = z.infer<typeof groupSchedulesSchema>;
