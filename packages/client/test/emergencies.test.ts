/**
 * The emergency actions ("break the glass") against a real gateway: the privilege, a declaration,
 * the lists, the review, and the consortium's window.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addRecord,
  approveEmergencyWindow,
  approveOrganisation,
  createOrganisation,
  declareEmergency,
  type Emergency,
  emergency,
  emergencyWindow,
  type GatewayClient,
  listEmergencies,
  proposeEmergencyWindow,
  readRecord,
  reviewEmergency,
  setEmergencyPrivilege,
} from '@medledger/client';
import { AccessDeniedError, ConflictError, NotFoundError } from '@medledger/core';
import type { Hex } from 'viem';
import {
  type Consortium,
  foundConsortium,
  labResult,
  medication,
  newActor,
  newMember,
  newPatient,
  rejectsWith,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

const justification = 'Found unconscious in the emergency department; no relative reachable.';

describe('emergency actions', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let labAdmin: GatewayClient;
  let doctor: GatewayClient;
  let nurse: GatewayClient;
  let patient: GatewayClient;
  let medicationRecord: Hex;
  let labRecord: Hex;
  let declared: Emergency;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    labAdmin = newActor(gateway.url);
    const { organisationId } = await createOrganisation(labAdmin, { name: 'City Lab', kind: 'lab' });
    await approveOrganisation(consortium.admin, organisationId);
    [doctor, nurse, patient] = await Promise.all([
      newMember(gateway.url, consortium, 'doctor'),
      newMember(gateway.url, consortium, 'nurse'),
      newPatient(gateway.url, consortium),
    ]);
    [{ recordId: medicationRecord }, { recordId: labRecord }] = await Promise.all([
      addRecord(patient, { patient: patient.address, category: 'medication', resource: medication() }),
      addRecord(patient, { patient: patient.address, category: 'lab', resource: labResult() }),
    ]);
  });
  after(() => gateway.stop());

  it('setEmergencyPrivilege: the organisation’s admin gives a member the privilege; a member may not', async () => {
    await rejectsWith(
      setEmergencyPrivilege(nurse, doctor.address, true),
      AccessDeniedError,
      'emergencies_not_active_admin',
    );
    const set = await setEmergencyPrivilege(consortium.admin, doctor.address, true);
    assert.deepEqual(
      [set.member, set.privileged, set.organisationId],
      [doctor.address, true, consortium.organisationId],
    );
  });

  it('declareEmergency: the privileged member opens the emergency set for the window; others may not', async () => {
    await rejectsWith(
      declareEmergency(nurse, { patient: patient.address, reason: 'other', justification }),
      AccessDeniedError,
      'emergencies_not_privileged',
    );
    await rejectsWith(readRecord(doctor, medicationRecord), AccessDeniedError, 'no_consent');
    declared = await declareEmergency(doctor, {
      patient: patient.address,
      reason: 'unconscious',
      justification,
    });
    assert.deepEqual(
      [
        declared.member,
        declared.patient,
        declared.reason,
        declared.justification,
        declared.status,
        declared.verdict,
      ],
      [doctor.address, patient.address, 'unconscious', justification, 'open', 'pending'],
    );
    assert.deepEqual((await readRecord(doctor, medicationRecord)).resource, medication());
    await rejectsWith(readRecord(doctor, labRecord), AccessDeniedError, 'no_consent');
  });

  it('listEmergencies: the admin’s unreviewed queue, the member’s and the patient’s own', async () => {
    const queue = await listEmergencies(consortium.admin, { unreviewedOnly: true });
    assert.ok(queue.emergencies.some((e) => e.emergencyId === declared.emergencyId));
    for (const client of [doctor, patient]) {
      const { emergencies } = await listEmergencies(client);
      assert.deepEqual(
        emergencies.map((e) => e.emergencyId),
        [declared.emergencyId],
      );
    }
    assert.deepEqual((await listEmergencies(nurse)).emergencies, []);
  });

  it('emergency: one emergency, for those it concerns', async () => {
    const seen = await emergency(patient, declared.emergencyId);
    assert.deepEqual(
      [seen.emergencyId, seen.member, seen.reason],
      [declared.emergencyId, doctor.address, 'unconscious'],
    );
    // To anyone else it does not exist.
    await rejectsWith(emergency(nurse, declared.emergencyId), NotFoundError, 'no_such_emergency');
  });

  it('reviewEmergency: the member’s organisation admin judges it, once', async () => {
    await rejectsWith(
      reviewEmergency(labAdmin, declared.emergencyId, 'justified'),
      AccessDeniedError,
      'emergencies_not_active_admin',
    );
    const reviewed = await reviewEmergency(consortium.admin, declared.emergencyId, 'justified');
    assert.deepEqual(
      [reviewed.verdict, reviewed.reviewer, reviewed.status],
      ['justified', consortium.admin.address, 'open'],
    );
    await rejectsWith(
      reviewEmergency(consortium.admin, declared.emergencyId, 'unjustified'),
      ConflictError,
      'emergencies_already_reviewed',
    );
    const queue = await listEmergencies(consortium.admin, { unreviewedOnly: true });
    assert.ok(!queue.emergencies.some((e) => e.emergencyId === declared.emergencyId));
  });

  it('emergencyWindow: four hours until the consortium votes another', async () => {
    assert.deepEqual(await emergencyWindow(patient), { windowSeconds: 4 * 3600, version: 0 });
  });

  it('proposeEmergencyWindow and approveEmergencyWindow: two of two organisations enact a new window', async () => {
    await rejectsWith(
      proposeEmergencyWindow(doctor, 3600),
      AccessDeniedError,
      'emergencies_not_active_admin',
    );
    const proposed = await proposeEmergencyWindow(consortium.admin, 2 * 3600);
    assert.equal(proposed.enacted, false, 'one of two organisations is not two thirds');
    const approved = await approveEmergencyWindow(labAdmin, proposed.proposalId);
    assert.deepEqual(
      [approved.proposalId, approved.enacted, approved.approvals, approved.approvalsNeeded],
      [proposed.proposalId, true, 2, 2],
    );
    assert.deepEqual(await emergencyWindow(patient), { windowSeconds: 2 * 3600, version: 1 });
  });
});
