// npm run bench:osdp — the time from the door's decision to the card read reaching the access-control panel:
// Lintel's OSDP output (built by createDoorOutputs) on a pseudo-terminal, polled by libosdp's control panel,
// 20 grants each without and with Secure Channel, spread over the poll cycle. The decision time is taken when
// the output is handed the event; the arrival time is the CP's wall clock when libosdp hands it the card read.
// A pseudo-terminal does not pace bytes at the baud rate: the time a real RS-485 line adds is printed beside.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createDoorOutputs } from '../../electron/terminal/door/create-door-outputs.js';
import type { DoorEvent } from '../../electron/terminal/door/door-output.js';
import { openPseudoTerminal } from '../../native-bridge/serial/pseudo-terminal.js';
import { buildLibosdpPanel, LibosdpPanel, missingLibosdp } from '../interop/libosdp.js';

const GRANTS = 20;
const ADDRESS = 1;
const BAUD_RATE = 9600;
const KEY_HEX = '3f1e5d7c9b2a4f6e8d0c1b3a5f7e9d2c';

/** Wall clock in µs, with node's sub-millisecond resolution (comparable with the CP's CLOCK_REALTIME). */
const nowUs = (): number => (performance.timeOrigin + performance.now()) * 1000;

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return (sorted[low] ?? 0) + ((sorted[high] ?? 0) - (sorted[low] ?? 0)) * (at - low);
}

/**
 * Bytes of the osdp_RAW reply with a 26-bit card: mark, header (5), code, reader, format, bit count (2), 4 data
 * bytes, CRC (2); under Secure Channel also the security block (2), the data padded to 16 and the MAC (4).
 */
function replyBytes(secure: boolean): number {
  return secure ? 1 + 5 + 2 + 1 + 16 + 4 + 2 : 1 + 5 + 1 + 4 + 4 + 2;
}

async function run(secure: boolean, executable: string, dataDir: string): Promise<number[]> {
  const pty = openPseudoTerminal();
  const outputs = createDoorOutputs([{ kind: 'osdp', name: secure ? 'secure' : 'plain', port: pty.devicePath, address: ADDRESS, baudRate: BAUD_RATE, secureChannel: secure, installMode: secure }], {
    logger: { info: () => undefined, warn: (message, fields) => console.error(message, fields) },
    dataDir,
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const panel = await LibosdpPanel.start({ executable, lineFd: pty.controllerFd, address: ADDRESS, baudRate: BAUD_RATE, ...(secure ? { scbkHex: KEY_HEX } : {}) });
  pty.close();
  const output = outputs.outputs[0];
  if (output === undefined) throw new Error('no output was built');
  const latenciesMs: number[] = [];
  try {
    await panel.waitFor((event) => event.event === 'pd-status' && event.online === true, 15_000, 'the reader online');
    if (secure) await panel.waitFor((event) => event.event === 'sc-status' && event.active === true && event.defaultKey === false, 15_000, 'a secure channel');
    for (let i = 0; i < GRANTS; i++) {
      // A pause of 0–120 ms between grants: decisions fall anywhere in the panel's 50 ms poll cycle.
      await new Promise((resolve) => setTimeout(resolve, 80 + Math.random() * 120));
      const from = panel.events.length;
      const event: DoorEvent = { id: i + 1, atMs: Date.now(), decision: 'granted', reason: 'match', credential: { facilityCode: 7, cardNumber: 1000 + i, format: 'wiegand26' } };
      const decidedUs = nowUs();
      const result = await output.open(event);
      if (result.status !== 'done') throw new Error(`grant ${i + 1}: ${JSON.stringify(result)}`);
      const read = await panel.waitFor((candidate) => candidate.event === 'cardread', 5_000, `card read ${i + 1}`, from);
      latenciesMs.push((Number(read.atUs) - decidedUs) / 1000);
    }
  } finally {
    await outputs.close();
    await panel.stop();
  }
  return latenciesMs;
}

async function main(): Promise<void> {
  const missing = missingLibosdp();
  if (missing !== undefined) {
    console.log(`bench:osdp skipped: ${missing}`);
    return;
  }
  const executable = buildLibosdpPanel();
  const dataDir = await mkdtemp(join(tmpdir(), 'lintel-osdp-bench-'));
  try {
    console.log(`OSDP: decision → card read at libosdp's control panel, ${GRANTS} grants each, pseudo-terminal, CP polls every 50 ms`);
    for (const secure of [false, true]) {
      const latencies = (await run(secure, executable, dataDir)).sort((a, b) => a - b);
      const wireMs = (replyBytes(secure) * 10 * 1000) / BAUD_RATE;
      const figures = [`median ${quantile(latencies, 0.5).toFixed(1)} ms`, `p90 ${quantile(latencies, 0.9).toFixed(1)} ms`, `min ${(latencies[0] ?? 0).toFixed(1)} ms`, `max ${(latencies.at(-1) ?? 0).toFixed(1)} ms`];
      console.log(`  ${secure ? 'Secure Channel   ' : 'no Secure Channel'}: ${figures.join(', ')}; a real ${BAUD_RATE}-baud line adds ${wireMs.toFixed(1)} ms for the ${replyBytes(secure)}-byte reply`);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
