// Interoperability with the reference implementation: libosdp's control panel (CP) polls Lintel's OSDP output
// (a PD) over a real pseudo-terminal opened as its serial port — with and without Secure Channel, with the key
// set by the panel in install mode and kept across a restart, and refused to a panel holding another key. The
// CP must see the PD online, read its identity and capabilities, receive a granted face's card read, and have
// its LED, buzzer and text shown; the output is built by createDoorOutputs, as the terminal builds it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { openPseudoTerminal, type PseudoTerminal } from '../../native-bridge/serial/pseudo-terminal.js';
import { decodeCard, resolveCardFormat } from '../../electron/terminal/door/card-format.js';
import { createDoorOutputs } from '../../electron/terminal/door/create-door-outputs.js';
import type { DoorEvent, DoorLogger } from '../../electron/terminal/door/door-output.js';
import type { DoorOutputs } from '../../electron/terminal/door/door-outputs.js';
import type { PanelIndication } from '../../electron/terminal/door/osdp/indicators.js';
import type { OsdpOutput } from '../../electron/terminal/door/osdp/osdp-output.js';
import { OsdpStore } from '../../electron/terminal/door/osdp/osdp-store.js';
import { buildLibosdpPanel, cardBits, LibosdpPanel, missingLibosdp, type PanelEvent } from './libosdp.js';

const skip = missingLibosdp();
const KEY_HEX = '7a1c3e9b5d2f4a6c8e0b1d3f5a7c9e2b';
const OTHER_KEY_HEX = '00000000000000000000000000000001';
const ADDRESS = 9;
/** How long the panel gets to bring the reader online (ID, CAP, a Secure Channel handshake, a key set). */
const ONLINE_MS = 15_000;

const granted = (id: number): DoorEvent => ({ id, atMs: Date.now(), decision: 'granted', reason: 'match', personId: 'p-1', credential: { facilityCode: 42, cardNumber: 31337, format: 'wiegand26' } });

const logLines: string[] = [];
const logger: DoorLogger = {
  info: (message, fields) => logLines.push(`${message} ${JSON.stringify(fields)}`),
  warn: (message, fields) => logLines.push(`WARN ${message} ${JSON.stringify(fields)}`),
};

/** One reader and one panel on a fresh pseudo-terminal. */
interface Bench {
  readonly outputs: DoorOutputs;
  readonly output: OsdpOutput;
  readonly panel: LibosdpPanel;
  readonly pty: PseudoTerminal;
  readonly indications: PanelIndication[];
}

let executable = '';
let dataDir = '';
const running: Bench[] = [];

async function startBench(output: Record<string, unknown>, panel: { scbkHex?: string; enforceSecure?: boolean }): Promise<Bench> {
  const pty = openPseudoTerminal();
  const indications: PanelIndication[] = [];
  const outputs = createDoorOutputs([{ kind: 'osdp', port: pty.devicePath, address: ADDRESS, ...output }], {
    logger,
    dataDir,
    productVersion: '0.1.0',
    onPanelIndication: (indication) => indications.push(indication),
  });
  // The reader opens its port on the next turn; the panel starts polling after.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const cp = await LibosdpPanel.start({ executable, lineFd: pty.controllerFd, address: ADDRESS, ...panel });
  // The panel holds the controller side now; this process lets go of its copy.
  pty.close();
  const bench = { outputs, output: outputs.outputs[0] as OsdpOutput, panel: cp, pty, indications };
  running.push(bench);
  return bench;
}

async function stopBench(bench: Bench): Promise<void> {
  await bench.outputs.close();
  await bench.panel.stop();
  running.splice(running.indexOf(bench), 1);
}

/** Waits for the panel's "online" (and, when asked, a secure session on the real key). */
async function online(bench: Bench, secure: boolean): Promise<void> {
  await bench.panel.waitFor((event) => event.event === 'pd-status' && event.online === true, ONLINE_MS, 'the panel to see the reader online');
  if (secure) await bench.panel.waitFor((event) => event.event === 'sc-status' && event.active === true && event.defaultKey === false, ONLINE_MS, 'a secure channel on the real key');
}

/** Grants, and checks the card read the panel receives: raw Wiegand, 26 bits, facility 42, card 31337. */
async function grantReachesPanel(bench: Bench, eventId: number): Promise<void> {
  const from = bench.panel.events.length;
  const result = await bench.output.open(granted(eventId));
  assert.equal(result.status, 'done', JSON.stringify(result));
  const read = await bench.panel.waitFor((event) => event.event === 'cardread', 5_000, 'the card read at the panel', from);
  assert.equal(read.format, 1, 'raw Wiegand');
  assert.equal(read.bits, 26);
  assert.deepEqual(decodeCard(resolveCardFormat('wiegand26'), cardBits(read)), { facilityCode: 42, cardNumber: 31337, parityErrors: [], fixedErrors: [] });
}

