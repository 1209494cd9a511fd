/**
 * Verification from the chain, trusting no gateway: for every anchored record, the author's
 * signature is recovered from the anchoring transaction's calldata, the leaf is re-hashed and
 * compared with the contract's stored leaf, the blob the gateway serves is re-hashed and compared
 * with the anchored digest, and the blocks holding anchors are checked to link by hash. Every
 * co-signature's signer is recovered from its EIP-712 signature and checked against the chain.
 * Then the other way round: every record the gateway has indexed must be anchored on the chain, as
 * indexed (`verifyGatewayIndex.ts`).
 */

import type { LedgerInfo } from '@medledger/api';
import { coSignaturesAbi, ordersAbi, recordActionsAbi, recordsAbi } from '@medledger/contracts';
import {
  anchoredLeafHash,
  type Category,
  categories,
  cidFromDigest,
  coSignaturesTypes,
  digestOf,
  type ErasureReason,
  erasureReasonOfCode,
  InvalidInputError,
  LedgerUnavailableError,
  ledgerDomain,
  MedledgerError,
  parseEnvelope,
  type RecordLeaf,
  recordLeafHash,
  recordsTypes,
  sensitivities,
} from '@medledger/core';
import { type ChainReader, createChainReader } from '@medledger/ledger';
import { type Address, decodeFunctionData, type Hex, recoverTypedDataAddress } from 'viem';
import { requestGateway } from './transport.ts';
import type { VerificationProblem, VerificationProblemKind } from './verificationProblem.ts';
import { type ChainRecordAnchor, compareIndexWithChain, gatewayRecordAnchors } from './verifyGatewayIndex.ts';

export interface VerifyLedgerOptions {
  /** Gateway that serves the blobs (and, unless `rpcUrl` is given, names the chain). */
  gatewayUrl: string;
  rpcUrl?: string;
  /** Only this record. */
  recordId?: Hex;
}

/** A record the chain erased (its content destroyed on purpose): reported, not a problem. */
export interface ErasedRecord {
  recordId: Hex;
  /** Unix seconds. */
  erasedAt: number;
  by: Address;
  reason: ErasureReason;
}

export interface VerificationReport {
  chainId: number;
  rpcUrl: string;
  checkedRecords: number;
  /**
   * Records the chain erased whose blob the gateway no longer serves, as it should not. One it still
   * serves is a problem (`erased-blob-served`).
   */
  erased: ErasedRecord[];
  /** Records the gateway has indexed, each checked to be anchored on the chain as indexed. */
  checkedGatewayRecords: number;
  /** Co-signatures whose signer was recovered from its EIP-712 signature and checked against the chain. */
  checkedCoSignatures: number;
  checkedBlocks: number;
  problems: VerificationProblem[];
  ok: boolean;
}

/**
 * @example
 * const report = await verifyLedger({ gatewayUrl: 'http://127.0.0.1:8080' });
 * if (!report.ok) console.error(report.problems);
 */
