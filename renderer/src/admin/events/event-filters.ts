// The events screen's filters, and the contract query they make.
import type { RequestOf } from '../../contract.js';
import { parseCardNumberFilter } from '../../common/card-number-filter.js';
import { parseDateTimeInput } from '../../common/dates.js';

export type EventQuery = RequestOf<'events:query'>;

export interface EventFilters {
  /** `YYYY-MM-DDTHH:MM`, local; '' for no bound. */
  readonly from: string;
  readonly until: string;
  readonly person: { readonly id: string; readonly name: string } | null;
  readonly decision: 'all' | 'granted' | 'denied';
  /** A card number as typed; '' for any card or none. */
  readonly cardNumber: string;
}

export const NO_EVENT_FILTERS: EventFilters = { from: '', until: '', person: null, decision: 'all', cardNumber: '' };

/**
 * The filters as an events:query (without paging); `until` includes its whole minute. A card number that is not
 * one filters nothing: the field says what is wrong with it.
 */
export function eventQueryOf(filters: EventFilters): EventQuery {
  const fromMs = parseDateTimeInput(filters.from);
  const untilMinuteMs = parseDateTimeInput(filters.until);
  const card = parseCardNumberFilter(filters.cardNumber);
  return {
    ...(fromMs !== null ? { fromMs } : {}),
    ...(untilMinuteMs !== null ? { untilMs: untilMinuteMs + 59_999 } : {}),
    ...(filters.person ? { personId: filters.person.id } : {}),
    ...(filters.decision !== 'all' ? { decision: filters.decision } : {}),
    ...('cardNumber' in card && card.cardNumber !== null ? { cardNumber: card.cardNumber } : {}),
  };
}
