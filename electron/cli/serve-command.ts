import { parseArgs } from 'node:util';

import { startHeadless } from '../host/headless.js';
import { forgetServedOrigin, recordServedOrigin } from '../host/served-origin.js';
import { parsePublicOrigin } from '../host/origin-policy.js';
import { readTlsFiles } from '../host/tls-files.js';
import { resolveDataDir } from '../terminal/data-dir.js';
import { readHubBundle } from '../terminal/sync/hub-bundle.js';
import { parseNpuPrecision } from '../vision/backend/rknn-backend.js';

const write = (text: string): void => void process.stdout.write(`${text}\n`);

/**
 * `lintel serve`: the whole terminal under Node, its UI and contract on 127.0.0.1 (or `--host`), until
 * SIGINT/SIGTERM. Prints where it serves; the pairing address only to a terminal (`lintel pair` mints one). `--tls-cert/--tls-key`
 * serve HTTPS; `--public-origin` (or LINTEL_PUBLIC_ORIGIN) names the address browsers use behind a TLS proxy.
 */
export async function commandServe(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      data: { type: 'string' },
      camera: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'public-origin': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      manifest: { type: 'string' },
      'rknn-lib': { type: 'string' },
      precision: { type: 'string' },
      headless: { type: 'boolean' },
      hub: { type: 'string' },
    },
  });
  const port = values.port === undefined ? 7300 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);
  const precision = values.precision === undefined ? undefined : parseNpuPrecision(values.precision);
  const publicOrigin = values['public-origin'] ?? (process.env.LINTEL_PUBLIC_ORIGIN || undefined);
  if (publicOrigin !== undefined) parsePublicOrigin(publicOrigin);
  const tls = readTlsFiles(values['tls-cert'], values['tls-key'], { cert: '--tls-cert', key: '--tls-key' });
  // The bundle is read before anything starts: a wrong path or a bundle open to others stops here, naming it.
  const hub = values.hub === undefined ? undefined : readHubBundle(values.hub);
  const headless = await startHeadless({
    dataDir: resolveDataDir(values.data),
    ...(values.camera ? { cameraUri: values.camera } : {}),
    ...(values.host ? { host: values.host } : {}),
    port,
    ...(publicOrigin !== undefined ? { publicOrigin } : {}),
    ...(tls ? { tls } : {}),
    ...(values.manifest ? { manifestPath: values.manifest } : {}),
    ...(hub ? { hub } : {}),
    ...(values['rknn-lib'] ? { npu: { libraryPath: values['rknn-lib'], ...(precision ? { precision } : {}) } } : {}),
  });
  const { host } = headless;
  if (values.host && !['127.0.0.1', 'localhost', '::1'].includes(values.host)) {
    write(`warning: serving on ${values.host}: other machines can reach the terminal. Every call needs a session (a pairing address,`);
    if (!tls && !publicOrigin?.startsWith('https:')) write('         then the admin login); the traffic is not encrypted, so put it behind TLS on any network you do not control.');
    else write('         then the admin login).');
  }
  const dataDir = resolveDataDir(values.data);
  write(`Lintel is serving at ${host.origin}`);
  if (hub) write(`Joined site ${hub.siteId} as ${hub.terminalId} through ${hub.brokerUrl}: people are managed on the hub.`);
  // A pairing address or setup code in the journal would be a key anyone reading logs could use: they go to a
  // terminal only; otherwise `lintel pair` mints an address, and the kiosk's screen shows the setup code.
  if (process.stdout.isTTY) {
    write(`Open this address in a browser within 10 minutes; it works once and gives that browser a session:`);
    write(`  ${host.pairingUrl()}`);
    const setupCode = headless.app.setupCode();
    if (setupCode !== null) write(`No administrator yet: claim the terminal at its screen, or from that browser with the setup code ${setupCode}.`);
  } else {
    write(`For a browser session, run on this machine: lintel pair --data ${dataDir}`);
  }
  recordServedOrigin(dataDir, host.origin);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  forgetServedOrigin(dataDir, host.origin);
  await headless.close();
  return 0;
}

/** The certificate and key for HTTPS, both or neither; a file that cannot be read is named. */