/** The panel's LED, buzzer and text commands, each completed and shown on the reader. */
async function panelSignalsShown(bench: Bench): Promise<void> {
  const from = bench.panel.events.length;
  // Temporary green for 3 s over a permanent red; a 200 ms beep; a temporary text for 5 s.
  bench.panel.command('led 2 30 0 2 0 30 1 1 0 1 0');
  bench.panel.command('buzzer 2 2 0 1');
  bench.panel.command('text 3 5 Welcome, Ada');
  const done = (command: number): ((event: PanelEvent) => boolean) => (event) => event.event === 'command-done' && event.command === command && event.status === 0;
  for (const [command, what] of [[2, 'LED'], [3, 'buzzer'], [4, 'text']] as const) await bench.panel.waitFor(done(command), 5_000, `the ${what} command to complete`, from);
  assert.ok(bench.indications.some((indication) => indication.led?.color === 'green'), 'the panel LED turned green on the door screen');
  assert.ok(bench.indications.some((indication) => indication.buzzer !== null && indication.buzzer.onMs === 200), 'the buzzer sounded');
  assert.ok(bench.indications.some((indication) => indication.text === 'Welcome, Ada'), 'the text is shown');
}

describe('OSDP against libosdp (the reference implementation)', { skip }, () => {
  before(async () => {
    executable = buildLibosdpPanel();
    dataDir = await mkdtemp(join(tmpdir(), 'lintel-osdp-interop-'));
  });
  after(async () => {
    for (const bench of [...running]) await stopBench(bench);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('without Secure Channel: online, identity and capabilities, a card read, LED/buzzer/text, status, and COMSET', async () => {
    const bench = await startBench({ name: 'plain', secureChannel: false }, {});
    await online(bench, false);
    const state = await bench.panel.state();
    const serialNumber = OsdpStore.open(dataDir, 'plain').serialNumber;
    assert.deepEqual(state.id, { vendorCode: 0, model: 1, version: 1, serialNumber, firmware: 0x000100 }, 'osdp_PDID as the panel read it');
    const capabilities = new Map((state.capabilities as number[][]).map(([code, level, items]) => [code, [level, items]]));
    assert.deepEqual(capabilities.get(3), [1, 0], 'card data as an array of bits');
    assert.deepEqual(capabilities.get(4), [4, 1], 'one LED');
    assert.deepEqual(capabilities.get(8), [1, 0], 'CRC-16');
    assert.deepEqual(capabilities.get(9), [0, 0], 'no Secure Channel');
    await grantReachesPanel(bench, 1);
    await panelSignalsShown(bench);
    const from = bench.panel.events.length;
    bench.panel.command('status output');
    const report = await bench.panel.waitFor((event) => event.event === 'status', 5_000, 'osdp_OSTATR', from);
    assert.equal(report.report, '00');
    // The panel moves the reader to address 12 at 19200 baud; it keeps answering there.
    bench.panel.command('comset 12 19200');
    await bench.panel.waitFor((event) => event.event === 'command-done' && event.command === 6 && event.status === 0, 5_000, 'COMSET to complete', from);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await bench.panel.state()).online, true, 'online at the new address');
    const health = bench.output.health();
    assert.equal(health.address, 12);
    assert.equal(health.baudRate, 19200);
    assert.equal(health.link, 'online');
    await stopBench(bench);
  });

  it('Secure Channel in install mode: the panel sets its key, then polls over a secure channel and gets the card read', async () => {
    const bench = await startBench({ name: 'secure', secureChannel: true, installMode: true }, { scbkHex: KEY_HEX });
    await online(bench, true);
    assert.ok(bench.panel.events.some((event) => event.event === 'sc-status' && event.active === true && event.defaultKey === true), 'first a session on the default key');
    assert.ok(logLines.some((line) => line.startsWith('door.osdp.key-set')), 'the reader logged the new key');
    assert.equal(logLines.some((line) => line.toLowerCase().includes(KEY_HEX)), false, 'the key is not in the log');
    const state = await bench.panel.state();
    assert.equal(state.secure, true);
    assert.deepEqual((state.capabilities as number[][]).find(([code]) => code === 9), [9, 1, 1], 'AES-128, and the default key offered in install mode');
    await grantReachesPanel(bench, 2);
    await panelSignalsShown(bench);
    const health = bench.output.health();
    assert.equal(health.link, 'secure');
    assert.equal(health.keyInstalled, true);
    assert.equal(health.status, 'ok');
    await stopBench(bench);
  });

  it('after a restart without install mode, the stored key opens the secure channel for a panel that requires it', async () => {
    const bench = await startBench({ name: 'secure', secureChannel: true, installMode: false }, { scbkHex: KEY_HEX, enforceSecure: true });
    await online(bench, true);
    assert.equal(bench.panel.events.some((event) => event.event === 'sc-status' && event.defaultKey === true), false, 'no session on the default key');
    await grantReachesPanel(bench, 3);
    await stopBench(bench);
  });

  it('a panel holding another key never gets a session, nor the card read', async () => {
    const bench = await startBench({ name: 'secure', secureChannel: true, installMode: false, cardReadTimeoutMs: 1500 }, { scbkHex: OTHER_KEY_HEX, enforceSecure: true });
    await bench.panel.waitFor((event) => event.event === 'submitted' || event.event === 'ready', 1_000, 'the panel to run');
    const result = await bench.output.open(granted(4));
    assert.equal(result.status, 'failed');
    assert.match((result as { error: string }).error, /card read dropped/);
    assert.equal(bench.panel.events.some((event) => event.event === 'cardread'), false);
    assert.equal(bench.panel.events.some((event) => event.event === 'sc-status' && event.active === true), false);
    assert.notEqual(bench.output.health().link, 'secure');
    await stopBench(bench);
  });
});
