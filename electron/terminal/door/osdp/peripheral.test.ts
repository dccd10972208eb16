import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { COMMAND, NAK, REPLY } from './commands.js';
import type { BuzzerRecord, LedRecord, OutputRecord, TextRecord } from './commands.js';
import { OsdpPeripheral, SESSION_TIMEOUT_MS } from './peripheral.js';
import type { PeripheralEvent, PeripheralOptions, QueuedCardRead } from './peripheral.js';
import { TestPanel } from './test/test-panel.js';

const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

interface Harness {
  readonly pd: OsdpPeripheral;
  readonly panel: TestPanel;
  readonly calls: { led: LedRecord[]; buzzer: BuzzerRecord[]; text: TextRecord[]; output: OutputRecord[]; keys: Buffer[]; comset: [number, number][]; applied: [number, number][] };
  readonly events: PeripheralEvent[];
  readonly clock: { nowMs: number };
}

function harness(overrides: Partial<PeripheralOptions> = {}): Harness {
  const calls: Harness['calls'] = { led: [], buzzer: [], text: [], output: [], keys: [], comset: [], applied: [] };
  const events: PeripheralEvent[] = [];
  const clock = { nowMs: 1_000 };
  let random = 0;
  const pd = new OsdpPeripheral({
    address: 5,
    identity: { vendorCode: 0x0a0b0c, model: 7, version: 2, serialNumber: 0x11223344, firmware: { major: 0, minor: 1, build: 9 } },
    secureChannel: false,
    installMode: false,
    scbk: undefined,
    inputCount: 2,
    outputCount: 1,
    baudRates: [9600, 19200, 38400, 57600, 115200],
    handlers: {
      led: (records) => calls.led.push(...records),
      buzzer: (records) => calls.buzzer.push(...records),
      text: (record) => calls.text.push(record),
      output: (records) => calls.output.push(...records),
      outputStates: () => [1],
      inputStates: () => [0, 1],
      storeKey: (key) => calls.keys.push(Buffer.from(key)),
      comset: (address, baudRate) => calls.comset.push([address, baudRate]),
      applyComset: (address, baudRate) => calls.applied.push([address, baudRate]),
    },
    onEvent: (event) => events.push(event),
    randomBytes: (count) => Buffer.alloc(count, ++random),
    nowMs: () => clock.nowMs,
    ...overrides,
  });
  return { pd, panel: new TestPanel(pd, 5), calls, events, clock };
}

/** A card read with recorded outcome. */
function cardRead(expiresAtMs: number, data = Buffer.from([0xa5, 0x5a, 0xc0])): QueuedCardRead & { sentAtMs?: number; dropped?: string } {
  const read: QueuedCardRead & { sentAtMs?: number; dropped?: string } = {
    bits: { format: 1, bitCount: 18, data },
    expiresAtMs,
    onSent: (atMs) => (read.sentAtMs = atMs),
    onDropped: (reason) => (read.dropped = reason),
  };
  return read;
}

