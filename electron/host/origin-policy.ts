// Which names a browser may use to reach the host. A page on another site can point its own DNS name at the
// terminal (DNS rebinding) and then call it as "same origin"; the Host and Origin it sends still name that
// site, so only names on this list are answered.
import { hostname, networkInterfaces } from 'node:os';

/** What the allow-list is built from. */
export interface OriginPolicyOptions {
  /** The scheme the host serves: 'https' with a certificate, else 'http'. */
  readonly scheme: 'http' | 'https';
  /** The address bound (`--host`); a wildcard (0.0.0.0, ::) means every address of this machine. */
  readonly bindHost: string;
  /** The port served. */
  readonly port: number;
  /**
   * The address browsers use when a proxy in front terminates TLS (`https://door.example.com`); its host is
   * allowed as written, with or without its default port.
   */
  readonly publicOrigin?: string | undefined;
  /** This machine's addresses and name, for a wildcard bind; default from `node:os`. */
  readonly machine?: { readonly addresses: readonly string[]; readonly hostname: string };
}

/** Answers whether a request's Host and Origin name this terminal. */
export interface OriginPolicy {
  /** `Host` header (`name:port`, `[v6]:port`); a missing one is refused. */
  hostAllowed(host: string | undefined): boolean;
  /** `Origin` header (`scheme://name:port`). */
  originAllowed(origin: string): boolean;
  /** The allowed origins, for the log and error messages. */
  readonly origins: readonly string[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);
const DEFAULT_PORT = { http: 80, https: 443 } as const;

/** Checks a `--public-origin` value; throws naming what is wrong. */
export function parsePublicOrigin(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`the public origin must be an address like https://door.example.com, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`the public origin must start with https:// or http://, not "${text}"`);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new Error(`the public origin is a scheme, host and port only (no path, query or credentials), not "${text}"`);
  }
  return url;
}

/** The allow-list: loopback names, the bound address (or this machine's, for a wildcard) and the public origin. */
export function createOriginPolicy(options: OriginPolicyOptions): OriginPolicy {
  const { scheme, port } = options;
  const names = new Set(LOOPBACK_NAMES);
  const bind = bracketed(options.bindHost.toLowerCase());
  if (WILDCARDS.has(bind)) {
    const machine = options.machine ?? thisMachine();
    for (const address of machine.addresses) names.add(bracketed(address.toLowerCase()));
    if (machine.hostname) {
      names.add(machine.hostname.toLowerCase());
      names.add(`${machine.hostname.toLowerCase()}.local`);
    }
  } else {
    names.add(bind);
  }
  // host[:port] as a browser writes it in Host, and the origins it writes in Origin.
  const hosts = new Set([...names].map((name) => `${name}:${port}`));
  const origins = new Set([...names].map((name) => `${scheme}://${name}:${port}`));
  if (port === DEFAULT_PORT[scheme]) {
    for (const name of names) {
      hosts.add(name);
      origins.add(`${scheme}://${name}`);
    }
  }
  if (options.publicOrigin !== undefined) {
    const url = parsePublicOrigin(options.publicOrigin);
    // URL drops a default port; a proxy may still write it.
    hosts.add(url.host);
    origins.add(url.origin);
    if (url.port === '') hosts.add(`${url.hostname}:${DEFAULT_PORT[url.protocol === 'https:' ? 'https' : 'http']}`);
  }
  return {
    hostAllowed: (host) => host !== undefined && hosts.has(host.trim().toLowerCase()),
    originAllowed: (origin) => origins.has(origin.trim().toLowerCase()),
    origins: [...origins],
  };
}

function bracketed(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

function thisMachine(): { addresses: string[]; hostname: string } {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .flatMap((entry) => (entry ? [entry.address] : []));
  return { addresses, hostname: hostname() };
}
