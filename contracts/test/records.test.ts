import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { anchoredLeafHash, recordLeafHash } from '@medledger/core';
import type { Hex, LocalAccount } from 'viem';
import {
  action,
  allCategories,
  anchorRecords,
  categoryCount,
  grant,
  newAccount,
  newRecord,
  type RecordInput,
  type RecordLeaf,
  randomBytes32,
  registerPatient,
  revoke,
  signedRecord,
  suspendMember,
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

const leafOf = (record: RecordLeaf): Hex => recordLeafHash(record);
/** What the chain keeps of the leaf: its low 184 bits. */
const anchoredLeafOf = (record: RecordLeaf): Hex => anchoredLeafHash(record);

describe('Records', () => {
  let ledger: TestLedger;
  let c: Consortium;
  /** A grant letting the doctor append any category at any sensitivity to the patient's records. */
  let doctorGrant: bigint;
  before(async () => {
    ledger = await deployLedger();
    c = await setUpConsortium(ledger);
    ({ grantId: doctorGrant } = await grant(ledger, c.patient, {
      grantee: c.doctor.address,
      categories: allCategories,
      maxSensitivity: 1,
      actions: action.read | action.append,
    }));
  });
  after(() => ledger.stop());
  isolateEachTest(() => ledger);

  const byDoctor = (input: Partial<RecordLeaf> = {}) =>
    newRecord({ patient: c.patient.address, author: c.doctor.address, ...input });
  const anchorOne = async (author: LocalAccount, record: RecordLeaf, grantId = 0n) =>
    anchorRecords(ledger, [await signedRecord(ledger, author, record, grantId)]);

  describe('anchoring', () => {
    it('anchors a record written by the patient, under the patient organisation', async () => {
      const record = newRecord({ patient: c.patient.address, author: c.patient.address, category: 5 });
      const result = await anchorOne(c.patient, record);
      assertEvents(result, [
        { eventName: 'RecordAnchored', args: { ...record, organisationId: c.hospital } },
      ]);
      const anchoredAt = (await ledger.publicClient.getBlock({ blockNumber: result.receipt.blockNumber }))
        .timestamp;
      assert.deepEqual(await ledger.read('records', 'anchorOf', [record.recordId]), {
        leaf: anchoredLeafOf(record),
        patient: c.patient.address,
        anchoredAt,
        supersededBy: zeroHash,
      });
      assert.equal(await ledger.read('records', 'isAnchored', [record.recordId]), true);
      assert.equal(await ledger.read('records', 'isAnchored', [randomBytes32()]), false);
      assert.equal(await ledger.read('records', 'recordCount'), 1n);

      const unattached = newRecord({ patient: c.otherPatient.address, author: c.otherPatient.address });
      const [event] = (await anchorOne(c.otherPatient, unattached)).events;
      assert.equal(event?.args.organisationId, 0);
    });

    it('anchors records written by members holding an append grant, under their organisation', async () => {
      const record = byDoctor({ sensitivity: 1, category: 11 });
      assertEvents(await anchorOne(c.doctor, record, doctorGrant), [
        { eventName: 'RecordAnchored', args: { ...record, organisationId: c.hospital } },
      ]);

      const { grantId: labGrant } = await grant(ledger, c.patient, {
        granteeOrganisation: c.lab,
        categories: 1 << 3,
        actions: action.append,
      });
      const labRecord = newRecord({
        patient: c.patient.address,
        author: c.labTechnician.address,
        category: 3,
      });
      const [event] = (await anchorOne(c.labTechnician, labRecord, labGrant)).events;
      assert.equal(event?.args.organisationId, c.lab);
    });

    it('anchors a batch, amendments superseding earlier records once', async () => {
      const original = byDoctor();
      await anchorOne(c.doctor, original, doctorGrant);
      const amendment = byDoctor({ supersedes: original.recordId });
      const second = newRecord({
        patient: c.patient.address,
        author: c.patient.address,
        supersedes: amendment.recordId,
      });
      const unrelated = byDoctor({ category: 2 });
      const result = await anchorRecords(ledger, [
        await signedRecord(ledger, c.doctor, amendment, doctorGrant),
        await signedRecord(ledger, c.patient, second),
        await signedRecord(ledger, c.doctor, unrelated, doctorGrant),
      ]);
      assertEvents(result, [
        { eventName: 'RecordAnchored', args: { ...amendment, organisationId: c.hospital } },
        {
          eventName: 'RecordSuperseded',
          args: { recordId: original.recordId, supersededBy: amendment.recordId },
        },
        { eventName: 'RecordAnchored', args: { ...second, organisationId: c.hospital } },
        {
          eventName: 'RecordSuperseded',
          args: { recordId: amendment.recordId, supersededBy: second.recordId },
        },
        { eventName: 'RecordAnchored', args: { ...unrelated, organisationId: c.hospital } },
      ]);
      const anchorOf = (recordId: Hex) =>
        ledger.read<{ supersededBy: Hex; leaf: Hex }>('records', 'anchorOf', [recordId]);
      assert.equal((await anchorOf(original.recordId)).supersededBy, amendment.recordId);
      assert.equal((await anchorOf(amendment.recordId)).supersededBy, second.recordId);
      assert.equal((await anchorOf(second.recordId)).supersededBy, zeroHash);
      assert.equal((await anchorOf(original.recordId)).leaf, anchoredLeafOf(original));
      assert.equal(await ledger.read('records', 'recordCount'), 4n);
    });

    it('keeps one slot per record: its time, its patient and 184 bits of its leaf, which anchorTimeOf checks', async () => {
      const record = byDoctor();
      const result = await anchorOne(c.doctor, record, doctorGrant);
      const anchoredAt = (await ledger.publicClient.getBlock({ blockNumber: result.receipt.blockNumber }))
        .timestamp;
      const anchorTimeOf = (fields: RecordLeaf) =>
        ledger.read<[bigint, boolean]>('records', 'anchorTimeOf', [fields]);
      assert.deepEqual(await anchorTimeOf(record), [anchoredAt, true]);
      // Any other field, the patient included, no longer hashes to the kept bits.
      assert.deepEqual(await anchorTimeOf({ ...record, contentDigest: randomBytes32() }), [
        anchoredAt,
        false,
      ]);
      assert.deepEqual(await anchorTimeOf({ ...record, patient: c.otherPatient.address }), [
        anchoredAt,
        false,
      ]);
      assert.deepEqual(await anchorTimeOf(byDoctor()), [0n, false]);
      // The kept leaf is the full leaf's low 184 bits.
      const { leaf } = await ledger.read<{ leaf: Hex }>('records', 'anchorOf', [record.recordId]);
      assert.equal(BigInt(leaf), BigInt(leafOf(record)) & ((1n << 184n) - 1n));
      // A record the doctor wrote on a patient registered later is still named by its own patient.
      const late = newAccount();
      await registerPatient(ledger, late);
      const { grantId } = await grant(ledger, late, { grantee: c.doctor.address, actions: action.append });
      const lateRecord = newRecord({ patient: late.address, author: c.doctor.address });
      await anchorOne(c.doctor, lateRecord, grantId);
      const lateAnchor = await ledger.read<{ patient: Hex }>('records', 'anchorOf', [lateRecord.recordId]);
      assert.equal(lateAnchor.patient, late.address);
    });

    it('checks each record of a batch of several patients and authors on its own', async () => {
      // Alternating patients and authors: what the batch remembers of the last one never carries over.
      const byPatient = newRecord({ patient: c.patient.address, author: c.patient.address });
      const foreign = newRecord({ patient: c.otherPatient.address, author: c.doctor.address });
      await assertRevert(
        anchorRecords(ledger, [
          await signedRecord(ledger, c.doctor, byDoctor(), doctorGrant),
          await signedRecord(ledger, c.patient, byPatient),
          // The doctor's grant is the patient's, not the other patient's.
          await signedRecord(ledger, c.doctor, foreign, doctorGrant),
        ]),
        'RecordsNotAuthorised',
        [foreign.recordId, c.doctor.address],
      );
      const byNurse = newRecord({ patient: c.patient.address, author: c.nurse.address });
      await assertRevert(
        anchorRecords(ledger, [
          await signedRecord(ledger, c.doctor, byDoctor(), doctorGrant),
          // The same grant and patient, another author: the grant is the doctor's only.
          await signedRecord(ledger, c.nurse, byNurse, doctorGrant),
        ]),
        'RecordsNotAuthorised',
        [byNurse.recordId, c.nurse.address],
      );
      const otherOwn = newRecord({ patient: c.otherPatient.address, author: c.otherPatient.address });
      const signedByPatient = await signedRecord(ledger, c.patient, {
        ...otherOwn,
      });
      await assertRevert(
        anchorRecords(ledger, [await signedRecord(ledger, c.patient, byPatient), signedByPatient]),
        'RecordsInvalidSignature',
        [otherOwn.recordId, c.otherPatient.address],
      );
      const restricted = byDoctor({ sensitivity: 1, category: 4 });
      const { grantId: narrow } = await grant(ledger, c.patient, {
        grantee: c.doctor.address,
        categories: 0b1,
        actions: action.append,
      });
      await assertRevert(
        anchorRecords(ledger, [
          await signedRecord(ledger, c.doctor, byDoctor({ category: 0 }), narrow),
          await signedRecord(ledger, c.doctor, restricted, narrow),
        ]),
        'RecordsNotAuthorised',
        [restricted.recordId, c.doctor.address],
      );
    });

    it('hashes a record leaf exactly as the client and gateways do (recordLeafHash, EIP-712 hashStruct)', async () => {
      const samples = [
        byDoctor(),
        newRecord({
          patient: c.otherPatient.address,
          author: c.nurse.address,
          category: 11,
          sensitivity: 1,
          supersedes: randomBytes32(),
          createdAt: 2n ** 64n - 1n,
        }),
      ];
      for (const record of samples) {
        assert.equal(await ledger.read('records', 'recordLeaf', [record]), leafOf(record));
      }
    });
  });

  describe('rejections', () => {
    it('rejects an empty batch and invalid record fields', async () => {
      await assertRevert(anchorRecords(ledger, []), 'RecordsEmptyBatch');
      await assertRevert(
        anchorOne(c.doctor, byDoctor({ recordId: zeroHash }), doctorGrant),
        'RecordsInvalidRecordId',
        [zeroHash],
      );
      const invalidCategory = byDoctor({ category: categoryCount });
      await assertRevert(anchorOne(c.doctor, invalidCategory, doctorGrant), 'RecordsInvalidCategory', [
        invalidCategory.recordId,
        categoryCount,
      ]);
      const invalidSensitivity = byDoctor({ sensitivity: 2 });
      await assertRevert(anchorOne(c.doctor, invalidSensitivity, doctorGrant), 'RecordsInvalidSensitivity', [
        invalidSensitivity.recordId,
        2,
      ]);
      const empty = byDoctor({ contentDigest: zeroHash });
      await assertRevert(anchorOne(c.doctor, empty, doctorGrant), 'RecordsZeroContent', [empty.recordId]);
      const unknownPatient = newRecord({ patient: c.stranger.address, author: c.stranger.address });
      await assertRevert(anchorOne(c.stranger, unknownPatient), 'RecordsUnknownPatient', [
        unknownPatient.recordId,
        c.stranger.address,
      ]);
    });

    it('rejects signatures not made by the author', async () => {
      const record = byDoctor();
      await assertRevert(anchorOne(c.nurse, record, doctorGrant), 'RecordsInvalidSignature', [
        record.recordId,
        c.doctor.address,
      ]);
      const signed = await signedRecord(ledger, c.doctor, record, doctorGrant);
      const tampered = { ...signed, record: { ...record, contentDigest: randomBytes32() } };
      await assertRevert(anchorRecords(ledger, [tampered]), 'RecordsInvalidSignature', [
        record.recordId,
        c.doctor.address,
      ]);
      await assertRevert(anchorRecords(ledger, [{ ...signed, signature: '0x' }]), 'RecordsInvalidSignature', [
        record.recordId,
        c.doctor.address,
      ]);
    });

    it('rejects authors without a grant in force covering the append', async () => {
      const notAuthorised = async (
        author: LocalAccount,
        grantId: bigint,
        input: Partial<RecordLeaf> = {},
      ) => {
        const record = newRecord({ patient: c.patient.address, author: author.address, ...input });
        await assertRevert(anchorOne(author, record, grantId), 'RecordsNotAuthorised', [
          record.recordId,
          author.address,
        ]);
      };
      await notAuthorised(c.doctor, 0n);
      await notAuthorised(c.doctor, 99n);
      await notAuthorised(c.nurse, doctorGrant);
      await notAuthorised(c.stranger, doctorGrant);
      await notAuthorised(c.otherPatient, doctorGrant);

      const { grantId: readOnly } = await grant(ledger, c.patient, {
        grantee: c.nurse.address,
        actions: action.read,
      });
      await notAuthorised(c.nurse, readOnly);
      const { grantId: narrow } = await grant(ledger, c.patient, {
        grantee: c.nurse.address,
        categories: 1 << 2,
        maxSensitivity: 0,
        actions: action.append,
      });
      await anchorOne(
        c.nurse,
        newRecord({ patient: c.patient.address, author: c.nurse.address, category: 2 }),
        narrow,
      );
      await notAuthorised(c.nurse, narrow, { category: 3 });
      await notAuthorised(c.nurse, narrow, { category: 2, sensitivity: 1 });

      const { grantId: otherPatients } = await grant(ledger, c.otherPatient, {
        grantee: c.nurse.address,
        actions: action.append,
      });
      await notAuthorised(c.nurse, otherPatients);

      const expiresAt = (await ledger.now()) + 50n;
      const { grantId: shortLived } = await grant(ledger, c.patient, {
        grantee: c.nurse.address,
        categories: allCategories,
        actions: action.append,
        expiresAt,
      });
      await ledger.increaseTime(100);
      await notAuthorised(c.nurse, shortLived);

      await revoke(ledger, c.patient, narrow);
      await notAuthorised(c.nurse, narrow, { category: 2 });

      await suspendMember(ledger, c.hospitalAdmin, c.doctor.address);
      await notAuthorised(c.doctor, doctorGrant);
    });

    it('never overwrites an anchored record', async () => {
      const record = byDoctor();
      await anchorOne(c.doctor, record, doctorGrant);
      const anchor = await ledger.read('records', 'anchorOf', [record.recordId]);
      await assertRevert(anchorOne(c.doctor, record, doctorGrant), 'RecordsAlreadyAnchored', [
        record.recordId,
      ]);
      const rewritten = { ...record, contentDigest: randomBytes32() };
      await assertRevert(anchorOne(c.doctor, rewritten, doctorGrant), 'RecordsAlreadyAnchored', [
        record.recordId,
      ]);
      assert.deepEqual(await ledger.read('records', 'anchorOf', [record.recordId]), anchor);

      const twice = byDoctor();
      const signed = await signedRecord(ledger, c.doctor, twice, doctorGrant);
      await assertRevert(anchorRecords(ledger, [signed, signed]), 'RecordsAlreadyAnchored', [twice.recordId]);
    });

    it('rejects amendments of unknown, foreign or already amended records', async () => {
      const unknown = randomBytes32();
      const orphan = byDoctor({ supersedes: unknown });
      await assertRevert(anchorOne(c.doctor, orphan, doctorGrant), 'RecordsUnknownSupersedes', [
        orphan.recordId,
        unknown,
      ]);
      const selfReference = byDoctor();
      selfReference.supersedes = selfReference.recordId;
      await assertRevert(anchorOne(c.doctor, selfReference, doctorGrant), 'RecordsUnknownSupersedes', [
        selfReference.recordId,
        selfReference.recordId,
      ]);

      const foreign = newRecord({ patient: c.otherPatient.address, author: c.otherPatient.address });
      await anchorOne(c.otherPatient, foreign);
      const crossPatient = byDoctor({ supersedes: foreign.recordId });
      await assertRevert(anchorOne(c.doctor, crossPatient, doctorGrant), 'RecordsSupersedesOtherPatient', [
        crossPatient.recordId,
        foreign.recordId,
      ]);

      const original = byDoctor();
      const first = byDoctor({ supersedes: original.recordId });
      const rival = byDoctor({ supersedes: original.recordId });
      await anchorOne(c.doctor, original, doctorGrant);
      await anchorOne(c.doctor, first, doctorGrant);
      await assertRevert(anchorOne(c.doctor, rival, doctorGrant), 'RecordsAlreadySuperseded', [
        rival.recordId,
        original.recordId,
        first.recordId,
      ]);
    });

    it('anchors all of a batch or none, naming the offending record', async () => {
      const valid = byDoctor();
      const invalid = byDoctor({ contentDigest: zeroHash });
      await assertRevert(
        anchorRecords(ledger, [
          await signedRecord(ledger, c.doctor, valid, doctorGrant),
          await signedRecord(ledger, c.doctor, invalid, doctorGrant),
        ]),
        'RecordsZeroContent',
        [invalid.recordId],
      );
      assert.equal(await ledger.read('records', 'isAnchored', [valid.recordId]), false);
      assert.equal(await ledger.read('records', 'recordCount'), 0n);
    });
  });

  describe('gas', () => {
    it('reports the gas per record of a batch of 100', async (t) => {
      const gasPerRecord = async (batch: Promise<RecordInput>[]) => {
        const { receipt } = await anchorRecords(ledger, await Promise.all(batch));
        return receipt.gasUsed / BigInt(batch.length);
      };
      const hundred = <T>(make: (index: number) => T) =>
        Array.from({ length: 100 }, (_, index) => make(index));

      const samePatientByMember = await gasPerRecord(
        hundred(() => signedRecord(ledger, c.doctor, byDoctor(), doctorGrant)),
      );
      const samePatientByPatient = await gasPerRecord(
        hundred(() =>
          signedRecord(
            ledger,
            c.patient,
            newRecord({ patient: c.patient.address, author: c.patient.address }),
          ),
        ),
      );
      const patients = hundred(() => newAccount());
      const grants: bigint[] = [];
      for (const patient of patients) {
        await registerPatient(ledger, patient);
        grants.push(
          (await grant(ledger, patient, { grantee: c.doctor.address, actions: action.append })).grantId,
        );
      }
      const distinctPatientsByMember = await gasPerRecord(
        hundred((index) =>
          signedRecord(
            ledger,
            c.doctor,
            newRecord({ patient: patients[index]!.address, author: c.doctor.address }),
            grants[index],
          ),
        ),
      );
      t.diagnostic(
        `gas per record, batch of 100: ${samePatientByMember} by a member with a grant, ` +
          `${distinctPatientsByMember} by a member for 100 distinct patients, ${samePatientByPatient} by the patient`,
      );
      assert.ok(distinctPatientsByMember < 120_000n, `gas per record ${distinctPatientsByMember}`);
    });
  });
});
