// What the terminal accepts as an administrator's secret (admin:setup): a PIN of 4–12 digits for the
// touchscreen, or a password of at least 8 characters.

export type SecretKind = 'pin' | 'password';

export const PIN_MIN_DIGITS = 4;
export const PIN_MAX_DIGITS = 12;
export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 256;

/** Why a new secret is not acceptable, in words; null when it is. */
export function secretProblem(kind: SecretKind, secret: string, confirmation: string): string | null {
  if (kind === 'pin') {
    if (!/^\d*$/.test(secret)) return 'A PIN has digits only.';
    if (secret.length < PIN_MIN_DIGITS || secret.length > PIN_MAX_DIGITS) return `A PIN has ${PIN_MIN_DIGITS} to ${PIN_MAX_DIGITS} digits.`;
  } else if (secret.length < PASSWORD_MIN_CHARS) {
    return `A password has at least ${PASSWORD_MIN_CHARS} characters.`;
  } else if (secret.length > PASSWORD_MAX_CHARS) {
    return `A password has at most ${PASSWORD_MAX_CHARS} characters.`;
  }
  if (secret !== confirmation) return kind === 'pin' ? 'The two PINs differ.' : 'The two passwords differ.';
  return null;
}
