/**
 * A reader without consent is told why in plain words: the patient revoked it (and when), it
 * expired (and when), or the patient never gave it. All three stay refusals (HTTP 403, access_denied).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { MedledgerError } from '@medledger/core';
import { type Consortium, foundConsortium, newMember, newPatient } from './helpers/actors.ts';
import { eventually } from './helpers/emergencies.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { labResult } from './helpers/records.ts';

/** The refusal `action` rejects with, checked to be a 403 access denial. */
async function refusal(action: Promise<unknown>): Promise<MedledgerError> {
  const error = await action.then(
    () => assert.fail('the gateway allowed it'),
    (rejected: unknown) => rejected,
  );
  assert.ok(error instanceof MedledgerError, String(error));
  assert.equal(error.code, 'access_denied');
  return error;
}

describe('a refused read says whether consent was revoked, expired or never given', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
  });
  after(() => gateway.stop());

  /** A patient with a lab result, and a doctor of the consortium. */
  async function patientAndDoctor(): Promise<{
    patient: GatewayClient;
    doctor: GatewayClient;
    recordId: string;
  }> {
    const patient = await newPatient(gateway.url, consortium);
    const doctor = await newMember(gateway.url, consortium);
    const { recordId } = await patient.addRecord({
      patient: patient.address,
      category: 'lab',
      resource: labResult(),
    });
    return { patient, doctor, recordId };
  }

  const grantLab = (patient: GatewayClient, doctor: GatewayClient, expiresInSeconds: number) =>
    patient.grantConsent({
      grantee: doctor.address,
      categories: ['lab'],
      actions: ['read'],
      expiresInSeconds,
    });

  it('revoked: consent_revoked, with the time of the revocation, in words', async () => {
    const { patient, doctor, recordId } = await patientAndDoctor();
    const { grantId } = await grantLab(patient, doctor, 3600);
    await doctor.readRecord(recordId as `0x${string}`);
    const before = Math.floor(Date.now() / 1000) - 60;
    await patient.revokeConsent(grantId);

    const error = await refusal(doctor.readRecord(recordId as `0x${string}`));
    assert.equal(error.reason, 'consent_revoked');
    const revokedAt = error.fields?.revokedAt;
    assert.equal(typeof revokedAt, 'number');
    assert.ok((revokedAt as number) >= before, `revoked at ${revokedAt}`);
    assert.equal(error.fields?.grantId, grantId);
    const day = new Date((revokedAt as number) * 1000).toISOString().slice(0, 10);
    assert.match(
      error.shortMessage,
      new RegExp(`^The patient revoked your consent on ${day} \\d\\d:\\d\\d UTC`),
    );
    assert.doesNotMatch(error.shortMessage, /no active consent|consent_revoked/);

    const listing = await refusal(doctor.listRecords(patient.address));
    assert.equal(listing.reason, 'consent_revoked');
  });

  it('expired: consent_expired, with the time it ended, in words', async () => {
    const { patient, doctor, recordId } = await patientAndDoctor();
    const granted = Math.floor(Date.now() / 1000);
    await grantLab(patient, doctor, 3);
    const error = await eventually(
      () =>
        doctor.readRecord(recordId as `0x${string}`).then(
          () => undefined,
          (rejected: unknown) => rejected as MedledgerError,
        ),
      'the consent to expire',
    );
    assert.ok(error instanceof MedledgerError, String(error));
    assert.deepEqual([error.code, error.reason], ['access_denied', 'consent_expired']);
    const expiredAt = error.fields?.expiredAt as number;
    assert.ok(expiredAt >= granted && expiredAt <= Date.now() / 1000 + 60, `expired at ${expiredAt}`);
    assert.match(
      error.shortMessage,
      /^Your consent from this patient expired on \d{4}-\d\d-\d\d \d\d:\d\d UTC\./,
    );
  });

  it('never granted: no_consent, and asks the patient for access', async () => {
    const { doctor, recordId } = await patientAndDoctor();
    const error = await refusal(doctor.readRecord(recordId as `0x${string}`));
    assert.equal(error.reason, 'no_consent');
    assert.equal(
      error.shortMessage,
      'The patient has not given you consent to see this. Ask the patient for access (an access request).',
    );
  });
});
