/**
 * The audit and verification actions against a real gateway and chain: the audit log and its
 * proofs, a patient's check of its history against the anchored batches, and the ledger's check of
 * every record (from the chain, and from the gateway's index).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addRecord,
  audit,
  auditBatches,
  auditProofs,
  type ChainRecordAnchor,
  compareIndexWithChain,
  type GatewayClient,
  gatewayRecordAnchors,
  grantConsent,
  readRecord,
  verifyAuditTrail,
  verifyLedger,
} from '@medledger/client';
import { AccessDeniedError, categoryIndex } from '@medledger/core';
import type { Address, Hex } from 'viem';
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

describe('audit and verification actions', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let patient: GatewayClient;
  let doctor: GatewayClient;
  let stranger: GatewayClient;
  let recordIds: Hex[];

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    [patient, doctor, stranger] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    await grantConsent(patient, {
      grantee: doctor.address,
      categories: ['lab'],
      actions: ['read', 'append'],
      expiresInSeconds: 3600,
    });
    const written = await Promise.all([
      addRecord(doctor, { patient: patient.address, category: 'lab', resource: labResult() }),
      addRecord(patient, { patient: patient.address, category: 'medication', resource: medication() }),
    ]);
    recordIds = written.map((record) => record.recordId);
    await readRecord(doctor, recordIds[0]!);
    await rejectsWith(readRecord(stranger, recordIds[0]!), AccessDeniedError, 'no_consent');
  });
  after(() => gateway.stop());

  it('audit: the patient sees every decision on its records, allowed and denied', async () => {
    const { events } = await audit(patient, { patient: patient.address });
    const onLab = events.filter((event) => event.recordId === recordIds[0]);
    assert.deepEqual(
      onLab.map((event) => [event.actor, event.action, event.outcome]).sort(),
      [
        [doctor.address, 'append', 'allowed'],
        [doctor.address, 'read', 'allowed'],
        [stranger.address, 'read', 'denied'],
      ].sort(),
    );
    const byOrganisation = await audit(consortium.admin, { organisation: consortium.organisationId });
    assert.ok(byOrganisation.events.length >= onLab.length);
  });

  it('auditProofs and auditBatches: the patient’s events with proofs, and every leaf of the anchored batches', async () => {
    // The gateway anchors its log in batches shortly after each decision.
    const proofs = await eventually(
      async () => {
        const answer = await auditProofs(patient);
        return answer.events.length > 0 && answer.events.every((item) => item.proof) ? answer : undefined;
      },
      'the patient’s events anchored',
      30_000,
    );
    assert.equal(proofs.organisationId, consortium.organisationId);
    const page = await auditBatches(patient, 0);
    assert.equal(page.organisationId, consortium.organisationId);
    assert.equal(page.batches[0]?.batchIndex, 0);
    const leaves = new Set(page.batches.flatMap((batch) => batch.leaves.map((leaf) => leaf.sequence)));
    for (const item of proofs.events)
      assert.ok(leaves.has(item.event.sequence), `leaf ${item.event.sequence}`);
  });

  it('verifyAuditTrail: the patient’s history matches the anchored batches and it recognises its leaves', async () => {
    const report = await eventually(
      async () => {
        const checked = await verifyAuditTrail(patient);
        return checked.awaitingAnchor === 0 ? checked : undefined;
      },
      'every event anchored',
      30_000,
    );
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.equal(report.gateway, gateway.url);
    assert.equal(report.anchored, report.events);
    assert.ok(report.events >= 4, 'the two appends, the read and the denied read');
    assert.equal(report.recognisesOwnLeaves, true);
    // Each event is reported with its own outcome, the denied read among them.
    assert.equal(report.checked.length, report.events);
    assert.ok(report.checked.every((event) => event.verification === 'verified'));
    assert.ok(report.checked.some((event) => event.action === 'read' && event.outcome === 'denied'));
    // A member is no patient: it checks the log but has no leaves of its own.
    const asMember = await verifyAuditTrail(stranger);
    assert.deepEqual([asMember.ok, asMember.recognisesOwnLeaves], [true, false]);
  });

  it('gatewayRecordAnchors: every record the gateway has indexed, page by page', async () => {
    const anchors = await gatewayRecordAnchors(gateway.url, { pageSize: 1 });
    assert.deepEqual(anchors.map((anchor) => anchor.recordId).sort(), [...recordIds].sort());
    const lab = anchors.find((anchor) => anchor.recordId === recordIds[0]);
    assert.deepEqual(
      [lab?.patient, lab?.author, lab?.category],
      [patient.address, doctor.address, categoryIndex('lab')],
    );
  });

  it('compareIndexWithChain: an indexed record the chain lacks, or anchors otherwise, is a problem', async () => {
    const indexed = await gatewayRecordAnchors(gateway.url);
    const asAnchored = (record: (typeof indexed)[number]): ChainRecordAnchor => ({
      ...record,
      patient: record.patient as Address,
      author: record.author as Address,
      createdAt: BigInt(record.createdAt),
      blockNumber: BigInt(record.blockNumber),
    });
    const chain = new Map(indexed.map((record) => [record.recordId.toLowerCase(), asAnchored(record)]));
    assert.deepEqual(compareIndexWithChain(indexed, chain), []);
    const [first, second] = indexed;
    chain.delete(first!.recordId.toLowerCase());
    chain.set(second!.recordId.toLowerCase(), { ...asAnchored(second!), sensitivity: 1 });
    assert.deepEqual(
      compareIndexWithChain(indexed, chain).map((problem) => [problem.recordId, problem.kind]),
      [
        [first!.recordId, 'missing-on-chain'],
        [second!.recordId, 'anchor-mismatch'],
      ],
    );
  });

  it('verifyLedger: every record checks against the chain, and the index against the chain', async () => {
    const report = await verifyLedger({ gatewayUrl: gateway.url });
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.deepEqual(
      [report.chainId, report.checkedRecords, report.checkedGatewayRecords],
      [gateway.chainId, 2, 2],
    );
    const one = await verifyLedger({ gatewayUrl: gateway.url, recordId: recordIds[1]! });
    assert.equal(one.checkedRecords, 1);
  });
});
