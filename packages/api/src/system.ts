/** The system area: what a client needs to know about a gateway and its chain. */
import type { ApiType } from './apiType.ts';
import { address, hex, object } from './schemaParts.ts';

const integers = { type: 'array', items: { type: 'integer' } } as const;

/** `GET /api/ledger`: chain, contracts, custody, and this gateway's custodian key. */
export const ledgerInfo = object(
  {
    chainId: { type: 'integer' },
    rpcUrl: { type: 'string', description: 'this gateway’s read-only JSON-RPC endpoint (POST /rpc)' },
    contracts: object(
      {
        consortium: address,
        consents: address,
        records: address,
        auditAnchors: address,
        coSignatures: address,
        emergencies: address,
      },
      ['consortium', 'consents', 'records', 'auditAnchors', 'coSignatures', 'emergencies'],
    ),
    custodian: object({ encryptionKey: hex, organisationIds: integers }, [
      'encryptionKey',
      'organisationIds',
    ]),
    relayer: { ...address, description: 'the account this gateway relays transactions with' },
    custody: object(
      {
        custodians: { ...integers, description: 'custodian organisations' },
        threshold: { type: 'integer', description: 'how many custodians a read needs' },
        version: { type: 'integer' },
      },
      ['custodians', 'threshold', 'version'],
    ),
  },
  ['chainId', 'rpcUrl', 'contracts', 'custodian', 'relayer', 'custody'],
);
export type LedgerInfo = ApiType<typeof ledgerInfo>;
