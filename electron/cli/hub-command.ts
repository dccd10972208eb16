import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { writeMosquittoFiles } from '../hub/broker/mosquitto-config.js';
import { HubService } from '../hub/hub-service.js';
import {
  deniedTerminalIds,
  DEFAULT_BROKER_PORT,
  enrollTerminal,
  HubFolderError,
  hubPaths,
  initHubFolder,
  issueHomeAssistantCertificate,
  loadHubConfig,
  revokeHomeAssistantCertificates,
} from '../hub/pki/hub-folder.js';
import { revokeDoor } from '../hub/revoke-door.js';
import { HubStoreError } from '../hub/store/errors.js';
import type { HubStore } from '../hub/store/hub-store.js';
import { openHubStore } from '../hub/store/postgres-hub-store.js';
import { loadOrCreateKey } from '../terminal/store/crypto.js';

export const HUB_USAGE = `Usage: lintel hub <command> [options]   (--data <dir> or LINTEL_HUB_DATA; --database <url> or LINTEL_HUB_DATABASE_URL)

  init --site <id> [--broker-host <host>] [--broker-port <n>] [--bind <addr>]
                                  a new hub folder: the site's CA, the broker's and the hub's certificates,
                                  the signing key and the key sealing faces in PostgreSQL (broker on
                                  127.0.0.1:${DEFAULT_BROKER_PORT} unless told)
  serve [--broker] [--no-home-assistant] [--admin-port <n>]
                                  the hub: PostgreSQL store, MQTT link, Home Assistant discovery; --broker also
                                  runs the site's Mosquitto with the generated configuration; --admin-port serves
                                  the admin UI and API on 127.0.0.1 (POST /api/call/<channel>; admin:setup, from this
                                  machine, makes the first admin)
  enroll-terminal <id> [--name <name>] [--out <bundle.json>] [--replace]
                                  a certificate for door <id> and its joining bundle (mode 0600) for
                                  lintel serve --hub; registers the door with the hub
  revoke-terminal <id>            revokes the door's certificates (CRL and ACL; a hub run with --broker reloads its
                                  broker, a system broker needs systemctl reload mosquitto) and disables it
  home-assistant --out <dir>      a client certificate for Home Assistant's MQTT integration
  revoke-home-assistant           revokes Home Assistant's certificates (CRL; reload as for revoke-terminal)
  broker-config                   (re)writes <data>/mosquitto/mosquitto.conf and its ACL for a system broker
`;

/** A problem with `lintel hub`'s command line: printed with the usage, exit code 2. */
class HubUsageError extends Error {}

const write = (text: string): void => void process.stdout.write(`${text}\n`);

