// Lists video nodes from sysfs without opening them (opening a node can wake a sensor or disturb a process that
// streams from it). Nodes are found by name, as opencv-mobile does for `rkisp_mainpath` (reference §4.1).
import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** A video node as sysfs describes it. */
export interface VideoDeviceInfo {
  /** sysfs/kernel name, e.g. `video0`. */
  node: string;
  /** Device file, e.g. `/dev/video0` (from the uevent's DEVNAME when present). */
  devicePath: string;
  /** The driver's name for the node: `rkisp_mainpath`, `rkisp_selfpath`, `rkisp-statistics`, or a UVC camera's product name. */
  name: string;
  /**
   * Index of the node within its device (sysfs `index`): a UVC camera has 0 for video and 1 for metadata.
   * null when the file is absent.
   */
  index: number | null;
  /** Character device number (sysfs `dev`, `major:minor`); null when absent. */
  major: number | null;
  minor: number | null;
  /** Kernel driver bound to the parent device (`uvcvideo`, `rkisp`…); null when sysfs does not say. */
  driver: string | null;
}

/** Where to look; the defaults are the live system's. */
export interface ListVideoDevicesOptions {
  /** Directory device files live in. Default `/dev`. */
  devRoot?: string;
}

/**
 * Lists `/sys/class/video4linux/video*` in numeric order. A missing sysfs directory (no V4L2 in the kernel, or
 * not Linux) gives an empty list, not an error.
 * @param sysfsRoot the video4linux class directory. Default `/sys/class/video4linux`.
 */
export async function listVideoDevices(sysfsRoot = '/sys/class/video4linux', options: ListVideoDevicesOptions = {}): Promise<VideoDeviceInfo[]> {
  const devRoot = options.devRoot ?? '/dev';
  let entries: string[];
  try {
    entries = await readdir(sysfsRoot);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const nodes = entries.filter((entry) => /^video\d+$/.test(entry)).sort((a, b) => nodeNumber(a) - nodeNumber(b));
  return Promise.all(nodes.map((node) => describeNode(join(sysfsRoot, node), node, devRoot)));
}

/** The first node whose name matches, e.g. `findVideoDevice(devices, 'rkisp_mainpath')`. */
export function findVideoDevice(devices: readonly VideoDeviceInfo[], name: string | RegExp): VideoDeviceInfo | undefined {
  return devices.find((device) => (typeof name === 'string' ? device.name === name : name.test(device.name)));
}

function nodeNumber(node: string): number {
  return Number(node.slice('video'.length));
}

async function describeNode(dir: string, node: string, devRoot: string): Promise<VideoDeviceInfo> {
  const [name, index, dev, uevent, driver] = await Promise.all([
    readText(join(dir, 'name')),
    readText(join(dir, 'index')),
    readText(join(dir, 'dev')),
    readText(join(dir, 'uevent')),
    readDriver(join(dir, 'device', 'driver')),
  ]);
  const devName = uevent
    ?.split('\n')
    .find((line) => line.startsWith('DEVNAME='))
    ?.slice('DEVNAME='.length);
  const [major, minor] = parseDev(dev);
  return {
    node,
    devicePath: join(devRoot, devName !== undefined && devName !== '' ? devName : node),
    name: name ?? node,
    index: parseInteger(index),
    major,
    minor,
    driver,
  };
}

/** A sysfs attribute without its trailing newline; null when it cannot be read. */
async function readText(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}

async function readDriver(link: string): Promise<string | null> {
  try {
    return basename(await readlink(link));
  } catch {
    return null;
  }
}

function parseInteger(text: string | null): number | null {
  if (text === null || !/^\d+$/.test(text)) return null;
  return Number(text);
}

function parseDev(text: string | null): [number | null, number | null] {
  const match = text === null ? null : /^(\d+):(\d+)$/.exec(text);
  if (match === null) return [null, null];
  return [Number(match[1]), Number(match[2])];
}
