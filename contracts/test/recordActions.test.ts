import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Address, Hex, LocalAccount } from 'viem';
import {
  action,
  allCategories,
  anchorRecords,
  grant,
  newAccount,
  newRecord,
  type RecordInput,
  type RecordLeaf,
  randomBytes32,
  rotatePatientKey,
  signedRecord,
  zeroAddress,
} from './helpers/actions.ts';
import { type Consortium, setUpConsortium } from './helpers/fixtures.ts';
import {
  assertRevert,
  deployLedger,
  eventsNamed,
  isolateEachTest,
  type TestLedger,
} from './helpers/ledger.ts';
import {
  approveAuthorErasureWindow,
  derivationKind,
  derive,
  erase,
  eraseBatch,
  erasureReason,
  finaliseRetention,
  hide,
  proposeAuthorErasureWindow,
  signErasure,
  unhide,
} from './helpers/recordActionHelpers.ts';

const day = 24n * 3600n;

describe('RecordActions', () => {
  let ledger: TestLedger;
  let c: Consortium;
  /** Grants of `c.patient`, by grantee: the doctor may read, append and share; the nurse read and append. */
  const grants = new Map<Address, bigint>();
  let otherPatientDoctorGrant: bigint;

  before(async () => {
    ledger = await deployLedger();
    c = await setUpConsortium(ledger);
    for (const [grantee, actions] of [
      [c.doctor.address, action.read | action.append | action.share],
      [c.nurse.address, action.read | action.append],
      [c.labTechnician.address, action.append],
    ] as const) {
      const { grantId } = await grant(ledger, c.patient, {
        grantee,
        categories: allCategories,
        maxSensitivity: 1,
        actions,
      });
      grants.set(grantee, grantId);
    }
    ({ grantId: otherPatientDoctorGrant } = await grant(ledger, c.otherPatient, {
      grantee: c.doctor.address,
      categories: allCategories,
      actions: action.append,
    }));
  });
  after(() => ledger.stop());
  isolateEachTest(() => ledger);

  /** A record of `patient` (default `c.patient`) by `author`, signed, with the author's grant, not anchored. */
  function signed(author: LocalAccount, patient: Address = c.patient.address, grantId?: bigint) {
    return signedRecord(
      ledger,
      author,
      newRecord({ patient, author: author.address, category: 3 }),
      grantId ?? grants.get(author.address) ?? 0n,
    );
  }

  /** Anchors a record of `c.patient` by `author` (default the doctor) and returns its fields. */
  async function anchored(author: LocalAccount = c.doctor): Promise<RecordLeaf> {
    const input = await signed(author);
    await anchorRecords(ledger, [input]);
    return input.record;
  }

  function erasureOf(recordId: Hex) {
    return ledger.read<readonly [bigint, Address, number]>('recordActions', 'erasureOf', [recordId]);
  }

  function hiddenOf(recordId: Hex) {
    return ledger.read<readonly [bigint, Address, bigint]>('recordActions', 'hiddenOf', [recordId]);
  }

  /** Sets the author erasure window by the votes of both organisations' admins. */
  async function setWindow(windowSeconds: bigint) {
    const { proposalId } = await proposeAuthorErasureWindow(ledger, c.hospitalAdmin, windowSeconds);
    return approveAuthorErasureWindow(ledger, c.labAdmin, proposalId);
  }

  describe('erase', () => {
    it("erases a record at its patient's request and leaves its anchor untouched", async () => {
      const record = await anchored();
      const anchorBefore = await ledger.read('records', 'anchorOf', [record.recordId]);
      const result = await erase(ledger, c.patient, record, erasureReason.patientRequest);
      assert.deepEqual(eventsNamed(result, 'RecordErased'), [
        { recordId: record.recordId, patient: c.patient.address, by: c.patient.address, reason: 1 },
      ]);
      const [erasedAt, by, reason] = await erasureOf(record.recordId);
      assert.equal(erasedAt, await ledger.now());
      assert.equal(by, c.patient.address);
      assert.equal(reason, erasureReason.patientRequest);
      assert.equal(await ledger.read('recordActions', 'isErased', [record.recordId]), true);
      assert.deepEqual(await ledger.read('records', 'anchorOf', [record.recordId]), anchorBefore);
    });

    it("erases a whole chart in one batch, the patient's own records included", async () => {
      const records = [await anchored(), await anchored(c.nurse), await anchored(c.patient)];
      const signatures = await Promise.all(
        records.map((record) => signErasure(ledger, c.patient, record, erasureReason.patientRequest)),
      );
      const result = await eraseBatch(ledger, signatures, records);
      assert.deepEqual(
        eventsNamed(result, 'RecordErased').map((event) => event.recordId),
        records.map((record) => record.recordId),
      );
    });

    it('refuses a replay: the record is already erased, saying when', async () => {
      const record = await anchored();
      const signedErasure = await signErasure(ledger, c.patient, record, erasureReason.patientRequest);
      await eraseBatch(ledger, [signedErasure], [record]);
      const erasedAt = await ledger.now();
      await assertRevert(eraseBatch(ledger, [signedErasure], [record]), 'RecordActionsAlreadyErased', [
        record.recordId,
        erasedAt,
      ]);
    });

    it('refuses a record that is not anchored, or fields that are not the anchored ones', async () => {
      const notAnchored = (await signed(c.doctor)).record;
      await assertRevert(
        erase(ledger, c.patient, notAnchored, erasureReason.patientRequest),
        'RecordActionsNotAnchored',
        [notAnchored.recordId],
      );
      const record = await anchored();
      const altered = { ...record, category: 4 };
      await assertRevert(
        erase(ledger, c.patient, altered, erasureReason.patientRequest),
        'RecordActionsRecordMismatch',
        [record.recordId],
      );
      const signedErasure = await signErasure(ledger, c.patient, record, erasureReason.patientRequest);
      await assertRevert(
        eraseBatch(ledger, [signedErasure], [await anchored()]),
        'RecordActionsRecordMismatch',
        [record.recordId],
      );
    });

    it('refuses another patient, the author and a stranger asking for the patient request', async () => {
      const record = await anchored();
      for (const intruder of [c.otherPatient, c.doctor, c.stranger, c.hospitalAdmin]) {
        await assertRevert(
          erase(ledger, intruder, record, erasureReason.patientRequest),
          'RecordActionsNotAuthorised',
          [record.recordId, intruder.address],
        );
      }
    });

    it('refuses a forged, an expired, and a malformed batch', async () => {
      const record = await anchored();
      await assertRevert(
        erase(ledger, c.stranger, record, erasureReason.patientRequest, { by: c.patient.address }),
        'SignedActionInvalidSignature',
        [c.patient.address],
      );
      const deadline = (await ledger.now()) - 1n;
      await assertRevert(
        erase(ledger, c.patient, record, erasureReason.patientRequest, {}, { deadline }),
        'SignedActionExpired',
        [deadline],
      );
      const signedErasure = await signErasure(ledger, c.patient, record, erasureReason.patientRequest);
      await assertRevert(eraseBatch(ledger, [signedErasure], []), 'RecordActionsInvalidBatch', [1n, 0n, 1n]);
      await assertRevert(eraseBatch(ledger, [], []), 'RecordActionsInvalidBatch', [0n, 0n, 0n]);
    });

    it('refuses reasons erase does not take (moved, retention ended, none)', async () => {
      const record = await anchored();
      for (const reason of [0, erasureReason.moved, erasureReason.retentionEnded, 5]) {
        await assertRevert(erase(ledger, c.patient, record, reason), 'RecordActionsInvalidReason', [
          record.recordId,
          reason,
        ]);
      }
    });

    it("takes a patient's erasure signed with its rotated key only", async () => {
      const record = await anchored();
      const newKey = newAccount();
      await rotatePatientKey(ledger, c.patient, newKey, { patient: c.patient.address });
      await assertRevert(
        erase(ledger, c.patient, record, erasureReason.patientRequest),
        'SignedActionInvalidSignature',
        [newKey.address],
      );
      const result = await erase(ledger, newKey, record, erasureReason.patientRequest, {
        by: c.patient.address,
      });
      assert.equal(eventsNamed(result, 'RecordErased')[0]?.by, c.patient.address);
    });
  });

  describe('erase, entered in error, and the author erasure window', () => {
    it('refuses the author organisation while the window is 0 (the default)', async () => {
      const record = await anchored();
      const [anchor] = [await ledger.read<{ anchoredAt: bigint }>('records', 'anchorOf', [record.recordId])];
      assert.deepEqual(await ledger.read('recordActions', 'authorErasureWindow'), [0n, 0n]);
      await assertRevert(
        erase(ledger, c.hospitalAdmin, record, erasureReason.enteredInError),
        'RecordActionsErasureWindowClosed',
        [record.recordId, anchor.anchoredAt, 0n],
      );
    });

    it("lets an admin of the author's organisation erase within the window the consortium voted, not after", async () => {
      const { proposalId } = await proposeAuthorErasureWindow(ledger, c.hospitalAdmin, day);
      assert.deepEqual(await ledger.read('recordActions', 'authorErasureWindow'), [0n, 0n]);
      const approved = await approveAuthorErasureWindow(ledger, c.labAdmin, proposalId);
      assert.deepEqual(eventsNamed(approved, 'AuthorErasureWindowChanged'), [
        { version: 1n, windowSeconds: day },
      ]);
      assert.deepEqual(await ledger.read('recordActions', 'authorErasureWindow'), [day, 1n]);

      const record = await anchored();
      const result = await erase(ledger, c.hospitalAdmin, record, erasureReason.enteredInError);
      assert.deepEqual(eventsNamed(result, 'RecordErased'), [
        {
          recordId: record.recordId,
          patient: c.patient.address,
          by: c.hospitalAdmin.address,
          reason: erasureReason.enteredInError,
        },
      ]);

      const late = await anchored();
      const { anchoredAt } = await ledger.read<{ anchoredAt: bigint }>('records', 'anchorOf', [
        late.recordId,
      ]);
      await ledger.increaseTime(Number(day) + 1);
      await assertRevert(
        erase(ledger, c.hospitalAdmin, late, erasureReason.enteredInError),
        'RecordActionsErasureWindowClosed',
        [late.recordId, anchoredAt, day],
      );
    });

    it("refuses another organisation's admin, the author itself, and a patient's own record", async () => {
      await setWindow(day);
      const record = await anchored();
      for (const intruder of [c.labAdmin, c.doctor, c.patient]) {
        await assertRevert(
          erase(ledger, intruder, record, erasureReason.enteredInError),
          'RecordActionsNotAuthorised',
          [record.recordId, intruder.address],
        );
      }
      const patientsOwn = await anchored(c.patient);
      await assertRevert(
        erase(ledger, c.hospitalAdmin, patientsOwn, erasureReason.enteredInError),
        'RecordActionsNotAuthorised',
        [patientsOwn.recordId, c.hospitalAdmin.address],
      );
    });

    it('counts each organisation once, refuses non-admins, too long windows and overtaken proposals', async () => {
      const { proposalId } = await proposeAuthorErasureWindow(ledger, c.hospitalAdmin, day);
      await assertRevert(
        approveAuthorErasureWindow(ledger, c.hospitalAdmin, proposalId),
        'RecordActionsWindowAlreadyApproved',
        [proposalId, c.hospital],
      );
      await assertRevert(
        approveAuthorErasureWindow(ledger, c.doctor, proposalId),
        'RecordActionsNotActiveAdmin',
        [c.doctor.address, c.hospital],
      );
      await assertRevert(
        proposeAuthorErasureWindow(ledger, c.hospitalAdmin, 91n * day),
        'RecordActionsInvalidWindow',
        [91n * day],
      );
      const { proposalId: rival } = await proposeAuthorErasureWindow(ledger, c.labAdmin, 2n * day);
      await approveAuthorErasureWindow(ledger, c.labAdmin, proposalId);
      await assertRevert(
        approveAuthorErasureWindow(ledger, c.hospitalAdmin, rival),
        'RecordActionsWindowProposalNotPending',
        [rival],
      );
      await assertRevert(
        approveAuthorErasureWindow(ledger, c.labAdmin, 99n),
        'RecordActionsWindowProposalNotPending',
        [99n],
      );
      assert.equal(await ledger.read('recordActions', 'hasApprovedWindow', [proposalId, c.lab]), true);
      assert.equal(await ledger.read('recordActions', 'windowProposalCount'), 2n);
    });

    it('turns author erasure off again by a vote for 0', async () => {
      await setWindow(day);
      await setWindow(0n);
      const record = await anchored();
      await assertRevert(
        erase(ledger, c.hospitalAdmin, record, erasureReason.enteredInError),
        'RecordActionsErasureWindowClosed',
        [
          record.recordId,
          (await ledger.read<{ anchoredAt: bigint }>('records', 'anchorOf', [record.recordId])).anchoredAt,
          0n,
        ],
      );
    });
  });

  describe('hide, unhide, finaliseRetention', () => {
    it('hides a record for its patient and shows it again', async () => {
      const record = await anchored();
      const retainUntil = (await ledger.now()) + 30n * day;
      const hidden = await hide(ledger, c.patient, record, retainUntil);
      assert.deepEqual(eventsNamed(hidden, 'RecordHidden'), [
        { recordId: record.recordId, patient: c.patient.address, by: c.patient.address, retainUntil },
      ]);
      assert.deepEqual(await hiddenOf(record.recordId), [await ledger.now(), c.patient.address, retainUntil]);
      await assertRevert(hide(ledger, c.patient, record, 0n), 'RecordActionsAlreadyHidden', [
        record.recordId,
        retainUntil,
      ]);
      await assertRevert(unhide(ledger, c.hospitalAdmin, record.recordId), 'RecordActionsNotAuthorised', [
        record.recordId,
        c.hospitalAdmin.address,
      ]);
      const shown = await unhide(ledger, c.patient, record.recordId);
      assert.deepEqual(eventsNamed(shown, 'RecordUnhidden'), [
        { recordId: record.recordId, patient: c.patient.address },
      ]);
      assert.deepEqual(await hiddenOf(record.recordId), [0n, zeroAddress, 0n]);
      await assertRevert(unhide(ledger, c.patient, record.recordId), 'RecordActionsNotHidden', [
        record.recordId,
      ]);
    });

    it("lets an admin of the author's organisation hide, not another's, nor a stranger or the author", async () => {
      const record = await anchored();
      for (const intruder of [c.labAdmin, c.stranger, c.doctor, c.otherPatient]) {
        await assertRevert(hide(ledger, intruder, record, 0n), 'RecordActionsNotAuthorised', [
          record.recordId,
          intruder.address,
        ]);
      }
      const result = await hide(ledger, c.hospitalAdmin, record, 0n);
      assert.equal(eventsNamed(result, 'RecordHidden')[0]?.by, c.hospitalAdmin.address);
    });

    it('refuses a retention end in the past, a replayed hiding, and hiding an erased record', async () => {
      const record = await anchored();
      const past = (await ledger.now()) - 10n;
      await assertRevert(hide(ledger, c.patient, record, past), 'RecordActionsInvalidRetention', [
        record.recordId,
        past,
      ]);
      const nonce = 7n;
      await hide(ledger, c.patient, record, 0n, {}, { nonce });
      await unhide(ledger, c.patient, record.recordId);
      await assertRevert(hide(ledger, c.patient, record, 0n, {}, { nonce }), 'SignedActionNonceUsed', [
        c.patient.address,
        nonce,
      ]);
      await erase(ledger, c.patient, record, erasureReason.patientRequest);
      await assertRevert(hide(ledger, c.patient, record, 0n), 'RecordActionsAlreadyErased', [
        record.recordId,
        await ledger.now(),
      ]);
    });

    it('erases hidden records once their retention ended, by anyone, as erased by who hid them', async () => {
      const record = await anchored();
      const other = await anchored();
      const retainUntil = (await ledger.now()) + day;
      await hide(ledger, c.hospitalAdmin, record, retainUntil);
      await hide(ledger, c.patient, other, retainUntil);
      await assertRevert(finaliseRetention(ledger, [record.recordId]), 'RecordActionsRetentionNotEnded', [
        record.recordId,
        retainUntil,
      ]);
      await ledger.increaseTime(Number(day) + 1);
      await assertRevert(unhide(ledger, c.patient, other.recordId), 'RecordActionsRetentionEnded', [
        other.recordId,
        retainUntil,
      ]);
      const result = await finaliseRetention(ledger, [record.recordId, other.recordId]);
      assert.deepEqual(eventsNamed(result, 'RecordErased'), [
        {
          recordId: record.recordId,
          patient: c.patient.address,
          by: c.hospitalAdmin.address,
          reason: erasureReason.retentionEnded,
        },
        {
          recordId: other.recordId,
          patient: c.patient.address,
          by: c.patient.address,
          reason: erasureReason.retentionEnded,
        },
      ]);
      assert.deepEqual(await hiddenOf(record.recordId), [0n, zeroAddress, 0n]);
      await assertRevert(finaliseRetention(ledger, [record.recordId]), 'RecordActionsNotHidden', [
        record.recordId,
      ]);
    });

    it('never finalises a record hidden without a retention end', async () => {
      const record = await anchored();
      await hide(ledger, c.patient, record, 0n);
      await ledger.increaseTime(Number(365n * day));
      await assertRevert(finaliseRetention(ledger, [record.recordId]), 'RecordActionsRetentionNotEnded', [
        record.recordId,
        0n,
      ]);
      await assertRevert(finaliseRetention(ledger, []), 'RecordActionsInvalidBatch', [0n, 0n, 0n]);
    });
  });

  describe('derive', () => {
    it('copies a record for another organisation, by its patient or by a member holding a share grant', async () => {
      const source = await anchored();
      const byPatient = await signed(c.patient, c.patient.address);
      const result = await derive(ledger, c.patient, {
        kind: derivationKind.copy,
        source,
        newRecord: byPatient,
        toOrganisation: c.lab,
      });
      const newRecordId = byPatient.record.recordId;
      assert.deepEqual(
        result.events.map((event) => event.eventName),
        ['RecordDerived', 'RecordAnchored'],
      );
      assert.deepEqual(eventsNamed(result, 'RecordDerived'), [
        {
          kind: derivationKind.copy,
          sourceId: source.recordId,
          newRecordId,
          by: c.patient.address,
          toOrganisation: c.lab,
        },
      ]);
      assert.deepEqual(await ledger.read('recordActions', 'derivationOf', [newRecordId]), [
        derivationKind.copy,
        source.recordId,
        c.lab,
      ]);
      assert.equal(await ledger.read('recordActions', 'copiedTo', [newRecordId]), c.lab);
      assert.equal(await ledger.read('recordActions', 'copiedTo', [source.recordId]), 0);

      const byDoctor = await signed(c.doctor);
      await derive(ledger, c.doctor, {
        kind: derivationKind.copy,
        source,
        newRecord: byDoctor,
        toOrganisation: c.lab,
        grantId: grants.get(c.doctor.address),
      });
      assert.equal(await ledger.read('recordActions', 'copiedTo', [byDoctor.record.recordId]), c.lab);
    });

    it('refuses a copy without a share grant, to an unknown organisation, or for another patient', async () => {
      const source = await anchored();
      await assertRevert(
        derive(ledger, c.nurse, {
          kind: derivationKind.copy,
          source,
          newRecord: await signed(c.nurse),
          toOrganisation: c.lab,
          grantId: grants.get(c.nurse.address),
        }),
        'RecordActionsNotAuthorised',
        [source.recordId, c.nurse.address],
      );
      await assertRevert(
        derive(ledger, c.patient, {
          kind: derivationKind.copy,
          source,
          newRecord: await signed(c.patient),
          toOrganisation: 99,
        }),
        'RecordActionsInvalidOrganisation',
        [source.recordId, 99],
      );
      const foreign = await signed(c.doctor, c.otherPatient.address, otherPatientDoctorGrant);
      await assertRevert(
        derive(ledger, c.doctor, {
          kind: derivationKind.copy,
          source,
          newRecord: foreign,
          toOrganisation: c.lab,
          grantId: grants.get(c.doctor.address),
        }),
        'RecordActionsInvalidDerivedRecord',
        [source.recordId, foreign.record.recordId],
      );
    });

    it('duplicates a record for a reader, refuses a stranger and an organisation named', async () => {
      const source = await anchored();
      const copy = await signed(c.nurse);
      const result = await derive(ledger, c.nurse, {
        kind: derivationKind.duplicate,
        source,
        newRecord: copy,
        grantId: grants.get(c.nurse.address),
      });
      assert.equal(eventsNamed(result, 'RecordDerived')[0]?.kind, derivationKind.duplicate);
      await assertRevert(
        derive(ledger, c.stranger, {
          kind: derivationKind.duplicate,
          source,
          newRecord: await signed(c.nurse),
        }),
        'RecordActionsNotAuthorised',
        [source.recordId, c.stranger.address],
      );
      await assertRevert(
        derive(ledger, c.patient, {
          kind: derivationKind.duplicate,
          source,
          newRecord: await signed(c.patient),
          toOrganisation: c.lab,
        }),
        'RecordActionsInvalidOrganisation',
        [source.recordId, c.lab],
      );
    });

    it('moves a record to another patient by its author or an admin, erasing the source in the same transaction', async () => {
      const source = await anchored();
      const moved = await signed(c.doctor, c.otherPatient.address, otherPatientDoctorGrant);
      const result = await derive(ledger, c.doctor, { kind: derivationKind.move, source, newRecord: moved });
      assert.deepEqual(
        result.events.map((event) => event.eventName),
        ['RecordDerived', 'RecordErased', 'RecordAnchored'],
      );
      assert.deepEqual(eventsNamed(result, 'RecordErased'), [
        {
          recordId: source.recordId,
          patient: c.patient.address,
          by: c.doctor.address,
          reason: erasureReason.moved,
        },
      ]);
      assert.equal((await erasureOf(source.recordId))[2], erasureReason.moved);

      const second = await anchored();
      const byAdmin = await signed(c.doctor, c.otherPatient.address, otherPatientDoctorGrant);
      await derive(ledger, c.hospitalAdmin, {
        kind: derivationKind.move,
        source: second,
        newRecord: byAdmin,
      });
      assert.equal((await erasureOf(second.recordId))[1], c.hospitalAdmin.address);
    });

    it('refuses a move by a reader, to the same patient, and any derivation of an erased record', async () => {
      const source = await anchored();
      const moved = await signed(c.doctor, c.otherPatient.address, otherPatientDoctorGrant);
      await assertRevert(
        derive(ledger, c.nurse, { kind: derivationKind.move, source, newRecord: moved }),
        'RecordActionsNotAuthorised',
        [source.recordId, c.nurse.address],
      );
      const samePatient = await signed(c.doctor);
      await assertRevert(
        derive(ledger, c.doctor, { kind: derivationKind.move, source, newRecord: samePatient }),
        'RecordActionsInvalidDerivedRecord',
        [source.recordId, samePatient.record.recordId],
      );
      await erase(ledger, c.patient, source, erasureReason.patientRequest);
      await assertRevert(
        derive(ledger, c.doctor, { kind: derivationKind.move, source, newRecord: moved }),
        'RecordActionsAlreadyErased',
        [source.recordId, await ledger.now()],
      );
    });

    it('refuses an unknown kind, a derivation naming another new record, a replay and an unanchorable record', async () => {
      const source = await anchored();
      await assertRevert(
        derive(ledger, c.patient, { kind: 4, source, newRecord: await signed(c.patient) }),
        'RecordActionsInvalidKind',
        [source.recordId, 4],
      );
      const newRecordId = randomBytes32();
      await assertRevert(
        derive(ledger, c.patient, {
          kind: derivationKind.duplicate,
          source,
          newRecord: await signed(c.patient),
          newRecordId,
        }),
        'RecordActionsInvalidDerivedRecord',
        [source.recordId, newRecordId],
      );
      const nonce = 11n;
      await derive(
        ledger,
        c.patient,
        { kind: derivationKind.duplicate, source, newRecord: await signed(c.patient) },
        { nonce },
      );
      await assertRevert(
        derive(
          ledger,
          c.patient,
          { kind: derivationKind.duplicate, source, newRecord: await signed(c.patient) },
          { nonce },
        ),
        'SignedActionNonceUsed',
        [c.patient.address, nonce],
      );
      // The new record names no grant of its author: Records refuses it, and the derivation with it.
      const unanchorable: RecordInput = await signed(c.labTechnician, c.patient.address, 0n);
      await assertRevert(
        derive(ledger, c.patient, { kind: derivationKind.duplicate, source, newRecord: unanchorable }),
        'RecordsNotAuthorised',
        [unanchorable.record.recordId, c.labTechnician.address],
      );
      assert.equal(await ledger.read('recordActions', 'isErased', [source.recordId]), false);
    });
  });
});
