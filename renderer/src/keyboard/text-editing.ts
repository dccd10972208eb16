// What an on-screen key does to a text field: its value and selection in, its value and caret out. Pure, so
// the keyboard, a PIN pad and tests share one set of rules.

export interface TextEditState {
  readonly value: string;
  /** Selection start and end, UTF-16 offsets; equal for a plain caret. */
  readonly selectionStart: number;
  readonly selectionEnd: number;
}

export type EditKey = { readonly kind: 'insert'; readonly text: string } | { readonly kind: 'backspace' } | { readonly kind: 'clear' };

function clamp(offset: number, length: number): number {
  return Math.min(Math.max(0, Math.floor(offset)), length);
}

/**
 * Applies one key: `insert` replaces the selection with the text (cut to fit `maxLength`), `backspace` deletes
 * the selection or the character before the caret (a whole surrogate pair), `clear` empties the field.
 */
export function applyEditKey(state: TextEditState, key: EditKey, maxLength?: number): TextEditState {
  const length = state.value.length;
  const start = clamp(Math.min(state.selectionStart, state.selectionEnd), length);
  const end = clamp(Math.max(state.selectionStart, state.selectionEnd), length);
  const before = state.value.slice(0, start);
  const after = state.value.slice(end);
  switch (key.kind) {
    case 'clear':
      return { value: '', selectionStart: 0, selectionEnd: 0 };
    case 'insert': {
      const room = maxLength === undefined || maxLength < 0 ? Infinity : Math.max(0, maxLength - before.length - after.length);
      const text = [...key.text].reduce((kept, char) => (kept.length + char.length <= room ? kept + char : kept), '');
      const caret = before.length + text.length;
      return { value: before + text + after, selectionStart: caret, selectionEnd: caret };
    }
    case 'backspace': {
      if (start !== end) return { value: before + after, selectionStart: start, selectionEnd: start };
      if (start === 0) return { value: state.value, selectionStart: 0, selectionEnd: 0 };
      const low = before.charCodeAt(start - 1);
      const high = start >= 2 ? before.charCodeAt(start - 2) : 0;
      const width = low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? 2 : 1;
      const caret = start - width;
      return { value: before.slice(0, caret) + after, selectionStart: caret, selectionEnd: caret };
    }
  }
}

/** The text a letter key types: upper case while shift is on. */
export function letterFor(letter: string, shifted: boolean): string {
  return shifted ? letter.toUpperCase() : letter.toLowerCase();
}
