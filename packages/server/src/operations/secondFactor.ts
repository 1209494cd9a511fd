/**
 * Second factor operations: a patient's one-time code for approvals (TOTP, see `secondFactor.ts`)
 * and, at its home gateway, the chain's rule that only this gateway relays its grants
 * (`Consents.setHomeRelayOnly`), so the code cannot be skipped by relaying a signed grant elsewhere.
 */
import type { OtpCodeRequest, OtpEnrolment, SecondFactorStatus } from '@medledger/api';
import { AccessDeniedError } from '@medledger/core';
import { type Address, isAddressEqual } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { signedArgs } from './signedActions.ts';

/** True when this gateway relays for the organisation `patient` registered with. */
async function isHomeGateway({ ledger }: GatewayServices, patient: Address): Promise<boolean> {
  const { organisationId } = await ledger.read('consortium', 'patient', [patient]);
  if (!organisationId) return false;
  const relayer = await ledger.read('consortium', 'gatewayRelayerOf', [organisationId]);
  return isAddressEqual(relayer, ledger.relayerAddress);
}

/** Whether the caller's code is on or pending, and whether only its home gateway relays its grants. */
export async function secondFactorStatus(
  services: GatewayServices,
  session: Session,
): Promise<SecondFactorStatus> {
  const patient = session.address;
  const [status, homeRelayOnly, homeGateway] = await Promise.all([
    services.secondFactor.status(patient),
    services.ledger.read('consents', 'homeRelayOnly', [patient]),
    isHomeGateway(services, patient),
  ]);
  return { ...status, homeRelayOnly, homeGateway };
}

/**
 * Starts enrolling an authenticator for a registered patient: its `otpauth://` URI, answered once.
 * Throws `AccessDeniedError` (`not_a_patient`) for anyone else, `ConflictError`
 * (`otp_already_enabled`) when the code is on.
 */
export async function startOtpEnrolment(services: GatewayServices, session: Session): Promise<OtpEnrolment> {
  const patient = session.address;
  if (!(await services.ledger.read('consortium', 'patient', [patient])).registered) {
    throw new AccessDeniedError('Only a registered patient turns on a one-time code for its approvals.', {
      reason: 'not_a_patient',
    });
  }
  const { uri } = await services.secondFactor.startEnrolment(patient);
  return { uri, homeGateway: await isHomeGateway(services, patient) };
}

/**
 * Turns the code on with a first valid code; with `homeRelay` (the patient's signed
 * `SetHomeRelayOnly`, enabled) the chain then takes its grants from this gateway only. The code is
 * checked first, then the binding goes on chain, then the factor is on: a failure leaves it pending.
 */
export async function confirmOtp(
  services: GatewayServices,
  session: Session,
  input: OtpCodeRequest,
): Promise<SecondFactorStatus> {
  const patient = session.address;
  await services.secondFactor.confirmEnrolment(patient, input.code, async () => {
    if (input.homeRelay) await setHomeRelayOnly(services, patient, true, input.homeRelay);
  });
  return secondFactorStatus(services, session);
}

/**
 * Turns the code off with a valid one; with `homeRelay` (signed, disabled) any gateway may relay the
 * patient's grants again. Throws `NotFoundError` (`otp_not_enabled`) when the code is not on.
 */
export async function disableOtp(
  services: GatewayServices,
  session: Session,
  input: OtpCodeRequest,
): Promise<SecondFactorStatus> {
  const patient = session.address;
  await services.secondFactor.disable(patient, input.code, async () => {
    if (input.homeRelay) await setHomeRelayOnly(services, patient, false, input.homeRelay);
  });
  return secondFactorStatus(services, session);
}

async function setHomeRelayOnly(
  { ledger }: GatewayServices,
  patient: Address,
  enabled: boolean,
  signed: NonNullable<OtpCodeRequest['homeRelay']>,
): Promise<void> {
  await ledger.write('consents', 'setHomeRelayOnly', [patient, enabled, ...signedArgs(signed)]);
}
