/**
 * `consortiumVotes` against a real gateway: what the admins are voting on, each with its votes so
 * far and the votes it needs (two thirds of the active organisations); enacted proposals and those
 * made against a version no longer in force are not listed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  approveCustody,
  approveOrganisation,
  consortiumVotes,
  createOrganisation,
  type GatewayClient,
  proposeAuthorErasureWindow,
  proposeCustody,
  proposeEmergencyWindow,
} from '@medledger/client';
import { newActor, startTestGateway, type TestGateway } from './helpers.ts';

describe('consortiumVotes', () => {
  let gateway: TestGateway;
  let hospital: GatewayClient;
  let lab: GatewayClient;
  let hospitalId: number;
  let labId: number;
  let pharmacyId: number;

  before(async () => {
    gateway = await startTestGateway();
    hospital = newActor(gateway.url);
    lab = newActor(gateway.url);
    hospitalId = (await createOrganisation(hospital, { name: 'St Mary Hospital', kind: 'hospital' }))
      .organisationId;
    labId = (await createOrganisation(lab, { name: 'City Lab', kind: 'lab' })).organisationId;
    assert.equal((await approveOrganisation(hospital, labId)).status, 'active');
    pharmacyId = (
      await createOrganisation(newActor(gateway.url), { name: 'Corner Pharmacy', kind: 'pharmacy' })
    ).organisationId;
  });
  after(() => gateway.stop());

  it('lists an organisation waiting to join with its votes and the two of two it needs; public', async () => {
    const votes = await consortiumVotes(newActor(gateway.url));
    assert.equal(votes.activeOrganisations, 2);
    assert.deepEqual(votes.organisations, [
      { organisationId: pharmacyId, name: 'Corner Pharmacy', kind: 'pharmacy', approvals: 0, needed: 2 },
    ]);
    await approveOrganisation(hospital, pharmacyId);
    assert.deepEqual(
      (await consortiumVotes(hospital)).organisations.map((o) => [o.approvals, o.needed]),
      [[1, 2]],
    );
  });

  it('lists open custody proposals with the proposer’s vote; drops the enacted one and the one it made stale', async () => {
    const wide = await proposeCustody(hospital, [hospitalId, labId], 2);
    assert.equal(wide.enacted, false);
    assert.deepEqual((await consortiumVotes(lab)).custody, [
      {
        proposalId: wide.proposalId,
        custodians: [hospitalId, labId],
        threshold: 2,
        proposerOrganisationId: hospitalId,
        approvals: 1,
        needed: 2,
      },
    ]);
    const narrow = await proposeCustody(hospital, [hospitalId], 1);
    assert.equal((await approveCustody(lab, narrow.proposalId)).enacted, true);
    // The wide proposal was made against the custody now replaced: it can no longer pass.
    assert.deepEqual((await consortiumVotes(lab)).custody, []);
  });

  it('lists emergency and author erasure window proposals with their proposer and votes', async () => {
    const emergency = await proposeEmergencyWindow(hospital, 7_200);
    const erasure = await proposeAuthorErasureWindow(lab, 7 * 86_400);
    const votes = await consortiumVotes(hospital);
    assert.deepEqual(votes.emergencyWindow, [
      {
        proposalId: emergency.proposalId,
        windowSeconds: 7_200,
        proposerOrganisationId: hospitalId,
        approvals: 1,
        needed: 2,
      },
    ]);
    assert.deepEqual(votes.authorErasureWindow, [
      {
        proposalId: erasure.proposalId,
        windowSeconds: 7 * 86_400,
        proposerOrganisationId: labId,
        approvals: 1,
        needed: 2,
      },
    ]);
  });
});
