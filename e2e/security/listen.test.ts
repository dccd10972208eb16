// What the terminal exposes to the network by default: nothing beyond the loopback interface.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';

import { missingPrerequisite, TerminalUnderTest } from '../support/terminal.js';
import { externalIpv4 } from './probe.js';

const skip = missingPrerequisite();
let terminal: TerminalUnderTest;

before(async () => {
  if (!skip) terminal = await TerminalUnderTest.start();
});
after(async () => {
  await terminal?.stop();
});

/** Whether a TCP connection to host:port is accepted (false when refused). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(3_000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

test('lintel serve listens on loopback only unless told otherwise', { skip }, async (t) => {
  const port = Number(new URL(terminal.origin).port);
  assert.equal(await accepts('127.0.0.1', port), true, 'the terminal does not answer on 127.0.0.1');
  const external = externalIpv4();
  if (!external) return t.skip('this machine has no non-loopback IPv4 address to try');
  assert.equal(await accepts(external, port), false, `the terminal answers on ${external}:${port}`);
});
