/**
 * Keys of an actor. An identity is two independent key pairs:
 * - a secp256k1 signing key: an Ethereum account (its address is the actor's id on chain, it signs
 *   EIP-712 messages);
 * - an X25519 encryption key pair for HPKE (its public key goes on chain as `bytes32`).
 *
 * Every key is 32 bytes, written as `0x`-prefixed lower-case hex.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import type { Address, Hex, PrivateKeyAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { bytesToHex, hexToBytes } from '../bytes.ts';
import { InvalidInputError } from '../errors.ts';

/** An X25519 key pair for HPKE. */
export type EncryptionKeyPair = { secretKey: Hex; publicKey: Hex };

/** An actor's keys: the Ethereum account that signs and the X25519 key pair that decrypts. */
export type Identity = {
  address: Address;
  signingKey: Hex;
  encryption: EncryptionKeyPair;
};

/** A 32-byte key as bytes; accepts hex (`0x…`) or bytes. */
export function keyBytes(key: Hex | Uint8Array, what = 'key'): Uint8Array {
  if (key instanceof Uint8Array) {
    if (key.length !== 32)
      throw new InvalidInputError(`Invalid ${what}: expected 32 bytes, got ${key.length}.`);
    return key;
  }
  return hexToBytes(key, 32, what);
}

/**
 * A fresh X25519 key pair from the platform's secure random source.
 *
 * @example
 * const { secretKey, publicKey } = generateEncryptionKeyPair();
 */
export function generateEncryptionKeyPair(): EncryptionKeyPair {
  const secret = x25519.utils.randomSecretKey();
  return { secretKey: bytesToHex(secret), publicKey: bytesToHex(x25519.getPublicKey(secret)) };
}

/**
 * The X25519 public key of a secret key (any 32 bytes are a valid secret key; X25519 clamps them).
 *
 * @example
 * encryptionPublicKeyOf(identity.encryption.secretKey) === identity.encryption.publicKey; // true
 */
export function encryptionPublicKeyOf(secretKey: Hex | Uint8Array): Hex {
  return bytesToHex(x25519.getPublicKey(keyBytes(secretKey, 'encryption secret key')));
}

/**
 * A fresh identity: a new Ethereum account and a new encryption key pair.
 *
 * @example
 * const doctor = generateIdentity();
 * doctor.address; // '0x…' (checksummed)
 */
export function generateIdentity(): Identity {
  return identityFromKeys({
    signingKey: generatePrivateKey(),
    encryptionSecretKey: generateEncryptionKeyPair().secretKey,
  });
}

/**
 * The identity of existing secret keys (e.g. read from a key file).
 *
 * @example
 * const same = identityFromKeys({ signingKey: id.signingKey, encryptionSecretKey: id.encryption.secretKey });
 */
export function identityFromKeys(keys: { signingKey: Hex; encryptionSecretKey: Hex }): Identity {
  const signingKey = bytesToHex(keyBytes(keys.signingKey, 'signing key'));
  const secretKey = bytesToHex(keyBytes(keys.encryptionSecretKey, 'encryption secret key'));
  return {
    address: accountOf({ signingKey }).address,
    signingKey,
    encryption: { secretKey, publicKey: encryptionPublicKeyOf(secretKey) },
  };
}

/**
 * The viem account that signs for an identity.
 *
 * @example
 * const signature = await accountOf(identity).signTypedData({ domain, types, primaryType, message });
 */
export function accountOf(identity: Pick<Identity, 'signingKey'>): PrivateKeyAccount {
  try {
    return privateKeyToAccount(identity.signingKey);
  } catch (cause) {
    throw new InvalidInputError('Invalid signing key: not a secp256k1 private key.', { cause });
  }
}
