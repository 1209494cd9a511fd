/**
 * The consortium's people: members registered and suspended by their organisation's admin, listed
 * to their organisation's members; patients registered by themselves, whose public keys anyone
 * signed in may read (records are sealed to them).
 */
import type {
  AddMemberBody,
  MemberAdded,
  MemberList,
  MemberProfileSet,
  MemberSuspended,
  PatientKeys,
  PatientRegistered,
  RegisterPatientBody,
  SetMemberProfileBody,
  SuspendMemberBody,
} from '@medledger/api';
import { InvalidInputError, NotFoundError, roleOfCode } from '@medledger/core';
import type { Address } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { transactionOf } from './sentTransactions.ts';
import { requireSigner, signedArgs } from './signedActions.ts';
import { knownName } from './vocabularyCodes.ts';

/**
 * The members of an organisation, to its members only: to anyone else it is `NotFoundError`
 * (reason `not_organisation_member`), as decided by access control.
 */
export async function listMembers(
  services: GatewayServices,
  session: Session,
  organisationId: number,
): Promise<MemberList> {
  await services.access.requireOrganisationMember(session.address, organisationId);
  return {
    members: (await services.store.membersOf(organisationId)).map((member) => ({
      address: member.address,
      role: knownName(roleOfCode(member.role), 'role', member.role),
      active: member.active,
      encryptionKey: member.encryptionKey,
    })),
  };
}

/**
 * Relays a member's registration, signed by an admin of its organisation, then its public profile
 * when the body carries one (`displayName` and the admin's signed `profileAction`).
 */
export async function addMember(
  services: GatewayServices,
  session: Session,
  input: AddMemberBody,
): Promise<MemberAdded> {
  const admin = requireSigner(session, input.admin, 'member registration');
  const profile = profileOf(input);
  if (profile) requireProfileLengths(profile);
  const sent = await services.ledger.write('consortium', 'addMember', [
    input.organisationId,
    input.member,
    input.role,
    input.encryptionKey,
    admin,
    ...signedArgs(input),
  ]);
  const profileSent =
    profile &&
    (await services.ledger.write('consortium', 'setMemberProfile', [
      input.member,
      profile.displayName,
      profile.title,
      profile.department,
      admin,
      ...signedArgs(profile.signed),
    ]));
  await services.indexer.sync();
  return {
    address: lowercase(input.member),
    organisationId: input.organisationId,
    role: knownName(roleOfCode(input.role), 'role', input.role),
    ...transactionOf(sent),
    profileTransactionHash: profileSent?.hash ?? null,
  };
}

/** Relays a member's public profile (display name, title, department), signed by an admin of its organisation. */
export async function setMemberProfile(
  services: GatewayServices,
  session: Session,
  input: SetMemberProfileBody & { member: Address },
): Promise<MemberProfileSet> {
  const admin = requireSigner(session, input.admin, 'member profile');
  const profile = {
    displayName: input.displayName,
    title: input.title ?? '',
    department: input.department ?? '',
  };
  requireProfileLengths(profile);
  const sent = await services.ledger.write('consortium', 'setMemberProfile', [
    input.member,
    profile.displayName,
    profile.title,
    profile.department,
    admin,
    ...signedArgs(input),
  ]);
  await services.indexer.sync();
  return { address: lowercase(input.member), ...profile, transactionHash: sent.hash };
}

interface ProfileFields {
  displayName: string;
  title: string;
  department: string;
}

/** The profile a registration carries, if any; a name without its signed action (or the reverse) is refused. */
function profileOf(
  input: AddMemberBody,
): (ProfileFields & { signed: NonNullable<AddMemberBody['profileAction']> }) | undefined {
  const named =
    input.displayName !== undefined || input.title !== undefined || input.department !== undefined;
  if (!named && !input.profileAction) return undefined;
  if (input.displayName === undefined || !input.profileAction) {
    throw new InvalidInputError(
      'A member profile needs a display name and the admin’s signed SetMemberProfile.',
      {
        reason: 'incomplete_member_profile',
      },
    );
  }
  return {
    displayName: input.displayName,
    title: input.title ?? '',
    department: input.department ?? '',
    signed: input.profileAction,
  };
}

const profileLimits = { displayName: [1, 80], title: [0, 32], department: [0, 80] } as const;

/** Refuses, before anything is sent, the profile fields whose UTF-8 length the contract would refuse. */
function requireProfileLengths(profile: ProfileFields): void {
  for (const field of ['displayName', 'title', 'department'] as const) {
    const bytes = new TextEncoder().encode(profile[field]).length;
    const [min, max] = profileLimits[field];
    if (bytes < min || bytes > max) {
      throw new InvalidInputError(`The ${field} must be ${min} to ${max} bytes of UTF-8; it has ${bytes}.`, {
        reason: 'invalid_member_profile',
        fields: { field, bytes, min, max },
      });
    }
  }
}

/** Relays a member's suspension, signed by an admin of its organisation. */
export async function suspendMember(
  services: GatewayServices,
  session: Session,
  input: SuspendMemberBody & { member: Address },
): Promise<MemberSuspended> {
  const admin = requireSigner(session, input.admin, 'suspension');
  const sent = await services.ledger.write('consortium', 'suspendMember', [
    input.member,
    admin,
    ...signedArgs(input),
  ]);
  await services.indexer.sync();
  return { address: lowercase(input.member), active: false, transactionHash: sent.hash };
}

/** Relays a patient's registration, signed by the patient, with the organisation that is its custodian. */
export async function registerPatient(
  services: GatewayServices,
  session: Session,
  input: RegisterPatientBody,
): Promise<PatientRegistered> {
  const patient = requireSigner(session, input.patient, 'patient registration');
  const sent = await services.ledger.write('consortium', 'registerPatient', [
    patient,
    input.encryptionKey,
    input.organisationId,
    ...signedArgs(input),
  ]);
  await services.indexer.sync();
  return { address: lowercase(patient), organisationId: input.organisationId, ...transactionOf(sent) };
}

/**
 * A patient's public keys as the chain has them now: its own, and its custodian organisation's.
 * `NotFoundError` (reason `not_a_patient`) for an account that is not a registered patient.
 */
export async function patientKeys(services: GatewayServices, patientAddress: Address): Promise<PatientKeys> {
  const { ledger } = services;
  const patient = await ledger.read('consortium', 'patient', [patientAddress]);
  if (!patient.registered) {
    throw new NotFoundError(`${patientAddress} is not a registered patient.`, {
      reason: 'not_a_patient',
      fields: { address: patientAddress },
    });
  }
  const custodian = patient.organisationId
    ? await ledger.read('consortium', 'organisation', [patient.organisationId])
    : undefined;
  return {
    address: lowercase(patientAddress),
    encryptionKey: patient.encryptionKey,
    organisationId: patient.organisationId,
    custodian: custodian
      ? { organisationId: patient.organisationId, encryptionKey: custodian.encryptionKey }
      : null,
  };
}

function lowercase(address: Address): Address {
  return address.toLowerCase() as Address;
}
