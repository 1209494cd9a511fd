/**
 * A small consortium most tests start from: a founding hospital and an admitted lab, their members,
 * two registered patients and a stranger.
 */
import type { LocalAccount } from 'viem';
import {
  addMember,
  approveOrganisation,
  kind,
  newAccount,
  proposeOrganisation,
  registerPatient,
  role,
} from './actions.ts';
import type { TestLedger } from './ledger.ts';

export interface Consortium {
  hospital: number;
  lab: number;
  hospitalAdmin: LocalAccount;
  labAdmin: LocalAccount;
  doctor: LocalAccount;
  nurse: LocalAccount;
  labTechnician: LocalAccount;
  patient: LocalAccount;
  otherPatient: LocalAccount;
  stranger: LocalAccount;
}

export async function setUpConsortium(ledger: TestLedger): Promise<Consortium> {
  const hospitalAdmin = newAccount();
  const labAdmin = newAccount();
  const { organisationId: hospital } = await proposeOrganisation(ledger, hospitalAdmin, {
    name: 'St Mary Hospital',
  });
  const { organisationId: lab } = await proposeOrganisation(ledger, labAdmin, {
    name: 'City Lab',
    kind: kind.lab,
  });
  await approveOrganisation(ledger, hospitalAdmin, lab);

  const doctor = newAccount();
  const nurse = newAccount();
  const labTechnician = newAccount();
  await addMember(ledger, hospitalAdmin, {
    organisationId: hospital,
    member: doctor.address,
    role: role.doctor,
  });
  await addMember(ledger, hospitalAdmin, {
    organisationId: hospital,
    member: nurse.address,
    role: role.nurse,
  });
  await addMember(ledger, labAdmin, { organisationId: lab, member: labTechnician.address, role: role.lab });

  const patient = newAccount();
  const otherPatient = newAccount();
  await registerPatient(ledger, patient, { organisationId: hospital });
  await registerPatient(ledger, otherPatient);

  return {
    hospital,
    lab,
    hospitalAdmin,
    labAdmin,
    doctor,
    nurse,
    labTechnician,
    patient,
    otherPatient,
    stranger: newAccount(),
  };
}
