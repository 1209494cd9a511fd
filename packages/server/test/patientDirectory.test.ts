/**
 * Finding a patient without an address (issue 14): desk codes (single use, ten minutes, one live
 * per patient, only for members of an organisation the gateway serves, failures audited and
 * limited), identifiers an organisation keeps (unique per organisation, system and value; only for
 * its own patients or those who share demographics), and the profile: an encrypted demographics
 * record nobody reads without a grant that covers demographics. Two hospitals, each with its own
 * gateway, on one chain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { AccessDeniedError, LedgerUnavailableError, NotFoundError } from '@medledger/core';
import { createLedgerClient, httpEndpoint } from '@medledger/ledger';
import { freePort } from '@medledger/ledger-node';
import type { Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createAccessControl } from '../src/accessControl.ts';
import { createAuditLog } from '../src/auditLog.ts';
import { deskCodeFailureLimit, redeemDeskCode } from '../src/operations/patientDirectory.ts';
import { openGatewayStores } from '../src/store/gatewayStores.ts';
import { newActor, newMember, newPatient, signIn } from './helpers/actors.ts';
import { eventually } from './helpers/emergencies.ts';
import { startTestConsortium, type TestConsortium, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';
import { sessionOf } from './helpers/sessions.ts';

/** Asserts a rejection with a medledger error of this class and reason. */
async function rejectsWith(
  promise: Promise<unknown>,
  ErrorClass: abstract new (...args: never[]) => Error,
  reason: string,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${String(error)}`);
    assert.equal((error as { reason?: string }).reason, reason);
    return true;
  });
}

describe('patient directory: desk codes, identifiers, profiles', { timeout: 300_000 }, () => {
  let consortium: TestConsortium;
  let home: TestGateway;
  let patient: GatewayClient;
  let clerk: GatewayClient;
  /** A doctor of the second hospital, signed in at the first hospital's gateway. */
  let stranger: GatewayClient;
  let otherGatewayStranger: GatewayClient;

  before(async () => {
    consortium = await startTestConsortium({ hospitals: 2, threshold: 2 });
    home = consortium.gateways[0]!;
    const hospital = { admin: consortium.admins[0]!, organisationId: 1 };
    [patient, clerk] = await Promise.all([
      newPatient(home.url, hospital),
      newMember(home.url, hospital, 'nurse'),
    ]);
    otherGatewayStranger = await newMember(consortium.gateways[1]!.url, {
      admin: consortium.admins[1]!,
      organisationId: 2,
    });
    stranger = newActor(home.url, otherGatewayStranger.identity);
  });
  after(() => consortium.stop());

  async function auditOf(actor: Address, action: string) {
    const events = await home.services.store.auditEvents({ actor });
    return events
      .filter((event) => event.action === action)
      .sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
  }

  describe('desk codes', () => {
    it('gives a patient an 8-character code of the unambiguous alphabet, redeemable once', async () => {
      const { code, expiresAt } = await patient.issueDeskCode();
      assert.match(code, /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
      const inTenMinutes = Date.now() / 1000 + 600;
      assert.ok(Math.abs(expiresAt - inTenMinutes) < 5, `expires at ${expiresAt}`);

      const typed = `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`;
      assert.deepEqual(await clerk.redeemDeskCode(typed), { patient: patient.address, organisationId: 1 });
      await rejectsWith(clerk.redeemDeskCode(code), NotFoundError, 'no_such_desk_code');

      const events = await auditOf(clerk.address, 'desk-code-redeem');
      assert.deepEqual(
        events.map((event) => [event.outcome, event.patient, event.reason]),
        [
          ['allowed', patient.address, 'organisation 1'],
          ['denied', null, 'wrong_desk_code'],
        ],
      );
      const issued = await auditOf(patient.address, 'desk-code-issue');
      assert.equal(issued.at(-1)?.outcome, 'allowed');
      assert.ok(
        events.every((event) => !JSON.stringify(event).includes(code)),
        'no code in the audit log',
      );
    });

    it('keeps one live code per patient: a new one replaces the last', async () => {
      const first = await patient.issueDeskCode();
      const second = await patient.issueDeskCode();
      await rejectsWith(clerk.redeemDeskCode(first.code), NotFoundError, 'no_such_desk_code');
      assert.equal((await clerk.redeemDeskCode(second.code)).patient, patient.address);
      // Asked for at once, five codes: all answered, exactly one of them live.
      const codes = await Promise.all(Array.from({ length: 5 }, () => patient.issueDeskCode()));
      const redeemed = await Promise.allSettled(codes.map(({ code }) => clerk.redeemDeskCode(code)));
      assert.equal(redeemed.filter((outcome) => outcome.status === 'fulfilled').length, 1);
    });

    it('refuses a code after its ten minutes', async () => {
      const { code } = await patient.issueDeskCode();
      const realNow = Date.now;
      Date.now = () => realNow() + 601_000;
      try {
        await rejectsWith(
          redeemDeskCode(home.services, sessionOf(clerk), code),
          NotFoundError,
          'no_such_desk_code',
        );
      } finally {
        Date.now = realNow;
      }
      // Expired, not merely hidden: it stays refused once the clock is back.
      await rejectsWith(clerk.redeemDeskCode(code), NotFoundError, 'no_such_desk_code');
    });

    it('lets no member of an organisation this gateway does not serve redeem, nor a patient', async () => {
      const { code } = await patient.issueDeskCode();
      await rejectsWith(stranger.redeemDeskCode(code), AccessDeniedError, 'not_organisation_member');
      await rejectsWith(patient.redeemDeskCode(code), AccessDeniedError, 'not_organisation_member');
      // At its own gateway the stranger's organisation holds no such code.
      await rejectsWith(otherGatewayStranger.redeemDeskCode(code), NotFoundError, 'no_such_desk_code');
      const denied = await auditOf(stranger.address, 'desk-code-redeem');
      assert.deepEqual(
        denied.map((event) => [event.outcome, event.reason]),
        [['denied', 'not_organisation_member']],
      );
      // The refused attempts did not use the code up.
      assert.equal((await clerk.redeemDeskCode(code)).patient, patient.address);
      // Nobody but a registered patient gets a code.
      await rejectsWith(clerk.issueDeskCode(), AccessDeniedError, 'not_a_patient');
    });

    it('refuses an account that failed too often, even with a right code', async () => {
      const guesser = await newMember(home.url, { admin: consortium.admins[0]!, organisationId: 1 });
      const { code } = await patient.issueDeskCode();
      const wrong = code.startsWith('2') ? '3' : '2';
      for (let attempt = 0; attempt < deskCodeFailureLimit.max; attempt++) {
        await rejectsWith(
          guesser.redeemDeskCode(`${wrong}${code.slice(1)}`),
          NotFoundError,
          'no_such_desk_code',
        );
      }
      await assert.rejects(guesser.redeemDeskCode(code), (error: unknown) => {
        assert.equal((error as { reason?: string }).reason, 'rate_limited');
        assert.equal((error as { fields?: { limit?: string } }).fields?.limit, 'deskCodeFailures');
        return true;
      });
      const events = await auditOf(guesser.address, 'desk-code-redeem');
      assert.equal(events.filter((event) => event.reason === 'wrong_desk_code').length, 10);
      assert.equal(events.at(-1)?.reason, 'rate_limited');
      // Another member is not locked out by it.
      assert.equal((await clerk.redeemDeskCode(code)).patient, patient.address);
    });

    it('validates bodies: unknown fields and malformed codes are refused', async () => {
      const token = await signIn(home.url, clerk.identity);
      const path = '/api/patient-directory/desk-codes/redemption';
      assertError(
        await call(home.url, 'POST', path, { token, body: { code: 'ABCDEFGH', x: 1 } }),
        400,
        'invalid_input',
      );
      assertError(
        await call(home.url, 'POST', path, { token, body: { code: 'ABCDEFG0' } }),
        400,
        'invalid_input',
      );
      assertError(await call(home.url, 'POST', path, { body: { code: 'ABCDEFGH' } }), 401, 'unauthenticated');
      const docs = await call(home.url, 'GET', '/docs/json');
      const paths = Object.keys((docs.body as { paths: Record<string, unknown> }).paths);
      for (const route of [
        '/api/patient-directory/desk-codes',
        '/api/patient-directory/desk-codes/redemption',
        '/api/patient-directory/identifiers',
        '/api/patient-directory/identifier-lookups',
      ]) {
        assert.ok(paths.includes(route), `${route} is documented`);
      }
    });
  });

  describe('identifiers an organisation keeps', () => {
    const system = 'urn:st-mary:mrn';

    it('keeps an MRN for its own patient, unique per organisation, system and value', async () => {
      const assigned = await clerk.assignPatientIdentifier({
        patient: patient.address,
        system,
        value: 'MRN-0001',
      });
      assert.deepEqual(
        { ...assigned, assignedAt: 0 },
        {
          organisationId: 1,
          system,
          value: 'MRN-0001',
          patient: patient.address,
          assignedBy: clerk.address,
          assignedAt: 0,
        },
      );
      // The same again is kept as it is (200, where a new one is 201).
      const token = await signIn(home.url, clerk.identity);
      const path = '/api/patient-directory/identifiers';
      const again = await call(home.url, 'POST', path, {
        token,
        body: { patient: patient.address, system, value: 'MRN-0001' },
      });
      assert.equal(again.status, 200, again.text);
      assert.equal((again.body as { assignedAt: number }).assignedAt, assigned.assignedAt);
      const fresh = await call(home.url, 'POST', path, {
        token,
        body: { patient: patient.address, system: 'urn:st-mary:lab', value: 'L-7' },
      });
      assert.equal(fresh.status, 201, fresh.text);
      assertError(
        await call(home.url, 'POST', path, {
          token,
          body: { patient: patient.address, system, value: 'has space' },
        }),
        400,
        'invalid_input',
      );
      const other = await newPatient(home.url, { admin: consortium.admins[0]!, organisationId: 1 });
      await assert.rejects(
        clerk.assignPatientIdentifier({ patient: other.address, system, value: 'MRN-0001' }),
        (error: unknown) => (error as { reason?: string }).reason === 'identifier_taken',
      );
      // Another system, or another organisation, may use the same value.
      await clerk.assignPatientIdentifier({
        patient: other.address,
        system: 'urn:st-mary:billing',
        value: 'MRN-0001',
      });

      const found = await clerk.findPatientByIdentifier({ system, value: 'MRN-0001' });
      assert.equal(found.patient, patient.address);
      await rejectsWith(
        clerk.findPatientByIdentifier({ system, value: 'MRN-9999' }),
        NotFoundError,
        'no_such_identifier',
      );
      const lookups = await auditOf(clerk.address, 'identifier-lookup');
      assert.deepEqual(
        lookups.map((event) => [event.outcome, event.patient]),
        [
          ['allowed', patient.address],
          ['denied', null],
        ],
      );
    });

    it('shows the patient its identifiers, and a member those of its organisation', async () => {
      const own = await patient.listPatientIdentifiers(patient.address);
      assert.deepEqual(
        own.identifiers.map((identifier) => [identifier.organisationId, identifier.system, identifier.value]),
        [
          [1, 'urn:st-mary:lab', 'L-7'],
          [1, system, 'MRN-0001'],
        ],
      );
      assert.equal((await clerk.listPatientIdentifiers(patient.address)).identifiers.length, 2);
      const otherPatient = await newPatient(home.url, { admin: consortium.admins[0]!, organisationId: 1 });
      await rejectsWith(
        otherPatient.listPatientIdentifiers(patient.address),
        AccessDeniedError,
        'not_organisation_member',
      );
    });

    it('refuses other organisations, and patients the organisation has no relationship with', async () => {
      await rejectsWith(
        stranger.assignPatientIdentifier({ patient: patient.address, system, value: 'X-1' }),
        AccessDeniedError,
        'not_organisation_member',
      );
      await rejectsWith(
        stranger.findPatientByIdentifier({ system, value: 'MRN-0001' }),
        AccessDeniedError,
        'not_organisation_member',
      );
      // At its own gateway, its organisation keeps nothing under hospital 1's identifier.
      await rejectsWith(
        otherGatewayStranger.findPatientByIdentifier({ system, value: 'MRN-0001' }),
        NotFoundError,
        'no_such_identifier',
      );
      // A patient of hospital 2: hospital 1 keeps identifiers of it only once it shares demographics.
      const visitor = await newPatient(home.url, { admin: consortium.admins[1]!, organisationId: 2 });
      await rejectsWith(
        clerk.assignPatientIdentifier({ patient: visitor.address, system, value: 'MRN-0002' }),
        AccessDeniedError,
        'no_patient_relationship',
      );
      await visitor.grantConsent({
        grantee: clerk.address,
        categories: ['demographics'],
        actions: ['read'],
        expiresInSeconds: 3600,
      });
      const assigned = await clerk.assignPatientIdentifier({
        patient: visitor.address,
        system,
        value: 'MRN-0002',
      });
      assert.equal(assigned.patient, visitor.address);
      const denied = (await home.services.store.auditEvents({ patient: visitor.address }))
        .filter((event) => event.action === 'identifier-assign')
        .sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
      assert.deepEqual(
        denied.map((event) => event.outcome),
        ['denied', 'allowed'],
      );
    });
  });

  describe('the profile', () => {
    it('is an encrypted demographics record, a chain of versions, read only with a demographics grant', async () => {
      const doctor = await newMember(home.url, { admin: consortium.admins[0]!, organisationId: 1 });
      const first = await patient.setPatientProfile({
        given: 'Alex',
        family: 'Rivera',
        birthDate: '1984-02-29',
      });
      assert.equal(first.supersedes, null);
      const second = await patient.setPatientProfile({
        given: 'Alex Maria',
        family: 'Rivera',
        birthDate: '1984-02-29',
        gender: 'female',
        email: 'alex@example.org',
      });
      assert.equal(second.supersedes, first.recordId);
      const own = await patient.patientProfileOf(patient.address);
      assert.equal(own.recordId, second.recordId);
      assert.equal(own.name, 'Alex Maria Rivera');
      await eventually(
        async () => ((await home.services.store.record(first.recordId))?.supersededBy ? true : undefined),
        'the first version to be superseded',
      );

      // No grant at all, then a grant that does not cover demographics: refused, typed.
      await rejectsWith(
        doctor.patientProfileOf(patient.address),
        AccessDeniedError,
        'no_demographics_consent',
      );
      await patient.grantConsent({
        grantee: doctor.address,
        categories: ['lab'],
        actions: ['read'],
        expiresInSeconds: 3600,
      });
      await rejectsWith(
        doctor.patientProfileOf(patient.address),
        AccessDeniedError,
        'no_demographics_consent',
      );
      await rejectsWith(doctor.readRecord(second.recordId), AccessDeniedError, 'no_consent');

      await patient.grantConsent({
        grantee: doctor.address,
        categories: ['demographics'],
        actions: ['read'],
        expiresInSeconds: 3600,
      });
      const read = await doctor.patientProfileOf(patient.address);
      assert.deepEqual(
        { name: read.name, birthDate: read.birthDate, gender: read.gender, email: read.email },
        { name: 'Alex Maria Rivera', birthDate: '1984-02-29', gender: 'female', email: 'alex@example.org' },
      );

      // The name is nowhere in the gateway's index or audit log (it holds ciphertext only).
      const audit = JSON.stringify(await home.services.store.auditEvents({ patient: patient.address }));
      assert.doesNotMatch(audit, /Rivera/);

      // Searching among the patients who share demographics happens in the doctor's client.
      const found = await doctor.findPatients({ name: 'rive', birthDate: '1984-02-29' });
      assert.deepEqual(
        found.matches.map((match) => match.patient),
        [patient.address],
      );
      assert.equal(
        (await doctor.findPatients({ name: 'Rivera', birthDate: '1990-01-01' })).matches.length,
        0,
      );
    });

    it('tells a patient without a profile so', async () => {
      const newcomer = await newPatient(home.url, { admin: consortium.admins[0]!, organisationId: 1 });
      await rejectsWith(newcomer.patientProfileOf(newcomer.address), NotFoundError, 'no_patient_profile');
    });
  });
});

describe('patient directory decisions fail closed', () => {
  it('refuses, audited as ledger_unavailable, when the chain cannot be read', async () => {
    const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address;
    const { store, emergencies, close } = await openGatewayStores(':memory:');
    const ledger = createLedgerClient({
      // A port nobody listens on: every chain read fails.
      endpoint: httpEndpoint(`http://127.0.0.1:${await freePort()}`),
      relayer: privateKeyToAccount(generatePrivateKey()),
      deployment: {
        chainId: 31337,
        consortium: address(1),
        consents: address(2),
        records: address(3),
        auditAnchors: address(4),
        coSignatures: address(5),
        emergencies: address(6),
        orders: address(7),
        delegates: address(8),
        recordActions: address(9),
        deployedAtBlock: 0n,
      },
    });
    const access = createAccessControl({ ledger, auditLog: createAuditLog(store), store, emergencies });
    const actor = address(10);
    await assert.rejects(access.authoriseDeskCodeIssue(actor), LedgerUnavailableError);
    await assert.rejects(
      access.authoriseDeskCodeRedemption(actor, {
        hosted: [1],
        lockedOut: async () => {},
        take: async () => address(11),
        countFailure: async () => {},
      }),
      LedgerUnavailableError,
    );
    await assert.rejects(
      access.authoriseIdentifierLookup(actor, [1], async () => ({ patient: address(11) })),
      LedgerUnavailableError,
    );
    const events = await store.auditEventsFrom(0, 10);
    assert.deepEqual(
      events.map((event) => [event.action, event.outcome, event.reason]),
      [
        ['desk-code-issue', 'denied', 'ledger_unavailable'],
        ['desk-code-redeem', 'denied', 'ledger_unavailable'],
        ['identifier-lookup', 'denied', 'ledger_unavailable'],
      ],
    );
    await close();
  });
});
