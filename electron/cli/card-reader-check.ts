/**
 * `lintel doctor --card-reader`: listens to the Wiegand reader on the terminal's GPIO inputs with the terminal's own
 * CardReader and prints each frame as it comes — its format, facility code and card number and whose card it is on
 * this terminal, or why it could not be read — then what the frames say about the wiring: nothing at all, one data
 * line missing, a length no format has, D0 and D1 swapped. For commissioning a door before it goes live.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { GpioBias } from '../../native-bridge/gpio/gpio-input.js';
import { isSystemCallError } from '../../native-bridge/libc/system-call-error.js';
import { DEFAULT_CARD_FORMAT, type CustomCardFormat } from '../shared/shapes/card-formats.js';
import { knownCardFormats, resolveCardFormat, type CardFormat } from '../terminal/door/card-format.js';
import { CardReader, decodeFrame, type CardRead, type CardReaderConfig, type ReadCredential, type UnreadableCard } from '../terminal/door/card-reader.js';
import { openRealLines, type DoorInputLinesFactory } from '../terminal/door/door-inputs.js';
import { errorMessage } from '../terminal/door/error-message.js';
import { resolveDataDir } from '../terminal/data-dir.js';
import { DATABASE_FILE_NAME } from '../terminal/store/database.js';
import { TerminalStore } from '../terminal/store/store.js';
import { mark } from './status-mark.js';

/** What to listen to, and for how long. */
export interface CardReaderCheckOptions {
  /** The reader's lines from the command line; without them, the data folder's `door.inputs.cardReader`. */
  readonly wiring?: { readonly chipPath: string; readonly d0Line: number; readonly d1Line: number };
  /** Bias of D0 and D1; default the saved reader's, or `pull-up` with `wiring`. */
  readonly bias?: GpioBias;
  /** The reader's card format; default the saved reader's, else the data folder's `credentials.format`, else wiegand26. */
  readonly format?: string;
  /** `--data`: the terminal's data folder; default LINTEL_DATA_DIR or the app-data folder, where it holds a terminal. */
  readonly data?: string;
  /** How long to listen, s; default 30. */
  readonly seconds?: number;
  /** Stop once this many frames came (cards presented, read or not); default no limit. */
  readonly cards?: number;
}

/** The part of the terminal's store the check reads. */
export interface CardCheckStore {
  readonly settings: Pick<TerminalStore['settings'], 'get'>;
  readonly persons: Pick<TerminalStore['persons'], 'listCredentials'>;
  close(): void;
}

