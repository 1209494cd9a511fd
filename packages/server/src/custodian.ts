/**
 * The custodian: this gateway's X25519 key, which organisations hosted here publish on chain as
 * their encryption key. Records are sealed to it as well as to their patient; after the chain has
 * authorised a reader, the custodian unwraps the data key and seals it again to the reader's
 * registered key. It never sees plaintext records: only the client decrypts.
 */
import {
  type Envelope,
  type EnvelopeV2,
  type HpkeSecretKey,
  importHpkeSecretKey,
  NotFoundError,
  type ResealedShare,
  resealDataKey,
  resealShare,
  type SealedDataKey,
  unwrapDataKey,
} from '@medledger/core';
import type { Hex } from 'viem';

export type Custodian = Awaited<ReturnType<typeof createCustodian>>;

export async function createCustodian(keyPair: { secretKey: Hex; publicKey: Hex }) {
  const secretKey: HpkeSecretKey = await importHpkeSecretKey(keyPair.secretKey);
  const publicKey = keyPair.publicKey.toLowerCase() as Hex;

  /**
   * This gateway's contribution to a v2 (k-of-n) record: its share of the data key, re-sealed to
   * `readerKey`, or undefined when it holds no share of this record. Call only after the chain
   * authorised the reader. The custodian never holds the whole key.
   */
  async function resealOwnShare(envelope: EnvelopeV2, readerKey: Hex): Promise<ResealedShare | undefined> {
    const slot = envelope.keys.find(
      (key) => key.kind === 'custodian' && key.publicKey.toLowerCase() === publicKey,
    );
    if (!slot) return undefined;
    return resealShare(envelope, { id: slot.id }, secretKey, readerKey);
  }

  /** Re-seals a v1 record's data key to `readerKey`; call only after the chain authorised the reader. */
  async function reseal(envelope: Envelope, readerKey: Hex): Promise<SealedDataKey> {
    const slot = envelope.keys.find(
      (key) => key.kind === 'custodian' && key.publicKey.toLowerCase() === publicKey,
    );
    if (!slot) {
      throw new NotFoundError(
        'This gateway is not a custodian of this record; ask the gateway of its organisation.',
      );
    }
    const dataKey = await unwrapDataKey(envelope, { kind: 'custodian', id: slot.id }, secretKey);
    try {
      return await resealDataKey(dataKey, readerKey, envelope.meta.recordId);
    } finally {
      dataKey.fill(0);
    }
  }

  return { publicKey, reseal, resealOwnShare };
}
