// The site's card format (`credentials.format`) and its own formats (`credentials.customFormats`): how people's card
// numbers are checked, what the Wiegand and OSDP outputs send and how the door's card reader decodes cards. Shared
// by the terminal's Settings and the hub's site settings. The terminal refuses on save a format that strands
// someone's card, naming them; the schema refuses a layout and parity lines that do not agree (`layoutProblems`).
import type { ReactNode } from 'react';

import { FieldError } from '../../common/FieldError.js';
import { Icon } from '../../common/Icon.js';
import { asSentence } from '../../common/sentence.js';
import { SelectField, type SelectChoice } from '../../common/SelectField.js';
import { TextField } from '../../common/TextField.js';
import { layoutProblems, STANDARD_CARD_FORMAT_NAMES, type CustomCardFormat } from '../../../../electron/shared/shapes/card-formats.js';
import type { SectionProps } from './section-props.js';
import type { IssuePath } from './settings-issues.js';

const FORMAT = 'credentials.format';
const CUSTOM = 'credentials.customFormats';

/** The standard formats every terminal knows, first in the list. */
const STANDARD_LABELS: Readonly<Record<(typeof STANDARD_CARD_FORMAT_NAMES)[number], string>> = {
  wiegand26: '26-bit H10301 (facility 0–255, card 0–65535)',
  wiegand34: '34-bit (facility 0–65535, card 0–65535)',
};
const STANDARD_CHOICES: readonly SelectChoice[] = STANDARD_CARD_FORMAT_NAMES.map((name) => ({ value: name, label: STANDARD_LABELS[name] }));

/** Limits of `customCardFormatsSchema`: formats per site, parity lines per format. */
const MAX_FORMATS = 16;
const MAX_PARITY_LINES = 8;

/** A problem in words, as a sentence with its full stop. */
const sentence = (message: string): string => `${asSentence(message)}${message.endsWith('.') ? '' : '.'}`;

/** A name not yet taken: `custom`, `custom-2`, … */
function freeName(formats: readonly CustomCardFormat[]): string {
  const taken = new Set(formats.map((format) => format.name));
  if (!taken.has('custom')) return 'custom';
  for (let n = 2; ; n++) if (!taken.has(`custom-${n}`)) return `custom-${n}`;
}

/**
 * One custom format's layout problems by where they show: a parity line's at that line (by index), the others at
 * the layout. Only when the schema found the format wrong (`issue` at the format), so the words match the refusal.
 */
function problemsOf(format: CustomCardFormat, wrong: boolean): { readonly layout: string[]; readonly lines: ReadonlyMap<number, string[]> } {
  const layout: string[] = [];
  const lines = new Map<number, string[]>();
  if (!wrong) return { layout, lines };
  for (const problem of layoutProblems(format)) {
    const line = /^parity line (\d+) /.exec(problem);
    if (line?.[1]) {
      const index = Number(line[1]) - 1;
      lines.set(index, [...(lines.get(index) ?? []), sentence(problem)]);
    } else layout.push(sentence(problem));
  }
  return { layout, lines };
}

export interface CardFormatFieldsProps {
  readonly format: string;
  readonly customFormats: readonly CustomCardFormat[];
  readonly onFormatChange: (format: string) => void;
  readonly onCustomFormatsChange: (formats: CustomCardFormat[]) => void;
  /** The issue at a path under the two setting keys (`['credentials.customFormats', 0, 'layout']`), in words. */
  readonly issue: (path: IssuePath) => string | undefined;
  /** The select's label. */
  readonly formatLabel?: string;
}

