/**
 * Erasure by crypto-shredding and soft deletion, end to end, under k-of-n custody: three hospitals,
 * record keys split 2 of 3. After an erasure no gateway serves the blob (to a client or to a peer) or a
 * key share, reads answer 410 everywhere, the chain still verifies (the erasure listed, not a problem),
 * and the erasure is audited and reported to the patient. Hidden records leave the lists and are erased
 * once their retention ends. The author's organisation may erase only within the window the consortium
 * voted. Refusals: another patient, a member without authority, actions not signed by the caller, forged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGatewayClient, type GatewayClient, verifyLedger } from '@medledger/client';
import {
  AccessDeniedError,
  GoneError,
  generateIdentity,
  InvalidInputError,
  recordActionsTypes,
} from '@medledger/core';
import type { Hex } from 'viem';
import { openSqlDatabase } from '../src/store/gatewayStores.ts';
import { advanceChainTime, eventually, latestBlockTime } from './helpers/emergencies.ts';
import { startTestConsortium, type TestConsortium } from './helpers/gateway.ts';
import { labResult } from './helpers/records.ts';

let consortium: TestConsortium;
let doctor: GatewayClient;
let stranger: GatewayClient;
let patient: GatewayClient;
let otherPatient: GatewayClient;

before(async () => {
  consortium = await startTestConsortium({ hospitals: 3, threshold: 2 });
  const url = consortium.gateways[0]!.url;
  doctor = createGatewayClient({ url, identity: generateIdentity() });
  stranger = createGatewayClient({ url, identity: generateIdentity() });
  for (const member of [doctor, stranger]) {
    await consortium.admins[0]!.addMember({
      organisationId: 1,
      member: member.address,
      role: 'doctor',
      encryptionKey: member.identity.encryption.publicKey,
    });
  }
  patient = createGatewayClient({ url, identity: generateIdentity() });
  otherPatient = createGatewayClient({ url, identity: generateIdentity() });
  await patient.registerPatient({ organisationId: 1 });
  await otherPatient.registerPatient({ organisationId: 1 });
  await patient.grantConsent({
    grantee: doctor.address,
    categories: ['lab'],
    actions: ['read', 'append'],
    expiresInSeconds: 30 * 86400,
  });
});

after(() => consortium.stop());

async function labRecord(): Promise<{ recordId: Hex; cid: string }> {
  const { recordId, cid } = await doctor.addRecord({
    patient: patient.address,
    category: 'lab',
    resource: labResult(),
  });
  return { recordId, cid };
}

/** Whether the database at `storeLocation` still holds a row for blob `cid`. */
async function storedBlob(storeLocation: string, cid: string): Promise<boolean> {
  const database = await openSqlDatabase(storeLocation);
  try {
    return (await database.get('SELECT 1 AS found FROM blobs WHERE cid = $cid', { cid })) !== undefined;
  } finally {
    await database.close();
  }
}

async function blobStatus(url: string, cid: string, peer: boolean): Promise<number> {
  const response = await fetch(`${url}/api/blobs/${cid}`, {
    headers: peer ? { 'x-medledger-peer': '1' } : {},
  });
  await response.body?.cancel();
  return response.status;
}

function isErasedBy(by: string, reason: string) {
  return (error: unknown) => {
    assert.ok(error instanceof GoneError, String(error));
    assert.equal(error.reason, 'record_erased');
    assert.equal(String(error.fields?.by).toLowerCase(), by.toLowerCase());
    assert.equal(error.fields?.reason, reason);
    assert.equal(typeof error.fields?.erasedAt, 'number');
    return true;
  };
}

