/**
 * Reading a record whose key is split k-of-n among custodians, each at its own gateway: the client
 * gathers k shares (`keyShares.ts`) and fails closed, saying why, when it cannot.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accessRecord, addRecord, type GatewayClient, grantConsent, readRecord } from '@medledger/client';
import { AccessDeniedError, base64urlToBytes, LedgerUnavailableError, parseEnvelope } from '@medledger/core';
import type { Hex } from 'viem';
import { labResult, newActor, rejectsWith, startTestConsortium } from './helpers.ts';

describe('reading records split among custodians', () => {
  let consortium: Awaited<ReturnType<typeof startTestConsortium>>;
  let patient: GatewayClient;
  let doctor: GatewayClient;
  let recordId: Hex;

  before(async () => {
    consortium = await startTestConsortium({ hospitals: 2, threshold: 2 });
    const [first] = consortium.gateways;
    patient = newActor(first!.url);
    await patient.registerPatient({ organisationId: 1 });
    doctor = newActor(first!.url);
    await consortium.admins[0]!.addMember({
      organisationId: 1,
      member: doctor.address,
      role: 'doctor',
      encryptionKey: doctor.identity.encryption.publicKey,
    });
    ({ recordId } = await addRecord(patient, {
      patient: patient.address,
      category: 'lab',
      resource: labResult(),
    }));
  });
  after(() => consortium.stop());

  it('addRecord seals the key 2-of-2 to the custodians; one gateway alone holds one share', async () => {
    const answer = await accessRecord(patient, recordId);
    const envelope = parseEnvelope(base64urlToBytes(answer.envelope));
    assert.equal(envelope.v, 2);
    assert.deepEqual(
      envelope.keys.filter((key) => key.kind === 'custodian').map((key) => key.id),
      ['1', '2'],
    );
  });

  it('readRecord: a reader with consent combines both gateways’ shares', async () => {
    await grantConsent(patient, {
      grantee: doctor.address,
      categories: ['lab'],
      actions: ['read'],
      expiresInSeconds: 600,
    });
    const answer = await accessRecord(doctor, recordId);
    assert.equal(answer.sealedKey, null);
    assert.ok(answer.sealedShare, 'this gateway gives one share only');
    assert.deepEqual((await readRecord(doctor, recordId)).resource, labResult());
  });

  it('readRecord: without consent the gateway asked first gives no share, and the read is denied', async () => {
    const stranger = newActor(consortium.gateways[0]!.url);
    await consortium.admins[0]!.addMember({
      organisationId: 1,
      member: stranger.address,
      role: 'doctor',
      encryptionKey: stranger.identity.encryption.publicKey,
    });
    await rejectsWith(readRecord(stranger, recordId), AccessDeniedError, 'no_consent');
  });

  it('readRecord: with a custodian’s gateway down, fewer than k shares fail closed and say which is missing', async () => {
    await consortium.gateways[1]!.stop();
    const error = await rejectsWith(readRecord(doctor, recordId), LedgerUnavailableError, undefined);
    assert.equal(error.metaMessages?.length, 1, 'one line per custodian that gave no share');
    // The patient opens its own slot without any custodian.
    assert.deepEqual((await readRecord(patient, recordId)).resource, labResult());
  });
});
