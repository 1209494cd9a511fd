/**
 * Record uploads prepared ahead of time, for the capacity view: what `addRecord` of
 * `@medledger/client` does before its POST /api/records (validate the FHIR resource, seal it to
 * the patient and its custodian or the consortium's custodians, sign the record leaf), done with
 * the same `@medledger/core` functions, step for step, so that only the gateway and the chain
 * remain to be timed. A sample of what is written this way is read back and decrypted with the real
 * client (`verifySample`), outside the timed part.
 */
import type { GatewayClient, LedgerInfo } from '@medledger/client';
import {
  accountOf,
  bytesToBase64url,
  bytesToHex,
  type Category,
  categoryIndex,
  digestOf,
  type Identity,
  ledgerDomain,
  type Recipient,
  randomBytes,
  recordsTypes,
  sealRecord,
  sensitivities,
  utf8ToBytes,
  validateResource,
} from '@medledger/core';
import { generateResource } from '@medledger/fixtures';
import { type Address, getTypesForEIP712Domain, type Hex, hashDomain, keccak256, toHex } from 'viem';
import { sign } from 'viem/accounts';

const zeroHash = `0x${'00'.repeat(32)}` as Hex;

/** What sealing and signing need to know of the gateway: plain data, passed to worker threads. */
export interface RecordContext {
  chainId: number;
  recordsContract: Address;
  /** Recipients of each patient's records (by lower-case address) besides custody shares. */
  recipients: Record<string, Recipient[]>;
  custody?: { threshold: number; custodians: Recipient[] };
}

/** A record leaf as the contract takes it (and the JSON body with `createdAt` as a number). */
export interface PreparedLeaf {
  recordId: Hex;
  patient: Address;
  author: Address;
  category: number;
  sensitivity: number;
  contentDigest: Hex;
  supersedes: Hex;
  createdAt: number;
}

export interface PreparedRecord {
  /** The operation's index: its doctor, patient and category (`assignment`), and its resource's seed - 1. */
  index: number;
  recordId: Hex;
  /** Index of the author among the doctors. */
  doctor: number;
  patient: number;
  leaf: PreparedLeaf;
  signature: Hex;
  /** The POST /api/records body, serialised. */
  body: string;
}

/** Reads what `addRecord` reads of the gateway (ledger info, patient keys, custodians), once. */
export async function recordContext(client: GatewayClient, patients: Address[]): Promise<RecordContext> {
  const info: LedgerInfo = await client.ledger();
  const recipients: Record<string, Recipient[]> = {};
  let custody: RecordContext['custody'];
  if (info.custody.version) {
    const { organisations } = await client.organisations();
    custody = {
      threshold: info.custody.threshold,
      custodians: info.custody.custodians.map((id) => {
        const organisation = organisations.find((o) => o.organisationId === id);
        if (!organisation) throw new Error(`custodian organisation ${id} is unknown`);
        return { kind: 'custodian', id: String(id), publicKey: organisation.encryptionKey };
      }),
    };
  }
  for (const address of patients) {
    const patient = address.toLowerCase();
    const keys = await client.call<{
      encryptionKey: Hex;
      custodian?: { organisationId: number; encryptionKey: Hex } | null;
    }>('GET', `/api/patients/${patient}`);
    const list: Recipient[] = [{ kind: 'patient', id: patient, publicKey: keys.encryptionKey }];
    if (!custody && keys.custodian) {
      list.push({
        kind: 'custodian',
        id: String(keys.custodian.organisationId),
        publicKey: keys.custodian.encryptionKey,
      });
    }
    recipients[patient] = list;
  }
  return {
    chainId: info.chainId,
    recordsContract: info.contracts.records,
    recipients,
    ...(custody ? { custody } : {}),
  };
}

/** Seals and signs one generated FHIR resource as `author`'s record of `patient`, as addRecord does. */
export async function prepareRecord(
  context: RecordContext,
  author: Identity,
  patientAddress: Address,
  category: Category,
  seed: number,
): Promise<Omit<PreparedRecord, 'index' | 'doctor' | 'patient'>> {
  const patient = patientAddress.toLowerCase() as Address;
  const me = author.address.toLowerCase() as Address;
  const recipients = context.recipients[patient];
  if (!recipients) throw new Error(`no keys of patient ${patient}`);
  const resource = validateResource(
    generateResource(category, { seed, patientRef: `Patient/${patient}` }),
    category,
  );
  const recordId = bytesToHex(randomBytes(32));
  const createdAt = Math.floor(Date.now() / 1000);
  const { envelope, dataKey } = await sealRecord({
    plaintext: utf8ToBytes(JSON.stringify(resource)),
    metadata: {
      recordId,
      patient,
      author: me,
      category,
      sensitivity: 'normal',
      supersedes: zeroHash,
      createdAt,
    },
    recipients,
    ...(context.custody ? { custody: context.custody } : {}),
  });
  dataKey.fill(0);
  const leaf: PreparedLeaf = {
    recordId,
    patient,
    author: me,
    category: categoryIndex(category),
    sensitivity: sensitivities.indexOf('normal'),
    contentDigest: digestOf(envelope),
    supersedes: zeroHash,
    createdAt,
  };
  const signature = await signLeaf(context, author, leaf);
  const body = JSON.stringify({ leaf, signature, envelope: bytesToBase64url(envelope) });
  return { recordId, leaf, signature, body };
}

/** The author's EIP-712 signature of a record leaf, as addRecord and the Records contract take it. */
export function signLeaf(context: RecordContext, author: Identity, leaf: PreparedLeaf): Promise<Hex> {
  return accountOf(author).signTypedData({
    domain: ledgerDomain('records', context.chainId, context.recordsContract),
    types: recordsTypes,
    primaryType: 'Record',
    message: { ...leaf, createdAt: BigInt(leaf.createdAt) },
  });
}

/**
 * A faster signer of many leaves by one author, for seeding (the growth view): the EIP-712 digest
 * built by hand from the precomputed domain separator and the leaf's words (every field of Record is
 * static, one word each), signed with the same secp256k1 signing as viem's. Its first signature is
 * checked against `signLeaf`.
 */
export function fastLeafSigner(
  context: RecordContext,
  author: Identity,
): (leaf: PreparedLeaf) => Promise<Hex> {
  const domain = ledgerDomain('records', context.chainId, context.recordsContract);
  const domainSeparator = hashDomain({
    domain,
    types: { EIP712Domain: getTypesForEIP712Domain({ domain }) },
  } as Parameters<typeof hashDomain>[0]).slice(2);
  const fields = recordsTypes.Record;
  const typeHash = keccak256(
    toHex(`Record(${fields.map((field) => `${field.type} ${field.name}`).join(',')})`),
  ).slice(2);
  const word = (value: string | number) =>
    (typeof value === 'number' ? value.toString(16) : value.slice(2).toLowerCase()).padStart(64, '0');
  let checked = false;
  return async (leaf) => {
    const struct = keccak256(
      `0x${typeHash}${fields.map((field) => word(leaf[field.name as keyof PreparedLeaf])).join('')}`,
    ).slice(2);
    const signature = await sign({
      hash: keccak256(`0x1901${domainSeparator}${struct}`),
      privateKey: author.signingKey,
      to: 'hex',
    });
    if (!checked) {
      if (signature !== (await signLeaf(context, author, leaf))) {
        throw new Error('the fast leaf signer disagrees with signTypedData');
      }
      checked = true;
    }
    return signature;
  };
}
