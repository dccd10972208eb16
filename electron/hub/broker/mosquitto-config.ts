// Mosquitto's configuration for a Lintel site: one TLS listener that requires a certificate from the site CA
// (its CN becomes the username), a CRL for revoked terminals, and an ACL that lets each terminal read the
// site's changes and its own inbox and write only its own outbox.
import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

import { HOME_ASSISTANT_CLIENT_ID, HOME_ASSISTANT_PREFIX, HUB_CLIENT_ID, siteTopics, TOPIC_ROOT } from '../../shared/fleet/topics.js';
import { writeFileAtomic, type HubConfig, type HubPaths } from '../pki/hub-folder.js';

/**
 * Largest MQTT packet the broker accepts, bytes. A change page is cut near 1 MB of payload; this leaves room
 * for base64, the signature envelope and an events batch with snapshots.
 */
export const MAX_PACKET_BYTES = 16 * 1024 * 1024;

/** Options of `renderMosquittoConfig`. */
export interface MosquittoConfigOptions {
  readonly bindAddress: string;
  readonly port: number;
  readonly caCertPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly crlPath: string;
  readonly aclPath: string;
  /** Folder of the broker's persistence (retained messages, queued QoS 1 messages of offline sessions). */
  readonly persistenceDir: string;
  /** Whom the broker runs as when started by root; default the current user (it must read the key files). */
  readonly runAsUser?: string;
}

/** The text of mosquitto.conf. */
export function renderMosquittoConfig(options: MosquittoConfigOptions): string {
  const quoteFree = (path: string): string => {
    // mosquitto.conf has no quoting: a path with a line break or a leading/trailing space cannot be written.
    if (/[\r\n]/.test(path) || path.trim() !== path) throw new RangeError(`path cannot be written to mosquitto.conf: ${JSON.stringify(path)}`);
    return path;
  };
  return [
    '# Lintel site broker; written by `lintel hub`, regenerated on every start: edit the hub, not this file.',
    'per_listener_settings false',
    'allow_anonymous false',
    `user ${options.runAsUser ?? userInfo().username}`,
    'persistence true',
    `persistence_location ${quoteFree(options.persistenceDir.endsWith('/') ? options.persistenceDir : `${options.persistenceDir}/`)}`,
    'autosave_interval 30',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    `max_packet_size ${MAX_PACKET_BYTES}`,
    // Queued QoS 1 messages for an offline terminal: a door offline for a day still gets its acks and results.
    'max_queued_messages 10000',
    `acl_file ${quoteFree(options.aclPath)}`,
    '',
    `listener ${options.port} ${options.bindAddress}`,
    'protocol mqtt',
    `cafile ${quoteFree(options.caCertPath)}`,
    `certfile ${quoteFree(options.certPath)}`,
    `keyfile ${quoteFree(options.keyPath)}`,
    `crlfile ${quoteFree(options.crlPath)}`,
    'tls_version tlsv1.2',
    'require_certificate true',
    'use_identity_as_username true',
    '',
  ].join('\n');
}

/**
 * The ACL: the hub reads and writes the whole site and Home Assistant's discovery; Home Assistant reads the
 * doors' entities and may only send OPEN; every other certificate (a terminal, %u = its CN) reads the hub's
 * topics and its own inbox and writes its own outbox. `deniedTerminalIds` (revoked terminals) get nothing, even
 * on a connection opened before the revocation.
 */
export function renderAcl(siteId: string, deniedTerminalIds: readonly string[] = []): string {
  const topics = siteTopics(siteId);
  const site = `${TOPIC_ROOT}/${siteId}`;
  const lines = [
    '# Lintel site ACL; written by `lintel hub`: edit the hub, not this file.',
    `user ${HUB_CLIENT_ID}`,
    `topic readwrite ${topics.all}`,
    `topic readwrite ${HOME_ASSISTANT_PREFIX}/#`,
    '',
    `user ${HOME_ASSISTANT_CLIENT_ID}`,
    `topic read ${HOME_ASSISTANT_PREFIX}/#`,
    `topic read ${site}/ha/#`,
    `topic write ${site}/ha/+/lock-set`,
    '',
  ];
  for (const terminalId of deniedTerminalIds) lines.push(`user ${terminalId}`, 'topic deny #', '');
  lines.push(`pattern read ${topics.hubAll}`, `pattern read ${site}/terminal/%u/in/#`, `pattern write ${site}/terminal/%u/out/#`, '');
  return lines.join('\n');
}

/** Where `writeMosquittoFiles` put things. */
export interface MosquittoFiles {
  readonly configPath: string;
  readonly aclPath: string;
  readonly persistenceDir: string;
}

/** Writes mosquitto.conf and the ACL of a hub folder (listening where `config` says unless `port` overrides it). */
export function writeMosquittoFiles(paths: HubPaths, config: HubConfig, options: { readonly port?: number; readonly deniedTerminalIds?: readonly string[] } = {}): MosquittoFiles {
  const files = { configPath: join(paths.mosquittoDir, 'mosquitto.conf'), aclPath: join(paths.mosquittoDir, 'acl'), persistenceDir: join(paths.mosquittoDir, 'data') };
  mkdirSync(files.persistenceDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(files.aclPath, renderAcl(config.siteId, options.deniedTerminalIds), 0o600);
  writeFileAtomic(
    files.configPath,
    renderMosquittoConfig({
      bindAddress: config.broker.bindAddress,
      port: options.port ?? config.broker.port,
      caCertPath: paths.caCert,
      certPath: paths.brokerCert,
      keyPath: paths.brokerKey,
      crlPath: paths.crl,
      aclPath: files.aclPath,
      persistenceDir: files.persistenceDir,
    }),
    0o600,
  );
  return files;
}
