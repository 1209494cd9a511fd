/**
 * Access requests: a member asks a patient for access (the reason stays off chain, its hash on
 * chain), the patient approves it with a grant (`grantConsent` with `requestId`) or denies it.
 * Only its patient and its requester see a request.
 */
import type {
  AccessRequest,
  AccessRequestDenied,
  AccessRequested,
  AccessRequestList,
  DenyAccessRequestBody,
  RequestAccessBody,
} from '@medledger/api';
import {
  AccessDeniedError,
  actionsOfMask,
  categoriesOfMask,
  InvalidInputError,
  NotFoundError,
} from '@medledger/core';
import { type Hex, keccak256, toBytes } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import type { AccessRequestRow } from '../store/gatewayStore.ts';
import { emittedId, transactionOf } from './sentTransactions.ts';
import { requireSigner, signedArgs } from './signedActions.ts';

/**
 * Keeps the request's reason (by its hash) and relays the member's signed request. The reason must
 * hash to the signed `reasonHash` (else reason `reason_hash_mismatch`).
 */
export async function requestAccess(
  services: GatewayServices,
  session: Session,
  input: RequestAccessBody,
): Promise<AccessRequested> {
  const requester = requireSigner(session, input.requester, 'access request');
  const reasonHash = input.reasonHash.toLowerCase() as Hex;
  if (keccak256(toBytes(input.reason)) !== reasonHash) {
    throw new InvalidInputError('reasonHash must be the keccak256 of the reason’s UTF-8 bytes.', {
      reason: 'reason_hash_mismatch',
    });
  }
  await services.store.saveRequestReason(reasonHash, input.reason);
  const sent = await services.ledger.write('consents', 'requestAccess', [
    requester,
    input.patient,
    input.categories,
    input.actions,
    input.reasonHash,
    ...signedArgs(input),
  ]);
  await services.indexer.sync();
  return { requestId: emittedId(sent, 'AccessRequested', 'requestId'), ...transactionOf(sent) };
}

/** Requests to the caller (as a patient) and by the caller (as a member). */
export async function listAccessRequests(
  services: GatewayServices,
  session: Session,
): Promise<AccessRequestList> {
  const [incoming, outgoing] = await Promise.all([
    services.store.accessRequests({ patient: session.address }),
    services.store.accessRequests({ requester: session.address }),
  ]);
  return {
    incoming: await Promise.all(incoming.map((row) => describeAccessRequest(services, row))),
    outgoing: await Promise.all(outgoing.map((row) => describeAccessRequest(services, row))),
  };
}

/**
 * One request, to its patient or its requester; to anyone else it does not exist (`NotFoundError`,
 * reason `no_such_access_request`, whether or not it does).
 */
export async function getAccessRequest(
  services: GatewayServices,
  session: Session,
  requestId: number,
): Promise<AccessRequest> {
  const row = await services.store.accessRequest(requestId);
  if (!row || !services.access.partyToAccessRequest(session.address, row)) {
    throw new NotFoundError(`No access request ${requestId} of yours.`, {
      reason: 'no_such_access_request',
      fields: { requestId },
    });
  }
  return describeAccessRequest(services, row);
}

/**
 * Relays the patient's denial of a request. A request the index knows to be another patient's is
 * refused here (reason `not_request_patient`); the chain refuses one that is no longer pending.
 */
export async function denyAccessRequest(
  services: GatewayServices,
  session: Session,
  input: DenyAccessRequestBody & { requestId: number },
): Promise<AccessRequestDenied> {
  const patient = requireSigner(session, input.patient, 'denial');
  const row = await services.store.accessRequest(input.requestId);
  if (row && services.access.partyToAccessRequest(patient, row) !== 'patient') {
    throw new AccessDeniedError('Only the patient can deny this request.', {
      reason: 'not_request_patient',
      fields: { requestId: input.requestId },
    });
  }
  const sent = await services.ledger.write('consents', 'denyRequest', [
    patient,
    BigInt(input.requestId),
    ...signedArgs(input),
  ]);
  await services.indexer.sync();
  return { requestId: input.requestId, status: 'denied', ...transactionOf(sent) };
}

async function describeAccessRequest(
  services: GatewayServices,
  row: AccessRequestRow,
): Promise<AccessRequest> {
  return {
    requestId: row.requestId,
    patient: row.patient,
    requester: row.requester,
    categories: categoriesOfMask(row.categories),
    actions: actionsOfMask(row.actions),
    reason: (await services.store.requestReason(row.reasonHash)) ?? null,
    status: row.status,
    grantId: row.grantId,
  };
}
