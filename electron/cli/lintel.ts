#!/usr/bin/env node
// The lintel command: finds the command's handler in COMMANDS and turns what it throws into an exit code
// (2 with the usage for a bad command line, 1 with the message for an error the user can act on).
import { ModelFileError } from '../vision/backend/inference-backend.js';
import { LfwPairsParseError } from '../vision/eval/lfw-pairs.js';
import { ImageDecodeError } from '../vision/frame/decode.js';
import { ManifestError } from '../vision/models/manifest.js';
import { StoreError } from '../terminal/store/errors.js';
import { CliError, UsageError } from './cli-common.js';
import { commandAdmin, commandEnroll, commandEvents, commandIdentify, commandImport, commandPersons, DataCommandError } from './data-commands.js';
import { commandBench, commandCalib, commandEval } from './eval-commands.js';
import { USAGE } from './usage.js';
import { commandCompare, commandDetect } from './vision-commands.js';

/** A command: its arguments after the command's name in, the exit code out. */
type Command = (args: string[]) => Promise<number>;

/** Runs a command that prints its result and succeeds unless it throws. */
const exitZero =
  (command: (args: string[]) => Promise<void>): Command =>
  async (args) => {
    await command(args);
    return 0;
  };

/**
 * Every command, by name: the one place a command is registered (and listed in usage.ts). Commands that load
 * much (the server, doctor, the hub) are imported when run.
 */
const COMMANDS: Readonly<Record<string, Command>> = {
  detect: exitZero(commandDetect),
  compare: exitZero(commandCompare),
  eval: exitZero(commandEval),
  bench: exitZero(commandBench),
  calib: exitZero(commandCalib),
  doctor: async (args) => (await import('./doctor.js')).runDoctor(args),
  enroll: commandEnroll,
  import: commandImport,
  identify: exitZero(commandIdentify),
  persons: exitZero(commandPersons),
  events: exitZero(commandEvents),
  serve: async (args) => (await import('./serve-command.js')).commandServe(args),
  models: async (args) => (await import('./models-commands.js')).commandModels(args),
  pad: async (args) => (await import('./pad-commands.js')).commandPad(args),
  admin: commandAdmin,
  pair: async (args) => (await import('./pair-command.js')).commandPair(args),
  hub: async (args) => (await import('./hub-command.js')).commandHub(args),
};

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (command === undefined) {
      process.stderr.write(USAGE);
      return 2;
    }
    if (command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw new UsageError(`unknown command "${command}"`);
    return await run(args);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`lintel: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (
      error instanceof CliError ||
      error instanceof ImageDecodeError ||
      error instanceof ModelFileError ||
      error instanceof ManifestError ||
      error instanceof LfwPairsParseError ||
      error instanceof DataCommandError ||
      error instanceof StoreError
    ) {
      process.stderr.write(`lintel: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
