// The door's own inputs as the settings hold them (`door.inputs`): the door contact, the exit button and a Wiegand
// card reader on GPIO input lines. The terminal reads them in electron/terminal/door/door-inputs.ts and
// card-reader.ts.
import { z } from 'zod';

import { cardFormatName, consumerLabel, devicePath, gpioLine, intIn } from './fields.js';

const chipPath = devicePath('/dev/gpiochip3');
const bias = z.enum(['pull-up', 'pull-down', 'disabled', 'as-is']).default('pull-up');

/**
 * The door contact, exit button and card reader, each on GPIO lines or absent (null, the default). `openLevel` is
 * the level the contact's line reads while the door is open (a reed switch closed on a closed door, pulled up:
 * `high`); `pressedLevel` the exit button's while pressed (a button to ground, pulled up: `low`). `bias` is the pull
 * the kernel sets on a line (`as-is`: leave the board's), default `pull-up`. The card reader's D0 and D1 are read
 * active low (a Wiegand reader holds them high and pulses them low); its `format` is the card format it reads,
 * null (the default) for the setting `credentials.format`. `parse({})` gives the defaults.
 */
export const doorInputsConfigSchema = z
  .strictObject({
    contact: z.strictObject({ chipPath, line: gpioLine, openLevel: z.enum(['high', 'low']).default('high'), bias }).nullable().default(null),
    exitButton: z.strictObject({ chipPath, line: gpioLine, pressedLevel: z.enum(['high', 'low']).default('low'), bias }).nullable().default(null),
    cardReader: z.strictObject({ chipPath, d0Line: gpioLine, d1Line: gpioLine, bias, format: cardFormatName.nullable().default(null) }).nullable().default(null),
    /** A level counts once it has held this long, ms; 0–1000, default 50 (contact bounce, a button's chatter). */
    debounceMs: intIn(0, 1000, 'ms').default(50),
    /** A door open longer than this is held open, ms; 5 s – 1 h, default 30000. */
    heldOpenMs: intIn(5000, 3_600_000, 'ms').default(30_000),
    /** Consumer label of the lines, at most 31 bytes; default `lintel-door-inputs`. */
    consumer: consumerLabel.default('lintel-door-inputs'),
  })
  .superRefine((config, ctx) => {
    const { contact, exitButton, cardReader } = config;
    if (contact && exitButton && contact.chipPath === exitButton.chipPath && contact.line === exitButton.line) {
      ctx.addIssue({ code: 'custom', path: ['exitButton', 'line'], message: `${exitButton.chipPath} line ${exitButton.line} is already the door contact` });
    }
    if (!cardReader) return;
    const { chipPath: readerChip, d0Line, d1Line } = cardReader;
    if (d0Line === d1Line) ctx.addIssue({ code: 'custom', path: ['cardReader', 'd1Line'], message: `${readerChip} line ${d1Line} is already the card reader's D0` });
    for (const [field, line] of [['d0Line', d0Line], ['d1Line', d1Line]] as const) {
      for (const [taken, what] of [[contact, 'the door contact'], [exitButton, 'the exit button']] as const) {
        if (taken && taken.chipPath === readerChip && taken.line === line) ctx.addIssue({ code: 'custom', path: ['cardReader', field], message: `${readerChip} line ${line} is already ${what}` });
      }
    }
  });

export type DoorInputsConfig = z.output<typeof doorInputsConfigSchema>;
