import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gcm } from '@noble/ciphers/aes.js';
import { bytesToHex, hexToBytes, randomBytes, utf8ToBytes } from '../bytes.ts';
import { IntegrityError, InvalidInputError } from '../errors.ts';
import { decryptAesGcm, encryptAesGcm } from './aead.ts';
import vectorFile from './vectors/aes-256-gcm.json' with { type: 'json' };

const hex = (value: string) => hexToBytes(`0x${value}`);

describe('AES-256-GCM known answers (GCM specification, test cases 13-16)', () => {
  for (const v of vectorFile.vectors) {
    it(`${v.name}: noble gcm gives the published ciphertext and tag`, () => {
      const sealed = gcm(hex(v.key), hex(v.iv), hex(v.aad)).encrypt(hex(v.pt));
      assert.equal(bytesToHex(sealed), `0x${v.ct}${v.tag}`);
    });

    it(`${v.name}: decryptAesGcm opens it and refuses a flipped tag`, () => {
      const sealed = { iv: hex(v.iv), ciphertext: hex(v.ct + v.tag) };
      assert.equal(bytesToHex(decryptAesGcm(hex(v.key), sealed, hex(v.aad))), `0x${v.pt}`);
      const last = sealed.ciphertext.length - 1;
      sealed.ciphertext[last] = (sealed.ciphertext[last] ?? 0) ^ 0x80;
      assert.throws(() => decryptAesGcm(hex(v.key), sealed, hex(v.aad)), IntegrityError);
    });
  }
});

describe('encryptAesGcm / decryptAesGcm', () => {
  const key = randomBytes(32);
  const aad = utf8ToBytes('metadata');

  it('round-trips with a fresh 12-byte nonce each time', () => {
    const message = randomBytes(1000);
    const a = encryptAesGcm(key, message, aad);
    const b = encryptAesGcm(key, message, aad);
    assert.equal(a.iv.length, 12);
    assert.notDeepEqual(a.iv, b.iv);
    assert.equal(a.ciphertext.length, 1016);
    assert.deepEqual(decryptAesGcm(key, a, aad), message);
    assert.deepEqual(decryptAesGcm(key, encryptAesGcm(key, new Uint8Array(0)), undefined), new Uint8Array(0));
  });

  it('detects any flipped bit in the ciphertext, nonce or associated data, and a wrong key', () => {
    const sealed = encryptAesGcm(key, utf8ToBytes('allergy: penicillin'), aad);
    const flipped = (bytes: Uint8Array, i: number) => {
      const copy = bytes.slice();
      copy[i >> 3] = (copy[i >> 3] ?? 0) ^ (1 << (i & 7));
      return copy;
    };
    for (let i = 0; i < sealed.ciphertext.length * 8; i++) {
      assert.throws(
        () => decryptAesGcm(key, { ...sealed, ciphertext: flipped(sealed.ciphertext, i) }, aad),
        IntegrityError,
      );
    }
    for (let i = 0; i < 96; i++) {
      assert.throws(() => decryptAesGcm(key, { ...sealed, iv: flipped(sealed.iv, i) }, aad), IntegrityError);
    }
    for (let i = 0; i < aad.length * 8; i++) {
      assert.throws(() => decryptAesGcm(key, sealed, flipped(aad, i)), IntegrityError);
    }
    assert.throws(() => decryptAesGcm(randomBytes(32), sealed, aad), IntegrityError);
    assert.throws(
      () => decryptAesGcm(key, { ...sealed, ciphertext: sealed.ciphertext.subarray(0, 15) }, aad),
      IntegrityError,
    );
  });

  it('refuses keys that are not 32 bytes', () => {
    assert.throws(() => encryptAesGcm(randomBytes(16), new Uint8Array(1)), InvalidInputError);
    assert.throws(
      () => decryptAesGcm(randomBytes(31), encryptAesGcm(key, new Uint8Array(1))),
      InvalidInputError,
    );
  });
});