describe('erasure', () => {
  it('erases a record everywhere: no blob, no key share, 410 at every gateway; verified, audited, reported', {
    timeout: 180_000,
  }, async () => {
    const { recordId, cid } = await labRecord();
    // Every gateway keeps a copy (replication), and the doctor reads with two custodians' shares.
    for (const gateway of consortium.gateways) {
      await eventually(
        async () => ((await storedBlob(gateway.storeLocation, cid)) ? true : undefined),
        `gateway ${gateway.url} holding the blob`,
        30_000,
      );
    }
    assert.deepEqual((await doctor.readRecord(recordId)).resource, labResult());

    await patient.eraseRecord(recordId);

    for (const [index, gateway] of consortium.gateways.entries()) {
      const patientHere = createGatewayClient({ url: gateway.url, identity: patient.identity });
      const doctorHere = createGatewayClient({ url: gateway.url, identity: doctor.identity });
      // Decided from the chain at once, whether or not this gateway indexed the erasure yet.
      await assert.rejects(
        patientHere.accessRecord(recordId),
        isErasedBy(patient.address, 'patient-request'),
      );
      await assert.rejects(doctorHere.accessRecord(recordId), isErasedBy(patient.address, 'patient-request'));
      await eventually(
        async () => ((await storedBlob(gateway.storeLocation, cid)) ? undefined : true),
        `gateway ${index + 1} destroying its copy`,
      );
      assert.equal(await blobStatus(gateway.url, cid, false), 410, `gateway ${index + 1}, direct`);
      assert.equal(await blobStatus(gateway.url, cid, true), 410, `gateway ${index + 1}, as a peer`);
      assert.equal(await gateway.services.blobs.has(cid), false);
      // Never fetched again from a peer, nor stored if one sent it.
      await assert.rejects(gateway.services.blobs.get(cid), GoneError);
    }
    await assert.rejects(doctor.readRecord(recordId), GoneError);
    await assert.rejects(patient.readRecord(recordId), GoneError);

    const listed = await patient.listRecords(patient.address);
    assert.ok(!listed.records.some((record) => record.recordId === recordId));
    const withErased = await patient.listRecords(patient.address, { includeHidden: true });
    const marked = withErased.records.find((record) => record.recordId === recordId);
    assert.equal(marked?.erased?.reason, 'patient-request');
    assert.equal(marked?.erased?.by.toLowerCase(), patient.address);

    const report = await verifyLedger({ gatewayUrl: consortium.gateways[1]!.url });
    assert.deepEqual(report.problems, []);
    assert.ok(
      report.erased.some((erased) => erased.recordId === recordId && erased.reason === 'patient-request'),
    );

    const audit = await consortium.gateways[0]!.services.store.auditEvents({ patient: patient.address });
    assert.ok(
      audit.some(
        (event) => event.action === 'erase' && event.recordId === recordId && event.outcome === 'allowed',
      ),
    );
    assert.ok(
      audit.some(
        (event) => event.action === 'read' && event.recordId === recordId && event.reason === 'record_erased',
      ),
    );
    await eventually(async () => {
      const { notifications } = await patient.notifications();
      return notifications.find((n) => n.kind === 'record-erased' && n.data.recordId === recordId);
    }, 'the patient’s notification of the erasure');
  });

  it('erases a whole chart in batches, and refuses a replay', async () => {
    const records = [await labRecord(), await labRecord(), await labRecord()];
    const erased = await patient.eraseChart();
    for (const { recordId } of records) assert.ok(erased.includes(recordId));
    assert.equal((await patient.listRecords(patient.address)).records.length, 0);
    await assert.rejects(patient.eraseRecord(records[0]!.recordId), (error: unknown) => {
      assert.ok(error instanceof GoneError, String(error));
      assert.equal(error.reason, 'record_erased');
      return true;
    });
  });

  it('refuses another patient, a member without authority, an erasure signed for someone else, and a forged one', async () => {
    const { recordId } = await labRecord();
    for (const intruder of [otherPatient, stranger, doctor]) {
      await assert.rejects(intruder.eraseRecord(recordId), (error: unknown) => {
        assert.ok(error instanceof AccessDeniedError, String(error));
        assert.equal(error.reason, 'record_action_not_authorised');
        return true;
      });
    }
    // The patient's signed erasure, sent by another session: a gateway relays only its caller's actions.
    const message = { recordId, by: patient.address, reason: 1 };
    const signed = await patient.signAction('recordActions', recordActionsTypes, 'Erasure', message);
    await assert.rejects(
      stranger.call('POST', '/api/records/erase', { erasures: [{ ...message, ...signed }] }),
      (error: unknown) => error instanceof AccessDeniedError && error.reason === 'not_the_signer',
    );
    // Signed by another key for the patient: the contract refuses the signature.
    const forged = await otherPatient.signAction('recordActions', recordActionsTypes, 'Erasure', message);
    await assert.rejects(
      patient.call('POST', '/api/records/erase', { erasures: [{ ...message, ...forged }] }),
      (error: unknown) =>
        error instanceof InvalidInputError && error.reason === 'signed_action_invalid_signature',
    );
    const audit = await consortium.gateways[0]!.services.store.auditEvents({ patient: patient.address });
    assert.ok(
      audit.some(
        (event) => event.action === 'erase' && event.recordId === recordId && event.outcome === 'denied',
      ),
    );
    assert.deepEqual((await doctor.readRecord(recordId)).resource, labResult());
  });
});

