// What `lintel hub enroll-terminal` writes and `lintel serve --hub <bundle>` reads: everything a terminal needs
// to join its site, in one JSON file (mode 0600: it holds the terminal's private key).
import { z } from 'zod';

import { SITE_ID_PATTERN, TERMINAL_ID_PATTERN } from './topics.js';

/** The bundle's format marker; a new layout gets a new version and old bundles stay readable. */
export const TERMINAL_BUNDLE_FORMAT = 'lintel-terminal-bundle';

const pem = (label: string) =>
  z.string().refine((text) => text.includes(`-----BEGIN ${label}-----`) && text.includes(`-----END ${label}-----`), { message: `must be a PEM ${label}` });

/** A terminal's joining bundle. */
export const terminalBundleSchema = z.strictObject({
  format: z.literal(TERMINAL_BUNDLE_FORMAT),
  version: z.literal(1),
  siteId: z.string().regex(SITE_ID_PATTERN),
  /** The CN of `certPem`: the terminal's id and its broker username. */
  terminalId: z.string().regex(TERMINAL_ID_PATTERN),
  /** `mqtts://host:port` of the site's broker. */
  brokerUrl: z.url({ protocol: /^mqtts$/ }),
  /** The site CA: the only issuer the terminal trusts for the broker's certificate. */
  caCertPem: pem('CERTIFICATE'),
  certPem: pem('CERTIFICATE'),
  keyPem: pem('PRIVATE KEY'),
  /** The hub's Ed25519 key (SPKI PEM): every signed message from the hub must verify against it. */
  hubPublicKeyPem: pem('PUBLIC KEY'),
  issuedAtMs: z.int().min(0),
});
export type TerminalBundle = z.infer<typeof terminalBundleSchema>;
