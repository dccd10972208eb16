// End-to-end authentication of what the hub sends: TLS protects each hop to the broker, the Ed25519 signature
// proves the hub wrote the message, whatever sits in between.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

import { z } from 'zod';

/** A signed message on the wire: the JSON text exactly as signed, and the signature over its UTF-8 bytes. */
export const signedEnvelopeSchema = z.strictObject({
  body: z.string().min(2),
  /** Base64 of the 64-byte Ed25519 signature. */
  sig: z.base64().length(88),
});
export type SignedEnvelope = z.infer<typeof signedEnvelopeSchema>;

/** Why a message was dropped. */
export type FleetMessageProblem = 'not-json' | 'bad-envelope' | 'bad-signature' | 'invalid';

/** A message that failed to parse, verify or validate; `problem` says which, the message names what. */
export class FleetMessageError extends Error {
  override readonly name = 'FleetMessageError';
  constructor(
    readonly problem: FleetMessageProblem,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A fresh Ed25519 key pair as PEM (PKCS#8 private, SPKI public): the hub's signing key made at init. */
export function generateSigningKeyPair(): { readonly privateKeyPem: string; readonly publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Loads an Ed25519 private key from PEM; throws naming the problem when it is another kind of key. */
export function signingPrivateKey(pem: string | KeyObject): KeyObject {
  const key = typeof pem === 'string' ? createPrivateKey(pem) : pem;
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw new TypeError(`the hub's signing key must be an Ed25519 private key, got ${key.asymmetricKeyType ?? key.type}`);
  return key;
}

/** Loads an Ed25519 public key from PEM; throws naming the problem when it is another kind of key. */
export function signingPublicKey(pem: string | KeyObject): KeyObject {
  const key = typeof pem === 'string' ? createPublicKey(pem) : pem;
  if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519') throw new TypeError(`the hub's public key must be an Ed25519 public key, got ${key.asymmetricKeyType ?? key.type}`);
  return key;
}

/** Signs `value`'s JSON text with the hub's Ed25519 key. */
export function signBody(value: unknown, privateKey: KeyObject | string): SignedEnvelope {
  const body = JSON.stringify(value);
  const sig = sign(null, Buffer.from(body, 'utf8'), signingPrivateKey(privateKey)).toString('base64');
  return { body, sig };
}

/**
 * Checks `envelope`'s signature with the hub's public key, then parses its body with `schema`. Throws a
 * FleetMessageError ('bad-signature', 'not-json' or 'invalid') naming what was wrong; never returns unverified data.
 */
export function verifySigned<S extends z.ZodType>(envelope: SignedEnvelope, publicKey: KeyObject | string, schema: S): z.output<S> {
  const signature = Buffer.from(envelope.sig, 'base64');
  if (!verify(null, Buffer.from(envelope.body, 'utf8'), signingPublicKey(publicKey), signature)) {
    throw new FleetMessageError('bad-signature', 'the signature does not match the hub\'s public key');
  }
  return parseJsonWith(envelope.body, schema);
}

/** A signed message as the bytes to publish. */
export function encodeSigned<S extends z.ZodType>(schema: S, value: z.input<S>, privateKey: KeyObject | string): Buffer {
  // Parsing first means the hub never signs a message its terminals would drop.
  const checked = schema.parse(value);
  return Buffer.from(JSON.stringify(signBody(checked, privateKey)), 'utf8');
}

/** Parses, verifies and validates a signed message received as `payload`; throws a FleetMessageError. */
export function decodeSigned<S extends z.ZodType>(payload: Uint8Array | string, publicKey: KeyObject | string, schema: S): z.output<S> {
  const envelope = parseJsonWith(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'), signedEnvelopeSchema, 'bad-envelope');
  return verifySigned(envelope, publicKey, schema);
}

/** An unsigned message (terminal → hub: the broker's certificate check and ACL say who sent it) as bytes. */
export function encodeMessage<S extends z.ZodType>(schema: S, value: z.input<S>): Buffer {
  return Buffer.from(JSON.stringify(schema.parse(value)), 'utf8');
}

/** Parses and validates an unsigned message; throws a FleetMessageError ('not-json' or 'invalid'). */
export function decodeMessage<S extends z.ZodType>(payload: Uint8Array | string, schema: S): z.output<S> {
  return parseJsonWith(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'), schema);
}

function parseJsonWith<S extends z.ZodType>(text: string, schema: S, problem: FleetMessageProblem = 'invalid'): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FleetMessageError('not-json', `not JSON: ${(error as Error).message}`, { cause: error });
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new FleetMessageError(problem, z.prettifyError(result.error), { cause: result.error });
  return result.data;
}
