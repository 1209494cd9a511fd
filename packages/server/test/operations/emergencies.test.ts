/** The emergency operations, called without HTTP on a real gateway (anvil + SQLite). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import {
  emergencyReasonCode,
  justificationHashOf,
  MedledgerError,
  newJustificationSalt,
} from '@medledger/core';
import type { Session } from '../../src/auth.ts';
import {
  approveEmergencyWindow,
  declareEmergency,
  emergencyWindow,
  getEmergency,
  listEmergencies,
  proposeEmergencyWindow,
  reviewEmergency,
  setEmergencyPrivilege,
} from '../../src/operations/emergencies.ts';
import { type Consortium, foundConsortium, newMember, newPatient, signAction } from '../helpers/actors.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { sessionOf } from '../helpers/sessions.ts';

/** A refusal by the chain: its code, and the contract's error by name. */
function refusedByChain(code: string, contractError: string) {
  return (error: unknown) => {
    assert.ok(error instanceof MedledgerError);
    assert.equal(error.code, code);
    assert.equal((error as { contractError?: { name: string } }).contractError?.name, contractError);
    return true;
  };
}

const justification = 'Found unconscious in the emergency department; no relative reachable.';

describe('emergency operations', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let admin: Session;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    admin = sessionOf(consortium.admin);
  });
  after(() => gateway.stop());

  const sign = (actor: GatewayClient, primaryType: string, message: Record<string, unknown>) =>
    signAction(gateway.url, actor.identity, 'emergencies', primaryType, message);

  /**
   * `signer` gives `member` the privilege (or takes it away), relayed for `caller` (by default the
   * signer itself; another caller tests that a gateway relays only what its caller signed).
   */
  async function setPrivilegeBy(
    signer: GatewayClient,
    member: GatewayClient,
    privileged: boolean,
    caller: Session = sessionOf(signer),
  ) {
    const message = { member: member.address, privileged, admin: signer.address };
    const signed = await sign(signer, 'SetEmergencyPrivilege', message);
    return setEmergencyPrivilege(gateway.services, caller, member.address, {
      admin: signer.address,
      privileged,
      ...signed,
    });
  }

  const givePrivilege = (member: GatewayClient, privileged = true) =>
    setPrivilegeBy(consortium.admin, member, privileged);

  async function declarationBy(member: GatewayClient, patient: GatewayClient, text = justification) {
    const justificationSalt = newJustificationSalt();
    const message = {
      member: member.address,
      patient: patient.address,
      reasonCode: emergencyReasonCode('unconscious'),
      justificationHash: justificationHashOf(justificationSalt, text),
    };
    return {
      ...message,
      justification: text,
      justificationSalt,
      ...(await sign(member, 'DeclareEmergency', message)),
    };
  }

  async function reviewBy(reviewer: GatewayClient, emergencyId: number, verdict: 1 | 2) {
    const signed = await sign(reviewer, 'ReviewEmergency', {
      emergencyId: BigInt(emergencyId),
      verdict,
      reviewer: reviewer.address,
    });
    return reviewEmergency(gateway.services, sessionOf(reviewer), emergencyId, {
      reviewer: reviewer.address,
      verdict,
      ...signed,
    });
  }

  it('gives and takes the privilege, signed by an admin of the member’s organisation only', async () => {
    const doctor = await newMember(gateway.url, consortium);
    const given = await givePrivilege(doctor);
    assert.deepEqual(
      { ...given, transactionHash: undefined, blockNumber: undefined },
      {
        member: doctor.address,
        privileged: true,
        organisationId: consortium.organisationId,
        transactionHash: undefined,
        blockNumber: undefined,
      },
    );
    assert.match(given.transactionHash, /^0x[0-9a-f]{64}$/);
    assert.equal((await givePrivilege(doctor, false)).privileged, false);

    // A gateway relays only what its caller signed.
    await assert.rejects(setPrivilegeBy(consortium.admin, doctor, true, sessionOf(doctor)), {
      code: 'access_denied',
      reason: 'not_the_signer',
    });
    // A member is not an admin.
    const nurse = await newMember(gateway.url, consortium, 'nurse');
    await assert.rejects(
      setPrivilegeBy(doctor, nurse, true),
      refusedByChain('access_denied', 'EmergenciesNotActiveAdmin'),
    );
  });

  it('declares an emergency for a privileged member only, keeping the justification whose hash was signed', async () => {
    const [doctor, nurse, patient] = await Promise.all([
      newMember(gateway.url, consortium),
      newMember(gateway.url, consortium, 'nurse'),
      newPatient(gateway.url, consortium),
    ]);
    await givePrivilege(doctor);
    const declared = await declareEmergency(
      gateway.services,
      sessionOf(doctor),
      await declarationBy(doctor, patient),
    );
    assert.equal(declared.member, doctor.address);
    assert.equal(declared.patient, patient.address);
    assert.equal(declared.reason, 'unconscious');
    assert.equal(declared.justification, justification);
    assert.deepEqual(declared.categories, ['condition', 'medication', 'allergy', 'emergency']);
    assert.deepEqual([declared.status, declared.verdict, declared.reviewer], ['open', 'pending', null]);
    assert.equal(declared.expiresAt - declared.declaredAt, 4 * 3600);

    await assert.rejects(
      declareEmergency(gateway.services, sessionOf(nurse), await declarationBy(nurse, patient)),
      refusedByChain('access_denied', 'EmergenciesNotPrivileged'),
    );
    await assert.rejects(
      declareEmergency(gateway.services, sessionOf(doctor), await declarationBy(doctor, patient)),
      refusedByChain('conflict', 'EmergenciesAlreadyActive'),
    );
    const tampered = { ...(await declarationBy(doctor, patient)), justification: 'Another text' };
    await assert.rejects(declareEmergency(gateway.services, sessionOf(doctor), tampered), {
      code: 'invalid_input',
      reason: 'justification_hash_mismatch',
    });
    await assert.rejects(
      declareEmergency(gateway.services, sessionOf(patient), await declarationBy(doctor, patient)),
      { code: 'access_denied', reason: 'not_the_signer' },
    );
  });

  it('shows an emergency to its member, its patient and its organisation’s admins only; the justification not to the patient', async () => {
    const [doctor, patient, stranger] = await Promise.all([
      newMember(gateway.url, consortium),
      newPatient(gateway.url, consortium),
      newPatient(gateway.url, consortium),
    ]);
    await givePrivilege(doctor);
    const { emergencyId } = await declareEmergency(
      gateway.services,
      sessionOf(doctor),
      await declarationBy(doctor, patient),
    );
    assert.equal(
      (await getEmergency(gateway.services, sessionOf(doctor), emergencyId)).justification,
      justification,
    );
    assert.equal((await getEmergency(gateway.services, admin, emergencyId)).justification, justification);
    const toPatient = await getEmergency(gateway.services, sessionOf(patient), emergencyId);
    assert.deepEqual([toPatient.emergencyId, toPatient.justification], [emergencyId, null]);

    await assert.rejects(getEmergency(gateway.services, sessionOf(stranger), emergencyId), {
      code: 'not_found',
      reason: 'no_such_emergency',
    });
    await assert.rejects(getEmergency(gateway.services, admin, emergencyId + 1000), {
      code: 'not_found',
      reason: 'no_such_emergency',
    });
    const { events } = await patient.audit();
    assert.ok(
      events.some(
        (event) =>
          event.action === 'emergency-read' &&
          event.actor === stranger.address &&
          event.outcome === 'denied' &&
          event.reason === 'not_party_to_emergency',
      ),
      'the refused view is audited under the patient',
    );

    const ids = async (session: Session, status?: 'unreviewed') =>
      (await listEmergencies(gateway.services, session, status ? { status } : {})).emergencies.map(
        (emergency) => emergency.emergencyId,
      );
    assert.deepEqual(await ids(sessionOf(patient)), [emergencyId]);
    assert.deepEqual(await ids(sessionOf(doctor)), [emergencyId]);
    assert.ok((await ids(admin, 'unreviewed')).includes(emergencyId));
    assert.deepEqual(await ids(sessionOf(stranger)), []);
    const listedToPatient = (await listEmergencies(gateway.services, sessionOf(patient), {})).emergencies[0];
    assert.equal(listedToPatient?.justification, null);
  });

  it('takes one verdict from an admin of the member’s organisation; unjustified ends the emergency', async () => {
    const [doctor, patient] = await Promise.all([
      newMember(gateway.url, consortium),
      newPatient(gateway.url, consortium),
    ]);
    await givePrivilege(doctor);
    const { emergencyId } = await declareEmergency(
      gateway.services,
      sessionOf(doctor),
      await declarationBy(doctor, patient),
    );
    await assert.rejects(
      reviewBy(doctor, emergencyId, 1),
      refusedByChain('access_denied', 'EmergenciesNotActiveAdmin'),
    );
    const reviewed = await reviewBy(consortium.admin, emergencyId, 2);
    assert.deepEqual(
      [reviewed.verdict, reviewed.status, reviewed.reviewer],
      ['unjustified', 'ended', admin.address],
    );
    assert.ok(
      !(await listEmergencies(gateway.services, admin, { status: 'unreviewed' })).emergencies.some(
        (emergency) => emergency.emergencyId === emergencyId,
      ),
    );
    await assert.rejects(
      reviewBy(consortium.admin, emergencyId, 1),
      refusedByChain('conflict', 'EmergenciesAlreadyReviewed'),
    );
  });

  it('proposes the window (enacted by two thirds of the organisations) and refuses a second vote', async () => {
    const before = await emergencyWindow(gateway.services);
    assert.equal(before.windowSeconds, 4 * 3600);
    const windowSeconds = 2 * 3600;
    const proposed = await proposeEmergencyWindow(gateway.services, admin, {
      windowSeconds,
      admin: admin.address,
      ...(await sign(consortium.admin, 'ProposeEmergencyWindow', {
        windowSeconds: BigInt(windowSeconds),
        admin: admin.address,
      })),
    });
    // The consortium has one organisation: the proposer's vote enacts it.
    assert.equal(proposed.enacted, true);
    assert.deepEqual(await emergencyWindow(gateway.services), { windowSeconds, version: before.version + 1 });
    await assert.rejects(
      approveEmergencyWindow(gateway.services, admin, proposed.proposalId, {
        approver: admin.address,
        ...(await sign(consortium.admin, 'ApproveEmergencyWindow', {
          proposalId: BigInt(proposed.proposalId),
          approver: admin.address,
        })),
      }),
      refusedByChain('invalid_input', 'EmergenciesWindowProposalNotPending'),
    );
  });
});
