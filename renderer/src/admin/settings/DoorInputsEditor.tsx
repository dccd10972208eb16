// The door's own inputs: a door contact (is the door open?), an exit button and a Wiegand card reader, each on GPIO
// lines or absent. The terminal checks the lines when saved (the chip has them, no output drives them) and says what
// is wrong.
import type { ReactNode } from 'react';

import { NumberField } from '../../common/NumberField.js';
import { Segmented } from '../../common/Segmented.js';
import { Toggle } from '../../common/Toggle.js';
import { cardFormatNames } from '../../../../electron/shared/shapes/card-formats.js';
import { SelectField, type SelectChoice } from '../../common/SelectField.js';
import type { Settings } from '../../store/types.js';
import { GpioChipField, GpioLineField } from './GpioFields.js';
import type { SectionProps } from './section-props.js';

type DoorInputs = Settings['door.inputs'];
type Bias = NonNullable<DoorInputs['contact']>['bias'];

const BIAS_OPTIONS: readonly { readonly value: Bias; readonly label: string }[] = [
  { value: 'pull-up', label: 'Pull-up' },
  { value: 'pull-down', label: 'Pull-down' },
  { value: 'disabled', label: 'None' },
  { value: 'as-is', label: "Board's" },
];
const LEVEL_OPTIONS = [
  { value: 'high', label: 'High' },
  { value: 'low', label: 'Low' },
] as const;

/** A new input's line: pulled up, so a dry contact or a button to ground needs nothing else. */
const NEW_CONTACT: NonNullable<DoorInputs['contact']> = { chipPath: '/dev/gpiochip0', line: 0, openLevel: 'high', bias: 'pull-up' };
const NEW_BUTTON: NonNullable<DoorInputs['exitButton']> = { chipPath: '/dev/gpiochip0', line: 1, pressedLevel: 'low', bias: 'pull-up' };
/** A new reader: pulled up (a reader's open-collector outputs need it) and reading the site's card format. */
const NEW_READER: NonNullable<DoorInputs['cardReader']> = { chipPath: '/dev/gpiochip0', d0Line: 2, d1Line: 3, bias: 'pull-up', format: null };

/** The reader's format choices: the site's format (null, stored as ''), then every format the terminal knows. */
function formatChoices(draft: Settings, current: string | null): SelectChoice[] {
  const names = cardFormatNames(draft['credentials.customFormats']);
  const choices: SelectChoice[] = [{ value: '', label: `The site's card format (${draft['credentials.format']})` }, ...names.map((name) => ({ value: name, label: name }))];
  if (current !== null && !names.includes(current)) choices.push({ value: current, label: `${current} (not a known format)` });
  return choices;
}

