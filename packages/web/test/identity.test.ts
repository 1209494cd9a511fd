/** Identities in the browser: recovery phrases (BIP-39 + BIP-44). The key file format is tested in core. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityFromRecoveryPhrase, newRecoveryPhrase } from '../src/identity/recoveryPhrase.ts';

/** The well-known development phrase; its first Ethereum account (m/44'/60'/0'/0/0) is anvil's first account. */
const developmentPhrase = 'test test test test test test test test test test test junk';

describe('recovery phrase', () => {
  it('derives the signing key at the standard Ethereum path, as wallets do', () => {
    const identity = identityFromRecoveryPhrase(developmentPhrase);
    assert.equal(identity.address, '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
  });

  it('derives the same identity every time, whatever the spacing and case', () => {
    const a = identityFromRecoveryPhrase(developmentPhrase);
    const b = identityFromRecoveryPhrase(`  ${developmentPhrase.toUpperCase().replaceAll(' ', '   ')} `);
    assert.deepEqual(a, b);
    assert.notEqual(a.encryption.secretKey, a.signingKey);
  });

  it('gives a fresh 12-word phrase a different identity', () => {
    const phrase = newRecoveryPhrase();
    assert.equal(phrase.split(' ').length, 12);
    assert.notEqual(
      identityFromRecoveryPhrase(phrase).address,
      identityFromRecoveryPhrase(newRecoveryPhrase()).address,
    );
  });

  it('refuses a phrase with a wrong word or checksum, in plain words', () => {
    assert.throws(() => identityFromRecoveryPhrase(developmentPhrase.replace('junk', 'test')), /not valid/);
    assert.throws(() => identityFromRecoveryPhrase('hello world'), /not valid/);
  });
});
