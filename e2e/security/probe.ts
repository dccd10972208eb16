// What the security suite measures on a real `lintel serve`: its memory, raw HTTP answers, and the door's
// decision latency while it is probed. Each test file starts its own terminal (TerminalUnderTest) and stops it.
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/** Resident memory of a process in bytes, from /proc (Linux only). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** This machine's first non-loopback IPv4 address, or undefined where it has none. */
export function externalIpv4(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;
}
