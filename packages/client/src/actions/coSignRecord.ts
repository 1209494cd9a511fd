import type { CoSigned } from '@medledger/api';
import { coSignaturesTypes, ledgerDomain } from '@medledger/core';
import type { Hex } from 'viem';
import type { Transport } from '../transport.ts';
import { readRecord } from './readRecord.ts';

/**
 * Co-signs a record: reads and checks it first (the co-signer can open it, and its envelope matches
 * the anchored digest), then signs its id and content digest; resolves once the co-signature is in
 * a block.
 *
 * @example
 * const { stamp } = await coSignRecord(nurse, recordId);
 */
export async function coSignRecord(client: Transport, recordId: Hex): Promise<CoSigned> {
  const [{ record }, info] = await Promise.all([readRecord(client, recordId, 'COSIGN'), client.ledger()]);
  const signer = client.account.address;
  const signature = await client.account.signTypedData({
    domain: ledgerDomain('coSignatures', info.chainId, info.contracts.coSignatures),
    types: coSignaturesTypes,
    primaryType: 'CoSignature',
    message: { recordId: record.recordId, contentDigest: record.contentDigest, signer },
  });
  return client.call<CoSigned>('POST', `/api/records/${record.recordId.toLowerCase()}/co-signatures`, {
    signer,
    signature,
  });
}
