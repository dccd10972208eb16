// The hub's data folder: the site's identity (id, broker address), its CA and certificates, the Ed25519 key the
// hub signs changes with, the key that seals biometric columns in PostgreSQL, and the record of every issued
// certificate from which the CRL is made. Secrets are files of mode 0600, written atomically.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { z } from 'zod';

import { TERMINAL_BUNDLE_FORMAT, type TerminalBundle } from '../../shared/fleet/bundle.js';
import { generateSigningKeyPair } from '../../shared/fleet/signing.js';
import { assertSiteId, assertTerminalId, HOME_ASSISTANT_CLIENT_ID, HUB_CLIENT_ID } from '../../shared/fleet/topics.js';
import { fsyncDirectory, loadOrCreateKey } from '../../terminal/store/crypto.js';
import { createCertificateAuthority, createRevocationList, issueCertificate, type KeyAndCertificate } from './certificate-authority.js';

/** Name of the hub's configuration file inside its data folder. */
export const HUB_CONFIG_FILE = 'hub.json';
/** The MQTT-over-TLS port when none is given (IANA's secure MQTT port). */
export const DEFAULT_BROKER_PORT = 8883;

const hubConfigSchema = z.strictObject({
  format: z.literal('lintel-hub'),
  version: z.literal(1),
  siteId: z.string(),
  broker: z.strictObject({
    /** Address the broker listens on. */
    bindAddress: z.string().min(1),
    /** Host name or IP terminals connect to (in the broker's certificate). */
    host: z.string().min(1),
    port: z.int().min(1).max(65_535),
  }),
  createdAtMs: z.int().min(0),
});
export type HubConfig = z.infer<typeof hubConfigSchema>;

/** Who a certificate was issued to. */
export type CertificateHolder = 'broker' | 'hub' | 'terminal' | 'home-assistant';

const issuedSchema = z.object({
  certificates: z.array(
    z.object({
      commonName: z.string(),
      holder: z.enum(['broker', 'hub', 'terminal', 'home-assistant']),
      serialHex: z.string().regex(/^[0-9a-f]+$/),
      issuedAtMs: z.int(),
      notAfterMs: z.int(),
      revokedAtMs: z.int().nullable(),
    }),
  ),
});
export type IssuedRecord = z.infer<typeof issuedSchema>['certificates'][number];

/** Where everything of the hub lives, below its data folder. */
export interface HubPaths {
  readonly dataDir: string;
  readonly config: string;
  readonly caKey: string;
  readonly caCert: string;
  readonly brokerKey: string;
  readonly brokerCert: string;
  readonly hubKey: string;
  readonly hubCert: string;
  readonly crl: string;
  /** Every certificate issued, with its revocation: the CRL is made from it. */
  readonly issued: string;
  /** The hub's Ed25519 signing key (PKCS#8 PEM) and its public half (SPKI PEM, in every bundle). */
  readonly signingKey: string;
  readonly signingPublicKey: string;
  /** The broker's configuration, ACL and persistence. */
  readonly mosquittoDir: string;
  /** Terminal bundles written by enroll-terminal when no other place is given. */
  readonly bundlesDir: string;
}

/** The paths of the hub whose data folder is `dataDir`. */
export function hubPaths(dataDir: string): HubPaths {
  const root = resolve(dataDir);
  const pki = join(root, 'pki');
  return {
    dataDir: root,
    config: join(root, HUB_CONFIG_FILE),
    caKey: join(pki, 'ca.key'),
    caCert: join(pki, 'ca.crt'),
    brokerKey: join(pki, 'broker.key'),
    brokerCert: join(pki, 'broker.crt'),
    hubKey: join(pki, 'hub.key'),
    hubCert: join(pki, 'hub.crt'),
    crl: join(pki, 'crl.pem'),
    issued: join(pki, 'issued.json'),
    signingKey: join(root, 'signing.key'),
    signingPublicKey: join(root, 'signing.pub'),
    mosquittoDir: join(root, 'mosquitto'),
    bundlesDir: join(root, 'bundles'),
  };
}

/** Options of `initHubFolder`. */
export interface InitHubOptions {
  readonly siteId: string;
  /** Where terminals reach the broker; default 127.0.0.1. */
  readonly brokerHost?: string;
  /** Default DEFAULT_BROKER_PORT. */
  readonly brokerPort?: number;
  /** Address the broker listens on; default 127.0.0.1 (nothing listens beyond localhost unless configured). */
  readonly bindAddress?: string;
  readonly nowMs?: number;
}