export function DoorInputsEditor({ draft, change, issue }: SectionProps): ReactNode {
  const inputs = draft['door.inputs'];
  const set = (next: Partial<DoorInputs>): void => change('door.inputs', { ...inputs, ...next });
  const { contact, exitButton, cardReader } = inputs;
  return (
    <fieldset className="settings-section">
      <legend>Door inputs</legend>
      <p className="field-hint">A door contact tells when the door is open: opened without a grant it is forced, left open too long it is held open. The exit button opens the door from inside. A card read at the card reader starts the card and face check of its holder.</p>
      <Toggle label="Door contact" checked={contact !== null} onChange={(on) => set({ contact: on ? NEW_CONTACT : null })} onText="Wired" offText="None" />
      {contact ? (
        <div className="field-grid">
          <GpioChipField label="Contact GPIO chip" value={contact.chipPath} onChange={(chipPath) => set({ contact: { ...contact, chipPath } })} error={issue(['door.inputs', 'contact', 'chipPath'])} hint="gpiochip3 is bank GPIO3." />
          <GpioLineField label="Contact line" chipPath={contact.chipPath} value={contact.line} onChange={(line) => set({ contact: { ...contact, line } })} error={issue(['door.inputs', 'contact', 'line'])} hint="GPIO3_A5 is chip 3, line 5." />
          <Segmented label="Line reads while the door is open" value={contact.openLevel} options={LEVEL_OPTIONS} onChange={(openLevel) => set({ contact: { ...contact, openLevel } })} />
          <Segmented label="Contact bias" value={contact.bias} options={BIAS_OPTIONS} onChange={(bias) => set({ contact: { ...contact, bias } })} />
        </div>
      ) : null}
      <Toggle label="Exit button" checked={exitButton !== null} onChange={(on) => set({ exitButton: on ? NEW_BUTTON : null })} onText="Wired" offText="None" />
      {exitButton ? (
        <div className="field-grid">
          <GpioChipField label="Button GPIO chip" value={exitButton.chipPath} onChange={(chipPath) => set({ exitButton: { ...exitButton, chipPath } })} error={issue(['door.inputs', 'exitButton', 'chipPath'])} />
          <GpioLineField label="Button line" chipPath={exitButton.chipPath} value={exitButton.line} onChange={(line) => set({ exitButton: { ...exitButton, line } })} error={issue(['door.inputs', 'exitButton', 'line'])} />
          <Segmented label="Line reads while pressed" value={exitButton.pressedLevel} options={LEVEL_OPTIONS} onChange={(pressedLevel) => set({ exitButton: { ...exitButton, pressedLevel } })} />
          <Segmented label="Button bias" value={exitButton.bias} options={BIAS_OPTIONS} onChange={(bias) => set({ exitButton: { ...exitButton, bias } })} />
        </div>
      ) : null}
      <Toggle label="Card reader (Wiegand)" checked={cardReader !== null} onChange={(on) => set({ cardReader: on ? NEW_READER : null })} onText="Wired" offText="None" />
      {cardReader ? (
        <div className="field-grid">
          <GpioChipField label="Reader GPIO chip" value={cardReader.chipPath} onChange={(chipPath) => set({ cardReader: { ...cardReader, chipPath } })} error={issue(['door.inputs', 'cardReader', 'chipPath'])} hint="D0 and D1 are both on this chip." />
          <GpioLineField label="D0 line" chipPath={cardReader.chipPath} value={cardReader.d0Line} onChange={(d0Line) => set({ cardReader: { ...cardReader, d0Line } })} error={issue(['door.inputs', 'cardReader', 'd0Line'])} hint="The reader's DATA0 (often green): a pulse is a 0." />
          <GpioLineField label="D1 line" chipPath={cardReader.chipPath} value={cardReader.d1Line} onChange={(d1Line) => set({ cardReader: { ...cardReader, d1Line } })} error={issue(['door.inputs', 'cardReader', 'd1Line'])} hint="The reader's DATA1 (often white): a pulse is a 1." />
          <Segmented label="Reader bias" value={cardReader.bias} options={BIAS_OPTIONS} onChange={(bias) => set({ cardReader: { ...cardReader, bias } })} />
          <SelectField
            label="Card format read"
            value={cardReader.format ?? ''}
            choices={formatChoices(draft, cardReader.format)}
            onChange={(format) => set({ cardReader: { ...cardReader, format: format === '' ? null : format } })}
            error={issue(['door.inputs', 'cardReader', 'format'])}
            hint="A frame of another length is read with the one format of that length, if there is one."
          />
        </div>
      ) : null}
      {contact || exitButton ? (
        <div className="field-grid">
          <NumberField label="Debounce" unit="ms" value={inputs.debounceMs} onChange={(debounceMs) => set({ debounceMs: debounceMs ?? Number.NaN })} error={issue(['door.inputs', 'debounceMs'], 1, 'ms')} hint="A change counts once it has held this long." />
          <NumberField label="Held open after" unit="s" scale={1000} value={inputs.heldOpenMs} onChange={(heldOpenMs) => set({ heldOpenMs: heldOpenMs ?? Number.NaN })} error={issue(['door.inputs', 'heldOpenMs'], 1000, 's')} hint="An open door raises the alarm after this long." />
        </div>
      ) : null}
      {issue(['door.inputs']) ? <p className="field-error">{issue(['door.inputs'])}</p> : null}
    </fieldset>
  );
}
