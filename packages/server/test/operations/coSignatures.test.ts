/**
 * The co-signature operations, called without HTTP on a real gateway (anvil + SQLite): policies
 * proposed and approved by organisation admins, co-signatures and stamps. Refusals are asserted by
 * code and reason, or by the contract's error for what the chain refuses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { GatewayClient } from '@medledger/client';
import {
  accountOf,
  bytesToHex,
  categories,
  categoryIndex,
  coSignaturesTypes,
  ledgerDomain,
  randomBytes,
  roleCode,
} from '@medledger/core';
import type { Hex } from 'viem';
import {
  approveCoSignaturePolicy,
  coSignaturePolicies,
  coSignaturePolicyProposals,
  coSignRecord,
  proposeCoSignaturePolicy,
  recordStamp,
} from '../../src/operations/coSignatures.ts';
import { type Consortium, foundConsortium, newActor, newMember, newPatient } from '../helpers/actors.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { refused, refusedByChain, sessionOf } from '../helpers/refusals.ts';

const condition = {
  resourceType: 'Condition',
  code: { text: 'Type 2 diabetes mellitus' },
  subject: { reference: 'Patient/example' },
};

describe('co-signature operations', () => {
  let gateway: TestGateway;
  let hospital: Consortium;
  let lab: Consortium;

  before(async () => {
    gateway = await startTestGateway();
    hospital = await foundConsortium(gateway.url);
    const labAdmin = newActor(gateway.url);
    const { organisationId } = await labAdmin.createOrganisation({ name: 'City Lab', kind: 'lab' });
    await hospital.admin.approveOrganisation(organisationId);
    lab = { admin: labAdmin, organisationId };
  });
  after(() => gateway.stop());

  /** `signer`'s EIP-712 signature of a co-signatures message, with a fresh nonce. */
  async function signed(signer: GatewayClient, primaryType: string, message: Record<string, unknown>) {
    const { ledger } = gateway.services;
    const nonce = BigInt(bytesToHex(randomBytes(32)));
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 600);
    const signature = await accountOf(signer.identity).signTypedData({
      domain: ledgerDomain('coSignatures', ledger.chainId, ledger.addresses.coSignatures),
      types: coSignaturesTypes,
      primaryType,
      message: { ...message, nonce, deadline },
    } as Parameters<ReturnType<typeof accountOf>['signTypedData']>[0]);
    return { nonce: nonce.toString(), deadline: deadline.toString(), signature };
  }

  async function proposal(admin: GatewayClient, category: number, doctors: number) {
    const message = {
      category,
      requirements: [{ role: roleCode('doctor'), count: doctors, sameOrganisation: false }],
      patient: false,
      admin: admin.address,
    };
    return { ...message, ...(await signed(admin, 'ProposePolicy', message)) };
  }

  async function approval(approver: GatewayClient, proposalId: number) {
    const message = { proposalId: BigInt(proposalId), approver: approver.address };
    return { proposalId, approver: approver.address, ...(await signed(approver, 'ApprovePolicy', message)) };
  }

  async function coSignature(signer: GatewayClient, record: { recordId: Hex; contentDigest: Hex }) {
    const { ledger } = gateway.services;
    return accountOf(signer.identity).signTypedData({
      domain: ledgerDomain('coSignatures', ledger.chainId, ledger.addresses.coSignatures),
      types: coSignaturesTypes,
      primaryType: 'CoSignature',
      message: { recordId: record.recordId, contentDigest: record.contentDigest, signer: signer.address },
    });
  }

  describe('policies', () => {
    it('enacts a proposal once two thirds of the organisations approve, and describes it', async () => {
      const category = categoryIndex('condition');
      const proposed = await proposeCoSignaturePolicy(
        gateway.services,
        sessionOf(hospital.admin),
        await proposal(hospital.admin, category, 2),
      );
      assert.equal(proposed.enacted, false, 'one of two organisations is not two thirds');
      assert.match(proposed.transactionHash, /^0x[0-9a-f]{64}$/);
      const pending = (await coSignaturePolicyProposals(gateway.services)).proposals.find(
        (p) => p.proposalId === proposed.proposalId,
      );
      assert.deepEqual(
        [pending?.category, pending?.status, pending?.approvals, pending?.proposerOrganisationId],
        ['condition', 'pending', 1, hospital.organisationId],
      );

      const approved = await approveCoSignaturePolicy(
        gateway.services,
        sessionOf(lab.admin),
        await approval(lab.admin, proposed.proposalId),
      );
      assert.deepEqual([approved.proposalId, approved.enacted], [proposed.proposalId, true]);

      const { policies } = await coSignaturePolicies(gateway.services);
      assert.equal(policies.length, categories.length);
      const byCategory = Object.fromEntries(policies.map((policy) => [policy.category, policy]));
      assert.deepEqual(byCategory.condition?.requirements, [
        { role: 'doctor', count: 2, sameOrganisation: false },
      ]);
      assert.equal(byCategory.condition?.version, 1);
      assert.ok((byCategory.condition?.enactedAt ?? 0) > 0);
      assert.deepEqual([byCategory.note?.version, byCategory.note?.enactedAt], [0, null]);
      const enacted = (await coSignaturePolicyProposals(gateway.services)).proposals.find(
        (p) => p.proposalId === proposed.proposalId,
      );
      assert.deepEqual([enacted?.status, enacted?.approvals], ['enacted', 2]);
    });

    it('refuses actions signed for someone else (not_the_signer) and an unknown category', async () => {
      const doctor = await newMember(gateway.url, hospital);
      await assert.rejects(
        proposeCoSignaturePolicy(
          gateway.services,
          sessionOf(doctor),
          await proposal(hospital.admin, categoryIndex('note'), 1),
        ),
        refused('access_denied', 'not_the_signer'),
      );
      await assert.rejects(
        proposeCoSignaturePolicy(
          gateway.services,
          sessionOf(hospital.admin),
          await proposal(hospital.admin, categories.length, 1),
        ),
        refused('invalid_input', 'unknown_category'),
      );
      await assert.rejects(
        approveCoSignaturePolicy(gateway.services, sessionOf(doctor), await approval(hospital.admin, 1)),
        refused('access_denied', 'not_the_signer'),
      );
    });

    it('relays the chain’s refusal of a proposal by a member who is not an admin', async () => {
      const doctor = await newMember(gateway.url, hospital);
      await assert.rejects(
        proposeCoSignaturePolicy(
          gateway.services,
          sessionOf(doctor),
          await proposal(doctor, categoryIndex('note'), 1),
        ),
        refusedByChain('access_denied', 'CoSignaturesNotActiveAdmin'),
      );
    });
  });

  describe('co-signing and stamps', () => {
    let patient: GatewayClient;
    let doctor: GatewayClient;
    let peerDoctor: GatewayClient;
    let labDoctor: GatewayClient;
    let record: { recordId: Hex; contentDigest: Hex };

    before(async () => {
      [patient, doctor, peerDoctor, labDoctor] = await Promise.all([
        newPatient(gateway.url, hospital),
        newMember(gateway.url, hospital, 'doctor'),
        newMember(gateway.url, hospital, 'doctor'),
        newMember(gateway.url, lab, 'doctor'),
      ]);
      await patient.grantConsent({
        granteeOrganisation: hospital.organisationId,
        categories: ['condition'],
        actions: ['read'],
        expiresInSeconds: 3600,
      });
      // A policy applies to records anchored at a later block timestamp than its enactment. anvil's
      // clock runs up to a second behind the wall clock (it truncates its start time), so wait until
      // even a lagging chain has left the enactment's second.
      const { policies } = await coSignaturePolicies(gateway.services);
      const enactedAt = policies.find((policy) => policy.category === 'condition')?.enactedAt ?? 0;
      while (Math.floor(Date.now() / 1000) <= enactedAt + 1) await delay(50);
      record = await patient.addRecord({
        patient: patient.address,
        category: 'condition',
        resource: condition,
      });
    });

    it('counts co-signatures until the record is final, as its stamp tells', async () => {
      const draft = await recordStamp(gateway.services, sessionOf(patient), record);
      assert.deepEqual(
        [
          draft.recordId,
          draft.status,
          draft.policyVersion,
          draft.signers.map((s) => [s.address, s.as, s.role]),
        ],
        [record.recordId, 'draft', 1, [[patient.address, 'author', 'patient']]],
      );
      const first = await coSignRecord(gateway.services, sessionOf(doctor), {
        ...record,
        signer: doctor.address,
        signature: await coSignature(doctor, record),
      });
      assert.deepEqual(
        [first.recordId, first.signer, first.finalised],
        [record.recordId, doctor.address, false],
      );
      const second = await coSignRecord(gateway.services, sessionOf(peerDoctor), {
        ...record,
        signer: peerDoctor.address,
        signature: await coSignature(peerDoctor, record),
      });
      assert.equal(second.finalised, true);
      assert.ok(second.blockNumber > 0);
      const final = await recordStamp(gateway.services, sessionOf(doctor), record);
      assert.equal(final.status, 'final');
      assert.deepEqual(
        final.signers.map((signer) => [signer.address, signer.as, signer.role, signer.organisationId]),
        [
          [patient.address, 'author', 'patient', hospital.organisationId],
          [doctor.address, 'co-signer', 'doctor', hospital.organisationId],
          [peerDoctor.address, 'co-signer', 'doctor', hospital.organisationId],
        ],
      );
      const audit = await gateway.services.store.auditEvents({ patient: patient.address });
      assert.ok(
        audit.some((e) => e.actor === doctor.address && e.outcome === 'allowed' && e.purpose === 'COSIGN'),
      );
    });

    it('refuses a co-signer who may not read the record (no_consent), audited as denied', async () => {
      await assert.rejects(
        coSignRecord(gateway.services, sessionOf(labDoctor), {
          ...record,
          signer: labDoctor.address,
          signature: await coSignature(labDoctor, record),
        }),
        refused('access_denied', 'no_consent'),
      );
      const audit = await gateway.services.store.auditEvents({ patient: patient.address });
      assert.ok(
        audit.some(
          (e) =>
            e.actor === labDoctor.address &&
            e.outcome === 'denied' &&
            e.reason === 'no_consent' &&
            e.purpose === 'COSIGN',
        ),
      );
    });

    it('refuses a co-signature submitted for someone else, and an unknown record', async () => {
      await assert.rejects(
        coSignRecord(gateway.services, sessionOf(doctor), {
          ...record,
          signer: peerDoctor.address,
          signature: await coSignature(peerDoctor, record),
        }),
        refused('access_denied', 'not_the_signer'),
      );
      const unknown = { recordId: bytesToHex(randomBytes(32)) as Hex, contentDigest: record.contentDigest };
      await assert.rejects(
        coSignRecord(gateway.services, sessionOf(doctor), {
          ...unknown,
          signer: doctor.address,
          signature: await coSignature(doctor, unknown),
        }),
        refused('not_found', 'record_not_found'),
      );
    });

    it('shows a stamp only to the patient and those who may read the record (record_not_found otherwise)', async () => {
      await assert.rejects(
        recordStamp(gateway.services, sessionOf(labDoctor), record),
        refused('not_found', 'record_not_found'),
      );
      await assert.rejects(
        recordStamp(gateway.services, sessionOf(newActor(gateway.url)), record),
        refused('not_found', 'record_not_found'),
      );
      await assert.rejects(
        recordStamp(gateway.services, sessionOf(patient), { recordId: bytesToHex(randomBytes(32)) as Hex }),
        refused('not_found', 'record_not_found'),
      );
    });
  });
});
