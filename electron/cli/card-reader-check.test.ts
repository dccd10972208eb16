// lintel doctor --card-reader on the fake GPIO chip, with a terminal data folder where Colin Powell carries card
// 12/3456: clean cards named or not, a parity error, swapped wires, one data line missing, a length no format has,
// nothing at all, busy lines, the wiring from the flags or the saved settings, and doctor's command line.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { FakeGpioChip } from '../../native-bridge/gpio/fake-gpio-chip.js';
import { GpioInputLines } from '../../native-bridge/gpio/gpio-input.js';
import { FakeSyscalls } from '../../native-bridge/libc/fake-syscalls.js';
import type { CustomCardFormat } from '../shared/shapes/card-formats.js';
import { doorInputsConfigSchema } from '../shared/shapes/door-inputs.js';
import { bitString, encodeCard, resolveCardFormat } from '../terminal/door/card-format.js';
import { TerminalStore } from '../terminal/store/store.js';
import { runCardReaderCheck, type CardReaderCheckDeps, type CardReaderCheckOptions, type CardReaderCheckResult } from './card-reader-check.js';
import { runLintel } from './test/run-lintel.js';

const CHIP = '/dev/gpiochip3';
const D0 = 8;
const D1 = 9;
const wiring = { chipPath: CHIP, d0Line: D0, d1Line: D1 };

/** H10304: 37 bits, 16-bit facility code, 19-bit card number; a site's own format. */
const H10304: CustomCardFormat = {
  name: 'h10304',
  layout: `P${'F'.repeat(16)}${'C'.repeat(19)}P`,
  parity: [`E${'X'.repeat(18)}${'.'.repeat(18)}`, `${'.'.repeat(18)}${'X'.repeat(18)}O`],
};

const wiegand26 = (facilityCode: number, cardNumber: number): string => bitString(encodeCard(resolveCardFormat('wiegand26'), { facilityCode, cardNumber }));
const inverted = (bits: string): string => [...bits].map((bit) => (bit === '1' ? '0' : '1')).join('');

