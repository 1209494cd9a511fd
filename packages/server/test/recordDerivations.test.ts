/**
 * The record actions copy, duplicate and move through a real gateway on a real chain, with the
 * client's `deriveRecord`: a moved record is in the right chart only and the wrong chart's record is
 * gone (410); a copy and a duplicate hold the source's content and name it; a copy is read by the
 * members of the organisation it was made for and by no other member without consent; each action is
 * audited and reported to its patient(s); and the refusals (copy without share, move by another than
 * the author, move to the same patient, duplicate without read).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  audit,
  deriveRecord,
  type GatewayClient,
  listRecords,
  notifications,
  readRecord,
} from '@medledger/client';
import {
  AccessDeniedError,
  derivationOfResource,
  GoneError,
  InvalidInputError,
  type MedledgerError,
  patientReference,
} from '@medledger/core';
import type { Hex } from 'viem';
import { type Consortium, foundConsortium, newActor, newMember, newPatient } from './helpers/actors.ts';
import { eventually } from './helpers/emergencies.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

async function rejectsWith(
  promise: Promise<unknown>,
  ErrorClass: typeof MedledgerError,
  reason?: string,
): Promise<MedledgerError> {
  const error = await promise.then(
    () => assert.fail(`expected ${ErrorClass.name} (${reason}), but it succeeded`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${String(error)}`);
  if (reason) assert.equal(error.reason, reason, `reason of: ${error.message}`);
  return error;
}

function observation(patient: string, text: string) {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { text },
    subject: patientReference(patient),
    valueQuantity: { value: 13.5, unit: 'g/dL' },
  };
}

/** The resource without what a derivation changes (its id, its derivation note and tag). */
function content(resource: unknown) {
  const { id: _id, meta: _meta, extension: _extension, ...rest } = resource as Record<string, unknown>;
  return rest;
}

