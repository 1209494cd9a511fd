/**
 * Patient directory operations: desk codes (a patient asks for one and shows it; a member of an
 * organisation this gateway serves redeems it once for the patient's address) and the identifiers
 * (MRNs) an organisation keeps of its patients. All of it stays in this gateway's database, never
 * on chain; codes and identifiers are never logged. Access decisions are `accessControl.ts`'s.
 *
 * Guessing a desk code is hopeless: a code is 8 characters of 31 (31^8 ≈ 8.5 × 10^11), lives 10
 * minutes, and only active members of an organisation this gateway serves may try, each at most
 * `deskCodeFailureLimit.max` failures an hour (then refused until the hour is over; and
 * `deskCodeRedeem` attempts an hour in all, `rateLimits.ts`). With even 1,000 codes live at once,
 * one guess hits with probability 1,000 / 8.5 × 10^11 ≈ 1.2 × 10^-9; an account failing its 10 an
 * hour all year long (87,600 guesses) finds one with probability ≈ 10^-4, every failure audited.
 */
import { randomInt } from 'node:crypto';
import {
  type AssignIdentifierBody,
  type DeskCodeIssued,
  type DeskCodeRedeemed,
  deskCodeAlphabet,
  deskCodeLength,
  deskCodeLifetimeSeconds,
  type IdentifierList,
  type LookUpIdentifierBody,
  type PatientIdentifier,
} from '@medledger/api';
import { ConflictError, RateLimitedError } from '@medledger/core';
import type { Address } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { hostedOrganisations } from '../organisations.ts';
import type { PatientIdentifierRow } from '../store/patientDirectoryStore.ts';

/** Failed redemptions an account may make in a window before it is refused until the window ends. */
export const deskCodeFailureLimit = { max: 10, windowSeconds: 60 * 60 };

/** A new desk code: `deskCodeLength` characters drawn uniformly from `deskCodeAlphabet`. */
export function newDeskCode(): string {
  let code = '';
  for (let i = 0; i < deskCodeLength; i++) code += deskCodeAlphabet[randomInt(deskCodeAlphabet.length)];
  return code;
}

/** The organisations this gateway serves (whose encryption key is its custodian key). */
async function hostedHere(services: GatewayServices): Promise<number[]> {
  return hostedOrganisations(await services.store.organisations(), services.custodian.publicKey);
}

/** Issues the signed-in patient's one live desk code (an earlier one stops working), valid 10 minutes. */
export async function issueDeskCode(services: GatewayServices, session: Session): Promise<DeskCodeIssued> {
  await services.access.authoriseDeskCodeIssue(session.address);
  const code = newDeskCode();
  const now = Date.now();
  const expiresAt = now + deskCodeLifetimeSeconds * 1000;
  await services.patientDirectory.saveDeskCode(session.address, code, now, expiresAt);
  return { code, expiresAt: Math.floor(expiresAt / 1000) };
}

/**
 * Redeems a desk code (once) for its patient's address, as an active member of an organisation
 * this gateway serves. Refusals: `not_organisation_member`, `no_such_desk_code` (wrong, used,
 * replaced or expired), `rate_limited` after too many failures.
 */
export async function redeemDeskCode(
  services: GatewayServices,
  session: Session,
  code: string,
): Promise<DeskCodeRedeemed> {
  const failures = `deskCodeFailures|${session.address.toLowerCase()}`;
  const windowMs = deskCodeFailureLimit.windowSeconds * 1000;
  return services.access.authoriseDeskCodeRedemption(session.address, {
    hosted: await hostedHere(services),
    lockedOut: async () => {
      const now = Date.now();
      const window = await services.patientDirectory.rateLimitWindow(failures);
      if (window && window.windowStart > now - windowMs && window.hits >= deskCodeFailureLimit.max) {
        const retryAfter = Math.max(1, Math.ceil((window.windowStart + windowMs - now) / 1000));
        throw new RateLimitedError(`Too many wrong desk codes; try again in ${retryAfter} s.`, {
          reason: 'rate_limited',
          fields: { limit: 'deskCodeFailures', retryAfter },
        });
      }
    },
    take: () => services.patientDirectory.takeDeskCode(code, Date.now()),
    countFailure: async () => void (await services.store.countRateLimitHit(failures, windowMs, Date.now())),
  });
}

function describeIdentifier(row: PatientIdentifierRow): PatientIdentifier {
  return { ...row, assignedAt: Math.floor(row.assignedAt / 1000) };
}

/**
 * Keeps an identifier of the caller's organisation for a patient (its own, or one who shares
 * demographics with the caller). The same identifier for the same patient again is a no-op;
 * for another patient it is refused (`ConflictError`, reason `identifier_taken`).
 */
export async function assignIdentifier(
  services: GatewayServices,
  session: Session,
  body: AssignIdentifierBody,
): Promise<{ identifier: PatientIdentifier; created: boolean }> {
  const patient = body.patient.toLowerCase() as Address;
  const organisationId = await services.access.authoriseIdentifierUse(
    session.address,
    await hostedHere(services),
    patient,
    'identifier-assign',
  );
  const { stored, created } = await services.patientDirectory.assignIdentifier({
    organisationId,
    system: body.system,
    value: body.value,
    patient,
    assignedBy: session.address,
    assignedAt: Date.now(),
  });
  if (stored.patient.toLowerCase() !== patient) {
    throw new ConflictError(
      `Your organisation already keeps this ${body.system} identifier for another patient.`,
      {
        reason: 'identifier_taken',
      },
    );
  }
  return { identifier: describeIdentifier(stored), created };
}

/** The patient the caller's organisation keeps under an identifier (`no_such_identifier` if none). */
export async function lookUpIdentifier(
  services: GatewayServices,
  session: Session,
  body: LookUpIdentifierBody,
): Promise<PatientIdentifier> {
  const found = await services.access.authoriseIdentifierLookup(
    session.address,
    await hostedHere(services),
    (organisationId) => services.patientDirectory.identifier(organisationId, body.system, body.value),
  );
  return describeIdentifier(found);
}

/**
 * A patient's identifiers kept at this gateway: all of them for the patient, those of the caller's
 * organisation for a member who may keep them (see `assignIdentifier`).
 */
export async function listIdentifiers(
  services: GatewayServices,
  session: Session,
  patientAddress: Address,
): Promise<IdentifierList> {
  const patient = patientAddress.toLowerCase() as Address;
  const organisationId = await services.access.authoriseIdentifierUse(
    session.address,
    await hostedHere(services),
    patient,
    'identifier-list',
  );
  const rows = await services.patientDirectory.identifiersOf(patient);
  return {
    identifiers: rows
      .filter((row) => organisationId === null || row.organisationId === organisationId)
      .map(describeIdentifier),
  };
}
