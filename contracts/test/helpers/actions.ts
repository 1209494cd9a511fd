/**
 * One helper per contract function: builds the typed message an actor signs, signs it and has the relayer
 * send it. Options let tests forge what a real gateway would not: reused nonces, past deadlines, foreign
 * domains, tampered signatures.
 */

import { vocabularyCodes } from '@medledger/contracts/vocabulary';
import type { LedgerContract } from '@medledger/core';
import { type Address, bytesToHex, type Hex, type LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  abis,
  type DomainOverride,
  eventsNamed,
  relayerAddress,
  type TestLedger,
  type WriteResult,
} from './ledger.ts';

export const role = { doctor: 1, nurse: 2, lab: 3, pharmacist: 4, insurer: 5, admin: 6 } as const;
export const kind = { hospital: 1, lab: 2, pharmacy: 3, insurer: 4 } as const;
export const action = { read: 1, append: 2, share: 4 } as const;
/** Record categories are 0..`categoryCount - 1`; `allCategories` is the consent scope of every one. */
export const categoryCount = vocabularyCodes.CATEGORY_COUNT;
export const allCategories = 2 ** categoryCount - 1;
export const farDeadline = 2n ** 40n;

export interface SignOptions extends DomainOverride {
  nonce?: bigint;
  deadline?: bigint;
  /** Replaces the signature, e.g. with a malleated one. */
  transformSignature?: (signature: Hex) => Hex;
  /** Sends to another deployment of the same contract. */
  address?: Address;
  /** Sends from this unlocked anvil account instead of the relayer (anvil's first account). */
  from?: Address;
}

export function newAccount(): LocalAccount {
  return privateKeyToAccount(generatePrivateKey());
}

