import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { FakeGpioChip } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import { FakeV4l2Device } from '../../../native-bridge/v4l2/fake-v4l2-device.js';
import { cameraOffers, listHardware } from './hardware-inventory.js';

describe('hardware inventory for the settings screen', () => {
  let root = '';
  let sysfsRoot = '';
  let devRoot = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'lintel-hardware-'));
    sysfsRoot = join(root, 'sys');
    devRoot = join(root, 'dev');
    await mkdir(devRoot, { recursive: true });
    // A UVC webcam (video and metadata nodes) and the ISP's main path, as sysfs lists them.
    for (const [node, name] of [['video0', 'rkisp_mainpath'], ['video2', 'HD Webcam'], ['video3', 'HD Webcam']] as const) {
      await mkdir(join(sysfsRoot, node), { recursive: true });
      await writeFile(join(sysfsRoot, node, 'name'), `${name}\n`);
      await writeFile(join(sysfsRoot, node, 'uevent'), `DEVNAME=${node}\n`);
    }
    for (const name of ['gpiochip0', 'gpiochip3', 'gpiochip5']) await writeFile(join(devRoot, name), '');
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists cameras by the names their drivers give, with the formats and sizes they capture, and GPIO chips with their lines', async () => {
    const sys = new FakeSyscalls();
    new FakeV4l2Device({ captureApi: 'multi-planar' }).install(sys, join(devRoot, 'video0'));
    new FakeV4l2Device({ captureApi: 'single-planar', card: 'HD Pro Webcam C920' }).install(sys, join(devRoot, 'video2'));
    new FakeV4l2Device({ captureApi: 'none', card: 'HD Pro Webcam C920' }).install(sys, join(devRoot, 'video3'));
    new FakeGpioChip({ name: 'gpiochip0', label: 'gpio0', lines: 32 }).install(sys, join(devRoot, 'gpiochip0'));
    new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3', lines: 32 }).install(sys, join(devRoot, 'gpiochip3'));
    // gpiochip5 is not installed in the fake: it cannot be opened.

    const { cameras, gpioChips } = await listHardware({ sysfsRoot, devRoot, v4l2Syscalls: sys, gpioSyscalls: sys });

    assert.deepEqual(
      cameras.map((camera) => [camera.devicePath, camera.name, camera.captures]),
      [
        [join(devRoot, 'video0'), 'rkisp_mainpath', true],
        [join(devRoot, 'video2'), 'HD Pro Webcam C920', true],
        [join(devRoot, 'video3'), 'HD Pro Webcam C920', false],
      ],
    );
    assert.deepEqual(cameras[0]?.formats, [{ format: 'NV12', sizes: [{ widthPx: 640, heightPx: 480 }, { widthPx: 1280, heightPx: 720 }] }]);
    assert.deepEqual(cameras[1]?.formats.map((format) => format.format), ['YUYV', 'MJPG']);
    assert.deepEqual(gpioChips.slice(0, 2), [
      { path: join(devRoot, 'gpiochip0'), name: 'gpiochip0', label: 'gpio0', lines: 32 },
      { path: join(devRoot, 'gpiochip3'), name: 'gpiochip3', label: 'gpio3', lines: 32 },
    ]);
    const broken = gpioChips[2];
    assert.ok(broken && 'problem' in broken && broken.path === join(devRoot, 'gpiochip5'), JSON.stringify(broken));
  });

  it('a camera node that cannot be asked is listed with its problem, not dropped', async () => {
    const sys = new FakeSyscalls();
    const { cameras } = await listHardware({ sysfsRoot, devRoot: join(root, 'nowhere'), v4l2Syscalls: sys, gpioSyscalls: sys });
    assert.equal(cameras.length, 3);
    assert.ok(cameras.every((camera) => !camera.captures && (camera.problem ?? '').length > 0));
  });

  it('no video4linux and no chips: empty lists', async () => {
    const sys = new FakeSyscalls();
    assert.deepEqual(await listHardware({ sysfsRoot: join(root, 'no-sysfs'), devRoot: join(root, 'no-dev'), v4l2Syscalls: sys, gpioSyscalls: sys }), { cameras: [], gpioChips: [] });
  });

  it("checks the live camera's own device by what it offers, without streaming", async () => {
    const sys = new FakeSyscalls();
    const device = new FakeV4l2Device({ captureApi: 'single-planar' }).install(sys, '/dev/video0');
    assert.equal(await cameraOffers('/dev/video0', { format: 'YUYV', widthPx: 1280, heightPx: 720 }, sys), null);
    assert.equal(await cameraOffers('/dev/video0', { format: 'NV12', widthPx: 1280, heightPx: 720 }, sys), '/dev/video0 (Fake Webcam) does not offer NV12; it offers YUYV, MJPG');
    assert.equal(await cameraOffers('/dev/video0', { format: 'YUYV', widthPx: 1920, heightPx: 1080 }, sys), '/dev/video0 (Fake Webcam) does not offer 1920×1080 in YUYV; it offers 640×480, 1280×720');
    assert.equal(device.isStreaming, false);
  });
});
