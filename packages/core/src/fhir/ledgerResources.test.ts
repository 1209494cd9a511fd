import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Address, Hex } from 'viem';
import { InvalidInputError } from '../errors.ts';
import {
  accessRequestConsent,
  anchorExtensionUrl,
  auditEventResource,
  consentResource,
  type LedgerAccessRequest,
  type LedgerAuditEvent,
  type LedgerConsent,
  type LedgerRecordAnchor,
  type LedgerStamp,
  ledgerSystems,
  provenanceResource,
  recordFhirId,
  stampExtensionUrl,
} from './ledgerResources.ts';
import { listResourceIssues } from './listResourceIssues.ts';
import type { FhirResource } from './types.ts';

const patient = '0x1111111111111111111111111111111111111111' as Address;
const doctor = '0xAbCdEf0000000000000000000000000000000001' as Address;
const nurse = '0x3333333333333333333333333333333333333333' as Address;
const labTech = '0x4444444444444444444444444444444444444444' as Address;
const recordId = `0x${'ab'.repeat(32)}` as Hex;
const earlierRecordId = `0x${'ef'.repeat(32)}` as Hex;
const transactionHash = `0x${'cd'.repeat(32)}` as Hex;

const terminology = 'http://terminology.hl7.org/CodeSystem';
const patientRef = {
  reference: `Patient/${patient}`,
  identifier: { system: ledgerSystems.address, value: patient },
};
const addressOf = (address: Address) => ({
  identifier: { system: ledgerSystems.address, value: address.toLowerCase() },
});
const organisation = (id: number) => ({
  type: 'Organization',
  identifier: { system: ledgerSystems.organisation, value: String(id) },
});

/**
 * The resource checked alone: every problem core's validator finds but the category fit (no
 * record category holds a ledger resource; they are served, never stored as records).
 */
function assertValid(resource: FhirResource) {
  assert.deepEqual(
    listResourceIssues(resource, 'other'),
    [],
    `${resource.resourceType}/${resource.id} is valid FHIR R4`,
  );
  assert.match(resource.id ?? '', /^[A-Za-z0-9\-.]{1,64}$/);
}

const grant: LedgerConsent = {
  grantId: 12,
  patient,
  grantee: doctor,
  granteeOrganisation: null,
  categories: ['lab', 'vitals'],
  maxSensitivity: 'restricted',
  actions: ['read', 'append'],
  purpose: 'TREAT',
  expiresAt: 1_767_225_600,
  requestId: 5,
  status: 'active',
};

