import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  base64urlToBytes,
  bytesToBase64url,
  bytesToHex,
  bytesToUtf8,
  equalBytes,
  hexToBytes,
  isLowerHex,
  randomBytes,
  utf8ToBytes,
} from './bytes.ts';
import { InvalidInputError } from './errors.ts';

describe('bytes', () => {
  it('converts hex strictly', () => {
    assert.equal(bytesToHex(new Uint8Array([0, 171, 255])), '0x00abff');
    assert.deepEqual(hexToBytes('0x00ABff'), new Uint8Array([0, 171, 255]));
    assert.deepEqual(hexToBytes('0x'), new Uint8Array(0));
    for (const bad of ['00ab', '0xabc', '0xzz', '0X00', ' 0x00'])
      assert.throws(() => hexToBytes(bad), InvalidInputError);
    assert.throws(() => hexToBytes('0x00', 2), /expected 2 bytes, got 1/);
    assert.equal(isLowerHex('0xab', 1), true);
    assert.equal(isLowerHex('0xAB', 1), false);
    assert.equal(isLowerHex('0xab', 2), false);
  });

  it('converts RFC 4648 base64url test vectors, unpadded, and refuses non-canonical text', () => {
    const vectors = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [text, encoded] of vectors) {
      assert.equal(bytesToBase64url(utf8ToBytes(text ?? '')), encoded);
      assert.equal(bytesToUtf8(base64urlToBytes(encoded ?? '')), text);
    }
    assert.equal(bytesToBase64url(new Uint8Array([251, 255])), '-_8');
    for (const bad of ['Zg==', 'Zh', 'Z', '+/8', 'Zm9v Yg'])
      assert.throws(() => base64urlToBytes(bad), InvalidInputError);
  });

  it('decodes UTF-8 strictly', () => {
    assert.equal(bytesToUtf8(utf8ToBytes('Zoë ✓')), 'Zoë ✓');
    assert.throws(() => bytesToUtf8(new Uint8Array([0xc3, 0x28])), InvalidInputError);
  });

  it('draws random bytes beyond the 65,536-byte getRandomValues limit', () => {
    const bytes = randomBytes(200_000);
    assert.equal(bytes.length, 200_000);
    assert.notDeepEqual(bytes.subarray(199_000), new Uint8Array(1000));
    assert.notDeepEqual(randomBytes(32), randomBytes(32));
  });

  it('compares bytes', () => {
    assert.equal(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
    assert.equal(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
    assert.equal(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1])), false);
  });
});
