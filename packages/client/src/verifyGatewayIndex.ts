/**
 * A gateway's index of record anchors against the chain: every record the gateway has indexed (and
 * so may list, and would serve) must be anchored on the chain with the same fields. A record the
 * chain lacks (it lost the blocks, or the index was altered) is `missing-on-chain`; one the chain
 * anchors otherwise is `anchor-mismatch`.
 */

import type { IndexedRecordAnchor, IndexedRecordAnchorPage } from '@medledger/api';
import type { Address, Hex } from 'viem';
import { requestGateway } from './transport.ts';
import type { VerificationProblem } from './verificationProblem.ts';

/** A record as its `RecordAnchored` event on the chain tells it. */
export interface ChainRecordAnchor {
  recordId: Hex;
  patient: Address;
  author: Address;
  organisationId: number;
  category: number;
  sensitivity: number;
  contentDigest: Hex;
  supersedes: Hex;
  createdAt: bigint;
  blockNumber: bigint;
  transactionHash: Hex;
}

/**
 * Every record anchor the gateway at `gatewayUrl` has indexed, fetched a page at a time.
 *
 * @example
 * const indexed = await gatewayRecordAnchors('http://127.0.0.1:8080');
 */
export async function gatewayRecordAnchors(
  gatewayUrl: string,
  options: { pageSize?: number; patient?: Address } = {},
): Promise<IndexedRecordAnchor[]> {
  const base = gatewayUrl.replace(/\/+$/, '');
  const anchors: IndexedRecordAnchor[] = [];
  let after: Hex | null = null;
  do {
    const query = new URLSearchParams({
      ...(after ? { after } : {}),
      ...(options.pageSize ? { limit: String(options.pageSize) } : {}),
      ...(options.patient ? { patient: options.patient } : {}),
    });
    const page = await requestGateway<IndexedRecordAnchorPage>(
      base,
      'GET',
      `/api/ledger/records${query.size ? `?${query}` : ''}`,
    );
    anchors.push(...page.records);
    after = page.next;
  } while (after);
  return anchors;
}

/**
 * The problems of a gateway's index against the chain's anchors (keyed by lower-case record id):
 * one per indexed record the chain lacks or anchors with other fields. Records the chain has and
 * the gateway has not indexed yet are not problems: an index follows the chain a little behind.
 */
export function compareIndexWithChain(
  indexed: readonly IndexedRecordAnchor[],
  anchored: ReadonlyMap<string, ChainRecordAnchor>,
): VerificationProblem[] {
  const problems: VerificationProblem[] = [];
  for (const record of indexed) {
    const recordId = record.recordId.toLowerCase() as Hex;
    const onChain = anchored.get(recordId);
    if (!onChain) {
      problems.push({
        recordId,
        kind: 'missing-on-chain',
        problem: `the gateway has indexed it (block ${record.blockNumber}), but the chain does not anchor it`,
      });
      continue;
    }
    const fields: [string, unknown, unknown][] = [
      ['patient', record.patient.toLowerCase(), onChain.patient.toLowerCase()],
      ['author', record.author.toLowerCase(), onChain.author.toLowerCase()],
      ['organisationId', record.organisationId, onChain.organisationId],
      ['category', record.category, onChain.category],
      ['sensitivity', record.sensitivity, onChain.sensitivity],
      ['contentDigest', record.contentDigest.toLowerCase(), onChain.contentDigest.toLowerCase()],
      ['supersedes', record.supersedes.toLowerCase(), onChain.supersedes.toLowerCase()],
      ['createdAt', BigInt(record.createdAt), onChain.createdAt],
      ['blockNumber', BigInt(record.blockNumber), onChain.blockNumber],
      ['transactionHash', record.transactionHash.toLowerCase(), onChain.transactionHash.toLowerCase()],
    ];
    const differing = fields.filter(([, gateway, chain]) => gateway !== chain).map(([field]) => field);
    if (differing.length) {
      problems.push({
        recordId,
        kind: 'anchor-mismatch',
        problem: `the gateway has indexed it with another ${differing.join(', ')} than the chain anchors`,
      });
    }
  }
  return problems;
}
