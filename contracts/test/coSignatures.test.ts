import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { coSignaturesTypes } from '@medledger/core';
import { hashStruct, type LocalAccount } from 'viem';
import {
  action,
  addMember,
  allCategories,
  anchorRecords,
  categoryCount,
  grant,
  highS,
  newAccount,
  newRecord,
  type RecordLeaf,
  randomBytes32,
  randomNonce,
  revoke,
  role,
  signedRecord,
  suspendMember,
} from './helpers/actions.ts';
import {
  approvePolicy,
  coSignRecords,
  proposePolicy,
  type Requirement,
  signedCoSignature,
} from './helpers/coSignatureActions.ts';
import { type Consortium, setUpConsortium } from './helpers/fixtures.ts';
import {
  assertEvents,
  assertRevert,
  deployLedger,
  eventsNamed,
  isolateEachTest,
  type TestLedger,
} from './helpers/ledger.ts';

const lab = 3;
const condition = 0;
const medication = 1;

interface Stamp {
  finalised: boolean;
  policyVersion: bigint;
  coSigners: readonly string[];
}

describe('CoSignatures', () => {
  let ledger: TestLedger;
  let c: Consortium;
  /** A second doctor of the hospital, and a doctor of the lab (another organisation). */
  let peerDoctor: LocalAccount;
  let labDoctor: LocalAccount;
  /** The patient lets the hospital and the lab read and append every category. */
  let hospitalGrant: bigint;
  let labGrant: bigint;
  before(async () => {
    ledger = await deployLedger();
    c = await setUpConsortium(ledger);
    peerDoctor = newAccount();
    labDoctor = newAccount();
    await addMember(ledger, c.hospitalAdmin, { organisationId: c.hospital, member: peerDoctor.address });
    await addMember(ledger, c.labAdmin, { organisationId: c.lab, member: labDoctor.address });
    const everything = { categories: allCategories, maxSensitivity: 1, actions: action.read | action.append };
    ({ grantId: hospitalGrant } = await grant(ledger, c.patient, {
      granteeOrganisation: c.hospital,
      ...everything,
    }));
    ({ grantId: labGrant } = await grant(ledger, c.patient, { granteeOrganisation: c.lab, ...everything }));
  });
  after(() => ledger.stop());
  isolateEachTest(() => ledger);

  /**
   * Enacts a policy for `category` with the votes of both organisations, then moves the clock on: a policy
   * applies to records anchored at a later timestamp, and anvil may mine several blocks in one second.
   */
  async function enact(category: number, requirements: Requirement[], patient = false) {
    const { proposalId } = await proposePolicy(ledger, c.hospitalAdmin, category, requirements, { patient });
    await approvePolicy(ledger, c.labAdmin, proposalId);
    await ledger.increaseTime(1);
  }

  async function anchor(author: LocalAccount, input: Partial<RecordLeaf> = {}, grantId = 0n) {
    const record = newRecord({ patient: c.patient.address, author: author.address, ...input });
    await anchorRecords(ledger, [await signedRecord(ledger, author, record, grantId)]);
    return record;
  }

  const stampOf = (record: RecordLeaf) => ledger.read<Stamp>('coSignatures', 'stampOf', [record]);

  async function coSign(signer: LocalAccount, record: RecordLeaf, grantId = 0n) {
    return coSignRecords(ledger, [await signedCoSignature(ledger, signer, record, { grantId })]);
  }

  describe('policies', () => {
    it('has no policy before the consortium enacts one', async () => {
      const [current, version] = await ledger.read<[{ requirements: unknown[]; patient: boolean }, bigint]>(
        'coSignatures',
        'policy',
        [lab],
      );
      assert.equal(version, 0n);
      assert.deepEqual(current.requirements, []);
      assert.equal(current.patient, false);
      await assertRevert(ledger.read('coSignatures', 'policyAt', [lab, 1n]), 'CoSignaturesUnknownPolicy', [
        lab,
        1n,
      ]);
    });

    it('enacts a proposal once two thirds of the active organisations approve it', async () => {
      const requirements = [
        { role: role.lab, count: 1, sameOrganisation: false },
        { role: role.doctor, count: 1, sameOrganisation: false },
      ];
      const proposed = await proposePolicy(ledger, c.hospitalAdmin, lab, requirements);
      assertEvents(proposed, [
        {
          eventName: 'PolicyProposed',
          args: { proposalId: 1n, category: lab, requirements, patient: false },
        },
        {
          eventName: 'PolicyApproved',
          args: { proposalId: 1n, approverOrganisationId: c.hospital, approvals: 1 },
        },
      ]);
      assert.equal((await ledger.read<[unknown, bigint]>('coSignatures', 'policy', [lab]))[1], 0n);

      const approved = await approvePolicy(ledger, c.labAdmin, proposed.proposalId);
      assertEvents(approved, [
        {
          eventName: 'PolicyApproved',
          args: { proposalId: 1n, approverOrganisationId: c.lab, approvals: 2 },
        },
        { eventName: 'PolicyChanged', args: { category: lab, version: 1n, requirements, patient: false } },
      ]);
      const enactedAt = (await ledger.publicClient.getBlock({ blockNumber: approved.receipt.blockNumber }))
        .timestamp;
      const expected = { requirements, patient: false, enactedAt };
      assert.deepEqual(await ledger.read('coSignatures', 'policy', [lab]), [expected, 1n]);
      assert.deepEqual(await ledger.read('coSignatures', 'policyAt', [lab, 1n]), expected);
      assert.deepEqual(await ledger.read('coSignatures', 'policyProposal', [1n]), {
        category: lab,
        requirements,
        patient: false,
        proposerOrganisationId: c.hospital,
        approvals: 2,
        baseVersion: 0n,
        enacted: true,
      });
      assert.equal(await ledger.read('coSignatures', 'policyProposalCount'), 1n);
      assert.equal(await ledger.read('coSignatures', 'hasApprovedPolicy', [1n, c.lab]), true);
      await assertRevert(
        approvePolicy(ledger, c.labAdmin, proposed.proposalId),
        'CoSignaturesProposalNotPending',
        [1n],
      );
    });

    it('voids proposals overtaken by another policy of their category, and counts one vote per organisation', async () => {
      const first = await proposePolicy(ledger, c.hospitalAdmin, lab, [
        { role: role.lab, count: 1, sameOrganisation: false },
      ]);
      await assertRevert(
        approvePolicy(ledger, c.hospitalAdmin, first.proposalId),
        'CoSignaturesAlreadyApproved',
        [first.proposalId, c.hospital],
      );
      const other = await proposePolicy(ledger, c.labAdmin, medication, []);
      const second = await proposePolicy(ledger, c.labAdmin, lab, []);
      await approvePolicy(ledger, c.hospitalAdmin, second.proposalId);
      await assertRevert(
        approvePolicy(ledger, c.labAdmin, first.proposalId),
        'CoSignaturesProposalNotPending',
        [first.proposalId],
      );
      // A policy of another category does not overtake it.
      await approvePolicy(ledger, c.hospitalAdmin, other.proposalId);
      for (const proposalId of [0n, 99n]) {
        await assertRevert(approvePolicy(ledger, c.labAdmin, proposalId), 'CoSignaturesProposalNotPending', [
          proposalId,
        ]);
      }
    });

    it('accepts proposals and votes only from active admins of active organisations', async () => {
      const requirements = [{ role: role.doctor, count: 1, sameOrganisation: false }];
      await assertRevert(proposePolicy(ledger, c.doctor, lab, requirements), 'CoSignaturesNotActiveAdmin', [
        c.doctor.address,
      ]);
      await assertRevert(proposePolicy(ledger, c.stranger, lab, requirements), 'CoSignaturesNotActiveAdmin', [
        c.stranger.address,
      ]);
      const { proposalId } = await proposePolicy(ledger, c.hospitalAdmin, lab, requirements);
      await assertRevert(approvePolicy(ledger, c.labTechnician, proposalId), 'CoSignaturesNotActiveAdmin', [
        c.labTechnician.address,
      ]);
      const secondAdmin = newAccount();
      await addMember(ledger, c.labAdmin, {
        organisationId: c.lab,
        member: secondAdmin.address,
        role: role.admin,
      });
      await suspendMember(ledger, c.labAdmin, secondAdmin.address);
      await assertRevert(approvePolicy(ledger, secondAdmin, proposalId), 'CoSignaturesNotActiveAdmin', [
        secondAdmin.address,
      ]);
    });

    it('rejects invalid categories, roles, counts and repeated roles', async () => {
      const propose = (category: number, requirements: Requirement[]) =>
        proposePolicy(ledger, c.hospitalAdmin, category, requirements);
      const doctors = (count: number): Requirement => ({ role: role.doctor, count, sameOrganisation: true });
      await assertRevert(propose(categoryCount, []), 'CoSignaturesInvalidCategory', [categoryCount]);
      await assertRevert(propose(lab, [{ ...doctors(1), role: 0 }]), 'CoSignaturesInvalidRole', [0]);
      await assertRevert(propose(lab, [{ ...doctors(1), role: 7 }]), 'CoSignaturesInvalidRole', [7]);
      await assertRevert(propose(lab, [doctors(0)]), 'CoSignaturesInvalidCount', [role.doctor, 0]);
      await assertRevert(propose(lab, [doctors(17)]), 'CoSignaturesInvalidCount', [role.doctor, 17]);
      await assertRevert(
        propose(lab, [doctors(1), { ...doctors(2), sameOrganisation: false }]),
        'CoSignaturesDuplicateRole',
        [role.doctor],
      );
      await propose(lab, [doctors(16), { role: role.admin, count: 1, sameOrganisation: false }]);
    });

    it('rejects replayed, forged and expired signatures', async () => {
      const nonce = randomNonce();
      await proposePolicy(ledger, c.hospitalAdmin, lab, [], {}, { nonce });
      await assertRevert(
        proposePolicy(ledger, c.hospitalAdmin, lab, [], {}, { nonce }),
        'SignedActionNonceUsed',
        [c.hospitalAdmin.address, nonce],
      );
      await assertRevert(
        proposePolicy(ledger, c.stranger, lab, [], { admin: c.hospitalAdmin.address }),
        'SignedActionInvalidSignature',
        [c.hospitalAdmin.address],
      );
      await assertRevert(
        proposePolicy(ledger, c.hospitalAdmin, lab, [], {}, { transformSignature: highS }),
        'SignedActionInvalidSignature',
        [c.hospitalAdmin.address],
      );
      const deadline = (await ledger.now()) - 1n;
      await assertRevert(approvePolicy(ledger, c.labAdmin, 1n, {}, { deadline }), 'SignedActionExpired', [
        deadline,
      ]);
    });

    it('hashes the proposal as viem does (a Requirement[] inside the typed data)', async () => {
      // A signature over the wrong struct hash would be refused: a valid one proves both sides agree.
      const requirements = [
        { role: role.lab, count: 2, sameOrganisation: true },
        { role: role.pharmacist, count: 1, sameOrganisation: false },
      ];
      const { proposalId } = await proposePolicy(ledger, c.hospitalAdmin, medication, requirements, {
        patient: true,
      });
      assert.equal(proposalId, 1n);
      const recordId = randomBytes32();
      const contentDigest = randomBytes32();
      assert.equal(
        await ledger.read('coSignatures', 'coSignatureHash', [recordId, contentDigest, c.doctor.address]),
        hashStruct({
          data: { recordId, contentDigest, signer: c.doctor.address },
          primaryType: 'CoSignature',
          types: coSignaturesTypes,
        }),
      );
    });
  });

  describe('stamps', () => {
    it('makes a record final at once when its category has no policy', async () => {
      const record = await anchor(c.doctor, { category: lab }, hospitalGrant);
      assert.deepEqual(await stampOf(record), { finalised: true, policyVersion: 0n, coSigners: [] });
    });

    it('makes a lab result final with the lab technician (its author) and a doctor; a nurse does not count', async () => {
      await enact(lab, [
        { role: role.lab, count: 1, sameOrganisation: false },
        { role: role.doctor, count: 1, sameOrganisation: false },
      ]);
      const record = await anchor(c.labTechnician, { category: lab }, labGrant);
      assert.deepEqual(await stampOf(record), { finalised: false, policyVersion: 1n, coSigners: [] });

      const byNurse = await coSign(c.nurse, record, hospitalGrant);
      assertEvents(byNurse, [
        {
          eventName: 'RecordCoSigned',
          args: {
            recordId: record.recordId,
            patient: c.patient.address,
            signer: c.nurse.address,
            role: role.nurse,
            organisationId: c.hospital,
            finalised: false,
          },
        },
      ]);
      assert.equal((await stampOf(record)).finalised, false);

      const byDoctor = await coSign(c.doctor, record, hospitalGrant);
      assert.equal(eventsNamed(byDoctor, 'RecordCoSigned')[0]?.finalised, true);
      assert.deepEqual(await stampOf(record), {
        finalised: true,
        policyVersion: 1n,
        coSigners: [c.nurse.address, c.doctor.address],
      });
      assert.deepEqual(await ledger.read('coSignatures', 'coSignersOf', [record.recordId]), [
        c.nurse.address,
        c.doctor.address,
      ]);
      assert.equal(
        await ledger.read('coSignatures', 'hasCoSigned', [record.recordId, c.doctor.address]),
        true,
      );
      assert.equal(
        await ledger.read('coSignatures', 'hasCoSigned', [record.recordId, labDoctor.address]),
        false,
      );
    });

    it('counts only doctors of the author’s organisation for peer validation of a diagnosis', async () => {
      await enact(condition, [{ role: role.doctor, count: 2, sameOrganisation: true }]);
      const record = await anchor(c.doctor, { category: condition }, hospitalGrant);
      await coSign(labDoctor, record, labGrant);
      assert.equal((await stampOf(record)).finalised, false, 'a doctor of another organisation counted');
      await coSign(peerDoctor, record, hospitalGrant);
      assert.equal((await stampOf(record)).finalised, true);
    });

    it('waits for the patient when the policy asks for the patient', async () => {
      await enact(medication, [], true);
      const record = await anchor(c.doctor, { category: medication }, hospitalGrant);
      assert.equal((await stampOf(record)).finalised, false);
      const byPatient = await coSign(c.patient, record);
      assertEvents(byPatient, [
        {
          eventName: 'RecordCoSigned',
          args: {
            recordId: record.recordId,
            patient: c.patient.address,
            signer: c.patient.address,
            role: 0,
            organisationId: c.hospital,
            finalised: true,
          },
        },
      ]);
      const ownRecord = await anchor(c.patient, { category: medication, author: c.patient.address });
      assert.equal((await stampOf(ownRecord)).finalised, true, 'the patient wrote it: its signature counts');
    });

    it('judges a record by the policy enacted before it was anchored', async () => {
      const before = await anchor(c.doctor, { category: condition }, hospitalGrant);
      await enact(condition, [{ role: role.doctor, count: 2, sameOrganisation: true }]);
      const between = await anchor(c.doctor, { category: condition }, hospitalGrant);
      await enact(condition, [{ role: role.doctor, count: 3, sameOrganisation: true }]);
      const after = await anchor(c.doctor, { category: condition }, hospitalGrant);
      assert.deepEqual(await stampOf(before), { finalised: true, policyVersion: 0n, coSigners: [] });
      for (const record of [between, after]) await coSign(peerDoctor, record, hospitalGrant);
      assert.deepEqual(await stampOf(between), {
        finalised: true,
        policyVersion: 1n,
        coSigners: [peerDoctor.address],
      });
      assert.deepEqual(await stampOf(after), {
        finalised: false,
        policyVersion: 2n,
        coSigners: [peerDoctor.address],
      });
    });

    it('keeps counting a co-signature after its signer is suspended', async () => {
      await enact(condition, [{ role: role.doctor, count: 2, sameOrganisation: true }]);
      const record = await anchor(c.doctor, { category: condition }, hospitalGrant);
      await coSign(peerDoctor, record, hospitalGrant);
      await suspendMember(ledger, c.hospitalAdmin, peerDoctor.address);
      assert.equal((await stampOf(record)).finalised, true);
    });

    it('adds a batch of co-signatures in one transaction', async () => {
      const first = await anchor(c.doctor, { category: lab }, hospitalGrant);
      const second = await anchor(c.doctor, { category: condition }, hospitalGrant);
      const result = await coSignRecords(ledger, [
        await signedCoSignature(ledger, peerDoctor, first, { grantId: hospitalGrant }),
        await signedCoSignature(ledger, c.patient, first),
        await signedCoSignature(ledger, peerDoctor, second, { grantId: hospitalGrant }),
      ]);
      assert.deepEqual(
        eventsNamed(result, 'RecordCoSigned').map((event) => [event.recordId, event.signer]),
        [
          [first.recordId, peerDoctor.address],
          [first.recordId, c.patient.address],
          [second.recordId, peerDoctor.address],
        ],
      );
    });
  });

  describe('rejections', () => {
    it('rejects an empty batch, unknown records and record fields that differ from the anchored leaf', async () => {
      await assertRevert(coSignRecords(ledger, []), 'CoSignaturesEmptyBatch');
      const unknown = newRecord({ patient: c.patient.address, author: c.doctor.address });
      await assertRevert(coSign(peerDoctor, unknown, hospitalGrant), 'CoSignaturesUnknownRecord', [
        unknown.recordId,
        peerDoctor.address,
      ]);
      await assertRevert(ledger.read('coSignatures', 'stampOf', [unknown]), 'CoSignaturesUnknownRecord', [
        unknown.recordId,
        '0x0000000000000000000000000000000000000000',
      ]);
      const record = await anchor(c.doctor, {}, hospitalGrant);
      const tampered = { ...record, contentDigest: randomBytes32() };
      await assertRevert(coSign(peerDoctor, tampered, hospitalGrant), 'CoSignaturesRecordMismatch', [
        record.recordId,
        peerDoctor.address,
      ]);
    });

    it('rejects forged co-signatures: another signer, a tampered digest, another record, another chain', async () => {
      const record = await anchor(c.doctor, {}, hospitalGrant);
      const other = await anchor(c.doctor, {}, hospitalGrant);
      const forged = [
        // Signed by the nurse in the doctor's name.
        {
          ...(await signedCoSignature(ledger, c.nurse, record, { grantId: hospitalGrant })),
          signer: peerDoctor.address,
        },
        // The doctor signed another content digest.
        await signedCoSignature(ledger, peerDoctor, record, {
          grantId: hospitalGrant,
          message: { contentDigest: randomBytes32() },
        }),
        // The doctor's co-signature of another record, replayed on this one.
        {
          ...(await signedCoSignature(ledger, peerDoctor, other, { grantId: hospitalGrant })),
          record,
        },
        await signedCoSignature(ledger, peerDoctor, record, { grantId: hospitalGrant }, { chainId: 1 }),
        await signedCoSignature(
          ledger,
          peerDoctor,
          record,
          { grantId: hospitalGrant },
          { transformSignature: highS },
        ),
        {
          ...(await signedCoSignature(ledger, peerDoctor, record, { grantId: hospitalGrant })),
          signature: '0x' as const,
        },
      ];
      for (const input of forged) {
        await assertRevert(coSignRecords(ledger, [input]), 'CoSignaturesInvalidSignature', [
          record.recordId,
          peerDoctor.address,
        ]);
      }
    });

    it('rejects a second co-signature by the same signer, and the author’s', async () => {
      const record = await anchor(c.doctor, {}, hospitalGrant);
      const signed = await signedCoSignature(ledger, peerDoctor, record, { grantId: hospitalGrant });
      await coSignRecords(ledger, [signed]);
      await assertRevert(coSignRecords(ledger, [signed]), 'CoSignaturesAlreadySigned', [
        record.recordId,
        peerDoctor.address,
      ]);
      const again = await signedCoSignature(ledger, c.patient, record);
      await assertRevert(coSignRecords(ledger, [again, again]), 'CoSignaturesAlreadySigned', [
        record.recordId,
        c.patient.address,
      ]);
      await assertRevert(coSign(c.doctor, record, hospitalGrant), 'CoSignaturesAlreadySigned', [
        record.recordId,
        c.doctor.address,
      ]);
    });

    it('rejects signers who are neither the patient nor active members', async () => {
      const record = await anchor(c.doctor, {}, hospitalGrant);
      await assertRevert(coSign(c.stranger, record), 'CoSignaturesNotActiveMember', [
        record.recordId,
        c.stranger.address,
      ]);
      await assertRevert(coSign(c.otherPatient, record), 'CoSignaturesNotActiveMember', [
        record.recordId,
        c.otherPatient.address,
      ]);
      await suspendMember(ledger, c.hospitalAdmin, peerDoctor.address);
      await assertRevert(coSign(peerDoctor, record, hospitalGrant), 'CoSignaturesNotActiveMember', [
        record.recordId,
        peerDoctor.address,
      ]);
    });

    it('rejects members whose grant does not let them read the record now', async () => {
      const record = await anchor(c.doctor, { category: condition, sensitivity: 1 }, hospitalGrant);
      const { grantId: narrow } = await grant(ledger, c.patient, {
        grantee: labDoctor.address,
        categories: 1 << condition,
        maxSensitivity: 0,
      });
      const { grantId: appendOnly } = await grant(ledger, c.patient, {
        grantee: labDoctor.address,
        categories: 1 << condition,
        maxSensitivity: 1,
        actions: action.append,
      });
      for (const grantId of [0n, narrow, appendOnly, hospitalGrant]) {
        await assertRevert(coSign(labDoctor, record, grantId), 'CoSignaturesNotAuthorised', [
          record.recordId,
          labDoctor.address,
          grantId,
        ]);
      }
      await coSign(labDoctor, record, labGrant);
      await revoke(ledger, c.patient, hospitalGrant);
      await assertRevert(coSign(peerDoctor, record, hospitalGrant), 'CoSignaturesNotAuthorised', [
        record.recordId,
        peerDoctor.address,
        hospitalGrant,
      ]);
    });

    it('accepts sixteen co-signers per record and no more', async () => {
      const record = await anchor(c.doctor, {}, hospitalGrant);
      const members = Array.from({ length: 17 }, () => newAccount());
      for (const member of members) {
        await addMember(ledger, c.hospitalAdmin, {
          organisationId: c.hospital,
          member: member.address,
          role: role.nurse,
        });
      }
      const signed = await Promise.all(
        members.map((member) => signedCoSignature(ledger, member, record, { grantId: hospitalGrant })),
      );
      await coSignRecords(ledger, signed.slice(0, 16));
      await assertRevert(coSignRecords(ledger, [signed[16]!]), 'CoSignaturesTooManySigners', [
        record.recordId,
        members[16]!.address,
      ]);
    });

    it('refuses the whole batch for one bad co-signature, naming it', async () => {
      const record = await anchor(c.doctor, {}, hospitalGrant);
      const good = await signedCoSignature(ledger, peerDoctor, record, { grantId: hospitalGrant });
      const bad = await signedCoSignature(ledger, c.stranger, record);
      await assertRevert(coSignRecords(ledger, [good, bad]), 'CoSignaturesNotActiveMember', [
        record.recordId,
        c.stranger.address,
      ]);
      assert.deepEqual(await ledger.read('coSignatures', 'coSignersOf', [record.recordId]), []);
    });
  });
});
