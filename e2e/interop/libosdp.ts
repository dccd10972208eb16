// libosdp, the reference implementation of SIA OSDP, as the independent peer of the interoperability tests and
// the OSDP benchmark: built from ../shared/peers/libosdp (or LINTEL_LIBOSDP_DIR) into out/peers/libosdp with the
// machine's cmake and C compiler, and run as a control panel (libosdp-cp.c) on one side of a pseudo-terminal
// whose other side Lintel's OSDP output opens as its serial port.
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');

/** Where the peer's source is: LINTEL_LIBOSDP_DIR, or ../shared/peers/libosdp beside the repository. */
export function libosdpSourceDir(): string {
  return process.env.LINTEL_LIBOSDP_DIR ?? resolve(repoRoot, '..', 'shared', 'peers', 'libosdp');
}

/** Why the peer cannot be built here (a skip message), or undefined when it can. */
export function missingLibosdp(): string | undefined {
  const source = libosdpSourceDir();
  if (!existsSync(join(source, 'include', 'osdp.h'))) return `libosdp is not at ${source} (set LINTEL_LIBOSDP_DIR): the OSDP interoperability tests need it`;
  for (const tool of ['cmake', 'make', 'cc']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed: the OSDP interoperability tests build libosdp with cmake, make and a C compiler`;
  }
  if (process.platform !== 'linux') return 'the OSDP interoperability tests need Linux pseudo-terminals';
  return undefined;
}

function run(command: string, args: readonly string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${what} failed (${command} ${args.join(' ')}):\n${result.stdout}\n${result.stderr}`);
}

/**
 * Builds libosdp (the library only) and the control panel, once; later calls reuse them (make is incremental).
 * The CP's retry wait after a PD went offline is cut from 300 s to 2 s (OSDP_ONLINE_RETRY_WAIT_MAX_MS, a libosdp
 * build option): it is the panel's patience, not the protocol, and a test must not wait five minutes.
 * @returns the control panel's executable.
 */
export function buildLibosdpPanel(): string {
  const source = libosdpSourceDir();
  const outDir = join(repoRoot, 'out', 'peers', 'libosdp');
  const buildDir = join(outDir, 'build');
  const panel = join(outDir, 'libosdp-cp');
  const panelSource = join(here, 'libosdp-cp.c');
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(join(buildDir, 'CMakeCache.txt'))) {
    run(
      'cmake',
      ['-S', source, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release', '-DOPT_OSDP_LIB_ONLY=ON', '-DOPT_BUILD_STATIC=OFF', '-DCMAKE_C_FLAGS=-DOSDP_ONLINE_RETRY_WAIT_MAX_MS=2000'],
      'configuring libosdp',
    );
  }
  run('cmake', ['--build', buildDir, '--parallel', '2'], 'building libosdp');
  const library = join(buildDir, 'lib', 'libosdp.so');
  if (!existsSync(panel) || statSync(panel).mtimeMs < Math.max(statSync(panelSource).mtimeMs, statSync(library).mtimeMs)) {
    const temp = `${panel}.tmp-${process.pid}`;
    run(
      'cc',
      ['-O2', '-Wall', '-Wextra', '-Werror', '-o', temp, panelSource, `-I${join(source, 'include')}`, `-I${join(buildDir, 'include')}`, `-L${join(buildDir, 'lib')}`, '-losdp', `-Wl,-rpath,${join(buildDir, 'lib')}`],
      'compiling the libosdp control panel',
    );
    renameSync(temp, panel);
  }
  return panel;
}

/** One JSON line the control panel printed. */
export type PanelEvent = { readonly event: string } & Readonly<Record<string, unknown>>;

/** How the control panel talks to its PD. */
export interface LibosdpPanelOptions {
  /** The executable from buildLibosdpPanel(). */
  readonly executable: string;
  /** The pseudo-terminal's controller fd (the child gets it as fd 3). */
  readonly lineFd: number;
  readonly address: number;
  readonly baudRate?: number;
  /** The SCBK the panel uses (and sets in a PD in install mode), 32 hex digits; none: no Secure Channel. */
  readonly scbkHex?: string;
  /** Refuse to talk to the PD without a Secure Channel. */
  readonly enforceSecure?: boolean;
  /** libosdp log level (stderr), 0–7; default 4 (warnings). */
  readonly logLevel?: number;
}

/** A running libosdp control panel: its events as they come, and a way to send it commands. */
export class LibosdpPanel {
  /** Every event so far, in order. */
  readonly events: PanelEvent[] = [];
  /** Its stderr (libosdp's log), for failure messages. */
  readonly log: string[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, Readable>) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as PanelEvent);
      } catch {
        this.log.push(`stdout: ${line}`);
      }
      for (const wake of [...this.waiters]) wake();
    });
    createInterface({ input: child.stderr }).on('line', (line) => this.log.push(line));
    this.exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  }

  /** Starts the panel; it begins polling its PD at once. */
  static async start(options: LibosdpPanelOptions): Promise<LibosdpPanel> {
    const args = ['--fd', '3', '--address', String(options.address), '--baud', String(options.baudRate ?? 9600), '--log-level', String(options.logLevel ?? 4)];
    if (options.scbkHex !== undefined) args.push('--scbk', options.scbkHex);
    if (options.enforceSecure === true) args.push('--enforce-secure');
    // stdin, stdout and stderr are pipes; fd 3 is the line.
    const child = spawn(options.executable, args, { stdio: ['pipe', 'pipe', 'pipe', options.lineFd] }) as unknown as ChildProcessByStdio<Writable, Readable, Readable>;
    const panel = new LibosdpPanel(child);
    await panel.waitFor((event) => event.event === 'ready', 10_000, 'the control panel to start');
    return panel;
  }

  /** Sends one command line (see libosdp-cp.c). */
  command(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** The first event (from the start) that matches, waiting up to `timeoutMs`. */
  async waitFor(match: (event: PanelEvent) => boolean, timeoutMs: number, what: string, from = 0): Promise<PanelEvent> {
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found !== undefined) return found;
      const woke = await new Promise<boolean>((resolveWait) => {
        const timer = setTimeout(() => {
          this.waiters.delete(wake);
          resolveWait(false);
        }, timeoutMs);
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolveWait(true);
        };
        this.waiters.add(wake);
      });
      if (!woke) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; panel events: ${JSON.stringify(this.events.slice(-10))}; libosdp log: ${this.log.slice(-15).join(' | ')}`);
    }
  }

  /** The panel's view now: online, secure, the PD's identity and capabilities. */
  async state(): Promise<PanelEvent> {
    const from = this.events.length;
    this.command('state');
    return this.waitFor((event) => event.event === 'state', 5_000, 'the panel state', from);
  }

  /** Stops the panel. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin.end('quit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The bits of an osdp_RAW card read as the panel printed them (hex, first bit most significant). */
export function cardBits(event: PanelEvent): number[] {
  const count = Number(event.bits);
  const bytes = Buffer.from(String(event.data), 'hex');
  return Array.from({ length: count }, (_, i) => ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
}