/** A hub folder problem the administrator can fix: the message says what and how. */
export class HubFolderError extends Error {
  override readonly name = 'HubFolderError';
}

/**
 * Creates a hub's data folder: config, site CA, the broker's server certificate (for 127.0.0.1, localhost and
 * the broker host), the hub's client certificate (CN `hub`), an empty CRL, the signing key pair and the seal key.
 * Refuses a folder that already holds a hub: a second CA would orphan every enrolled terminal.
 */
export async function initHubFolder(dataDir: string, options: InitHubOptions): Promise<HubConfig> {
  assertSiteId(options.siteId);
  const paths = hubPaths(dataDir);
  if (existsSync(paths.config)) throw new HubFolderError(`${paths.dataDir} already holds a hub (${HUB_CONFIG_FILE}); a new CA would lock out every enrolled terminal`);
  const nowMs = options.nowMs ?? Date.now();
  const brokerHost = options.brokerHost ?? '127.0.0.1';
  const config: HubConfig = hubConfigSchema.parse({
    format: 'lintel-hub',
    version: 1,
    siteId: options.siteId,
    broker: { bindAddress: options.bindAddress ?? '127.0.0.1', host: brokerHost, port: options.brokerPort ?? DEFAULT_BROKER_PORT },
    createdAtMs: nowMs,
  });
  mkdirSync(dirname(paths.caKey), { recursive: true, mode: 0o700 });
  mkdirSync(paths.mosquittoDir, { recursive: true, mode: 0o700 });
  const ca = await createCertificateAuthority(options.siteId, nowMs);
  const broker = await issueCertificate(ca, { commonName: 'broker', role: 'server', hosts: [...new Set(['127.0.0.1', 'localhost', brokerHost])], nowMs });
  const hub = await issueCertificate(ca, { commonName: HUB_CLIENT_ID, role: 'client', nowMs });
  const signing = generateSigningKeyPair();
  writeFileAtomic(paths.caKey, ca.keyPem, 0o600);
  writeFileAtomic(paths.caCert, ca.certPem, 0o644);
  writeFileAtomic(paths.brokerKey, broker.keyPem, 0o600);
  writeFileAtomic(paths.brokerCert, broker.certPem, 0o644);
  writeFileAtomic(paths.hubKey, hub.keyPem, 0o600);
  writeFileAtomic(paths.hubCert, hub.certPem, 0o644);
  writeFileAtomic(paths.signingKey, signing.privateKeyPem, 0o600);
  writeFileAtomic(paths.signingPublicKey, signing.publicKeyPem, 0o644);
  writeIssued(paths, [
    { commonName: 'broker', holder: 'broker', serialHex: broker.serialHex, issuedAtMs: nowMs, notAfterMs: broker.notAfterMs, revokedAtMs: null },
    { commonName: HUB_CLIENT_ID, holder: 'hub', serialHex: hub.serialHex, issuedAtMs: nowMs, notAfterMs: hub.notAfterMs, revokedAtMs: null },
  ]);
  writeFileAtomic(paths.crl, await createRevocationList(ca, [], nowMs), 0o644);
  loadOrCreateKey(paths.dataDir);
  // The config goes last: a folder interrupted mid-init has no hub.json, so init can simply be run again.
  writeFileAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`, 0o644);
  return config;
}

/** Reads and checks a hub folder's config; a HubFolderError says when it is missing or damaged. */
export function loadHubConfig(dataDir: string): HubConfig {
  const paths = hubPaths(dataDir);
  let text: string;
  try {
    text = readFileSync(paths.config, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new HubFolderError(`${paths.dataDir} holds no hub: run \`lintel hub init --data ${dataDir} --site <id>\` first`);
    throw error;
  }
  const parsed = hubConfigSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new HubFolderError(`${paths.config} is damaged: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The hub's MQTT client identity and signing key, as its link needs them. */
export interface HubIdentity {
  readonly config: HubConfig;
  readonly paths: HubPaths;
  readonly caCertPem: string;
  readonly clientKeyPem: string;
  readonly clientCertPem: string;
  readonly signingKeyPem: string;
  readonly signingPublicKeyPem: string;
  /** `mqtts://host:port`. */
  readonly brokerUrl: string;
}

/** Loads what the hub needs to join its own broker. */
export function loadHubIdentity(dataDir: string): HubIdentity {
  const config = loadHubConfig(dataDir);
  const paths = hubPaths(dataDir);
  return {
    config,
    paths,
    caCertPem: readFileSync(paths.caCert, 'utf8'),
    clientKeyPem: readFileSync(paths.hubKey, 'utf8'),
    clientCertPem: readFileSync(paths.hubCert, 'utf8'),
    signingKeyPem: readFileSync(paths.signingKey, 'utf8'),
    signingPublicKeyPem: readFileSync(paths.signingPublicKey, 'utf8'),
    brokerUrl: brokerUrlOf(config),
  };
}

