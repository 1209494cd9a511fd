/**
 * One helper per Emergencies function, as helpers/actions.ts has for the other contracts: builds the typed
 * message, signs it as the actor and has the relayer send it. Options forge what a gateway would not.
 */
import type { Address, Hex, LocalAccount } from 'viem';
import { randomBytes32, type SignOptions, signAction } from './actions.ts';
import { eventsNamed, type TestLedger, type WriteResult } from './ledger.ts';

export const reason = { unconscious: 1, cannotConsent: 2, lifeThreatening: 3, other: 4 } as const;
export const verdict = { justified: 1, unjustified: 2 } as const;
export const defaultWindow = 4n * 3600n;

/** `signAction` for the Emergencies contract, as the arguments its functions end with. */
async function signEmergencyAction(
  ledger: TestLedger,
  signer: LocalAccount,
  primaryType: string,
  message: Record<string, unknown>,
  options: SignOptions,
): Promise<[bigint, bigint, Hex]> {
  const { nonce, deadline, signature } = await signAction(
    ledger,
    signer,
    'emergencies',
    primaryType,
    message,
    options,
  );
  return [nonce, deadline, signature];
}

export async function setEmergencyPrivilege(
  ledger: TestLedger,
  signer: LocalAccount,
  member: Address,
  privileged: boolean,
  input: { admin?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { member, privileged, admin: input.admin ?? signer.address };
  const signed = await signEmergencyAction(ledger, signer, 'SetEmergencyPrivilege', message, options);
  return ledger.write(
    'emergencies',
    'setEmergencyPrivilege',
    [message.member, message.privileged, message.admin, ...signed],
    options.address,
  );
}

export interface DeclarationInput {
  member: Address;
  patient: Address;
  reasonCode: number;
  justificationHash: Hex;
}

export async function declareEmergency(
  ledger: TestLedger,
  signer: LocalAccount,
  input: Partial<DeclarationInput> & { patient: Address },
  options: SignOptions = {},
): Promise<WriteResult & { emergencyId: bigint }> {
  const message: DeclarationInput = {
    member: signer.address,
    reasonCode: reason.unconscious,
    justificationHash: randomBytes32(),
    ...input,
  };
  const signed = await signEmergencyAction(ledger, signer, 'DeclareEmergency', { ...message }, options);
  const result = await ledger.write(
    'emergencies',
    'declareEmergency',
    [message.member, message.patient, message.reasonCode, message.justificationHash, ...signed],
    options.address,
  );
  const [declared] = eventsNamed(result, 'EmergencyDeclared');
  return { ...result, emergencyId: declared?.emergencyId as bigint };
}

export async function reviewEmergency(
  ledger: TestLedger,
  signer: LocalAccount,
  emergencyId: bigint,
  verdictCode: number,
  input: { reviewer?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { emergencyId, verdict: verdictCode, reviewer: input.reviewer ?? signer.address };
  const signed = await signEmergencyAction(ledger, signer, 'ReviewEmergency', message, options);
  return ledger.write(
    'emergencies',
    'reviewEmergency',
    [message.emergencyId, message.verdict, message.reviewer, ...signed],
    options.address,
  );
}

export async function proposeEmergencyWindow(
  ledger: TestLedger,
  signer: LocalAccount,
  windowSeconds: bigint,
  input: { admin?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult & { proposalId: bigint }> {
  const message = { windowSeconds, admin: input.admin ?? signer.address };
  const signed = await signEmergencyAction(ledger, signer, 'ProposeEmergencyWindow', message, options);
  const result = await ledger.write(
    'emergencies',
    'proposeEmergencyWindow',
    [message.windowSeconds, message.admin, ...signed],
    options.address,
  );
  const [proposed] = eventsNamed(result, 'EmergencyWindowProposed');
  return { ...result, proposalId: proposed?.proposalId as bigint };
}

export async function approveEmergencyWindow(
  ledger: TestLedger,
  signer: LocalAccount,
  proposalId: bigint,
  input: { approver?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const message = { proposalId, approver: input.approver ?? signer.address };
  const signed = await signEmergencyAction(ledger, signer, 'ApproveEmergencyWindow', message, options);
  return ledger.write(
    'emergencies',
    'approveEmergencyWindow',
    [message.proposalId, message.approver, ...signed],
    options.address,
  );
}
