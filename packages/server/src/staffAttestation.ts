/**
 * The staff second factor across gateways. An organisation's sign-in code policy and its members'
 * codes live at its own gateway (its home gateway, `operations/staffSecondFactor.ts`); another
 * organisation's gateway, where a member signs in e.g. to fetch a key share, knows nothing of them.
 * So:
 *
 * - the home gateway answers, to anyone (`GET /api/staff-otp/requirement/:address`), whether a
 *   member of an organisation it hosts needs a code at sign-in, and gives a member signed in there
 *   an attestation of it (`GET /api/staff-otp/attestation`), signed with its relayer key (the one the
 *   chain publishes for the organisation) and valid until that session's end;
 * - another gateway asks the member's home gateway (at the URL on chain, cached a minute) and, when
 *   a code is required, admits the member only with a valid attestation: signed by the relayer the
 *   chain publishes for the member's organisation now, for this member and organisation, current,
 *   on this chain. A home gateway that cannot be asked refuses the member's sign-in (503
 *   `home_gateway_unavailable`): fail closed. An organisation that publishes no gateway relayer or
 *   URL has nobody to ask and nobody to attest: its members are admitted on their key.
 */
import type { StaffSecondFactorAttestationBody } from '@medledger/api';
import {
  LedgerUnavailableError,
  maxStaffAttestationSeconds,
  NotFoundError,
  organisationStatuses,
  type StaffSecondFactorAttestation,
  staffAttestationSigner,
  staffAttestationTypedData,
  UnauthenticatedError,
} from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import { type Address, type Hex, isAddressEqual, type LocalAccount, zeroAddress } from 'viem';
import { peerRequestHeader } from './store/replicatingBlobStore.ts';

/** The gateway's side of attestations: its signing key, and the home gateways it asks. */
export interface StaffAttestations {
  /** Signs an attestation with this gateway's relayer key. */
  sign(attestation: StaffSecondFactorAttestation['message']): Promise<Hex>;
  /**
   * Whether the home gateway at `gatewayUrl` requires a code of `member` at sign-in, asked with
   * `x-medledger-peer: 1` and kept `cacheMs`; `LedgerUnavailableError` (`home_gateway_unavailable`)
   * when it cannot be asked or does not answer for the member.
   */
  homeRequirement(gatewayUrl: string, member: Address): Promise<boolean>;
}

export interface StaffAttestationsOptions {
  /** The gateway's relayer account (published on chain as `gatewayRelayerOf` of what it hosts). */
  relayer: LocalAccount;
  chainId: number;
  /** How long a home gateway's answer is kept; default 60 s. */
  cacheMs?: number;
  /** How long a home gateway is waited for; default 5 s. */
  timeoutMs?: number;
}

/** Answers kept at most: past it, the oldest are forgotten. */
const maxCachedRequirements = 10_000;

export function createStaffAttestations(options: StaffAttestationsOptions): StaffAttestations {
  const cacheMs = options.cacheMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const cache = new Map<string, { required: boolean; until: number }>();

  async function ask(gatewayUrl: string, member: Address): Promise<boolean> {
    const url = `${gatewayUrl.replace(/\/+$/, '')}/api/staff-otp/requirement/${member.toLowerCase()}`;
    const unavailable = (why: string, cause?: unknown) =>
      new LedgerUnavailableError(
        `The home gateway of ${member} (${gatewayUrl}) cannot say whether it needs a one-time code (${why}); ` +
          'its sign-in here waits until it can.',
        { reason: 'home_gateway_unavailable', fields: { gatewayUrl }, ...(cause ? { cause } : {}) },
      );
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { [peerRequestHeader]: '1' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw unavailable('unreachable', cause);
    }
    const body = (await response.json().catch(() => undefined)) as { required?: unknown } | undefined;
    if (!response.ok || typeof body?.required !== 'boolean') throw unavailable(`HTTP ${response.status}`);
    return body.required;
  }

  return {
    sign: (message) => options.relayer.signTypedData(staffAttestationTypedData(options.chainId, message)),
    async homeRequirement(gatewayUrl, member) {
      const key = `${gatewayUrl}|${member.toLowerCase()}`;
      const now = Date.now();
      const held = cache.get(key);
      if (held && held.until > now) return held.required;
      const required = await ask(gatewayUrl, member);
      cache.delete(key);
      if (cache.size >= maxCachedRequirements) cache.delete(cache.keys().next().value as string);
      cache.set(key, { required, until: now + cacheMs });
      return required;
    },
  };
}