/** `lintel hub …`; returns the exit code (2: usage, 1: a refusal the message explains). */
export async function commandHub(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'init':
        return await hubInit(rest);
      case 'serve':
        return await hubServe(rest);
      case 'enroll-terminal':
        return await hubEnrollTerminal(rest);
      case 'revoke-terminal':
        return await hubRevokeTerminal(rest);
      case 'home-assistant':
        return await hubHomeAssistant(rest);
      case 'revoke-home-assistant':
        return await hubRevokeHomeAssistant(rest);
      case 'broker-config':
        return hubBrokerConfig(rest);
      case undefined:
      case 'help':
      case '--help':
        process.stdout.write(HUB_USAGE);
        return sub === undefined ? 2 : 0;
      default:
        throw new HubUsageError(`unknown hub command "${sub}"`);
    }
  } catch (error) {
    if (error instanceof HubUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`lintel hub: ${(error as Error).message}\n\n${HUB_USAGE}`);
      return 2;
    }
    if (error instanceof HubFolderError || error instanceof HubStoreError || error instanceof RangeError) {
      process.stderr.write(`lintel hub: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

const common = { data: { type: 'string' }, database: { type: 'string' } } as const;

function dataDirOf(values: { data?: string }): string {
  const dir = values.data ?? process.env.LINTEL_HUB_DATA;
  if (!dir) throw new HubUsageError('name the hub folder with --data <dir> (or LINTEL_HUB_DATA)');
  return resolve(dir);
}

function databaseUrlOf(values: { database?: string }): string {
  const url = values.database ?? process.env.LINTEL_HUB_DATABASE_URL;
  if (!url) throw new HubUsageError('name the PostgreSQL database with --database postgresql://… (or LINTEL_HUB_DATABASE_URL)');
  return url;
}

function onePositional(positionals: readonly string[], what: string): string {
  if (positionals.length !== 1) throw new HubUsageError(`expected one ${what}, got ${positionals.length}`);
  return positionals[0]!;
}

async function withStore<T>(dataDir: string, databaseUrl: string, work: (store: HubStore) => Promise<T>): Promise<T> {
  const store = await openHubStore({ connectionString: databaseUrl, masterKey: loadOrCreateKey(hubPaths(dataDir).dataDir) });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function hubInit(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { data: common.data, site: { type: 'string' }, 'broker-host': { type: 'string' }, 'broker-port': { type: 'string' }, bind: { type: 'string' } },
  });
  if (!values.site) throw new HubUsageError('name the site with --site <id> (a short slug, e.g. main-office)');
  const port = values['broker-port'] === undefined ? undefined : Number(values['broker-port']);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65_535)) throw new HubUsageError(`--broker-port must be 1..65535, got "${values['broker-port']}"`);
  const dataDir = dataDirOf(values);
  const config = await initHubFolder(dataDir, {
    siteId: values.site,
    ...(values['broker-host'] ? { brokerHost: values['broker-host'] } : {}),
    ...(port ? { brokerPort: port } : {}),
    ...(values.bind ? { bindAddress: values.bind } : {}),
  });
  const files = writeMosquittoFiles(hubPaths(dataDir), config);
  write(`hub for site ${config.siteId} created in ${dataDir}`);
  write(`broker: mqtts://${config.broker.host}:${config.broker.port} (listening on ${config.broker.bindAddress}); configuration ${files.configPath}`);
  write(`next: lintel hub enroll-terminal <door-id> --data ${dataDir} --database <url>, then lintel hub serve`);
  return 0;
}

async function hubServe(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { ...common, broker: { type: 'boolean' }, 'no-home-assistant': { type: 'boolean' }, 'admin-port': { type: 'string' } },
  });
  const adminPort = values['admin-port'] === undefined ? undefined : Number(values['admin-port']);
  if (adminPort !== undefined && (!Number.isInteger(adminPort) || adminPort < 0 || adminPort > 65_535)) throw new HubUsageError(`--admin-port must be 0..65535, got "${values['admin-port']}"`);
  const dataDir = dataDirOf(values);
  const databaseUrl = databaseUrlOf(values);
  let service: HubService;
  try {
    service = await HubService.start({
      dataDir,
      databaseUrl,
      manageBroker: values.broker ?? false,
      homeAssistant: !values['no-home-assistant'],
      ...(adminPort === undefined ? {} : { admin: { port: adminPort } }),
      log: (level, message, fields) => process.stderr.write(`${new Date().toISOString()} ${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
    });
  } catch (error) {
    const reason = unreachable(error, dataDir);
    if (!reason) throw error;
    process.stderr.write(`lintel hub: ${reason}\n`);
    return 1;
  }
  write(`hub of site ${service.identity.config.siteId} serving; broker ${service.identity.brokerUrl}${service.broker ? ` (run by the hub, log ${service.broker.logPath})` : ''}`);
  if (service.admin) write(`admin API on ${service.admin.origin}`);
  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
  });
  await service.stop();
  return 0;
}

/** What to tell the administrator when a server the hub needs cannot be reached; undefined for other errors. */
function unreachable(error: unknown, dataDir: string): string | undefined {
  const code = (error as { code?: unknown }).code;
  if (code !== 'ECONNREFUSED' && code !== 'ENOTFOUND' && code !== 'ETIMEDOUT' && code !== 'EHOSTUNREACH' && code !== 'ECONNRESET') return undefined;
  const { address, port } = error as { address?: string; port?: number };
  const config = loadHubConfig(dataDir);
  const isBroker = port === config.broker.port;
  const what = isBroker
    ? `the broker at mqtts://${config.broker.host}:${config.broker.port}: run lintel hub serve --broker, or point the system's mosquitto at ${hubPaths(dataDir).mosquittoDir}/mosquitto.conf`
    : `PostgreSQL${address ? ` at ${address}:${port}` : ''}: check --database (or LINTEL_HUB_DATABASE_URL) and that the server runs`;
  return `cannot reach ${what} (${(error as Error).message})`;
}

async function hubEnrollTerminal(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { ...common, name: { type: 'string' }, out: { type: 'string' }, replace: { type: 'boolean' } } });
  const terminalId = onePositional(positionals, 'terminal id');
  const dataDir = dataDirOf(values);
  const databaseUrl = databaseUrlOf(values);
  loadHubConfig(dataDir);
  const enrolled = await enrollTerminal(dataDir, terminalId, { ...(values.out ? { outPath: values.out } : {}), replace: values.replace ?? false });
  await withStore(dataDir, databaseUrl, (store) => store.registerTerminal({ id: terminalId, ...(values.name ? { name: values.name } : {}), certSerial: enrolled.serialHex }));
  write(`terminal ${terminalId} enrolled (certificate ${enrolled.serialHex}); bundle ${enrolled.bundlePath} (mode 0600: it holds the door's key)`);
  write(`on the door: lintel serve --hub ${enrolled.bundlePath}`);
  if (enrolled.revokedSerials.length > 0) write(`its previous certificate was revoked (${enrolled.revokedSerials.join(', ')}): reload the broker if the hub does not run it`);
  return 0;
}

async function hubRevokeTerminal(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: common });
  const terminalId = onePositional(positionals, 'terminal id');
  const dataDir = dataDirOf(values);
  const databaseUrl = databaseUrlOf(values);
  // The certificates go first: a database that cannot be reached must not keep a door in.
  const revoked = await revokeDoor(dataDir, { revokeTerminal: (id) => withStore(dataDir, databaseUrl, (store) => store.revokeTerminal(id)) }, terminalId, { writeAcl: true });
  write(revoked.length > 0 ? `terminal ${terminalId} revoked (certificates ${revoked.join(', ')})` : `terminal ${terminalId} had no valid certificate left; disabled on the hub`);
  write('a hub run with --broker reloads its broker now; a system broker: systemctl reload mosquitto (or kill -HUP its pid)');
  return 0;
}

