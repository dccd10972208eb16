import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { FakeSerialLine } from '../../../../native-bridge/serial/fake-serial-port.js';
import type { SerialPortOptions } from '../../../../native-bridge/serial/serial-port.js';
import { decodeCard, resolveCardFormat } from '../card-format.js';
import { osdpOutputConfigSchema, type OsdpOutputConfig } from '../../../shared/shapes/door-outputs.js';
import { createDoorOutputs, DoorConfigError, parseDoorOutputsConfig } from '../create-door-outputs.js';
import type { DoorEvent, DoorLogger } from '../door-output.js';
import { COMMAND, NAK, REPLY } from './commands.js';
import type { PanelIndication } from './indicators.js';
import { OsdpOutput } from './osdp-output.js';
import { PacketReader } from './packet.js';
import { TestPanel } from './test/test-panel.js';

interface LogLine {
  readonly level: 'info' | 'warn';
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

function recordingLogger(): DoorLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
  };
}

/** A panel on the far end of a fake line: frames go out on `line.peer`, the PD's replies come back on it. */
function panelOn(line: FakeSerialLine, address: number): TestPanel {
  const reader = new PacketReader();
  let waiting: ((bytes: Buffer) => void) | undefined;
  line.peer.onData((chunk) => {
    for (const event of reader.push(chunk, performance.now())) {
      if (event.kind === 'packet') waiting?.(Buffer.concat([event.packet.hasMark ? Buffer.of(0xff) : Buffer.alloc(0), event.packet.bytes]));
    }
  });
  return new TestPanel(undefined, address, async (wire) => {
    const reply = new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 300);
      waiting = (bytes) => {
        clearTimeout(timer);
        resolve(bytes);
      };
    });
    await line.peer.write(wire);
    return reply;
  });
}

const GRANTED: DoorEvent = { id: 41, atMs: 0, decision: 'granted', reason: 'match', personId: 'p-1', credential: { facilityCode: 18, cardNumber: 4660, format: 'wiegand26' } };

