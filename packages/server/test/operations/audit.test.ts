/**
 * The audit operations, called without HTTP on a real gateway (anvil + SQLite): a patient's own
 * history (JSON and FHIR), an organisation's for its admins, and the proofs and batches a patient
 * checks its history with. Refusals are asserted by code and reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { AuditEventList, FhirAuditBundle } from '@medledger/api';
import type { GatewayClient } from '@medledger/client';
import { buildAuditBatch, verifyAuditInclusion } from '@medledger/core';
import { auditBatches, auditEvents, auditProofs } from '../../src/operations/audit.ts';
import { type Consortium, foundConsortium, newActor, newMember, newPatient } from '../helpers/actors.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { labResult } from '../helpers/records.ts';
import { refused, sessionOf } from '../helpers/refusals.ts';

/** The JSON answer of `auditEvents` (not the FHIR Bundle). */
function asJson(answer: AuditEventList | FhirAuditBundle): AuditEventList {
  assert.ok('events' in answer, 'a JSON answer');
  return answer;
}

describe('audit operations', () => {
  let gateway: TestGateway;
  let hospital: Consortium;
  let patient: GatewayClient;
  let doctor: GatewayClient;
  let stranger: GatewayClient;

  before(async () => {
    gateway = await startTestGateway();
    hospital = await foundConsortium(gateway.url);
    [patient, doctor, stranger] = await Promise.all([
      newPatient(gateway.url, hospital),
      newMember(gateway.url, hospital),
      newMember(gateway.url, hospital),
    ]);
    await patient.grantConsent({
      grantee: doctor.address,
      categories: ['lab'],
      actions: ['read'],
      expiresInSeconds: 600,
    });
    const { recordId } = await patient.addRecord({
      patient: patient.address,
      category: 'lab',
      resource: labResult(),
    });
    await doctor.readRecord(recordId);
    await assert.rejects(stranger.readRecord(recordId), { code: 'access_denied' });
  });
  after(() => gateway.stop());

  /** Waits until every event of the log is in an anchored batch. */
  async function allAnchored(): Promise<void> {
    const { store } = gateway.services;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const events = await store.auditEvents({ limit: 100_000 });
      const batches = await store.auditBatches();
      const anchored = batches.reduce((end, batch) => Math.max(end, batch.firstSequence + batch.count), 0);
      if (events.every((event) => (event.sequence ?? Number.POSITIVE_INFINITY) < anchored)) return;
      assert.ok(Date.now() < deadline, 'the audit log was not anchored within 20 s');
      await delay(100);
    }
  }

  describe('auditEvents', () => {
    it('shows a patient the decisions on its records, as JSON and as a FHIR Bundle', async () => {
      const { events } = asJson(await auditEvents(gateway.services, sessionOf(patient), {}));
      const reads = events.filter((event) => event.action === 'read');
      const byDoctor = reads.find((event) => event.actor === doctor.address);
      const byStranger = reads.find((event) => event.actor === stranger.address);
      assert.equal(reads.length, 2);
      assert.deepEqual([byDoctor?.outcome, byDoctor?.category], ['allowed', 'lab']);
      assert.match(byDoctor?.reason ?? '', /^grant \d+$/);
      assert.deepEqual(
        [byStranger?.outcome, byStranger?.reason, byStranger?.category],
        ['denied', 'no_consent', 'lab'],
      );
      assert.ok(events.some((event) => event.action === 'append' && event.reason === 'patient'));

      const bundle = await auditEvents(gateway.services, sessionOf(patient), { format: 'fhir' });
      assert.ok('resourceType' in bundle && bundle.resourceType === 'Bundle');
      assert.equal(bundle.total, events.length);
      const denied = bundle.entry.find((entry) => entry.resource.outcome === '4')?.resource;
      assert.equal(denied?.outcomeDesc, 'no_consent');
      assert.deepEqual(denied?.agent[0]?.who.identifier, {
        system: 'urn:medledger:address',
        value: stranger.address.toLowerCase(),
      });
    });

    it('keeps a patient’s history to that patient (not_the_patient)', async () => {
      await assert.rejects(
        auditEvents(gateway.services, sessionOf(doctor), { patient: patient.address }),
        refused('access_denied', 'not_the_patient'),
      );
    });

    it('shows an organisation’s activity to its admins only (not_organisation_admin)', async () => {
      const organisation = String(hospital.organisationId);
      const { events } = asJson(
        await auditEvents(gateway.services, sessionOf(hospital.admin), { organisation }),
      );
      const actors = new Set(events.map((event) => event.actor));
      assert.ok(actors.has(doctor.address) && actors.has(stranger.address));
      assert.ok(!actors.has(patient.address), 'the patient is no member');
      for (const caller of [doctor, newActor(gateway.url)]) {
        await assert.rejects(
          auditEvents(gateway.services, sessionOf(caller), { organisation }),
          refused('access_denied', 'not_organisation_admin', { organisationId: hospital.organisationId }),
        );
      }
    });
  });

  describe('proofs and batches', () => {
    before(allAnchored);

    it('gives the patient each event with its tag and an inclusion proof against its anchored batch', async () => {
      const proofs = await auditProofs(gateway.services, sessionOf(patient));
      assert.equal(proofs.organisationId, hospital.organisationId);
      assert.ok(proofs.events.length >= 3);
      const { batches } = await auditBatches(gateway.services, { from: 0 });
      for (const { event, tag, proof } of proofs.events) {
        assert.ok(tag && proof, `event ${event.sequence} has no proof`);
        const batch = batches.find(
          (b) => event.sequence >= b.firstSequence && event.sequence < b.firstSequence + b.count,
        );
        assert.ok(batch);
        assert.equal(verifyAuditInclusion({ root: batch.root, event, tag, proof }), true);
      }
    });

    it('serves every leaf of the anchored batches, whole batches from `from` on', async () => {
      const page = await auditBatches(gateway.services, { from: 0 });
      assert.equal(page.organisationId, hospital.organisationId);
      assert.equal(page.nextBatch, null);
      assert.ok(page.batches.length > 0);
      for (const batch of page.batches) {
        assert.equal(batch.leaves.length, batch.count);
        assert.equal(
          buildAuditBatch(batch.leaves).root,
          batch.root.toLowerCase(),
          'the leaves rebuild the root',
        );
        assert.match(batch.transactionHash, /^0x[0-9a-f]{64}$/);
        assert.ok(batch.blockNumber > 0);
      }
      const [first] = page.batches;
      assert.ok(first);
      assert.deepEqual(
        (await auditBatches(gateway.services, { from: first.batchIndex + 1 })).batches,
        page.batches.slice(1),
      );
      assert.deepEqual(await auditBatches(gateway.services, { from: 1_000_000 }), {
        organisationId: hospital.organisationId,
        batches: [],
        nextBatch: null,
      });
    });

    it('gives a caller without events an empty history', async () => {
      const proofs = await auditProofs(gateway.services, sessionOf(newActor(gateway.url)));
      assert.deepEqual(proofs.events, []);
    });
  });
});