/** Dependencies; the defaults are the board's. */
export interface CardReaderCheckDeps {
  /** Where the report goes, one line at a time. */
  readonly print: (line: string) => void;
  /** Default GpioInputLines.open on the real character device. */
  readonly openLines?: DoorInputLinesFactory;
  /** Default TerminalStore.open. */
  readonly openStore?: (dataDir: string) => CardCheckStore;
  /** For the default data folder (LINTEL_DATA_DIR, XDG_CONFIG_HOME); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** A card read cleanly, with its holder on this terminal. */
export interface CheckedCard extends CardRead {
  /** The name of the person carrying it; null when nobody on this terminal does (or names could not be read). */
  readonly holder: string | null;
}

/** A frame that could not be read, and what it reads as with D0 and D1 swapped, when that decodes cleanly. */
export interface CheckedFrame extends UnreadableCard {
  readonly swapped: { readonly formatName: string; readonly credential: ReadCredential } | null;
}

/** The check's outcome. */
export interface CardReaderCheckResult {
  readonly cards: readonly CheckedCard[];
  readonly unreadable: readonly CheckedFrame[];
  /** At least one card read cleanly. */
  readonly ok: boolean;
}

/** What the data folder says about the reader and the cards. */
interface TerminalCardData {
  readonly reader: CardReaderConfig | null;
  readonly siteFormat: string;
  readonly customFormats: readonly CustomCardFormat[];
  /** Card holders' names by credentialKey. */
  readonly holders: ReadonlyMap<string, string>;
}


const credentialKey = (credential: { readonly facilityCode: number | null; readonly cardNumber: number }): string => `${credential.facilityCode ?? -1}:${credential.cardNumber}`;

const describeCredential = (credential: ReadCredential): string => `${credential.facilityCode === null ? '' : `facility ${credential.facilityCode}, `}card ${credential.cardNumber}`;

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The check's own label on the lines (`gpioinfo`), at most 31 bytes. */
const CONSUMER = 'lintel-doctor-card-reader';

/**
 * The data folder's reader, formats and card holders, read at once and the store closed again: a running terminal
 * keeps its database, and the check must not hold it while it listens. Throws when the store cannot be opened.
 */
function readTerminal(dataDir: string, deps: CardReaderCheckDeps): TerminalCardData {
  // The store has no read-only mode: opened, read and closed before the lines are asked for.
  const store = (deps.openStore ?? ((dir) => TerminalStore.open({ dataDir: dir })))(dataDir);
  try {
    const holders = new Map(store.persons.listCredentials().map(({ name, credential }) => [credentialKey({ facilityCode: credential.facilityCode ?? null, cardNumber: credential.cardNumber }), name]));
    return {
      reader: store.settings.get('door.inputs').cardReader,
      siteFormat: store.settings.get('credentials.format'),
      customFormats: store.settings.get('credentials.customFormats'),
      holders,
    };
  } finally {
    store.close();
  }
}

/** Runs the check and prints its report. */
export async function runCardReaderCheck(options: CardReaderCheckOptions, deps: CardReaderCheckDeps): Promise<CardReaderCheckResult> {
  const { print } = deps;
  const failed: CardReaderCheckResult = { cards: [], unreadable: [], ok: false };
  const dataDir = resolveDataDir(options.data, deps.env ?? process.env);
  // Never creates a data folder: the check reads a terminal's settings, it does not start one.
  const hasTerminal = existsSync(join(dataDir, DATABASE_FILE_NAME));
  if (!hasTerminal && options.data !== undefined) {
    print(`${mark('fail')} no terminal data in ${dataDir} (${DATABASE_FILE_NAME} is missing)`);
    return failed;
  }
  let terminal: TerminalCardData | undefined;
  let namesNote = `no terminal data here (--data or LINTEL_DATA_DIR): cards are not named, standard card formats only`;
  if (hasTerminal) {
    try {
      terminal = readTerminal(dataDir, deps);
      namesNote = `${plural(terminal.holders.size, 'card holder')} of ${dataDir} named; card formats from its settings`;
    } catch (error) {
      // Without --chip the saved settings are the only wiring there is; with it, the check goes on without names.
      if (options.wiring === undefined) {
        print(`${mark('fail')} cannot read the terminal data in ${dataDir}: ${errorMessage(error)}`);
        return failed;
      }
      namesNote = `the terminal data in ${dataDir} could not be read (${errorMessage(error)}; a running terminal may hold it): cards are not named, standard card formats only`;
    }
  }

  let config: CardReaderConfig;
  if (options.wiring !== undefined) {
    config = { ...options.wiring, bias: options.bias ?? 'pull-up', format: options.format ?? null };
  } else if (terminal?.reader) {
    config = { ...terminal.reader, bias: options.bias ?? terminal.reader.bias, format: options.format ?? terminal.reader.format };
  } else {
    const where = terminal ? `door.inputs.cardReader is not set in ${dataDir}` : 'there is no terminal data here (--data or LINTEL_DATA_DIR) to take a saved one from';
    print(`${mark('fail')} no card reader to listen to: ${where}; give its wiring with --chip <device> --d0 <line> --d1 <line>`);
    return failed;
  }
  const siteFormat = terminal?.siteFormat ?? DEFAULT_CARD_FORMAT;
  const customFormats = terminal?.customFormats ?? [];
  let format: CardFormat;
  let knownFormats: CardFormat[];
  try {
    format = resolveCardFormat(config.format ?? siteFormat, customFormats);
    knownFormats = knownCardFormats(customFormats);
  } catch (error) {
    print(`${mark('fail')} ${errorMessage(error)}`);
    return failed;
  }

  const { chipPath, d0Line, d1Line, bias } = config;
  const seconds = options.seconds ?? 30;
  const limit = options.cards;
  print(`Card reader — D0 ${chipPath} line ${d0Line}, D1 line ${d1Line}, bias ${bias}, ${options.wiring ? 'from the command line' : `as saved in ${dataDir}`}`);
  print(`${mark('info')} format ${format.name}${config.format === null && terminal ? ' (credentials.format)' : ''}; other lengths are read with the one known format of that length (${knownFormats.map((known) => `${known.name} ${known.totalBits}`).join(', ')} bits)`);
  print(`${mark('info')} ${namesNote}`);

  const cards: CheckedCard[] = [];
  const unreadable: CheckedFrame[] = [];
  const lowAtRest: string[] = [];
  let openError: unknown;
  let stop: () => void = () => undefined;
  const frameCame = (): void => {
    if (limit !== undefined && cards.length + unreadable.length >= limit) stop();
  };
  const holderOf = (credential: ReadCredential): string | null => terminal?.holders.get(credentialKey(credential)) ?? null;
  // Whose card it is, where this terminal's card holders are known.
  const whose = (credential: ReadCredential): string => (terminal ? ` — ${holderOf(credential) ?? 'not enrolled on this terminal'}` : '');
  const reader = new CardReader(
    { config, siteFormat, customFormats, consumer: CONSUMER },
    {
      logger: {
        info: () => undefined,
        warn: (message, fields) => {
          if (message === 'door.card-reader.line-low') {
            const line = String(fields.line);
            lowAtRest.push(line);
            print(`${mark('warn')} ${line} reads low at rest: the reader is off, the line has no pull-up (--bias pull-up, or a resistor), or its wire is on ground`);
          } else if (message === 'door.card-reader.unavailable' && openError === undefined) {
            // A failure after the lines were had (the open's own failure is told below).
            print(`${mark('fail')} the reader's lines were lost: ${String(fields.reason)}`);
            stop();
          }
        },
      },
      onCard: (read) => {
        const holder = holderOf(read.credential);
        cards.push({ ...read, holder });
        print(`${mark('ok')} ${read.bits.length} bits ${read.formatName}: ${describeCredential(read.credential)}${whose(read.credential)}`);
        frameCame();
      },
      onUnreadable: (frame) => {
        const bits = [...frame.bits].map((bit) => (bit === '1' ? 1 : 0));
        // What the frame reads as with D0 and D1 swapped, by the reader's own rules, where that is clean.
        const decoded = bits.length > 0 ? decodeFrame(bits.map((bit) => 1 - bit), format, knownFormats) : undefined;
        const swapped = decoded && !('reason' in decoded) ? { formatName: decoded.format.name, credential: { facilityCode: decoded.card.facilityCode, cardNumber: decoded.card.cardNumber } } : null;
        unreadable.push({ ...frame, swapped });
        print(`${mark('fail')} ${frame.reason}`);
        if (frame.bits !== '') print(`${mark('info')}   bits ${frame.bits}`);
        if (swapped) print(`${mark('info')}   with D0 and D1 swapped it reads ${swapped.formatName}: ${describeCredential(swapped.credential)}${whose(swapped.credential)}`);
        frameCame();
      },
      openLines: async (lineOptions) => {
        try {
          return await (deps.openLines ?? openRealLines)(lineOptions);
        } catch (error) {
          openError = error;
          throw error;
        }
      },
      // One try: a check that cannot have the lines says why and ends.
      retryMs: 3_600_000,
    },
  );

  const startedMs = performance.now();
  try {
    await reader.start();
    if (openError !== undefined) {
      print(
        isSystemCallError(openError, 'EBUSY')
          ? `${mark('fail')} ${chipPath} line ${d0Line} or ${d1Line} is busy: stop the terminal first (it holds the reader's lines); if it is stopped, \`gpioinfo\` shows who holds them`
          : `${mark('fail')} cannot read the reader's lines: ${errorMessage(openError)}`,
      );
      return failed;
    }
    print(`${mark('info')} present cards at the reader: listening for ${seconds} s${limit === undefined ? '' : ` or until ${plural(limit, 'card')}`}…`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      stop = () => {
        clearTimeout(timer);
        resolve();
      };
      frameCame();
    });
  } finally {
    await reader.close();
  }
  const elapsedS = (performance.now() - startedMs) / 1000;
  const swapFix = options.wiring ? `or run with --d0 ${d1Line} --d1 ${d0Line}` : 'or swap d0Line and d1Line in door.inputs.cardReader';
  summarise({ cards, unreadable, lowAtRest, elapsedS, config, format, knownFormats, swapFix }, print);
  return { cards, unreadable, ok: cards.length > 0 };
}

