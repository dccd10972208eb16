// These tests open real pseudo-terminals through koffi and node's tty streams: they need Linux and a C library.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import koffi from 'koffi';

import { SystemCallError } from '../libc/system-call-error.js';
import { BAUD_CONSTANTS, CBAUD, LintelTermios, NCCS, VMIN, VTIME } from './bindings.js';
import { FakeSerialLine } from './fake-serial-port.js';
import { openPseudoTerminal } from './pseudo-terminal.js';
import type { PseudoTerminal } from './pseudo-terminal.js';
import { openSerialPort, openSerialSystem, SerialPortError, TtySerialPort } from './serial-port.js';
import type { SerialPort } from './serial-port.js';

/** Collects what arrives on a stream until `count` bytes are there. */
async function readBytes(source: { on(event: 'data', listener: (chunk: Buffer) => void): unknown; off(event: 'data', listener: (chunk: Buffer) => void): unknown }, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${total} of ${count} bytes arrived`)), 2000);
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= count) {
        clearTimeout(timer);
        source.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    source.on('data', onData);
  });
}

/** The port's data as a Node-style emitter for readBytes. */
function portSource(port: SerialPort): { on(event: 'data', listener: (chunk: Buffer) => void): unknown; off(event: 'data', listener: (chunk: Buffer) => void): unknown } {
  const stops = new Map<(chunk: Buffer) => void, () => void>();
  return {
    on: (_event, listener) => stops.set(listener, port.onData(listener)),
    off: (_event, listener) => stops.get(listener)?.(),
  };
}

describe('termios declaration', () => {
  it('has the 60-byte glibc/musl layout', () => {
    assert.equal(NCCS, 32);
    assert.equal(koffi.sizeof(LintelTermios), 60);
    assert.equal(koffi.offsetof(LintelTermios, 'c_line'), 16);
    assert.equal(koffi.offsetof(LintelTermios, 'c_cc'), 17);
    assert.equal(koffi.offsetof(LintelTermios, 'c_ispeed'), 52);
    assert.equal(koffi.offsetof(LintelTermios, 'c_ospeed'), 56);
  });
});

describe('serial port on a pseudo-terminal (real termios through koffi)', () => {
  const system = openSerialSystem();
  let pty: PseudoTerminal;
  let port: TtySerialPort;

  before(() => {
    pty = openPseudoTerminal(system);
    port = TtySerialPort.open({ path: pty.devicePath, baudRate: 115200 }, system);
  });
  after(async () => {
    await port.close();
    pty.close();
  });

  it('is raw: every byte value crosses unchanged in both directions (no echo, CR/LF, XON/XOFF or signals)', async () => {
    const controller = pty.openController();
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const atDevice = readBytes(portSource(port), all.length);
    controller.write(all);
    assert.deepEqual(await atDevice, all);
    const atController = readBytes(controller, all.length);
    await port.write(all);
    assert.deepEqual(await atController, all);
  });

  it('sets 8N1 at the baud rate asked for, reads returning per byte', () => {
    const { fd } = port;
    const termios = system.getAttributes(fd, port.path);
    assert.equal(termios.c_ospeed & CBAUD, BAUD_CONSTANTS.get(115200));
    assert.equal(termios.c_cc[VMIN], 1);
    assert.equal(termios.c_cc[VTIME], 0);
    port.setBaudRate(9600);
    assert.equal(system.getAttributes(fd, port.path).c_ospeed & CBAUD, BAUD_CONSTANTS.get(9600));
    assert.equal(port.baudRate, 9600);
  });

  it('refuses a second owner of the port while the first holds it', () => {
    assert.throws(
      () => openSerialPort({ path: pty.devicePath, baudRate: 9600 }, system),
      (error: unknown) => error instanceof SerialPortError && error.code === 'BUSY' && error.message.includes(pty.devicePath),
    );
  });
});

describe('serial port errors', () => {
  const system = openSerialSystem();
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-serial-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a missing device is ENOENT with a hint naming the port', () => {
    const path = join(dir, 'ttyS9');
    assert.throws(
      () => openSerialPort({ path, baudRate: 9600 }, system),
      (error: unknown) => error instanceof SystemCallError && error.code === 'ENOENT' && error.path === path && /device tree/.test(error.message),
    );
  });

  it('a regular file is refused as not a serial port', async () => {
    const path = join(dir, 'file');
    await writeFile(path, 'x');
    assert.throws(
      () => openSerialPort({ path, baudRate: 9600 }, system),
      (error: unknown) => error instanceof SerialPortError && error.code === 'NOT_A_TTY',
    );
  });

  it('a baud rate the line cannot take, or a relative path, is refused before anything opens', () => {
    assert.throws(() => openSerialPort({ path: '/dev/ttyS0', baudRate: 12345 }, system), (error: unknown) => error instanceof SerialPortError && error.code === 'INVALID_OPTIONS' && /12345/.test(error.message));
    assert.throws(() => openSerialPort({ path: 'ttyS0', baudRate: 9600 }, system), (error: unknown) => error instanceof SerialPortError && error.code === 'INVALID_OPTIONS');
  });

  it('the other side hanging up ends the port with an error, and close() afterwards still resolves', async () => {
    const pty = openPseudoTerminal(system);
    const port = openSerialPort({ path: pty.devicePath, baudRate: 9600 }, system);
    const ended = new Promise<Error | undefined>((resolve) => port.onClose(resolve));
    pty.close();
    const error = await ended;
    assert.ok(error instanceof Error, 'a hang-up is reported as an error');
    assert.equal(port.closed, true);
    await port.close();
    await assert.rejects(port.write(Buffer.of(1)), (rejection: unknown) => rejection instanceof SerialPortError && rejection.code === 'CLOSED');
  });

  it('close() is orderly (no error), idempotent, and frees the port for the next owner', async () => {
    const pty = openPseudoTerminal(system);
    const port = openSerialPort({ path: pty.devicePath, baudRate: 9600 }, system);
    const ended = new Promise<Error | undefined>((resolve) => port.onClose(resolve));
    await Promise.all([port.close(), port.close()]);
    assert.equal(await ended, undefined);
    const again = openSerialPort({ path: pty.devicePath, baudRate: 19200 }, system);
    await again.close();
    pty.close();
  });
});

describe('fake serial line', () => {
  it('carries bytes between its ends, loses them across a baud mismatch, and reports a failing device', async () => {
    const line = new FakeSerialLine('/dev/ttyFAKE0', 9600);
    const received = readBytes(portSource(line.peer), 3);
    await line.device.write(Buffer.of(1, 2, 3));
    assert.deepEqual(await received, Buffer.of(1, 2, 3));
    line.device.setBaudRate(19200);
    let lost = true;
    line.peer.onData(() => (lost = false));
    await line.device.write(Buffer.of(4));
    await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    assert.equal(lost, true);
    const ended = new Promise<Error | undefined>((resolve) => line.device.onClose(resolve));
    line.device.fail();
    assert.match(String(await ended), /went away/);
  });
});