describe('consentResource', () => {
  it('maps a grant to a member: patient, grantee, expiry, actions, categories, sensitivity, purpose', () => {
    const consent = consentResource(grant);
    assertValid(consent);
    assert.equal(consent.id, 'grant-12');
    assert.deepEqual(consent.identifier, [{ system: ledgerSystems.consentGrant, value: '12' }]);
    assert.equal(consent.status, 'active');
    assert.deepEqual(consent.scope.coding[0], {
      system: `${terminology}/consentscope`,
      code: 'patient-privacy',
      display: 'Privacy Consent',
    });
    assert.equal(consent.category[0]?.coding[0]?.code, '59284-0');
    assert.deepEqual(consent.patient, patientRef);
    assert.deepEqual(consent.performer, [patientRef]);
    assert.equal(consent.policyRule.coding[0]?.code, 'OPTIN');
    assert.deepEqual(consent.sourceReference, { reference: 'Consent/request-5' });
    assert.equal(consent.dateTime, undefined, 'no granting block given');
    assert.equal(consent.extension, undefined);
    const { provision } = consent;
    assert.equal(provision.type, 'permit');
    assert.deepEqual(provision.period, { end: '2026-01-01T00:00:00.000Z' });
    assert.deepEqual(provision.actor, [
      {
        role: {
          coding: [
            { system: `${terminology}/v3-ParticipationType`, code: 'IRCP', display: 'information recipient' },
          ],
        },
        reference: addressOf(doctor),
      },
    ]);
    assert.deepEqual(
      provision.action.map((action) => action.coding.map((coding) => coding.code)),
      [
        ['access', 'read'],
        ['correct', 'append'],
      ],
    );
    assert.deepEqual(provision.class, [
      { system: ledgerSystems.category, code: 'lab' },
      { system: ledgerSystems.category, code: 'vitals' },
    ]);
    assert.deepEqual(
      provision.securityLabel?.map((label) => label.code),
      ['N', 'R'],
    );
    assert.deepEqual(provision.purpose, [{ system: `${terminology}/v3-ActReason`, code: 'TREAT' }]);
  });

  it('maps a grant to an organisation without purpose, and its chain evidence when given', () => {
    const consent = consentResource({
      ...grant,
      grantId: 13,
      grantee: null,
      granteeOrganisation: 2,
      maxSensitivity: 'normal',
      actions: ['share'],
      purpose: '',
      requestId: null,
      grantedAt: 1_767_000_000,
      blockNumber: 42,
      transactionHash,
    });
    assertValid(consent);
    assert.deepEqual(consent.provision.actor[0]?.reference, organisation(2));
    assert.deepEqual(consent.provision.action[0]?.coding[0]?.code, 'disclose');
    assert.deepEqual(
      consent.provision.securityLabel?.map((label) => label.code),
      ['N'],
    );
    assert.equal(consent.provision.purpose, undefined);
    assert.equal(consent.sourceReference, undefined);
    assert.equal(consent.dateTime, '2025-12-29T09:20:00.000Z');
    assert.deepEqual(consent.provision.period, {
      start: '2025-12-29T09:20:00.000Z',
      end: '2026-01-01T00:00:00.000Z',
    });
    assert.deepEqual(consent.extension, [
      {
        url: anchorExtensionUrl,
        extension: [
          { url: 'blockNumber', valueUnsignedInt: 42 },
          { url: 'transactionHash', valueString: transactionHash },
        ],
      },
    ]);
  });

  it('status: an active grant is active; a revoked or expired one is inactive', () => {
    for (const [status, expected] of [
      ['active', 'active'],
      ['revoked', 'inactive'],
      ['expired', 'inactive'],
    ] as const) {
      const consent = consentResource({ ...grant, status });
      assertValid(consent);
      assert.equal(consent.status, expected, status);
    }
  });

  it('refuses a grant without grantee, actions or categories, or with a malformed address', () => {
    for (const bad of [
      { grantee: null },
      { actions: [] },
      { categories: [] },
      { patient: '0x1234' as Address },
      { grantId: -1 },
    ]) {
      assert.throws(() => consentResource({ ...grant, ...bad }), InvalidInputError, JSON.stringify(bad));
    }
  });
});

const request: LedgerAccessRequest = {
  requestId: 5,
  patient,
  requester: doctor,
  categories: ['note'],
  actions: ['read'],
  status: 'pending',
  grantId: null,
};

describe('accessRequestConsent', () => {
  it('maps the requester, categories and actions, without expiry or purpose', () => {
    const consent = accessRequestConsent(request);
    assertValid(consent);
    assert.equal(consent.id, 'request-5');
    assert.deepEqual(consent.identifier, [{ system: ledgerSystems.accessRequest, value: '5' }]);
    assert.deepEqual(consent.patient, patientRef);
    assert.deepEqual(consent.provision.actor[0]?.reference, addressOf(doctor));
    assert.deepEqual(consent.provision.class, [{ system: ledgerSystems.category, code: 'note' }]);
    assert.equal(consent.provision.action[0]?.coding[0]?.code, 'access');
    assert.equal(consent.provision.period, undefined);
    assert.equal(consent.provision.purpose, undefined);
  });

  it('status: pending is proposed, denied rejected, approved active or, once a grant replaced it, inactive', () => {
    for (const [changes, expected] of [
      [{ status: 'pending' }, 'proposed'],
      [{ status: 'denied' }, 'rejected'],
      [{ status: 'approved', grantId: null }, 'active'],
      [{ status: 'approved', grantId: 12 }, 'inactive'],
    ] as const) {
      const consent = accessRequestConsent({ ...request, ...changes });
      assertValid(consent);
      assert.equal(consent.status, expected, JSON.stringify(changes));
    }
    // The grant that approves it points back to it.
    assert.equal(
      consentResource(grant).sourceReference?.reference,
      `Consent/${accessRequestConsent(request).id}`,
    );
  });
});

