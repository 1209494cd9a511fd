/**
 * The consortium operations, called without HTTP on a real gateway (anvil, SQLite): organisations
 * founded, proposed, approved and published, custody changed by proposal and approval, members and
 * patients registered, and refusals told apart by code and reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { bytesToHex, consortiumTypes, organisationKindCode, randomBytes, roleCode } from '@medledger/core';
import {
  approveCustody,
  approveOrganisation,
  listOrganisations,
  organisationOnLedger,
  proposeCustody,
  proposeOrganisation,
  publishGateway,
} from '../../src/operations/consortium.ts';
import {
  addMember,
  listMembers,
  patientKeys,
  registerPatient,
  suspendMember,
} from '../../src/operations/members.ts';
import { ledgerInfo } from '../../src/operations/system.ts';
import { newActor } from '../helpers/actors.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { sessionOf } from '../helpers/sessions.ts';

describe('consortium operations', () => {
  let gateway: TestGateway;
  let founder: GatewayClient;
  let joiner: GatewayClient;
  const joinerKey = bytesToHex(randomBytes(32));
  before(async () => {
    gateway = await startTestGateway();
    founder = newActor(gateway.url);
    joiner = newActor(gateway.url);
  });
  after(() => gateway.stop());

  async function signedProposal(admin: GatewayClient, name: string, encryptionKey: `0x${string}`) {
    const message = {
      name,
      kind: organisationKindCode(name.includes('Lab') ? 'lab' : 'hospital'),
      admin: admin.address,
      encryptionKey,
      gatewayUrl: gateway.url,
    };
    return {
      ...message,
      ...(await admin.signAction('consortium', consortiumTypes, 'ProposeOrganisation', message)),
    };
  }

  async function signedApproval(approver: GatewayClient, organisationId: number) {
    const signed = await approver.signAction('consortium', consortiumTypes, 'ApproveOrganisation', {
      organisationId,
      approver: approver.address,
    });
    return { approver: approver.address, organisationId, ...signed };
  }

  async function signedMember(admin: GatewayClient, member: GatewayClient, organisationId: number) {
    const message = {
      organisationId,
      member: member.address,
      role: roleCode('doctor'),
      encryptionKey: member.identity.encryption.publicKey,
      admin: admin.address,
    };
    return { ...message, ...(await admin.signAction('consortium', consortiumTypes, 'AddMember', message)) };
  }

  async function signedPatient(patient: GatewayClient, organisationId: number) {
    const message = {
      patient: patient.address,
      encryptionKey: patient.identity.encryption.publicKey,
      organisationId,
    };
    return {
      ...message,
      ...(await patient.signAction('consortium', consortiumTypes, 'RegisterPatient', message)),
    };
  }

  describe('organisations', () => {
    it('founds the consortium: the first organisation is active at once, listed and on the ledger', async () => {
      const { custodian } = await ledgerInfo(gateway.services);
      const founded = await proposeOrganisation(
        gateway.services,
        sessionOf(founder),
        await signedProposal(founder, 'St Mary Hospital', custodian.encryptionKey),
      );
      assert.deepEqual(
        { organisationId: founded.organisationId, status: founded.status },
        {
          organisationId: 1,
          status: 'active',
        },
      );
      assert.deepEqual((await listOrganisations(gateway.services)).organisations, [
        {
          organisationId: 1,
          name: 'St Mary Hospital',
          kind: 'hospital',
          status: 'active',
          admin: founder.address,
          encryptionKey: custodian.encryptionKey,
          gatewayUrl: gateway.url,
        },
      ]);
      const onLedger = await organisationOnLedger(gateway.services, 1);
      assert.deepEqual(
        { name: onLedger.name, kind: onLedger.kind, status: onLedger.status },
        {
          name: 'St Mary Hospital',
          kind: 'hospital',
          status: 'active',
        },
      );
    });

    it('admits a later organisation once approved, and publishes its gateway', async () => {
      const proposed = await proposeOrganisation(
        gateway.services,
        sessionOf(joiner),
        await signedProposal(joiner, 'North Lab', joinerKey),
      );
      assert.deepEqual(
        { organisationId: proposed.organisationId, status: proposed.status },
        {
          organisationId: 2,
          status: 'pending',
        },
      );
      assert.equal((await organisationOnLedger(gateway.services, 2)).status, 'pending');
      const approved = await approveOrganisation(
        gateway.services,
        sessionOf(founder),
        await signedApproval(founder, 2),
      );
      assert.equal(approved.status, 'active');
      // One active organisation voted; it alone was two thirds of those active before.
      assert.deepEqual([approved.approvals, approved.approvalsNeeded], [1, 1]);

      const gatewayUrl = 'https://north-lab.example';
      const { relayer } = await ledgerInfo(gateway.services);
      const message = { organisationId: 2, gatewayUrl, relayer, admin: joiner.address };
      const published = await publishGateway(gateway.services, sessionOf(joiner), {
        ...message,
        ...(await joiner.signAction('consortium', consortiumTypes, 'SetGateway', message)),
      });
      assert.equal(published.organisationId, 2);
      const onLedger = await organisationOnLedger(gateway.services, 2);
      assert.deepEqual(
        { kind: onLedger.kind, status: onLedger.status, gatewayUrl: onLedger.gatewayUrl },
        {
          kind: 'lab',
          status: 'active',
          gatewayUrl,
        },
      );
    });

    it('tells an unknown organisation apart (no_such_organisation) and refuses what a session did not sign', async () => {
      await assert.rejects(organisationOnLedger(gateway.services, 999), {
        code: 'not_found',
        reason: 'no_such_organisation',
        fields: { organisationId: 999 },
      });
      await assert.rejects(
        approveOrganisation(gateway.services, sessionOf(founder), await signedApproval(founder, 999)),
        { code: 'not_found', reason: 'no_such_organisation' },
      );
      const stranger = newActor(gateway.url);
      await assert.rejects(
        proposeOrganisation(
          gateway.services,
          sessionOf(founder),
          await signedProposal(stranger, 'Elsewhere Hospital', bytesToHex(randomBytes(32))),
        ),
        { code: 'access_denied', reason: 'not_the_signer' },
      );
      assert.equal((await listOrganisations(gateway.services)).organisations.length, 2);
    });

    it('enacts a custody proposal once two thirds of the active organisations approve', async () => {
      const message = { custodians: [1, 2], threshold: 2, admin: founder.address };
      const proposed = await proposeCustody(gateway.services, sessionOf(founder), {
        ...message,
        ...(await founder.signAction('consortium', consortiumTypes, 'ProposeCustody', message)),
      });
      assert.equal(proposed.enacted, false);
      assert.equal((await ledgerInfo(gateway.services)).custody.version, 0);
      const approval = await joiner.signAction('consortium', consortiumTypes, 'ApproveCustody', {
        proposalId: BigInt(proposed.proposalId),
        approver: joiner.address,
      });
      const approved = await approveCustody(gateway.services, sessionOf(joiner), {
        approver: joiner.address,
        proposalId: proposed.proposalId,
        ...approval,
      });
      assert.deepEqual(approved, {
        proposalId: proposed.proposalId,
        enacted: true,
        transactionHash: approved.transactionHash,
        approvals: 2,
        approvalsNeeded: 2,
      });
      assert.deepEqual((await ledgerInfo(gateway.services)).custody, {
        custodians: [1, 2],
        threshold: 2,
        version: 1,
      });
    });
  });

  describe('members and patients', () => {
    it('registers a member, listed to its organisation’s members only (not_organisation_member)', async () => {
      const doctor = newActor(gateway.url);
      const added = await addMember(
        gateway.services,
        sessionOf(founder),
        await signedMember(founder, doctor, 1),
      );
      assert.deepEqual(
        { address: added.address, organisationId: added.organisationId, role: added.role },
        {
          address: doctor.address,
          organisationId: 1,
          role: 'doctor',
        },
      );
      const expected = {
        address: doctor.address,
        role: 'doctor',
        active: true,
        encryptionKey: doctor.identity.encryption.publicKey,
      };
      const listedToFounder = (await listMembers(gateway.services, sessionOf(founder), 1)).members;
      assert.deepEqual(
        listedToFounder.find((member) => member.address === doctor.address),
        expected,
      );
      const listedToDoctor = (await listMembers(gateway.services, sessionOf(doctor), 1)).members;
      assert.deepEqual(
        listedToDoctor.find((member) => member.address === doctor.address),
        expected,
      );
      for (const outsider of [joiner, newActor(gateway.url)]) {
        await assert.rejects(listMembers(gateway.services, sessionOf(outsider), 1), {
          code: 'not_found',
          reason: 'not_organisation_member',
          fields: { organisationId: 1 },
        });
      }
    });

    it('refuses a member registration the session did not sign (not_the_signer)', async () => {
      const nurse = newActor(gateway.url);
      await assert.rejects(
        addMember(gateway.services, sessionOf(nurse), await signedMember(founder, nurse, 1)),
        { code: 'access_denied', reason: 'not_the_signer' },
      );
      const members = (await listMembers(gateway.services, sessionOf(founder), 1)).members;
      assert.ok(!members.some((member) => member.address === nurse.address));
    });

    it('suspends a member, who is then listed as inactive', async () => {
      const doctor = newActor(gateway.url);
      await addMember(gateway.services, sessionOf(founder), await signedMember(founder, doctor, 1));
      const signed = await founder.signAction('consortium', consortiumTypes, 'SuspendMember', {
        member: doctor.address,
        admin: founder.address,
      });
      const suspended = await suspendMember(gateway.services, sessionOf(founder), {
        admin: founder.address,
        member: doctor.address,
        ...signed,
      });
      assert.deepEqual(
        { address: suspended.address, active: suspended.active },
        { address: doctor.address, active: false },
      );
      const listed = (await listMembers(gateway.services, sessionOf(founder), 1)).members;
      assert.equal(listed.find((member) => member.address === doctor.address)?.active, false);
    });

    it('registers a patient, whose keys name its custodian; anyone else is not_a_patient', async () => {
      const patient = newActor(gateway.url);
      const registered = await registerPatient(
        gateway.services,
        sessionOf(patient),
        await signedPatient(patient, 1),
      );
      assert.deepEqual(
        { address: registered.address, organisationId: registered.organisationId },
        {
          address: patient.address,
          organisationId: 1,
        },
      );
      const { custodian } = await ledgerInfo(gateway.services);
      assert.deepEqual(await patientKeys(gateway.services, patient.address), {
        address: patient.address,
        encryptionKey: patient.identity.encryption.publicKey,
        organisationId: 1,
        custodian: { organisationId: 1, encryptionKey: custodian.encryptionKey },
      });
      const stranger = newActor(gateway.url);
      await assert.rejects(patientKeys(gateway.services, stranger.address), {
        code: 'not_found',
        reason: 'not_a_patient',
      });
      await assert.rejects(
        registerPatient(gateway.services, sessionOf(stranger), await signedPatient(patient, 1)),
        { code: 'access_denied', reason: 'not_the_signer' },
      );
    });
  });
});
