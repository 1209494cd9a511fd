/**
 * Delegates (family, caregivers, researchers): a patient registers them, grants them consents (read
 * only, within their category limit), and they read exactly what was granted, through this gateway's
 * custodian re-sealing the keys to the key the patient registered for them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { MedledgerError } from '@medledger/core';
import { type Consortium, foundConsortium, newActor, newMember, newPatient } from './helpers/actors.ts';
import { eventually } from './helpers/emergencies.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { labResult, medication } from './helpers/records.ts';

/** Matches a refusal by code and reason, as the client raises it from the gateway's answer. */
function refused(code: string, reason: string) {
  return (error: unknown) => {
    assert.ok(error instanceof MedledgerError, String(error));
    assert.deepEqual([error.code, error.reason], [code, reason]);
    return true;
  };
}

const condition = () => ({
  resourceType: 'Condition',
  code: { text: 'Asthma' },
  subject: { reference: 'Patient/example' },
});

describe('delegates', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
  });
  after(() => gateway.stop());

  /** A patient with a medication, a lab result and a condition of its own, and a family delegate. */
  async function patientWithDelegate() {
    const patient = await newPatient(gateway.url, consortium);
    const delegate = newActor(gateway.url);
    await patient.addDelegate({
      delegate: delegate.address,
      kind: 'family',
      encryptionKey: delegate.identity.encryption.publicKey,
      categories: ['medication', 'lab'],
    });
    const add = (category: 'medication' | 'lab' | 'condition', resource: unknown) =>
      patient.addRecord({ patient: patient.address, category, resource });
    const records = {
      medication: (await add('medication', medication())).recordId,
      lab: (await add('lab', labResult())).recordId,
      condition: (await add('condition', condition())).recordId,
    };
    return { patient, delegate, records };
  }

  it('lists a delegate to its patient and to itself, shows the role, and refuses anyone else', async () => {
    const { patient, delegate } = await patientWithDelegate();
    const entry = {
      patient: patient.address,
      delegate: delegate.address,
      kind: 'family',
      categoryLimit: ['medication', 'lab'],
      encryptionKey: delegate.identity.encryption.publicKey.toLowerCase(),
      active: true,
    };
    const withoutBlock = ({ addedAtBlock: _, ...rest }: { addedAtBlock: number }) => rest;
    assert.deepEqual((await patient.listDelegates(patient.address)).delegates.map(withoutBlock), [entry]);
    assert.deepEqual((await delegate.listDelegates()).delegates.map(withoutBlock), [entry]);
    assert.deepEqual((await delegate.listDelegates(patient.address)).delegates.map(withoutBlock), [entry]);
    assert.deepEqual((await delegate.me()).delegateOf, [{ patient: patient.address, kind: 'family' }]);
    const stranger = newActor(gateway.url);
    await assert.rejects(
      stranger.listDelegates(patient.address),
      refused('access_denied', 'not_patient_or_delegate'),
    );
    assert.deepEqual((await stranger.me()).delegateOf, []);
  });

  it('lets a delegate read what it was granted and nothing else, audited under the patient', async () => {
    const { patient, delegate, records } = await patientWithDelegate();
    const other = await patientWithDelegate();
    await patient.grantConsent({
      grantee: delegate.address,
      categories: ['medication'],
      actions: ['read'],
      expiresInSeconds: 3600,
    });
    const read = await delegate.readRecord(records.medication);
    assert.deepEqual(read.resource, medication());
    assert.deepEqual(
      (await delegate.listRecords(patient.address)).records.map((record) => record.recordId),
      [records.medication],
    );
    await assert.rejects(delegate.readRecord(records.lab), refused('access_denied', 'no_consent'));
    await assert.rejects(delegate.readRecord(records.condition), refused('access_denied', 'no_consent'));
    await assert.rejects(
      delegate.readRecord(other.records.medication),
      refused('access_denied', 'no_consent'),
    );

    const { events } = await patient.audit({ patient: patient.address });
    const byDelegate = events
      .filter((event) => event.actor === delegate.address)
      .map((event) => [event.recordId, event.outcome]);
    const allowed = byDelegate.filter(([, outcome]) => outcome === 'allowed').map(([recordId]) => recordId);
    assert.ok(allowed.includes(records.medication), 'the read is audited with the delegate as actor');
    assert.ok(!allowed.includes(records.lab) && !allowed.includes(records.condition));
    assert.ok(byDelegate.some(([recordId, outcome]) => recordId === records.lab && outcome === 'denied'));
  });

  it('ends a delegate grant on revocation, on expiry and on the delegate removal', async () => {
    const { patient, delegate, records } = await patientWithDelegate();
    const { grantId } = await patient.grantConsent({
      grantee: delegate.address,
      categories: ['medication'],
      actions: ['read'],
      expiresInSeconds: 3600,
    });
    await delegate.readRecord(records.medication);
    await patient.revokeConsent(grantId);
    await assert.rejects(
      delegate.readRecord(records.medication),
      refused('access_denied', 'consent_revoked'),
    );

    await patient.grantConsent({
      grantee: delegate.address,
      categories: ['lab'],
      actions: ['read'],
      expiresInSeconds: 3,
    });
    await delegate.readRecord(records.lab);
    await eventually(
      () =>
        delegate.readRecord(records.lab).then(
          () => undefined,
          (error: unknown) =>
            error instanceof MedledgerError && error.reason === 'consent_expired' ? true : undefined,
        ),
      'the grant to expire',
    );

    await patient.grantConsent({
      grantee: delegate.address,
      categories: ['medication'],
      actions: ['read'],
      expiresInSeconds: 3600,
    });
    await delegate.readRecord(records.medication);
    await patient.removeDelegate(delegate.address);
    await assert.rejects(delegate.readRecord(records.medication), refused('access_denied', 'no_consent'));
    const [entry] = (await patient.listDelegates(patient.address)).delegates;
    assert.equal(entry?.active, false);
    assert.deepEqual((await delegate.me()).delegateOf, []);
  });

  it('refuses a grant beyond a researcher limit, beyond reading, and to a stranger, saying who can be granted', async () => {
    const patient = await newPatient(gateway.url, consortium);
    const researcher = newActor(gateway.url);
    await patient.addDelegate({
      delegate: researcher.address,
      kind: 'researcher',
      encryptionKey: researcher.identity.encryption.publicKey,
      categories: ['lab'],
    });
    const grantTo = (
      grantee: GatewayClient,
      categories: ('lab' | 'condition')[],
      actions: ('read' | 'append')[],
    ) => patient.grantConsent({ grantee: grantee.address, categories, actions, expiresInSeconds: 3600 });
    await assert.rejects(
      grantTo(researcher, ['lab', 'condition'], ['read']),
      refused('invalid_input', 'consents_beyond_delegate_limit'),
    );
    await assert.rejects(
      grantTo(researcher, ['lab'], ['read', 'append']),
      refused('invalid_input', 'consents_delegate_read_only'),
    );
    const stranger = newActor(gateway.url);
    await assert.rejects(grantTo(stranger, ['lab'], ['read']), (error: unknown) => {
      assert.ok(error instanceof MedledgerError);
      assert.deepEqual(
        [error.code, error.reason],
        ['invalid_input', 'consents_grantee_not_member_or_delegate'],
      );
      assert.match(
        error.message,
        /is neither an active member of an organisation nor a registered family member, caregiver or researcher of this patient/,
      );
      return true;
    });
    await grantTo(researcher, ['lab'], ['read']);
  });

  it('refuses a member as a delegate, and a delegate registration signed for another patient', async () => {
    const patient = await newPatient(gateway.url, consortium);
    const doctor = await newMember(gateway.url, consortium);
    await assert.rejects(
      patient.addDelegate({
        delegate: doctor.address,
        kind: 'caregiver',
        encryptionKey: doctor.identity.encryption.publicKey,
      }),
      refused('invalid_input', 'delegates_account_taken'),
    );
    const other = await newPatient(gateway.url, consortium);
    const delegate = newActor(gateway.url);
    await patient.addDelegate({
      delegate: delegate.address,
      kind: 'caregiver',
      encryptionKey: delegate.identity.encryption.publicKey,
    });
    await assert.rejects(
      other.removeDelegate(delegate.address),
      refused('not_found', 'delegates_unknown_delegate'),
    );
  });
});
