import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Address } from 'viem';
import {
  action,
  allCategories,
  authorisingGrant as authorisingGrantBy,
  categoryCount,
  denyRequest,
  farDeadline,
  grant,
  isAuthorised as isAuthorisedBy,
  newAccount,
  proposeOrganisation,
  randomBytes32,
  requestAccess,
  revoke,
  suspendMember,
  zeroAddress,
  zeroHash,
} from './helpers/actions.ts';
import { type Consortium, setUpConsortium } from './helpers/fixtures.ts';
import {
  assertEvents,
  assertRevert,
  deployLedger,
  isolateEachTest,
  type TestLedger,
} from './helpers/ledger.ts';

const condition = 0;
const medication = 1;
const lab = 3;
const normal = 0;
const restricted = 1;

describe('Consents', () => {
  let ledger: TestLedger;
  let c: Consortium;
  before(async () => {
    ledger = await deployLedger();
    c = await setUpConsortium(ledger);
  });
  after(() => ledger.stop());
  isolateEachTest(() => ledger);

  const isAuthorised = (
    actor: string,
    patient: string,
    category: number,
    sensitivity: number,
    actions: number,
  ) => isAuthorisedBy(ledger, actor as Address, patient as Address, category, sensitivity, actions);
  const checkGrant = (
    grantId: bigint,
    actor: string,
    patient: string,
    category: number,
    sensitivity: number,
    actions: number,
  ) =>
    ledger.read<boolean>('consents', 'checkGrant', [grantId, actor, patient, category, sensitivity, actions]);
  const authorisingGrant = (
    actor: string,
    patient: string,
    category: number,
    sensitivity: number,
    actions: number,
  ) => authorisingGrantBy(ledger, actor as Address, patient as Address, category, sensitivity, actions);

  describe('grant', () => {
    it('grants a member access and records it', async () => {
      const purpose = randomBytes32();
      const input = {
        grantee: c.doctor.address,
        categories: (1 << condition) | (1 << lab),
        maxSensitivity: restricted,
        actions: action.read | action.append,
        purpose,
        expiresAt: farDeadline,
      };
      const result = await grant(ledger, c.patient, input);
      assertEvents(result, [
        {
          eventName: 'ConsentGranted',
          args: {
            grantId: 1n,
            patient: c.patient.address,
            granteeOrganisation: 0,
            requestId: 0n,
            ...input,
          },
        },
      ]);
      // The chain keeps what deciding needs; purpose and grant time are in the event (and its block) only.
      assert.deepEqual(await ledger.read('consents', 'grantOf', [1n]), {
        patient: c.patient.address,
        granteeOrganisation: 0,
        requestId: 0n,
        ...input,
        purpose: zeroHash,
        grantedAt: 0n,
        revoked: false,
      });
      assert.equal(await ledger.read('consents', 'grantCount'), 1n);
      await grant(ledger, c.patient, { grantee: c.nurse.address });
      const { grantId: toOrganisation } = await grant(ledger, c.otherPatient, {
        granteeOrganisation: c.lab,
        categories: allCategories,
        actions: action.read | action.append | action.share,
        expiresAt: 2n ** 64n - 1n,
      });
      // An expiry beyond 2^42 - 1 (the year 141,000) is kept as 2^42 - 1.
      assert.deepEqual(await ledger.read('consents', 'grantOf', [toOrganisation]), {
        patient: c.otherPatient.address,
        grantee: zeroAddress,
        granteeOrganisation: c.lab,
        categories: allCategories,
        maxSensitivity: 0,
        actions: 7,
        purpose: zeroHash,
        expiresAt: 2n ** 42n - 1n,
        requestId: 0n,
        grantedAt: 0n,
        revoked: false,
      });
      assert.equal(
        (await ledger.read<{ patient: Address }>('consents', 'grantOf', [99n])).patient,
        zeroAddress,
      );
    });

    it('authorises exactly what a grant covers', async () => {
      const { grantId } = await grant(ledger, c.patient, {
        grantee: c.doctor.address,
        categories: (1 << condition) | (1 << medication),
        maxSensitivity: normal,
        actions: action.read | action.append,
      });
      const patient = c.patient.address;
      const doctor = c.doctor.address;
      assert.equal(await isAuthorised(doctor, patient, condition, normal, action.read), true);
      assert.equal(
        await isAuthorised(doctor, patient, medication, normal, action.read | action.append),
        true,
      );
      assert.equal(await checkGrant(grantId, doctor, patient, medication, normal, action.append), true);
      assert.equal(await authorisingGrant(doctor, patient, condition, normal, action.read), grantId);

      assert.equal(await isAuthorised(doctor, patient, lab, normal, action.read), false);
      assert.equal(await isAuthorised(doctor, patient, categoryCount, normal, action.read), false);
      assert.equal(await isAuthorised(doctor, patient, 255, normal, action.read), false);
      assert.equal(await isAuthorised(doctor, patient, condition, restricted, action.read), false);
      assert.equal(await isAuthorised(doctor, patient, condition, normal, action.share), false);
      assert.equal(await isAuthorised(doctor, patient, condition, normal, action.read | action.share), false);
      assert.equal(await isAuthorised(doctor, patient, condition, normal, 0), false);
      assert.equal(await isAuthorised(doctor, c.otherPatient.address, condition, normal, action.read), false);
      assert.equal(await isAuthorised(c.nurse.address, patient, condition, normal, action.read), false);
      assert.equal(
        await checkGrant(grantId, c.nurse.address, patient, condition, normal, action.read),
        false,
      );
      assert.equal(
        await checkGrant(grantId, doctor, c.otherPatient.address, condition, normal, action.read),
        false,
      );
      assert.equal(await checkGrant(99n, doctor, patient, condition, normal, action.read), false);
      assert.equal(await checkGrant(99n, doctor, zeroAddress, condition, normal, action.read), false);
      assert.equal(await authorisingGrant(doctor, patient, lab, normal, action.read), 0n);
    });

    it('keeps the last category apart from the expiry and the actions in the grant it stores', async () => {
      const last = categoryCount - 1;
      const { grantId } = await grant(ledger, c.patient, {
        grantee: c.doctor.address,
        categories: 1 << last,
        maxSensitivity: normal,
        actions: action.read,
        expiresAt: 2n ** 42n - 1n,
      });
      const stored = await ledger.read<{ categories: number; actions: number; expiresAt: bigint }>(
        'consents',
        'grantOf',
        [grantId],
      );
      assert.deepEqual(
        [stored.categories, stored.actions, stored.expiresAt],
        [1 << last, action.read, 2n ** 42n - 1n],
      );
      const [patient, doctor] = [c.patient.address, c.doctor.address];
      assert.equal(await isAuthorised(doctor, patient, last, normal, action.read), true);
      assert.equal(await isAuthorised(doctor, patient, last - 1, normal, action.read), false);
      assert.equal(await isAuthorised(doctor, patient, last, normal, action.append), false);
    });

    it('decides on the candidates it is given only, whoever lists them', async () => {
      const patient = c.patient.address;
      const doctor = c.doctor.address;
      const { grantId: toNurse } = await grant(ledger, c.patient, { grantee: c.nurse.address });
      const { grantId: ofOther } = await grant(ledger, c.otherPatient, { grantee: doctor });
      const { grantId: toLab } = await grant(ledger, c.patient, { granteeOrganisation: c.lab });
      const { grantId: narrow } = await grant(ledger, c.patient, { grantee: doctor, categories: 1 << lab });
      const { grantId: wide } = await grant(ledger, c.patient, {
        grantee: doctor,
        categories: allCategories,
      });
      const ask = (candidates: bigint[]) =>
        ledger.read<bigint>('consents', 'authorisingGrant', [
          candidates,
          doctor,
          patient,
          condition,
          normal,
          1,
        ]);
      // Another grantee's, another patient's, another organisation's, a narrower or unknown grant: never.
      assert.equal(await ask([toNurse, ofOther, toLab, narrow, 99n, 0n]), 0n);
      assert.equal(await ask([]), 0n);
      // The first that authorises, in the caller's order.
      assert.equal(await ask([toNurse, wide, narrow]), wide);
      assert.equal(
        await ledger.read('consents', 'isAuthorised', [
          [toNurse, ofOther],
          doctor,
          patient,
          condition,
          normal,
          1,
        ]),
        false,
      );
      assert.deepEqual(await ledger.read('consents', 'grantScope', [wide, doctor, patient, action.read]), [
        c.hospital,
        allCategories,
        0,
      ]);
      // The scope is empty for a grant that does not apply, the organisation still named.
      assert.deepEqual(await ledger.read('consents', 'grantScope', [toNurse, doctor, patient, action.read]), [
        c.hospital,
        0,
        0,
      ]);
      assert.deepEqual(await ledger.read('consents', 'grantScope', [wide, doctor, patient, action.append]), [
        c.hospital,
        0,
        0,
      ]);
      assert.deepEqual(
        await ledger.read('consents', 'grantScope', [wide, c.stranger.address, patient, action.read]),
        [0, 0, 0],
      );
    });

    it('lets a patient act on its own records only once registered', async () => {
      assert.equal(await isAuthorised(c.patient.address, c.patient.address, lab, restricted, 7), true);
      assert.equal(
        await isAuthorised(c.stranger.address, c.stranger.address, lab, normal, action.read),
        false,
      );
      assert.equal(
        await authorisingGrant(c.patient.address, c.patient.address, lab, normal, action.read),
        0n,
      );
    });

    it('authorises every active member of a grantee organisation', async () => {
      const { grantId } = await grant(ledger, c.patient, {
        granteeOrganisation: c.hospital,
        actions: action.read,
      });
      for (const member of [c.doctor, c.nurse, c.hospitalAdmin]) {
        assert.equal(
          await isAuthorised(member.address, c.patient.address, condition, normal, action.read),
          true,
        );
        assert.equal(
          await checkGrant(grantId, member.address, c.patient.address, condition, normal, 1),
          true,
        );
      }
      assert.equal(
        await isAuthorised(c.labTechnician.address, c.patient.address, condition, normal, 1),
        false,
      );
      assert.equal(
        await checkGrant(grantId, c.labTechnician.address, c.patient.address, condition, normal, 1),
        false,
      );

      // A grant to the member itself is preferred, the newest first.
      const { grantId: direct } = await grant(ledger, c.patient, { grantee: c.doctor.address });
      const { grantId: newer } = await grant(ledger, c.patient, { grantee: c.doctor.address });
      assert.equal(await authorisingGrant(c.doctor.address, c.patient.address, condition, normal, 1), newer);
      await revoke(ledger, c.patient, newer);
      assert.equal(await authorisingGrant(c.doctor.address, c.patient.address, condition, normal, 1), direct);
      await revoke(ledger, c.patient, direct);
      assert.equal(
        await authorisingGrant(c.doctor.address, c.patient.address, condition, normal, 1),
        grantId,
      );
    });

    it('never authorises a suspended member', async () => {
      const { grantId } = await grant(ledger, c.patient, { grantee: c.doctor.address });
      await grant(ledger, c.patient, { granteeOrganisation: c.hospital });
      await suspendMember(ledger, c.hospitalAdmin, c.doctor.address);
      assert.equal(await isAuthorised(c.doctor.address, c.patient.address, condition, normal, 1), false);
      assert.equal(
        await checkGrant(grantId, c.doctor.address, c.patient.address, condition, normal, 1),
        false,
      );
      assert.equal(await authorisingGrant(c.doctor.address, c.patient.address, condition, normal, 1), 0n);
    });

    it('stops authorising once expired', async () => {
      const expiresAt = (await ledger.now()) + 100n;
      const { grantId } = await grant(ledger, c.patient, { grantee: c.doctor.address, expiresAt });
      assert.equal(
        await checkGrant(grantId, c.doctor.address, c.patient.address, condition, normal, 1),
        true,
      );
      await ledger.increaseTime(200);
      assert.equal(
        await checkGrant(grantId, c.doctor.address, c.patient.address, condition, normal, 1),
        false,
      );
      assert.equal(await isAuthorised(c.doctor.address, c.patient.address, condition, normal, 1), false);
    });

    it('rejects invalid grants', async () => {
      const patient = c.patient;
      const doctor = c.doctor.address;
      await assertRevert(grant(ledger, c.stranger, { grantee: doctor }), 'ConsentsUnknownPatient', [
        c.stranger.address,
      ]);
      await assertRevert(grant(ledger, patient, {}), 'ConsentsInvalidGrantee', [zeroAddress, 0]);
      await assertRevert(
        grant(ledger, patient, { grantee: doctor, granteeOrganisation: c.hospital }),
        'ConsentsInvalidGrantee',
        [doctor, c.hospital],
      );
      for (const grantee of [c.stranger.address, c.otherPatient.address]) {
        await assertRevert(grant(ledger, patient, { grantee }), 'ConsentsGranteeNotMemberOrDelegate', [
          grantee,
        ]);
      }
      await assertRevert(
        grant(ledger, patient, { granteeOrganisation: 99 }),
        'ConsentsInactiveOrganisation',
        [99],
      );
      const { organisationId: pending } = await proposeOrganisation(ledger, newAccount());
      await assertRevert(
        grant(ledger, patient, { granteeOrganisation: pending }),
        'ConsentsInactiveOrganisation',
        [pending],
      );
      for (const categories of [0, 2 ** categoryCount, 0xffffffff]) {
        await assertRevert(
          grant(ledger, patient, { grantee: doctor, categories }),
          'ConsentsInvalidCategories',
          [categories],
        );
      }
      for (const actions of [0, 8, 0xff]) {
        await assertRevert(grant(ledger, patient, { grantee: doctor, actions }), 'ConsentsInvalidActions', [
          actions,
        ]);
      }
      await assertRevert(
        grant(ledger, patient, { grantee: doctor, maxSensitivity: 2 }),
        'ConsentsInvalidSensitivity',
        [2],
      );
      const now = await ledger.now();
      for (const expiresAt of [1n, now]) {
        await assertRevert(grant(ledger, patient, { grantee: doctor, expiresAt }), 'ConsentsInvalidExpiry', [
          expiresAt,
        ]);
      }
      await suspendMember(ledger, c.hospitalAdmin, doctor);
      await assertRevert(grant(ledger, patient, { grantee: doctor }), 'ConsentsInactiveMember', [doctor]);
    });
  });

  describe('revoke', () => {
    it('revokes a grant for good', async () => {
      const { grantId } = await grant(ledger, c.patient, { grantee: c.doctor.address });
      assertEvents(await revoke(ledger, c.patient, grantId), [
        { eventName: 'ConsentRevoked', args: { grantId, patient: c.patient.address } },
      ]);
      const revoked = (await ledger.read('consents', 'grantOf', [grantId])) as { revoked: boolean };
      assert.equal(revoked.revoked, true);
      assert.equal(await isAuthorised(c.doctor.address, c.patient.address, condition, normal, 1), false);
      assert.equal(
        await checkGrant(grantId, c.doctor.address, c.patient.address, condition, normal, 1),
        false,
      );
    });

    it('rejects unknown, foreign and repeated revocations', async () => {
      const { grantId } = await grant(ledger, c.patient, { grantee: c.doctor.address });
      await assertRevert(revoke(ledger, c.patient, 99n), 'ConsentsUnknownGrant', [99n]);
      await assertRevert(revoke(ledger, c.otherPatient, grantId), 'ConsentsNotGrantPatient', [
        grantId,
        c.otherPatient.address,
      ]);
      await revoke(ledger, c.patient, grantId);
      await assertRevert(revoke(ledger, c.patient, grantId), 'ConsentsAlreadyRevoked', [grantId]);
    });
  });

  describe('access requests', () => {
    it('records a request, which a grant citing it approves', async () => {
      const reasonHash = randomBytes32();
      const requested = await requestAccess(ledger, c.doctor, {
        patient: c.patient.address,
        categories: 1 << lab,
        actions: action.read,
        reasonHash,
      });
      assertEvents(requested, [
        {
          eventName: 'AccessRequested',
          args: {
            requestId: 1n,
            patient: c.patient.address,
            requester: c.doctor.address,
            categories: 1 << lab,
            actions: action.read,
            reasonHash,
          },
        },
      ]);
      assert.deepEqual(await ledger.read('consents', 'requestOf', [1n]), {
        requester: c.doctor.address,
        patient: c.patient.address,
        categories: 1 << lab,
        actions: action.read,
        reasonHash,
        status: 1,
        grantId: 0n,
      });
      assert.equal(await ledger.read('consents', 'requestCount'), 1n);

      const granted = await grant(ledger, c.patient, {
        grantee: c.doctor.address,
        categories: 1 << lab,
        requestId: 1n,
      });
      const [event] = granted.events;
      assert.equal(event?.args.requestId, 1n);
      const request = (await ledger.read('consents', 'requestOf', [1n])) as {
        status: number;
        grantId: bigint;
      };
      assert.deepEqual([request.status, request.grantId], [2, granted.grantId]);
      await assertRevert(
        grant(ledger, c.patient, { grantee: c.doctor.address, requestId: 1n }),
        'ConsentsRequestNotPending',
        [1n, 2],
      );
      await assertRevert(denyRequest(ledger, c.patient, 1n), 'ConsentsRequestNotPending', [1n, 2]);
    });

    it('lets the patient deny a request', async () => {
      const { requestId } = await requestAccess(ledger, c.doctor, { patient: c.patient.address });
      assertEvents(await denyRequest(ledger, c.patient, requestId), [
        { eventName: 'AccessRequestDenied', args: { requestId, patient: c.patient.address } },
      ]);
      const request = (await ledger.read('consents', 'requestOf', [requestId])) as { status: number };
      assert.equal(request.status, 3);
      await assertRevert(denyRequest(ledger, c.patient, requestId), 'ConsentsRequestNotPending', [
        requestId,
        3,
      ]);
      await assertRevert(
        grant(ledger, c.patient, { grantee: c.doctor.address, requestId }),
        'ConsentsRequestNotPending',
        [requestId, 3],
      );
    });

    it('rejects invalid requests', async () => {
      const patient = c.patient.address;
      await assertRevert(requestAccess(ledger, c.stranger, { patient }), 'ConsentsInactiveMember', [
        c.stranger.address,
      ]);
      await assertRevert(requestAccess(ledger, c.otherPatient, { patient }), 'ConsentsInactiveMember', [
        c.otherPatient.address,
      ]);
      await assertRevert(
        requestAccess(ledger, c.doctor, { patient: c.stranger.address }),
        'ConsentsUnknownPatient',
        [c.stranger.address],
      );
      await assertRevert(
        requestAccess(ledger, c.doctor, { patient, categories: 0 }),
        'ConsentsInvalidCategories',
        [0],
      );
      await assertRevert(
        requestAccess(ledger, c.doctor, { patient, categories: 2 ** categoryCount }),
        'ConsentsInvalidCategories',
        [2 ** categoryCount],
      );
      await assertRevert(
        requestAccess(ledger, c.doctor, { patient, actions: 0 }),
        'ConsentsInvalidActions',
        [0],
      );
      await assertRevert(
        requestAccess(ledger, c.doctor, { patient, actions: 8 }),
        'ConsentsInvalidActions',
        [8],
      );
      await suspendMember(ledger, c.hospitalAdmin, c.doctor.address);
      await assertRevert(requestAccess(ledger, c.doctor, { patient }), 'ConsentsInactiveMember', [
        c.doctor.address,
      ]);
    });

    it('rejects answers to unknown, foreign or misdirected requests', async () => {
      const { requestId } = await requestAccess(ledger, c.doctor, { patient: c.patient.address });
      await assertRevert(
        grant(ledger, c.patient, { grantee: c.doctor.address, requestId: 99n }),
        'ConsentsUnknownRequest',
        [99n],
      );
      await assertRevert(denyRequest(ledger, c.patient, 99n), 'ConsentsUnknownRequest', [99n]);
      await assertRevert(
        grant(ledger, c.otherPatient, { grantee: c.doctor.address, requestId }),
        'ConsentsNotRequestPatient',
        [requestId, c.otherPatient.address],
      );
      await assertRevert(denyRequest(ledger, c.otherPatient, requestId), 'ConsentsNotRequestPatient', [
        requestId,
        c.otherPatient.address,
      ]);
      await assertRevert(
        grant(ledger, c.patient, { grantee: c.nurse.address, requestId }),
        'ConsentsNotRequester',
        [requestId, c.nurse.address],
      );
      await assertRevert(
        grant(ledger, c.patient, { granteeOrganisation: c.hospital, requestId }),
        'ConsentsNotRequester',
        [requestId, zeroAddress],
      );
    });
  });
});