/** Waits until `check` holds, polling; fails after `timeoutMs`. */
async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A fake chip with the reader's lines, and the check run on it with its report kept. */
function board() {
  const sys = new FakeSyscalls();
  const chip = new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3' }).install(sys, CHIP);
  const printed: string[] = [];
  const deps = (more: Partial<CardReaderCheckDeps> = {}): CardReaderCheckDeps => ({
    print: (line) => void printed.push(line),
    openLines: (options) => GpioInputLines.open(options, { sys, pollSliceMs: 20 }),
    ...more,
  });
  const frameLines = (): string[] => printed.filter((line) => /^ {2}\[(ok {2}|FAIL)\] \d+ bits?[ :(]/.test(line));

  /**
   * Pulses `bits` on the reader's lines (or `lines`) as a reader does, a bit every 2 ms, stamped by the kernel's
   * clock as having just ended; then waits until the check printed the frame.
   */
  async function present(bits: string, lines = { d0: D0, d1: D1 }): Promise<void> {
    const before = frameLines().length;
    const startNs = process.hrtime.bigint() - BigInt(bits.length) * 2_000_000n;
    [...bits].forEach((bit, i) => {
      const line = bit === '1' ? lines.d1 : lines.d0;
      chip.drive(line, false, startNs + BigInt(i) * 2_000_000n);
      chip.drive(line, true, startNs + BigInt(i) * 2_000_000n + 50_000n);
    });
    await until(() => frameLines().length > before, `the frame ${bits} printed`);
  }

  /** Starts the check; resolves once it holds the lines (`lines`, default D0 and D1), with the check's end. */
  async function listen(options: CardReaderCheckOptions, more: Partial<CardReaderCheckDeps> = {}, lines = [D0, D1]): Promise<{ done: Promise<CardReaderCheckResult> }> {
    const done = runCardReaderCheck(options, deps(more));
    await Promise.race([until(() => lines.every((line) => chip.isHeld(line)), 'the reader listening'), done]);
    return { done };
  }

  /** Runs the check to its end. */
  const runCheck = (options: CardReaderCheckOptions, more: Partial<CardReaderCheckDeps> = {}): Promise<CardReaderCheckResult> => runCardReaderCheck(options, deps(more));

  return { chip, printed, deps, present, listen, runCheck, report: () => printed.join('\n') };
}

describe('lintel doctor --card-reader on the fake chip', () => {
  let dir = '';
  /** A terminal where Colin Powell carries card 12/3456 and the reader is saved on lines 8 and 9. */
  let terminal = '';
  /** A terminal without a saved reader, whose site format is the 37-bit h10304. */
  let plain = '';
  /** Where the default data folder would be: nothing there. */
  let env: NodeJS.ProcessEnv = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-card-check-'));
    terminal = join(dir, 'terminal');
    plain = join(dir, 'plain');
    env = { XDG_CONFIG_HOME: join(dir, 'no-config') };
    const store = TerminalStore.open({ dataDir: terminal });
    try {
      store.persons.create({ name: 'Colin Powell', credential: { facilityCode: 12, cardNumber: 3456 } });
      store.settings.set('door.inputs', doorInputsConfigSchema.parse({ cardReader: wiring }));
    } finally {
      store.close();
    }
    const other = TerminalStore.open({ dataDir: plain });
    try {
      other.settings.update({ 'credentials.customFormats': [H10304], 'credentials.format': 'h10304' });
      other.persons.create({ name: 'Ada Lovelace', credential: { facilityCode: 1234, cardNumber: 500_000 } });
    } finally {
      other.close();
    }
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("a clean card is printed with its holder's name, a card nobody carries as not enrolled; exit 0", async () => {
    const { chip, printed, present, listen, report } = board();
    const { done: running } = await listen({ data: terminal, seconds: 10, cards: 2 });
    await present(wiegand26(12, 3456));
    await present(wiegand26(200, 1));
    const result = await running;
    assert.equal(result.ok, true, report());
    assert.deepEqual(
      result.cards.map(({ credential, formatName, holder }) => ({ ...credential, formatName, holder })),
      [
        { facilityCode: 12, cardNumber: 3456, formatName: 'wiegand26', holder: 'Colin Powell' },
        { facilityCode: 200, cardNumber: 1, formatName: 'wiegand26', holder: null },
      ],
    );
    assert.ok(printed.includes('  [ok  ] 26 bits wiegand26: facility 12, card 3456 — Colin Powell'), report());
    assert.ok(printed.includes('  [ok  ] 26 bits wiegand26: facility 200, card 1 — not enrolled on this terminal'), report());
    assert.match(report(), /\[ok {2}\] 2 cards read cleanly, 0 frames unreadable, in \d+\.\d s/);
    assert.match(report(), new RegExp(`1 card holder of ${terminal} named`));
    assert.equal(chip.isHeld(D0), false, 'the lines are released');
    assert.equal(chip.requests[0]?.consumer, 'lintel-doctor-card-reader');
  });

  test("a parity error is the reader's own reason, with the bits; no clean card is exit 1", async () => {
    const { printed, present, listen, report } = board();
    const { done: running } = await listen({ data: terminal, seconds: 10, cards: 1 });
    const good = wiegand26(12, 3456);
    const bad = `${good.slice(0, 25)}${good[25] === '1' ? '0' : '1'}`;
    await present(bad);
    const result = await running;
    assert.equal(result.ok, false);
    assert.ok(printed.includes('  [FAIL] 26 bits (wiegand26), parity bit 26 wrong'), report());
    assert.ok(printed.includes(`  [    ]   bits ${bad}`), report());
    assert.equal(result.unreadable[0]?.swapped, null, 'swapping does not read it either');
    assert.match(report(), /\[FAIL\] parity wrong on every frame: the reader sends another format of that length than wiegand26/);
    assert.doesNotMatch(report(), /D0 and D1 are swapped/);
  });

  test('swapped wires: each frame reads cleanly with its bits swapped, and the summary says so', async () => {
    const { printed, present, listen, report } = board();
    const { done: running } = await listen({ data: terminal, seconds: 10, cards: 2 });
    await present(inverted(wiegand26(12, 3456)));
    await present(inverted(wiegand26(7, 77)));
    const result = await running;
    assert.equal(result.ok, false);
    assert.ok(printed.includes('  [FAIL] 26 bits (wiegand26), parity bits 1 and 26 wrong'), report());
    assert.ok(printed.includes('  [    ]   with D0 and D1 swapped it reads wiegand26: facility 12, card 3456 — Colin Powell'), report());
    assert.deepEqual(result.unreadable[1]?.swapped, { formatName: 'wiegand26', credential: { facilityCode: 7, cardNumber: 77 } });
    assert.match(report(), /\[FAIL\] parity wrong on every frame, and every one reads cleanly with its bits swapped: D0 and D1 are swapped — swap the two data wires/);
  });

  test('one data line missing: frames of 0 bits only name D1', async () => {
    const { present, listen, report } = board();
    const { done: running } = await listen({ data: terminal, seconds: 10, cards: 1 });
    // A 26-bit card's 0s only: its 1s went nowhere.
    await present('0'.repeat([...wiegand26(12, 3456)].filter((bit) => bit === '0').length));
    const result = await running;
    assert.equal(result.ok, false);
    assert.match(report(), /\[FAIL\] 1 frame of 0 bits only: nothing came on D1 \(line 9\) — its wire is not connected, or D0 and D1 are both on line 8/);
    assert.doesNotMatch(report(), /-bit frames: no known format/, 'the missing line is the cause, not the format');
  });

  test("the data folder's formats read its 37-bit cards; without them that length is no format's, and the hint says so", async () => {
    const named = board();
    const { done: running } = await named.listen({ wiring, data: plain, seconds: 10, cards: 1 });
    const card = bitString(encodeCard(resolveCardFormat('h10304', [H10304]), { facilityCode: 1234, cardNumber: 500_000 }));
    await named.present(card);
    assert.equal((await running).ok, true, named.report());
    assert.ok(named.printed.includes('  [ok  ] 37 bits h10304: facility 1234, card 500000 — Ada Lovelace'), named.report());
    assert.match(named.report(), /format h10304 \(credentials\.format\)/);

    const bare = board();
    const { done: without } = await bare.listen({ wiring, seconds: 10, cards: 1 }, { env });
    await bare.present(card);
    assert.equal((await without).ok, false);
    assert.match(bare.report(), /no terminal data here \(--data or LINTEL_DATA_DIR\): cards are not named/);
    assert.ok(bare.printed.includes('  [FAIL] 37 bits: no card format has 37 bits'), bare.report());
    assert.match(bare.report(), /\[FAIL\] 37-bit frames: no known format has 37 bits \(wiegand26 26, wiegand34 34\): check the reader's output format/);
  });

  test('nothing in the time: exit 1 with what to check; a line low at rest is named', async () => {
    const quiet = board();
    const result = await quiet.runCheck({ data: terminal, seconds: 0.2 });
    assert.equal(result.ok, false);
    assert.match(quiet.report(), /\[FAIL\] nothing came from the reader in 0\.\d s: check its power, that \/dev\/gpiochip3 lines 8 \(D0\) and 9 \(D1\) are the ones it is wired to/);
    assert.doesNotMatch(quiet.report(), /low at rest/, 'pulled up, the lines are high at rest');

    // No pull-up and nothing driving the lines: they float low, as with a reader off.
    const floating = board();
    await floating.runCheck({ wiring, bias: 'as-is', seconds: 0.2 }, { env });
    assert.match(floating.report(), /\[warn\] D0 \/dev\/gpiochip3 line 8 reads low at rest: the reader is off, the line has no pull-up/);
    assert.match(floating.report(), /nothing came from the reader in 0\.\d s \(D0 \/dev\/gpiochip3 line 8 and D1 \/dev\/gpiochip3 line 9 read low at rest, see above\)/);
  });

  test('lines the running terminal holds: stop the terminal first', async () => {
    const { chip, printed, deps, report } = board();
    chip.holdElsewhere(D1, 'lintel-door-inputs');
    const startedMs = Date.now();
    const result = await runCardReaderCheck({ data: terminal, seconds: 10 }, deps());
    assert.equal(result.ok, false);
    assert.ok(Date.now() - startedMs < 2000, 'it does not wait out the time');
    assert.ok(printed.includes("  [FAIL] /dev/gpiochip3 line 8 or 9 is busy: stop the terminal first (it holds the reader's lines); if it is stopped, `gpioinfo` shows who holds them"), report());
    assert.doesNotMatch(report(), /nothing came/);
  });

  test('the wiring: the flags when given, else the saved reader; neither is said plainly', async () => {
    const saved = board();
    await saved.runCheck({ data: terminal, seconds: 0.1 });
    assert.deepEqual(saved.chip.requests[0]?.offsets, [D0, D1]);
    // INPUT | EDGE_RISING | EDGE_FALLING | BIAS_PULL_UP | ACTIVE_LOW: the saved reader's pull-up.
    assert.equal(saved.chip.requests[0]?.flags, 0x4 | 0x10 | 0x20 | 0x100 | 0x2);
    assert.match(saved.report(), new RegExp(`^Card reader — D0 /dev/gpiochip3 line 8, D1 line 9, bias pull-up, as saved in ${terminal}`));

    const flags = board();
    // Pulled down, the lines read high only while the reader (powered) holds them there.
    flags.chip.drive(10, true);
    flags.chip.drive(11, true);
    const { done: running } = await flags.listen({ wiring: { chipPath: CHIP, d0Line: 10, d1Line: 11 }, bias: 'pull-down', data: terminal, seconds: 10, cards: 1 }, {}, [10, 11]);
    assert.deepEqual(flags.chip.requests[0]?.offsets, [10, 11]);
    assert.equal(flags.chip.requests[0]?.flags, 0x4 | 0x10 | 0x20 | 0x200 | 0x2, 'pulled down as asked');
    await flags.present(wiegand26(12, 3456), { d0: 10, d1: 11 });
    assert.equal((await running).ok, true, flags.report());
    assert.match(flags.report(), /^Card reader — D0 \/dev\/gpiochip3 line 10, D1 line 11, bias pull-down, from the command line/);
    assert.doesNotMatch(flags.report(), /low at rest/);
    assert.ok(flags.printed.includes('  [ok  ] 26 bits wiegand26: facility 12, card 3456 — Colin Powell'), 'the names come from --data all the same');

    const unsaved = board();
    assert.equal((await unsaved.runCheck({ data: plain, seconds: 0.1 })).ok, false);
    assert.deepEqual(unsaved.printed, [`  [FAIL] no card reader to listen to: door.inputs.cardReader is not set in ${plain}; give its wiring with --chip <device> --d0 <line> --d1 <line>`]);
    const nowhere = board();
    await nowhere.runCheck({ seconds: 0.1 }, { env });
    assert.deepEqual(nowhere.printed, [
      '  [FAIL] no card reader to listen to: there is no terminal data here (--data or LINTEL_DATA_DIR) to take a saved one from; give its wiring with --chip <device> --d0 <line> --d1 <line>',
    ]);
    const missing = board();
    await missing.runCheck({ wiring, data: join(dir, 'empty'), seconds: 0.1 });
    assert.match(missing.report(), /^ {2}\[FAIL\] no terminal data in .*empty \(lintel\.db is missing\)$/);
    assert.equal(saved.chip.requests.length + unsaved.chip.requests.length + nowhere.chip.requests.length + missing.chip.requests.length, 1, 'only the saved reader was listened to');
  });

  test('a store that cannot be opened (a running terminal): with --chip the check goes on without names; without, it stops', async () => {
    const locked = (): never => {
      throw new Error('database is locked');
    };
    const withFlags = board();
    const { done: running } = await withFlags.listen({ wiring, data: terminal, seconds: 10, cards: 1 }, { openStore: locked });
    await withFlags.present(wiegand26(12, 3456));
    assert.equal((await running).ok, true);
    assert.match(withFlags.report(), /the terminal data in .* could not be read \(database is locked; a running terminal may hold it\): cards are not named/);
    assert.ok(withFlags.printed.includes('  [ok  ] 26 bits wiegand26: facility 12, card 3456'), withFlags.report());

    const saved = board();
    assert.equal((await saved.runCheck({ data: terminal, seconds: 0.1 }, { openStore: locked })).ok, false);
    assert.deepEqual(saved.printed, [`  [FAIL] cannot read the terminal data in ${terminal}: database is locked`]);
  });
});

describe('lintel doctor --card-reader on the command line', () => {
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-card-doctor-'));
    TerminalStore.open({ dataDir: join(dir, 'terminal') }).close();
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("refuses the options it does not read, its own without it, and bad values, exit 2, naming them", async () => {
    const cases = [
      [['doctor', '--seconds', '5'], 'lintel doctor: --seconds only go with --card-reader'],
      [['doctor', '--chip', '/dev/gpiochip0', '--cards', '2'], 'lintel doctor: --chip only go with --wiegand-loopback or --card-reader; --cards only go with --card-reader'],
      [['doctor', '--wiegand-loopback', '--bias', 'pull-up'], 'lintel doctor: --bias only go with --card-reader'],
      [['doctor', '--card-reader', '--d0-in', '3', '--runs', '5'], 'lintel doctor: --d0-in, --runs do not go with --card-reader'],
      [['doctor', '--card-reader', '--frames', '5'], 'lintel doctor: --frames does not go with --card-reader'],
      [['doctor', '--card-reader', '--wiegand-loopback'], 'lintel doctor: --wiegand-loopback and --card-reader are two checks: run one at a time'],
      [['doctor', '--card-reader', '--d0', '4', '--d1', '5'], 'lintel doctor: --d0 and --d1 go with --chip <device>'],
      [['doctor', '--card-reader', '--chip', '/dev/gpiochip0', '--d0', '4'], 'lintel doctor: --d1 must be a whole number from 0 to 1023, got nothing'],
      [['doctor', '--card-reader', '--chip', '/dev/gpiochip0', '--d0', '4', '--d1', '4'], 'lintel doctor: --d0 and --d1 must be two lines, got 4 for both'],
      [['doctor', '--card-reader', '--chip', '/dev/gpiochip0', '--d0', '4', '--d1', '5', '--bias', 'up'], 'lintel doctor: --bias must be pull-up, pull-down, disabled or as-is, got up'],
      [['doctor', '--card-reader', '--seconds', '0'], 'lintel doctor: --seconds must be a whole number from 1 to 3600, got 0'],
    ] as const;
    const runs = await Promise.all(cases.map(([args]) => runLintel(args)));
    cases.forEach(([args, message], i) => {
      const run = runs[i];
      assert.equal(run?.code, 2, `${args.join(' ')}\nstdout: ${run?.stdout}\nstderr: ${run?.stderr}`);
      assert.ok(run.stderr.startsWith(message), `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
    });
  });

  test('runs the check: a terminal without a saved reader and no --chip is exit 1, said plainly', async () => {
    const run = await runLintel(['doctor', '--card-reader', '--data', join(dir, 'terminal'), '--seconds', '1']);
    assert.equal(run.code, 1, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
    assert.match(run.stdout, /\[FAIL\] no card reader to listen to: door\.inputs\.cardReader is not set in .*terminal; give its wiring with --chip/);
  });
});
