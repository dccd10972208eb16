import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { FakeSyscalls } from '../libc/fake-syscalls.js';
import { FakeGpioChip } from './fake-gpio-chip.js';
import { listGpioChips } from './list-chips.js';

describe('listGpioChips', () => {
  let devRoot = '';

  before(async () => {
    devRoot = await mkdtemp(join(tmpdir(), 'lintel-gpio-dev-'));
    for (const name of ['gpiochip0', 'gpiochip10', 'gpiochip2', 'gpiochipX', 'ttyS0']) await writeFile(join(devRoot, name), '');
  });
  after(async () => {
    await rm(devRoot, { recursive: true, force: true });
  });

  it('lists chips in numeric order; a file that is not a chip is an ENOTTY entry (real syscalls)', async () => {
    const entries = await listGpioChips({ devRoot });
    assert.deepEqual(
      entries.map((entry) => entry.path),
      ['gpiochip0', 'gpiochip2', 'gpiochip10'].map((name) => join(devRoot, name)),
    );
    for (const entry of entries) {
      assert.ok(!entry.ok);
      assert.equal(entry.error.code, 'ENOTTY');
      assert.equal(entry.error.request, 'GPIO_GET_CHIPINFO_IOCTL');
      assert.match(entry.error.message, /not a GPIO character device/);
    }
  });

  it('reports name, label and line count from GPIO_GET_CHIPINFO_IOCTL, and per-chip failures', async () => {
    const sys = new FakeSyscalls();
    new FakeGpioChip({ name: 'gpiochip0', label: 'gpio0', lines: 32 }).install(sys, join(devRoot, 'gpiochip0'));
    new FakeGpioChip({ name: 'gpiochip10', label: 'rk817-gpio', lines: 1 }).install(sys, join(devRoot, 'gpiochip10'));
    const entries = await listGpioChips({ devRoot, sys });
    assert.deepEqual(entries[0], { path: join(devRoot, 'gpiochip0'), ok: true, info: { name: 'gpiochip0', label: 'gpio0', lines: 32 } });
    assert.ok(entries[1] !== undefined && !entries[1].ok && entries[1].error.code === 'ENOENT');
    assert.deepEqual(entries[2], { path: join(devRoot, 'gpiochip10'), ok: true, info: { name: 'gpiochip10', label: 'rk817-gpio', lines: 1 } });
    assert.deepEqual(sys.openFds(), []);
  });

  it('gives an empty list without loading anything when there are no chips', async () => {
    assert.deepEqual(await listGpioChips({ devRoot: join(devRoot, 'missing') }), []);
    const empty = await mkdtemp(join(tmpdir(), 'lintel-gpio-empty-'));
    const sys = new FakeSyscalls();
    assert.deepEqual(await listGpioChips({ devRoot: empty, sys }), []);
    assert.deepEqual(sys.log, []);
    await rm(empty, { recursive: true, force: true });
  });
});
