/**
 * The directory of people: members' public profiles set by their admin (at registration or later) and
 * the lookup that tells anyone signed in what an address is, with the label to show. A patient is never
 * named; a delegate's patient is told only to that patient and to the delegate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DirectoryEntry } from '@medledger/api';
import type { GatewayClient } from '@medledger/client';
import { type Consortium, foundConsortium, newActor, newMember, newPatient } from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

describe('directory of people', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let doctor: GatewayClient;
  let patient: GatewayClient;
  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    doctor = newActor(gateway.url);
    await consortium.admin.addMember({
      organisationId: consortium.organisationId,
      member: doctor.address,
      role: 'doctor',
      encryptionKey: doctor.identity.encryption.publicKey,
      profile: { displayName: 'Ana Silva', title: 'Dr', department: 'Cardiology' },
    });
    patient = await newPatient(gateway.url, consortium);
  });
  after(() => gateway.stop());

  const byAddress = (entries: DirectoryEntry[]) =>
    new Map<string, DirectoryEntry>(entries.map((entry) => [entry.address, entry]));

  it('names a member registered with a profile, by name, title, role and organisation', async () => {
    const [entry] = await patient.lookupDirectory([doctor.address]);
    assert.deepEqual(entry, {
      address: doctor.address.toLowerCase(),
      kind: 'member',
      displayName: 'Ana Silva',
      title: 'Dr',
      department: 'Cardiology',
      role: 'doctor',
      organisation: { id: consortium.organisationId, name: 'St Mary Hospital', kind: 'hospital' },
      label: 'Dr Ana Silva (doctor, St Mary Hospital)',
    });
  });

  it('lets the admin change a profile later, and describes members without one by role', async () => {
    const nurse = await newMember(gateway.url, consortium, 'nurse');
    const [before] = await doctor.lookupDirectory([nurse.address]);
    assert.equal(before?.kind, 'member');
    assert.equal(before?.displayName, undefined);
    assert.match(before?.label ?? '', /^A nurse of St Mary Hospital \(0x[0-9a-f]{4}…[0-9a-f]{4}\)$/);

    const set = await consortium.admin.setMemberProfile(nurse.address, { displayName: 'Rui Costa' });
    assert.equal(set.displayName, 'Rui Costa');
    const [after] = await doctor.lookupDirectory([nurse.address]);
    assert.equal(after?.label, 'Rui Costa (nurse, St Mary Hospital)');
  });

  it('says only "a patient" for a patient, and "Unknown" with the short address for anyone else', async () => {
    const stranger = newActor(gateway.url);
    const entries = byAddress(
      await doctor.lookupDirectory([patient.address, stranger.address, patient.address]),
    );
    assert.equal(entries.size, 2);
    assert.deepEqual(entries.get(patient.address.toLowerCase()), {
      address: patient.address.toLowerCase(),
      kind: 'patient',
      label: 'a patient',
    });
    const unknown = entries.get(stranger.address.toLowerCase());
    assert.equal(unknown?.kind, 'unknown');
    assert.equal(
      unknown?.label,
      `Unknown ${stranger.address.toLowerCase().slice(0, 6)}…${stranger.address.slice(-4).toLowerCase()}`,
    );
  });

  it('tells whose delegate an address is only to that patient and to the delegate', async () => {
    const daughter = newActor(gateway.url);
    await patient.addDelegate({
      delegate: daughter.address,
      kind: 'family',
      encryptionKey: daughter.identity.encryption.publicKey,
    });
    const toPatient = await patient.lookupDirectory([daughter.address]);
    assert.equal(toPatient[0]?.kind, 'delegate');
    assert.equal(toPatient[0]?.delegateOf, patient.address.toLowerCase());
    const toDoctor = await doctor.lookupDirectory([daughter.address]);
    assert.deepEqual(toDoctor, [
      { address: daughter.address.toLowerCase(), kind: 'delegate', label: 'a delegate' },
    ]);
  });

  it('refuses a profile the contract would refuse, before sending it', async () => {
    await assert.rejects(consortium.admin.setMemberProfile(doctor.address, { displayName: 'é'.repeat(41) }), {
      code: 'invalid_input',
      reason: 'invalid_member_profile',
    });
    await assert.rejects(doctor.setMemberProfile(doctor.address, { displayName: 'Ana' }), {
      code: 'access_denied',
    });
  });
});
