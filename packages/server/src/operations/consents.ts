/**
 * Consents: a patient grants (or, with `requestId`, approves an access request with a grant) and
 * revokes; patients and grantees list them. Grants and revocations are signed by the patient and
 * relayed; the list comes from the gateway's index of the chain.
 */
import type {
  Consent,
  ConsentGranted,
  ConsentList,
  ConsentRevoked,
  GrantConsentBody,
  RevokeConsentBody,
} from '@medledger/api';
import { AccessDeniedError, actionsOfMask, categoriesOfMask, sensitivities } from '@medledger/core';
import { type Hex, hexToString, isAddressEqual } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import type { GrantRow } from '../store/gatewayStore.ts';
import { emittedId, transactionOf } from './sentTransactions.ts';
import { requireSigner, signedArgs } from './signedActions.ts';
import { knownName } from './vocabularyCodes.ts';

/**
 * Relays a patient's grant. A patient who turned on its one-time code must send the current one:
 * it is checked before anything is relayed, and its refusals (missing, wrong, reused, locked) pass
 * through with their reasons.
 *
 * @example
 * const { grantId } = await grantConsent(services, session, { ...grant, ...signed });
 */
export async function grantConsent(
  services: GatewayServices,
  session: Session,
  input: GrantConsentBody,
): Promise<ConsentGranted> {
  const patient = requireSigner(session, input.patient, 'consent');
  await services.secondFactor.requireCode(patient, input.otp);
  const sent = await services.ledger.write('consents', 'grant', [
    {
      patient,
      grantee: input.grantee,
      granteeOrganisation: input.granteeOrganisation,
      categories: input.categories,
      maxSensitivity: input.maxSensitivity,
      actions: input.actions,
      purpose: input.purpose,
      expiresAt: BigInt(input.expiresAt),
      requestId: BigInt(input.requestId),
    },
    ...signedArgs(input),
  ]);
  await services.indexer.sync();
  return { grantId: emittedId(sent, 'ConsentGranted', 'grantId'), ...transactionOf(sent) };
}

/**
 * Relays a patient's revocation of its grant; access ends from the block that records it. A grant
 * the index knows to be another patient's is refused here (reason `not_grant_patient`).
 */
export async function revokeConsent(
  services: GatewayServices,
  session: Session,
  input: RevokeConsentBody & { grantId: number },
): Promise<ConsentRevoked> {
  const patient = requireSigner(session, input.patient, 'revocation');
  const grant = await services.store.grant(input.grantId);
  if (grant && !isAddressEqual(grant.patient, patient)) {
    throw new AccessDeniedError(
      `Consent ${input.grantId} is another patient’s; only its patient revokes it.`,
      {
        reason: 'not_grant_patient',
        fields: { grantId: input.grantId },
      },
    );
  }
  const sent = await services.ledger.write('consents', 'revoke', [
    patient,
    BigInt(input.grantId),
    ...signedArgs(input),
  ]);
  await services.indexer.sync();
  return { grantId: input.grantId, revoked: true, ...transactionOf(sent) };
}

/** Consents the caller gave (as a patient) and received (as a member, or through its organisation). */
export async function listConsents(services: GatewayServices, session: Session): Promise<ConsentList> {
  const { given, received } = await services.access.grantsVisibleTo(session.address);
  const now = Math.floor(Date.now() / 1000);
  return {
    given: given.map((grant) => describeGrant(grant, now)),
    received: received.map((grant) => describeGrant(grant, now)),
  };
}

/** A grant as the API answers it: scopes by name, and its status at `now` (unix seconds). */
export function describeGrant(row: GrantRow, now: number): Consent {
  return {
    grantId: row.grantId,
    patient: row.patient,
    grantee: row.grantee,
    granteeOrganisation: row.granteeOrganisation || null,
    categories: categoriesOfMask(row.categories),
    maxSensitivity: knownName(sensitivities[row.maxSensitivity], 'sensitivity', row.maxSensitivity),
    actions: actionsOfMask(row.actions),
    purpose: hexToString(row.purpose as Hex, { size: 32 }).replace(/\0+$/, ''),
    expiresAt: row.expiresAt,
    requestId: row.requestId || null,
    status: row.revokedAtBlock !== null ? 'revoked' : row.expiresAt <= now ? 'expired' : 'active',
  };
}