export async function verifyLedger(options: VerifyLedgerOptions): Promise<VerificationReport> {
  const gatewayUrl = options.gatewayUrl.replace(/\/+$/, '');
  const info = await requestGateway<LedgerInfo>(gatewayUrl, 'GET', '/api/ledger');
  const rpcUrl = options.rpcUrl ?? info.rpcUrl;
  const client = createChainReader({ rpcUrl, contracts: info.contracts });
  const chainId = await client.chainId().catch((cause) => {
    throw new LedgerUnavailableError(`No chain answers at ${rpcUrl}.`, { cause });
  });
  if (chainId !== info.chainId) {
    throw new InvalidInputError(
      `The chain at ${rpcUrl} is ${chainId}, but the gateway works on ${info.chainId}.`,
    );
  }
  const domain = ledgerDomain('records', chainId, info.contracts.records);
  const problems: VerificationProblem[] = [];
  const report = (recordId: Hex | null, kind: VerificationProblemKind, problem: string) =>
    problems.push({ recordId, kind, problem });

  // The gateway's index first, the chain's events after: a record anchored in between is then
  // missing from the index (which is no problem), never from the chain.
  const indexed = (await gatewayRecordAnchors(gatewayUrl)).filter(
    (record) => !options.recordId || record.recordId.toLowerCase() === options.recordId.toLowerCase(),
  );
  const logs = await client.events('records', 'RecordAnchored', {
    fromBlock: 0n,
    ...(options.recordId ? { args: { recordId: options.recordId } } : {}),
  });

  const erasures = new Map<string, ErasedRecord>();
  for (const log of await client.events('recordActions', 'RecordErased', {
    fromBlock: 0n,
    ...(options.recordId ? { args: { recordId: options.recordId } } : {}),
  })) {
    const block = await client.block(log.blockNumber);
    erasures.set(log.args.recordId.toLowerCase(), {
      recordId: log.args.recordId,
      erasedAt: Number(block.timestamp),
      by: log.args.by,
      reason: erasureReasonOfCode(log.args.reason) ?? 'patient-request',
    });
  }
  const erased: ErasedRecord[] = [];

  const patientSigners = await patientSignerHistory(client);
  const calldata = new Map<Hex, Promise<readonly { record: RecordLeaf; signature: Hex }[]>>();
  const inputsOf = (hash: Hex) => {
    let inputs = calldata.get(hash);
    if (!inputs) {
      inputs = client.transactionInput(hash).then(signedRecordsOf);
      calldata.set(hash, inputs);
    }
    return inputs;
  };

  for (const log of logs) {
    const { args } = log;
    const recordId = args.recordId;
    const leaf: RecordLeaf = {
      recordId,
      patient: args.patient,
      author: args.author,
      category: args.category,
      sensitivity: args.sensitivity,
      contentDigest: args.contentDigest,
      supersedes: args.supersedes,
      createdAt: args.createdAt,
    };
    try {
      const input = (await inputsOf(log.transactionHash)).find((item) => item.record.recordId === recordId);
      if (!input) {
        report(recordId, 'event-mismatch', 'the anchoring transaction does not carry this record');
      } else {
        const signer = await recoverTypedDataAddress({
          domain,
          types: recordsTypes,
          primaryType: 'Record',
          message: input.record,
          signature: input.signature,
        });
        const expected = sameAddress(leaf.author, leaf.patient)
          ? patientSigners.at(leaf.patient, log.blockNumber, log.logIndex)
          : leaf.author;
        if (!sameAddress(signer, expected))
          report(
            recordId,
            'signature-mismatch',
            `signed by ${signer}, not by its author ${leaf.author}${sameAddress(expected, leaf.author) ? '' : ` (key ${expected})`}`,
          );
        if (recordLeafHash(input.record) !== recordLeafHash(leaf))
          report(recordId, 'event-mismatch', 'the event differs from the signed record');
      }
      const anchor = await client.read('records', 'anchorOf', [recordId]);
      // The chain's state keeps the leaf's low 184 bits; the event and the signed calldata pin all of it.
      if (anchor.leaf !== anchoredLeafHash(leaf))
        report(recordId, 'leaf-mismatch', 'the stored leaf hash differs from the anchored record');
      const erasure = erasures.get(recordId.toLowerCase());
      if (erasure) await checkErasedBlob(gatewayUrl, leaf, erasure, report, erased);
      else await checkBlob(gatewayUrl, leaf, report);
    } catch (error) {
      report(
        recordId,
        'unchecked',
        `could not be checked: ${error instanceof MedledgerError ? error.shortMessage : String(error)}`,
      );
    }
  }

  const anchored = new Map(logs.map((log) => [log.args.recordId.toLowerCase(), log.args.contentDigest]));
  const checkedCoSignatures = await checkCoSignatures(
    client,
    info,
    chainId,
    anchored,
    options.recordId,
    patientSigners,
    report,
  );

  const blockNumbers = [...new Set(logs.map((log) => log.blockNumber))];
  for (const blockNumber of blockNumbers) {
    const [block, parent] = await Promise.all([
      client.block(blockNumber),
      blockNumber > 0n ? client.block(blockNumber - 1n) : undefined,
    ]);
    if (parent && block.parentHash !== parent.hash)
      report(null, 'block-mismatch', `block ${blockNumber} does not link to block ${blockNumber - 1n}`);
    for (const log of logs.filter((l) => l.blockNumber === blockNumber)) {
      if (log.blockHash !== block.hash || !block.transactions.includes(log.transactionHash)) {
        report(
          log.args.recordId,
          'block-mismatch',
          `its anchoring transaction is not in block ${blockNumber}`,
        );
      }
    }
  }

  const chainAnchors = new Map<string, ChainRecordAnchor>(
    logs.map((log) => {
      const { args } = log;
      const recordId = args.recordId.toLowerCase() as Hex;
      return [
        recordId,
        { ...args, recordId, blockNumber: log.blockNumber, transactionHash: log.transactionHash },
      ];
    }),
  );
  problems.push(...compareIndexWithChain(indexed, chainAnchors));
  if (options.recordId && !logs.length && !indexed.length) {
    report(options.recordId, 'not-anchored', 'no such record is anchored on the ledger');
  }

  return {
    chainId,
    rpcUrl,
    checkedRecords: logs.length,
    erased,
    checkedGatewayRecords: indexed.length,
    checkedCoSignatures,
    checkedBlocks: blockNumbers.length,
    problems,
    ok: !problems.length,
  };
}