describe('OSDP door output', () => {
  let dataDir = '';
  let outputs: OsdpOutput[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lintel-osdp-'));
    outputs = [];
  });
  afterEach(async () => {
    await Promise.all(outputs.map((output) => output.close()));
    await rm(dataDir, { recursive: true, force: true });
  });

  /** An output on a fresh fake line, its port open. */
  async function start(config: Partial<OsdpOutputConfig> = {}, line = new FakeSerialLine('/dev/ttyS3', config.baudRate ?? 9600)) {
    const logger = recordingLogger();
    const indications: PanelIndication[] = [];
    const opened: SerialPortOptions[] = [];
    const output = new OsdpOutput(osdpOutputConfigSchema.parse({ kind: 'osdp', port: '/dev/ttyS3', secureChannel: false, ...config }), {
      logger,
      dataDir,
      openPort: (options) => {
        opened.push(options);
        return line.device;
      },
      onIndication: (indication) => indications.push(indication),
      productVersion: '0.1.0',
    });
    outputs.push(output);
    await new Promise((resolve) => setImmediate(resolve));
    return { output, line, logger, indications, opened, panel: panelOn(line, output.health().address) };
  }

  it('sends a granted credential as osdp_RAW in the next poll reply, in its Wiegand format', async () => {
    const { output, panel } = await start();
    assert.equal((await panel.request(COMMAND.POLL))?.code, REPLY.ACK);
    const opening = output.open(GRANTED);
    const reply = await panel.request(COMMAND.POLL);
    assert.equal(reply?.code, REPLY.RAW);
    const data = reply?.data ?? Buffer.alloc(0);
    assert.equal(data[1], 1, 'format: raw Wiegand');
    assert.equal(data.readUInt16LE(2), 26);
    const bits = Array.from({ length: 26 }, (_, i) => ((data[4 + (i >> 3)] ?? 0) >> (7 - (i & 7))) & 1);
    const decoded = decodeCard(resolveCardFormat('wiegand26'), bits);
    assert.deepEqual(decoded, { facilityCode: 18, cardNumber: 4660, parityErrors: [], fixedErrors: [] });
    const result = await opening;
    assert.equal(result.status, 'done');
    assert.match((result as { detail: string }).detail, /wiegand26, 26 bits/);
    assert.equal(output.health().cardReadsSent, 1);
  });

  it('sends nothing for a denial, or for a person without a credential (and says why in the log)', async () => {
    const { output, logger } = await start();
    assert.equal((await output.open({ ...GRANTED, decision: 'denied', credential: undefined })).status, 'skipped');
    const { credential: _none, ...withoutCredential } = GRANTED;
    const result = await output.open(withoutCredential);
    assert.equal(result.status, 'skipped');
    assert.ok(logger.lines.some((line) => line.message === 'door.osdp.no-credential' && line.fields.eventId === 41));
  });

  it('drops a card read the panel does not poll for in time, and says the link is offline', async () => {
    const { output } = await start({ cardReadTimeoutMs: 200 });
    const result = await output.open(GRANTED);
    assert.equal(result.status, 'failed');
    assert.match((result as { error: string }).error, /did not poll.*offline/);
  });

  it('shows the panel\'s LED, text and buzzer as indications for the door screen', async () => {
    const { panel, indications } = await start();
    // Temporary green for 2 s over a permanent red.
    assert.equal((await panel.request(COMMAND.LED, Buffer.from([0, 0, 2, 20, 0, 2, 0, 20, 0, 1, 1, 0, 1, 0])))?.code, REPLY.ACK);
    assert.deepEqual(indications.at(-1)?.led, { color: 'green', flashing: false });
    assert.equal((await panel.request(COMMAND.TEXT, Buffer.from([0, 1, 0, 0, 0, 6, ...Buffer.from('Access')])))?.code, REPLY.ACK);
    assert.equal(indications.at(-1)?.text, 'Access');
    assert.equal((await panel.request(COMMAND.BUZ, Buffer.from([0, 2, 3, 0, 1])))?.code, REPLY.ACK);
    assert.deepEqual(indications.at(-1)?.buzzer, { onMs: 300, offMs: 0, count: 1 });
    assert.equal(indications.at(-1)?.output, 'osdp');
  });

  it('reports the link: waiting, online, then secure', async () => {
    const key = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const { output, panel } = await start({ secureChannel: true, installMode: true });
    assert.equal(output.health().status, 'unknown');
    assert.equal(output.health().link, 'offline');
    assert.equal((await panel.request(COMMAND.ID, Buffer.of(0)))?.code, REPLY.PDID);
    assert.equal(output.health().link, 'online');
    assert.equal(output.health().status, 'degraded', 'polled, but no secure channel yet');
    assert.equal(await panel.openSession(undefined, { defaultKey: true }), 'open');
    const health = output.health();
    assert.equal(health.link, 'secure');
    assert.equal(health.defaultKey, true);
    assert.match(health.message, /secure channel on the default key/);
    assert.equal((await panel.request(COMMAND.KEYSET, Buffer.concat([Buffer.of(1, 16), key])))?.code, REPLY.ACK);
    panel.session = undefined;
    assert.equal(await panel.openSession(key), 'open');
    assert.equal(output.health().status, 'ok');
    assert.equal(output.health().keyInstalled, true);
  });

  it('keeps the key the panel set sealed in the data folder, across a restart, and never logs it', async () => {
    const key = Buffer.from('f0e1d2c3b4a5968778695a4b3c2d1e0f', 'hex');
    const first = await start({ secureChannel: true, installMode: true });
    assert.equal(await first.panel.openSession(undefined, { defaultKey: true }), 'open');
    assert.equal((await first.panel.request(COMMAND.KEYSET, Buffer.concat([Buffer.of(1, 16), key])))?.code, REPLY.ACK);
    assert.ok(first.logger.lines.some((line) => line.message === 'door.osdp.key-set'));
    await first.output.close();
    const file = await readFile(join(dataDir, 'osdp', 'osdp.json'), 'utf8');
    for (const encoding of ['hex', 'base64'] as const) assert.equal(file.includes(key.toString(encoding)), false, `the key is not in the file as ${encoding}`);
    const logged = JSON.stringify(first.logger.lines);
    for (const encoding of ['hex', 'base64'] as const) assert.equal(logged.includes(key.toString(encoding)), false, `the key is not in the log as ${encoding}`);

    // After a restart, without install mode: the stored key opens a session, the default key does not.
    const second = await start({ secureChannel: true, installMode: false });
    assert.deepEqual(((await second.panel.openSession(undefined, { defaultKey: true })) as { data: Buffer }).data, Buffer.of(NAK.SC_CONDITIONS));
    assert.equal(await second.panel.openSession(key), 'open');
    const opening = second.output.open(GRANTED);
    const raw = await second.panel.request(COMMAND.POLL);
    assert.equal(raw?.code, REPLY.RAW);
    assert.equal(raw?.secured, true);
    assert.equal((await opening).status, 'done');
  });

  it('moves to the address and speed the panel chose with osdp_COMSET, keeps them across a restart, and drops them when the configuration changes', async () => {
    const { output, panel, line } = await start({ address: 1 });
    const reply = await panel.request(COMMAND.COMSET, Buffer.from([7, 0x00, 0x4b, 0x00, 0x00]));
    assert.equal(reply?.code, REPLY.COM);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(line.device.baudChanges, [19200]);
    assert.equal(output.health().address, 7);
    assert.equal(output.health().baudRate, 19200);
    await output.close();
    const again = await start({ address: 1 }, new FakeSerialLine('/dev/ttyS3', 19200));
    assert.equal(again.opened[0]?.baudRate, 19200);
    assert.equal(again.output.health().address, 7);
    assert.equal((await again.panel.request(COMMAND.POLL))?.code, REPLY.ACK);
    await again.output.close();
    const reconfigured = await start({ address: 2 });
    assert.equal(reconfigured.output.health().address, 2);
    assert.equal(reconfigured.opened[0]?.baudRate, 9600);
  });

  it('reports a port that cannot be opened, and tries again', async () => {
    const logger = recordingLogger();
    let attempts = 0;
    const output = new OsdpOutput(osdpOutputConfigSchema.parse({ kind: 'osdp', port: '/dev/ttyS9' }), {
      logger,
      dataDir,
      reopenDelayMs: 20,
      openPort: () => {
        attempts += 1;
        throw new Error('open on /dev/ttyS9 failed: ENOENT');
      },
    });
    outputs.push(output);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(attempts >= 2, `tried ${attempts} times`);
    const health = output.health();
    assert.equal(health.status, 'unavailable');
    assert.match(health.message, /ENOENT/);
    assert.equal(logger.lines.filter((line) => line.message === 'door.osdp.port-unavailable').length, 1, 'the same failure is logged once');
    const result = await output.open(GRANTED);
    assert.equal(result.status, 'failed');
    assert.match((result as { error: string }).error, /unavailable/);
  });

  it('reopens the port after the device goes away', async () => {
    const lines = [new FakeSerialLine('/dev/ttyS3'), new FakeSerialLine('/dev/ttyS3')];
    let next = 0;
    const output = new OsdpOutput(osdpOutputConfigSchema.parse({ kind: 'osdp', port: '/dev/ttyS3', secureChannel: false }), {
      logger: recordingLogger(),
      dataDir,
      reopenDelayMs: 10,
      openPort: () => (lines[next++] ?? lines[1])?.device as FakeSerialLine['device'],
    });
    outputs.push(output);
    await new Promise((resolve) => setImmediate(resolve));
    lines[0]?.device.fail();
    assert.equal(output.health().status, 'unavailable');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const panel = panelOn(lines[1] as FakeSerialLine, 0);
    assert.equal((await panel.request(COMMAND.POLL))?.code, REPLY.ACK);
  });
});

