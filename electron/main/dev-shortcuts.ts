// Development only: with no application menu there are no accelerators, so devtools and reload get keys of
// their own. Never installed in production (kiosk), where the devtools are off as well.
import type { Input } from 'electron';

/** What a key press asks for in development, if anything. */
export function devShortcut(input: Pick<Input, 'type' | 'key' | 'control' | 'shift' | 'meta'>): 'devtools' | 'reload' | null {
  if (input.type !== 'keyDown') return null;
  const key = input.key.toLowerCase();
  const command = input.control || input.meta;
  if (key === 'f12' || (command && input.shift && key === 'i')) return 'devtools';
  if (key === 'f5' || (command && key === 'r')) return 'reload';
  return null;
}
