/**
 * Content identifiers of blobs: CIDv1, codec raw (0x55), multihash sha2-256 (0x12), written in
 * base32 (`bafkrei…`), the form IPFS gives raw blocks. The 32-byte sha2-256 digest itself is the
 * `contentDigest` stored on chain; the CID can be rebuilt from it and back.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import type { Hex } from 'viem';
import { bytesToHex, equalBytes, hexToBytes } from '../bytes.ts';
import { IntegrityError, InvalidInputError } from '../errors.ts';

const rawCodec = 0x55;
const sha256Code = 0x12;

/**
 * The CID of `bytes`.
 *
 * @example
 * cidOf(utf8ToBytes('hello world')); // 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e'
 */
export function cidOf(bytes: Uint8Array): string {
  return cidOfSha256(sha256(bytes));
}

/**
 * The sha2-256 of `bytes` as `0x` hex: the on-chain `contentDigest`.
 *
 * @example
 * digestOf(utf8ToBytes('hello world')); // '0xb94d27b9…efcde9'
 */
export function digestOf(bytes: Uint8Array): Hex {
  return bytesToHex(sha256(bytes));
}

/**
 * The CID whose multihash is the sha2-256 `digest`.
 *
 * @example
 * cidFromDigest(record.contentDigest); // 'bafkrei…'
 */
export function cidFromDigest(digest: Hex): string {
  return cidOfSha256(hexToBytes(digest, 32, 'content digest'));
}

/**
 * The sha2-256 digest inside a CID. Accepts only the canonical base32 string of a CIDv1 with
 * codec raw and a 32-byte sha2-256 multihash; throws `InvalidInputError` otherwise.
 *
 * @example
 * digestFromCid('bafkrei…'); // '0x…'
 */
export function digestFromCid(cid: string): Hex {
  let parsed: CID;
  try {
    parsed = CID.parse(cid);
  } catch (cause) {
    throw new InvalidInputError('Invalid CID.', { cause, metaMessages: [`CID: ${String(cid)}`] });
  }
  if (parsed.version !== 1 || parsed.code !== rawCodec) {
    throw new InvalidInputError('Unsupported CID: expected CIDv1 with codec raw (0x55).', {
      metaMessages: [`CID: ${cid}`],
    });
  }
  if (parsed.multihash.code !== sha256Code || parsed.multihash.size !== 32) {
    throw new InvalidInputError('Unsupported CID: expected a sha2-256 multihash.', {
      metaMessages: [`CID: ${cid}`],
    });
  }
  if (parsed.toString() !== cid) {
    throw new InvalidInputError('Unsupported CID: expected its lower-case base32 form (bafkrei…).', {
      metaMessages: [`CID: ${cid}`],
    });
  }
  return bytesToHex(parsed.multihash.digest);
}

/**
 * True when `bytes` hash to `cid` (which must be a valid CID as `digestFromCid` accepts).
 *
 * @example
 * if (!verifyCid(cid, blob)) throw new IntegrityError('Blob does not match its CID');
 */
export function verifyCid(cid: string, bytes: Uint8Array): boolean {
  return equalBytes(hexToBytes(digestFromCid(cid)), sha256(bytes));
}

/**
 * Throws `IntegrityError` unless `bytes` hash to `cid`.
 *
 * @example
 * assertCid(cid, await blobStore.get(cid));
 */
export function assertCid(cid: string, bytes: Uint8Array): void {
  if (!verifyCid(cid, bytes)) {
    throw new IntegrityError('Content does not match its CID.', { metaMessages: [`CID: ${cid}`] });
  }
}

function cidOfSha256(digest: Uint8Array): string {
  return CID.createV1(rawCodec, Digest.create(sha256Code, digest)).toString();
}
