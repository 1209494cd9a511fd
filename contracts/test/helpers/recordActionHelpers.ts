/**
 * One helper per RecordActions function, as helpers/actions.ts has for the other contracts: builds the typed
 * message, signs it as the actor and has the relayer send it. Options forge what a gateway would not.
 */
import type { Address, Hex, LocalAccount } from 'viem';
import { type RecordInput, type RecordLeaf, randomNonce, type SignOptions, signAction } from './actions.ts';
import { eventsNamed, type TestLedger, type WriteResult } from './ledger.ts';

export const erasureReason = { patientRequest: 1, enteredInError: 2, moved: 3, retentionEnded: 4 } as const;
export const derivationKind = { copy: 1, duplicate: 2, move: 3 } as const;

export interface ErasureInput {
  recordId: Hex;
  by: Address;
  reason: number;
  nonce: bigint;
  deadline: bigint;
}

/** Signs an erasure of `record` by `signer` (for `by`, its address unless given) for `reason`. */
export async function signErasure(
  ledger: TestLedger,
  signer: LocalAccount,
  record: RecordLeaf,
  reason: number,
  input: { by?: Address } = {},
  options: SignOptions = {},
): Promise<{ erasure: ErasureInput; signature: Hex }> {
  const message = { recordId: record.recordId, by: input.by ?? signer.address, reason };
  const signed = await signAction(ledger, signer, 'recordActions', 'Erasure', message, options);
  return {
    erasure: { ...message, nonce: signed.nonce, deadline: signed.deadline },
    signature: signed.signature,
  };
}

/** Sends a batch of signed erasures with the erased records' fields. */
export function eraseBatch(
  ledger: TestLedger,
  signed: readonly { erasure: ErasureInput; signature: Hex }[],
  records: readonly RecordLeaf[],
  options: { address?: Address } = {},
): Promise<WriteResult> {
  return ledger.write(
    'recordActions',
    'erase',
    [signed.map((item) => item.erasure), records, signed.map((item) => item.signature)],
    options.address,
  );
}

/** Signs and sends the erasure of one record. */
export async function erase(
  ledger: TestLedger,
  signer: LocalAccount,
  record: RecordLeaf,
  reason: number,
  input: { by?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const signed = await signErasure(ledger, signer, record, reason, input, options);
  return eraseBatch(ledger, [signed], [record], options);
}

export async function hide(
  ledger: TestLedger,
  signer: LocalAccount,
  record: RecordLeaf,
  retainUntil: bigint,
  input: { by?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { recordId: record.recordId, by: input.by ?? signer.address, retainUntil };
  const signed = await signAction(ledger, signer, 'recordActions', 'Hide', message, options);
  return ledger.write(
    'recordActions',
    'hide',
    [{ ...message, nonce: signed.nonce, deadline: signed.deadline }, record, signed.signature],
    options.address,
  );
}

export async function unhide(
  ledger: TestLedger,
  signer: LocalAccount,
  recordId: Hex,
  input: { by?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { recordId, by: input.by ?? signer.address };
  const signed = await signAction(ledger, signer, 'recordActions', 'Unhide', message, options);
  return ledger.write(
    'recordActions',
    'unhide',
    [{ ...message, nonce: signed.nonce, deadline: signed.deadline }, signed.signature],
    options.address,
  );
}

export function finaliseRetention(ledger: TestLedger, recordIds: readonly Hex[]): Promise<WriteResult> {
  return ledger.write('recordActions', 'finaliseRetention', [recordIds]);
}

export interface DerivationInput {
  kind: number;
  source: RecordLeaf;
  newRecord: RecordInput;
  toOrganisation?: number;
  grantId?: bigint;
  /** The derivation's `newRecordId`, if not the new record's. */
  newRecordId?: Hex;
  by?: Address;
}

export async function derive(
  ledger: TestLedger,
  signer: LocalAccount,
  input: DerivationInput,
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = {
    kind: input.kind,
    sourceId: input.source.recordId,
    newRecordId: input.newRecordId ?? input.newRecord.record.recordId,
    by: input.by ?? signer.address,
    toOrganisation: input.toOrganisation ?? 0,
  };
  const signed = await signAction(ledger, signer, 'recordActions', 'Derivation', message, options);
  return ledger.write(
    'recordActions',
    'derive',
    [
      { ...message, nonce: signed.nonce, deadline: signed.deadline },
      signed.signature,
      input.source,
      input.grantId ?? 0n,
      input.newRecord,
    ],
    options.address,
  );
}

export async function proposeAuthorErasureWindow(
  ledger: TestLedger,
  signer: LocalAccount,
  windowSeconds: bigint,
  options: SignOptions = {},
): Promise<WriteResult & { proposalId: bigint }> {
  const message = { windowSeconds, admin: signer.address };
  const signed = await signAction(ledger, signer, 'recordActions', 'ProposeAuthorErasureWindow', message, {
    nonce: randomNonce(),
    ...options,
  });
  const result = await ledger.write('recordActions', 'proposeAuthorErasureWindow', [
    windowSeconds,
    signer.address,
    signed.nonce,
    signed.deadline,
    signed.signature,
  ]);
  const [proposed] = eventsNamed(result, 'AuthorErasureWindowProposed');
  return { ...result, proposalId: proposed?.proposalId as bigint };
}

export async function approveAuthorErasureWindow(
  ledger: TestLedger,
  signer: LocalAccount,
  proposalId: bigint,
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { proposalId, approver: signer.address };
  const signed = await signAction(
    ledger,
    signer,
    'recordActions',
    'ApproveAuthorErasureWindow',
    message,
    options,
  );
  return ledger.write('recordActions', 'approveAuthorErasureWindow', [
    proposalId,
    signer.address,
    signed.nonce,
    signed.deadline,
    signed.signature,
  ]);
}
