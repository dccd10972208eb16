import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { findVideoDevice, listVideoDevices } from './discover.js';

/** A sysfs-like tree as on a Forlinx OK3568 with an OV13850 and a UVC webcam (reference §4.1). */
async function makeNode(root: string, node: string, files: Record<string, string>, driver?: string): Promise<void> {
  const dir = join(root, 'class', node);
  await mkdir(join(dir, 'device'), { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  if (driver !== undefined) {
    const driverDir = join(root, 'bus', 'drivers', driver);
    await mkdir(driverDir, { recursive: true });
    await symlink(driverDir, join(dir, 'device', 'driver'));
  }
}

describe('listVideoDevices', () => {
  let root = '';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'lintel-v4l2-sysfs-'));
    await makeNode(root, 'video0', { name: 'rkisp_mainpath\n', index: '0\n', dev: '81:0\n', uevent: 'MAJOR=81\nMINOR=0\nDEVNAME=video0\n' }, 'rkisp');
    await makeNode(root, 'video1', { name: 'rkisp_selfpath\n', index: '1\n', dev: '81:1\n', uevent: 'MAJOR=81\nMINOR=1\nDEVNAME=video1\n' }, 'rkisp');
    await makeNode(root, 'video7', { name: 'rkisp-statistics\n', index: '7\n', dev: '81:7\n' }, 'rkisp');
    await makeNode(root, 'video10', { name: 'HD Webcam: HD Webcam\n', index: '0\n', dev: '81:10\n', uevent: 'DEVNAME=video10\n' }, 'uvcvideo');
    await makeNode(root, 'video11', { name: 'HD Webcam: HD Webcam\n', index: '1\n', dev: '81:11\n', uevent: 'DEVNAME=video11\n' }, 'uvcvideo');
    // Nodes with next to nothing in sysfs, and entries that are not video nodes.
    await makeNode(root, 'video2', {});
    await makeNode(root, 'v4l-subdev0', { name: 'rockchip-csi2-dphy0\n' });
    await writeFile(join(root, 'class', 'videoX'), '');
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists video nodes in numeric order with name, index, device number and driver', async () => {
    const devices = await listVideoDevices(join(root, 'class'));
    assert.deepEqual(
      devices.map((device) => device.node),
      ['video0', 'video1', 'video2', 'video7', 'video10', 'video11'],
    );
    assert.deepEqual(devices[0], {
      node: 'video0',
      devicePath: '/dev/video0',
      name: 'rkisp_mainpath',
      index: 0,
      major: 81,
      minor: 0,
      driver: 'rkisp',
    });
    const webcam = devices.find((device) => device.node === 'video10');
    assert.equal(webcam?.name, 'HD Webcam: HD Webcam');
    assert.equal(webcam?.driver, 'uvcvideo');
    assert.equal(webcam?.index, 0);
  });

  it('fills what sysfs lacks with the node name and nulls', async () => {
    const devices = await listVideoDevices(join(root, 'class'), { devRoot: '/run/dev' });
    assert.deepEqual(
      devices.find((device) => device.node === 'video2'),
      { node: 'video2', devicePath: '/run/dev/video2', name: 'video2', index: null, major: null, minor: null, driver: null },
    );
  });

  it('finds nodes by name', async () => {
    const devices = await listVideoDevices(join(root, 'class'));
    assert.equal(findVideoDevice(devices, 'rkisp_mainpath')?.devicePath, '/dev/video0');
    assert.equal(findVideoDevice(devices, /webcam/i)?.devicePath, '/dev/video10');
    assert.equal(findVideoDevice(devices, 'rkisp_bypass'), undefined);
  });

  it('gives an empty list when there is no video4linux class', async () => {
    assert.deepEqual(await listVideoDevices(join(root, 'missing')), []);
  });
});