describe('OSDP peripheral in the clear', () => {
  it('answers osdp_ID with its identity and osdp_CAP with its capabilities', () => {
    const { panel } = harness();
    const id = panel.send(COMMAND.ID, Buffer.of(0));
    assert.equal(id?.code, REPLY.PDID);
    assert.deepEqual(id?.data, Buffer.from([0x0c, 0x0b, 0x0a, 7, 2, 0x44, 0x33, 0x22, 0x11, 0, 1, 9]));
    const cap = panel.send(COMMAND.CAP, Buffer.of(0));
    assert.equal(cap?.code, REPLY.PDCAP);
    const entries = new Map<number, [number, number]>();
    for (let i = 0; i < (cap?.data.length ?? 0); i += 3) entries.set(cap?.data[i] ?? 0, [cap?.data[i + 1] ?? 0, cap?.data[i + 2] ?? 0]);
    assert.deepEqual(entries.get(1), [1, 2], 'two inputs');
    assert.deepEqual(entries.get(2), [1, 1], 'one output');
    assert.deepEqual(entries.get(8), [1, 0], 'CRC-16');
    assert.deepEqual(entries.get(9), [0, 0], 'no Secure Channel when it is switched off');
    assert.deepEqual(entries.get(16), [2, 0], 'OSDP 2.2');
  });

  it('replies with the address, sequence, check type and mark of the command', () => {
    const { panel } = harness();
    panel.useCrc = false;
    panel.mark = false;
    const reply = panel.send(COMMAND.POLL);
    assert.equal(reply?.code, REPLY.ACK);
    assert.equal(reply?.packet.address, 5);
    assert.equal(reply?.packet.sequence, 0);
    assert.equal(reply?.packet.useCrc, false);
    assert.equal(reply?.bytes[0], 0x53, 'no mark when the command had none');
    panel.useCrc = true;
    panel.mark = true;
    const second = panel.send(COMMAND.POLL);
    assert.equal(second?.packet.sequence, 1);
    assert.equal(second?.packet.useCrc, true);
    assert.equal(second?.bytes[0], 0xff);
  });

  it('ignores other addresses and replies; answers the broadcast address as 0x7F', () => {
    const { panel } = harness();
    assert.equal(panel.send(COMMAND.POLL, Buffer.alloc(0), { address: 6 }), undefined);
    const broadcast = panel.send(COMMAND.ID, Buffer.of(0), { address: 0x7f, sequence: 0 });
    assert.equal(broadcast?.packet.address, 0x7f);
    assert.equal(broadcast?.code, REPLY.PDID);
  });

  it('repeats the last reply byte for byte on a repeated sequence number, without running the command again', () => {
    const { panel, calls } = harness();
    panel.send(COMMAND.POLL);
    const text = Buffer.from([0, 1, 0, 0, 0, 5, ...Buffer.from('hello')]);
    const first = panel.send(COMMAND.TEXT, text);
    const again = panel.send(COMMAND.TEXT, text, { sequence: 1 });
    assert.deepEqual(again?.bytes, first?.bytes);
    assert.equal(calls.text.length, 1);
    assert.equal(calls.text[0]?.text, 'hello');
  });

  it('NAKs a sequence number out of order, and restarts on sequence 0', () => {
    const { panel } = harness();
    panel.send(COMMAND.POLL);
    const wrong = panel.send(COMMAND.POLL, Buffer.alloc(0), { sequence: 3 });
    assert.equal(wrong?.code, REPLY.NAK);
    assert.deepEqual(wrong?.data, Buffer.of(NAK.SEQUENCE));
    assert.equal(panel.send(COMMAND.POLL, Buffer.alloc(0), { sequence: 1 })?.code, REPLY.ACK);
    assert.equal(panel.send(COMMAND.POLL, Buffer.alloc(0), { sequence: 2 })?.code, REPLY.ACK);
    // A panel that restarts begins again at 0, whatever came before.
    assert.equal(panel.send(COMMAND.POLL, Buffer.alloc(0), { sequence: 0 })?.code, REPLY.ACK);
    assert.equal(panel.send(COMMAND.POLL, Buffer.alloc(0), { sequence: 1 })?.code, REPLY.ACK);
  });

  it('NAKs unknown commands and wrong lengths with their reasons', () => {
    const { panel } = harness();
    assert.deepEqual(panel.send(0x7b, Buffer.of(0, 1))?.data, Buffer.of(NAK.UNKNOWN_COMMAND));
    assert.deepEqual(panel.send(COMMAND.POLL, Buffer.of(1))?.data, Buffer.of(NAK.LENGTH));
    assert.deepEqual(panel.send(COMMAND.LED, Buffer.alloc(13))?.data, Buffer.of(NAK.LENGTH));
    assert.deepEqual(panel.send(COMMAND.TEXT, Buffer.from([0, 1, 0, 0, 0, 9, 0x41]))?.data, Buffer.of(NAK.LENGTH));
  });

  it('reports local, input and output status', () => {
    const { panel } = harness();
    const local = panel.send(COMMAND.LSTAT);
    assert.equal(local?.code, REPLY.LSTATR);
    assert.deepEqual(local?.data, Buffer.of(0, 0));
    const inputs = panel.send(COMMAND.ISTAT);
    assert.equal(inputs?.code, REPLY.ISTATR);
    assert.deepEqual(inputs?.data, Buffer.of(0, 1));
    const outputs = panel.send(COMMAND.OSTAT);
    assert.equal(outputs?.code, REPLY.OSTATR);
    assert.deepEqual(outputs?.data, Buffer.of(1));
  });

  it('decodes osdp_LED, osdp_BUZ and osdp_OUT records for its handlers; refuses an LED it does not have', () => {
    const { panel, calls } = harness();
    // Temporary green 0.5 s on / 0.5 s off for 3 s; permanent red steady.
    const led = Buffer.from([0, 0, 2, 5, 5, 2, 0, 30, 0, 1, 1, 0, 1, 0]);
    assert.equal(panel.send(COMMAND.LED, led)?.code, REPLY.ACK);
    assert.deepEqual(calls.led[0], {
      reader: 0,
      led: 0,
      temporaryControl: 2,
      temporary: { onMs: 500, offMs: 500, onColor: 'green', offColor: 'black', timerMs: 3000 },
      permanentControl: 1,
      permanent: { onMs: 100, offMs: 0, onColor: 'red', offColor: 'black' },
    });
    const otherLed = Buffer.from(led);
    otherLed[1] = 1;
    assert.deepEqual(panel.send(COMMAND.LED, otherLed)?.data, Buffer.of(NAK.RECORD));
    assert.equal(panel.send(COMMAND.BUZ, Buffer.from([0, 2, 2, 1, 3]))?.code, REPLY.ACK);
    assert.deepEqual(calls.buzzer[0], { reader: 0, tone: 2, onMs: 200, offMs: 100, count: 3 });
    assert.equal(panel.send(COMMAND.OUT, Buffer.from([0, 5, 20, 0]))?.code, REPLY.ACK);
    assert.deepEqual(calls.output[0], { output: 0, control: 5, timerMs: 2000 });
    assert.deepEqual(panel.send(COMMAND.OUT, Buffer.from([1, 2, 0, 0]))?.data, Buffer.of(NAK.RECORD), 'output 1 does not exist');
  });

  it('hands a queued card read to the next poll as osdp_RAW, once; an expired one is dropped unsent', () => {
    const { pd, panel, clock } = harness();
    const stale = cardRead(clock.nowMs - 1);
    const fresh = cardRead(clock.nowMs + 3000);
    pd.queueCardRead(stale);
    pd.queueCardRead(fresh);
    const reply = panel.send(COMMAND.POLL);
    assert.equal(reply?.code, REPLY.RAW);
    assert.deepEqual(reply?.data, Buffer.from([0, 1, 18, 0, 0xa5, 0x5a, 0xc0]));
    assert.equal(fresh.sentAtMs, clock.nowMs);
    assert.match(stale.dropped ?? '', /did not poll/);
    assert.equal(panel.send(COMMAND.POLL)?.code, REPLY.ACK);
  });

  it('answers osdp_COM with the new settings and switches only after the reply', () => {
    const { panel, calls, events } = harness();
    const reply = panel.send(COMMAND.COMSET, Buffer.from([9, 0x00, 0xc2, 0x01, 0x00]));
    assert.equal(reply?.code, REPLY.COM);
    assert.equal(reply?.packet.address, 5, 'the reply still comes from the old address');
    assert.deepEqual(reply?.data, Buffer.from([9, 0x00, 0xc2, 0x01, 0x00]));
    assert.deepEqual(calls.comset, [[9, 115200]]);
    assert.deepEqual(calls.applied, [[9, 115200]]);
    assert.deepEqual(events.at(-1), { kind: 'comset', address: 9, baudRate: 115200 });
    assert.equal(panel.send(COMMAND.POLL), undefined, 'the old address is no longer answered');
    panel.address = 9;
    assert.equal(panel.send(COMMAND.POLL, Buffer.alloc(0), { sequence: 1 })?.code, REPLY.ACK);
    assert.deepEqual(panel.send(COMMAND.COMSET, Buffer.from([9, 0x39, 0x30, 0, 0]))?.data, Buffer.of(NAK.RECORD), '12345 baud is refused');
    assert.deepEqual(panel.send(COMMAND.COMSET, Buffer.from([127, 0x80, 0x25, 0, 0]))?.data, Buffer.of(NAK.RECORD), 'address 127 is refused');
  });

  it('refuses Secure Channel when it is switched off', async () => {
    const { panel } = harness();
    const reply = await panel.openSession(KEY);
    assert.notEqual(reply, 'open');
    assert.deepEqual((reply as { data: Buffer }).data, Buffer.of(NAK.SC_UNSUPPORTED));
  });
});

