/** The co-signature actions against a real gateway: policies by vote, co-signing, a record's stamp. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addRecord,
  approveOrganisation,
  approvePolicy,
  coSignRecord,
  createOrganisation,
  type GatewayClient,
  grantConsent,
  policies,
  policyProposals,
  proposePolicy,
  stamp,
} from '@medledger/client';
import { AccessDeniedError } from '@medledger/core';
import type { Hex } from 'viem';
import {
  type Consortium,
  foundConsortium,
  medication,
  newActor,
  newMember,
  newPatient,
  rejectsWith,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

describe('co-signature actions', () => {
  let gateway: TestGateway;
  let hospital: Consortium;
  let labAdmin: GatewayClient;
  let patient: GatewayClient;
  let doctor: GatewayClient;
  let nurse: GatewayClient;
  let outsider: GatewayClient;
  let recordId: Hex;
  let proposalId: number;

  before(async () => {
    gateway = await startTestGateway();
    hospital = await foundConsortium(gateway.url);
    labAdmin = newActor(gateway.url);
    const { organisationId } = await createOrganisation(labAdmin, { name: 'City Lab', kind: 'lab' });
    await approveOrganisation(hospital.admin, organisationId);
    [patient, doctor, nurse, outsider] = await Promise.all([
      newPatient(gateway.url, hospital),
      newMember(gateway.url, hospital, 'doctor'),
      newMember(gateway.url, hospital, 'nurse'),
      newMember(gateway.url, hospital, 'nurse'),
    ]);
    await grantConsent(patient, {
      granteeOrganisation: hospital.organisationId,
      categories: ['medication'],
      actions: ['read', 'append'],
      expiresInSeconds: 3600,
    });
    ({ recordId } = await addRecord(doctor, {
      patient: patient.address,
      category: 'medication',
      resource: medication(),
    }));
  });
  after(() => gateway.stop());

  it('proposePolicy: an admin proposes which roles co-sign a category; a member may not', async () => {
    await rejectsWith(
      proposePolicy(doctor, { category: 'note', requirements: [] }),
      AccessDeniedError,
      'co_signatures_not_active_admin',
    );
    const proposed = await proposePolicy(hospital.admin, {
      category: 'lab',
      requirements: [
        { role: 'lab', count: 1 },
        { role: 'doctor', count: 1, sameOrganisation: true },
      ],
    });
    assert.equal(proposed.enacted, false, 'one of two organisations is not two thirds');
    proposalId = proposed.proposalId;
  });

  it('approvePolicy: the second organisation’s approval enacts it', async () => {
    const approved = await approvePolicy(labAdmin, proposalId);
    assert.deepEqual([approved.proposalId, approved.enacted], [proposalId, true]);
  });

  it('policies: the policy in force per category, without signing in', async () => {
    const { policies: inForce } = await policies(newActor(gateway.url));
    const lab = inForce.find((policy) => policy.category === 'lab');
    assert.equal(lab?.version, 1);
    assert.deepEqual(lab?.requirements, [
      { role: 'lab', count: 1, sameOrganisation: false },
      { role: 'doctor', count: 1, sameOrganisation: true },
    ]);
    assert.equal(inForce.find((policy) => policy.category === 'medication')?.version, 0);
  });

  it('policyProposals: every proposal with its status and approvals', async () => {
    const { proposals } = await policyProposals(newActor(gateway.url));
    assert.deepEqual(
      proposals.map((proposal) => [
        proposal.proposalId,
        proposal.category,
        proposal.status,
        proposal.approvals,
      ]),
      [[proposalId, 'lab', 'enacted', 2]],
    );
  });

  it('coSignRecord: a reader checks the record and co-signs it; one who cannot read it may not', async () => {
    const coSigned = await coSignRecord(nurse, recordId);
    assert.deepEqual([coSigned.recordId, coSigned.signer], [recordId, nurse.address]);
    assert.ok(coSigned.blockNumber > 0);
    const stranger = newActor(gateway.url);
    await rejectsWith(coSignRecord(stranger, recordId), AccessDeniedError, 'no_consent');
  });

  it('stamp: the record’s status and who signed it', async () => {
    const { recordId: stamped, status, policyVersion, signers } = await stamp(patient, recordId);
    assert.equal(stamped, recordId);
    // Medication has no policy: final at once; the author and the co-signer are listed.
    assert.deepEqual([status, policyVersion], ['final', 0]);
    const addresses = signers.map((signer) => signer.address);
    assert.ok(
      addresses.includes(doctor.address) && addresses.includes(nurse.address),
      JSON.stringify(signers),
    );
    assert.ok(!addresses.includes(outsider.address));
  });
});
