// The door's own inputs as the settings hold them (`door.inputs`): the door contact and the exit button on GPIO
// input lines. The terminal reads them in electron/terminal/door/door-inputs.ts.
import { z } from 'zod';

import { consumerLabel, devicePath, gpioLine, intIn } from './fields.js';

const chipPath = devicePath('/dev/gpiochip3');
const bias = z.enum(['pull-up', 'pull-down', 'disabled', 'as-is']).default('pull-up');

/**
 * The door contact and exit button, each on a GPIO line or absent (null, the default). `openLevel` is the level the
 * contact's line reads while the door is open (a reed switch closed on a closed door, pulled up: `high`);
 * `pressedLevel` the exit button's while pressed (a button to ground, pulled up: `low`). `bias` is the pull the
 * kernel sets on the line (`as-is`: leave the board's), default `pull-up`. `parse({})` gives the defaults.
 */
export const doorInputsConfigSchema = z
  .strictObject({
    contact: z.strictObject({ chipPath, line: gpioLine, openLevel: z.enum(['high', 'low']).default('high'), bias }).nullable().default(null),
    exitButton: z.strictObject({ chipPath, line: gpioLine, pressedLevel: z.enum(['high', 'low']).default('low'), bias }).nullable().default(null),
    /** A level counts once it has held this long, ms; 0–1000, default 50 (contact bounce, a button's chatter). */
    debounceMs: intIn(0, 1000, 'ms').default(50),
    /** A door open longer than this is held open, ms; 5 s – 1 h, default 30000. */
    heldOpenMs: intIn(5000, 3_600_000, 'ms').default(30_000),
    /** Consumer label of the lines, at most 31 bytes; default `lintel-door-inputs`. */
    consumer: consumerLabel.default('lintel-door-inputs'),
  })
  .superRefine((config, ctx) => {
    const { contact, exitButton } = config;
    if (contact && exitButton && contact.chipPath === exitButton.chipPath && contact.line === exitButton.line) {
      ctx.addIssue({ code: 'custom', path: ['exitButton', 'line'], message: `${exitButton.chipPath} line ${exitButton.line} is already the door contact` });
    }
  });

export type DoorInputsConfig = z.output<typeof doorInputsConfigSchema>;
