/**
 * The system area: whether the gateway serves, what a client needs to know of its chain, sign-in
 * with Ethereum (EIP-4361) and who a session belongs to.
 */
import type {
  Health,
  LedgerInfo,
  Me,
  SessionsEnded,
  SignedIn,
  SignInBody,
  SignInChallenge,
} from '@medledger/api';
import { delegateKindOfCode } from '@medledger/core';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { knownName } from './vocabularyCodes.ts';

/**
 * The gateway's health. Resolves only while it serves: the chain answers and still holds everything
 * acknowledged; otherwise throws the guard's `LedgerUnavailableError` (e.g. reason `ledger_recovering`).
 */
export async function health(services: GatewayServices): Promise<Health> {
  const { ledger, guard } = services;
  guard.assertServing();
  const blockNumber = Number(await ledger.blockNumber());
  await guard.assertIntact();
  const checkpoint = await guard.checkpoint();
  return {
    status: 'ok',
    chainId: ledger.chainId,
    blockNumber,
    ledger: {
      state: guard.state(),
      pendingActions: await guard.pendingActions(),
      checkpointBlock: checkpoint?.blockNumber ?? 0,
    },
  };
}

/** What a client needs to sign actions and read the chain: chain, contracts, custody, this gateway's keys. */
export async function ledgerInfo(services: GatewayServices): Promise<LedgerInfo> {
  const { ledger, custodian, store } = services;
  const hosted = (await store.organisations()).filter(
    (organisation) => organisation.encryptionKey.toLowerCase() === custodian.publicKey.toLowerCase(),
  );
  const [custodians, threshold, version] = await ledger.read('consortium', 'custody', []);
  return {
    chainId: ledger.chainId,
    rpcUrl: services.readOnlyRpcUrl,
    contracts: ledger.addresses,
    relayer: ledger.relayerAddress,
    custody: { custodians: [...custodians], threshold, version: Number(version) },
    custodian: {
      encryptionKey: custodian.publicKey,
      organisationIds: hosted.map((organisation) => organisation.organisationId),
    },
  };
}

/** A single-use nonce for a sign-in message, and the chain id the message must name. */
export async function signInChallenge(services: GatewayServices): Promise<SignInChallenge> {
  return { ...(await services.auth.challenge()), chainId: services.ledger.chainId };
}

/** Exchanges a signed EIP-4361 message for a session token; refusals are `UnauthenticatedError`s with a reason. */
export async function signIn(services: GatewayServices, input: SignInBody): Promise<SignedIn> {
  return services.auth.signIn(input.message, input.signature, input.otp, input.attestation);
}

/** Ends the session behind an `Authorization: Bearer` header, if there is one. */
export async function signOut(services: GatewayServices, authorization: string | undefined): Promise<void> {
  await services.auth.signOut(authorization);
}

/** Ends every session of the session's account (its own included, on every device); says how many. */
export async function signOutEverywhere(services: GatewayServices, session: Session): Promise<SessionsEnded> {
  return { ended: await services.auth.signOutEverywhere(session) };
}

/** Who the session's account is on the ledger now: a member (role as its code), a patient, both or neither. */
export async function whoAmI(services: GatewayServices, session: Session): Promise<Me> {
  const me = session.address;
  const [member, patient, delegations] = await Promise.all([
    services.ledger.read('consortium', 'member', [me]),
    services.ledger.read('consortium', 'patient', [me]),
    services.store.delegationsTo(me),
  ]);
  return {
    address: me,
    member: member.organisationId
      ? {
          organisationId: member.organisationId,
          role: member.role,
          active: member.active,
          encryptionKey: member.encryptionKey,
        }
      : null,
    patient: patient.registered
      ? {
          registered: patient.registered,
          encryptionKey: patient.encryptionKey,
          organisationId: patient.organisationId,
        }
      : null,
    delegateOf: delegations
      .filter((row) => row.active)
      .map((row) => ({
        patient: row.patient,
        kind: knownName(delegateKindOfCode(row.kind), 'delegate kind', row.kind),
      })),
  };
}
