// The on-screen keyboard: letters (with shift), digits and symbols, or a number pad. Keys are real buttons named
// by what they type ("a", "A", "7", "Space", "Backspace", "Done"); pressing one never moves the focus away from
// the field being edited (pointerdown is cancelled), the controller edits that field.
import { useState, type ReactNode, type SyntheticEvent } from 'react';

import { useServices } from '../app/services.js';
import { Icon } from '../common/Icon.js';
import { useLintel } from '../store/store.js';
import type { KeyPress } from './keyboard-controller.js';
import { letterFor } from './text-editing.js';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];
const LETTER_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
// '@' and '.' sit on the bottom row in both layers, so every key's name stays unique.
const SYMBOL_ROWS = ['#$%&*()', '-_=+/\\:;', ',?!\'"~'];
const NUMBER_ROWS = [
  ['1', '2', '3'],
  ['4', '5', '6'],
  ['7', '8', '9'],
];

/** Keeps the focus in the field being edited: the focus moves on mousedown (also the one a tap makes), so cancel that. */
const keepFocus = (event: SyntheticEvent): void => event.preventDefault();

function Key({ label, onPress, name, wide, pressed, className }: { readonly label: ReactNode; readonly onPress: () => void; readonly name?: string; readonly wide?: 'wide' | 'space'; readonly pressed?: boolean; readonly className?: string }): ReactNode {
  const classes = ['key', wide ? `key-${wide}` : '', pressed ? 'key-on' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <button type="button" className={classes} tabIndex={-1} aria-label={name} aria-pressed={pressed} onMouseDown={keepFocus} onClick={onPress}>
      {label}
    </button>
  );
}

export function OnScreenKeyboard(): ReactNode {
  const { open, layout } = useLintel((state) => state.keyboard);
  const { keyboard } = useServices();
  const [shifted, setShifted] = useState(false);
  const [symbols, setSymbols] = useState(false);
  if (!open) return null;

  const press = (key: KeyPress): void => keyboard.press(key);
  const type = (text: string): void => {
    press({ kind: 'insert', text });
    if (shifted) setShifted(false);
  };
  const backspace = <Key name="Backspace" label={<Icon name="backspace" />} wide="wide" onPress={() => press({ kind: 'backspace' })} />;
  const done = <Key label="Done" wide="wide" className="key-done" onPress={() => press({ kind: 'done' })} />;
  const hide = <Key name="Hide keyboard" label={<Icon name="keyboard" />} onPress={() => keyboard.close()} />;

  return (
    <div className={`osk osk-${layout}`} role="group" aria-label="On-screen keyboard" onMouseDown={keepFocus}>
      {layout !== 'text' ? (
        <div className="osk-numbers">
          {NUMBER_ROWS.map((row) => (
            <div className="osk-row" key={row.join('')}>
              {row.map((digit) => (
                <Key key={digit} label={digit} onPress={() => type(digit)} />
              ))}
            </div>
          ))}
          <div className="osk-row">
            {layout === 'number' ? <Key label="-" onPress={() => type('-')} /> : hide}
            <Key label="0" onPress={() => type('0')} />
            {layout === 'number' ? <Key label="." onPress={() => type('.')} /> : backspace}
          </div>
          <div className="osk-row">
            {layout === 'number' ? hide : null}
            {layout === 'number' ? backspace : null}
            {done}
          </div>
        </div>
      ) : (
        <>
          <div className="osk-row">
            {DIGITS.map((digit) => (
              <Key key={digit} label={digit} onPress={() => type(digit)} />
            ))}
          </div>
          {(symbols ? SYMBOL_ROWS : LETTER_ROWS).map((row, index) => (
            <div className="osk-row" key={row}>
              {index === 2 && !symbols ? <Key name="Shift" label={<Icon name="shift" />} wide="wide" pressed={shifted} onPress={() => setShifted(!shifted)} /> : null}
              {[...row].map((char) => {
                const text = symbols ? char : letterFor(char, shifted);
                return <Key key={char} label={text} onPress={() => type(text)} />;
              })}
              {index === 2 ? backspace : null}
            </div>
          ))}
          <div className="osk-row">
            {hide}
            <Key name={symbols ? 'Letters' : 'Symbols'} label={symbols ? 'ABC' : '#+='} wide="wide" onPress={() => setSymbols(!symbols)} />
            <Key label="@" onPress={() => type('@')} />
            <Key label="Space" wide="space" onPress={() => type(' ')} />
            <Key label="." onPress={() => type('.')} />
            {done}
          </div>
        </>
      )}
    </div>
  );
}
