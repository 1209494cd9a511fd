/**
 * Ledger state as FHIR R4 resources, from what the client reads of a real gateway: consents and
 * access requests as Consents, the audit log as AuditEvents, records' signers as Provenances.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addRecord,
  approveAccessRequest,
  audit,
  auditProofs,
  coSignRecord,
  denyAccessRequest,
  type FhirAuditBundle,
  type GatewayClient,
  grantConsent,
  listAccessRequests,
  listConsents,
  listRecords,
  readRecord,
  requestAccess,
  revokeConsent,
} from '@medledger/client';
import {
  AccessDeniedError,
  accessRequestConsent,
  auditEventResource,
  consentResource,
  type FhirResource,
  ledgerSystems,
  listResourceIssues,
  provenanceResource,
  recordFhirId,
} from '@medledger/core';
import type { Hex } from 'viem';
import {
  type Consortium,
  eventually,
  foundConsortium,
  labResult,
  medication,
  newMember,
  newPatient,
  rejectsWith,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

/** The resource checked alone: every problem core's validator finds but the category fit. */
function assertValid(resource: FhirResource) {
  assert.deepEqual(
    listResourceIssues(resource, 'other'),
    [],
    `${resource.resourceType}/${resource.id} is valid FHIR R4`,
  );
}

describe('ledger state as FHIR resources', () => {
  let gateway: TestGateway;
  let hospital: Consortium;
  let patient: GatewayClient;
  let doctor: GatewayClient;
  let nurse: GatewayClient;
  let medicationId: Hex;
  let labId: Hex;
  const grants: Record<'organisation' | 'revoked' | 'approving' | 'short', number> = {
    organisation: 0,
    revoked: 0,
    approving: 0,
    short: 0,
  };
  const requests: Record<'pending' | 'denied' | 'approved', number> = { pending: 0, denied: 0, approved: 0 };

  before(async () => {
    gateway = await startTestGateway();
    hospital = await foundConsortium(gateway.url);
    [patient, doctor, nurse] = await Promise.all([
      newPatient(gateway.url, hospital),
      newMember(gateway.url, hospital, 'doctor'),
      newMember(gateway.url, hospital, 'nurse'),
    ]);
    grants.organisation = (
      await grantConsent(patient, {
        granteeOrganisation: hospital.organisationId,
        categories: ['medication'],
        actions: ['read', 'append'],
        expiresInSeconds: 3600,
      })
    ).grantId;
    ({ recordId: medicationId } = await addRecord(doctor, {
      patient: patient.address,
      category: 'medication',
      resource: medication(),
    }));
    await coSignRecord(nurse, medicationId);
    await coSignRecord(patient, medicationId);
    ({ recordId: labId } = await addRecord(patient, {
      patient: patient.address,
      category: 'lab',
      resource: labResult(),
    }));
    await rejectsWith(readRecord(doctor, labId), AccessDeniedError, 'no_consent');

    grants.revoked = (
      await grantConsent(patient, {
        grantee: doctor.address,
        categories: ['lab'],
        actions: ['read'],
        maxSensitivity: 'restricted',
        purpose: 'TREAT',
        expiresInSeconds: 600,
      })
    ).grantId;
    await revokeConsent(patient, grants.revoked);
    grants.short = (
      await grantConsent(patient, {
        grantee: doctor.address,
        categories: ['note'],
        actions: ['read'],
        expiresInSeconds: 2,
      })
    ).grantId;

    requests.pending = (
      await requestAccess(doctor, { patient: patient.address, categories: ['note'] })
    ).requestId;
    requests.denied = (
      await requestAccess(doctor, { patient: patient.address, categories: ['imaging'] })
    ).requestId;
    await denyAccessRequest(patient, requests.denied);
    requests.approved = (
      await requestAccess(doctor, { patient: patient.address, categories: ['vitals'] })
    ).requestId;
    grants.approving = (
      await approveAccessRequest(patient, requests.approved, { expiresInSeconds: 600 })
    ).grantId;
  });
  after(() => gateway.stop());

  it('consents: each grant is a valid Consent; active, revoked and expired grants by their status', async () => {
    const given = await eventually(async () => {
      const list = (await listConsents(patient)).given;
      const statusOf = (grantId: number) => list.find((grant) => grant.grantId === grantId)?.status;
      return statusOf(grants.revoked) === 'revoked' && statusOf(grants.short) === 'expired'
        ? list
        : undefined;
    }, 'the revoked and the expired grant listed as such');
    const resources = new Map(given.map((grant) => [grant.grantId, consentResource(grant)]));
    for (const resource of resources.values()) assertValid(resource);
    assert.deepEqual(
      Object.values(grants).map((grantId) => [resources.get(grantId)?.id, resources.get(grantId)?.status]),
      [
        [`grant-${grants.organisation}`, 'active'],
        [`grant-${grants.revoked}`, 'inactive'],
        [`grant-${grants.approving}`, 'active'],
        [`grant-${grants.short}`, 'inactive'],
      ],
    );
    const toOrganisation = resources.get(grants.organisation)!;
    assert.deepEqual(toOrganisation.patient.reference, `Patient/${patient.address.toLowerCase()}`);
    assert.deepEqual(toOrganisation.provision.actor[0]?.reference.identifier, {
      system: ledgerSystems.organisation,
      value: String(hospital.organisationId),
    });
    const revoked = resources.get(grants.revoked)!;
    assert.deepEqual(revoked.provision.actor[0]?.reference.identifier, {
      system: ledgerSystems.address,
      value: doctor.address.toLowerCase(),
    });
    assert.deepEqual(
      revoked.provision.securityLabel?.map((label) => label.code),
      ['N', 'R'],
    );
    assert.equal(revoked.provision.purpose?.[0]?.code, 'TREAT');
    assert.deepEqual(resources.get(grants.approving)?.sourceReference, {
      reference: `Consent/request-${requests.approved}`,
    });

    const received = (await listConsents(doctor)).received;
    assert.ok(received.some((grant) => grant.grantId === grants.organisation));
    for (const grant of received) assertValid(consentResource(grant));
  });

  it('access requests: pending is proposed, denied rejected, approved replaced by its grant', async () => {
    const { incoming } = await listAccessRequests(patient);
    const outgoing = (await listAccessRequests(doctor)).outgoing;
    assert.equal(outgoing.length, incoming.length);
    const resources = new Map(incoming.map((request) => [request.requestId, accessRequestConsent(request)]));
    for (const resource of resources.values()) assertValid(resource);
    for (const request of outgoing) assertValid(accessRequestConsent(request));
    assert.deepEqual(
      Object.values(requests).map((requestId) => [
        resources.get(requestId)?.id,
        resources.get(requestId)?.status,
      ]),
      [
        [`request-${requests.pending}`, 'proposed'],
        [`request-${requests.denied}`, 'rejected'],
        [`request-${requests.approved}`, 'inactive'],
      ],
    );
    assert.deepEqual(resources.get(requests.pending)?.provision.actor[0]?.reference.identifier, {
      system: ledgerSystems.address,
      value: doctor.address.toLowerCase(),
    });
  });

  it('audit: each event is a valid AuditEvent, the same as the gateway’s FHIR answer; a denial is outcome 4', async () => {
    const { events } = await audit(patient);
    const { organisationId } = await auditProofs(patient);
    assert.equal(organisationId, hospital.organisationId);
    const resources = events.map((event) => auditEventResource(event, { organisationId }));
    for (const resource of resources) assertValid(resource);

    const denied = resources.find(
      (resource) =>
        resource.outcome === '4' && resource.agent[0]?.who.identifier?.value === doctor.address.toLowerCase(),
    );
    assert.ok(denied, 'the doctor’s denied read of the lab record');
    assert.equal(denied.outcomeDesc, 'no_consent');
    assert.deepEqual(
      denied.entity?.map((entity) => entity.what.identifier?.value),
      [patient.address.toLowerCase(), labId],
    );
    assert.ok(resources.some((resource) => resource.outcome === '0' && resource.action === 'C'));

    const fhir = await patient.call<FhirAuditBundle>('GET', '/api/audit?format=fhir');
    assert.deepEqual(
      fhir.entry.map((entry) => entry.resource),
      resources,
      'the gateway serves the same AuditEvents',
    );
  });

  it('records: each version’s signers are a valid Provenance, anchored in its block', async () => {
    const { records } = await listRecords(patient, patient.address);
    const provenances = new Map(
      records.map((record) => [
        record.recordId,
        provenanceResource(record, record.stamp, {
          target: `${record.category === 'lab' ? 'Observation' : 'MedicationStatement'}/${recordFhirId(record.recordId)}`,
        }),
      ]),
    );
    for (const provenance of provenances.values()) assertValid(provenance);

    const coSigned = provenances.get(medicationId)!;
    const anchored = records.find((record) => record.recordId === medicationId)!;
    assert.equal(coSigned.id, recordFhirId(medicationId));
    assert.deepEqual(coSigned.target, [{ reference: `MedicationStatement/${recordFhirId(medicationId)}` }]);
    assert.deepEqual(
      coSigned.agent.map((agent) => [
        agent.type.coding[0]?.code,
        agent.role?.[0]?.coding[0]?.code,
        agent.who.identifier?.value,
      ]),
      [
        ['author', 'doctor', doctor.address.toLowerCase()],
        ['verifier', 'nurse', nurse.address.toLowerCase()],
        ['verifier', 'patient', patient.address.toLowerCase()],
      ],
    );
    assert.deepEqual(coSigned.agent[0]?.onBehalfOf?.identifier?.value, String(hospital.organisationId));
    assert.deepEqual(coSigned.extension[0]?.extension, [
      { url: 'blockNumber', valueUnsignedInt: anchored.blockNumber },
      { url: 'transactionHash', valueString: anchored.transactionHash.toLowerCase() },
    ]);
    assert.equal(coSigned.signature.length, 1, 'the author’s signature');

    const own = provenances.get(labId)!;
    assert.deepEqual(
      own.agent.map((agent) => [agent.type.coding[0]?.code, agent.who.reference]),
      [['author', `Patient/${patient.address.toLowerCase()}`]],
    );
  });
});
