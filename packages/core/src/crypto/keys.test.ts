import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyMessage, verifyTypedData } from 'viem';
import { InvalidInputError } from '../errors.ts';
import {
  accountOf,
  encryptionPublicKeyOf,
  generateEncryptionKeyPair,
  generateIdentity,
  identityFromKeys,
  signerAddressOf,
} from './keys.ts';

describe('keys', () => {
  it('generates X25519 key pairs as 32-byte lower-case hex', () => {
    const a = generateEncryptionKeyPair();
    const b = generateEncryptionKeyPair();
    assert.match(a.secretKey, /^0x[0-9a-f]{64}$/);
    assert.match(a.publicKey, /^0x[0-9a-f]{64}$/);
    assert.notEqual(a.secretKey, b.secretKey);
    assert.equal(encryptionPublicKeyOf(a.secretKey), a.publicKey);
  });

  it('computes the RFC 7748 §6.1 public keys', () => {
    assert.equal(
      encryptionPublicKeyOf('0x77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
      '0x8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    );
    assert.equal(
      encryptionPublicKeyOf('0x5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'),
      '0xde9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
    );
  });

  it('builds identities whose account signs for their address', async () => {
    const identity = generateIdentity();
    assert.match(identity.address, /^0x[0-9a-fA-F]{40}$/);
    assert.deepEqual(
      identityFromKeys({
        signingKey: identity.signingKey,
        encryptionSecretKey: identity.encryption.secretKey,
      }),
      identity,
    );
    const typedData = {
      domain: { name: 'test', version: '1', chainId: 1 },
      types: { Ping: [{ name: 'n', type: 'uint256' }] },
      primaryType: 'Ping',
      message: { n: 1n },
    } as const;
    const signature = await accountOf(identity).signTypedData(typedData);
    assert.equal(await verifyTypedData({ ...typedData, address: identity.address, signature }), true);
  });

  it('builds identities that act for another account (a rotated patient key) and sign with their key', async () => {
    const patient = generateIdentity();
    const key = generateIdentity();
    const rotated = identityFromKeys({
      signingKey: key.signingKey,
      encryptionSecretKey: key.encryption.secretKey,
      account: patient.address.toLowerCase() as `0x${string}`,
    });
    assert.equal(rotated.address, patient.address, 'acts for the account, checksummed');
    assert.equal(signerAddressOf(rotated), key.address);
    assert.equal(signerAddressOf(patient), patient.address);
    const account = accountOf(rotated);
    assert.equal(account.address, patient.address);
    const message = 'sign in';
    const signature = await account.signMessage({ message });
    assert.equal(await verifyMessage({ address: key.address, message, signature }), true);
    assert.equal(await verifyMessage({ address: patient.address, message, signature }), false);
    assert.throws(
      () =>
        identityFromKeys({
          signingKey: key.signingKey,
          encryptionSecretKey: key.encryption.secretKey,
          account: '0x1234' as `0x${string}`,
        }),
      InvalidInputError,
    );
  });

  it('refuses keys that are not 32 bytes or not valid secp256k1 keys', () => {
    assert.throws(() => encryptionPublicKeyOf('0x1234'), InvalidInputError);
    assert.throws(() => encryptionPublicKeyOf(new Uint8Array(31)), InvalidInputError);
    assert.throws(
      () =>
        identityFromKeys({ signingKey: `0x${'00'.repeat(32)}`, encryptionSecretKey: `0x${'11'.repeat(32)}` }),
      InvalidInputError,
    );
  });
});
