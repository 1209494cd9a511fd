import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Address } from 'viem';
import {
  action,
  addMember,
  newAccount,
  randomBytes32,
  role,
  suspendMember,
  zeroAddress,
} from './helpers/actions.ts';
import {
  approveEmergencyWindow,
  declareEmergency,
  defaultWindow,
  proposeEmergencyWindow,
  reason,
  reviewEmergency,
  setEmergencyPrivilege,
  verdict,
} from './helpers/emergencyActions.ts';
import { type Consortium, setUpConsortium } from './helpers/fixtures.ts';
import {
  assertEvents,
  assertRevert,
  deployLedger,
  isolateEachTest,
  type TestLedger,
} from './helpers/ledger.ts';

const category = {
  condition: 0,
  medication: 1,
  allergy: 2,
  lab: 3,
  imaging: 4,
  note: 5,
  emergency: 6,
  insurance: 7,
  vitals: 11,
};
const normal = 0;
const restricted = 1;

interface Emergency {
  member: Address;
  organisationId: number;
  reasonCode: number;
  verdict: number;
  patient: Address;
  declaredAt: bigint;
  justificationHash: `0x${string}`;
  expiresAt: bigint;
  reviewer: Address;
  reviewedAt: bigint;
}

describe('Emergencies', () => {
  let ledger: TestLedger;
  let c: Consortium;
  before(async () => {
    ledger = await deployLedger();
    c = await setUpConsortium(ledger);
  });
  after(() => ledger.stop());
  isolateEachTest(() => ledger);

  const emergencyOf = (id: bigint) => ledger.read<Emergency>('emergencies', 'emergencyOf', [id]);
  const activeEmergency = (member: Address, patient: Address) =>
    ledger.read<bigint>('emergencies', 'activeEmergency', [member, patient]);
  const authorising = (
    actor: Address,
    patient: Address,
    categoryIndex: number,
    sensitivity = normal,
    actions: number = action.read,
  ) =>
    ledger.read<bigint>('emergencies', 'authorisingEmergency', [
      actor,
      patient,
      categoryIndex,
      sensitivity,
      actions,
    ]);
  const privileged = (member: Address) =>
    ledger.read<boolean>('emergencies', 'isEmergencyPrivileged', [member]);
  const window = () => ledger.read<readonly [bigint, bigint]>('emergencies', 'emergencyWindow');

  /** The doctor, privileged by the hospital's admin. */
  async function privilegedDoctor(): Promise<void> {
    await setEmergencyPrivilege(ledger, c.hospitalAdmin, c.doctor.address, true);
  }

  describe('privilege', () => {
    it('is given and taken away by an admin of the member’s organisation', async () => {
      assert.equal(await privileged(c.doctor.address), false);
      assertEvents(await setEmergencyPrivilege(ledger, c.hospitalAdmin, c.doctor.address, true), [
        {
          eventName: 'EmergencyPrivilegeSet',
          args: {
            member: c.doctor.address,
            organisationId: c.hospital,
            privileged: true,
            admin: c.hospitalAdmin.address,
          },
        },
      ]);
      assert.equal(await privileged(c.doctor.address), true);
      await setEmergencyPrivilege(ledger, c.hospitalAdmin, c.doctor.address, false);
      assert.equal(await privileged(c.doctor.address), false);
    });

    it('refuses an admin of another organisation, a non-admin and a non-member', async () => {
      await assertRevert(
        setEmergencyPrivilege(ledger, c.labAdmin, c.doctor.address, true),
        'EmergenciesNotActiveAdmin',
        [c.labAdmin.address, c.hospital],
      );
      await assertRevert(
        setEmergencyPrivilege(ledger, c.nurse, c.doctor.address, true),
        'EmergenciesNotActiveAdmin',
        [c.nurse.address, c.hospital],
      );
      await assertRevert(
        setEmergencyPrivilege(ledger, c.hospitalAdmin, c.stranger.address, true),
        'EmergenciesUnknownMember',
        [c.stranger.address],
      );
      await assertRevert(
        setEmergencyPrivilege(ledger, c.hospitalAdmin, c.patient.address, true),
        'EmergenciesUnknownMember',
        [c.patient.address],
      );
    });

    it('refuses a suspended admin', async () => {
      const secondAdmin = newAccount();
      await addMember(ledger, c.hospitalAdmin, {
        organisationId: c.hospital,
        member: secondAdmin.address,
        role: role.admin,
      });
      await suspendMember(ledger, c.hospitalAdmin, secondAdmin.address);
      await assertRevert(
        setEmergencyPrivilege(ledger, secondAdmin, c.doctor.address, true),
        'EmergenciesNotActiveAdmin',
        [secondAdmin.address, c.hospital],
      );
    });

    it('refuses to set what is already set, and to privilege a suspended member', async () => {
      await assertRevert(
        setEmergencyPrivilege(ledger, c.hospitalAdmin, c.doctor.address, false),
        'EmergenciesPrivilegeAlreadySet',
        [c.doctor.address, false],
      );
      await privilegedDoctor();
      await assertRevert(
        setEmergencyPrivilege(ledger, c.hospitalAdmin, c.doctor.address, true),
        'EmergenciesPrivilegeAlreadySet',
        [c.doctor.address, true],
      );
      await suspendMember(ledger, c.hospitalAdmin, c.nurse.address);
      await assertRevert(
        setEmergencyPrivilege(ledger, c.hospitalAdmin, c.nurse.address, true),
        'EmergenciesNotActiveMember',
        [c.nurse.address],
      );
      // Taking the privilege away from a suspended member is allowed.
      await suspendMember(ledger, c.hospitalAdmin, c.doctor.address);
      await setEmergencyPrivilege(ledger, c.hospitalAdmin, c.doctor.address, false);
    });

    it('needs the admin’s own signature, once', async () => {
      await assertRevert(
        setEmergencyPrivilege(ledger, c.doctor, c.doctor.address, true, { admin: c.hospitalAdmin.address }),
        'SignedActionInvalidSignature',
        [c.hospitalAdmin.address],
      );
      await setEmergencyPrivilege(ledger, c.hospitalAdmin, c.doctor.address, true, {}, { nonce: 9n });
      await assertRevert(
        setEmergencyPrivilege(ledger, c.hospitalAdmin, c.doctor.address, false, {}, { nonce: 9n }),
        'SignedActionNonceUsed',
        [c.hospitalAdmin.address, 9n],
      );
    });
  });

  describe('declaration', () => {
    it('opens the emergency set to its member for the window, and records the declaration', async () => {
      await privilegedDoctor();
      const justificationHash = randomBytes32();
      const result = await declareEmergency(ledger, c.doctor, {
        patient: c.patient.address,
        reasonCode: reason.lifeThreatening,
        justificationHash,
      });
      const declaredAt = (await ledger.publicClient.getBlock({ blockNumber: result.receipt.blockNumber }))
        .timestamp;
      assertEvents(result, [
        {
          eventName: 'EmergencyDeclared',
          args: {
            emergencyId: 1n,
            patient: c.patient.address,
            member: c.doctor.address,
            organisationId: c.hospital,
            reasonCode: reason.lifeThreatening,
            justificationHash,
            declaredAt,
            expiresAt: declaredAt + defaultWindow,
          },
        },
      ]);
      assert.deepEqual(await emergencyOf(1n), {
        member: c.doctor.address,
        organisationId: c.hospital,
        reasonCode: reason.lifeThreatening,
        verdict: 0,
        patient: c.patient.address,
        declaredAt,
        justificationHash,
        expiresAt: declaredAt + defaultWindow,
        reviewer: zeroAddress,
        reviewedAt: 0n,
      });
      assert.equal(await ledger.read('emergencies', 'emergencyCount'), 1n);
      assert.equal(await activeEmergency(c.doctor.address, c.patient.address), 1n);

      for (const open of [category.condition, category.medication, category.allergy, category.emergency]) {
        assert.equal(await authorising(c.doctor.address, c.patient.address, open), 1n, `category ${open}`);
      }
      for (const closed of [
        category.lab,
        category.imaging,
        category.note,
        category.insurance,
        category.vitals,
        31,
        255,
      ]) {
        assert.equal(
          await authorising(c.doctor.address, c.patient.address, closed),
          0n,
          `category ${closed}`,
        );
      }
      // Normal sensitivity and reading only; this patient only; this member only.
      assert.equal(await authorising(c.doctor.address, c.patient.address, category.allergy, restricted), 0n);
      assert.equal(
        await authorising(c.doctor.address, c.patient.address, category.allergy, normal, action.append),
        0n,
      );
      assert.equal(
        await authorising(
          c.doctor.address,
          c.patient.address,
          category.allergy,
          normal,
          action.read | action.share,
        ),
        0n,
      );
      assert.equal(await authorising(c.doctor.address, c.otherPatient.address, category.allergy), 0n);
      assert.equal(await authorising(c.nurse.address, c.patient.address, category.allergy), 0n);
      assert.equal(await ledger.read('emergencies', 'emergencyCategories'), 0b1000111);
    });

    it('ends at the deadline, after which a new declaration opens a new window', async () => {
      await privilegedDoctor();
      const { emergencyId } = await declareEmergency(ledger, c.doctor, { patient: c.patient.address });
      const { expiresAt } = await emergencyOf(emergencyId);
      await ledger.increaseTime(Number(defaultWindow) - 10);
      assert.equal(await activeEmergency(c.doctor.address, c.patient.address), emergencyId);
      await ledger.increaseTime(10);
      assert.ok((await ledger.now()) >= expiresAt);
      assert.equal(await activeEmergency(c.doctor.address, c.patient.address), 0n);
      assert.equal(await authorising(c.doctor.address, c.patient.address, category.allergy), 0n);

      const again = await declareEmergency(ledger, c.doctor, { patient: c.patient.address });
      assert.equal(again.emergencyId, 2n);
      assert.equal(await authorising(c.doctor.address, c.patient.address, category.allergy), 2n);
    });

    it('refuses a second declaration while one is open, so the window cannot be extended', async () => {
      await privilegedDoctor();
      const { emergencyId } = await declareEmergency(ledger, c.doctor, { patient: c.patient.address });
      const { expiresAt } = await emergencyOf(emergencyId);
      await ledger.increaseTime(3600);
      await assertRevert(
        declareEmergency(ledger, c.doctor, { patient: c.patient.address, reasonCode: reason.other }),
        'EmergenciesAlreadyActive',
        [emergencyId, expiresAt],
      );
      assert.equal((await emergencyOf(emergencyId)).expiresAt, expiresAt);
      assert.equal(await ledger.read('emergencies', 'emergencyCount'), 1n);
      // Another patient is another emergency.
      await declareEmergency(ledger, c.doctor, { patient: c.otherPatient.address });
      assert.equal(await ledger.read('emergencies', 'emergencyCount'), 2n);
    });

    it('refuses a member without the privilege, or whose privilege was taken away', async () => {
      await assertRevert(
        declareEmergency(ledger, c.nurse, { patient: c.patient.address }),
        'EmergenciesNotPrivileged',
        [c.nurse.address],
      );
      await privilegedDoctor();
      await setEmergencyPrivilege(ledger, c.hospitalAdmin, c.doctor.address, false);
      await assertRevert(
        declareEmergency(ledger, c.doctor, { patient: c.patient.address }),
        'EmergenciesNotPrivileged',
        [c.doctor.address],
      );
    });

    it('refuses a suspended member and anyone who is not a member', async () => {
      await privilegedDoctor();
      await suspendMember(ledger, c.hospitalAdmin, c.doctor.address);
      await assertRevert(
        declareEmergency(ledger, c.doctor, { patient: c.patient.address }),
        'EmergenciesNotActiveMember',
        [c.doctor.address],
      );
      await assertRevert(
        declareEmergency(ledger, c.stranger, { patient: c.patient.address }),
        'EmergenciesNotActiveMember',
        [c.stranger.address],
      );
      await assertRevert(
        declareEmergency(ledger, c.otherPatient, { patient: c.patient.address }),
        'EmergenciesNotActiveMember',
        [c.otherPatient.address],
      );
    });

    it('refuses an unknown patient, an unknown reason and an empty justification', async () => {
      await privilegedDoctor();
      await assertRevert(
        declareEmergency(ledger, c.doctor, { patient: c.stranger.address }),
        'EmergenciesUnknownPatient',
        [c.stranger.address],
      );
      for (const code of [0, 5, 255]) {
        await assertRevert(
          declareEmergency(ledger, c.doctor, { patient: c.patient.address, reasonCode: code }),
          'EmergenciesInvalidReason',
          [code],
        );
      }
      await assertRevert(
        declareEmergency(ledger, c.doctor, {
          patient: c.patient.address,
          justificationHash: `0x${'00'.repeat(32)}`,
        }),
        'EmergenciesEmptyJustification',
      );
    });

    it('needs the member’s own signature, within its deadline', async () => {
      await privilegedDoctor();
      await assertRevert(
        declareEmergency(ledger, c.nurse, { member: c.doctor.address, patient: c.patient.address }),
        'SignedActionInvalidSignature',
        [c.doctor.address],
      );
      const deadline = (await ledger.now()) - 1n;
      await assertRevert(
        declareEmergency(ledger, c.doctor, { patient: c.patient.address }, { deadline }),
        'SignedActionExpired',
        [deadline],
      );
    });

    it('stops authorising once the member is suspended or loses the privilege', async () => {
      await privilegedDoctor();
      await declareEmergency(ledger, c.doctor, { patient: c.patient.address });
      await setEmergencyPrivilege(ledger, c.hospitalAdmin, c.doctor.address, false);
      assert.equal(await authorising(c.doctor.address, c.patient.address, category.allergy), 0n);
      await setEmergencyPrivilege(ledger, c.hospitalAdmin, c.doctor.address, true);
      assert.equal(await authorising(c.doctor.address, c.patient.address, category.allergy), 1n);
      await suspendMember(ledger, c.hospitalAdmin, c.doctor.address);
      assert.equal(await authorising(c.doctor.address, c.patient.address, category.allergy), 0n);
    });
  });

  describe('review', () => {
    it('is a verdict by an admin of the member’s organisation; unjustified closes the access', async () => {
      await privilegedDoctor();
      const { emergencyId } = await declareEmergency(ledger, c.doctor, { patient: c.patient.address });
      const result = await reviewEmergency(ledger, c.hospitalAdmin, emergencyId, verdict.unjustified);
      assertEvents(result, [
        {
          eventName: 'EmergencyReviewed',
          args: {
            emergencyId,
            organisationId: c.hospital,
            reviewer: c.hospitalAdmin.address,
            verdict: verdict.unjustified,
          },
        },
      ]);
      const reviewed = await emergencyOf(emergencyId);
      assert.equal(reviewed.verdict, verdict.unjustified);
      assert.equal(reviewed.reviewer, c.hospitalAdmin.address);
      assert.equal(reviewed.reviewedAt, await ledger.now());
      assert.equal(await activeEmergency(c.doctor.address, c.patient.address), 0n);
      assert.equal(await authorising(c.doctor.address, c.patient.address, category.allergy), 0n);
    });

    it('leaves a justified emergency open until its deadline', async () => {
      await privilegedDoctor();
      const { emergencyId } = await declareEmergency(ledger, c.doctor, { patient: c.patient.address });
      await reviewEmergency(ledger, c.hospitalAdmin, emergencyId, verdict.justified);
      assert.equal(await authorising(c.doctor.address, c.patient.address, category.allergy), emergencyId);
    });

    it('refuses an unknown emergency, another organisation’s admin, a non-admin, and the declarer', async () => {
      await assertRevert(
        reviewEmergency(ledger, c.hospitalAdmin, 1n, verdict.justified),
        'EmergenciesUnknownEmergency',
        [1n],
      );
      await privilegedDoctor();
      const { emergencyId } = await declareEmergency(ledger, c.doctor, { patient: c.patient.address });
      await assertRevert(
        reviewEmergency(ledger, c.labAdmin, emergencyId, verdict.justified),
        'EmergenciesNotActiveAdmin',
        [c.labAdmin.address, c.hospital],
      );
      await assertRevert(
        reviewEmergency(ledger, c.nurse, emergencyId, verdict.justified),
        'EmergenciesNotActiveAdmin',
        [c.nurse.address, c.hospital],
      );
      // An admin holding the privilege may break the glass, but another admin judges it.
      await setEmergencyPrivilege(ledger, c.hospitalAdmin, c.hospitalAdmin.address, true);
      const own = await declareEmergency(ledger, c.hospitalAdmin, { patient: c.patient.address });
      await assertRevert(
        reviewEmergency(ledger, c.hospitalAdmin, own.emergencyId, verdict.justified),
        'EmergenciesSelfReview',
        [own.emergencyId, c.hospitalAdmin.address],
      );
    });

    it('refuses a verdict other than justified or unjustified, and a second verdict', async () => {
      await privilegedDoctor();
      const { emergencyId } = await declareEmergency(ledger, c.doctor, { patient: c.patient.address });
      for (const code of [0, 3]) {
        await assertRevert(
          reviewEmergency(ledger, c.hospitalAdmin, emergencyId, code),
          'EmergenciesInvalidVerdict',
          [code],
        );
      }
      await reviewEmergency(ledger, c.hospitalAdmin, emergencyId, verdict.justified);
      await assertRevert(
        reviewEmergency(ledger, c.hospitalAdmin, emergencyId, verdict.unjustified),
        'EmergenciesAlreadyReviewed',
        [emergencyId, verdict.justified],
      );
    });

    it('needs the reviewer’s own signature', async () => {
      await privilegedDoctor();
      const { emergencyId } = await declareEmergency(ledger, c.doctor, { patient: c.patient.address });
      await assertRevert(
        reviewEmergency(ledger, c.doctor, emergencyId, verdict.justified, {
          reviewer: c.hospitalAdmin.address,
        }),
        'SignedActionInvalidSignature',
        [c.hospitalAdmin.address],
      );
    });
  });

  describe('window', () => {
    it('is 4 hours until two thirds of the active organisations vote another', async () => {
      assert.deepEqual(await window(), [defaultWindow, 0n]);
      const proposed = await proposeEmergencyWindow(ledger, c.hospitalAdmin, 3600n);
      assertEvents(proposed, [
        { eventName: 'EmergencyWindowProposed', args: { proposalId: 1n, windowSeconds: 3600n } },
        {
          eventName: 'EmergencyWindowApproved',
          args: { proposalId: 1n, approverOrganisationId: c.hospital, approvals: 1 },
        },
      ]);
      // One of two active organisations is not two thirds.
      assert.deepEqual(await window(), [defaultWindow, 0n]);
      assert.equal(await ledger.read('emergencies', 'hasApprovedWindow', [1n, c.hospital]), true);
      assert.equal(await ledger.read('emergencies', 'hasApprovedWindow', [1n, c.lab]), false);
      assertEvents(await approveEmergencyWindow(ledger, c.labAdmin, 1n), [
        {
          eventName: 'EmergencyWindowApproved',
          args: { proposalId: 1n, approverOrganisationId: c.lab, approvals: 2 },
        },
        { eventName: 'EmergencyWindowChanged', args: { version: 1n, windowSeconds: 3600n } },
      ]);
      assert.deepEqual(await window(), [3600n, 1n]);
      assert.deepEqual(await ledger.read('emergencies', 'windowProposal', [1n]), {
        windowSeconds: 3600n,
        proposerOrganisationId: c.hospital,
        approvals: 2,
        baseVersion: 0n,
        enacted: true,
      });
      assert.equal(await ledger.read('emergencies', 'windowProposalCount'), 1n);

      // Declarations from now on get the new window.
      await privilegedDoctor();
      const { emergencyId } = await declareEmergency(ledger, c.doctor, { patient: c.patient.address });
      const declared = await emergencyOf(emergencyId);
      assert.equal(declared.expiresAt - declared.declaredAt, 3600n);
    });

    it('refuses a window outside 5 minutes to 24 hours', async () => {
      for (const seconds of [0n, 299n, 86_401n]) {
        await assertRevert(
          proposeEmergencyWindow(ledger, c.hospitalAdmin, seconds),
          'EmergenciesInvalidWindow',
          [seconds],
        );
      }
      await proposeEmergencyWindow(ledger, c.hospitalAdmin, 300n);
      await proposeEmergencyWindow(ledger, c.hospitalAdmin, 86_400n);
    });

    it('takes votes from active admins only, once per organisation', async () => {
      await assertRevert(proposeEmergencyWindow(ledger, c.doctor, 3600n), 'EmergenciesNotActiveAdmin', [
        c.doctor.address,
        c.hospital,
      ]);
      await assertRevert(proposeEmergencyWindow(ledger, c.stranger, 3600n), 'EmergenciesNotActiveAdmin', [
        c.stranger.address,
        0,
      ]);
      const { proposalId } = await proposeEmergencyWindow(ledger, c.hospitalAdmin, 3600n);
      await assertRevert(
        approveEmergencyWindow(ledger, c.labTechnician, proposalId),
        'EmergenciesNotActiveAdmin',
        [c.labTechnician.address, c.lab],
      );
      await assertRevert(
        approveEmergencyWindow(ledger, c.hospitalAdmin, proposalId),
        'EmergenciesWindowAlreadyApproved',
        [proposalId, c.hospital],
      );
    });

    it('refuses votes for proposals that do not exist, have passed, or were overtaken', async () => {
      for (const proposalId of [0n, 1n]) {
        await assertRevert(
          approveEmergencyWindow(ledger, c.labAdmin, proposalId),
          'EmergenciesWindowProposalNotPending',
          [proposalId],
        );
      }
      const first = await proposeEmergencyWindow(ledger, c.hospitalAdmin, 3600n);
      const second = await proposeEmergencyWindow(ledger, c.hospitalAdmin, 7200n);
      await approveEmergencyWindow(ledger, c.labAdmin, second.proposalId);
      assert.deepEqual(await window(), [7200n, 1n]);
      await assertRevert(
        approveEmergencyWindow(ledger, c.labAdmin, second.proposalId),
        'EmergenciesWindowProposalNotPending',
        [second.proposalId],
      );
      // The first proposal would replace version 0, which is no longer current.
      await assertRevert(
        approveEmergencyWindow(ledger, c.labAdmin, first.proposalId),
        'EmergenciesWindowProposalNotPending',
        [first.proposalId],
      );
    });
  });

  it('names its consortium', async () => {
    assert.equal(await ledger.read('emergencies', 'consortium'), ledger.addresses.consortium);
  });
});