/** `mqtts://host:port` of a hub's broker (IPv6 literals bracketed). */
export function brokerUrlOf(config: HubConfig): string {
  const host = config.broker.host.includes(':') ? `[${config.broker.host}]` : config.broker.host;
  return `mqtts://${host}:${config.broker.port}`;
}

/** Every certificate the hub's CA issued, oldest first. */
export function listIssued(dataDir: string): readonly IssuedRecord[] {
  return readIssued(hubPaths(dataDir));
}

/**
 * Terminals whose every certificate is revoked: the broker's ACL denies them everything, so a connection opened
 * before the revocation is cut off too (the CRL only stops new ones).
 */
export function deniedTerminalIds(dataDir: string): readonly string[] {
  const terminals = readIssued(hubPaths(dataDir)).filter((record) => record.holder === 'terminal');
  const ids = new Set(terminals.map((record) => record.commonName));
  return [...ids].filter((id) => terminals.every((record) => record.commonName !== id || record.revokedAtMs !== null)).sort();
}

/** Options of `enrollTerminal`. */
export interface EnrollTerminalOptions {
  /** Where to write the bundle; default `<data>/bundles/<id>.json`. */
  readonly outPath?: string;
  /** Issue a new certificate for an id that already has a valid one, revoking the old one. */
  readonly replace?: boolean;
  readonly nowMs?: number;
}

/** What `enrollTerminal` made. */
export interface EnrolledTerminal {
  readonly bundle: TerminalBundle;
  readonly bundlePath: string;
  readonly serialHex: string;
  /** Serials revoked because `replace` was given (the CRL changed: reload the broker). */
  readonly revokedSerials: readonly string[];
}

/**
 * Issues terminal `terminalId` a client certificate (CN = id) and writes its joining bundle (mode 0600). An id
 * with a valid certificate is refused unless `replace`: two live certificates for one door would outlive a revoke.
 */
export async function enrollTerminal(dataDir: string, terminalId: string, options: EnrollTerminalOptions = {}): Promise<EnrolledTerminal> {
  assertTerminalId(terminalId);
  const config = loadHubConfig(dataDir);
  const paths = hubPaths(dataDir);
  const nowMs = options.nowMs ?? Date.now();
  const issued = readIssued(paths);
  const live = issued.filter((record) => record.holder === 'terminal' && record.commonName === terminalId && record.revokedAtMs === null);
  if (live.length > 0 && !options.replace) {
    throw new HubFolderError(`terminal ${terminalId} already has a certificate (serial ${live[0]!.serialHex}); revoke it first or pass --replace`);
  }
  const ca = readCa(paths);
  const cert = await issueCertificate(ca, { commonName: terminalId, role: 'client', nowMs });
  const bundle: TerminalBundle = {
    format: TERMINAL_BUNDLE_FORMAT,
    version: 1,
    siteId: config.siteId,
    terminalId,
    brokerUrl: brokerUrlOf(config),
    caCertPem: ca.certPem,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    hubPublicKeyPem: readFileSync(paths.signingPublicKey, 'utf8'),
    issuedAtMs: nowMs,
  };
  const bundlePath = resolve(options.outPath ?? join(paths.bundlesDir, `${terminalId}.json`));
  mkdirSync(dirname(bundlePath), { recursive: true, mode: 0o700 });
  writeFileAtomic(bundlePath, `${JSON.stringify(bundle, null, 2)}\n`, 0o600);
  const revokedNow = live.map((record) => ({ ...record, revokedAtMs: nowMs }));
  const next = [
    ...issued.map((record) => revokedNow.find((revoked) => revoked.serialHex === record.serialHex) ?? record),
    { commonName: terminalId, holder: 'terminal' as const, serialHex: cert.serialHex, issuedAtMs: nowMs, notAfterMs: cert.notAfterMs, revokedAtMs: null },
  ];
  writeIssued(paths, next);
  if (revokedNow.length > 0) await writeCrl(paths, ca, next, nowMs);
  return { bundle, bundlePath, serialHex: cert.serialHex, revokedSerials: revokedNow.map((record) => record.serialHex) };
}

/**
 * Revokes every certificate of terminal `terminalId` and rewrites the CRL. Returns the revoked serials (empty
 * when the terminal had none left); a HubFolderError when the CA never issued it one.
 */