/**
 * Every co-signature (of one record, or all): the signer recovered from the EIP-712 signature in the
 * relaying transaction's calldata must be the signer the chain recorded, over the record's anchored
 * content digest, and the contract must hold it.
 */
async function checkCoSignatures(
  client: ChainReader,
  info: LedgerInfo,
  chainId: number,
  anchoredDigests: Map<string, Hex>,
  recordId: Hex | undefined,
  patientSigners: Awaited<ReturnType<typeof patientSignerHistory>>,
  report: (recordId: Hex | null, kind: VerificationProblemKind, problem: string) => void,
): Promise<number> {
  const address = info.contracts.coSignatures;
  const domain = ledgerDomain('coSignatures', chainId, address);
  const logs = await client.events('coSignatures', 'RecordCoSigned', {
    fromBlock: 0n,
    ...(recordId ? { args: { recordId } } : {}),
  });
  const calldata = new Map<
    Hex,
    Promise<readonly { record: RecordLeaf; signer: Address; signature: Hex }[]>
  >();
  for (const log of logs) {
    const { args } = log;
    const problem = (text: string, kind: VerificationProblemKind = 'co-signature-mismatch') =>
      report(args.recordId, kind, `co-signature by ${args.signer}: ${text}`);
    try {
      let inputs = calldata.get(log.transactionHash);
      if (!inputs) {
        inputs = client.transactionInput(log.transactionHash).then((input) => {
          const decoded = decodeFunctionData({ abi: coSignaturesAbi, data: input });
          return decoded.functionName === 'coSignRecords'
            ? (decoded.args[0] as readonly { record: RecordLeaf; signer: Address; signature: Hex }[])
            : [];
        });
        calldata.set(log.transactionHash, inputs);
      }
      const input = (await inputs).find(
        (item) => item.record.recordId === args.recordId && sameAddress(item.signer, args.signer),
      );
      if (!input) {
        problem('the relaying transaction does not carry it');
        continue;
      }
      const anchoredDigest = anchoredDigests.get(args.recordId.toLowerCase());
      if (!anchoredDigest) problem('its record is not anchored');
      else if (input.record.contentDigest !== anchoredDigest)
        problem('it covers another content digest than the anchored one');
      const signer = await recoverTypedDataAddress({
        domain,
        types: coSignaturesTypes,
        primaryType: 'CoSignature',
        message: { recordId: args.recordId, contentDigest: input.record.contentDigest, signer: args.signer },
        signature: input.signature,
      });
      // A patient co-signs with the key in force at the time (its own address until it rotated).
      const expected = patientSigners.at(args.signer, log.blockNumber, log.logIndex);
      if (!sameAddress(signer, expected)) problem(`signed by ${signer}`);
      const held = await client.read('coSignatures', 'hasCoSigned', [args.recordId, args.signer]);
      if (!held) problem('the contract does not hold it');
    } catch (error) {
      problem(
        `could not be checked: ${error instanceof MedledgerError ? error.shortMessage : String(error)}`,
        'unchecked',
      );
    }
  }
  return logs.length;
}

/**
 * Which key signed for each patient when: patients that rotated their key sign their records with
 * the key in force at the time (`Consortium.PatientKeyRotated`); everyone else with its own.
 */