export function randomBytes32(): Hex {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

export function randomNonce(): bigint {
  return BigInt(randomBytes32());
}

interface Signed {
  nonce: bigint;
  deadline: bigint;
  signature: Hex;
}

/** Signs a typed action of `contract` with a nonce and deadline (random and far, unless `options` say). */
export async function signAction(
  ledger: TestLedger,
  signer: LocalAccount,
  contract: Exclude<LedgerContract, 'records'>,
  primaryType: string,
  message: Record<string, unknown>,
  options: SignOptions,
): Promise<Signed> {
  const nonce = options.nonce ?? randomNonce();
  const deadline = options.deadline ?? farDeadline;
  const domain = {
    chainId: options.chainId,
    verifyingContract: options.verifyingContract ?? options.address,
  };
  const signature = await ledger.sign(signer, contract, primaryType, { ...message, nonce, deadline }, domain);
  return { nonce, deadline, signature: options.transformSignature?.(signature) ?? signature };
}

export interface OrganisationInput {
  name: string;
  kind: number;
  admin: Address;
  encryptionKey: Hex;
  gatewayUrl: string;
}

export async function proposeOrganisation(
  ledger: TestLedger,
  signer: LocalAccount,
  input: Partial<OrganisationInput> = {},
  options: SignOptions = {},
): Promise<WriteResult & { organisationId: number }> {
  const message: OrganisationInput = {
    name: 'St Mary Hospital',
    kind: kind.hospital,
    admin: signer.address,
    encryptionKey: randomBytes32(),
    gatewayUrl: 'https://gateway.example',
    ...input,
  };
  const { nonce, deadline, signature } = await signAction(
    ledger,
    signer,
    'consortium',
    'ProposeOrganisation',
    { ...message },
    options,
  );
  const result = await ledger.write(
    'consortium',
    'proposeOrganisation',
    [
      message.name,
      message.kind,
      message.admin,
      message.encryptionKey,
      message.gatewayUrl,
      nonce,
      deadline,
      signature,
    ],
    options.address,
  );
  const [proposed] = eventsNamed(result, 'OrganisationProposed');
  return { ...result, organisationId: Number(proposed?.organisationId) };
}

export async function approveOrganisation(
  ledger: TestLedger,
  signer: LocalAccount,
  organisationId: number,
  input: { approver?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { organisationId, approver: input.approver ?? signer.address };
  const signed = await signAction(ledger, signer, 'consortium', 'ApproveOrganisation', message, options);
  return ledger.write(
    'consortium',
    'approveOrganisation',
    [message.organisationId, message.approver, signed.nonce, signed.deadline, signed.signature],
    options.address,
  );
}

export interface MemberInput {
  organisationId: number;
  member: Address;
  role: number;
  encryptionKey: Hex;
  admin: Address;
}

export async function addMember(
  ledger: TestLedger,
  signer: LocalAccount,
  input: Partial<MemberInput> & { organisationId: number; member: Address },
  options: SignOptions = {},
): Promise<WriteResult> {
  const message: MemberInput = {
    role: role.doctor,
    encryptionKey: randomBytes32(),
    admin: signer.address,
    ...input,
  };
  const signed = await signAction(ledger, signer, 'consortium', 'AddMember', { ...message }, options);
  return ledger.write(
    'consortium',
    'addMember',
    [
      message.organisationId,
      message.member,
      message.role,
      message.encryptionKey,
      message.admin,
      signed.nonce,
      signed.deadline,
      signed.signature,
    ],
    options.address,
  );
}

export async function suspendMember(
  ledger: TestLedger,
  signer: LocalAccount,
  member: Address,
  input: { admin?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { member, admin: input.admin ?? signer.address };
  const signed = await signAction(ledger, signer, 'consortium', 'SuspendMember', message, options);
  return ledger.write(
    'consortium',
    'suspendMember',
    [message.member, message.admin, signed.nonce, signed.deadline, signed.signature],
    options.address,
  );
}

export interface MemberProfileInput {
  name: string;
  title?: string;
  department?: string;
  admin?: Address;
}

export async function setMemberProfile(
  ledger: TestLedger,
  signer: LocalAccount,
  member: Address,
  input: MemberProfileInput,
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = {
    member,
    name: input.name,
    title: input.title ?? '',
    department: input.department ?? '',
    admin: input.admin ?? signer.address,
  };
  const signed = await signAction(ledger, signer, 'consortium', 'SetMemberProfile', message, options);
  return ledger.write(
    'consortium',
    'setMemberProfile',
    [
      message.member,
      message.name,
      message.title,
      message.department,
      message.admin,
      signed.nonce,
      signed.deadline,
      signed.signature,
    ],
    options.address,
  );
}

export interface PatientInput {
  patient: Address;
  encryptionKey: Hex;
  organisationId: number;
}

export async function registerPatient(
  ledger: TestLedger,
  signer: LocalAccount,
  input: Partial<PatientInput> = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message: PatientInput = {
    patient: signer.address,
    encryptionKey: randomBytes32(),
    organisationId: 0,
    ...input,
  };
  const signed = await signAction(ledger, signer, 'consortium', 'RegisterPatient', { ...message }, options);
  return ledger.write(
    'consortium',
    'registerPatient',
    [
      message.patient,
      message.encryptionKey,
      message.organisationId,
      signed.nonce,
      signed.deadline,
      signed.signature,
    ],
    options.address,
  );
}

export interface GatewayInput {
  gatewayUrl: string;
  relayer: Address;
  admin: Address;
}

export async function setGateway(
  ledger: TestLedger,
  signer: LocalAccount,
  organisationId: number,
  input: Partial<GatewayInput> = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = {
    organisationId,
    gatewayUrl: 'https://gateway.example',
    relayer: relayerAddress,
    admin: signer.address,
    ...input,
  };
  const signed = await signAction(ledger, signer, 'consortium', 'SetGateway', message, options);
  return ledger.write(
    'consortium',
    'setGateway',
    [
      message.organisationId,
      message.gatewayUrl,
      message.relayer,
      message.admin,
      signed.nonce,
      signed.deadline,
      signed.signature,
    ],
    options.address,
  );
}

export async function proposeCustody(
  ledger: TestLedger,
  signer: LocalAccount,
  custodians: readonly number[],
  threshold: number,
  input: { admin?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult & { proposalId: bigint }> {
  const message = { custodians, threshold, admin: input.admin ?? signer.address };
  const signed = await signAction(ledger, signer, 'consortium', 'ProposeCustody', message, options);
  const result = await ledger.write(
    'consortium',
    'proposeCustody',
    [message.custodians, message.threshold, message.admin, signed.nonce, signed.deadline, signed.signature],
    options.address,
  );
  const [proposed] = eventsNamed(result, 'CustodyProposed');
  return { ...result, proposalId: proposed?.proposalId as bigint };
}

export async function approveCustody(
  ledger: TestLedger,
  signer: LocalAccount,
  proposalId: bigint,
  input: { approver?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { proposalId, approver: input.approver ?? signer.address };
  const signed = await signAction(ledger, signer, 'consortium', 'ApproveCustody', message, options);
  return ledger.write(
    'consortium',
    'approveCustody',
    [message.proposalId, message.approver, signed.nonce, signed.deadline, signed.signature],
    options.address,
  );
}

/** Anchors an audit batch, sent by `from` (the relayer, anvil's first account, unless told otherwise). */
export function anchorAuditBatch(
  ledger: TestLedger,
  organisationId: number,
  firstSequence: bigint,
  count: bigint,
  root: Hex,
  options: { from?: Address; address?: Address } = {},
): Promise<WriteResult> {
  return ledger.write(
    'auditAnchors',
    'anchorAuditBatch',
    [organisationId, firstSequence, count, root],
    options.address,
    options.from,
  );
}

/** The typed `Grant` without nonce and deadline: the contract's `GrantInput`. */
export interface GrantInput {
  patient: Address;
  grantee: Address;
  granteeOrganisation: number;
  categories: number;
  maxSensitivity: number;
  actions: number;
  purpose: Hex;
  expiresAt: bigint;
  requestId: bigint;
}

export const zeroAddress: Address = '0x0000000000000000000000000000000000000000';
export const zeroHash: Hex = `0x${'0'.repeat(64)}`;

export async function grant(
  ledger: TestLedger,
  signer: LocalAccount,
  input: Partial<GrantInput>,
  options: SignOptions = {},
): Promise<WriteResult & { grantId: bigint }> {
  const g: GrantInput = {
    patient: signer.address,
    grantee: zeroAddress,
    granteeOrganisation: 0,
    categories: 0b1,
    maxSensitivity: 0,
    actions: action.read,
    purpose: randomBytes32(),
    expiresAt: farDeadline,
    requestId: 0n,
    ...input,
  };
  const signed = await signAction(ledger, signer, 'consents', 'Grant', { ...g }, options);
  const result = await ledger.write(
    'consents',
    'grant',
    [g, signed.nonce, signed.deadline, signed.signature],
    options.address,
    options.from,
  );
  const [granted] = eventsNamed(result, 'ConsentGranted');
  return { ...result, grantId: granted?.grantId as bigint };
}

export async function revoke(
  ledger: TestLedger,
  signer: LocalAccount,
  grantId: bigint,
  input: { patient?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { patient: input.patient ?? signer.address, grantId };
  const signed = await signAction(ledger, signer, 'consents', 'Revoke', message, options);
  return ledger.write(
    'consents',
    'revoke',
    [message.patient, message.grantId, signed.nonce, signed.deadline, signed.signature],
    options.address,
  );
}

export interface RequestInput {
  requester: Address;
  patient: Address;
  categories: number;
  actions: number;
  reasonHash: Hex;
}

export async function requestAccess(
  ledger: TestLedger,
  signer: LocalAccount,
  input: Partial<RequestInput> & { patient: Address },
  options: SignOptions = {},
): Promise<WriteResult & { requestId: bigint }> {
  const message: RequestInput = {
    requester: signer.address,
    categories: 0b1,
    actions: action.read,
    reasonHash: randomBytes32(),
    ...input,
  };
  const signed = await signAction(ledger, signer, 'consents', 'RequestAccess', { ...message }, options);
  const result = await ledger.write(
    'consents',
    'requestAccess',
    [
      message.requester,
      message.patient,
      message.categories,
      message.actions,
      message.reasonHash,
      signed.nonce,
      signed.deadline,
      signed.signature,
    ],
    options.address,
  );
  const [requested] = eventsNamed(result, 'AccessRequested');
  return { ...result, requestId: requested?.requestId as bigint };
}

export async function setHomeRelayOnly(
  ledger: TestLedger,
  signer: LocalAccount,
  enabled: boolean,
  input: { patient?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { patient: input.patient ?? signer.address, enabled };
  const signed = await signAction(ledger, signer, 'consents', 'SetHomeRelayOnly', message, options);
  return ledger.write(
    'consents',
    'setHomeRelayOnly',
    [message.patient, message.enabled, signed.nonce, signed.deadline, signed.signature],
    options.address,
    options.from,
  );
}

export async function denyRequest(
  ledger: TestLedger,
  signer: LocalAccount,
  requestId: bigint,
  input: { patient?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { patient: input.patient ?? signer.address, requestId };
  const signed = await signAction(ledger, signer, 'consents', 'DenyRequest', message, options);
  return ledger.write(
    'consents',
    'denyRequest',
    [message.patient, message.requestId, signed.nonce, signed.deadline, signed.signature],
    options.address,
  );
}

/** The typed `Record`: the leaf an author signs. */
export interface RecordLeaf {
  recordId: Hex;
  patient: Address;
  author: Address;
  category: number;
  sensitivity: number;
  contentDigest: Hex;
  supersedes: Hex;
  createdAt: bigint;
}

export interface RecordInput {
  record: RecordLeaf;
  grantId: bigint;
  signature: Hex;
}

export function newRecord(input: Partial<RecordLeaf> & { patient: Address; author: Address }): RecordLeaf {
  return {
    recordId: randomBytes32(),
    category: 0,
    sensitivity: 0,
    contentDigest: randomBytes32(),
    supersedes: zeroHash,
    createdAt: 1_760_000_000n,
    ...input,
  };
}

/** The author's signature of `record`, ready to anchor. */
export async function signedRecord(
  ledger: TestLedger,
  signer: LocalAccount,
  record: RecordLeaf,
  grantId = 0n,
  options: SignOptions = {},
): Promise<RecordInput> {
  const domain = {
    chainId: options.chainId,
    verifyingContract: options.verifyingContract ?? options.address,
  };
  const signature = await ledger.sign(signer, 'records', 'Record', { ...record }, domain);
  return { record, grantId, signature: options.transformSignature?.(signature) ?? signature };
}

export function anchorRecords(
  ledger: TestLedger,
  records: readonly RecordInput[],
  options: { address?: Address } = {},
): Promise<WriteResult> {
  return ledger.write('records', 'anchorRecords', [records], options.address);
}

const secp256k1Order = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The other valid ECDSA signature of the same digest (s' = n - s, v flipped), which the contracts reject. */
export function highS(signature: Hex): Hex {
  const r = signature.slice(2, 66);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130, 132), 16);
  const flippedS = (secp256k1Order - s).toString(16).padStart(64, '0');
  const flippedV = (v === 27 ? 28 : 27).toString(16);
  return `0x${r}${flippedS}${flippedV}`;
}

export interface RotationInput {
  patient: Address;
  newSigner: Address;
  newEncryptionKey: Hex;
}

/**
 * Rotates `patient`'s key to `newKey`: `signer` (the current key) and `newKey` sign the same
 * `RotatePatientKey` message. `newKeySigner` replaces the new key's signature, to forge a proof.
 */
export async function rotatePatientKey(
  ledger: TestLedger,
  signer: LocalAccount,
  newKey: LocalAccount,
  input: Partial<RotationInput> & { patient: Address },
  options: SignOptions & { newKeySigner?: LocalAccount } = {},
): Promise<WriteResult> {
  const message: RotationInput = {
    newSigner: newKey.address,
    newEncryptionKey: randomBytes32(),
    ...input,
  };
  const signed = await signAction(ledger, signer, 'consortium', 'RotatePatientKey', { ...message }, options);
  const proof = await ledger.sign(options.newKeySigner ?? newKey, 'consortium', 'RotatePatientKey', {
    ...message,
    nonce: signed.nonce,
    deadline: signed.deadline,
  });
  return ledger.write(
    'consortium',
    'rotatePatientKey',
    [
      message.patient,
      message.newSigner,
      message.newEncryptionKey,
      signed.nonce,
      signed.deadline,
      signed.signature,
      proof,
    ],
    options.address,
  );
}

/** `patient`'s commitment to a key backup, signed by `signer` (its current key). */
export async function commitKeyBackup(
  ledger: TestLedger,
  signer: LocalAccount,
  input: { patient: Address; backupId?: Hex; backupHash?: Hex },
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = {
    patient: input.patient,
    backupId: input.backupId ?? randomBytes32(),
    backupHash: input.backupHash ?? randomBytes32(),
  };
  const signed = await signAction(ledger, signer, 'consortium', 'CommitKeyBackup', message, options);
  return ledger.write(
    'consortium',
    'commitKeyBackup',
    [message.patient, message.backupId, message.backupHash, signed.nonce, signed.deadline, signed.signature],
    options.address,
  );
}

/**
 * The grants a gateway would offer the chain as candidates for `actor` on `patient`'s records (the chain
 * keeps no index of grants): from the `ConsentGranted` events, grants to the actor, then grants to an
 * organisation, the newest first.
 */
export async function candidateGrants(
  ledger: TestLedger,
  actor: Address,
  patient: Address,
): Promise<bigint[]> {
  const logs = await ledger.publicClient.getContractEvents({
    address: ledger.addresses.consents,
    abi: abis.consents,
    eventName: 'ConsentGranted',
    args: { patient },
    fromBlock: 0n,
  });
  const granted = logs.map((log) => log.args).reverse();
  return [
    ...granted.filter((g) => g.grantee?.toLowerCase() === actor.toLowerCase()),
    ...granted.filter((g) => g.grantee === zeroAddress),
  ].map((g) => g.grantId as bigint);
}

/** `Consents.authorisingGrant` over the candidates a gateway would offer ({@link candidateGrants}). */
export async function authorisingGrant(
  ledger: TestLedger,
  actor: Address,
  patient: Address,
  category: number,
  sensitivity: number,
  actions: number,
): Promise<bigint> {
  const candidates = await candidateGrants(ledger, actor, patient);
  return ledger.read<bigint>('consents', 'authorisingGrant', [
    candidates,
    actor,
    patient,
    category,
    sensitivity,
    actions,
  ]);
}

/** `Consents.isAuthorised` over the candidates a gateway would offer ({@link candidateGrants}). */
export async function isAuthorised(
  ledger: TestLedger,
  actor: Address,
  patient: Address,
  category: number,
  sensitivity: number,
  actions: number,
): Promise<boolean> {
  const candidates = await candidateGrants(ledger, actor, patient);
  return ledger.read<boolean>('consents', 'isAuthorised', [
    candidates,
    actor,
    patient,
    category,
    sensitivity,
    actions,
  ]);
}