const apiEvent: LedgerAuditEvent = {
  eventId: '3f0c7a9e-1b2c-4d5e-8f90-123456789abc',
  recordedAt: '2026-01-01T00:00:00.000Z',
  actor: doctor,
  patient,
  action: 'read',
  recordId,
  category: 'lab',
  sensitivity: 'restricted',
  purpose: 'TREAT',
  outcome: 'allowed',
  reason: 'grant 12',
};

describe('auditEventResource', () => {
  it('maps an allowed read: REST read, who, the gateway, the patient and the record', () => {
    const event = auditEventResource(apiEvent, { organisationId: 1 });
    assertValid(event);
    assert.equal(event.id, apiEvent.eventId);
    assert.deepEqual(event.type, {
      system: `${terminology}/audit-event-type`,
      code: 'rest',
      display: 'RESTful Operation',
    });
    assert.deepEqual(event.subtype, [
      { system: 'http://hl7.org/fhir/restful-interaction', code: 'read' },
      { system: ledgerSystems.auditAction, code: 'read' },
    ]);
    assert.equal(event.action, 'R');
    assert.equal(event.recorded, '2026-01-01T00:00:00.000Z');
    assert.equal(event.outcome, '0');
    assert.equal(event.outcomeDesc, 'grant 12');
    assert.deepEqual(event.purposeOfEvent, [
      { coding: [{ system: `${terminology}/v3-ActReason`, code: 'TREAT' }] },
    ]);
    assert.deepEqual(event.agent, [{ who: addressOf(doctor), requestor: true }]);
    assert.deepEqual(event.source.observer, {
      ...organisation(1),
      display: 'medledger gateway of organisation 1',
    });
    assert.equal(event.meta, undefined);
    assert.deepEqual(event.entity, [
      {
        what: patientRef,
        type: { system: `${terminology}/audit-entity-type`, code: '1', display: 'Person' },
        role: { system: `${terminology}/object-role`, code: '1', display: 'Patient' },
      },
      {
        what: { identifier: { system: ledgerSystems.record, value: recordId } },
        type: { system: `${terminology}/audit-entity-type`, code: '2', display: 'System Object' },
        role: { system: `${terminology}/object-role`, code: '4', display: 'Domain Resource' },
        securityLabel: [{ system: `${terminology}/v3-Confidentiality`, code: 'R', display: 'restricted' }],
        detail: [{ type: 'category', valueString: 'lab' }],
      },
    ]);
  });

  it('maps a denied access as outcome 4 with its reason', () => {
    const event = auditEventResource({ ...apiEvent, outcome: 'denied', reason: 'no_consent' });
    assertValid(event);
    assert.equal(event.outcome, '4');
    assert.equal(event.outcomeDesc, 'no_consent');
    assert.deepEqual(event.source.observer, { display: 'medledger gateway' });
  });

  it('maps a stored event (unix milliseconds, vocabulary indexes) as the API’s', () => {
    const stored = {
      ...apiEvent,
      sequence: 7,
      recordedAt: Date.parse(apiEvent.recordedAt as string),
      category: 3,
      sensitivity: 1,
    };
    assert.deepEqual(auditEventResource(stored), auditEventResource(apiEvent));
  });

  it('maps lists, appends, emergencies and purposes outside v3 PurposeOfUse', () => {
    const list = auditEventResource({ ...apiEvent, action: 'list', recordId: null, category: null });
    assertValid(list);
    assert.deepEqual([list.action, list.subtype[0]?.code], ['R', 'search-type']);
    assert.equal(list.entity?.length, 1, 'the patient only');
    assert.deepEqual(list.entity?.[0]?.securityLabel?.[0]?.code, 'R');

    const append = auditEventResource({ ...apiEvent, action: 'append', actor: patient, purpose: 'COSIGN' });
    assertValid(append);
    assert.deepEqual([append.action, append.subtype[0]?.code], ['C', 'create']);
    assert.deepEqual(append.agent[0]?.who, patientRef, 'the patient acting is the Patient');
    assert.deepEqual(append.purposeOfEvent?.[0]?.coding, [{ system: ledgerSystems.purpose, code: 'COSIGN' }]);

    const emergency = auditEventResource({
      ...apiEvent,
      action: 'emergency-start',
      recordId: null,
      category: null,
      sensitivity: null,
      purpose: 'BTG',
      reason: null,
    });
    assertValid(emergency);
    assert.equal(emergency.type.code, '110110');
    assert.equal(emergency.action, 'E');
    assert.deepEqual(emergency.subtype, [{ system: ledgerSystems.auditAction, code: 'emergency-start' }]);
    assert.equal(emergency.outcomeDesc, undefined);
    assert.deepEqual(emergency.meta?.security, [
      { system: `${terminology}/v3-ActReason`, code: 'BTG', display: 'break the glass' },
    ]);
  });

  it('maps an action named like an object property as any other non-REST action', () => {
    const event = auditEventResource({ ...apiEvent, action: 'constructor' });
    assertValid(event);
    assert.deepEqual([event.type.code, event.action], ['110110', 'E']);
  });

  it('refuses a malformed event', () => {
    assert.throws(() => auditEventResource({ ...apiEvent, actor: '0x12' as Address }), InvalidInputError);
    assert.throws(() => auditEventResource({ ...apiEvent, eventId: 'not an id' }), InvalidInputError);
  });
});

