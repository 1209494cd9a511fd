/** Consents and access requests: signed by patients and members, indexed for listing. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keccak256, toBytes } from 'viem';
import {
  type Consortium,
  foundConsortium,
  newMember,
  newPatient,
  signAction,
  signIn,
} from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';
import { labResult } from './helpers/records.ts';

describe('consents and access requests', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
  });
  after(() => gateway.stop());

  it('lists a grant for its patient and its grantee, and marks it revoked after revocation', async () => {
    const [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    const { grantId } = await patient.grantConsent({
      grantee: doctor.address,
      categories: ['lab', 'vitals'],
      actions: ['read', 'append'],
      purpose: 'TREAT',
      expiresInSeconds: 3600,
    });
    const given = (await patient.listConsents()).given;
    assert.equal(given.length, 1);
    assert.deepEqual(
      { ...given[0], expiresAt: undefined },
      {
        grantId,
        patient: patient.address,
        grantee: doctor.address,
        granteeOrganisation: null,
        categories: ['lab', 'vitals'],
        maxSensitivity: 'normal',
        actions: ['read', 'append'],
        purpose: 'TREAT',
        expiresAt: undefined,
        requestId: null,
        status: 'active',
      },
    );
    assert.deepEqual(
      (await doctor.listConsents()).received.map((g) => g.grantId),
      [grantId],
    );
    await patient.revokeConsent(grantId as number);
    assert.equal((await doctor.listConsents()).received[0]?.status, 'revoked');
  });

  it('lets an organisation-wide grant reach every member of that organisation', async () => {
    const [patient, nurse] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium, 'nurse'),
    ]);
    const { recordId } = await patient.addRecord({
      patient: patient.address,
      category: 'lab',
      resource: labResult(),
    });
    await patient.grantConsent({
      granteeOrganisation: consortium.organisationId,
      categories: ['lab'],
      actions: ['read'],
      expiresInSeconds: 600,
    });
    assert.equal((await nurse.listConsents()).received.length, 1);
    assert.deepEqual((await nurse.readRecord(recordId)).resource, labResult());
  });

  it('refuses a grant to someone who is neither an active member nor a delegate of the patient', async () => {
    const patient = await newPatient(gateway.url, consortium);
    const stranger = await newPatient(gateway.url, consortium);
    await assert.rejects(
      patient.grantConsent({
        grantee: stranger.address,
        categories: ['lab'],
        actions: ['read'],
        expiresInSeconds: 60,
      }),
      { code: 'invalid_input', reason: 'consents_grantee_not_member_or_delegate' },
    );
  });

  it('carries an access request from member to patient, who approves it with a grant', async () => {
    const [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    const { requestId } = await doctor.requestAccess({
      patient: patient.address,
      categories: ['lab'],
      reason: 'Pre-operative review',
    });
    const incoming = (await patient.listAccessRequests()).incoming;
    assert.deepEqual(
      incoming.map((r) => [r.requestId, r.requester, r.reason, r.status, r.categories, r.actions]),
      [[requestId, doctor.address, 'Pre-operative review', 'pending', ['lab'], ['read']]],
    );
    assert.equal((await doctor.listAccessRequests()).outgoing[0]?.requestId, requestId);
    const other = await newPatient(gateway.url, consortium);
    await assert.rejects(other.accessRequest(requestId), { code: 'not_found' });

    const { grantId } = await patient.approveAccessRequest(requestId, { expiresInSeconds: 600 });
    const approved = await doctor.accessRequest(requestId);
    assert.deepEqual({ status: approved.status, grantId: approved.grantId }, { status: 'approved', grantId });
    assert.equal((await patient.listConsents()).given[0]?.requestId, requestId);
  });

  it('lets only the patient deny a request, once', async () => {
    const [patient, doctor, other] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
      newPatient(gateway.url, consortium),
    ]);
    const { requestId } = await doctor.requestAccess({
      patient: patient.address,
      categories: ['medication'],
    });
    await assert.rejects(other.denyAccessRequest(requestId), { code: 'access_denied' });
    const denied = await patient.denyAccessRequest(requestId);
    assert.equal(denied.status, 'denied');
    assert.equal((await doctor.accessRequest(requestId)).status, 'denied');
    await assert.rejects(patient.denyAccessRequest(requestId), { message: /has already been answered/ });
  });

  it('refuses a reason that does not hash to the signed reasonHash (400)', async () => {
    const [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    const message = {
      requester: doctor.address,
      patient: patient.address,
      categories: 8,
      actions: 1,
      reasonHash: keccak256(toBytes('the signed reason')),
    };
    const signed = await signAction(gateway.url, doctor.identity, 'consents', 'RequestAccess', message);
    const response = await call(gateway.url, 'POST', '/api/access-requests', {
      token: await signIn(gateway.url, doctor.identity),
      body: { ...message, reason: 'another reason', ...signed },
    });
    assert.match(assertError(response, 400, 'invalid_input'), /reasonHash must be the keccak256/);
    assert.deepEqual((await patient.listAccessRequests()).incoming, []);
  });

  it('refuses numbers beyond what the contract takes as invalid input, not as an outage', async () => {
    const patient = await newPatient(gateway.url, consortium);
    const token = await signIn(gateway.url, patient.identity);
    const tooBig = '9'.repeat(78); // fits the decimal pattern, exceeds uint256
    const revocation = await call(gateway.url, 'POST', `/api/consents/${'9'.repeat(20)}/revocation`, {
      token,
      body: { patient: patient.address, nonce: tooBig, deadline: '1', signature: `0x${'ab'.repeat(65)}` },
    });
    assert.match(assertError(revocation, 400, 'invalid_input'), /Invalid arguments for consents\.revoke/);
    const organisation = await call(gateway.url, 'GET', '/api/organisations/4294967296');
    assert.match(assertError(organisation, 400, 'invalid_input'), /Invalid arguments/);
  });
});