async function hubHomeAssistant(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { data: common.data, out: { type: 'string' } } });
  if (!values.out) throw new HubUsageError('name the folder for the certificate with --out <dir>');
  const files = await issueHomeAssistantCertificate(dataDirOf(values), resolve(values.out));
  write(`Home Assistant's certificate: ${files.certPath}, key ${files.keyPath} (mode 0600), CA ${files.caPath}`);
  write('in Home Assistant: MQTT integration, broker as in hub.json, "Use a client certificate", these three files');
  return 0;
}

async function hubRevokeHomeAssistant(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { data: common.data } });
  const revoked = await revokeHomeAssistantCertificates(dataDirOf(values));
  write(revoked.length > 0 ? `Home Assistant's certificates revoked (${revoked.join(', ')})` : 'Home Assistant had no valid certificate');
  if (revoked.length > 0) write('a hub run with --broker reloads its broker now; a system broker: systemctl reload mosquitto (or kill -HUP its pid)');
  return 0;
}

function hubBrokerConfig(args: readonly string[]): number {
  const { values } = parseArgs({ args: [...args], options: { data: common.data } });
  const dataDir = dataDirOf(values);
  const files = writeMosquittoFiles(hubPaths(dataDir), loadHubConfig(dataDir), { deniedTerminalIds: deniedTerminalIds(dataDir) });
  write(`${files.configPath}\n${files.aclPath}`);
  return 0;
}
