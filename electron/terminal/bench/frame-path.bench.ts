/**
 * `npm run bench:frame-path`: what each camera frame costs the main thread, through the terminal's real path —
 * a V4L2 camera source (on the fake V4L2 device: the node, its ioctls and mmap buffers, in process), the inference
 * worker with the manifest's models, the decision policy, and the stream hub making previews for one subscriber
 * (which serialises each message as the browser host does).
 *
 * A 1280×720 frame of a face (an LFW photo, else grey) is delivered at 30 fps in NV12 (the RK3568 ISP's format) and
 * in YUYV (a UVC webcam's). For every frame interval the main thread's CPU time is read from the kernel's
 * scheduler statistics (/proc/self/task/<pid>/schedstat, in ns: what the thread ran, not how long it waited for a
 * core, so other load on the machine does not count) and its busy time from the event loop's utilisation (wall
 * time: it does count); the fake device's own copy into the driver buffer (the camera's DMA on a board) is measured
 * the same way and taken off. Prints the median and p95 of main-thread milliseconds per frame, and the frames
 * delivered, processed by the worker and previewed, beside the machine's load average. Asserts nothing.
 *
 * Options: --seconds <measured seconds per format, default 20> --warmup <seconds, default 4> --formats NV12,YUYV
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import { FakeV4l2Device } from '../../../native-bridge/v4l2/fake-v4l2-device.js';
import { defaultManifestPath, packageRoot } from '../../vision/models/paths.js';
import { medianAndP95 } from '../../vision/statistics.js';
import { decisionSettingsSchema } from '../../shared/shapes/decision-settings.js';
import { StreamHub } from '../app/stream-hub.js';
import { V4l2CameraSource } from '../camera/v4l2-camera-source.js';
import { TerminalStore } from '../store/store.js';
import { TerminalService } from '../terminal-service.js';

const WIDTH_PX = 1280;
const HEIGHT_PX = 720;
const FRAME_INTERVAL_MS = 1000 / 30;
const LFW = join(packageRoot(), '..', 'shared', 'data', 'lfw-dev', 'images');
const print = (line: string): void => void process.stdout.write(`${line}\n`);
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const HAS_SCHEDSTAT = existsSync(SCHEDSTAT);

/** CPU time the main thread has run, ms (0 where the kernel keeps no scheduler statistics). */
function mainThreadCpuMs(): number {
  return HAS_SCHEDSTAT ? Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6 : 0;
}

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, warmup: { type: 'string', default: '4' }, formats: { type: 'string', default: 'NV12,YUYV' } } });
const measuredSeconds = Number(values.seconds);
const warmupSeconds = Number(values.warmup);
const formats = values.formats.split(',').map((format) => format.trim().toUpperCase());
for (const format of formats) if (format !== 'NV12' && format !== 'YUYV') throw new Error(`--formats: ${format} is not NV12 or YUYV`);
if (!(measuredSeconds > 0) || !(warmupSeconds >= 0)) throw new Error('--seconds must be positive and --warmup not negative');

/** The scene: a face photo letterboxed into 1280×720 RGB, or a grey frame where the LFW data is absent. */
async function sceneRgb(): Promise<{ rgb: Uint8Array; what: string }> {
  const person = existsSync(LFW) ? readdirSync(LFW).sort().find((name) => existsSync(join(LFW, name, `${name}_0001.jpg`))) : undefined;
  const source = person ? sharp(join(LFW, person, `${person}_0001.jpg`)).resize(WIDTH_PX, HEIGHT_PX, { fit: 'contain', background: '#303030' }) : sharp({ create: { width: WIDTH_PX, height: HEIGHT_PX, channels: 3, background: '#303030' } });
  const { data } = await source.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), what: person ? `LFW ${person}` : 'grey (LFW data absent)' };
}

/** BT.601 limited-range luma and chroma of one RGB pixel, as cameras encode them. */
function yuv(r: number, g: number, b: number): [number, number, number] {
  return [16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255, 128 + (-37.797 * r - 74.203 * g + 112 * b) / 255, 128 + (112 * r - 93.786 * g - 18.214 * b) / 255];
}

/** The scene as the camera would deliver it: NV12 (Y plane, then interleaved UV) or YUYV, tight rows. */
function encodeScene(rgb: Uint8Array, format: 'NV12' | 'YUYV'): Uint8Array {
  const pixel = (x: number, y: number): [number, number, number] => {
    const i = (y * WIDTH_PX + x) * 3;
    return yuv(rgb[i] as number, rgb[i + 1] as number, rgb[i + 2] as number);
  };
  if (format === 'YUYV') {
    const out = new Uint8Array(WIDTH_PX * HEIGHT_PX * 2);
    for (let y = 0; y < HEIGHT_PX; y++) {
      for (let x = 0; x < WIDTH_PX; x += 2) {
        const [y0, u0, v0] = pixel(x, y);
        const [y1, u1, v1] = pixel(x + 1, y);
        const o = (y * WIDTH_PX + x) * 2;
        out.set([y0, (u0 + u1) / 2, y1, (v0 + v1) / 2].map(Math.round), o);
      }
    }
    return out;
  }
  const out = new Uint8Array((WIDTH_PX * HEIGHT_PX * 3) / 2);
  for (let y = 0; y < HEIGHT_PX; y++) for (let x = 0; x < WIDTH_PX; x++) out[y * WIDTH_PX + x] = Math.round(pixel(x, y)[0]);
  const uvStart = WIDTH_PX * HEIGHT_PX;
  for (let y = 0; y < HEIGHT_PX; y += 2) {
    for (let x = 0; x < WIDTH_PX; x += 2) {
      const [, u, v] = pixel(x, y);
      const o = uvStart + (y / 2) * WIDTH_PX + x;
      out[o] = Math.round(u);
      out[o + 1] = Math.round(v);
    }
  }
  return out;
}

