/**
 * The consortium actions against a real gateway: organisations (founded, proposed, approved, their
 * gateways published), members, patients and the key custody.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addMember,
  approveCustody,
  approveOrganisation,
  createOrganisation,
  type GatewayClient,
  me,
  members,
  type OrganisationOnLedger,
  organisations,
  proposeCustody,
  publishGateway,
  registerPatient,
  suspendMember,
} from '@medledger/client';
import { AccessDeniedError, ConflictError } from '@medledger/core';
import { newActor, rejectsWith, startTestGateway, type TestGateway } from './helpers.ts';

describe('consortium actions', () => {
  let gateway: TestGateway;
  let admin: GatewayClient;
  let labAdmin: GatewayClient;
  let hospitalId: number;
  let labId: number;

  before(async () => {
    gateway = await startTestGateway();
    admin = newActor(gateway.url);
    labAdmin = newActor(gateway.url);
  });
  after(() => gateway.stop());

  it('createOrganisation: the first organisation founds the consortium, active, its gateway published', async () => {
    const created = await createOrganisation(admin, { name: 'St Mary Hospital', kind: 'hospital' });
    assert.equal(created.status, 'active');
    hospitalId = created.organisationId;
    const { organisations: listed } = await organisations(admin);
    const hospital = listed.find((o) => o.organisationId === hospitalId);
    assert.deepEqual(
      [hospital?.name, hospital?.kind, hospital?.status, hospital?.admin, hospital?.gatewayUrl],
      ['St Mary Hospital', 'hospital', 'active', admin.address, gateway.url],
    );
    const later = await createOrganisation(labAdmin, { name: 'City Lab', kind: 'lab' });
    assert.equal(later.status, 'pending', 'a later organisation waits for approval');
    labId = later.organisationId;
  });

  it('approveOrganisation: an active organisation’s admin approves; others may not', async () => {
    const outsider = newActor(gateway.url);
    await rejectsWith(approveOrganisation(outsider, labId), AccessDeniedError, 'consortium_not_active_admin');
    const approved = await approveOrganisation(admin, labId);
    assert.equal(approved.status, 'active');
    assert.equal(approved.organisationId, labId);
  });

  it('publishGateway: the approved organisation says where its gateway is', async () => {
    const published = await publishGateway(labAdmin, labId, { gatewayUrl: 'https://lab.example' });
    assert.equal(published.organisationId, labId);
    assert.match(published.transactionHash, /^0x[0-9a-f]{64}$/);
    // The chain has it (the index lists organisations as proposed).
    const onLedger = () => labAdmin.call<OrganisationOnLedger>('GET', `/api/organisations/${labId}`);
    assert.equal((await onLedger()).gatewayUrl, 'https://lab.example');
    // By default, this gateway's own URL and relayer.
    await publishGateway(labAdmin, labId);
    assert.equal((await onLedger()).gatewayUrl, gateway.url);
  });

  it('organisations: the consortium, without signing in', async () => {
    const { organisations: listed } = await organisations(newActor(gateway.url));
    assert.deepEqual(
      listed.map((o) => [o.organisationId, o.kind, o.status]),
      [
        [hospitalId, 'hospital', 'active'],
        [labId, 'lab', 'active'],
      ],
    );
  });

  it('addMember and members: the admin adds a member with its role and key', async () => {
    const doctor = newActor(gateway.url);
    const added = await addMember(admin, {
      organisationId: hospitalId,
      member: doctor.address,
      role: 'doctor',
      encryptionKey: doctor.identity.encryption.publicKey,
    });
    assert.deepEqual(
      [added.address, added.organisationId, added.role],
      [doctor.address, hospitalId, 'doctor'],
    );
    const { members: listed } = await members(admin, hospitalId);
    assert.deepEqual(
      listed.find((m) => m.address === doctor.address),
      {
        address: doctor.address,
        role: 'doctor',
        active: true,
        encryptionKey: doctor.identity.encryption.publicKey,
      },
    );
    const stranger = newActor(gateway.url);
    await rejectsWith(
      addMember(labAdmin, {
        organisationId: hospitalId,
        member: stranger.address,
        role: 'nurse',
        encryptionKey: stranger.identity.encryption.publicKey,
      }),
      AccessDeniedError,
      'consortium_not_active_admin',
    );
  });

  it('suspendMember: the admin suspends a member, who is then listed inactive', async () => {
    const nurse = newActor(gateway.url);
    await addMember(admin, {
      organisationId: hospitalId,
      member: nurse.address,
      role: 'nurse',
      encryptionKey: nurse.identity.encryption.publicKey,
    });
    const suspended = await suspendMember(admin, nurse.address);
    assert.deepEqual([suspended.address, suspended.active], [nurse.address, false]);
    assert.equal((await me(nurse)).member?.active, false);
    const listed = (await members(admin, hospitalId)).members.find((m) => m.address === nurse.address);
    assert.equal(listed?.active, false);
  });

  it('registerPatient: the identity becomes a patient with the gateway’s organisation as custodian', async () => {
    const patient = newActor(gateway.url);
    const registered = await registerPatient(patient);
    assert.deepEqual([registered.address, registered.organisationId], [patient.address, hospitalId]);
    assert.deepEqual((await me(patient)).patient, {
      registered: true,
      encryptionKey: patient.identity.encryption.publicKey,
      organisationId: hospitalId,
    });
    await rejectsWith(registerPatient(patient), ConflictError, 'consortium_address_taken');
  });

  it('proposeCustody and approveCustody: two of two organisations split record keys 2-of-2', async () => {
    const proposal = await proposeCustody(admin, [hospitalId, labId], 2);
    assert.equal(proposal.enacted, false, 'one of two organisations is not two thirds');
    await rejectsWith(
      approveCustody(admin, proposal.proposalId),
      ConflictError,
      'consortium_custody_already_approved',
    );
    const approved = await approveCustody(labAdmin, proposal.proposalId);
    assert.deepEqual([approved.proposalId, approved.enacted], [proposal.proposalId, true]);
    // A client that has not asked for the ledger's details yet sees the custody in force.
    const fresh = await newActor(gateway.url).ledger();
    assert.deepEqual([fresh.custody.custodians, fresh.custody.threshold], [[hospitalId, labId], 2]);
  });
});
