// Known answers: the SIA OSDP 2.2 Annex E secure-channel example (SCBK-D, the panel and PD random numbers, the
// session keys, both cryptograms and R-MAC-I), as libosdp's tests/unit-tests/test-sc-sia-vectors.c carries it,
// and the MAC and data-block vectors of its test-sc.c (NIST SP 800-38A AES-128-CBC, F.2.1, with OSDP padding).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  complement,
  computeMac,
  cpCryptogram,
  decryptData,
  deriveSessionKeys,
  encryptData,
  initialRmac,
  pdCryptogram,
  sameBytes,
  SCBK_DEFAULT,
} from './secure-channel.js';
import type { SessionKeys } from './secure-channel.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('Secure Channel, SIA OSDP 2.2 Annex E', () => {
  const cpRandom = hex('b0b1b2b3b4b5b6b7');
  const pdRandom = hex('a0a1a2a3a4a5a6a7');
  const keys = deriveSessionKeys(SCBK_DEFAULT, cpRandom);

  it('SCBK-D is 0x30…0x3F', () => {
    assert.deepEqual(SCBK_DEFAULT, hex('303132333435363738393a3b3c3d3e3f'));
  });

  it('derives S-ENC, S-MAC1 and S-MAC2 from SCBK-D and RND.A', () => {
    assert.deepEqual(keys.enc, hex('bf8dc2a8329acb8c67c6d0cd9a451682'));
    assert.deepEqual(keys.mac1, hex('5e86c676603bdee2d8beafe178637332'));
    assert.deepEqual(keys.mac2, hex('6fda86e857777e8113203575823917 2e'));
  });

  it('computes the client (PD) and server (panel) cryptograms', () => {
    assert.deepEqual(pdCryptogram(keys, cpRandom, pdRandom), hex('fde5d2f428ec16312471ea3c02bd7796'));
    assert.deepEqual(cpCryptogram(keys, cpRandom, pdRandom), hex('26d3356e07762d262801fc8e6665a891'));
  });

  it('computes R-MAC-I from the server cryptogram', () => {
    assert.deepEqual(initialRmac(keys, hex('26d3356e07762d262801fc8e6665a891')), hex('b2a30057eb98ba2229ec1f875662b524'));
  });

  it('compares cryptograms exactly', () => {
    const expected = hex('26d3356e07762d262801fc8e6665a891');
    assert.equal(sameBytes(Buffer.from(expected), expected), true);
    const flipped = Buffer.from(expected);
    flipped[15] = (flipped[15] ?? 0) ^ 1;
    assert.equal(sameBytes(flipped, expected), false);
    assert.equal(sameBytes(expected.subarray(0, 8), expected), false);
  });
});

describe('Secure Channel MAC and data blocks (libosdp test-sc.c vectors)', () => {
  // NIST SP 800-38A F.2.1: AES-128 key, IV and the four plaintext blocks; CBC ciphertext blocks 1 and 4.
  const key = hex('2b7e151628aed2a6abf7158809cf4f3c');
  const iv = hex('000102030405060708090a0b0c0d0e0f');
  const plaintext = hex(`6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
    30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`);
  const keys: SessionKeys = { enc: key, mac1: key, mac2: key };

  it('a one-block message: the MAC is the CBC ciphertext of the block', () => {
    assert.deepEqual(computeMac(keys, iv, plaintext.subarray(0, 16)), hex('7649abac8119b246cee98e9b12e9197d'));
  });

  it('a four-block message: the MAC is the last CBC block (S-MAC1 then S-MAC2)', () => {
    assert.deepEqual(computeMac(keys, iv, plaintext), hex('3ff1caa1681fac09120eca307586e1a7'));
  });

  it('a partial block is padded with 0x80 and zeros before the last step', () => {
    assert.deepEqual(computeMac(keys, iv, hex('000102030405060708090a0b0c0d0e')), hex('c5311f3d23d086ea86f5ee7f85247b40'));
  });

  it('encrypts 15 bytes into one padded block, 16 bytes into two, and no data into the padding block', () => {
    assert.deepEqual(encryptData(keys, iv, hex('000102030405060708090a0b0c0d0e')), hex('c5311f3d23d086ea86f5ee7f85247b40'));
    assert.deepEqual(
      encryptData(keys, iv, hex('000102030405060708090a0b0c0d0e0f')),
      hex('7df76b0c1ab899b33e42f047b91b546f e2fe5bd6c1dfcdd19124f03e1a134d3b'),
    );
    assert.deepEqual(encryptData(keys, iv, Buffer.alloc(0)), hex('4c08220c79d9191022dc6674874ceaf8'));
  });

  it('decrypts and strips the padding; refuses partial blocks and blocks without the 0x80 marker', () => {
    assert.deepEqual(decryptData(keys, iv, hex('c5311f3d23d086ea86f5ee7f85247b40')), hex('000102030405060708090a0b0c0d0e'));
    assert.deepEqual(decryptData(keys, iv, hex('4c08220c79d9191022dc6674874ceaf8')), Buffer.alloc(0));
    assert.equal(decryptData(keys, iv, hex('c5311f3d23d086ea86f5ee7f85247b')), undefined);
    // The first NIST block decrypts to 6bc1…172a, which ends in no 0x80 marker.
    assert.equal(decryptData(keys, iv, hex('7649abac8119b246cee98e9b12e9197d')), undefined);
  });

  it('the data IV is the complement of the MAC it chains from', () => {
    assert.deepEqual(complement(hex('00ff0f')), hex('ff00f0'));
  });
});
