/** Signed actions of the Delegates contract, as a patient sends them through a relayer. */
import type { Address, Hex, LocalAccount } from 'viem';
import { randomBytes32, type SignOptions, signAction } from './actions.ts';
import type { TestLedger, WriteResult } from './ledger.ts';

export const delegateKind = { family: 1, caregiver: 2, researcher: 3 } as const;

/** The typed `AddDelegate` without nonce and deadline. */
export interface DelegateInput {
  patient: Address;
  delegate: Address;
  kind: number;
  categoryLimit: number;
  encryptionKey: Hex;
}

/** `signer` (the patient's current key) registers `input.delegate` for `input.patient` (itself unless said). */
export async function addDelegate(
  ledger: TestLedger,
  signer: LocalAccount,
  input: Partial<DelegateInput> & { delegate: Address },
  options: SignOptions = {},
): Promise<WriteResult> {
  const message: DelegateInput = {
    patient: signer.address,
    kind: delegateKind.family,
    categoryLimit: 0xffff,
    encryptionKey: randomBytes32(),
    ...input,
  };
  const signed = await signAction(ledger, signer, 'delegates', 'AddDelegate', { ...message }, options);
  return ledger.write(
    'delegates',
    'addDelegate',
    [
      message.patient,
      message.delegate,
      message.kind,
      message.categoryLimit,
      message.encryptionKey,
      signed.nonce,
      signed.deadline,
      signed.signature,
    ],
    options.address,
  );
}

/** `signer` (the patient's current key) removes `delegate` from `patient`'s delegates (itself unless said). */
export async function removeDelegate(
  ledger: TestLedger,
  signer: LocalAccount,
  delegate: Address,
  input: { patient?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { patient: input.patient ?? signer.address, delegate };
  const signed = await signAction(ledger, signer, 'delegates', 'RemoveDelegate', message, options);
  return ledger.write(
    'delegates',
    'removeDelegate',
    [message.patient, message.delegate, signed.nonce, signed.deadline, signed.signature],
    options.address,
  );
}