describe('soft delete', () => {
  it('hides a record from every list, shows it again, and erases it once its retention ended', {
    timeout: 120_000,
  }, async () => {
    const { recordId } = await labRecord();
    const rpcUrl = consortium.gateways[0]!.rpcUrl;
    await patient.hideRecord(recordId, (await latestBlockTime(rpcUrl)) + 3600);
    const doctorList = await doctor.listRecords(patient.address).catch(() => ({ records: [] }));
    assert.ok(!doctorList.records.some((record) => record.recordId === recordId));
    assert.ok(!(await patient.listRecords(patient.address)).records.some((r) => r.recordId === recordId));
    const withHidden = await patient.listRecords(patient.address, { includeHidden: true });
    assert.equal(
      withHidden.records.find((r) => r.recordId === recordId)?.hidden?.by.toLowerCase(),
      patient.address,
    );
    await eventually(async () => {
      const { notifications } = await patient.notifications();
      return notifications.find((n) => n.kind === 'record-hidden' && n.data.recordId === recordId);
    }, 'the patient’s notification of the hiding');

    await patient.unhideRecord(recordId);
    assert.ok((await patient.listRecords(patient.address)).records.some((r) => r.recordId === recordId));

    await patient.hideRecord(recordId, (await latestBlockTime(rpcUrl)) + 60);
    await advanceChainTime(rpcUrl, 120);
    // A gateway's periodic task erases it (reason retention ended, by who hid it).
    await eventually(
      async () => (await consortium.gateways[0]!.services.store.erasure(recordId)) ?? undefined,
      'the retention’s end erasing the record',
      30_000,
    );
    await assert.rejects(doctor.accessRecord(recordId), isErasedBy(patient.address, 'retention-ended'));
  });
});

describe('erasure of a record entered in error, by its author’s organisation', () => {
  it('is refused until the consortium votes a window, allowed within it, refused after it', {
    timeout: 120_000,
  }, async () => {
    const [admin, ...others] = consortium.admins;
    const { recordId } = await labRecord();
    const windowClosed = (error: unknown) => {
      assert.ok(error instanceof AccessDeniedError, String(error));
      assert.equal(error.reason, 'record_erasure_window_closed');
      return true;
    };
    await assert.rejects(admin!.eraseRecord(recordId, 'entered-in-error'), windowClosed);

    const { proposalId, enacted } = await admin!.proposeAuthorErasureWindow(3600);
    assert.equal(enacted, false);
    let passed = false;
    for (const approver of others) {
      if (passed) break;
      ({ enacted: passed } = await approver.approveAuthorErasureWindow(proposalId));
    }
    assert.ok(passed);
    // Another organisation's admin may not, even within the window.
    await assert.rejects(others[0]!.eraseRecord(recordId, 'entered-in-error'), AccessDeniedError);
    await admin!.eraseRecord(recordId, 'entered-in-error');
    await assert.rejects(doctor.accessRecord(recordId), isErasedBy(admin!.address, 'entered-in-error'));

    const late = await labRecord();
    await advanceChainTime(consortium.gateways[0]!.rpcUrl, 3601);
    await assert.rejects(admin!.eraseRecord(late.recordId, 'entered-in-error'), windowClosed);
  });
});
