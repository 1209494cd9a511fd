/**
 * Recovery phrases: a 12-word BIP-39 mnemonic (English list) from which both keys of an identity
 * are derived, so the phrase alone restores it on any device.
 *
 * - signing key: BIP-32 key at the standard Ethereum path m/44'/60'/0'/0/0 (as a wallet such as
 *   MetaMask derives it from the same phrase, so the address matches);
 * - encryption key: HKDF-SHA256 of the BIP-39 seed, salt "medledger", info
 *   "medledger/encryption-key/v1", 32 bytes (an X25519 secret key; X25519 clamps it).
 */
import { type Identity, identityFromKeys } from '@medledger/core';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { generateMnemonic, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english';
import type { Hex } from 'viem';
import { HDKey } from 'viem/accounts';

/** A fresh 12-word phrase (128 bits of entropy from the platform's secure random source). */
export function newRecoveryPhrase(): string {
  return generateMnemonic(wordlist, 128);
}

/** Words separated by single spaces, lower case. */
export function normalisePhrase(phrase: string): string {
  return phrase.trim().toLowerCase().split(/\s+/).join(' ');
}

/** The identity of a recovery phrase; throws a plain-words error when the phrase is not valid. */
export function identityFromRecoveryPhrase(phrase: string): Identity {
  const words = normalisePhrase(phrase);
  if (!validateMnemonic(words, wordlist)) {
    throw new Error('This recovery phrase is not valid: check each word and their order.');
  }
  const seed = mnemonicToSeedSync(words);
  const signing = HDKey.fromMasterSeed(seed).derive("m/44'/60'/0'/0/0").privateKey;
  if (!signing) throw new Error('This recovery phrase yields no signing key.');
  const encryption = hkdf(
    sha256,
    seed,
    utf8ToBytes('medledger'),
    utf8ToBytes('medledger/encryption-key/v1'),
    32,
  );
  seed.fill(0);
  return identityFromKeys({
    signingKey: `0x${bytesToHex(signing)}` as Hex,
    encryptionSecretKey: `0x${bytesToHex(encryption)}` as Hex,
  });
}
