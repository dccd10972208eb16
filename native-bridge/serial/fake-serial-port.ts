// An in-memory serial line for machines without the UART: two ends joined like a null-modem cable. What one end
// writes arrives at the other on a later turn of the event loop, as it would from the driver; both ends log
// what they wrote and when their baud rate changed, and the line can be cut to act out a device going away.
import { SerialPortError } from './serial-port.js';
import type { SerialPort } from './serial-port.js';

/** One end of a FakeSerialLine. */
export class FakeSerialPort implements SerialPort {
  /** Every chunk written, in order. */
  readonly written: Buffer[] = [];
  /** Every baud rate set after opening, in order. */
  readonly baudChanges: number[] = [];
  peer: FakeSerialPort | undefined;
  private readonly dataListeners = new Set<(chunk: Buffer) => void>();
  private readonly closeListeners = new Set<(error: Error | undefined) => void>();
  private isClosed = false;
  private currentBaudRate: number;

  constructor(
    readonly path: string,
    baudRate: number,
  ) {
    this.currentBaudRate = baudRate;
  }

  get baudRate(): number {
    return this.currentBaudRate;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.isClosed) throw new SerialPortError('CLOSED', this.path, 'the port is closed');
    const chunk = Buffer.from(bytes);
    this.written.push(chunk);
    const peer = this.peer;
    // Bytes sent at another speed than the receiver's arrive as garbage on a real line; here they are lost.
    if (peer !== undefined && peer.currentBaudRate === this.currentBaudRate) setImmediate(() => peer.receive(chunk));
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (error: Error | undefined) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  setBaudRate(baudRate: number): void {
    if (this.isClosed) throw new SerialPortError('CLOSED', this.path, 'the port is closed');
    this.currentBaudRate = baudRate;
    this.baudChanges.push(baudRate);
  }

  discardInput(): void {}

  async close(): Promise<void> {
    this.end(undefined);
  }

  /** Delivers `chunk` to this end's listeners as if it had come off the wire. */
  receive(chunk: Uint8Array): void {
    if (this.isClosed) return;
    const buffer = Buffer.from(chunk);
    for (const listener of [...this.dataListeners]) listener(buffer);
  }

  /** Ends this side as a failing device would (EIO), telling its close listeners. */
  fail(error: Error = new Error(`${this.path}: input/output error (the device went away)`)): void {
    this.end(error);
  }

  private end(error: Error | undefined): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.dataListeners.clear();
    for (const listener of listeners) listener(error);
  }
}

/** Two joined ends: `device` for the code under test, `peer` for the test acting as the other equipment. */
export class FakeSerialLine {
  readonly device: FakeSerialPort;
  readonly peer: FakeSerialPort;

  constructor(path = '/dev/ttyFAKE0', baudRate = 9600) {
    this.device = new FakeSerialPort(path, baudRate);
    this.peer = new FakeSerialPort(`${path} (peer)`, baudRate);
    this.device.peer = this.peer;
    this.peer.peer = this.device;
  }
}
