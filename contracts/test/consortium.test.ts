import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addMember,
  approveOrganisation,
  kind,
  newAccount,
  proposeOrganisation,
  randomBytes32,
  registerPatient,
  role,
  setMemberProfile,
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

describe('Consortium', () => {
  let ledger: TestLedger;
  before(async () => {
    ledger = await deployLedger();
  });
  after(() => ledger.stop());

  describe('founding and admitting organisations', () => {
    isolateEachTest(() => ledger);

    it('lets the first proposer found the consortium, active at once', async () => {
      const admin = newAccount();
      const encryptionKey = randomBytes32();
      const result = await proposeOrganisation(ledger, admin, {
        name: 'St Mary Hospital',
        kind: kind.hospital,
        encryptionKey,
        gatewayUrl: 'https://stmary.example',
      });
      assertEvents(result, [
        {
          eventName: 'OrganisationProposed',
          args: {
            organisationId: 1,
            admin: admin.address,
            name: 'St Mary Hospital',
            kind: kind.hospital,
            encryptionKey,
            gatewayUrl: 'https://stmary.example',
          },
        },
        {
          eventName: 'MemberAdded',
          args: { member: admin.address, organisationId: 1, role: role.admin, encryptionKey },
        },
        { eventName: 'OrganisationActivated', args: { organisationId: 1 } },
      ]);
      assert.equal(result.organisationId, 1);
      assert.deepEqual(await ledger.read('consortium', 'organisation', [1]), {
        name: 'St Mary Hospital',
        kind: kind.hospital,
        status: 2,
        encryptionKey,
        gatewayUrl: 'https://stmary.example',
        approvals: 0,
      });
      assert.equal(await ledger.read('consortium', 'organisationCount'), 1);
      assert.equal(await ledger.read('consortium', 'activeOrganisationCount'), 1);
      assert.equal(await ledger.read('consortium', 'isActiveOrganisation', [1]), true);
      assert.deepEqual(await ledger.read('consortium', 'member', [admin.address]), {
        organisationId: 1,
        role: role.admin,
        active: true,
        encryptionKey,
      });
      assert.equal(await ledger.read('consortium', 'isActiveMember', [admin.address]), true);
      assert.equal(await ledger.read('consortium', 'activeOrganisationOf', [admin.address]), 1);
    });

    it('keeps later organisations pending until two thirds of the active ones approve', async () => {
      const [adminA, adminB, adminC, adminD] = [newAccount(), newAccount(), newAccount(), newAccount()];
      await proposeOrganisation(ledger, adminA);

      const proposedB = await proposeOrganisation(ledger, adminB, { name: 'City Lab', kind: kind.lab });
      assert.deepEqual(
        proposedB.events.map((event) => event.eventName),
        ['OrganisationProposed', 'MemberAdded'],
      );
      assert.equal(proposedB.organisationId, 2);
      assert.equal(await ledger.read('consortium', 'isActiveOrganisation', [2]), false);
      assert.equal(await ledger.read('consortium', 'isActiveMember', [adminB.address]), false);
      assert.equal(await ledger.read('consortium', 'activeOrganisationOf', [adminB.address]), 0);

      // One active organisation: one approval is enough (1 * 3 >= 1 * 2).
      assertEvents(await approveOrganisation(ledger, adminA, 2), [
        {
          eventName: 'OrganisationApproved',
          args: { organisationId: 2, approverOrganisationId: 1, approver: adminA.address, approvals: 1 },
        },
        { eventName: 'OrganisationActivated', args: { organisationId: 2 } },
      ]);
      assert.equal(await ledger.read('consortium', 'isActiveMember', [adminB.address]), true);

      // Two active organisations: both must approve (1 * 3 < 2 * 2).
      await proposeOrganisation(ledger, adminC, { kind: kind.pharmacy });
      assertEvents(await approveOrganisation(ledger, adminA, 3), [
        {
          eventName: 'OrganisationApproved',
          args: { organisationId: 3, approverOrganisationId: 1, approver: adminA.address, approvals: 1 },
        },
      ]);
      assert.equal(await ledger.read('consortium', 'hasApproved', [3, 1]), true);
      assert.equal(await ledger.read('consortium', 'hasApproved', [3, 2]), false);
      const activatedC = await approveOrganisation(ledger, adminB, 3);
      assert.deepEqual(
        activatedC.events.map((event) => event.eventName),
        ['OrganisationApproved', 'OrganisationActivated'],
      );

      // Three active organisations: two approvals suffice (2 * 3 >= 3 * 2).
      const encryptionKey = randomBytes32();
      await proposeOrganisation(ledger, adminD, { kind: kind.insurer, encryptionKey });
      await approveOrganisation(ledger, adminC, 4);
      assert.equal(await ledger.read('consortium', 'isActiveOrganisation', [4]), false);
      await approveOrganisation(ledger, adminA, 4);
      assert.deepEqual(await ledger.read('consortium', 'organisation', [4]), {
        name: 'St Mary Hospital',
        kind: kind.insurer,
        status: 2,
        encryptionKey,
        gatewayUrl: 'https://gateway.example',
        approvals: 2,
      });
      assert.equal(await ledger.read('consortium', 'organisationCount'), 4);
      assert.equal(await ledger.read('consortium', 'activeOrganisationCount'), 4);
    });

    it('rejects invalid proposals', async () => {
      const admin = newAccount();
      await assertRevert(proposeOrganisation(ledger, admin, { name: '' }), 'ConsortiumEmptyName');
      await assertRevert(proposeOrganisation(ledger, admin, { kind: 0 }), 'ConsortiumInvalidKind', [0]);
      await assertRevert(proposeOrganisation(ledger, admin, { kind: 5 }), 'ConsortiumInvalidKind', [5]);
      await assertRevert(
        proposeOrganisation(ledger, admin, { encryptionKey: zeroHash }),
        'ConsortiumZeroEncryptionKey',
      );
      await proposeOrganisation(ledger, admin);
      await assertRevert(proposeOrganisation(ledger, admin), 'ConsortiumAddressTaken', [admin.address]);
      const patient = newAccount();
      await registerPatient(ledger, patient);
      await assertRevert(proposeOrganisation(ledger, patient), 'ConsortiumAddressTaken', [patient.address]);
    });

    it('accepts one vote per active organisation, from an active admin', async () => {
      const [adminA, adminB, adminC] = [newAccount(), newAccount(), newAccount()];
      await proposeOrganisation(ledger, adminA);
      await proposeOrganisation(ledger, adminB);
      await approveOrganisation(ledger, adminA, 2);
      await proposeOrganisation(ledger, adminC);

      // The admin of a pending organisation cannot vote yet.
      await assertRevert(approveOrganisation(ledger, adminC, 3), 'ConsortiumNotActiveAdmin', [
        adminC.address,
        3,
      ]);
      const stranger = newAccount();
      await assertRevert(approveOrganisation(ledger, stranger, 3), 'ConsortiumNotActiveAdmin', [
        stranger.address,
        0,
      ]);
      const doctor = newAccount();
      await addMember(ledger, adminA, { organisationId: 1, member: doctor.address, role: role.doctor });
      await assertRevert(approveOrganisation(ledger, doctor, 3), 'ConsortiumNotActiveAdmin', [
        doctor.address,
        1,
      ]);

      await approveOrganisation(ledger, adminA, 3);
      await assertRevert(approveOrganisation(ledger, adminA, 3), 'ConsortiumAlreadyApproved', [3, 1]);
      const secondAdmin = newAccount();
      await addMember(ledger, adminA, { organisationId: 1, member: secondAdmin.address, role: role.admin });
      await assertRevert(approveOrganisation(ledger, secondAdmin, 3), 'ConsortiumAlreadyApproved', [3, 1]);

      await assertRevert(approveOrganisation(ledger, adminA, 2), 'ConsortiumOrganisationNotPending', [2]);
      await assertRevert(approveOrganisation(ledger, adminA, 99), 'ConsortiumOrganisationNotPending', [99]);
    });
  });

  describe('members and patients', () => {
    let c: Consortium;
    before(async () => {
      c = await setUpConsortium(ledger);
    });
    isolateEachTest(() => ledger);

    it('adds members signed by an active admin of the organisation', async () => {
      const pharmacist = newAccount();
      const encryptionKey = randomBytes32();
      const result = await addMember(ledger, c.hospitalAdmin, {
        organisationId: c.hospital,
        member: pharmacist.address,
        role: role.pharmacist,
        encryptionKey,
      });
      assertEvents(result, [
        {
          eventName: 'MemberAdded',
          args: {
            member: pharmacist.address,
            organisationId: c.hospital,
            role: role.pharmacist,
            encryptionKey,
          },
        },
      ]);
      assert.deepEqual(await ledger.read('consortium', 'member', [pharmacist.address]), {
        organisationId: c.hospital,
        role: role.pharmacist,
        active: true,
        encryptionKey,
      });
      assert.equal(await ledger.read('consortium', 'isActiveMember', [pharmacist.address]), true);
    });

    it('rejects members added by anyone but an active admin of an active organisation', async () => {
      const newcomer = newAccount().address;
      const add = (signer = c.hospitalAdmin, organisationId = c.hospital) =>
        addMember(ledger, signer, { organisationId, member: newcomer });
      await assertRevert(add(c.doctor), 'ConsortiumNotActiveAdmin', [c.doctor.address, c.hospital]);
      await assertRevert(add(c.labAdmin), 'ConsortiumNotActiveAdmin', [c.labAdmin.address, c.hospital]);
      await assertRevert(add(c.stranger), 'ConsortiumNotActiveAdmin', [c.stranger.address, c.hospital]);
      await assertRevert(add(c.hospitalAdmin, 0), 'ConsortiumNotActiveAdmin', [c.hospitalAdmin.address, 0]);

      const pendingAdmin = newAccount();
      const { organisationId: pending } = await proposeOrganisation(ledger, pendingAdmin);
      await assertRevert(add(pendingAdmin, pending), 'ConsortiumNotActiveAdmin', [
        pendingAdmin.address,
        pending,
      ]);

      const secondAdmin = newAccount();
      await addMember(ledger, c.hospitalAdmin, {
        organisationId: c.hospital,
        member: secondAdmin.address,
        role: role.admin,
      });
      await suspendMember(ledger, secondAdmin, c.hospitalAdmin.address);
      await assertRevert(add(), 'ConsortiumNotActiveAdmin', [c.hospitalAdmin.address, c.hospital]);
    });

    it('numbers patients in the order they register', async () => {
      const [first, second] = [newAccount(), newAccount()];
      const before = await ledger.read<[number, number]>('consortium', 'patientIndexOf', [c.patient.address]);
      await registerPatient(ledger, first, { organisationId: c.hospital });
      await registerPatient(ledger, second);
      const [firstIndex, firstOrganisation] = await ledger.read<[number, number]>(
        'consortium',
        'patientIndexOf',
        [first.address],
      );
      assert.equal(firstOrganisation, c.hospital);
      assert.ok(firstIndex > before[0]);
      assert.deepEqual(await ledger.read('consortium', 'patientIndexOf', [second.address]), [
        firstIndex + 1,
        0,
      ]);
      assert.equal(await ledger.read('consortium', 'patientAt', [firstIndex]), first.address);
      assert.equal(await ledger.read('consortium', 'patientAt', [firstIndex + 1]), second.address);
      assert.equal(await ledger.read('consortium', 'patientAt', [firstIndex + 2]), zeroAddress);
      assert.deepEqual(await ledger.read('consortium', 'patientIndexOf', [c.doctor.address]), [0, 0]);
      assert.deepEqual(await ledger.read('consortium', 'patientSigner', [first.address]), [
        firstIndex,
        first.address,
      ]);
      assert.deepEqual(
        await ledger.read('consortium', 'organisationAndPatientIndex', [c.doctor.address, second.address]),
        [c.hospital, firstIndex + 1],
      );
    });

    it('rejects invalid members and taken addresses', async () => {
      const add = (input: Parameters<typeof addMember>[2]) => addMember(ledger, c.hospitalAdmin, input);
      const newcomer = newAccount().address;
      const organisationId = c.hospital;
      await assertRevert(add({ organisationId, member: zeroAddress }), 'ConsortiumZeroAddress');
      await assertRevert(add({ organisationId, member: newcomer, role: 0 }), 'ConsortiumInvalidRole', [0]);
      await assertRevert(add({ organisationId, member: newcomer, role: 7 }), 'ConsortiumInvalidRole', [7]);
      await assertRevert(
        add({ organisationId, member: newcomer, encryptionKey: zeroHash }),
        'ConsortiumZeroEncryptionKey',
      );
      await assertRevert(add({ organisationId, member: c.doctor.address }), 'ConsortiumAddressTaken', [
        c.doctor.address,
      ]);
      await assertRevert(add({ organisationId, member: c.labTechnician.address }), 'ConsortiumAddressTaken', [
        c.labTechnician.address,
      ]);
      await assertRevert(add({ organisationId, member: c.patient.address }), 'ConsortiumAddressTaken', [
        c.patient.address,
      ]);
    });

    it('suspends members, which stops them acting', async () => {
      assertEvents(await suspendMember(ledger, c.hospitalAdmin, c.doctor.address), [
        { eventName: 'MemberSuspended', args: { member: c.doctor.address, organisationId: c.hospital } },
      ]);
      const doctor = (await ledger.read('consortium', 'member', [c.doctor.address])) as { active: boolean };
      assert.equal(doctor.active, false);
      assert.equal(await ledger.read('consortium', 'isActiveMember', [c.doctor.address]), false);
      assert.equal(await ledger.read('consortium', 'activeOrganisationOf', [c.doctor.address]), 0);
      // A suspended address stays taken.
      await assertRevert(
        addMember(ledger, c.hospitalAdmin, { organisationId: c.hospital, member: c.doctor.address }),
        'ConsortiumAddressTaken',
        [c.doctor.address],
      );
    });

    it('rejects invalid suspensions', async () => {
      await assertRevert(
        suspendMember(ledger, c.hospitalAdmin, c.stranger.address),
        'ConsortiumUnknownMember',
        [c.stranger.address],
      );
      await assertRevert(
        suspendMember(ledger, c.hospitalAdmin, c.patient.address),
        'ConsortiumUnknownMember',
        [c.patient.address],
      );
      await assertRevert(suspendMember(ledger, c.labAdmin, c.doctor.address), 'ConsortiumNotActiveAdmin', [
        c.labAdmin.address,
        c.hospital,
      ]);
      await assertRevert(suspendMember(ledger, c.nurse, c.doctor.address), 'ConsortiumNotActiveAdmin', [
        c.nurse.address,
        c.hospital,
      ]);
      await assertRevert(
        suspendMember(ledger, c.hospitalAdmin, c.hospitalAdmin.address),
        'ConsortiumCannotSuspendSelf',
        [c.hospitalAdmin.address],
      );
      await suspendMember(ledger, c.hospitalAdmin, c.doctor.address);
      await assertRevert(
        suspendMember(ledger, c.hospitalAdmin, c.doctor.address),
        'ConsortiumMemberAlreadySuspended',
        [c.doctor.address],
      );
    });

    it("lets an active admin of the member's organisation set its profile", async () => {
      assertEvents(
        await setMemberProfile(ledger, c.hospitalAdmin, c.doctor.address, {
          name: 'Ana Silva',
          title: 'Dr',
          department: 'Cardiology',
        }),
        [
          {
            eventName: 'MemberProfileSet',
            args: {
              member: c.doctor.address,
              organisationId: c.hospital,
              name: 'Ana Silva',
              title: 'Dr',
              department: 'Cardiology',
            },
          },
        ],
      );
      // Title and department are optional; a name of 80 bytes of UTF-8 (40 two-byte letters) is accepted.
      const longest = 'é'.repeat(40);
      assertEvents(await setMemberProfile(ledger, c.hospitalAdmin, c.nurse.address, { name: longest }), [
        {
          eventName: 'MemberProfileSet',
          args: {
            member: c.nurse.address,
            organisationId: c.hospital,
            name: longest,
            title: '',
            department: '',
          },
        },
      ]);
    });

    it('refuses profiles set by anyone but an active admin of the organisation, or of the wrong length', async () => {
      const profile = { name: 'Ana Silva' };
      await assertRevert(
        setMemberProfile(ledger, c.labAdmin, c.doctor.address, profile),
        'ConsortiumNotActiveAdmin',
        [c.labAdmin.address, c.hospital],
      );
      await assertRevert(
        setMemberProfile(ledger, c.nurse, c.doctor.address, profile),
        'ConsortiumNotActiveAdmin',
        [c.nurse.address, c.hospital],
      );
      await assertRevert(
        setMemberProfile(ledger, c.hospitalAdmin, c.patient.address, profile),
        'ConsortiumUnknownMember',
        [c.patient.address],
      );
      await assertRevert(
        setMemberProfile(ledger, c.hospitalAdmin, c.doctor.address, { name: '' }),
        'ConsortiumInvalidProfile',
        [0n, 0n, 0n],
      );
      await assertRevert(
        setMemberProfile(ledger, c.hospitalAdmin, c.doctor.address, { name: 'x'.repeat(81) }),
        'ConsortiumInvalidProfile',
        [81n, 0n, 0n],
      );
      await assertRevert(
        setMemberProfile(ledger, c.hospitalAdmin, c.doctor.address, { name: 'Ana', title: 't'.repeat(33) }),
        'ConsortiumInvalidProfile',
        [3n, 33n, 0n],
      );
      await assertRevert(
        setMemberProfile(ledger, c.hospitalAdmin, c.doctor.address, {
          name: 'Ana',
          department: 'd'.repeat(81),
        }),
        'ConsortiumInvalidProfile',
        [3n, 0n, 81n],
      );

      const secondAdmin = newAccount();
      await addMember(ledger, c.hospitalAdmin, {
        organisationId: c.hospital,
        member: secondAdmin.address,
        role: role.admin,
      });
      await suspendMember(ledger, c.hospitalAdmin, secondAdmin.address);
      await assertRevert(
        setMemberProfile(ledger, secondAdmin, c.doctor.address, profile),
        'ConsortiumNotActiveAdmin',
        [secondAdmin.address, c.hospital],
      );
    });

    it('registers patients, attached to an active organisation or to none', async () => {
      const patient = newAccount();
      const encryptionKey = randomBytes32();
      assertEvents(await registerPatient(ledger, patient, { encryptionKey, organisationId: c.lab }), [
        {
          eventName: 'PatientRegistered',
          args: { patient: patient.address, organisationId: c.lab, encryptionKey },
        },
      ]);
      assert.deepEqual(await ledger.read('consortium', 'patient', [patient.address]), {
        registered: true,
        encryptionKey,
        organisationId: c.lab,
      });
      assert.equal(await ledger.read('consortium', 'isActiveMember', [patient.address]), false);

      const unattached = newAccount();
      await registerPatient(ledger, unattached, { organisationId: 0 });
      const registered = (await ledger.read('consortium', 'patient', [unattached.address])) as {
        organisationId: number;
      };
      assert.equal(registered.organisationId, 0);
      assert.deepEqual(await ledger.read('consortium', 'patient', [c.stranger.address]), {
        registered: false,
        encryptionKey: zeroHash,
        organisationId: 0,
      });
    });

    it('rejects invalid patient registrations', async () => {
      const patient = newAccount();
      await assertRevert(
        registerPatient(ledger, patient, { encryptionKey: zeroHash }),
        'ConsortiumZeroEncryptionKey',
      );
      await assertRevert(
        registerPatient(ledger, patient, { organisationId: 99 }),
        'ConsortiumOrganisationNotActive',
        [99],
      );
      const { organisationId: pending } = await proposeOrganisation(ledger, newAccount());
      await assertRevert(
        registerPatient(ledger, patient, { organisationId: pending }),
        'ConsortiumOrganisationNotActive',
        [pending],
      );
      await assertRevert(registerPatient(ledger, c.patient), 'ConsortiumAddressTaken', [c.patient.address]);
      await assertRevert(registerPatient(ledger, c.doctor), 'ConsortiumAddressTaken', [c.doctor.address]);
    });
  });
});
