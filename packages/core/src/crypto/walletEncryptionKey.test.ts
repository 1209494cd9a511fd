import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { type Hex, hashTypedData, type LocalAccount, serializeSignature } from 'viem';
import { generatePrivateKey, privateKeyToAccount, toAccount } from 'viem/accounts';
import { hexToBytes } from '../bytes.ts';
import { InvalidInputError } from '../errors.ts';
import { accountOf, encryptionPublicKeyOf } from './keys.ts';
import {
  deriveWalletEncryptionKey,
  encryptionKeyFromWalletSignature,
  secp256k1Order,
  walletEncryptionKeyTypedData,
} from './walletEncryptionKey.ts';

const chainId = 31337;

/** A wallet that signs typed data with fresh randomness each time (RFC 6979 plus extra entropy). */
function randomisingWallet(key: Hex): Pick<LocalAccount, 'address' | 'signTypedData'> {
  const honest = privateKeyToAccount(key);
  return toAccount({
    address: honest.address,
    signMessage: honest.signMessage,
    signTransaction: honest.signTransaction,
    async signTypedData(typedData) {
      const hash = hexToBytes(hashTypedData(typedData), 32, 'hash');
      const signature = secp256k1.Signature.fromBytes(
        secp256k1.sign(hash, hexToBytes(key, 32, 'key'), {
          prehash: false,
          extraEntropy: true,
          format: 'recovered',
        }),
        'recovered',
      );
      return serializeSignature({
        r: `0x${signature.r.toString(16).padStart(64, '0')}`,
        s: `0x${signature.s.toString(16).padStart(64, '0')}`,
        yParity: signature.recovery ?? 0,
      });
    },
  });
}

describe('wallet encryption key', () => {
  it('is the same each time for the same wallet, chain and account (RFC 6979 signatures)', async () => {
    const wallet = privateKeyToAccount(generatePrivateKey());
    const first = await deriveWalletEncryptionKey(wallet, { chainId, checkDeterminism: true });
    const again = await deriveWalletEncryptionKey(wallet, {
      chainId,
      checkDeterminism: false,
      expectedPublicKey: first.publicKey,
    });
    assert.deepEqual(again, first);
    assert.match(first.secretKey, /^0x[0-9a-f]{64}$/);
    assert.equal(encryptionPublicKeyOf(first.secretKey), first.publicKey);
  });

  it('gives different accounts different keys', async () => {
    const a = await deriveWalletEncryptionKey(privateKeyToAccount(generatePrivateKey()), {
      chainId,
      checkDeterminism: false,
    });
    const b = await deriveWalletEncryptionKey(privateKeyToAccount(generatePrivateKey()), {
      chainId,
      checkDeterminism: false,
    });
    assert.notEqual(a.secretKey, b.secretKey);
    assert.notEqual(a.publicKey, b.publicKey);
  });

  it('is separated from other chains and from every other message the wallet signs', async () => {
    const key = generatePrivateKey();
    const wallet = privateKeyToAccount(key);
    const here = await deriveWalletEncryptionKey(wallet, { chainId, checkDeterminism: false });
    const elsewhere = await deriveWalletEncryptionKey(wallet, { chainId: 1, checkDeterminism: false });
    assert.notEqual(here.secretKey, elsewhere.secretKey);
    // The sign-in message and any other signature of the same wallet give other keys.
    const signIn = encryptionKeyFromWalletSignature(
      await wallet.signMessage({ message: 'Sign in to medledger.' }),
    );
    assert.notEqual(signIn.secretKey, here.secretKey);
    // The key is bound to the account named in the message, which is the account that signs.
    const other = privateKeyToAccount(generatePrivateKey());
    const signedForOther = await wallet.signTypedData(
      walletEncryptionKeyTypedData({ chainId, account: other.address }),
    );
    assert.notEqual(encryptionKeyFromWalletSignature(signedForOther).secretKey, here.secretKey);
    const typedData = walletEncryptionKeyTypedData({ chainId, account: wallet.address });
    assert.equal(typedData.domain.name, 'medledger encryption key');
    assert.equal('verifyingContract' in typedData.domain, false);
    // The same key held here rather than in a wallet derives the same encryption key.
    assert.deepEqual(
      await deriveWalletEncryptionKey(accountOf({ signingKey: key }), { chainId, checkDeterminism: false }),
      here,
    );
  });

  it('knows the order of secp256k1', () => {
    assert.equal(secp256k1Order, secp256k1.Point.CURVE().n);
  });

  it('gives the same key for the high-s form of the same signature', async () => {
    const wallet = privateKeyToAccount(generatePrivateKey());
    const signature = await wallet.signTypedData(
      walletEncryptionKeyTypedData({ chainId, account: wallet.address }),
    );
    const parsed = secp256k1.Signature.fromBytes(
      hexToBytes(signature, 65, 'signature').slice(0, 64),
      'compact',
    );
    const highS = secp256k1.Point.CURVE().n - parsed.s;
    const flipped = serializeSignature({
      r: signature.slice(0, 66) as Hex,
      s: `0x${highS.toString(16).padStart(64, '0')}`,
      yParity: signature.endsWith('1b') ? 1 : 0,
    });
    assert.notEqual(flipped, signature);
    assert.deepEqual(encryptionKeyFromWalletSignature(flipped), encryptionKeyFromWalletSignature(signature));
  });

  it('refuses a wallet whose signatures are randomised, by reason', async () => {
    const wallet = randomisingWallet(generatePrivateKey());
    await assert.rejects(
      deriveWalletEncryptionKey(wallet, { chainId, checkDeterminism: true }),
      (error: unknown) => error instanceof InvalidInputError && error.reason === 'wallet_signatures_random',
    );
  });

  it('refuses a key that differs from the one this wallet gave before', async () => {
    const wallet = privateKeyToAccount(generatePrivateKey());
    await assert.rejects(
      deriveWalletEncryptionKey(wallet, {
        chainId,
        checkDeterminism: false,
        expectedPublicKey: encryptionPublicKeyOf(generatePrivateKey()),
      }),
      (error: unknown) => error instanceof InvalidInputError && error.reason === 'wallet_signatures_random',
    );
  });

  it('refuses a signature by another account than the connected one', async () => {
    const connected = privateKeyToAccount(generatePrivateKey());
    const impostor = privateKeyToAccount(generatePrivateKey());
    const wallet = { address: connected.address, signTypedData: impostor.signTypedData };
    await assert.rejects(
      deriveWalletEncryptionKey(wallet, { chainId, checkDeterminism: false }),
      (error: unknown) => error instanceof InvalidInputError && error.reason === 'wallet_signer_mismatch',
    );
  });

  it('refuses what is not a signature', () => {
    assert.throws(
      () => encryptionKeyFromWalletSignature('0x1234'),
      (error: unknown) => error instanceof InvalidInputError && error.reason === 'wallet_signature_invalid',
    );
  });
});
