import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { FakeGpioChip } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import { GpioOutputLine } from '../../../native-bridge/gpio/gpio-line.js';
import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import { createDoorOutputs, DoorConfigError, parseDoorOutputsConfig } from './create-door-outputs.js';
import { DoorOutputs } from './door-outputs.js';
import type { DoorEvent, DoorLogger, DoorOutput, DoorOutputResult, LogOutputHealth } from './door-output.js';
import { createJsonLineLogger, LogOutput } from './log-output.js';
import { startLocalServer, waitFor } from './test/local-http-server.js';
import { ManualTimers } from './test/manual-timers.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const granted: DoorEvent = { id: 7, atMs: Date.UTC(2025, 0, 6, 8, 0), decision: 'granted', reason: 'match', personId: 'p-1', personName: 'Ada', similarity: 0.7 };

function recordingLogger(): DoorLogger & { lines: Array<{ level: string; message: string; fields: Readonly<Record<string, unknown>> }> } {
  const lines: Array<{ level: string; message: string; fields: Readonly<Record<string, unknown>> }> = [];
  return { lines, info: (message, fields) => lines.push({ level: 'info', message, fields }), warn: (message, fields) => lines.push({ level: 'warn', message, fields }) };
}

/** The problems DoorConfigError lists for `raw`. */
function problems(raw: unknown): readonly string[] {
  try {
    parseDoorOutputsConfig(raw);
  } catch (error) {
    assert.ok(error instanceof DoorConfigError, `expected DoorConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected the configuration to be refused');
}

describe('door output configuration', () => {
  it('defaults to one log output', () => {
    assert.deepEqual(parseDoorOutputsConfig(undefined), [{ kind: 'log', name: 'log', includePersonName: false }]);
  });

  it('fills GPIO and webhook defaults', () => {
    const [gpio, webhook] = parseDoorOutputsConfig([
      { kind: 'gpio', chipPath: '/dev/gpiochip3', line: 7 },
      { kind: 'webhook', url: 'https://access.example.com/door' },
    ]);
    assert.deepEqual(gpio, { kind: 'gpio', name: 'relay', chipPath: '/dev/gpiochip3', line: 7, activeLow: false, pulseMs: 3000, consumer: 'lintel-door' });
    assert.deepEqual(webhook, {
      kind: 'webhook',
      name: 'webhook',
      url: 'https://access.example.com/door',
      headers: {},
      timeoutMs: 10_000,
      maxAttempts: 10,
      backoffBaseMs: 1000,
      backoffMaxMs: 300_000,
      queueLimit: 10_000,
      events: 'all',
    });
  });

  it('refuses a URL that is not http or https, or holds credentials, with a clear message', () => {
    assert.deepEqual(problems([{ kind: 'webhook', url: 'ftp://example.com/door' }]), ['outputs[0] (webhook) url: must be an http:// or https:// URL, got ftp://']);
    assert.deepEqual(problems([{ kind: 'webhook', url: 'example.com/door' }]), ['outputs[0] (webhook) url: must be an absolute http:// or https:// URL']);
    assert.deepEqual(problems([{ kind: 'webhook', url: 'https://user:pw@example.com/' }]), [
      'outputs[0] (webhook) url: must not hold credentials: send them in headers (e.g. Authorization)',
    ]);
  });

  it('refuses a pulse out of range, and says the range', () => {
    assert.deepEqual(problems([{ kind: 'gpio', chipPath: '/dev/gpiochip3', line: 7, pulseMs: 20_000 }]), ['outputs[0] (gpio) pulseMs: must be from 100 to 10000 ms, got 20000']);
    assert.deepEqual(problems([{ kind: 'gpio', chipPath: '/dev/gpiochip3', line: 7, pulseMs: 50 }]), ['outputs[0] (gpio) pulseMs: must be from 100 to 10000 ms, got 50']);
    assert.deepEqual(problems([{ kind: 'gpio', chipPath: '/dev/gpiochip3', line: 7, pulseMs: 250.5 }]), ['outputs[0] (gpio) pulseMs: must be a whole number of ms, got 250.5']);
  });

  it('names every other problem with its place', () => {
    assert.deepEqual(problems([{ kind: 'relay' }]), ['outputs[0] (relay) kind: kind must be one of log, gpio, webhook, wiegand, osdp']);
    assert.deepEqual(problems([{ kind: 'gpio', chipPath: 'gpiochip3', line: -1 }]), [
      'outputs[0] (gpio) chipPath: must be a device path such as /dev/gpiochip3',
      'outputs[0] (gpio) line: must be from 0 to 1023, got -1',
    ]);
    assert.deepEqual(problems([{ kind: 'log', colour: 'red' }]), ['outputs[0] (log): Unrecognized key: "colour"']);
    assert.deepEqual(problems([{ kind: 'webhook', url: 'https://x.example/', headers: { 'X-Lintel-Signature': 'forged' }, secret: 'short' }]), [
      'outputs[0] (webhook) headers.X-Lintel-Signature: header X-Lintel-Signature is set by Lintel and cannot be configured',
      'outputs[0] (webhook) secret: must be at least 16 characters',
    ]);
    assert.deepEqual(problems([{ kind: 'webhook', url: 'https://x.example/', backoffBaseMs: 5000, backoffMaxMs: 1000 }]), [
      'outputs[0] (webhook) backoffMaxMs: must be at least backoffBaseMs',
    ]);
    assert.deepEqual(
      problems([
        { kind: 'gpio', chipPath: '/dev/gpiochip3', line: 7 },
        { kind: 'gpio', name: 'second', chipPath: '/dev/gpiochip3', line: 7 },
        { kind: 'log', name: 'relay' },
      ]),
      ['outputs[1] (gpio) line: /dev/gpiochip3 line 7 is already driven by output 0', 'outputs[2] (log) name: "relay" is already the name of output 0'],
    );
  });

  it('createDoorOutputs validates, and asks for a data folder when a webhook needs an outbox', () => {
    assert.throws(() => createDoorOutputs([{ kind: 'gpio', line: 1 }], { logger: recordingLogger() }), DoorConfigError);
    assert.throws(() => createDoorOutputs([{ kind: 'webhook', url: 'https://x.example/' }], { logger: recordingLogger() }), /needs deps\.dataDir/);
  });
});

/** An output that behaves as told, for the fan-out. */
function scripted(name: string, open: (event: DoorEvent) => Promise<DoorOutputResult>, close: () => Promise<void> = async () => {}): DoorOutput & { closed: boolean } {
  const output = {
    kind: 'log' as const,
    name,
    closed: false,
    open,
    health: (): LogOutputHealth => ({ kind: 'log', name, status: 'ok', message: name }),
    close: async () => {
      output.closed = true;
      await close();
    },
  };
  return output;
}

describe('DoorOutputs fan-out', () => {
  it('one throwing, rejecting or hanging output does not stop the others; each outcome is reported', async () => {
    const logger = recordingLogger();
    const reached: string[] = [];
    const outputs = new DoorOutputs(
      [
        scripted('throws', () => {
          throw new Error('wiring fault');
        }),
        scripted('rejects', async () => Promise.reject(new Error('socket closed'))),
        scripted('hangs', () => new Promise(() => {})),
        scripted('works', async (event) => {
          reached.push(`works ${event.id}`);
          return { status: 'done', detail: 'ok' };
        }),
        new LogOutput({ kind: 'log', name: 'log', includePersonName: false }, { logger }),
      ],
      { logger, openTimeoutMs: 50 },
    );
    const report = await outputs.open(granted);
    assert.equal(report.eventId, 7);
    assert.deepEqual(
      report.outcomes.map(({ name, result }) => [name, result]),
      [
        ['throws', { status: 'failed', error: 'throws threw: wiring fault' }],
        ['rejects', { status: 'failed', error: 'rejects threw: socket closed' }],
        ['hangs', { status: 'failed', error: 'hangs did not answer within 50 ms' }],
        ['works', { status: 'done', detail: 'ok' }],
        ['log', { status: 'done', detail: 'logged' }],
      ],
    );
    assert.equal(report.failed, 3);
    assert.deepEqual(reached, ['works 7']);
    assert.deepEqual(
      logger.lines.filter((line) => line.message === 'door.output.failed').map((line) => line.fields.output),
      ['throws', 'rejects', 'hangs'],
    );
    assert.equal(logger.lines.filter((line) => line.message === 'door.event').length, 1);
  });

  it('close closes every output even when one fails to', async () => {
    const logger = recordingLogger();
    const a = scripted('a', async () => ({ status: 'done', detail: '' }), async () => Promise.reject(new Error('stuck')));
    const b = scripted('b', async () => ({ status: 'done', detail: '' }));
    await new DoorOutputs([a, b], { logger }).close();
    assert.ok(a.closed && b.closed);
    assert.deepEqual(
      logger.lines.map((line) => [line.message, line.fields.output, line.fields.error]),
      [['door.output.close-failed', 'a', 'stuck']],
    );
  });

  it('erasePerson reaches every output that keeps events, and reports the ones that failed', () => {
    const erased: string[] = [];
    const keeps = {
      ...scripted('keeps', async () => ({ status: 'done', detail: '' })),
      erasePerson: (personId: string): number => {
        erased.push(personId);
        return 2;
      },
    };
    const broken = {
      ...scripted('broken', async () => ({ status: 'done', detail: '' })),
      erasePerson: (): number => {
        throw new Error('disk I/O error');
      },
    };
    const outputs = new DoorOutputs([broken, scripted('stateless', async () => ({ status: 'done', detail: '' })), keeps], { logger: recordingLogger() });
    assert.throws(() => outputs.erasePerson('p-7'), (error: unknown) => error instanceof AggregateError && /erasing person p-7 failed in 1 output\(s\): disk I\/O error/.test(error.message));
    assert.deepEqual(erased, ['p-7'], 'the output after the broken one was still asked');
    assert.equal(new DoorOutputs([keeps], { logger: recordingLogger() }).erasePerson('p-9'), 2);
  });

  it('createDoorOutputs wires log, relay and webhook: one grant energises the relay, logs, and is delivered', async () => {
    const server = await startLocalServer(() => ({ status: 200 }));
    const dataDir = mkdtempSync(join(tmpdir(), 'lintel-door-'));
    dirs.push(dataDir);
    const sys = new FakeSyscalls();
    const chip = new FakeGpioChip().install(sys, '/dev/gpiochip3');
    const timers = new ManualTimers();
    const logger = recordingLogger();
    const outputs = createDoorOutputs(
      [
        { kind: 'log' },
        { kind: 'gpio', chipPath: '/dev/gpiochip3', line: 7, pulseMs: 1000 },
        { kind: 'webhook', url: server.url, events: 'granted' },
      ],
      { logger, dataDir, openGpioLine: (options) => GpioOutputLine.open(options, { sys }), relayTimers: timers },
    );
    try {
      assert.deepEqual(
        outputs.health().map((health) => [health.kind, health.status]),
        [
          ['log', 'ok'],
          ['gpio', 'unknown'],
          ['webhook', 'ok'],
        ],
      );
      const report = await outputs.open(granted);
      assert.deepEqual(
        report.outcomes.map((outcome) => [outcome.name, outcome.result.status]),
        [
          ['log', 'done'],
          ['relay', 'done'],
          ['webhook', 'queued'],
        ],
      );
      assert.equal(chip.level(7), true);
      await waitFor('the webhook delivery', () => server.received.length === 1);

      const deniedReport = await outputs.open({ id: 8, atMs: granted.atMs + 1, decision: 'denied', reason: 'unknown-face' });
      assert.deepEqual(
        deniedReport.outcomes.map((outcome) => outcome.result.status),
        ['done', 'skipped', 'skipped'],
      );
      timers.advance(1000);
      assert.equal(chip.level(7), false);
    } finally {
      await outputs.close();
      await server.close();
    }
    assert.ok(!chip.isHeld(7), 'close released the relay line');
  });
});

describe('LogOutput', () => {
  it('writes one structured line per event, without the name unless asked', async () => {
    const logger = recordingLogger();
    await new LogOutput({ kind: 'log', name: 'log', includePersonName: false }, { logger }).open(granted);
    await new LogOutput({ kind: 'log', name: 'named', includePersonName: true }, { logger }).open(granted);
    assert.deepEqual(logger.lines, [
      { level: 'info', message: 'door.event', fields: { output: 'log', eventId: 7, atMs: granted.atMs, decision: 'granted', reason: 'match', personId: 'p-1', similarity: 0.7, livenessCue: null } },
      {
        level: 'info',
        message: 'door.event',
        fields: { output: 'named', eventId: 7, atMs: granted.atMs, decision: 'granted', reason: 'match', personId: 'p-1', personName: 'Ada', similarity: 0.7, livenessCue: null },
      },
    ]);
  });

  it('a liveness denial\'s line names the cue that failed', async () => {
    const lines: string[] = [];
    const logger = createJsonLineLogger((line) => lines.push(line));
    await new LogOutput({ kind: 'log', name: 'log', includePersonName: false }, { logger }).open({ ...granted, decision: 'denied', reason: 'liveness-failed', livenessCue: 'planar' });
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    assert.deepEqual([line.msg, line.reason, line.livenessCue], ['door.event', 'liveness-failed', 'planar']);
  });

  it('createJsonLineLogger writes one JSON object per line; fields cannot replace time, level or msg', () => {
    const lines: string[] = [];
    const logger = createJsonLineLogger((line) => lines.push(line), () => Date.UTC(2025, 0, 6));
    logger.warn('door.output.failed', { output: 'relay', level: 'spoofed', error: 'line 1\nline 2' });
    assert.equal(lines.length, 1);
    assert.ok(lines[0]?.endsWith('\n') && lines[0].indexOf('\n') === lines[0].length - 1, 'a single line');
    assert.deepEqual(JSON.parse(lines[0] ?? ''), { time: '2025-01-06T00:00:00.000Z', level: 'warn', msg: 'door.output.failed', output: 'relay', error: 'line 1\nline 2' });
  });
});