async function patientSignerHistory(client: ChainReader) {
  const rotations = await client.events('consortium', 'PatientKeyRotated', { fromBlock: 0n });
  return {
    /** The key that signed for `patient` at log `logIndex` of block `blockNumber`. */
    at(patient: Address, blockNumber: bigint, logIndex: number): Address {
      let signer = patient;
      for (const rotation of rotations) {
        const { args } = rotation;
        const before =
          rotation.blockNumber < blockNumber ||
          (rotation.blockNumber === blockNumber && rotation.logIndex < logIndex);
        if (before && sameAddress(args.patient, patient)) signer = args.newSigner;
      }
      return signer;
    },
  };
}

/** An erased record's blob must be gone: 410 (or 404) is the erasure, listed; the bytes served are a problem. */
async function checkErasedBlob(
  gatewayUrl: string,
  leaf: RecordLeaf,
  erasure: ErasedRecord,
  report: (recordId: Hex | null, kind: VerificationProblemKind, problem: string) => void,
  erased: ErasedRecord[],
): Promise<void> {
  const cid = cidFromDigest(leaf.contentDigest);
  const response = await fetch(`${gatewayUrl}/api/blobs/${cid}`).catch(() => undefined);
  if (!response)
    return report(leaf.recordId, 'unchecked', `the gateway could not be reached for blob ${cid}`);
  await response.body?.cancel();
  if (response.status === 410 || response.status === 404) {
    erased.push(erasure);
    return;
  }
  report(
    leaf.recordId,
    'erased-blob-served',
    `erased on ${new Date(erasure.erasedAt * 1000).toISOString()} by ${erasure.by} (${erasure.reason}), ` +
      `but the gateway still answers HTTP ${response.status} for its blob ${cid}`,
  );
}

async function checkBlob(
  gatewayUrl: string,
  leaf: RecordLeaf,
  report: (recordId: Hex | null, kind: VerificationProblemKind, problem: string) => void,
): Promise<void> {
  const cid = cidFromDigest(leaf.contentDigest);
  const response = await fetch(`${gatewayUrl}/api/blobs/${cid}`).catch(() => undefined);
  if (!response)
    return report(leaf.recordId, 'unchecked', `the gateway could not be reached for blob ${cid}`);
  if (response.status === 404)
    return report(leaf.recordId, 'blob-missing', `blob ${cid} is missing from the gateway`);
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    return report(leaf.recordId, 'unchecked', body.error?.message ?? `blob ${cid}: HTTP ${response.status}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (digestOf(bytes) !== leaf.contentDigest)
    return report(leaf.recordId, 'blob-mismatch', `blob ${cid} does not hash to the anchored digest`);
  const { meta } = parseEnvelope(bytes);
  const expected: [string, unknown, unknown][] = [
    ['recordId', meta.recordId.toLowerCase(), leaf.recordId.toLowerCase()],
    ['patient', meta.patient.toLowerCase(), leaf.patient.toLowerCase()],
    ['author', meta.author.toLowerCase(), leaf.author.toLowerCase()],
    ['category', meta.category, categories[leaf.category] as Category],
    ['sensitivity', meta.sensitivity, sensitivities[leaf.sensitivity]],
    ['createdAt', BigInt(meta.createdAt), leaf.createdAt],
  ];
  for (const [field, actual, wanted] of expected) {
    if (actual !== wanted)
      report(leaf.recordId, 'blob-mismatch', `the envelope’s ${field} differs from the anchored record`);
  }
}

function sameAddress(a: Address, b: Address): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

type SignedRecord = { record: RecordLeaf; signature: Hex };

/**
 * The signed records a transaction's calldata carries: a batch anchored by Records, the records of
 * an order's step (the Orders contract anchors them through Records in the same transaction: a
 * request placed, a result completed, a dispensing), or the new record of a copy, duplicate or move
 * (RecordActions `derive`). Anything else carries none.
 */
function signedRecordsOf(input: Hex): readonly SignedRecord[] {
  const decoded = decodeFunctionData({
    abi: [...recordsAbi, ...ordersAbi, ...recordActionsAbi],
    data: input,
  });
  switch (decoded.functionName) {
    case 'anchorRecords':
      return decoded.args[0] as readonly SignedRecord[];
    case 'place':
      return [decoded.args[0] as SignedRecord];
    case 'complete':
      return decoded.args[1] as readonly SignedRecord[];
    case 'dispense':
      return [decoded.args[2] as SignedRecord];
    case 'derive':
      return [decoded.args[4] as SignedRecord];
    default:
      return [];
  }
}
