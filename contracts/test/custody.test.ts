import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { LocalAccount } from 'viem';
import {
  addMember,
  approveCustody,
  approveOrganisation,
  newAccount,
  proposeCustody,
  proposeOrganisation,
  role,
  suspendMember,
} from './helpers/actions.ts';
import {
  assertEvents,
  assertRevert,
  deployLedger,
  isolateEachTest,
  type TestLedger,
} from './helpers/ledger.ts';

interface CustodyProposal {
  custodians: readonly number[];
  threshold: number;
  proposerOrganisationId: number;
  approvals: number;
  baseVersion: bigint;
  enacted: boolean;
}

describe('Consortium custody', () => {
  let ledger: TestLedger;
  /** Admins of the active organisations 1, 2, ..., in order. */
  let admins: LocalAccount[];
  before(async () => {
    ledger = await deployLedger();
  });
  after(() => ledger.stop());

  /** Founds a consortium of `count` active organisations, each admitted by two thirds of the earlier ones. */
  async function activeOrganisations(count: number): Promise<void> {
    admins = [];
    for (let id = 1; id <= count; id++) {
      const admin = newAccount();
      await proposeOrganisation(ledger, admin);
      const needed = Math.ceil(((id - 1) * 2) / 3);
      for (const approver of admins.slice(0, needed)) await approveOrganisation(ledger, approver, id);
      admins.push(admin);
    }
    assert.equal(await ledger.read('consortium', 'activeOrganisationCount'), count);
  }

  const custody = () => ledger.read<readonly [readonly number[], number, bigint]>('consortium', 'custody');
  const proposal = (proposalId: bigint) =>
    ledger.read<CustodyProposal>('consortium', 'custodyProposal', [proposalId]);

  describe('activation by two thirds of the active organisations', () => {
    isolateEachTest(() => ledger);

    it('has no custody before the first configuration', async () => {
      await activeOrganisations(3);
      assert.deepEqual(await custody(), [[], 0, 0n]);
      assert.equal(await ledger.read('consortium', 'custodyProposalCount'), 0n);
      assert.deepEqual(await proposal(1n), {
        custodians: [],
        threshold: 0,
        proposerOrganisationId: 0,
        approvals: 0,
        baseVersion: 0n,
        enacted: false,
      });
    });

    it('with one active organisation, enacts a proposal at once', async () => {
      await activeOrganisations(1);
      const result = await proposeCustody(ledger, admins[0]!, [1], 1);
      assertEvents(result, [
        { eventName: 'CustodyProposed', args: { proposalId: 1n, custodians: [1], threshold: 1 } },
        { eventName: 'CustodyApproved', args: { proposalId: 1n, approverOrganisationId: 1, approvals: 1 } },
        { eventName: 'CustodyChanged', args: { version: 1n, custodians: [1], threshold: 1 } },
      ]);
      assert.equal(result.proposalId, 1n);
      assert.deepEqual(await custody(), [[1], 1, 1n]);
      assert.deepEqual(await proposal(1n), {
        custodians: [1],
        threshold: 1,
        proposerOrganisationId: 1,
        approvals: 1,
        baseVersion: 0n,
        enacted: true,
      });
      assert.equal(await ledger.read('consortium', 'hasApprovedCustody', [1n, 1]), true);
      assert.equal(await ledger.read('consortium', 'custodyProposalCount'), 1n);
    });

    it('with two active organisations, needs both', async () => {
      await activeOrganisations(2);
      const proposed = await proposeCustody(ledger, admins[1]!, [2, 1], 2);
      assertEvents(proposed, [
        { eventName: 'CustodyProposed', args: { proposalId: 1n, custodians: [2, 1], threshold: 2 } },
        { eventName: 'CustodyApproved', args: { proposalId: 1n, approverOrganisationId: 2, approvals: 1 } },
      ]);
      assert.deepEqual(await custody(), [[], 0, 0n]);
      assert.equal(await ledger.read('consortium', 'hasApprovedCustody', [1n, 1]), false);
      assert.equal((await proposal(1n)).enacted, false);

      assertEvents(await approveCustody(ledger, admins[0]!, 1n), [
        { eventName: 'CustodyApproved', args: { proposalId: 1n, approverOrganisationId: 1, approvals: 2 } },
        { eventName: 'CustodyChanged', args: { version: 1n, custodians: [2, 1], threshold: 2 } },
      ]);
      // The order of custodians is kept: it is the order of the key shares.
      assert.deepEqual(await custody(), [[2, 1], 2, 1n]);
      assert.deepEqual(await proposal(1n), {
        custodians: [2, 1],
        threshold: 2,
        proposerOrganisationId: 2,
        approvals: 2,
        baseVersion: 0n,
        enacted: true,
      });
    });

    it('with three active organisations, needs two, and counts versions', async () => {
      await activeOrganisations(3);
      const proposed = await proposeCustody(ledger, admins[0]!, [1, 2, 3], 2);
      // One vote of three is not enough (1 * 3 < 3 * 2).
      assert.deepEqual(
        proposed.events.map((event) => event.eventName),
        ['CustodyProposed', 'CustodyApproved'],
      );
      assert.deepEqual(await custody(), [[], 0, 0n]);
      assertEvents(await approveCustody(ledger, admins[2]!, 1n), [
        { eventName: 'CustodyApproved', args: { proposalId: 1n, approverOrganisationId: 3, approvals: 2 } },
        { eventName: 'CustodyChanged', args: { version: 1n, custodians: [1, 2, 3], threshold: 2 } },
      ]);
      assert.deepEqual(await custody(), [[1, 2, 3], 2, 1n]);

      // The third vote comes too late: the proposal has passed.
      await assertRevert(approveCustody(ledger, admins[1]!, 1n), 'ConsortiumCustodyProposalNotPending', [1n]);

      const { proposalId } = await proposeCustody(ledger, admins[1]!, [3, 1], 1);
      assert.equal(proposalId, 2n);
      assert.equal((await proposal(2n)).baseVersion, 1n);
      const enacted = await approveCustody(ledger, admins[0]!, 2n);
      assert.deepEqual(enacted.events.at(-1)?.args, { version: 2n, custodians: [3, 1], threshold: 1 });
      assert.deepEqual(await custody(), [[3, 1], 1, 2n]);
    });

    it('voids the proposals overtaken by another configuration', async () => {
      await activeOrganisations(2);
      const { proposalId: first } = await proposeCustody(ledger, admins[0]!, [1], 1);
      const { proposalId: second } = await proposeCustody(ledger, admins[1]!, [1, 2], 2);
      await approveCustody(ledger, admins[0]!, second);
      assert.deepEqual(await custody(), [[1, 2], 2, 1n]);
      // `first` was proposed against version 0: it can no longer pass and undo version 1.
      await assertRevert(approveCustody(ledger, admins[1]!, first), 'ConsortiumCustodyProposalNotPending', [
        first,
      ]);
      assert.equal((await proposal(first)).enacted, false);
    });

    it('raises the bar as organisations join', async () => {
      await activeOrganisations(2);
      const { proposalId } = await proposeCustody(ledger, admins[0]!, [1, 2], 1);
      const admin = newAccount();
      await proposeOrganisation(ledger, admin);
      await approveOrganisation(ledger, admins[0]!, 3);
      await approveOrganisation(ledger, admins[1]!, 3);
      // Three active organisations: 2 * 3 >= 3 * 2.
      const approved = await approveCustody(ledger, admins[1]!, proposalId);
      assert.equal(approved.events.at(-1)?.eventName, 'CustodyChanged');

      const { proposalId: next } = await proposeCustody(ledger, admin, [3], 1);
      const again = await approveCustody(ledger, admins[0]!, next);
      assert.equal(again.events.at(-1)?.eventName, 'CustodyChanged');
      assert.deepEqual(await custody(), [[3], 1, 2n]);
    });
  });

  describe('invalid configurations and votes', () => {
    isolateEachTest(() => ledger);
    beforeEach(() => activeOrganisations(2));

    it('rejects bad thresholds and custodian lists', async () => {
      const admin = admins[0]!;
      await assertRevert(proposeCustody(ledger, admin, [1, 2], 0), 'ConsortiumInvalidCustodyThreshold', [
        0,
        2n,
      ]);
      await assertRevert(proposeCustody(ledger, admin, [1, 2], 3), 'ConsortiumInvalidCustodyThreshold', [
        3,
        2n,
      ]);
      await assertRevert(proposeCustody(ledger, admin, [], 1), 'ConsortiumInvalidCustodyThreshold', [1, 0n]);
      await assertRevert(proposeCustody(ledger, admin, [], 0), 'ConsortiumInvalidCustodyThreshold', [0, 0n]);
      const seventeen = [...Array(17).keys()].map((i) => i + 1);
      await assertRevert(proposeCustody(ledger, admin, seventeen, 1), 'ConsortiumTooManyCustodians', [17n]);
      await assertRevert(proposeCustody(ledger, admin, [1, 2, 1], 2), 'ConsortiumDuplicateCustodian', [1]);
      await assertRevert(proposeCustody(ledger, admin, [2, 2], 1), 'ConsortiumDuplicateCustodian', [2]);

      // Custodians must be active organisations.
      await proposeOrganisation(ledger, newAccount());
      await assertRevert(proposeCustody(ledger, admin, [1, 3], 1), 'ConsortiumOrganisationNotActive', [3]);
      await assertRevert(proposeCustody(ledger, admin, [99], 1), 'ConsortiumOrganisationNotActive', [99]);
      await assertRevert(proposeCustody(ledger, admin, [0, 1], 1), 'ConsortiumOrganisationNotActive', [0]);
      // Sixteen is allowed by the bound; these fail later, on the first inactive custodian.
      const sixteen = [...Array(16).keys()].map((i) => i + 1);
      await assertRevert(proposeCustody(ledger, admin, sixteen, 16), 'ConsortiumOrganisationNotActive', [3]);
      assert.equal(await ledger.read('consortium', 'custodyProposalCount'), 0n);
    });

    it('accepts proposals and votes only from active admins of active organisations', async () => {
      const doctor = newAccount();
      await addMember(ledger, admins[0]!, { organisationId: 1, member: doctor.address, role: role.doctor });
      await assertRevert(proposeCustody(ledger, doctor, [1], 1), 'ConsortiumNotActiveAdmin', [
        doctor.address,
        1,
      ]);
      const stranger = newAccount();
      await assertRevert(proposeCustody(ledger, stranger, [1], 1), 'ConsortiumNotActiveAdmin', [
        stranger.address,
        0,
      ]);
      const pendingAdmin = newAccount();
      await proposeOrganisation(ledger, pendingAdmin);
      await assertRevert(proposeCustody(ledger, pendingAdmin, [1], 1), 'ConsortiumNotActiveAdmin', [
        pendingAdmin.address,
        3,
      ]);

      const { proposalId } = await proposeCustody(ledger, admins[0]!, [1, 2], 2);
      await assertRevert(approveCustody(ledger, doctor, proposalId), 'ConsortiumNotActiveAdmin', [
        doctor.address,
        1,
      ]);
      await assertRevert(approveCustody(ledger, stranger, proposalId), 'ConsortiumNotActiveAdmin', [
        stranger.address,
        0,
      ]);
      await assertRevert(approveCustody(ledger, pendingAdmin, proposalId), 'ConsortiumNotActiveAdmin', [
        pendingAdmin.address,
        3,
      ]);

      // A suspended admin cannot vote either.
      const secondAdmin = newAccount();
      await addMember(ledger, admins[1]!, {
        organisationId: 2,
        member: secondAdmin.address,
        role: role.admin,
      });
      await suspendMember(ledger, admins[1]!, secondAdmin.address);
      await assertRevert(approveCustody(ledger, secondAdmin, proposalId), 'ConsortiumNotActiveAdmin', [
        secondAdmin.address,
        2,
      ]);
      assert.equal((await proposal(proposalId)).approvals, 1);
    });

    it('accepts one vote per organisation, on pending proposals only', async () => {
      const { proposalId } = await proposeCustody(ledger, admins[0]!, [1, 2], 2);
      // The proposer's organisation has voted already, whichever of its admins signs.
      await assertRevert(approveCustody(ledger, admins[0]!, proposalId), 'ConsortiumCustodyAlreadyApproved', [
        proposalId,
        1,
      ]);
      const secondAdmin = newAccount();
      await addMember(ledger, admins[0]!, {
        organisationId: 1,
        member: secondAdmin.address,
        role: role.admin,
      });
      await assertRevert(
        approveCustody(ledger, secondAdmin, proposalId),
        'ConsortiumCustodyAlreadyApproved',
        [proposalId, 1],
      );
      await assertRevert(approveCustody(ledger, admins[1]!, 0n), 'ConsortiumCustodyProposalNotPending', [0n]);
      await assertRevert(approveCustody(ledger, admins[1]!, 2n), 'ConsortiumCustodyProposalNotPending', [2n]);
      await approveCustody(ledger, admins[1]!, proposalId);
      await assertRevert(
        approveCustody(ledger, admins[1]!, proposalId),
        'ConsortiumCustodyProposalNotPending',
        [proposalId],
      );
    });

    it('rejects replayed, forged and expired signatures', async () => {
      await proposeCustody(ledger, admins[0]!, [1], 1, {}, { nonce: 9n });
      await assertRevert(
        proposeCustody(ledger, admins[0]!, [1, 2], 1, {}, { nonce: 9n }),
        'SignedActionNonceUsed',
        [admins[0]!.address, 9n],
      );
      await assertRevert(approveCustody(ledger, admins[0]!, 1n, {}, { nonce: 9n }), 'SignedActionNonceUsed', [
        admins[0]!.address,
        9n,
      ]);
      // Approving the same proposal again under the same nonce is a replay too.
      const { proposalId } = await proposeCustody(ledger, admins[0]!, [2], 1);
      await approveCustody(ledger, admins[1]!, proposalId, {}, { nonce: 4n });
      const { proposalId: next } = await proposeCustody(ledger, admins[0]!, [1, 2], 1);
      await assertRevert(
        approveCustody(ledger, admins[1]!, next, {}, { nonce: 4n }),
        'SignedActionNonceUsed',
        [admins[1]!.address, 4n],
      );

      const stranger = newAccount();
      await assertRevert(
        proposeCustody(ledger, stranger, [1], 1, { admin: admins[0]!.address }),
        'SignedActionInvalidSignature',
        [admins[0]!.address],
      );
      await assertRevert(
        approveCustody(ledger, stranger, next, { approver: admins[1]!.address }),
        'SignedActionInvalidSignature',
        [admins[1]!.address],
      );
      const deadline = (await ledger.now()) - 1n;
      await assertRevert(
        proposeCustody(ledger, admins[0]!, [1], 1, {}, { deadline }),
        'SignedActionExpired',
        [deadline],
      );
      await assertRevert(approveCustody(ledger, admins[1]!, next, {}, { deadline }), 'SignedActionExpired', [
        deadline,
      ]);
    });
  });

  describe('the largest consortium', () => {
    isolateEachTest(() => ledger);

    it('accepts sixteen custodians with any threshold up to sixteen', async (t) => {
      await activeOrganisations(16);
      const all = admins;
      const sixteen = [...Array(16).keys()].map((i) => 16 - i);
      const proposed = await proposeCustody(ledger, all[0]!, sixteen, 16);
      for (const approver of all.slice(1, 10)) await approveCustody(ledger, approver, proposed.proposalId);
      // The eleventh vote is two thirds of sixteen (11 * 3 >= 16 * 2).
      const enacted = await approveCustody(ledger, all[10]!, proposed.proposalId);
      assert.deepEqual(enacted.events.at(-1)?.args, { version: 1n, custodians: sixteen, threshold: 16 });
      assert.deepEqual(await custody(), [sixteen, 16, 1n]);
      t.diagnostic(
        `gas: proposeCustody(16) ${proposed.receipt.gasUsed}, enacting approveCustody(16) ${enacted.receipt.gasUsed}`,
      );
    });
  });
});