/** The totals, and what the frames say about the wiring. */
function summarise(
  context: {
    cards: readonly CheckedCard[];
    unreadable: readonly CheckedFrame[];
    lowAtRest: readonly string[];
    elapsedS: number;
    config: CardReaderConfig;
    format: CardFormat;
    knownFormats: readonly CardFormat[];
    /** How to swap D0 and D1 without touching the wires. */
    swapFix: string;
  },
  print: (line: string) => void,
): void {
  const { cards, unreadable, lowAtRest, elapsedS, config, format, knownFormats, swapFix } = context;
  const frames = cards.length + unreadable.length;
  const elapsed = `${elapsedS < 10 ? elapsedS.toFixed(1) : Math.round(elapsedS)} s`;
  print('');
  if (frames === 0) {
    const low = lowAtRest.length > 0 ? ` (${lowAtRest.join(' and ')} read low at rest, see above)` : '';
    print(
      `${mark('fail')} nothing came from the reader in ${elapsed}${low}: check its power, that ${config.chipPath} lines ${config.d0Line} (D0) and ${config.d1Line} (D1) are the ones it is wired to (\`gpioinfo\`), and that it speaks Wiegand (not OSDP on RS-485, nor clock-and-data)`,
    );
    return;
  }
  print(`${mark(cards.length > 0 ? 'ok' : 'fail')} ${plural(cards.length, 'card')} read cleanly, ${plural(unreadable.length, 'frame')} unreadable, in ${elapsed}`);

  const zerosOnly = unreadable.filter((frame) => /^0+$/.test(frame.bits)).length;
  const onesOnly = unreadable.filter((frame) => /^1+$/.test(frame.bits)).length;
  if (zerosOnly > 0) {
    print(`${mark('fail')} ${plural(zerosOnly, 'frame')} of 0 bits only: nothing came on D1 (line ${config.d1Line}) — its wire is not connected, or D0 and D1 are both on line ${config.d0Line}`);
  }
  if (onesOnly > 0) {
    print(`${mark('fail')} ${plural(onesOnly, 'frame')} of 1 bits only: nothing came on D0 (line ${config.d0Line}) — its wire is not connected, or D0 and D1 are both on line ${config.d1Line}`);
  }

  const mixed = unreadable.filter((frame) => !/^(0+|1+)$/.test(frame.bits));
  const lengths = [...new Set(mixed.filter((frame) => / no card format has /.test(frame.reason)).map((frame) => frame.bits.length))];
  for (const length of lengths) {
    print(
      `${mark('fail')} ${length}-bit frames: no known format has ${length} bits (${knownFormats.map((known) => `${known.name} ${known.totalBits}`).join(', ')}): check the reader's output format — a 34-bit reader reads as wiegand34, a 37-bit one (H10304) needs its format in credentials.customFormats`,
    );
  }

  const parity = unreadable.filter((frame) => /\), (parity|fixed) bits? /.test(frame.reason));
  const swapped = unreadable.filter((frame) => frame.swapped !== null).length;
  if (parity.length === frames && swapped === frames) {
    print(`${mark('fail')} parity wrong on every frame, and every one reads cleanly with its bits swapped: D0 and D1 are swapped — swap the two data wires (${swapFix})`);
  } else if (parity.length === frames) {
    print(
      `${mark('fail')} parity wrong on every frame: the reader sends another format of that length than ${format.name} (check the reader's settings, credentials.format or --format), or the bits are garbled (a missing common ground, a long unshielded cable)`,
    );
  } else if (swapped > 0) {
    print(`${mark('warn')} ${plural(swapped, 'frame')} of ${frames} read cleanly only with D0 and D1 swapped: check the two data wires`);
  }
}
