import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { utf8ToBytes } from '../bytes.ts';
import { IntegrityError, InvalidInputError } from '../errors.ts';
import { assertCid, cidFromDigest, cidOf, digestFromCid, digestOf, verifyCid } from './cid.ts';

const helloWorld = utf8ToBytes('hello world');
/** `ipfs add --cid-version 1 --raw-leaves` of "hello world" (no newline). */
const helloWorldCid = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e';
/** sha256("hello world"), FIPS 180-4 SHA-256. */
const helloWorldDigest = '0xb94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9';

describe('cid', () => {
  it('gives the known CID and digest of "hello world"', () => {
    assert.equal(cidOf(helloWorld), helloWorldCid);
    assert.equal(digestOf(helloWorld), helloWorldDigest);
  });

  it('round-trips between CID and digest', () => {
    assert.equal(cidFromDigest(helloWorldDigest), helloWorldCid);
    assert.equal(digestFromCid(helloWorldCid), helloWorldDigest);
    assert.equal(
      cidFromDigest(helloWorldDigest.toUpperCase().replace('0X', '0x') as `0x${string}`),
      helloWorldCid,
    );
  });

  it('verifies content against a CID', () => {
    assert.equal(verifyCid(helloWorldCid, helloWorld), true);
    assert.equal(verifyCid(helloWorldCid, utf8ToBytes('hello world!')), false);
    assert.doesNotThrow(() => assertCid(helloWorldCid, helloWorld));
    assert.throws(() => assertCid(helloWorldCid, utf8ToBytes('Hello world')), IntegrityError);
  });

  it('refuses CIDs other than canonical v1 / raw / sha2-256', () => {
    const digest = Digest.create(0x12, sha256(helloWorld));
    for (const cid of [
      'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o', // CIDv0
      CID.createV1(0x70, digest).toString(), // dag-pb codec
      CID.createV1(0x55, Digest.create(0x13, sha512(helloWorld))).toString(), // sha2-512
      CID.createV1(0x55, digest).toString(base58btc), // same CID, base58btc
      helloWorldCid.toUpperCase(), // same CID, upper-case base32
      'not a cid',
      '',
    ]) {
      assert.throws(() => digestFromCid(cid), InvalidInputError, cid);
      assert.throws(() => verifyCid(cid, helloWorld), InvalidInputError, cid);
    }
    assert.throws(() => cidFromDigest('0x1234'), InvalidInputError);
  });
});
