// Reading the joining bundle `lintel hub enroll-terminal` writes (shared/fleet/bundle.ts says what it holds).
import { readFileSync, statSync } from 'node:fs';

import { z } from 'zod';

import { assertTerminalId, signingPublicKey, terminalBundleSchema, type TerminalBundle } from '../../shared/fleet/index.js';

/** What a terminal joins its site with. */
export type HubBundle = TerminalBundle;

/** A bundle that cannot be used; the message names the file and what is wrong. */
export class HubBundleError extends Error {
  override readonly name = 'HubBundleError';
}

/**
 * Reads and checks a bundle file: JSON of the bundle schema, a hub key that is Ed25519, and no access for group
 * or others (it holds the terminal's private key). Throws a HubBundleError naming what is wrong.
 */
export function readHubBundle(path: string): HubBundle {
  let text: string;
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) throw new HubBundleError(`${path} is open to other users (mode ${mode.toString(8)}) but holds the terminal's private key: chmod 600 it`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof HubBundleError) throw error;
    throw new HubBundleError(`cannot read the hub bundle ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HubBundleError(`${path} is not a hub bundle (not JSON: ${(error as Error).message})`, { cause: error });
  }
  const parsed = terminalBundleSchema.safeParse(json);
  if (!parsed.success) throw new HubBundleError(`${path} is not a usable hub bundle: ${z.prettifyError(parsed.error)}`);
  try {
    assertTerminalId(parsed.data.terminalId);
    signingPublicKey(parsed.data.hubPublicKeyPem);
  } catch (error) {
    throw new HubBundleError(`${path}: ${(error as Error).message}`, { cause: error });
  }
  return parsed.data;
}
