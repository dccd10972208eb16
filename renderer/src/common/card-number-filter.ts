// The card number an Events filter is typed as: digits, within the widest Wiegand format's 48 bits.

/** Largest card number any format carries (48 bits). */
const MAX_CARD_NUMBER = 2 ** 48 - 1;

/** The typed card number: null when the field is empty, a problem in words when it is not a card number. */
export function parseCardNumberFilter(text: string): { readonly cardNumber: number | null } | { readonly problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { cardNumber: null };
  if (!/^\d+$/.test(trimmed)) return { problem: 'A card number is digits only.' };
  const cardNumber = Number(trimmed);
  if (cardNumber > MAX_CARD_NUMBER) return { problem: `A card number is at most ${MAX_CARD_NUMBER}.` };
  return { cardNumber };
}
