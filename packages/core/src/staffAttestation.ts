/**
 * A staff second-factor attestation: the organisation's own gateway (its "home gateway", which
 * keeps the organisation's sign-in code policy and its members' codes) states, signed with its
 * relayer key (the one the chain publishes as `Consortium.gatewayRelayerOf(organisationId)`), that
 * `member` signed in there under the policy, until `expiresAt`. Another organisation's gateway
 * admits a member its home gateway requires a code of only with one (EIP-712, domain
 * `medledger.StaffSecondFactor` version 1, bound to the chain id, no verifying contract).
 */
import { type Address, type Hex, recoverTypedDataAddress, type TypedDataDomain } from 'viem';

/** What the home gateway signs; times are unix seconds. */
export interface StaffSecondFactorAttestationMessage {
  member: Address;
  organisationId: number;
  issuedAt: number;
  expiresAt: number;
}

/** An attestation as it travels: the message and the home gateway's relayer signature. */
export interface StaffSecondFactorAttestation {
  message: StaffSecondFactorAttestationMessage;
  signature: Hex;
}

export const staffSecondFactorDomainName = 'medledger.StaffSecondFactor';

/** The longest an attestation may be valid: a session's longest life. */
export const maxStaffAttestationSeconds = 12 * 3600;

export const staffSecondFactorAttestationTypes = {
  StaffSecondFactorAttestation: [
    { name: 'member', type: 'address' },
    { name: 'organisationId', type: 'uint32' },
    { name: 'issuedAt', type: 'uint64' },
    { name: 'expiresAt', type: 'uint64' },
  ],
} as const;

export function staffSecondFactorDomain(chainId: number): TypedDataDomain {
  return { name: staffSecondFactorDomainName, version: '1', chainId };
}

/**
 * The full EIP-712 definition of `message` on `chainId`, for `signTypedData` and for recovering.
 *
 * @example
 * const signature = await relayer.signTypedData(staffAttestationTypedData(chainId, message));
 */
export function staffAttestationTypedData(chainId: number, message: StaffSecondFactorAttestationMessage) {
  return {
    domain: staffSecondFactorDomain(chainId),
    types: staffSecondFactorAttestationTypes,
    primaryType: 'StaffSecondFactorAttestation',
    message: {
      member: message.member,
      organisationId: message.organisationId,
      issuedAt: BigInt(message.issuedAt),
      expiresAt: BigInt(message.expiresAt),
    },
  } as const;
}

/** The address that signed `attestation` on `chainId` (a malformed signature throws). */
export function staffAttestationSigner(
  chainId: number,
  attestation: StaffSecondFactorAttestation,
): Promise<Address> {
  return recoverTypedDataAddress({
    ...staffAttestationTypedData(chainId, attestation.message),
    signature: attestation.signature,
  });
}
