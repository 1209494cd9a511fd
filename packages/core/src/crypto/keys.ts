/**
 * Keys of an actor. An identity is two independent key pairs:
 * - a secp256k1 signing key: an Ethereum account (its address is the actor's id on chain, it signs
 *   EIP-712 messages);
 * - an X25519 encryption key pair for HPKE (its public key goes on chain as `bytes32`).
 *
 * Every key is 32 bytes, written as `0x`-prefixed lower-case hex.
 *
 * An identity acts for `address`. That is its signing key's own address, except for a patient that
 * rotated its key: its id on chain stays the address it registered with, and the chain says which key
 * signs for it now (`Consortium.signerOf`). Such an identity signs with its current key for its
 * first address (`accountOf`), and `signerAddressOf` gives the key's own address.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import {
  type Address,
  getAddress,
  type Hex,
  isAddress,
  isAddressEqual,
  type LocalAccount,
  type PrivateKeyAccount,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { bytesToHex, hexToBytes } from '../bytes.ts';
import { InvalidInputError } from '../errors.ts';

/** An X25519 key pair for HPKE. */
export type EncryptionKeyPair = { secretKey: Hex; publicKey: Hex };

/** An actor's keys: the Ethereum account that signs and the X25519 key pair that decrypts. */
export type Identity = {
  /** The actor's id on chain (see the module comment: not always the signing key's address). */
  address: Address;
  signingKey: Hex;
  encryption: EncryptionKeyPair;
};

/**
 * An actor whose signing key stays in a wallet (EIP-1193, e.g. MetaMask): `account` asks the wallet
 * for each signature, and the encryption key pair is derived from the wallet
 * (`walletEncryptionKey.ts`). It has no signing key to export, back up or rotate from.
 */
export type WalletIdentity = {
  address: Address;
  /** A viem account (`toAccount`) whose signatures come from the wallet. */
  account: LocalAccount;
  encryption: EncryptionKeyPair;
};

/** Who acts: an identity holding its signing key here, or a wallet identity. */
export type Actor = Identity | WalletIdentity;

/** Whether an actor's signatures come from a wallet. */
export function isWalletIdentity(actor: Actor): actor is WalletIdentity {
  return 'account' in actor;
}

/**
 * The viem account that signs for an actor: the wallet's, or the one of its signing key (`accountOf`).
 *
 * @example
 * const signature = await signingAccountOf(actor).signMessage({ message });
 */
export function signingAccountOf(actor: Actor): LocalAccount {
  return isWalletIdentity(actor) ? actor.account : accountOf(actor);
}

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
export function identityFromKeys(keys: {
  signingKey: Hex;
  encryptionSecretKey: Hex;
  /** The account the key signs for, when it is not the key's own address (a rotated patient key). */
  account?: Address;
}): Identity {
  const signingKey = bytesToHex(keyBytes(keys.signingKey, 'signing key'));
  const secretKey = bytesToHex(keyBytes(keys.encryptionSecretKey, 'encryption secret key'));
  let account: Address | undefined;
  if (keys.account !== undefined) {
    if (!isAddress(keys.account, { strict: false })) {
      throw new InvalidInputError(`Invalid account "${keys.account}": expected 0x and 40 hex digits.`);
    }
    account = getAddress(keys.account);
  }
  return {
    address: account ?? accountOf({ signingKey }).address,
    signingKey,
    encryption: { secretKey, publicKey: encryptionPublicKeyOf(secretKey) },
  };
}

/**
 * The viem account that signs for an identity: its `address` is the identity's (the account it acts
 * for), its signatures are the signing key's.
 *
 * @example
 * const signature = await accountOf(identity).signTypedData({ domain, types, primaryType, message });
 */
export function accountOf(identity: Pick<Identity, 'signingKey'> & { address?: Address }): PrivateKeyAccount {
  let key: PrivateKeyAccount;
  try {
    key = privateKeyToAccount(identity.signingKey);
  } catch (cause) {
    throw new InvalidInputError('Invalid signing key: not a secp256k1 private key.', { cause });
  }
  if (identity.address === undefined || isAddressEqual(identity.address, key.address)) return key;
  // viem's account methods close over the private key, so only the address changes.
  return { ...key, address: identity.address };
}

/**
 * The address of an identity's signing key itself: its `address`, unless it acts for a patient that
 * rotated to this key.
 *
 * @example
 * signerAddressOf(identity) === identity.address; // false for a rotated patient key
 */
export function signerAddressOf(identity: Pick<Identity, 'signingKey'>): Address {
  return accountOf({ signingKey: identity.signingKey }).address;
}
