/** Multi-signature stamps through the gateway: policies by vote, co-signatures relayed in batches. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { accountOf, categories, coSignaturesTypes, ledgerDomain } from '@medledger/core';
import type { Hex } from 'viem';
import {
  type Consortium,
  foundConsortium,
  newActor,
  newMember,
  newPatient,
  signIn,
} from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';
import { labResult } from './helpers/records.ts';

function condition() {
  return {
    resourceType: 'Condition',
    code: { text: 'Type 2 diabetes mellitus' },
    subject: { reference: 'Patient/example' },
  };
}

describe('co-signatures (multi-signature stamps)', () => {
  let gateway: TestGateway;
  let hospital: Consortium;
  let lab: Consortium;
  let patient: GatewayClient;
  let doctor: GatewayClient;
  let peerDoctor: GatewayClient;
  let nurse: GatewayClient;
  let labTechnician: GatewayClient;
  let labDoctor: GatewayClient;

  before(async () => {
    gateway = await startTestGateway();
    hospital = await foundConsortium(gateway.url);
    const labAdmin = newActor(gateway.url);
    const { organisationId } = await labAdmin.createOrganisation({ name: 'City Lab', kind: 'lab' });
    await hospital.admin.approveOrganisation(organisationId);
    lab = { admin: labAdmin, organisationId };
    [patient, doctor, peerDoctor, nurse, labTechnician, labDoctor] = await Promise.all([
      newPatient(gateway.url, hospital),
      newMember(gateway.url, hospital, 'doctor'),
      newMember(gateway.url, hospital, 'doctor'),
      newMember(gateway.url, hospital, 'nurse'),
      newMember(gateway.url, lab, 'lab'),
      newMember(gateway.url, lab, 'doctor'),
    ]);
    await patient.grantConsent({
      granteeOrganisation: hospital.organisationId,
      categories: ['lab', 'condition', 'medication'],
      actions: ['read', 'append'],
      expiresInSeconds: 3600,
    });
    await patient.grantConsent({
      granteeOrganisation: lab.organisationId,
      categories: ['lab', 'condition'],
      actions: ['read', 'append'],
      expiresInSeconds: 3600,
    });
    // Lab results: the lab technician and a doctor. Diagnoses: two doctors of the author's hospital.
    const labPolicy = await hospital.admin.proposePolicy({
      category: 'lab',
      requirements: [
        { role: 'lab', count: 1 },
        { role: 'doctor', count: 1 },
      ],
    });
    assert.equal(labPolicy.enacted, false, 'one of two organisations is not two thirds');
    assert.equal((await lab.admin.approvePolicy(labPolicy.proposalId)).enacted, true);
    const conditionPolicy = await lab.admin.proposePolicy({
      category: 'condition',
      requirements: [{ role: 'doctor', count: 2, sameOrganisation: true }],
    });
    await hospital.admin.approvePolicy(conditionPolicy.proposalId);
    // A policy applies to records anchored at a later block timestamp than its enactment; anvil's
    // clock runs up to a second behind the wall clock.
    await new Promise((resolve) => setTimeout(resolve, 2100));
  });
  after(() => gateway.stop());

  const stampOf = async (recordId: Hex) => {
    const { status, signers } = await patient.stamp(recordId);
    return { status, signers: signers.map((signer) => `${signer.as}:${signer.role}:${signer.address}`) };
  };

  it('shows the consortium’s policies and their proposals', async () => {
    const { policies } = await patient.policies();
    assert.equal(policies.length, categories.length);
    const byCategory = Object.fromEntries(policies.map((policy) => [policy.category, policy]));
    assert.deepEqual(byCategory.lab?.requirements, [
      { role: 'lab', count: 1, sameOrganisation: false },
      { role: 'doctor', count: 1, sameOrganisation: false },
    ]);
    assert.equal(byCategory.lab?.version, 1);
    assert.equal(byCategory.medication?.version, 0);
    const { proposals } = await patient.policyProposals();
    assert.deepEqual(
      proposals.map((proposal) => [proposal.category, proposal.status, proposal.approvals]),
      [
        ['lab', 'enacted', 2],
        ['condition', 'enacted', 2],
      ],
    );
    await assert.rejects(doctor.proposePolicy({ category: 'note', requirements: [] }), {
      code: 'access_denied',
    });
  });

  it('turns a lab result final with the lab technician and a doctor; a nurse does not count', async () => {
    const { recordId } = await labTechnician.addRecord({
      patient: patient.address,
      category: 'lab',
      resource: labResult(),
    });
    assert.deepEqual(await stampOf(recordId), {
      status: 'draft',
      signers: [`author:lab:${labTechnician.address}`],
    });
    const byNurse = await nurse.coSignRecord(recordId);
    assert.equal(byNurse.finalised, false);
    assert.equal((await stampOf(recordId)).status, 'draft', 'a nurse does not count as a doctor');
    const byDoctor = await doctor.coSignRecord(recordId);
    assert.equal(byDoctor.finalised, true);
    assert.ok(byDoctor.blockNumber > 0 && /^0x[0-9a-f]{64}$/.test(byDoctor.transactionHash));
    assert.deepEqual(await stampOf(recordId), {
      status: 'final',
      signers: [
        `author:lab:${labTechnician.address}`,
        `co-signer:nurse:${nurse.address}`,
        `co-signer:doctor:${doctor.address}`,
      ],
    });
    const listed = (await doctor.listRecords(patient.address)).records.find((r) => r.recordId === recordId);
    assert.equal(listed?.stamp?.status, 'final');
    assert.equal(listed?.stamp?.signers.length, 3);

    // The patient and the author are told of each co-signature; the co-signer is not.
    const coSignedNotices = async (client: typeof patient) =>
      (await client.notifications()).notifications
        .filter((notice) => notice.kind === 'record-co-signed' && notice.data.recordId === recordId)
        .map((notice) => `${notice.data.signer}:${notice.data.finalised}`);
    const expected = [`${nurse.address}:false`, `${doctor.address}:true`];
    for (const client of [patient, labTechnician]) {
      const deadline = Date.now() + 10_000;
      while ((await coSignedNotices(client)).length < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(await coSignedNotices(client), expected);
    }
    assert.deepEqual(
      await coSignedNotices(doctor),
      [],
      'a co-signer who is neither patient nor author is not told',
    );
  });

  it('counts only doctors of the author’s hospital for the peer validation of a diagnosis', async () => {
    const { recordId } = await doctor.addRecord({
      patient: patient.address,
      category: 'condition',
      resource: condition(),
    });
    await labDoctor.coSignRecord(recordId);
    assert.equal((await stampOf(recordId)).status, 'draft', 'a doctor of another organisation counted');
    await peerDoctor.coSignRecord(recordId);
    assert.equal((await stampOf(recordId)).status, 'final');
  });

  it('keeps records of categories without a policy final, and lets the patient co-sign', async () => {
    const { recordId } = await doctor.addRecord({
      patient: patient.address,
      category: 'medication',
      resource: {
        resourceType: 'MedicationStatement',
        status: 'active',
        medicationCodeableConcept: { text: 'Metformin 500 mg' },
        subject: { reference: 'Patient/example' },
      },
    });
    assert.equal((await stampOf(recordId)).status, 'final');
    const byPatient = await patient.coSignRecord(recordId);
    assert.equal(byPatient.finalised, true);
    assert.deepEqual((await stampOf(recordId)).signers, [
      `author:doctor:${doctor.address}`,
      `co-signer:patient:${patient.address}`,
    ]);
  });

  describe('refusals', () => {
    let recordId: Hex;
    let contentDigest: Hex;
    let otherRecordId: Hex;
    before(async () => {
      ({ recordId, contentDigest } = await labTechnician.addRecord({
        patient: patient.address,
        category: 'lab',
        resource: labResult('Potassium 4.1 mmol/L'),
      }));
      ({ recordId: otherRecordId } = await labTechnician.addRecord({
        patient: patient.address,
        category: 'lab',
        resource: labResult('Sodium 139 mmol/L'),
      }));
    });

    /** `signer`'s EIP-712 co-signature, by `key` (the signer's own unless forging), of a record and digest. */
    async function coSignature(
      signer: GatewayClient,
      input: { recordId: Hex; contentDigest: Hex; key?: GatewayClient },
    ) {
      const info = await signer.ledger();
      return accountOf((input.key ?? signer).identity).signTypedData({
        domain: ledgerDomain('coSignatures', info.chainId, info.contracts.coSignatures),
        types: coSignaturesTypes,
        primaryType: 'CoSignature',
        message: { recordId: input.recordId, contentDigest: input.contentDigest, signer: signer.address },
      });
    }

    async function post(signer: GatewayClient, id: Hex, signature: Hex, as: GatewayClient = signer) {
      return call(gateway.url, 'POST', `/api/records/${id}/co-signatures`, {
        token: await signIn(gateway.url, as.identity),
        body: { signer: signer.address, signature },
      });
    }

    it('rejects a co-signature signed by someone else', async () => {
      const forged = await coSignature(peerDoctor, { recordId, contentDigest, key: nurse });
      assert.match(
        assertError(await post(peerDoctor, recordId, forged), 400, 'invalid_input'),
        /does not check out/,
      );
    });

    it('rejects a co-signature of a tampered content digest', async () => {
      const tampered = await coSignature(peerDoctor, {
        recordId,
        contentDigest: `0x${'ab'.repeat(32)}`,
      });
      assert.match(
        assertError(await post(peerDoctor, recordId, tampered), 400, 'invalid_input'),
        /does not check out/,
      );
    });

    it('rejects a replayed co-signature: the same one again, or on another record', async () => {
      const signature = await coSignature(peerDoctor, { recordId, contentDigest });
      assert.equal((await post(peerDoctor, recordId, signature)).status, 201);
      assert.match(
        assertError(await post(peerDoctor, recordId, signature), 409, 'conflict'),
        /has already co-signed/,
      );
      assert.match(
        assertError(await post(peerDoctor, otherRecordId, signature), 400, 'invalid_input'),
        /does not check out/,
      );
    });

    it('refuses co-signers who may not read the record, and co-signatures submitted for someone else', async () => {
      const outsider = await newMember(gateway.url, lab, 'pharmacist');
      const { recordId: medicationId } = await doctor.addRecord({
        patient: patient.address,
        category: 'medication',
        resource: {
          resourceType: 'MedicationStatement',
          status: 'active',
          medicationCodeableConcept: { text: 'Lisinopril 10 mg' },
          subject: { reference: 'Patient/example' },
        },
      });
      const signature = await coSignature(labDoctor, { recordId: medicationId, contentDigest });
      assert.match(
        assertError(await post(labDoctor, medicationId, signature), 403, 'access_denied'),
        /has not given you consent/,
      );
      await assert.rejects(outsider.coSignRecord(medicationId), { code: 'access_denied' });
      const mine = await coSignature(peerDoctor, { recordId: otherRecordId, contentDigest });
      assert.match(
        assertError(await post(peerDoctor, otherRecordId, mine, nurse), 403, 'access_denied'),
        /submit your own/,
      );
      const unknown = `0x${'12'.repeat(32)}` as Hex;
      assertError(await post(peerDoctor, unknown, mine), 404, 'not_found');
      const audit = await patient.audit();
      assert.ok(
        audit.events.some(
          (event) =>
            event.actor === labDoctor.address &&
            event.recordId === medicationId &&
            event.purpose === 'COSIGN' &&
            event.outcome === 'denied',
        ),
        'the refused co-signer is audited',
      );
    });

    it('relays concurrent co-signatures together and fails a bad one alone', async () => {
      const { recordId: batched } = await labTechnician.addRecord({
        patient: patient.address,
        category: 'lab',
        resource: labResult('Creatinine 80 umol/L'),
      });
      const { recordId: wrong, contentDigest: wrongDigest } = await labTechnician.addRecord({
        patient: patient.address,
        category: 'lab',
        resource: labResult('Urea 5 mmol/L'),
      });
      const forged = await coSignature(doctor, { recordId: wrong, contentDigest: wrongDigest, key: nurse });
      const [byDoctor, byPeer, byPatient, bad] = await Promise.all([
        doctor.coSignRecord(batched),
        peerDoctor.coSignRecord(batched),
        patient.coSignRecord(batched),
        post(doctor, wrong, forged),
      ]);
      assert.equal(bad.status, 400);
      assert.deepEqual([byDoctor.finalised || byPeer.finalised, byPatient.recordId], [true, batched]);
      assert.equal((await stampOf(batched)).signers.length, 4);
    });
  });
});
