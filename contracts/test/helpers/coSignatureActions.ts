/**
 * Helpers for the CoSignatures contract: co-signatures of anchored records and the consortium's policy votes.
 * Options let tests forge what a real gateway would not: another signer, another digest, a reused signature.
 */
import type { Address, Hex, LocalAccount } from 'viem';
import { type RecordLeaf, type SignOptions, signAction } from './actions.ts';
import { eventsNamed, type TestLedger, type WriteResult } from './ledger.ts';

export interface Requirement {
  role: number;
  count: number;
  sameOrganisation: boolean;
}

export interface CoSignatureInput {
  record: RecordLeaf;
  signer: Address;
  grantId: bigint;
  signature: Hex;
}

/** `signer`'s co-signature of `record` (its id and content digest, unless `message` overrides them). */
export async function signedCoSignature(
  ledger: TestLedger,
  signer: LocalAccount,
  record: RecordLeaf,
  input: { grantId?: bigint; message?: Partial<{ recordId: Hex; contentDigest: Hex; signer: Address }> } = {},
  options: Pick<SignOptions, 'chainId' | 'verifyingContract' | 'transformSignature'> = {},
): Promise<CoSignatureInput> {
  const message = {
    recordId: record.recordId,
    contentDigest: record.contentDigest,
    signer: signer.address,
    ...input.message,
  };
  const signature = await ledger.sign(signer, 'coSignatures', 'CoSignature', message, {
    chainId: options.chainId,
    verifyingContract: options.verifyingContract,
  });
  return {
    record,
    signer: message.signer,
    grantId: input.grantId ?? 0n,
    signature: options.transformSignature?.(signature) ?? signature,
  };
}

export function coSignRecords(
  ledger: TestLedger,
  coSignatures: readonly CoSignatureInput[],
): Promise<WriteResult> {
  return ledger.write('coSignatures', 'coSignRecords', [coSignatures]);
}

export async function proposePolicy(
  ledger: TestLedger,
  signer: LocalAccount,
  category: number,
  requirements: readonly Requirement[],
  input: { patient?: boolean; admin?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult & { proposalId: bigint }> {
  const message = {
    category,
    requirements,
    patient: input.patient ?? false,
    admin: input.admin ?? signer.address,
  };
  const signed = await signAction(ledger, signer, 'coSignatures', 'ProposePolicy', message, options);
  const result = await ledger.write('coSignatures', 'proposePolicy', [
    message.category,
    message.requirements,
    message.patient,
    message.admin,
    signed.nonce,
    signed.deadline,
    signed.signature,
  ]);
  const [proposed] = eventsNamed(result, 'PolicyProposed');
  return { ...result, proposalId: proposed?.proposalId as bigint };
}

export async function approvePolicy(
  ledger: TestLedger,
  signer: LocalAccount,
  proposalId: bigint,
  input: { approver?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { proposalId, approver: input.approver ?? signer.address };
  const signed = await signAction(ledger, signer, 'coSignatures', 'ApprovePolicy', message, options);
  return ledger.write('coSignatures', 'approvePolicy', [
    message.proposalId,
    message.approver,
    signed.nonce,
    signed.deadline,
    signed.signature,
  ]);
}
