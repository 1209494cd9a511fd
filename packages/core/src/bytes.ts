/**
 * Byte helpers: the one place the project imports hex, base64url and UTF-8 conversions from.
 * Binary values are `Uint8Array`; hex values are viem's `Hex` (`0x`-prefixed, lower case when
 * produced here). Decoders are strict and throw `InvalidInputError`.
 */
import { equalBytes as constantTimeEqual } from '@noble/ciphers/utils.js';
import { bytesToHex as nobleBytesToHex, hexToBytes as nobleHexToBytes } from '@noble/hashes/utils.js';
import { base64url } from 'multiformats/bases/base64';
import type { Hex } from 'viem';
import { InvalidInputError } from './errors.ts';

export { concatBytes } from '@noble/hashes/utils.js';

const hexPattern = /^0x(?:[0-9a-fA-F]{2})*$/;
const base64urlPattern = /^[A-Za-z0-9_-]*$/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** `0x`-prefixed lower-case hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): Hex {
  return `0x${nobleBytesToHex(bytes)}`;
}

/**
 * Bytes of a `0x`-prefixed hex string (either case), optionally of an exact `size` in bytes.
 *
 * @example
 * hexToBytes('0x00ff', 2); // Uint8Array [0, 255]
 */
export function hexToBytes(hex: string, size?: number, what = 'hex value'): Uint8Array {
  if (typeof hex !== 'string' || !hexPattern.test(hex)) {
    throw new InvalidInputError(`Invalid ${what}: expected 0x-prefixed hex with an even number of digits.`);
  }
  if (size !== undefined && hex.length !== 2 + 2 * size) {
    throw new InvalidInputError(`Invalid ${what}: expected ${size} bytes, got ${(hex.length - 2) / 2}.`);
  }
  return nobleHexToBytes(hex.slice(2));
}

/** True when `value` is `0x` followed by exactly `size` bytes of lower-case hex. */
export function isLowerHex(value: unknown, size: number): value is Hex {
  return typeof value === 'string' && value.length === 2 + 2 * size && /^0x[0-9a-f]*$/.test(value);
}

/** UTF-8 encoding of `text`. */
export function utf8ToBytes(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Text of UTF-8 `bytes`; throws on malformed UTF-8 instead of substituting characters. */
export function bytesToUtf8(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw new InvalidInputError('Invalid UTF-8.', { cause });
  }
}

/** Unpadded base64url (RFC 4648 §5) of `bytes`. */
export function bytesToBase64url(bytes: Uint8Array): string {
  if (nodeBuffer)
    return nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  return base64url.baseEncode(bytes);
}

/** Node's native base64 (several times faster than the portable codec); absent in browsers. */
interface NodeBufferClass {
  from(
    buffer: ArrayBufferLike,
    byteOffset: number,
    length: number,
  ): { toString(encoding: 'base64url'): string };
  from(text: string, encoding: 'base64url'): Uint8Array;
}
const nodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;

function decodeBase64url(text: string): Uint8Array {
  if (!nodeBuffer) return base64url.baseDecode(text);
  if (text.length % 4 === 1) throw new InvalidInputError('base64url text cannot have this length.');
  const decoded = nodeBuffer.from(text, 'base64url');
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
}

/** Bytes of canonical unpadded base64url: no padding, no other alphabet, no stray trailing bits. */
export function base64urlToBytes(text: string, what = 'base64url value'): Uint8Array {
  if (typeof text !== 'string' || !base64urlPattern.test(text)) {
    throw new InvalidInputError(`Invalid ${what}: expected unpadded base64url.`);
  }
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64url(text);
  } catch (cause) {
    throw new InvalidInputError(`Invalid ${what}: expected unpadded base64url.`, { cause });
  }
  // Non-zero unused bits in the last character would give a second spelling of the same bytes.
  if (bytesToBase64url(bytes) !== text) {
    throw new InvalidInputError(`Invalid ${what}: not canonical base64url.`);
  }
  return bytes;
}

/** `n` cryptographically secure random bytes from `globalThis.crypto` (Node 24, browsers). */
export function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let offset = 0; offset < n; offset += 65536) {
    globalThis.crypto.getRandomValues(bytes.subarray(offset, Math.min(n, offset + 65536)));
  }
  return bytes;
}

/** Equality of two byte arrays in time independent of their contents (noble's `equalBytes`). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return constantTimeEqual(a, b);
}
