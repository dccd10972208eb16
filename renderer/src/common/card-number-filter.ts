// The card number an Events filter is typed as: digits, within the widest Wiegand format's 48 bits.
import { MAX_CARD_FIELD } from '../contract.js';

/** The typed card number: null when the field is empty, a problem in words when it is not a card number. */
export function parseCardNumberFilter(text: string): { readonly cardNumber: number | null } | { readonly problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { cardNumber: null };
  if (!/^\d+$/.test(trimmed)) return { problem: 'A card number is digits only.' };
  const cardNumber = Number(trimmed);
  if (cardNumber > MAX_CARD_FIELD) return { problem: `A card number is at most ${MAX_CARD_FIELD}.` };
  return { cardNumber };
}
