/**
 * The FHIR server against a real gateway and its embedded anvil: a patient with lab results,
 * conditions and immunizations (one result amended), a doctor whose consent covers lab results
 * and conditions, and a member without any consent. Each user runs their own FHIR server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { bytesToHex, randomBytes } from '@medledger/core';
import {
  type Consortium,
  condition,
  fhirCall,
  foundConsortium,
  immunization,
  labObservation,
  linkOf,
  newMember,
  newPatient,
  type RunningFhirServer,
  resourcesOf,
  startFhirServer,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

const hba1c = '4548-4';
const glucose = '2345-7';

describe('FHIR server', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let patient: GatewayClient;
  let doctor: GatewayClient;
  let stranger: GatewayClient;
  let patientFhir: RunningFhirServer;
  let doctorFhir: RunningFhirServer;
  let strangerFhir: RunningFhirServer;
  /** Logical ids of what the patient stored, by name. */
  const ids: Record<string, string> = {};
  let startedAt: string;

  const addAs = async (
    client: GatewayClient,
    name: string,
    category: 'lab' | 'condition' | 'immunization',
    resource: object,
  ) => {
    const { recordId } = await client.addRecord({ patient: patient.address, category, resource });
    ids[name] = recordId.slice(2);
    return recordId;
  };

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    [patient, doctor, stranger] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium, 'doctor'),
      newMember(gateway.url, consortium, 'nurse'),
    ]);
    await patient.grantConsent({
      grantee: doctor.address,
      categories: ['lab', 'condition'],
      actions: ['read', 'append'],
      expiresInSeconds: 3600,
    });
    startedAt = new Date(Date.now() - 2000).toISOString();
    const p = patient.address;
    const first = await addAs(
      patient,
      'hba1c2023',
      'lab',
      labObservation(p, hba1c, '2023-05-02T08:00:00Z', 6.1),
    );
    await addAs(patient, 'hba1c2024', 'lab', labObservation(p, hba1c, '2024-01-15T08:00:00Z', 5.8));
    await addAs(patient, 'glucose2024', 'lab', labObservation(p, glucose, '2024-06-30', 92));
    await addAs(patient, 'diabetes', 'condition', condition(p, '44054006', '2019-03'));
    await addAs(patient, 'flu', 'immunization', immunization(p, '140', '2024-10-01'));
    // hba1c2023 amended: a second version superseding the first (same resource, same id).
    await patient.addRecord({
      patient: p,
      category: 'lab',
      resource: { ...labObservation(p, hba1c, '2023-05-02T08:00:00Z', 6.2), status: 'amended' },
      supersedes: first,
    });
    [patientFhir, doctorFhir, strangerFhir] = await Promise.all([
      startFhirServer(patient),
      startFhirServer(doctor),
      startFhirServer(stranger),
    ]);
  });
  after(async () => {
    await Promise.all([patientFhir?.stop(), doctorFhir?.stop(), strangerFhir?.stop()]);
    await gateway?.stop();
  });

  test('metadata: a CapabilityStatement of what is served, as application/fhir+json', async () => {
    const answer = await fhirCall(patientFhir.base, 'GET', 'metadata');
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/fhir\+json/);
    assert.equal(answer.body.resourceType, 'CapabilityStatement');
    assert.equal(answer.body.fhirVersion, '4.0.1');
    const [rest] = answer.body.rest;
    const observation = rest.resource.find((resource: { type: string }) => resource.type === 'Observation');
    const names = observation.searchParam.map((parameter: { name: string }) => parameter.name);
    for (const name of ['_id', '_lastUpdated', 'patient', 'subject', 'code', 'category', 'date', 'status']) {
      assert.ok(names.includes(name), `Observation searches by ${name}`);
    }
    assert.deepEqual(
      observation.interaction.map((interaction: { code: string }) => interaction.code),
      ['read', 'vread', 'history-instance', 'search-type', 'create', 'update'],
    );
    assert.ok(observation.searchInclude.includes('Observation:subject'));
    const patientType = rest.resource.find((resource: { type: string }) => resource.type === 'Patient');
    assert.equal(patientType.operation[0].name, 'everything');
  });

  test('read: the current version, with id, meta and an ETag; vread and _history give every version', async () => {
    const answer = await fhirCall(patientFhir.base, 'GET', `Observation/${ids.hba1c2023}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.id, ids.hba1c2023);
    assert.equal(answer.body.meta.versionId, '2');
    assert.equal(answer.body.status, 'amended');
    assert.equal(answer.body.valueQuantity.value, 6.2);
    assert.equal(answer.headers.get('etag'), 'W/"2"');
    assert.ok(Date.parse(answer.body.meta.lastUpdated) >= Date.parse(startedAt));

    const first = await fhirCall(patientFhir.base, 'GET', `Observation/${ids.hba1c2023}/_history/1`);
    assert.equal(first.status, 200);
    assert.equal(first.body.meta.versionId, '1');
    assert.equal(first.body.status, 'final');

    const history = await fhirCall(patientFhir.base, 'GET', `Observation/${ids.hba1c2023}/_history`);
    assert.equal(history.status, 200);
    assert.equal(history.body.type, 'history');
    assert.equal(history.body.total, 2);
    assert.deepEqual(
      resourcesOf(history.body).map((resource) => resource.meta.versionId),
      ['2', '1'],
    );
    assert.deepEqual(
      history.body.entry.map((entry: { request: { method: string } }) => entry.request.method),
      ['PUT', 'POST'],
    );
  });

  test('search: code, date prefixes, status, category, _lastUpdated, _id and _sort', async () => {
    const search = async (query: string) => {
      const answer = await fhirCall(patientFhir.base, 'GET', `Observation?${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.type, 'searchset');
      return answer.body;
    };
    const named = (bundle: unknown) =>
      resourcesOf(bundle, 'match')
        .map((resource) => Object.entries(ids).find(([, id]) => id === resource.id)?.[0])
        .sort();

    assert.deepEqual(named(await search('')), ['glucose2024', 'hba1c2023', 'hba1c2024']);
    assert.deepEqual(named(await search(`code=http://loinc.org|${hba1c}`)), ['hba1c2023', 'hba1c2024']);
    assert.deepEqual(named(await search(`code=${glucose}`)), ['glucose2024']);
    assert.deepEqual(named(await search(`code=http://snomed.info/sct|${glucose}`)), []);
    assert.deepEqual(named(await search('date=2024')), ['glucose2024', 'hba1c2024']);
    assert.deepEqual(named(await search('date=ge2024-01-15&date=lt2024-06-30')), ['hba1c2024']);
    assert.deepEqual(named(await search('date=gt2024-01-15')), ['glucose2024']);
    assert.deepEqual(named(await search('date=le2024-01-15')), ['hba1c2023', 'hba1c2024']);
    assert.deepEqual(named(await search('date=sa2023-12-31')), ['glucose2024', 'hba1c2024']);
    assert.deepEqual(named(await search('date=eb2024')), ['hba1c2023']);
    assert.deepEqual(named(await search('date=ne2024-06-30')), ['hba1c2023', 'hba1c2024']);
    assert.deepEqual(named(await search('status=amended')), ['hba1c2023']);
    assert.deepEqual(named(await search('status=final,amended')), ['glucose2024', 'hba1c2023', 'hba1c2024']);
    assert.deepEqual(named(await search('category=laboratory')), ['glucose2024', 'hba1c2023', 'hba1c2024']);
    assert.deepEqual(named(await search('category=vital-signs')), []);
    assert.deepEqual(named(await search(`_lastUpdated=ge${startedAt}`)), [
      'glucose2024',
      'hba1c2023',
      'hba1c2024',
    ]);
    assert.deepEqual(named(await search('_lastUpdated=lt2020-01-01')), []);
    assert.deepEqual(named(await search(`_id=${ids.glucose2024}`)), ['glucose2024']);
    assert.deepEqual(named(await search(`patient=Patient/${patient.address}&code=${glucose}`)), [
      'glucose2024',
    ]);

    const byDate = resourcesOf(await search('_sort=-date'), 'match').map(
      (resource) => resource.effectiveDateTime,
    );
    assert.deepEqual(byDate, ['2024-06-30', '2024-01-15T08:00:00Z', '2023-05-02T08:00:00Z']);
    const ascending = resourcesOf(await search('_sort=date'), 'match').map(
      (resource) => resource.effectiveDateTime,
    );
    assert.deepEqual(ascending, [...byDate].reverse());

    assert.deepEqual(
      named(await fhirCall(patientFhir.base, 'GET', 'Condition?clinical-status=active').then((a) => a.body)),
      ['diabetes'],
    );
    assert.deepEqual(
      named(await fhirCall(patientFhir.base, 'GET', 'Condition?date=2019').then((a) => a.body)),
      ['diabetes'],
    );
    assert.deepEqual(
      named(
        await fhirCall(patientFhir.base, 'GET', 'Immunization?date=2024-10-01&code=140').then((a) => a.body),
      ),
      ['flu'],
    );
  });

  test('search: _count pages with self, next and previous links followable to the end; total counts every match', async () => {
    let answer = await fhirCall(patientFhir.base, 'GET', 'Observation?_count=2&_sort=date');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.total, 3);
    assert.ok(linkOf(answer.body, 'self'));
    assert.equal(linkOf(answer.body, 'previous'), undefined);
    const seen: string[] = [];
    let pages = 0;
    for (;;) {
      pages++;
      assert.equal(answer.body.total, 3);
      seen.push(...resourcesOf(answer.body, 'match').map((resource) => resource.id));
      const next = linkOf(answer.body, 'next');
      if (!next) break;
      answer = await fhirCall(patientFhir.base, 'GET', next);
      assert.equal(answer.status, 200);
      assert.ok(linkOf(answer.body, 'previous'), 'a later page links back');
    }
    assert.equal(pages, 2);
    assert.deepEqual(seen, [ids.hba1c2023, ids.hba1c2024, ids.glucose2024]);
    const back = await fhirCall(patientFhir.base, 'GET', linkOf(answer.body, 'previous') as string);
    assert.deepEqual(
      resourcesOf(back.body, 'match').map((resource) => resource.id),
      [ids.hba1c2023, ids.hba1c2024],
    );
    const count = await fhirCall(patientFhir.base, 'GET', 'Observation?_summary=count');
    assert.equal(count.body.total, 3);
    assert.equal(count.body.entry, undefined);
  });

  test('search: _include follows references to the patient; POST _search takes a form; compartment search', async () => {
    const included = await fhirCall(
      patientFhir.base,
      'GET',
      `Observation?code=${glucose}&_include=Observation:subject`,
    );
    assert.equal(included.status, 200);
    assert.equal(resourcesOf(included.body, 'match').length, 1);
    const [subject] = resourcesOf(included.body, 'include');
    assert.equal(subject.resourceType, 'Patient');
    assert.equal(subject.id, patient.address);

    const posted = await fhirCall(patientFhir.base, 'POST', 'Observation/_search', {
      body: `code=${hba1c}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(posted.status, 200);
    assert.equal(posted.body.total, 2);

    const compartment = await fhirCall(doctorFhir.base, 'GET', `Patient/${patient.address}/Condition`);
    assert.equal(compartment.status, 200);
    assert.deepEqual(
      resourcesOf(compartment.body).map((resource) => resource.id),
      [ids.diabetes],
    );
  });

  test('search: unknown parameters are ignored with a warning, or refused under Prefer: handling=strict', async () => {
    const lenient = await fhirCall(patientFhir.base, 'GET', `Observation?code=${glucose}&colour=blue`);
    assert.equal(lenient.status, 200);
    assert.equal(resourcesOf(lenient.body, 'match').length, 1);
    const [outcome] = resourcesOf(lenient.body, 'outcome');
    assert.equal(outcome.resourceType, 'OperationOutcome');
    assert.equal(outcome.issue[0].severity, 'warning');
    assert.match(outcome.issue[0].diagnostics, /colour/);

    const strict = await fhirCall(patientFhir.base, 'GET', `Observation?code=${glucose}&colour=blue`, {
      headers: { prefer: 'handling=strict' },
    });
    assert.equal(strict.status, 400);
    assert.equal(strict.body.resourceType, 'OperationOutcome');
    assert.match(strict.body.issue[0].diagnostics, /colour/);

    const badDate = await fhirCall(patientFhir.base, 'GET', 'Observation?date=yesterday');
    assert.equal(badDate.status, 400);
    assert.equal(badDate.body.resourceType, 'OperationOutcome');
  });

  test('consents decide: the doctor sees lab results and conditions only; a member without consent gets 403 and empty searches', async () => {
    const p = patient.address;
    const labs = await fhirCall(doctorFhir.base, 'GET', `Observation?patient=${p}`);
    assert.equal(labs.body.total, 3);
    const shots = await fhirCall(doctorFhir.base, 'GET', `Immunization?patient=Patient/${p}`);
    assert.equal(shots.status, 200);
    assert.equal(shots.body.total, 0);
    const deniedShot = await fhirCall(doctorFhir.base, 'GET', `Immunization/${ids.flu}`);
    assert.equal(deniedShot.status, 403);
    assert.equal(deniedShot.body.resourceType, 'OperationOutcome');
    assert.equal(deniedShot.body.issue[0].code, 'forbidden');

    const nothing = await fhirCall(strangerFhir.base, 'GET', `Observation?patient=${p}`);
    assert.equal(nothing.status, 200);
    assert.equal(nothing.body.total, 0);
    assert.equal(nothing.body.entry, undefined);
    const denied = await fhirCall(strangerFhir.base, 'GET', `Observation/${ids.glucose2024}`);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.resourceType, 'OperationOutcome');
    // The gateway audited the refusal.
    const audit = await patient.audit({ patient: p });
    assert.ok(
      audit.events.some(
        (event: { actor: string; outcome: string; action: string }) =>
          event.actor === stranger.address && event.outcome === 'denied' && event.action === 'read',
      ),
      'the refused read is in the patient’s audit log',
    );

    const needsPatient = await fhirCall(doctorFhir.base, 'GET', 'Observation');
    assert.equal(needsPatient.status, 400);
    assert.match(needsPatient.body.issue[0].diagnostics, /patient/);
  });

  test('a revoked consent: once the listing is renewed, the resources are gone from search and a read is 403', async () => {
    const nurse = await newMember(gateway.url, consortium, 'nurse');
    const { grantId } = await patient.grantConsent({
      grantee: nurse.address,
      categories: ['immunization'],
      actions: ['read'],
      expiresInSeconds: 3600,
    });
    const nurseFhir = await startFhirServer(nurse, { listingTtlMs: 0 });
    try {
      const before = await fhirCall(nurseFhir.base, 'GET', `Immunization?patient=${patient.address}`);
      assert.equal(before.body.total, 1);
      assert.equal((await fhirCall(nurseFhir.base, 'GET', `Immunization/${ids.flu}`)).status, 200);
      await patient.revokeConsent(grantId);
      const after = await fhirCall(nurseFhir.base, 'GET', `Immunization?patient=${patient.address}`);
      assert.equal(after.status, 200);
      assert.equal(after.body.total, 0);
      // Decrypted before, kept in memory, and still not served.
      const read = await fhirCall(nurseFhir.base, 'GET', `Immunization/${ids.flu}`);
      assert.equal(read.status, 403);
      assert.equal(read.body.resourceType, 'OperationOutcome');
    } finally {
      await nurseFhir.stop();
    }
  });

  test('create: 201 with Location, ETag W/"1" and the stored resource; conditional create finds it again', async () => {
    const resource = {
      ...labObservation(patient.address, glucose, '2025-02-01T07:30:00Z', 88),
      identifier: [{ system: 'urn:example:lab', value: 'order-1' }],
    };
    const created = await fhirCall(doctorFhir.base, 'POST', 'Observation', { body: resource });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.id, /^[0-9a-f]{64}$/);
    assert.equal(created.headers.get('etag'), 'W/"1"');
    assert.equal(
      created.headers.get('location'),
      `${doctorFhir.base}/Observation/${created.body.id}/_history/1`,
    );
    const { id: _id, meta: _meta, ...stored } = created.body;
    assert.deepEqual(stored, resource);

    const read = await fhirCall(patientFhir.base, 'GET', `Observation/${created.body.id}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.valueQuantity.value, 88);

    const again = await fhirCall(doctorFhir.base, 'POST', 'Observation', {
      body: resource,
      headers: { 'if-none-exist': 'identifier=urn:example:lab|order-1' },
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.id, created.body.id);
  });

  test('update: a new version superseding the latest; a stale If-Match is 412; an unknown id is 404', async () => {
    const created = await fhirCall(patientFhir.base, 'POST', 'Condition', {
      body: condition(patient.address, '38341003', '2020-01'),
    });
    assert.equal(created.status, 201);
    const id = created.body.id;
    const amended = { ...created.body, onsetDateTime: '2020-02' };
    const updated = await fhirCall(patientFhir.base, 'PUT', `Condition/${id}`, {
      body: amended,
      headers: { 'if-match': 'W/"1"' },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.id, id);
    assert.equal(updated.body.meta.versionId, '2');
    assert.equal(updated.headers.get('etag'), 'W/"2"');
    const current = await fhirCall(patientFhir.base, 'GET', `Condition/${id}`);
    assert.equal(current.body.onsetDateTime, '2020-02');
    assert.equal(current.body.meta.versionId, '2');

    const stale = await fhirCall(patientFhir.base, 'PUT', `Condition/${id}`, {
      body: amended,
      headers: { 'if-match': 'W/"1"' },
    });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.resourceType, 'OperationOutcome');

    const unknown = bytesToHex(randomBytes(32)).slice(2);
    const missing = await fhirCall(patientFhir.base, 'PUT', `Condition/${unknown}`, {
      body: { ...amended, id: unknown },
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.resourceType, 'OperationOutcome');
  });

  test('errors are OperationOutcomes: 404 unknown id or type, 422 invalid resource naming the element, 405 delete, 501 patch, 406 XML', async () => {
    const unknownId = await fhirCall(
      patientFhir.base,
      'GET',
      `Observation/${bytesToHex(randomBytes(32)).slice(2)}`,
    );
    assert.equal(unknownId.status, 404);
    assert.equal(unknownId.body.issue[0].code, 'not-found');
    const notAnId = await fhirCall(patientFhir.base, 'GET', 'Observation/example');
    assert.equal(notAnId.status, 404);
    const unknownType = await fhirCall(patientFhir.base, 'GET', 'Spaceship');
    assert.equal(unknownType.status, 404);
    assert.equal(unknownType.body.resourceType, 'OperationOutcome');
    const elsewhere = await fhirCall(patientFhir.base, 'GET', '/../index.html');
    assert.equal(elsewhere.status, 404);
    assert.equal(elsewhere.body.resourceType, 'OperationOutcome');

    const { code: _code, ...withoutCode } = labObservation(patient.address, glucose, '2025-01-01');
    const invalid = await fhirCall(patientFhir.base, 'POST', 'Observation', { body: withoutCode });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.body.resourceType, 'OperationOutcome');
    assert.ok(
      invalid.body.issue.some((issue: { expression?: string[] }) =>
        issue.expression?.includes('Observation.code'),
      ),
      JSON.stringify(invalid.body),
    );
    const notJson = await fhirCall(patientFhir.base, 'POST', 'Observation', { body: '{"resourceType":' });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.resourceType, 'OperationOutcome');

    const deleted = await fhirCall(patientFhir.base, 'DELETE', `Observation/${ids.glucose2024}`);
    assert.equal(deleted.status, 405);
    assert.match(deleted.body.issue[0].diagnostics, /never deleted/);
    const patched = await fhirCall(patientFhir.base, 'PATCH', `Observation/${ids.glucose2024}`, {
      body: '[]',
      headers: { 'content-type': 'application/json-patch+json' },
    });
    assert.equal(patched.status, 501);
    assert.equal(patched.body.resourceType, 'OperationOutcome');
    const operation = await fhirCall(patientFhir.base, 'GET', `Observation/${ids.glucose2024}/$validate`);
    assert.equal(operation.status, 501);
    const xml = await fhirCall(patientFhir.base, 'GET', 'metadata?_format=xml');
    assert.equal(xml.status, 406);
    assert.equal(xml.body.resourceType, 'OperationOutcome');
  });

  test('demographics: the patient’s Patient is Patient/ADDRESS, created, updated and included; _include of a Practitioner', async () => {
    const p = patient.address;
    const created = await fhirCall(patientFhir.base, 'POST', 'Patient', {
      body: {
        resourceType: 'Patient',
        name: [{ family: 'Okafor', given: ['Ada'] }],
        birthDate: '1980-04-02',
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.id, p);
    assert.equal(created.headers.get('location'), `${patientFhir.base}/Patient/${p}/_history/1`);
    const read = await fhirCall(patientFhir.base, 'GET', `Patient/${p}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.name[0].family, 'Okafor');
    assert.equal(read.body.id, p);
    // The doctor's consent does not cover demographics: the minimal Patient.
    const doctors = await fhirCall(doctorFhir.base, 'GET', `Patient/${p}`);
    assert.equal(doctors.status, 200);
    assert.equal(doctors.body.name, undefined);

    const updated = await fhirCall(patientFhir.base, 'PUT', `Patient/${p}`, {
      body: { ...created.body, name: [{ family: 'Okafor-Smith', given: ['Ada'] }] },
      headers: { 'if-match': 'W/"1"' },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.meta.versionId, '2');
    const history = await fhirCall(patientFhir.base, 'GET', `Patient/${p}/_history`);
    assert.deepEqual(
      resourcesOf(history.body).map((resource) => resource.name[0].family),
      ['Okafor-Smith', 'Okafor'],
    );

    const practitioner = await fhirCall(patientFhir.base, 'POST', 'Practitioner', {
      body: { resourceType: 'Practitioner', name: [{ family: 'Moreau', prefix: ['Dr'] }] },
    });
    assert.equal(practitioner.status, 201, JSON.stringify(practitioner.body));
    const encounter = await fhirCall(patientFhir.base, 'POST', 'Encounter', {
      body: {
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        subject: { reference: `Patient/${p}` },
        participant: [{ individual: { reference: `Practitioner/${practitioner.body.id}` } }],
        period: { start: '2024-11-05T09:00:00Z', end: '2024-11-05T09:20:00Z' },
      },
    });
    assert.equal(encounter.status, 201, JSON.stringify(encounter.body));
    const withPeople = await fhirCall(
      patientFhir.base,
      'GET',
      'Encounter?date=2024-11-05&_include=Encounter:participant&_include=Encounter:subject',
    );
    assert.equal(withPeople.status, 200);
    assert.deepEqual(
      resourcesOf(withPeople.body, 'match').map((resource) => resource.id),
      [encounter.body.id],
    );
    const included = resourcesOf(withPeople.body, 'include');
    assert.deepEqual(included.map((resource) => `${resource.resourceType}/${resource.id}`).sort(), [
      `Patient/${p}`,
      `Practitioner/${practitioner.body.id}`,
    ]);
    assert.equal(
      included.find((resource) => resource.resourceType === 'Patient').name[0].family,
      'Okafor-Smith',
    );
  });

  test('Consent, AuditEvent and Provenance from ledger state: searched by patient, read by id, never written', async () => {
    const p = patient.address;
    const consents = await fhirCall(patientFhir.base, 'GET', `Consent?patient=${p}&status=active`);
    assert.equal(consents.status, 200);
    const grant = resourcesOf(consents.body, 'match').find(
      (resource) => resource.provision.actor[0].reference.identifier?.value === doctor.address,
    );
    assert.ok(grant, 'the doctor’s grant is a Consent');
    assert.equal(grant.status, 'active');
    const read = await fhirCall(doctorFhir.base, 'GET', `Consent/${grant.id}`);
    assert.equal(read.status, 200, 'the grantee reads it too');
    assert.deepEqual(read.body, grant);

    const audit = await fhirCall(patientFhir.base, 'GET', `AuditEvent?patient=${p}&_count=1000`);
    assert.equal(audit.status, 200);
    const events = resourcesOf(audit.body, 'match');
    assert.ok(events.length > 0);
    assert.ok(events.every((event) => event.resourceType === 'AuditEvent'));
    assert.ok(
      events.some((event) => event.outcome === '4'),
      'the stranger’s denied read is there',
    );
    const oneEvent = await fhirCall(patientFhir.base, 'GET', `AuditEvent/${events[0].id}`);
    assert.equal(oneEvent.status, 200);
    assert.equal(oneEvent.body.id, events[0].id);
    // Only the patient sees their audit log.
    assert.equal((await fhirCall(doctorFhir.base, 'GET', `AuditEvent?patient=${p}`)).body.total, 0);

    const provenance = await fhirCall(patientFhir.base, 'GET', `Provenance?patient=${p}`);
    assert.equal(provenance.status, 200);
    const ofHba1c = resourcesOf(provenance.body, 'match').filter(
      (resource) => resource.target[0].reference === `Observation/${ids.hba1c2023}`,
    );
    assert.equal(ofHba1c.length, 2, 'one Provenance per version');
    const one = await fhirCall(patientFhir.base, 'GET', `Provenance/${ids.glucose2024}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.target[0].reference, `Observation/${ids.glucose2024}`);
    assert.equal(one.body.agent[0].who.identifier.value, patient.address);
    const doctorsProvenance = await fhirCall(doctorFhir.base, 'GET', `Provenance?patient=${p}`);
    assert.ok(
      !resourcesOf(doctorsProvenance.body).some((resource) =>
        resource.target[0].reference.startsWith('Immunization/'),
      ),
      'no Provenance of a record the doctor may not see',
    );

    for (const [method, path] of [
      ['POST', 'Consent'],
      ['PUT', `Consent/${grant.id}`],
      ['POST', 'Provenance'],
    ] as const) {
      const refused = await fhirCall(patientFhir.base, method, path, { body: grant });
      assert.equal(refused.status, 405, `${method} ${path}`);
      assert.equal(refused.body.resourceType, 'OperationOutcome');
    }
  });

  test('Patient/ADDRESS to a user who may not see demographics: a minimal Patient; $everything: every current resource', async () => {
    const read = await fhirCall(doctorFhir.base, 'GET', `Patient/${patient.address}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.id, patient.address);
    assert.deepEqual(read.body.identifier, [{ system: 'urn:medledger:address', value: patient.address }]);
    const unknown = await fhirCall(doctorFhir.base, 'GET', `Patient/0x${'ab'.repeat(20)}`);
    assert.equal(unknown.status, 404);

    const everything = await fhirCall(patientFhir.base, 'GET', `Patient/${patient.address}/$everything`);
    assert.equal(everything.status, 200);
    const resources = resourcesOf(everything.body);
    assert.equal(everything.body.total, resources.length);
    assert.equal(resources[0].resourceType, 'Patient');
    for (const name of ['hba1c2023', 'hba1c2024', 'glucose2024', 'diabetes', 'flu']) {
      assert.ok(
        resources.some((resource) => resource.id === ids[name]),
        `$everything has ${name}`,
      );
    }
    // Latest versions only.
    assert.equal(resources.filter((resource) => resource.id === ids.hba1c2023).length, 1);
    assert.equal(resources.find((resource) => resource.id === ids.hba1c2023).meta.versionId, '2');

    const doctors = await fhirCall(doctorFhir.base, 'GET', `Patient/${patient.address}/$everything?_count=2`);
    assert.equal(doctors.status, 200);
    assert.ok(resourcesOf(doctors.body).length <= 2);
    assert.ok(!JSON.stringify(doctors.body).includes('Immunization'), 'the doctor gets no immunization');
    let page = doctors.body;
    let seen = resourcesOf(page).length;
    while (linkOf(page, 'next')) {
      page = (await fhirCall(doctorFhir.base, 'GET', linkOf(page, 'next') as string)).body;
      seen += resourcesOf(page).length;
    }
    assert.equal(seen, doctors.body.total);
  });

  test('an erased record: once the listing is renewed (5 s by default), a read is 410 deleted and searches leave it out', async () => {
    const p = patient.address;
    const recordId = await addAs(patient, 'erasedFlu', 'immunization', immunization(p, '141', '2025-10-01'));
    const listedFhir = await startFhirServer(patient, { listingTtlMs: 0 });
    try {
      assert.equal((await fhirCall(listedFhir.base, 'GET', `Immunization/${ids.erasedFlu}`)).status, 200);
      await patient.eraseRecord(recordId);
      const read = await fhirCall(listedFhir.base, 'GET', `Immunization/${ids.erasedFlu}`);
      assert.equal(read.status, 410);
      assert.equal(read.body.resourceType, 'OperationOutcome');
      assert.equal(read.body.issue[0].code, 'deleted');
      const search = await fhirCall(
        patientFhir.base,
        'GET',
        `Immunization?patient=${p}&_id=${ids.erasedFlu}`,
      );
      assert.equal(search.status, 200);
      assert.equal(search.body.total, 0);
    } finally {
      await listedFhir.stop();
    }
  });
});