/** The format select and the custom formats, each with its name, layout and parity lines. */
export function CardFormatFields({ format, customFormats, onFormatChange, onCustomFormatsChange, issue, formatLabel = 'Format of the people’s cards' }: CardFormatFieldsProps): ReactNode {
  const named = customFormats.filter((custom) => custom.name !== '');
  const known = STANDARD_CHOICES.some((choice) => choice.value === format) || named.some((custom) => custom.name === format);
  const choices: SelectChoice[] = [
    ...STANDARD_CHOICES,
    ...named.map((custom) => ({ value: custom.name, label: `${custom.name} (site format, ${custom.layout.length} bits)` })),
    ...(known ? [] : [{ value: format, label: `${format} (not defined)` }]),
  ];
  const formatError = issue([FORMAT]) ?? (known ? undefined : `No card format "${format}": choose one of the list, or add it below.`);
  const setFormatAt = (index: number, next: CustomCardFormat): void => onCustomFormatsChange(customFormats.map((other, i) => (i === index ? next : other)));
  const listError = issue([CUSTOM]);

  return (
    <>
      <SelectField
        label={formatLabel}
        value={format}
        choices={choices}
        onChange={onFormatChange}
        error={formatError}
        hint="Card numbers are checked against it; the Wiegand and OSDP outputs send it and the card reader reads it unless set otherwise."
      />
      <p className="field-hint">
        A site format is written as the card’s data sheet prints it: a layout with one character per bit, first bit sent first (P parity, F facility, C card, 0 or 1
        fixed), and one line per parity bit (E or O where it sits, X over the bits it covers, . elsewhere). H10304: layout <code>PFFFFFFFFFFFFFFFFCCCCCCCCCCCCCCCCCCCP</code>, parity lines{' '}
        <code>EXXXXXXXXXXXXXXXXXX..................</code> and <code>..................XXXXXXXXXXXXXXXXXXO</code>.
      </p>
      {customFormats.map((custom, index) => {
        const base = [CUSTOM, index] as const;
        const problems = problemsOf(custom, issue(base) !== undefined);
        const title = custom.name === '' ? `Site format ${index + 1}` : `Site format ${custom.name}`;
        return (
          <div key={index} className="output-card" role="group" aria-label={title}>
            <div className="output-head">
              <span className="badge">{title}</span>
              <button type="button" className="btn btn-small" onClick={() => onCustomFormatsChange(customFormats.filter((_, i) => i !== index))} aria-label={`Remove ${title}`}>
                <Icon name="trash" />
                Remove
              </button>
            </div>
            <TextField label="Name" value={custom.name} onChange={(name) => setFormatAt(index, { ...custom, name: name.trim() })} maxLength={32} error={issue([...base, 'name'])} hint="How credentials and outputs name it, e.g. h10304: lower-case letters, digits and . _ -" />
            {/* The bits line up with the parity lines below only in a fixed-width font. */}
            <div className="bit-lines">
              <TextField
                label="Layout"
                value={custom.layout}
                onChange={(layout) => setFormatAt(index, { ...custom, layout: layout.trim().toUpperCase() })}
                maxLength={128}
                error={issue([...base, 'layout']) ?? (problems.layout.join(' ') || undefined)}
                hint={`${custom.layout.length} bits.`}
              />
              {custom.parity.map((line, lineIndex) => (
                <div key={lineIndex} className="inline-add">
                  <TextField
                    label={`Parity line ${lineIndex + 1}`}
                    value={line}
                    onChange={(next) => setFormatAt(index, { ...custom, parity: custom.parity.map((other, i) => (i === lineIndex ? next.trim().toUpperCase() : other)) })}
                    maxLength={128}
                    error={issue([...base, 'parity', lineIndex]) ?? (problems.lines.get(lineIndex)?.join(' ') || undefined)}
                  />
                  <button type="button" className="btn btn-small" onClick={() => setFormatAt(index, { ...custom, parity: custom.parity.filter((_, i) => i !== lineIndex) })} aria-label={`Remove parity line ${lineIndex + 1} of ${title}`}>
                    <Icon name="trash" />
                    Remove
                  </button>
                </div>
              ))}
            </div>
            {issue([...base, 'parity']) ? <FieldError>{issue([...base, 'parity'])}</FieldError> : null}
            <button type="button" className="btn btn-small" onClick={() => setFormatAt(index, { ...custom, parity: [...custom.parity, '.'.repeat(custom.layout.length)] })} disabled={custom.parity.length >= MAX_PARITY_LINES} aria-label={`Add a parity line to ${title}`}>
              <Icon name="plus" />
              Add parity line
            </button>
          </div>
        );
      })}
      {listError ? <FieldError>{listError}</FieldError> : null}
      <button type="button" className="btn" onClick={() => onCustomFormatsChange([...customFormats, { name: freeName(customFormats), layout: '', parity: [] }])} disabled={customFormats.length >= MAX_FORMATS}>
        <Icon name="plus" />
        Add site format
      </button>
    </>
  );
}

export function CardFormatSettings({ draft, change, issue }: SectionProps): ReactNode {
  return (
    <fieldset className="settings-section">
      <legend>Card format</legend>
      <CardFormatFields
        format={draft[FORMAT]}
        customFormats={draft[CUSTOM]}
        onFormatChange={(format) => change(FORMAT, format)}
        onCustomFormatsChange={(formats) => change(CUSTOM, formats)}
        issue={issue}
      />
    </fieldset>
  );
}
