/** The consent actions against a real gateway: grants, revocations and access requests. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  accessRequest,
  addRecord,
  approveAccessRequest,
  denyAccessRequest,
  type GatewayClient,
  grantConsent,
  listAccessRequests,
  listConsents,
  readRecord,
  requestAccess,
  revokeConsent,
} from '@medledger/client';
import { AccessDeniedError, ConflictError, InvalidInputError } from '@medledger/core';
import type { Hex } from 'viem';
import {
  type Consortium,
  eventually,
  foundConsortium,
  labResult,
  newMember,
  newPatient,
  rejectsWith,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

describe('consent actions', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let patient: GatewayClient;
  let doctor: GatewayClient;
  let recordId: Hex;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    ({ recordId } = await addRecord(patient, {
      patient: patient.address,
      category: 'lab',
      resource: labResult(),
    }));
  });
  after(() => gateway.stop());

  it('grantConsent: the patient gives a member access; the member can read', async () => {
    await rejectsWith(readRecord(doctor, recordId), AccessDeniedError, 'no_consent');
    const granted = await grantConsent(patient, {
      grantee: doctor.address,
      categories: ['lab'],
      actions: ['read'],
      purpose: 'TREAT',
      expiresInSeconds: 600,
    });
    assert.ok(granted.grantId > 0);
    assert.deepEqual((await readRecord(doctor, recordId)).resource, labResult());
    // Either one member or one organisation, checked before anything is signed.
    await rejectsWith(
      grantConsent(patient, { categories: ['lab'], actions: ['read'], expiresInSeconds: 600 }),
      InvalidInputError,
      undefined,
    );
    await rejectsWith(
      grantConsent(patient, {
        grantee: doctor.address,
        categories: ['lab'],
        actions: ['read'],
        purpose: 'not a purpose!',
        expiresInSeconds: 60,
      }),
      InvalidInputError,
      undefined,
    );
  });

  it('listConsents: grants given by the patient and received by the member', async () => {
    const given = (await listConsents(patient)).given.filter((grant) => grant.grantee === doctor.address);
    assert.equal(given.length >= 1, true);
    const [grant] = given;
    assert.deepEqual(
      [
        grant?.patient,
        grant?.categories,
        grant?.actions,
        grant?.purpose,
        grant?.status,
        grant?.maxSensitivity,
      ],
      [patient.address, ['lab'], ['read'], 'TREAT', 'active', 'normal'],
    );
    const received = (await listConsents(doctor)).received;
    assert.ok(received.some((g) => g.grantId === grant?.grantId));
  });

  it('revokeConsent: the patient takes access away; only its patient may', async () => {
    const { grantId } = await grantConsent(patient, {
      granteeOrganisation: consortium.organisationId,
      categories: ['lab'],
      actions: ['read'],
      expiresInSeconds: 600,
    });
    await rejectsWith(revokeConsent(doctor, grantId), AccessDeniedError, 'not_grant_patient');
    const revoked = await revokeConsent(patient, grantId);
    assert.deepEqual([revoked.grantId, revoked.revoked], [grantId, true]);
    const status = await eventually(async () => {
      const grant = (await listConsents(patient)).given.find((g) => g.grantId === grantId);
      return grant?.status === 'revoked' ? grant.status : undefined;
    }, 'the grant listed as revoked');
    assert.equal(status, 'revoked');
  });

  it('requestAccess and accessRequest: a member asks, with a reason only the gateway keeps', async () => {
    const asked = await requestAccess(doctor, {
      patient: patient.address,
      categories: ['vitals', 'lab'],
      reason: 'Pre-operative review',
    });
    const request = await accessRequest(patient, asked.requestId);
    assert.deepEqual(
      [
        request.patient,
        request.requester,
        request.categories,
        request.actions,
        request.reason,
        request.status,
      ],
      [patient.address, doctor.address, ['lab', 'vitals'], ['read'], 'Pre-operative review', 'pending'],
    );
  });

  it('listAccessRequests: incoming for the patient, outgoing for the member', async () => {
    const { requestId } = await requestAccess(doctor, { patient: patient.address, categories: ['note'] });
    assert.ok((await listAccessRequests(patient)).incoming.some((r) => r.requestId === requestId));
    assert.ok((await listAccessRequests(doctor)).outgoing.some((r) => r.requestId === requestId));
  });

  it('approveAccessRequest: the patient grants what was asked for, once', async () => {
    const { requestId } = await requestAccess(doctor, {
      patient: patient.address,
      categories: ['medication'],
    });
    await rejectsWith(
      approveAccessRequest(doctor, requestId, { expiresInSeconds: 600 }),
      AccessDeniedError,
      undefined,
    );
    const granted = await approveAccessRequest(patient, requestId, { expiresInSeconds: 600 });
    const approved = await accessRequest(patient, requestId);
    assert.deepEqual([approved.status, approved.grantId], ['approved', granted.grantId]);
    await rejectsWith(
      approveAccessRequest(patient, requestId, { expiresInSeconds: 600 }),
      ConflictError,
      undefined,
    );
  });

  it('denyAccessRequest: the patient refuses; the request is closed', async () => {
    const { requestId } = await requestAccess(doctor, { patient: patient.address, categories: ['imaging'] });
    await rejectsWith(denyAccessRequest(doctor, requestId), AccessDeniedError, 'not_request_patient');
    const denied = await denyAccessRequest(patient, requestId);
    assert.equal(denied.requestId, requestId);
    assert.equal((await accessRequest(doctor, requestId)).status, 'denied');
  });
});