interface FormatResult {
  readonly cpuPerFrameMs: { median: number; p95: number };
  readonly cpuMeanMs: number;
  readonly perFrameMs: { median: number; p95: number };
  readonly meanMs: number;
  readonly emitted: number;
  readonly delivered: number;
  readonly processed: number;
  readonly previews: number;
  readonly load: string;
}

async function measure(format: 'NV12' | 'YUYV', frameBytes: Uint8Array): Promise<FormatResult> {
  const dir = await mkdtemp(join(tmpdir(), 'lintel-frame-path-'));
  const store = TerminalStore.open({ dataDir: join(dir, 'data') });
  const sys = new FakeSyscalls();
  // NV12 on a multi-planar node as the RK3568 ISP gives it; YUYV on a single-planar UVC node.
  const device = new FakeV4l2Device({ captureApi: format === 'NV12' ? 'multi-planar' : 'single-planar' }).install(sys, '/dev/video0');
  const camera = new V4l2CameraSource({ uri: 'v4l2:/dev/video0', devicePath: '/dev/video0', format, widthPx: WIDTH_PX, heightPx: HEIGHT_PX, sys });
  let delivered = 0;
  camera.onFrame(() => delivered++);
  const hub = new StreamHub();
  let previews = 0;
  let serialisedBytes = 0;
  hub.subscribe((message) => {
    if (message.kind === 'frame') previews++;
    serialisedBytes += JSON.stringify(message).length;
  });
  // Wired as the terminal app wires them.
  camera.onFrame((frame) => hub.frame(frame));
  let emitter: NodeJS.Timeout | undefined;
  const service = await TerminalService.start({ store, camera, manifestPath: defaultManifestPath(), decisionSettings: decisionSettingsSchema.parse({ liveness: { mode: 'off' } }) });
  service.on('analysis', (analysis) => hub.analysis(analysis, service.settings));
  service.on('decision', (decision) => hub.decision(decision));
  service.on('error', () => undefined);
  try {
    const perFrameMs: number[] = [];
    const cpuPerFrameMs: number[] = [];
    let measuring = false;
    let lastEmitMs = 0;
    let lastEmitCpuMs = 0;
    let cpuMs = mainThreadCpuMs();
    let elu = performance.eventLoopUtilization();
    let activeMs = 0;
    let emitted = 0;
    const tick = (): void => {
      // The busy time since the previous tick, less the fake device's own copy (done by the camera's DMA on a board).
      const now = performance.eventLoopUtilization();
      const interval = performance.eventLoopUtilization(now, elu);
      elu = now;
      const nowCpuMs = mainThreadCpuMs();
      if (measuring) {
        perFrameMs.push(Math.max(0, interval.active - lastEmitMs));
        activeMs += interval.active - lastEmitMs;
        cpuPerFrameMs.push(Math.max(0, nowCpuMs - cpuMs - lastEmitCpuMs));
      }
      const startMs = performance.now();
      device.emitFrame({ data: frameBytes });
      lastEmitMs = performance.now() - startMs;
      cpuMs = mainThreadCpuMs();
      lastEmitCpuMs = cpuMs - nowCpuMs;
      if (measuring) emitted++;
    };
    emitter = setInterval(tick, FRAME_INTERVAL_MS);
    await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));
    const before = { delivered, processed: service.health().framesProcessed, previews };
    elu = performance.eventLoopUtilization();
    measuring = true;
    await new Promise((resolve) => setTimeout(resolve, measuredSeconds * 1000));
    measuring = false;
    clearInterval(emitter);
    emitter = undefined;
    void serialisedBytes;
    return {
      cpuPerFrameMs: medianAndP95(cpuPerFrameMs),
      cpuMeanMs: cpuPerFrameMs.reduce((sum, ms) => sum + ms, 0) / Math.max(1, cpuPerFrameMs.length),
      perFrameMs: medianAndP95(perFrameMs),
      meanMs: activeMs / Math.max(1, perFrameMs.length),
      emitted,
      delivered: delivered - before.delivered,
      processed: service.health().framesProcessed - before.processed,
      previews: previews - before.previews,
      load: loadavg().map((value) => value.toFixed(2)).join(' '),
    };
  } finally {
    clearInterval(emitter);
    await service.stop();
    await hub.close();
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

print(`Lintel frame path — ${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores, Node ${process.versions.node}; 1280×720 at 30 fps, ${measuredSeconds} s per format after ${warmupSeconds} s warm-up`);
const scene = await sceneRgb();
print(`scene: ${scene.what}; inference worker on the CPU backend; one preview subscriber`);
for (const format of formats as ('NV12' | 'YUYV')[]) {
  const loadBefore = loadavg().map((value) => value.toFixed(2)).join(' ');
  const result = await measure(format, encodeScene(scene.rgb, format));
  print(
    `${format} 1280×720: main-thread CPU ${HAS_SCHEDSTAT ? `${result.cpuPerFrameMs.median.toFixed(2)} ms per frame median, p95 ${result.cpuPerFrameMs.p95.toFixed(2)} ms, mean ${result.cpuMeanMs.toFixed(2)} ms` : 'not available (no schedstat)'} (target < 2 ms);` +
      ` busy (wall) ${result.perFrameMs.median.toFixed(2)} ms median, p95 ${result.perFrameMs.p95.toFixed(2)} ms, mean ${result.meanMs.toFixed(2)} ms; ${result.emitted} frames sent, ${result.delivered} delivered, ${result.processed} processed by the worker, ${result.previews} previews; load ${loadBefore} → ${result.load}`,
  );
}