/** Where the organisation's home gateway is, as the chain says now: its URL and relayer, if published. */
export async function homeGatewayOf(
  ledger: LedgerClient,
  organisationId: number,
): Promise<{ gatewayUrl: string; relayer: Address } | null> {
  const [gatewayUrl, relayer] = await ledger.read('consortium', 'gatewayOf', [organisationId]);
  if (isAddressEqual(relayer, zeroAddress) || !/^https?:\/\//.test(gatewayUrl)) return null;
  return { gatewayUrl, relayer };
}

/** Whether this gateway hosts `organisationId`: the organisation's key on chain is its custodian key. */
export async function hostsOrganisation(
  ledger: LedgerClient,
  custodianKey: string,
  organisationId: number,
): Promise<boolean> {
  const organisation = await ledger.read('consortium', 'organisation', [organisationId]);
  return (
    organisation.status === organisationStatuses.indexOf('active') &&
    organisation.encryptionKey.toLowerCase() === custodianKey.toLowerCase()
  );
}

/**
 * The sign-in check at a gateway that does not host the member's organisation: asks its home
 * gateway whether the member needs a code and, if so, requires its attestation (401
 * `second_factor_attestation_required`, `second_factor_attestation_invalid` with field `problem`).
 */
export async function requireHomeAttestation(
  deps: { ledger: LedgerClient; staffAttestations: StaffAttestations },
  member: Address,
  organisationId: number,
  attestation: StaffSecondFactorAttestationBody | undefined,
): Promise<void> {
  const home = await homeGatewayOf(deps.ledger, organisationId);
  if (!home) return;
  if (!(await deps.staffAttestations.homeRequirement(home.gatewayUrl, member))) return;
  if (!attestation) {
    throw new UnauthenticatedError(
      `${member} signs in here with its one-time code's attestation from its organisation's gateway (${home.gatewayUrl}): ` +
        'sign in there with the code, then ask it for GET /api/staff-otp/attestation.',
      {
        reason: 'second_factor_attestation_required',
        fields: { organisationId, homeGateway: home.gatewayUrl },
      },
    );
  }
  const invalid = (problem: string, text: string) =>
    new UnauthenticatedError(`The second-factor attestation is not valid here: ${text}.`, {
      reason: 'second_factor_attestation_invalid',
      fields: { problem },
    });
  const { message } = attestation;
  if (!isAddressEqual(message.member, member)) throw invalid('wrong_member', 'it is for another member');
  if (message.organisationId !== organisationId) {
    throw invalid('wrong_organisation', 'it is for another organisation');
  }
  const now = Math.floor(Date.now() / 1000);
  if (message.expiresAt <= now || message.issuedAt > now + 60) throw invalid('expired', 'it is not current');
  if (message.expiresAt - message.issuedAt > maxStaffAttestationSeconds) {
    throw invalid('expired', 'it claims a longer life than a session has');
  }
  const signer = await staffAttestationSigner(deps.ledger.chainId, attestation).catch(() => null);
  if (!signer) throw invalid('malformed', 'its signature is malformed');
  if (!isAddressEqual(signer, home.relayer)) {
    throw invalid('wrong_signer', 'it is not signed by the gateway the chain publishes for the organisation');
  }
}

/**
 * `GET /api/staff-otp/requirement/:address` at the home gateway: whether `address`, a member of an
 * organisation this gateway hosts, needs a code at sign-in; `NotFoundError` (`not_hosted_member`)
 * for anyone else (other gateways then fail closed).
 */
export async function answerRequirement(
  deps: { ledger: LedgerClient; custodianKey: string },
  address: Address,
  required: (organisationId: number, role: number) => Promise<boolean>,
): Promise<{ required: boolean }> {
  const member = await deps.ledger.read('consortium', 'member', [address]);
  if (
    !member.organisationId ||
    !(await hostsOrganisation(deps.ledger, deps.custodianKey, member.organisationId))
  ) {
    throw new NotFoundError(`${address} is not a member of an organisation this gateway hosts.`, {
      reason: 'not_hosted_member',
    });
  }
  return { required: await required(member.organisationId, member.role) };
}
