/**
 * The consents and access-request operations, called without HTTP on a real gateway (anvil,
 * SQLite): grants, revocations and requests relayed for their signer only, lists filtered to the
 * caller, and refusals told apart by code and reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { purposeCode } from '@medledger/client';
import { actionMask, type Category, categoryMask, consentsTypes } from '@medledger/core';
import { TOTP, URI } from 'otpauth';
import { type Address, keccak256, toBytes, zeroAddress } from 'viem';
import {
  denyAccessRequest,
  getAccessRequest,
  listAccessRequests,
  requestAccess,
} from '../../src/operations/accessRequests.ts';
import { grantConsent, listConsents, revokeConsent } from '../../src/operations/consents.ts';
import { type Consortium, foundConsortium, newMember, newPatient } from '../helpers/actors.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { sessionOf } from '../helpers/sessions.ts';

describe('consent operations', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
  });
  after(() => gateway.stop());

  /** A grant `patient` signed, as `POST /api/consents` takes it. */
  async function signedGrant(
    patient: GatewayClient,
    scope: { grantee?: Address; granteeOrganisation?: number; categories: Category[]; requestId?: number },
  ) {
    const message = {
      patient: patient.address,
      grantee: scope.grantee ?? zeroAddress,
      granteeOrganisation: scope.granteeOrganisation ?? 0,
      categories: categoryMask(scope.categories),
      maxSensitivity: 0,
      actions: actionMask(['read']),
      purpose: purposeCode('TREAT'),
      expiresAt: BigInt(Math.floor(Date.now() / 1000) + 3600),
      requestId: BigInt(scope.requestId ?? 0),
    };
    const signed = await patient.signAction('consents', consentsTypes, 'Grant', message);
    return {
      ...message,
      expiresAt: Number(message.expiresAt),
      requestId: message.requestId.toString(),
      ...signed,
    };
  }

  async function signedRevocation(patient: GatewayClient, grantId: number) {
    const signed = await patient.signAction('consents', consentsTypes, 'Revoke', {
      patient: patient.address,
      grantId: BigInt(grantId),
    });
    return { patient: patient.address, grantId, ...signed };
  }

  describe('grantConsent and listConsents', () => {
    it('relays the patient’s grant and lists it to the patient as given and to the grantee as received', async () => {
      const [patient, doctor] = await Promise.all([
        newPatient(gateway.url, consortium),
        newMember(gateway.url, consortium),
      ]);
      const granted = await grantConsent(
        gateway.services,
        sessionOf(patient),
        await signedGrant(patient, { grantee: doctor.address, categories: ['lab', 'vitals'] }),
      );
      assert.ok(granted.grantId > 0);
      assert.match(granted.transactionHash, /^0x[0-9a-f]{64}$/);
      const given = (await listConsents(gateway.services, sessionOf(patient))).given;
      assert.deepEqual(
        given.map(({ expiresAt: _, ...grant }) => grant),
        [
          {
            grantId: granted.grantId,
            patient: patient.address,
            grantee: doctor.address,
            granteeOrganisation: null,
            categories: ['lab', 'vitals'],
            maxSensitivity: 'normal',
            actions: ['read'],
            purpose: 'TREAT',
            requestId: null,
            status: 'active',
          },
        ],
      );
      const forDoctor = await listConsents(gateway.services, sessionOf(doctor));
      assert.deepEqual(
        forDoctor.received.map((grant) => grant.grantId),
        [granted.grantId],
      );
      assert.deepEqual(forDoctor.given, []);
    });

    it('lists an organisation-wide grant to every member of the organisation, and to no one else', async () => {
      const [patient, nurse, outsider] = await Promise.all([
        newPatient(gateway.url, consortium),
        newMember(gateway.url, consortium, 'nurse'),
        newPatient(gateway.url, consortium),
      ]);
      const { grantId } = await grantConsent(
        gateway.services,
        sessionOf(patient),
        await signedGrant(patient, { granteeOrganisation: consortium.organisationId, categories: ['lab'] }),
      );
      const received = (await listConsents(gateway.services, sessionOf(nurse))).received;
      assert.ok(received.some((grant) => grant.grantId === grantId && grant.grantee === null));
      assert.deepEqual(await listConsents(gateway.services, sessionOf(outsider)), {
        given: [],
        received: [],
      });
    });

    it('refuses a grant submitted by a session other than its patient (not_the_signer), relaying nothing', async () => {
      const [patient, doctor] = await Promise.all([
        newPatient(gateway.url, consortium),
        newMember(gateway.url, consortium),
      ]);
      const grant = await signedGrant(patient, { grantee: doctor.address, categories: ['lab'] });
      await assert.rejects(grantConsent(gateway.services, sessionOf(doctor), grant), {
        code: 'access_denied',
        reason: 'not_the_signer',
      });
      assert.deepEqual((await listConsents(gateway.services, sessionOf(patient))).given, []);
    });

    it('with the patient’s one-time code on, relays a grant only with a right, unused code', async () => {
      const [patient, doctor] = await Promise.all([
        newPatient(gateway.url, consortium),
        newMember(gateway.url, consortium),
      ]);
      const { secondFactor } = gateway.services;
      const totp = URI.parse((await secondFactor.startEnrolment(patient.address)).uri);
      assert.ok(totp instanceof TOTP);
      await secondFactor.confirmEnrolment(patient.address, totp.generate());
      const session = sessionOf(patient);
      const grant = await signedGrant(patient, { grantee: doctor.address, categories: ['lab'] });

      await assert.rejects(grantConsent(gateway.services, session, grant), {
        code: 'access_denied',
        reason: 'otp_required',
      });
      const nextCode = totp.generate({ timestamp: Date.now() + 30_000 });
      const wrongCode = nextCode === '000000' ? '000001' : '000000';
      await assert.rejects(grantConsent(gateway.services, session, { ...grant, otp: wrongCode }), {
        code: 'access_denied',
        reason: 'otp_wrong',
      });
      assert.deepEqual((await listConsents(gateway.services, session)).given, []);

      const { grantId } = await grantConsent(gateway.services, session, { ...grant, otp: nextCode });
      assert.deepEqual(
        (await listConsents(gateway.services, session)).given.map((given) => given.grantId),
        [grantId],
      );
    });
  });

  describe('revokeConsent', () => {
    it('relays the patient’s revocation; the grant is listed as revoked to both sides', async () => {
      const [patient, doctor] = await Promise.all([
        newPatient(gateway.url, consortium),
        newMember(gateway.url, consortium),
      ]);
      const { grantId } = await grantConsent(
        gateway.services,
        sessionOf(patient),
        await signedGrant(patient, { grantee: doctor.address, categories: ['lab'] }),
      );
      const revoked = await revokeConsent(
        gateway.services,
        sessionOf(patient),
        await signedRevocation(patient, grantId),
      );
      assert.deepEqual({ grantId: revoked.grantId, revoked: revoked.revoked }, { grantId, revoked: true });
      assert.equal((await listConsents(gateway.services, sessionOf(patient))).given[0]?.status, 'revoked');
      const received = (await listConsents(gateway.services, sessionOf(doctor))).received;
      assert.equal(received.find((grant) => grant.grantId === grantId)?.status, 'revoked');
    });

    it('refuses another patient’s revocation of a grant (not_grant_patient), which stays active', async () => {
      const [patient, other, doctor] = await Promise.all([
        newPatient(gateway.url, consortium),
        newPatient(gateway.url, consortium),
        newMember(gateway.url, consortium),
      ]);
      const { grantId } = await grantConsent(
        gateway.services,
        sessionOf(patient),
        await signedGrant(patient, { grantee: doctor.address, categories: ['lab'] }),
      );
      await assert.rejects(
        revokeConsent(gateway.services, sessionOf(other), await signedRevocation(other, grantId)),
        { code: 'access_denied', reason: 'not_grant_patient', fields: { grantId } },
      );
      await assert.rejects(
        revokeConsent(gateway.services, sessionOf(other), await signedRevocation(patient, grantId)),
        { code: 'access_denied', reason: 'not_the_signer' },
      );
      assert.equal((await listConsents(gateway.services, sessionOf(patient))).given[0]?.status, 'active');
    });
  });

  describe('access requests', () => {
    async function signedRequest(member: GatewayClient, patient: GatewayClient, reason: string) {
      const message = {
        requester: member.address,
        patient: patient.address,
        categories: categoryMask(['lab']),
        actions: actionMask(['read']),
        reasonHash: keccak256(toBytes(reason)),
      };
      const signed = await member.signAction('consents', consentsTypes, 'RequestAccess', message);
      return { ...message, reason, ...signed };
    }

    it('carries a request to its patient, shows it to its two parties only, and approves it with a grant', async () => {
      const [patient, doctor, other] = await Promise.all([
        newPatient(gateway.url, consortium),
        newMember(gateway.url, consortium),
        newPatient(gateway.url, consortium),
      ]);
      const { requestId } = await requestAccess(
        gateway.services,
        sessionOf(doctor),
        await signedRequest(doctor, patient, 'Pre-operative review'),
      );
      const expected = {
        requestId,
        patient: patient.address,
        requester: doctor.address,
        categories: ['lab'],
        actions: ['read'],
        reason: 'Pre-operative review',
        status: 'pending',
        grantId: null,
      };
      assert.deepEqual(await getAccessRequest(gateway.services, sessionOf(patient), requestId), expected);
      assert.deepEqual(await getAccessRequest(gateway.services, sessionOf(doctor), requestId), expected);
      assert.deepEqual(await listAccessRequests(gateway.services, sessionOf(patient)), {
        incoming: [expected],
        outgoing: [],
      });
      assert.deepEqual((await listAccessRequests(gateway.services, sessionOf(doctor))).outgoing, [expected]);
      await assert.rejects(getAccessRequest(gateway.services, sessionOf(other), requestId), {
        code: 'not_found',
        reason: 'no_such_access_request',
      });
      await assert.rejects(getAccessRequest(gateway.services, sessionOf(patient), requestId + 1000), {
        code: 'not_found',
        reason: 'no_such_access_request',
      });

      const { grantId } = await grantConsent(
        gateway.services,
        sessionOf(patient),
        await signedGrant(patient, { grantee: doctor.address, categories: ['lab'], requestId }),
      );
      assert.deepEqual(await getAccessRequest(gateway.services, sessionOf(doctor), requestId), {
        ...expected,
        status: 'approved',
        grantId,
      });
    });

    it('refuses a reason that does not hash to the signed reasonHash (reason_hash_mismatch), relaying nothing', async () => {
      const [patient, doctor] = await Promise.all([
        newPatient(gateway.url, consortium),
        newMember(gateway.url, consortium),
      ]);
      const request = await signedRequest(doctor, patient, 'the signed reason');
      await assert.rejects(
        requestAccess(gateway.services, sessionOf(doctor), { ...request, reason: 'another reason' }),
        { code: 'invalid_input', reason: 'reason_hash_mismatch' },
      );
      await assert.rejects(requestAccess(gateway.services, sessionOf(patient), request), {
        code: 'access_denied',
        reason: 'not_the_signer',
      });
      assert.deepEqual((await listAccessRequests(gateway.services, sessionOf(patient))).incoming, []);
    });

    it('lets only the request’s patient deny it (not_request_patient), once', async () => {
      const [patient, doctor, other] = await Promise.all([
        newPatient(gateway.url, consortium),
        newMember(gateway.url, consortium),
        newPatient(gateway.url, consortium),
      ]);
      const { requestId } = await requestAccess(
        gateway.services,
        sessionOf(doctor),
        await signedRequest(doctor, patient, ''),
      );
      const denialBy = async (signer: GatewayClient) => ({
        patient: signer.address,
        requestId,
        ...(await signer.signAction('consents', consentsTypes, 'DenyRequest', {
          patient: signer.address,
          requestId: BigInt(requestId),
        })),
      });
      await assert.rejects(denyAccessRequest(gateway.services, sessionOf(other), await denialBy(other)), {
        code: 'access_denied',
        reason: 'not_request_patient',
        fields: { requestId },
      });
      assert.equal(
        (await getAccessRequest(gateway.services, sessionOf(patient), requestId)).status,
        'pending',
      );

      const denied = await denyAccessRequest(gateway.services, sessionOf(patient), await denialBy(patient));
      assert.deepEqual(
        { requestId: denied.requestId, status: denied.status },
        { requestId, status: 'denied' },
      );
      assert.equal((await getAccessRequest(gateway.services, sessionOf(doctor), requestId)).status, 'denied');
      // The chain refuses a second denial: the request is no longer pending.
      await assert.rejects(denyAccessRequest(gateway.services, sessionOf(patient), await denialBy(patient)), {
        code: 'invalid_input',
      });
    });
  });
});
