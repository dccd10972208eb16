// A big PIN pad for the touchscreen: digits, backspace and clear, editing a PIN the page holds.
import type { ReactNode } from 'react';

import { Icon } from '../common/Icon.js';

export function PinPad({ onDigit, onBackspace, onClear, disabled }: { readonly onDigit: (digit: string) => void; readonly onBackspace: () => void; readonly onClear: () => void; readonly disabled?: boolean }): ReactNode {
  const digit = (value: string): ReactNode => (
    <button key={value} type="button" className="pin-key" onClick={() => onDigit(value)} disabled={disabled}>
      {value}
    </button>
  );
  return (
    <div className="pin-pad" role="group" aria-label="PIN pad">
      {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map(digit)}
      <button type="button" className="pin-key pin-key-action" onClick={onClear} disabled={disabled}>
        Clear
      </button>
      {digit('0')}
      <button type="button" className="pin-key pin-key-action" aria-label="Backspace" onClick={onBackspace} disabled={disabled}>
        <Icon name="backspace" />
      </button>
    </div>
  );
}