describe('OSDP peripheral with Secure Channel', () => {
  it('opens a session with the installed key; every reply then carries a verified MAC', async () => {
    const { panel, events } = harness({ secureChannel: true, scbk: KEY });
    assert.equal(await panel.openSession(KEY), 'open');
    assert.deepEqual(events.at(-1), { kind: 'secure-channel-opened', defaultKey: false });
    const ack = panel.send(COMMAND.POLL);
    assert.equal(ack?.code, REPLY.ACK);
    assert.equal(ack?.packet.securityBlock?.type, 0x16);
    assert.equal(ack?.secured, true);
    const id = panel.send(COMMAND.ID, Buffer.of(0));
    assert.equal(id?.code, REPLY.PDID);
    assert.equal(id?.packet.securityBlock?.type, 0x18, 'reply data is encrypted');
    assert.notDeepEqual(id?.packet.data.subarray(0, 12), id?.data, 'the wire does not carry the identity in the clear');
  });

  it("decrypts the panel's encrypted text, and sends a card read encrypted", async () => {
    const { pd, panel, calls, clock } = harness({ secureChannel: true, scbk: KEY });
    assert.equal(await panel.openSession(KEY), 'open');
    assert.equal(panel.send(COMMAND.TEXT, Buffer.from([0, 3, 5, 0, 0, 7, ...Buffer.from('Welcome')]))?.code, REPLY.ACK);
    assert.deepEqual(calls.text[0], { reader: 0, command: 3, temporarySeconds: 5, row: 0, column: 0, text: 'Welcome' });
    pd.queueCardRead(cardRead(clock.nowMs + 1000));
    const raw = panel.send(COMMAND.POLL);
    assert.equal(raw?.code, REPLY.RAW);
    assert.equal(raw?.packet.securityBlock?.type, 0x18);
    assert.deepEqual(raw?.data, Buffer.from([0, 1, 18, 0, 0xa5, 0x5a, 0xc0]));
    assert.equal(raw?.packet.data.includes(Buffer.from([0xa5, 0x5a, 0xc0])), false, 'the card number is not on the wire in the clear');
  });

  it('gives nothing but identity and capabilities in the clear: a plain poll is NAKed and the card read waits', () => {
    const { pd, panel, clock } = harness({ secureChannel: true, scbk: KEY });
    const read = cardRead(clock.nowMs + 1000);
    pd.queueCardRead(read);
    assert.equal(panel.send(COMMAND.ID, Buffer.of(0))?.code, REPLY.PDID);
    const poll = panel.send(COMMAND.POLL);
    assert.equal(poll?.code, REPLY.NAK);
    assert.deepEqual(poll?.data, Buffer.of(NAK.SC_CONDITIONS));
    assert.equal(read.sentAtMs, undefined);
    assert.equal(pd.status().cardReadsQueued, 1);
  });

  it('a wrong MAC ends the session with a NAK in the clear', async () => {
    const { pd, panel } = harness({ secureChannel: true, scbk: KEY });
    assert.equal(await panel.openSession(KEY), 'open');
    const reply = panel.send(COMMAND.POLL, Buffer.alloc(0), { corruptMac: true });
    assert.equal(reply?.code, REPLY.NAK);
    assert.equal(reply?.secured, false);
    assert.deepEqual(reply?.data, Buffer.of(NAK.SC_CONDITIONS));
    assert.equal(pd.status().secure, false);
  });

  it('a panel holding another key cannot open a session', async () => {
    const { panel, pd } = harness({ secureChannel: true, scbk: KEY });
    assert.equal(await panel.openSession(Buffer.alloc(16, 0x77)), 'pd-cryptogram-wrong');
    assert.equal(pd.status().secure, false);
  });

  it('refuses the default key outside install mode, and without a key refuses a session until one is set', async () => {
    assert.deepEqual(((await harness({ secureChannel: true, scbk: KEY }).panel.openSession(undefined, { defaultKey: true })) as { data: Buffer }).data, Buffer.of(NAK.SC_CONDITIONS));
    assert.deepEqual(((await harness({ secureChannel: true }).panel.openSession(KEY)) as { data: Buffer }).data, Buffer.of(NAK.SC_CONDITIONS));
  });

  it('install mode: a session on the default key, osdp_KEYSET stores the new key, then only the new key opens a session', async () => {
    const { pd, panel, calls, events } = harness({ secureChannel: true, installMode: true });
    const cap = panel.send(COMMAND.CAP, Buffer.of(0));
    const security = cap?.data.subarray(cap.data.indexOf(9), cap.data.indexOf(9) + 3);
    assert.deepEqual(security, Buffer.of(9, 1, 1), 'AES-128, and the default key offered');
    assert.equal(await panel.openSession(undefined, { defaultKey: true }), 'open');
    assert.equal(pd.status().defaultKey, true);
    const newKey = Buffer.from('f0e1d2c3b4a5968778695a4b3c2d1e0f', 'hex');
    const ack = panel.send(COMMAND.KEYSET, Buffer.concat([Buffer.of(1, 16), newKey]));
    assert.equal(ack?.code, REPLY.ACK);
    assert.equal(ack?.secured, true, 'the ACK comes under the old session');
    assert.deepEqual(calls.keys, [newKey]);
    assert.deepEqual(events.filter((event) => event.kind === 'key-set').length, 1);
    const status = pd.status();
    assert.equal(status.secure, false, 'the session on the default key ends');
    assert.equal(status.installMode, false);
    assert.equal(status.keyInstalled, true);
    panel.session = undefined;
    assert.deepEqual(((await panel.openSession(undefined, { defaultKey: true })) as { data: Buffer }).data, Buffer.of(NAK.SC_CONDITIONS));
    assert.equal(await panel.openSession(newKey), 'open');
    assert.equal(panel.send(COMMAND.POLL)?.secured, true);
  });

  it('takes a key only inside a session', () => {
    const { panel, calls } = harness({ secureChannel: true, installMode: true });
    const reply = panel.send(COMMAND.KEYSET, Buffer.concat([Buffer.of(1, 16), KEY]));
    assert.deepEqual(reply?.data, Buffer.of(NAK.SC_CONDITIONS));
    assert.equal(calls.keys.length, 0);
  });

  it('ends a session after SESSION_TIMEOUT_MS without a secured command', async () => {
    const { pd, panel, clock } = harness({ secureChannel: true, scbk: KEY });
    assert.equal(await panel.openSession(KEY), 'open');
    clock.nowMs += SESSION_TIMEOUT_MS - 1;
    assert.equal(panel.send(COMMAND.POLL)?.secured, true);
    clock.nowMs += SESSION_TIMEOUT_MS + 1;
    assert.equal(pd.status().secure, false);
    assert.deepEqual(panel.send(COMMAND.POLL)?.data, Buffer.of(NAK.SC_CONDITIONS));
  });

  it('keeps the MAC chain across a repeated command: the cached reply, then the next command verifies', async () => {
    const { panel } = harness({ secureChannel: true, scbk: KEY });
    assert.equal(await panel.openSession(KEY), 'open');
    const session = panel.session;
    assert.ok(session !== undefined);
    const rmacBefore = Buffer.from(session.rmac);
    const wire = panel.frame(COMMAND.POLL);
    const first = panel.deliver(wire);
    // The panel lost that reply: it rolls its chain back and sends the same bytes again.
    session.rmac = rmacBefore;
    const again = panel.deliver(wire);
    assert.deepEqual(again?.bytes, first?.bytes);
    assert.equal(panel.send(COMMAND.POLL)?.secured, true);
  });
});