describe('record derivations: copy, duplicate, move', () => {
  let gateway: TestGateway;
  let hospital: Consortium;
  let clinic: Consortium;
  let patient: GatewayClient;
  let otherPatient: GatewayClient;
  let doctor: GatewayClient;
  let colleague: GatewayClient;
  let nurse: GatewayClient;
  let clinicDoctor: GatewayClient;
  let outsider: GatewayClient;

  before(async () => {
    gateway = await startTestGateway();
    hospital = await foundConsortium(gateway.url);
    const clinicAdmin = newActor(gateway.url);
    const created = await clinicAdmin.createOrganisation({ name: 'Riverside Clinic', kind: 'hospital' });
    if (created.status !== 'active') await hospital.admin.approveOrganisation(created.organisationId);
    clinic = { admin: clinicAdmin, organisationId: created.organisationId };
    [patient, otherPatient, doctor, colleague, nurse, clinicDoctor, outsider] = await Promise.all([
      newPatient(gateway.url, hospital),
      newPatient(gateway.url, hospital),
      newMember(gateway.url, hospital, 'doctor'),
      newMember(gateway.url, hospital, 'doctor'),
      newMember(gateway.url, hospital, 'nurse'),
      newMember(gateway.url, clinic, 'doctor'),
      newMember(gateway.url, clinic, 'nurse'),
    ]);
    const grant = (by: GatewayClient, grantee: GatewayClient, actions: ('read' | 'append' | 'share')[]) =>
      by.grantConsent({ grantee: grantee.address, categories: ['lab'], actions, expiresInSeconds: 3600 });
    await grant(patient, doctor, ['read', 'append', 'share']);
    await grant(patient, colleague, ['read', 'append']);
    await grant(patient, nurse, ['read']);
    await grant(otherPatient, doctor, ['read', 'append']);
    await grant(otherPatient, colleague, ['read', 'append']);
  });
  after(() => gateway?.stop());

  async function labRecord(text: string): Promise<Hex> {
    const added = await doctor.addRecord({
      patient: patient.address,
      category: 'lab',
      resource: observation(patient.address, text),
    });
    return added.recordId as Hex;
  }

  it('copy: the copy holds the source’s content and names it; the target organisation’s members read it, others do not', async () => {
    const source = await labRecord('Haemoglobin 13.5 g/dL');
    const copied = await deriveRecord(doctor, {
      kind: 'copy',
      recordId: source,
      toOrganisation: clinic.organisationId,
      reason: 'referral',
    });
    assert.equal(copied.kind, 'copy');
    assert.equal(copied.patient, patient.address);
    const original = await readRecord(doctor, source);
    const copy = await readRecord(clinicDoctor, copied.recordId as Hex);
    assert.deepEqual(content(copy.resource), content(original.resource));
    assert.deepEqual(derivationOfResource(copy.resource), {
      kind: 'copy',
      sourceRecordId: source,
      reason: 'referral',
    });
    assert.equal(copy.record.patient, patient.address);
    // The clinic's member reads the copy only, not the source; a hospital colleague without consent reads neither.
    await rejectsWith(readRecord(clinicDoctor, source), AccessDeniedError, 'no_consent');
    const hospitalOutsider = await newMember(gateway.url, hospital, 'doctor');
    await rejectsWith(readRecord(hospitalOutsider, copied.recordId as Hex), AccessDeniedError, 'no_consent');
    assert.equal((await clinicDoctor.stamp(copied.recordId as Hex)).recordId, copied.recordId);
    // The copy is listed for the clinic's members (the chain confirms what the index proposes).
    const listed = await listRecords(clinicDoctor, patient.address);
    assert.deepEqual(
      listed.records.map((entry) => entry.recordId),
      [copied.recordId],
    );
    const read = (await audit(patient, { patient: patient.address })).events.find(
      (event) =>
        event.recordId === copied.recordId && event.actor === clinicDoctor.address && event.action === 'read',
    );
    assert.equal(read?.outcome, 'allowed');
  });

  it('duplicate: the same content in the same chart, naming its source', async () => {
    const source = await labRecord('Ferritin 40 ug/L');
    const duplicated = await deriveRecord(colleague, { kind: 'duplicate', recordId: source });
    assert.equal(duplicated.patient, patient.address);
    const [original, duplicate] = await Promise.all([
      readRecord(patient, source),
      readRecord(patient, duplicated.recordId as Hex),
    ]);
    assert.deepEqual(content(duplicate.resource), content(original.resource));
    assert.deepEqual(derivationOfResource(duplicate.resource), { kind: 'duplicate', sourceRecordId: source });
    assert.notEqual((duplicate.resource as { id: string }).id, (original.resource as { id: string }).id);
    const ids = (await listRecords(patient, patient.address)).records.map((entry) => entry.recordId);
    assert.ok(ids.includes(source) && ids.includes(duplicated.recordId));
  });

  it('move: the record is in the right chart only, the wrong chart’s record is erased (reason moved) and answers 410, both patients are told', async () => {
    const misfiled = await labRecord('Creatinine 80 umol/L (for the other patient)');
    const moved = await deriveRecord(doctor, {
      kind: 'move',
      recordId: misfiled,
      toPatient: otherPatient.address,
    });
    assert.equal(moved.patient, otherPatient.address);
    const inRightChart = await readRecord(otherPatient, moved.recordId as Hex);
    assert.deepEqual(derivationOfResource(inRightChart.resource), {
      kind: 'move',
      sourceRecordId: misfiled,
      relation: 'replaces',
    });
    assert.deepEqual(
      (inRightChart.resource as { subject: unknown }).subject,
      patientReference(otherPatient.address),
    );
    const right = (await listRecords(otherPatient, otherPatient.address)).records.map(
      (entry) => entry.recordId,
    );
    assert.ok(right.includes(moved.recordId));
    const wrong = (await listRecords(patient, patient.address)).records.map((entry) => entry.recordId);
    assert.ok(!wrong.includes(misfiled) && !wrong.includes(moved.recordId));
    await rejectsWith(readRecord(patient, misfiled), GoneError);
    await rejectsWith(readRecord(doctor, misfiled), GoneError);
    // The chain erased the record in the wrong chart (reason 3, moved) in the same transaction.
    const [erasedAt, erasedBy, reason] = await gateway.services.ledger.read('recordActions', 'erasureOf', [
      misfiled,
    ]);
    assert.ok(erasedAt > 0n);
    assert.equal(erasedBy.toLowerCase(), doctor.address);
    assert.equal(reason, 3);
    const [kind, sourceId] = await gateway.services.ledger.read('recordActions', 'derivationOf', [
      moved.recordId as Hex,
    ]);
    assert.deepEqual([kind, sourceId], [3, misfiled]);
    for (const [who, kind] of [
      [patient, 'record-moved'],
      [otherPatient, 'record-moved'],
    ] as const) {
      const notice = await eventually(
        async () =>
          (await notifications(who)).notifications.find(
            (entry) => entry.kind === kind && entry.data.recordId === moved.recordId,
          ),
        `${kind} for ${who.address}`,
      );
      assert.equal(notice.data.sourceId, misfiled);
      assert.equal(notice.data.fromPatient, patient.address);
      assert.equal(notice.data.toPatient, otherPatient.address);
    }
    // The move's erasure is reported by record-moved alone (both notices come from one transaction, so the
    // erasure's would be stored by now).
    assert.equal(
      (await notifications(patient)).notifications.some(
        (entry) => entry.kind === 'record-erased' && entry.data.recordId === misfiled,
      ),
      false,
    );
    for (const who of [patient, otherPatient]) {
      const events = (await audit(who, { patient: who.address })).events;
      assert.ok(
        events.some((event) => event.action === 'record-move' && event.outcome === 'allowed'),
        `record-move audited for ${who.address}`,
      );
    }
  });

  it('each copy and duplicate is audited and reported to the patient', async () => {
    const events = (await audit(patient, { patient: patient.address })).events;
    for (const action of ['record-copy', 'record-duplicate']) {
      assert.ok(
        events.some((event) => event.action === action && event.outcome === 'allowed'),
        `${action} audited`,
      );
    }
    for (const kind of ['record-copied', 'record-duplicated']) {
      await eventually(
        async () => (await notifications(patient)).notifications.find((entry) => entry.kind === kind),
        kind,
      );
    }
    // Reported once: a derived record is not also reported as a record added.
    const derived = new Set(
      (await notifications(patient)).notifications
        .filter((entry) => ['record-copied', 'record-duplicated', 'record-moved'].includes(entry.kind))
        .map((entry) => entry.data.recordId),
    );
    const added = (await notifications(patient)).notifications.filter(
      (entry) => entry.kind === 'record-added',
    );
    assert.ok(added.length > 0);
    assert.ok(added.every((entry) => !derived.has(entry.data.recordId)));
  });

  it('refuses a copy without the share action, a move by another than the author, a move to the same patient, a duplicate without read', async () => {
    const source = await labRecord('Potassium 4.1 mmol/L');
    await rejectsWith(
      deriveRecord(colleague, { kind: 'copy', recordId: source, toOrganisation: clinic.organisationId }),
      AccessDeniedError,
      'no_consent',
    );
    await rejectsWith(
      deriveRecord(colleague, { kind: 'move', recordId: source, toPatient: otherPatient.address }),
      AccessDeniedError,
    );
    await rejectsWith(
      deriveRecord(doctor, { kind: 'move', recordId: source, toPatient: patient.address }),
      InvalidInputError,
      'derivation_same_patient',
    );
    await rejectsWith(
      deriveRecord(outsider, { kind: 'duplicate', recordId: source }),
      AccessDeniedError,
      'no_consent',
    );
    // Nothing was derived: the source is still the patient's and readable, and no copy was made.
    assert.equal((await readRecord(patient, source)).record.recordId, source);
    const denied = (await audit(patient, { patient: patient.address })).events.filter(
      (event) => event.outcome === 'denied' && event.actor === colleague.address,
    );
    assert.ok(denied.some((event) => event.action === 'share'));
    assert.ok(denied.some((event) => event.action === 'record-move'));
  });
});
