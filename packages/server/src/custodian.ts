/**
 * The custodian: this gateway's X25519 key, which organisations hosted here publish on chain as
 * their encryption key. Records are sealed to it as well as to their patient; after the chain has
 * authorised a reader, the custodian unwraps the data key and seals it again to the reader's
 * registered key. It never sees plaintext records: only the client decrypts.
 */
import {
  type Envelope,
  type HpkeSecretKey,
  importHpkeSecretKey,
  NotFoundError,
  resealDataKey,
  type SealedDataKey,
  unwrapDataKey,
} from '@medledger/core';
import type { Hex } from 'viem';

export type Custodian = Awaited<ReturnType<typeof createCustodian>>;

export async function createCustodian(keyPair: { secretKey: Hex; publicKey: Hex }) {
  const secretKey: HpkeSecretKey = await importHpkeSecretKey(keyPair.secretKey);
  const publicKey = keyPair.publicKey.toLowerCase() as Hex;

  /** Re-seals the record's data key to `readerKey`; call only after the chain authorised the reader. */
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

  return { publicKey, reseal };
}
