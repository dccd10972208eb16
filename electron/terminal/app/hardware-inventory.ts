// What the terminal can offer as choices on the settings screen: the V4L2 cameras present (with the names and
// formats they report through VIDIOC_QUERYCAP and VIDIOC_ENUM_FMT, without streaming) and the GPIO chips with
// their line counts. Native code is loaded only when there is a node to ask.
import type { GpioSyscalls } from '../../../native-bridge/gpio/list-chips.js';
import type { Syscalls } from '../../../native-bridge/libc/syscalls.js';
import { errorMessage } from '../door/error-message.js';

/** Pixel formats the camera source can read (camera-uri.ts). */
const READABLE_FORMATS = ['NV12', 'YUYV', 'MJPG'] as const;
type ReadableFormat = (typeof READABLE_FORMATS)[number];

/** A format a camera offers, with its frame sizes in pixels (empty where the driver gives ranges, not sizes). */
export interface CameraFormatChoice {
  readonly format: ReadableFormat;
  readonly sizes: readonly { readonly widthPx: number; readonly heightPx: number }[];
}

/** One video node: what it calls itself and what it can capture, or why it could not be asked. */
export interface CameraChoice {
  readonly devicePath: string;
  /** The driver's card name (`HD Pro Webcam C920`, `rkisp_mainpath`), else the sysfs name. */
  readonly name: string;
  readonly driver: string | null;
  /** False for nodes that do not capture video (a UVC camera's metadata node). */
  readonly captures: boolean;
  readonly formats: readonly CameraFormatChoice[];
  /** Why the node could not be asked (permission, busy…); it is listed all the same. */
  readonly problem?: string;
}

/** One GPIO chip: its label and line count, or why it could not be read. */
export type GpioChipChoice = { readonly path: string; readonly name: string; readonly label: string; readonly lines: number } | { readonly path: string; readonly problem: string };

export interface HardwareInventory {
  readonly cameras: readonly CameraChoice[];
  readonly gpioChips: readonly GpioChipChoice[];
}

/** Where to look and with which system calls; the defaults are the live system's (tests pass fakes). */
export interface HardwareSources {
  /** The video4linux class directory. Default `/sys/class/video4linux`. */
  readonly sysfsRoot?: string;
  /** Where device nodes live. Default `/dev`. */
  readonly devRoot?: string;
  readonly v4l2Syscalls?: Syscalls;
  readonly gpioSyscalls?: GpioSyscalls;
}

/** The cameras and GPIO chips present; a node that cannot be asked is listed with its problem, never thrown. */
export async function listHardware(sources: HardwareSources = {}): Promise<HardwareInventory> {
  const [cameras, gpioChips] = await Promise.all([listCameras(sources), listChips(sources)]);
  return { cameras, gpioChips };
}

async function listCameras(sources: HardwareSources): Promise<CameraChoice[]> {
  const { listVideoDevices } = await import('../../../native-bridge/v4l2/discover.js');
  const nodes = await listVideoDevices(sources.sysfsRoot, sources.devRoot === undefined ? {} : { devRoot: sources.devRoot }).catch(() => []);
  if (nodes.length === 0) return [];
  const choices: CameraChoice[] = [];
  for (const node of nodes) {
    try {
      choices.push({ ...(await describeCamera(node.devicePath, sources.v4l2Syscalls)), driver: node.driver });
    } catch (error) {
      choices.push({ devicePath: node.devicePath, name: node.name, driver: node.driver, captures: false, formats: [], problem: errorMessage(error) });
    }
  }
  return choices;
}

/**
 * Asks one video node what it is and which formats it captures (VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT,
 * VIDIOC_ENUM_FRAMESIZES), without streaming: a node that streams to someone else answers all the same.
 * @throws SystemCallError when the node cannot be opened or is not V4L2.
 */
export async function describeCamera(devicePath: string, sys?: Syscalls): Promise<Omit<CameraChoice, 'driver'>> {
  const { probeVideoDevice } = await import('../../../native-bridge/v4l2/v4l2-query.js');
  const probe = probeVideoDevice(devicePath, sys === undefined ? {} : { sys });
  const formats: CameraFormatChoice[] = [];
  for (const offered of probe.formats) {
    const format = READABLE_FORMATS.find((readable) => readable === offered.fourcc);
    if (format === undefined || formats.some((known) => known.format === format)) continue;
    formats.push({ format, sizes: offered.frameSizes.kind === 'discrete' ? offered.frameSizes.sizes : [] });
  }
  return { devicePath, name: probe.capabilities.card || devicePath, captures: probe.capabilities.captureApi !== null, formats };
}

/**
 * Whether a node offers the format and size a camera URI asks for, as far as the driver tells; a problem in words,
 * or null. For the live camera's own device, which cannot be opened a second time to give a picture.
 */
export async function cameraOffers(devicePath: string, wanted: { format: string; widthPx: number; heightPx: number }, sys?: Syscalls): Promise<string | null> {
  let camera;
  try {
    camera = await describeCamera(devicePath, sys);
  } catch (error) {
    return errorMessage(error);
  }
  if (!camera.captures) return `${devicePath} (${camera.name}) does not capture video`;
  const format = camera.formats.find((offered) => offered.format === wanted.format);
  if (!format) return `${devicePath} (${camera.name}) does not offer ${wanted.format}; it offers ${camera.formats.map((offered) => offered.format).join(', ') || 'no format this terminal reads'}`;
  if (format.sizes.length > 0 && !format.sizes.some((size) => size.widthPx === wanted.widthPx && size.heightPx === wanted.heightPx)) {
    return `${devicePath} (${camera.name}) does not offer ${wanted.widthPx}×${wanted.heightPx} in ${wanted.format}; it offers ${format.sizes.map((size) => `${size.widthPx}×${size.heightPx}`).join(', ')}`;
  }
  return null;
}

async function listChips(sources: HardwareSources): Promise<GpioChipChoice[]> {
  const { listGpioChips } = await import('../../../native-bridge/gpio/list-chips.js');
  let entries;
  try {
    entries = await listGpioChips({ ...(sources.devRoot === undefined ? {} : { devRoot: sources.devRoot }), ...(sources.gpioSyscalls === undefined ? {} : { sys: sources.gpioSyscalls }) });
  } catch (error) {
    // Chips are there but the C library would not load: one entry saying so rather than an empty list.
    return [{ path: sources.devRoot ?? '/dev', problem: errorMessage(error) }];
  }
  return entries.map((entry) => (entry.ok ? { path: entry.path, name: entry.info.name, label: entry.info.label, lines: entry.info.lines } : { path: entry.path, problem: errorMessage(entry.error) }));
}
