// The site's small certificate authority: one ECDSA P-256 CA per site, the broker's server certificate, a
// client certificate per terminal (CN = its id, the broker's username), and the CRL the broker refuses revoked
// terminals by. Pure JS (@peculiar/x509 over WebCrypto): no openssl CLI, no temp files holding keys.
// tsyringe inside @peculiar/x509 needs the Reflect metadata API before the library loads.
import 'reflect-metadata';

import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** The CA outlives every certificate it issues; a site re-creates it only by re-enrolling every door. */
export const CA_VALIDITY_DAYS = 20 * 365;
/** Broker, hub and terminal certificates: a door's service life. */
export const LEAF_VALIDITY_DAYS = 10 * 365;

/** A key and its certificate, both PEM. */
export interface KeyAndCertificate {
  /** PKCS#8 "PRIVATE KEY". */
  readonly keyPem: string;
  readonly certPem: string;
}

/** An issued certificate. */
export interface IssuedCertificate extends KeyAndCertificate {
  /** Lower-case hex, as the CRL lists it. */
  readonly serialHex: string;
  readonly notAfterMs: number;
}

/** What a certificate is for: the broker's TLS server, or a client (the hub, a terminal, Home Assistant). */
export type CertificateRole = 'server' | 'client';

/** Options of `issueCertificate`. */
export interface IssueOptions {
  /** The subject's CN: a terminal's id, `hub`, or the broker's host name. */
  readonly commonName: string;
  readonly role: CertificateRole;
  /** Host names and IP addresses the server certificate is valid for (server role only). */
  readonly hosts?: readonly string[];
  /** Default LEAF_VALIDITY_DAYS. */
  readonly validityDays?: number;
  /** Default now. */
  readonly nowMs?: number;
}

/** A new site CA (self-signed, may sign certificates and CRLs, no intermediates below it). */
export async function createCertificateAuthority(siteId: string, nowMs = Date.now()): Promise<IssuedCertificate> {
  const keys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const serialHex = newSerialHex();
  const notAfter = new Date(nowMs + CA_VALIDITY_DAYS * DAY_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialHex,
    name: [{ CN: [`Lintel site ${siteId} CA`] }, { O: [`Lintel site ${siteId}`] }],
    notBefore: new Date(nowMs - 60_000),
    notAfter,
    keys: keys as webcrypto.CryptoKeyPair,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as webcrypto.CryptoKey),
    ],
  });
  return { keyPem: await exportKeyPem(keys.privateKey as webcrypto.CryptoKey), certPem: cert.toString('pem'), serialHex, notAfterMs: notAfter.getTime() };
}

/** Issues a certificate signed by `ca` for a new P-256 key. */
export async function issueCertificate(ca: KeyAndCertificate, options: IssueOptions): Promise<IssuedCertificate> {
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/.test(options.commonName)) throw new RangeError(`a certificate's CN must be 1–64 letters, digits, . and -, got "${options.commonName}"`);
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKeyPem(ca.keyPem);
  const keys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const nowMs = options.nowMs ?? Date.now();
  const notAfter = new Date(Math.min(nowMs + (options.validityDays ?? LEAF_VALIDITY_DAYS) * DAY_MS, caCert.notAfter.getTime()));
  const serialHex = newSerialHex();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([options.role === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as webcrypto.CryptoKey),
    await x509.AuthorityKeyIdentifierExtension.create(caCert),
  ];
  if (options.role === 'server') {
    const hosts = options.hosts ?? [];
    if (hosts.length === 0) throw new RangeError('a server certificate needs at least one host name or IP address');
    extensions.push(new x509.SubjectAlternativeNameExtension(hosts.map((host) => ({ type: isIP(host) ? 'ip' : 'dns', value: host }))));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex,
    subject: [{ CN: [options.commonName] }, { O: caCert.subjectName.getField('O') }],
    issuer: caCert.subject,
    notBefore: new Date(nowMs - 60_000),
    notAfter,
    publicKey: keys.publicKey as webcrypto.CryptoKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING,
    extensions,
  });
  return { keyPem: await exportKeyPem(keys.privateKey as webcrypto.CryptoKey), certPem: cert.toString('pem'), serialHex, notAfterMs: notAfter.getTime() };
}

/** One revoked certificate. */
export interface RevokedEntry {
  readonly serialHex: string;
  readonly revokedAtMs: number;
}

/**
 * The CA's CRL listing `revoked`, PEM ("X509 CRL", what OpenSSL and so Mosquitto read). Its next update is the
 * CA's own end: OpenSSL refuses every client once a CRL has expired, and this CRL is replaced on each revocation.
 */
export async function createRevocationList(ca: KeyAndCertificate, revoked: readonly RevokedEntry[], nowMs = Date.now()): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const crl = await x509.X509CrlGenerator.create({
    issuer: caCert.subject,
    thisUpdate: new Date(nowMs - 60_000),
    nextUpdate: caCert.notAfter,
    signingKey: await importKeyPem(ca.keyPem),
    signingAlgorithm: SIGNING,
    entries: revoked.map((entry) => ({ serialNumber: entry.serialHex, revocationDate: new Date(entry.revokedAtMs), reason: x509.X509CrlReason.cessationOfOperation })),
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(caCert)],
  });
  return x509.PemConverter.encode(crl.rawData, 'X509 CRL');
}

/** What a certificate says about itself. */
export interface CertificateInfo {
  readonly commonName: string;
  readonly serialHex: string;
  readonly issuer: string;
  readonly notAfterMs: number;
}

/** Reads a PEM certificate's CN, serial, issuer and end of validity. */
export function describeCertificate(certPem: string): CertificateInfo {
  const cert = new x509.X509Certificate(certPem);
  return { commonName: cert.subjectName.getField('CN')[0] ?? '', serialHex: cert.serialNumber.toLowerCase(), issuer: cert.issuer, notAfterMs: cert.notAfter.getTime() };
}

/** True when `certPem` was signed by `caCertPem`'s key. */
export async function isIssuedBy(certPem: string, caCertPem: string): Promise<boolean> {
  const caCert = new x509.X509Certificate(caCertPem);
  return new x509.X509Certificate(certPem).verify({ publicKey: caCert.publicKey, signatureOnly: true });
}

/** Serial numbers listed by a PEM CRL (lower-case hex). */
export function revokedSerials(crlPem: string): readonly string[] {
  return new x509.X509Crl(crlPem).entries.map((entry) => entry.serialNumber.toLowerCase());
}

/** 16 random bytes, first bit clear: a positive serial of full entropy (RFC 5280 allows up to 20 octets). */
function newSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function exportKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<webcrypto.CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return webcrypto.subtle.importKey('pkcs8', der, EC_KEY, false, ['sign']);
}
