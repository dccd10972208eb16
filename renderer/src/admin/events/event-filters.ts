// The events screen's filters, and the contract query they make.
import type { RequestOf } from '../../contract.js';
import { parseDateTimeInput } from '../../common/dates.js';

export type EventQuery = RequestOf<'events:query'>;

export interface EventFilters {
  /** `YYYY-MM-DDTHH:MM`, local; '' for no bound. */
  readonly from: string;
  readonly until: string;
  readonly person: { readonly id: string; readonly name: string } | null;
  readonly decision: 'all' | 'granted' | 'denied';
}

export const NO_EVENT_FILTERS: EventFilters = { from: '', until: '', person: null, decision: 'all' };

/** The filters as an events:query (without paging); `until` includes its whole minute. */
export function eventQueryOf(filters: EventFilters): EventQuery {
  const fromMs = parseDateTimeInput(filters.from);
  const untilMinuteMs = parseDateTimeInput(filters.until);
  return {
    ...(fromMs !== null ? { fromMs } : {}),
    ...(untilMinuteMs !== null ? { untilMs: untilMinuteMs + 59_999 } : {}),
    ...(filters.person ? { personId: filters.person.id } : {}),
    ...(filters.decision !== 'all' ? { decision: filters.decision } : {}),
  };
}