const record: LedgerRecordAnchor = {
  recordId,
  patient,
  author: doctor,
  supersedes: null,
  createdAt: 1_767_000_000,
  blockNumber: 10,
  transactionHash,
};
const target = `Observation/${recordFhirId(recordId)}`;
const authorSigner = { address: doctor, as: 'author', role: 'doctor', organisationId: 1 } as const;

describe('provenanceResource', () => {
  it('a record without co-signers: its author, signature, anchor and stamp', () => {
    const stamp: LedgerStamp = { status: 'final', policyVersion: 0, signers: [authorSigner] };
    const provenance = provenanceResource(record, stamp, { target, anchoredAt: 1_767_000_012 });
    assertValid(provenance);
    assert.equal(provenance.id, 'ab'.repeat(32));
    assert.deepEqual(provenance.target, [{ reference: target }]);
    assert.equal(provenance.occurredDateTime, '2025-12-29T09:20:00.000Z');
    assert.equal(provenance.recorded, '2025-12-29T09:20:12.000Z');
    assert.equal(provenance.activity.coding[0]?.code, 'CREATE');
    assert.equal(provenance.entity, undefined);
    assert.deepEqual(provenance.agent, [
      {
        type: {
          coding: [
            { system: `${terminology}/provenance-participant-type`, code: 'author', display: 'Author' },
          ],
        },
        role: [{ coding: [{ system: ledgerSystems.role, code: 'doctor' }] }],
        who: addressOf(doctor),
        onBehalfOf: organisation(1),
      },
    ]);
    assert.deepEqual(provenance.signature, [
      {
        type: [
          {
            system: 'urn:iso-astm:E1762-95:2013',
            code: '1.2.840.10065.1.12.1.1',
            display: "Author's Signature",
          },
        ],
        when: '2025-12-29T09:20:00.000Z',
        who: addressOf(doctor),
        onBehalfOf: organisation(1),
      },
    ]);
    assert.deepEqual(provenance.extension, [
      {
        url: anchorExtensionUrl,
        extension: [
          { url: 'blockNumber', valueUnsignedInt: 10 },
          { url: 'transactionHash', valueString: transactionHash },
        ],
      },
      {
        url: stampExtensionUrl,
        extension: [
          { url: 'status', valueCode: 'final' },
          { url: 'policyVersion', valueUnsignedInt: 0 },
        ],
      },
    ]);
  });

  it('a record with two co-signers: each a verifier; a known time and signature give a signature entry', () => {
    const stamp: LedgerStamp = {
      status: 'draft',
      policyVersion: 2,
      signers: [
        authorSigner,
        { address: nurse, as: 'co-signer', role: 'nurse', organisationId: 1 },
        {
          address: labTech,
          as: 'co-signer',
          role: 'lab',
          organisationId: 3,
          signedAt: 1_767_000_100,
          signature: `0x${'0102'.repeat(32)}ff` as Hex,
        },
      ],
    };
    const provenance = provenanceResource(record, stamp, { target });
    assertValid(provenance);
    assert.equal(provenance.recorded, provenance.occurredDateTime, 'no block time: the signed time');
    assert.deepEqual(
      provenance.agent.map((agent) => [
        agent.type.coding[0]?.code,
        agent.role?.[0]?.coding[0]?.code,
        agent.who.identifier?.value,
        agent.onBehalfOf?.identifier?.value,
      ]),
      [
        ['author', 'doctor', doctor.toLowerCase(), '1'],
        ['verifier', 'nurse', nurse, '1'],
        ['verifier', 'lab', labTech, '3'],
      ],
    );
    assert.equal(provenance.signature.length, 2, 'the author’s, and the co-signature whose time is known');
    const verification = provenance.signature[1];
    assert.equal(verification?.type[0]?.code, '1.2.840.10065.1.12.1.5');
    assert.equal(verification?.when, '2025-12-29T09:21:40.000Z');
    assert.deepEqual(verification?.who, addressOf(labTech));
    assert.equal(verification?.data, Buffer.from(`${'0102'.repeat(32)}ff`, 'hex').toString('base64'));
    assert.deepEqual(provenance.extension[1]?.extension, [
      { url: 'status', valueCode: 'draft' },
      { url: 'policyVersion', valueUnsignedInt: 2 },
    ]);
  });

  it('a revision authored by its patient: the Patient signs on its own behalf; UPDATE of the earlier version', () => {
    const revision = { ...record, author: patient, supersedes: earlierRecordId };
    const stamp: LedgerStamp = {
      status: 'final',
      policyVersion: 0,
      signers: [{ address: patient, as: 'author', role: 'patient', organisationId: 1 }],
    };
    const provenance = provenanceResource(revision, stamp, {
      target: `Observation/${recordFhirId(earlierRecordId)}/_history/2`,
    });
    assertValid(provenance);
    assert.equal(provenance.activity.coding[0]?.code, 'UPDATE');
    assert.deepEqual(provenance.entity, [
      { role: 'revision', what: { identifier: { system: ledgerSystems.record, value: earlierRecordId } } },
    ]);
    assert.deepEqual(provenance.agent[0]?.who, patientRef);
    assert.equal(provenance.agent[0]?.onBehalfOf, undefined);
    assert.deepEqual(provenance.signature[0]?.who, patientRef);
  });

  it('refuses a target that is no Type/id reference, and a malformed record', () => {
    const stamp: LedgerStamp = { status: 'final', policyVersion: 0, signers: [authorSigner] };
    for (const bad of ['Observation', 'observation/1', 'Observation/a b', `Observation/${'x'.repeat(65)}`]) {
      assert.throws(() => provenanceResource(record, stamp, { target: bad }), InvalidInputError, bad);
    }
    assert.throws(
      () => provenanceResource({ ...record, recordId: '0x12' as Hex }, stamp, { target }),
      InvalidInputError,
    );
  });
});

describe('recordFhirId', () => {
  it('is the record id without 0x, in lower case', () => {
    assert.equal(recordFhirId(`0x${'AB'.repeat(32)}` as Hex), 'ab'.repeat(32));
    assert.throws(() => recordFhirId('0xab' as Hex), InvalidInputError);
  });
});
