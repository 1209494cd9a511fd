/**
 * The encryption key of an identity whose signing key stays in a wallet (EIP-1193, e.g. MetaMask).
 * A wallet holds no X25519 key we can use, so the key is derived from the wallet itself:
 *
 * - the wallet signs a fixed EIP-712 message (`walletEncryptionKeyTypedData`): its own domain
 *   ("medledger encryption key", version 1, the consortium's chain id, no contract) and the account,
 *   so that no ledger action's signature, no other chain and no other account yields the same key;
 * - the X25519 secret key is HKDF-SHA256 over the signature's r ‖ s (s taken in its low half, so
 *   a wallet that returns the other half of the same signature gives the same key), salt
 *   "medledger", info "medledger/wallet-encryption-key/v1", 32 bytes.
 *
 * Wallets sign with RFC 6979 deterministic ECDSA (MetaMask, hardware wallets), so the same wallet
 * always gives back the same key: losing the browser loses nothing. A wallet whose signatures are
 * randomised would give a new key each time and lose the records; `deriveWalletEncryptionKey`
 * asks twice and refuses such a wallet.
 */

import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  type Address,
  getAddress,
  type Hex,
  isAddressEqual,
  type LocalAccount,
  parseSignature,
  recoverTypedDataAddress,
} from 'viem';
import { bytesToHex, hexToBytes } from '../bytes.ts';
import { InvalidInputError } from '../errors.ts';
import { type EncryptionKeyPair, encryptionPublicKeyOf } from './keys.ts';

/**
 * The order n of secp256k1's group (SEC 2, section 2.4.1), to take s in its low half. A constant
 * rather than an import of a second secp256k1 implementation into the web app's first load (viem
 * bundles its own); the test checks it against @noble/curves.
 */
export const secp256k1Order = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** What the derivation signs; changing it changes every wallet's encryption key. */
export const walletEncryptionKeyPurpose = 'medledger encryption key v1';

const encryptionKeyTypes = {
  EncryptionKey: [
    { name: 'purpose', type: 'string' },
    { name: 'warning', type: 'string' },
    { name: 'account', type: 'address' },
  ],
} as const;

/**
 * The EIP-712 message a wallet signs to derive its medledger encryption key.
 *
 * @example
 * const signature = await account.signTypedData(walletEncryptionKeyTypedData({ chainId, account: account.address }));
 */
export function walletEncryptionKeyTypedData(parameters: { chainId: number; account: Address }) {
  return {
    domain: { name: 'medledger encryption key', version: '1', chainId: parameters.chainId },
    types: encryptionKeyTypes,
    primaryType: 'EncryptionKey',
    message: {
      purpose: walletEncryptionKeyPurpose,
      warning: 'Sign this only in the medledger app: this signature unlocks your health records.',
      account: getAddress(parameters.account),
    },
  } as const;
}

/**
 * The X25519 key pair derived from a wallet's signature of `walletEncryptionKeyTypedData`.
 *
 * @example
 * const { publicKey } = encryptionKeyFromWalletSignature(signature);
 */
export function encryptionKeyFromWalletSignature(signature: Hex): EncryptionKeyPair {
  let r: Hex;
  let s: Hex;
  try {
    ({ r, s } = parseSignature(signature));
  } catch (cause) {
    throw new InvalidInputError('The wallet returned something that is not a signature.', {
      cause,
      reason: 'wallet_signature_invalid',
    });
  }
  const high = BigInt(s);
  const lowS = high > secp256k1Order / 2n ? secp256k1Order - high : high;
  const material = new Uint8Array(64);
  material.set(hexToBytes(r, 32, 'signature r'), 0);
  material.set(hexToBytes(`0x${lowS.toString(16).padStart(64, '0')}`, 32, 'signature s'), 32);
  const secret = hkdf(
    sha256,
    material,
    new TextEncoder().encode('medledger'),
    new TextEncoder().encode('medledger/wallet-encryption-key/v1'),
    32,
  );
  material.fill(0);
  const secretKey = bytesToHex(secret);
  secret.fill(0);
  return { secretKey, publicKey: encryptionPublicKeyOf(secretKey) };
}

export interface DeriveWalletEncryptionKeyParameters {
  /** The consortium's chain id (the wallet must be on it). */
  chainId: number;
  /**
   * Ask the wallet twice and compare (the first use of a wallet). Later uses may compare against
   * the public key known from before instead (`expectedPublicKey`).
   */
  checkDeterminism: boolean;
  /** The public key this wallet gave before, if known: a different one is refused. */
  expectedPublicKey?: Hex;
}

/**
 * The encryption key pair of a wallet account: asks it to sign `walletEncryptionKeyTypedData`
 * (twice when `checkDeterminism`), checks that the account itself signed, and derives the key.
 * Throws `InvalidInputError` with reason `wallet_signatures_random` when two signatures differ or
 * the key differs from `expectedPublicKey` (such a wallet cannot keep an encryption key), and
 * `wallet_signer_mismatch` when the signature is not the account's.
 *
 * @example
 * const encryption = await deriveWalletEncryptionKey(walletAccount, { chainId, checkDeterminism: true });
 */
export async function deriveWalletEncryptionKey(
  account: Pick<LocalAccount, 'address' | 'signTypedData'>,
  parameters: DeriveWalletEncryptionKeyParameters,
): Promise<EncryptionKeyPair> {
  const typedData = walletEncryptionKeyTypedData({ chainId: parameters.chainId, account: account.address });
  const sign = async (): Promise<Hex> => {
    const signature = await account.signTypedData(typedData);
    const signer = await recoverTypedDataAddress({ ...typedData, signature }).catch((cause: unknown) => {
      throw new InvalidInputError('The wallet returned something that is not a signature.', {
        cause,
        reason: 'wallet_signature_invalid',
      });
    });
    if (!isAddressEqual(signer, account.address)) {
      throw new InvalidInputError('The wallet signed with another account than the one connected.', {
        reason: 'wallet_signer_mismatch',
        metaMessages: [`Connected: ${account.address}`, `Signed by: ${signer}`],
      });
    }
    return signature;
  };
  const first = encryptionKeyFromWalletSignature(await sign());
  const refuse = () =>
    new InvalidInputError(
      'This wallet signs the same message differently each time, so it cannot keep your encryption key: use a wallet with deterministic signatures (such as MetaMask or a hardware wallet) or a recovery phrase.',
      { reason: 'wallet_signatures_random' },
    );
  if (parameters.checkDeterminism) {
    const second = encryptionKeyFromWalletSignature(await sign());
    if (second.secretKey !== first.secretKey) throw refuse();
  }
  if (
    parameters.expectedPublicKey !== undefined &&
    parameters.expectedPublicKey.toLowerCase() !== first.publicKey
  ) {
    throw refuse();
  }
  return first;
}
