import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';

import { z } from 'zod';

import { eventsAckSchema, headSchema } from './messages.js';
import { decodeMessage, decodeSigned, encodeMessage, encodeSigned, FleetMessageError, generateSigningKeyPair, signBody, signingPrivateKey, signingPublicKey, verifySigned } from './signing.js';

const hub = generateSigningKeyPair();
const impostor = generateSigningKeyPair();

function problemOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof FleetMessageError, `expected a FleetMessageError, got ${String(error)}`);
    return error.problem;
  }
  assert.fail('expected the message to be refused');
}

describe('signed messages', () => {
  test('a message the hub signed verifies and parses with the schema', () => {
    const bytes = encodeSigned(headSchema, { headSeq: 42, atMs: 1_700_000_000_000 }, hub.privateKeyPem);
    assert.deepEqual(decodeSigned(bytes, hub.publicKeyPem, headSchema), { headSeq: 42, atMs: 1_700_000_000_000 });
  });

  test('the signature covers the exact body text: a changed byte is refused', () => {
    const envelope = signBody({ upToSeq: 7 }, hub.privateKeyPem);
    assert.equal(verifySigned(envelope, hub.publicKeyPem, eventsAckSchema).upToSeq, 7);
    const tampered = { ...envelope, body: envelope.body.replace('7', '9') };
    assert.equal(problemOf(() => verifySigned(tampered, hub.publicKeyPem, eventsAckSchema)), 'bad-signature');
  });

  test('a message signed by another key is refused', () => {
    const bytes = encodeSigned(eventsAckSchema, { upToSeq: 1 }, impostor.privateKeyPem);
    assert.equal(problemOf(() => decodeSigned(bytes, hub.publicKeyPem, eventsAckSchema)), 'bad-signature');
  });

  test('an unsigned body, a broken envelope and non-JSON are refused with their own problem', () => {
    assert.equal(problemOf(() => decodeSigned(JSON.stringify({ upToSeq: 1 }), hub.publicKeyPem, eventsAckSchema)), 'bad-envelope');
    assert.equal(problemOf(() => decodeSigned(JSON.stringify({ body: '{}', sig: 'short' }), hub.publicKeyPem, eventsAckSchema)), 'bad-envelope');
    assert.equal(problemOf(() => decodeSigned('{not json', hub.publicKeyPem, eventsAckSchema)), 'not-json');
  });

  test('a correctly signed body that fails the schema is refused as invalid, naming the field', () => {
    const envelope = signBody({ upToSeq: -1 }, hub.privateKeyPem);
    assert.throws(() => verifySigned(envelope, hub.publicKeyPem, eventsAckSchema), (error: unknown) => error instanceof FleetMessageError && error.problem === 'invalid' && /upToSeq/.test(error.message));
  });

  test('the hub never signs a message its terminals would drop', () => {
    assert.throws(() => encodeSigned(headSchema, { headSeq: -3, atMs: 0 }, hub.privateKeyPem), z.ZodError);
  });

  test('a key of another kind is refused with a clear message', () => {
    const ecdsa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.throws(() => signingPublicKey(ecdsa.publicKey), /Ed25519 public key, got ec/);
    assert.throws(() => signingPrivateKey(ecdsa.privateKey), /Ed25519 private key, got ec/);
  });

  test('unsigned messages round-trip and are validated', () => {
    const bytes = encodeMessage(eventsAckSchema, { upToSeq: 3 });
    assert.deepEqual(decodeMessage(bytes, eventsAckSchema), { upToSeq: 3 });
    assert.equal(problemOf(() => decodeMessage('{"upToSeq":"3"}', eventsAckSchema)), 'invalid');
  });
});