describe('OSDP output settings', () => {
  const parse = (raw: Record<string, unknown>) => osdpOutputConfigSchema.safeParse({ kind: 'osdp', port: '/dev/ttyS3', ...raw });
  const messages = (raw: Record<string, unknown>) => {
    const result = parse(raw);
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  };

  it('defaults to address 0 at 9600 baud with Secure Channel required, install mode off', () => {
    const result = parse({});
    assert.ok(result.success);
    assert.deepEqual(
      { ...result.data },
      { kind: 'osdp', name: 'osdp', port: '/dev/ttyS3', baudRate: 9600, address: 0, secureChannel: true, installMode: false, format: null, cardReadTimeoutMs: 3000 },
    );
  });

  it('is one of the door outputs: built by createDoorOutputs, one reader per port, a data folder for its key', async () => {
    const logger = recordingLogger();
    const dataDir = await mkdtemp(join(tmpdir(), 'lintel-osdp-'));
    const outputs = createDoorOutputs([{ kind: 'osdp', port: '/dev/ttyS3' }], { logger, dataDir, openSerialPort: () => new FakeSerialLine().device });
    assert.equal(outputs.outputs[0]?.kind, 'osdp');
    await outputs.close();
    await rm(dataDir, { recursive: true, force: true });
    assert.throws(
      () => parseDoorOutputsConfig([{ kind: 'osdp', port: '/dev/ttyS3' }, { kind: 'osdp', name: 'second', port: '/dev/ttyS3', address: 1 }]),
      (error: unknown) => error instanceof DoorConfigError && /outputs\[1\] \(osdp\) port: \/dev\/ttyS3 is already the port of output 0/.test(error.message),
    );
    assert.throws(() => createDoorOutputs([{ kind: 'osdp', port: '/dev/ttyS3' }], { logger }), /needs deps.dataDir/);
  });

  it('names what is wrong: a baud rate, an address, a port, install mode without Secure Channel', () => {
    assert.deepEqual(messages({ baudRate: 4800 }), ['baudRate: must be one of 9600, 19200, 38400, 57600, 115200, got 4800']);
    assert.deepEqual(messages({ address: 127 }), ['address: must be from 0 to 126 (127 is the broadcast address), got 127']);
    assert.deepEqual(messages({ port: 'COM3' }), ['port: must be a serial device such as /dev/ttyS3']);
    assert.deepEqual(messages({ secureChannel: false, installMode: true }), ['installMode: install mode sets up Secure Channel: switch secureChannel on, or install mode off']);
  });
});