export async function revokeTerminalCertificates(dataDir: string, terminalId: string, nowMs = Date.now()): Promise<readonly string[]> {
  assertTerminalId(terminalId);
  const paths = hubPaths(dataDir);
  loadHubConfig(dataDir);
  const issued = readIssued(paths);
  const ofTerminal = issued.filter((record) => record.holder === 'terminal' && record.commonName === terminalId);
  if (ofTerminal.length === 0) throw new HubFolderError(`this hub never enrolled a terminal ${terminalId}`);
  const revoked = ofTerminal.filter((record) => record.revokedAtMs === null).map((record) => record.serialHex);
  const next = issued.map((record) => (revoked.includes(record.serialHex) ? { ...record, revokedAtMs: nowMs } : record));
  writeIssued(paths, next);
  await writeCrl(paths, readCa(paths), next, nowMs);
  return revoked;
}

/**
 * Revokes every live certificate issued to Home Assistant and rewrites the CRL (a leaked key, or Home Assistant
 * retired). Returns the revoked serials; empty when none was live.
 */
export async function revokeHomeAssistantCertificates(dataDir: string, nowMs = Date.now()): Promise<readonly string[]> {
  const paths = hubPaths(dataDir);
  loadHubConfig(dataDir);
  const issued = readIssued(paths);
  const revoked = issued.filter((record) => record.holder === 'home-assistant' && record.revokedAtMs === null).map((record) => record.serialHex);
  if (revoked.length === 0) return [];
  const next = issued.map((record) => (revoked.includes(record.serialHex) ? { ...record, revokedAtMs: nowMs } : record));
  writeIssued(paths, next);
  await writeCrl(paths, readCa(paths), next, nowMs);
  return revoked;
}

/** Issues Home Assistant a client certificate (CN `homeassistant`) as three PEM files in `outDir` (key mode 0600). */
export async function issueHomeAssistantCertificate(dataDir: string, outDir: string, nowMs = Date.now()): Promise<{ readonly keyPath: string; readonly certPath: string; readonly caPath: string }> {
  loadHubConfig(dataDir);
  const paths = hubPaths(dataDir);
  const ca = readCa(paths);
  const cert = await issueCertificate(ca, { commonName: HOME_ASSISTANT_CLIENT_ID, role: 'client', nowMs });
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const files = { keyPath: join(outDir, 'homeassistant.key'), certPath: join(outDir, 'homeassistant.crt'), caPath: join(outDir, 'ca.crt') };
  writeFileAtomic(files.keyPath, cert.keyPem, 0o600);
  writeFileAtomic(files.certPath, cert.certPem, 0o644);
  writeFileAtomic(files.caPath, ca.certPem, 0o644);
  writeIssued(paths, [...readIssued(paths), { commonName: HOME_ASSISTANT_CLIENT_ID, holder: 'home-assistant', serialHex: cert.serialHex, issuedAtMs: nowMs, notAfterMs: cert.notAfterMs, revokedAtMs: null }]);
  return files;
}

function readCa(paths: HubPaths): KeyAndCertificate {
  return { keyPem: readFileSync(paths.caKey, 'utf8'), certPem: readFileSync(paths.caCert, 'utf8') };
}

async function writeCrl(paths: HubPaths, ca: KeyAndCertificate, issued: readonly IssuedRecord[], nowMs: number): Promise<void> {
  const revoked = issued.filter((record) => record.revokedAtMs !== null).map((record) => ({ serialHex: record.serialHex, revokedAtMs: record.revokedAtMs! }));
  writeFileAtomic(paths.crl, await createRevocationList(ca, revoked, nowMs), 0o644);
}

function readIssued(paths: HubPaths): IssuedRecord[] {
  const parsed = issuedSchema.safeParse(JSON.parse(readFileSync(paths.issued, 'utf8')));
  if (!parsed.success) throw new HubFolderError(`${paths.issued} is damaged: ${z.prettifyError(parsed.error)}`);
  return parsed.data.certificates;
}

function writeIssued(paths: HubPaths, certificates: readonly IssuedRecord[]): void {
  writeFileAtomic(paths.issued, `${JSON.stringify({ certificates }, null, 2)}\n`, 0o600);
}

/** Writes `content` through a fsynced temp file and a rename: a crash leaves the old file or the new, never half. */
export function writeFileAtomic(path: string, content: string, mode: number): void {
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const fd = openSync(temporary, 'wx', mode);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  fsyncDirectory(dirname(path));
}
