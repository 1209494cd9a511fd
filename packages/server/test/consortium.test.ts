/**
 * Signed actions on the consortium: organisations, members and patients. Every action is signed
 * by its actor and relayed to the real contracts; the denials come from the session check or
 * from the contracts' own errors, decoded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { roleCode } from '@medledger/core';
import {
  type Consortium,
  foundConsortium,
  newActor,
  newMember,
  newPatient,
  signAction,
  signIn,
} from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';

describe('consortium: signed actions', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
  });
  after(() => gateway.stop());

  /** An AddMember body for `member`, signed by `admin` (by `options.signer` when set). */
  async function addMemberBody(
    admin: GatewayClient,
    member: GatewayClient,
    options: Parameters<typeof signAction>[5] & { organisationId?: number } = {},
  ) {
    const message = {
      organisationId: options.organisationId ?? consortium.organisationId,
      member: member.address,
      role: roleCode('doctor'),
      encryptionKey: member.identity.encryption.publicKey,
      admin: admin.address,
    };
    return {
      ...message,
      ...(await signAction(gateway.url, admin.identity, 'consortium', 'AddMember', message, options)),
    };
  }

  async function tokenOf(actor: GatewayClient): Promise<string> {
    return signIn(gateway.url, actor.identity);
  }

  describe('organisations', () => {
    it('the first organisation founded the consortium and is active, with its admin as member', async () => {
      const { organisations } = await consortium.admin.organisations();
      const founder = organisations.find((o) => o.organisationId === consortium.organisationId);
      assert.equal(founder?.status, 'active');
      assert.equal(founder?.name, 'St Mary Hospital');
      assert.equal(founder?.kind, 'hospital');
      assert.equal(founder?.admin, consortium.admin.address);
      const me = await consortium.admin.me();
      assert.deepEqual(
        { organisationId: me.member?.organisationId, role: me.member?.role, active: me.member?.active },
        { organisationId: consortium.organisationId, role: roleCode('admin'), active: true },
      );
      const ledger = await call(gateway.url, 'GET', '/api/ledger');
      assert.deepEqual(
        (ledger.body as { custodian: { organisationIds: number[] } }).custodian.organisationIds,
        [consortium.organisationId],
      );
    });

    it('admits later organisations once two thirds of the active ones approve', async () => {
      const statusOf = async (organisationId: number) =>
        (await consortium.admin.organisations()).organisations.find(
          (o) => o.organisationId === organisationId,
        )?.status;

      // One active organisation: its approval alone is two thirds.
      const lab = newActor(gateway.url);
      const proposed = await lab.createOrganisation({ name: 'City Lab', kind: 'lab' });
      assert.equal(proposed.status, 'pending');
      assert.equal(await statusOf(proposed.organisationId), 'pending');
      const pendingOnChain = await call(gateway.url, 'GET', `/api/organisations/${proposed.organisationId}`);
      assert.equal(pendingOnChain.status, 200);
      assert.deepEqual(
        {
          status: (pendingOnChain.body as { status: string }).status,
          approvals: (pendingOnChain.body as { approvals: number }).approvals,
        },
        { status: 'pending', approvals: 0 },
      );
      const approved = await consortium.admin.approveOrganisation(proposed.organisationId);
      assert.equal(approved.status, 'active');
      assert.equal(await statusOf(proposed.organisationId), 'active');

      // Two active organisations: one approval is not enough, the second one is.
      const pharmacy = newActor(gateway.url);
      const third = await pharmacy.createOrganisation({ name: 'Corner Pharmacy', kind: 'pharmacy' });
      assert.equal(third.status, 'pending');
      const first = await consortium.admin.approveOrganisation(third.organisationId);
      assert.equal(first.status, 'pending');
      assert.equal(await statusOf(third.organisationId), 'pending');
      const onChain = await call(gateway.url, 'GET', `/api/organisations/${third.organisationId}`);
      assert.equal((onChain.body as { approvals: number }).approvals, 1);

      // The same organisation cannot vote twice.
      await assert.rejects(consortium.admin.approveOrganisation(third.organisationId), {
        code: 'conflict',
        message: /already approved/,
      });
      // A pending organisation's admin cannot vote, not even for itself.
      await assert.rejects(pharmacy.approveOrganisation(third.organisationId), {
        code: 'access_denied',
        message: /is not an active administrator of/,
      });

      const second = await lab.approveOrganisation(third.organisationId);
      assert.equal(second.status, 'active');
      assert.equal(await statusOf(third.organisationId), 'active');

      // An active organisation is no longer awaiting votes.
      const again = await call(gateway.url, 'POST', `/api/organisations/${third.organisationId}/approvals`, {
        token: await tokenOf(consortium.admin),
        body: {
          approver: consortium.admin.address,
          ...(await signAction(gateway.url, consortium.admin.identity, 'consortium', 'ApproveOrganisation', {
            organisationId: third.organisationId,
            approver: consortium.admin.address,
          })),
        },
      });
      assert.match(assertError(again, 400, 'invalid_input'), /is not waiting for approval/);
    });

    it('lets only admins of active organisations approve', async () => {
      const doctor = await newMember(gateway.url, consortium);
      const candidate = newActor(gateway.url);
      const { organisationId } = await candidate.createOrganisation({
        name: 'Hopeful Clinic',
        kind: 'hospital',
      });
      await assert.rejects(doctor.approveOrganisation(organisationId), {
        code: 'access_denied',
        message: /is not an active administrator of/,
      });
      const stranger = newActor(gateway.url);
      await assert.rejects(stranger.approveOrganisation(organisationId), { code: 'access_denied' });
    });

    it('answers 404 for an unknown organisation', async () => {
      assertError(await call(gateway.url, 'GET', '/api/organisations/999'), 404, 'not_found');
      await assert.rejects(consortium.admin.approveOrganisation(999), {
        code: 'not_found',
        message: /No organisation 999/,
      });
      const outsider = await call(gateway.url, 'GET', '/api/organisations/999/members', {
        token: await tokenOf(consortium.admin),
      });
      assertError(outsider, 404, 'not_found');
    });

    it('refuses a second organisation with the same admin', async () => {
      await assert.rejects(consortium.admin.createOrganisation({ name: 'Annex', kind: 'hospital' }), {
        code: 'conflict',
        message: /is already registered in the consortium/,
      });
    });
  });

  describe('members', () => {
    it('lets the admin add a member, listed for the organisation’s members only', async () => {
      const doctor = newActor(gateway.url);
      const added = await consortium.admin.addMember({
        organisationId: consortium.organisationId,
        member: doctor.address,
        role: 'doctor',
        encryptionKey: doctor.identity.encryption.publicKey,
      });
      assert.deepEqual(
        { address: added.address, organisationId: added.organisationId, role: added.role },
        { address: doctor.address, organisationId: consortium.organisationId, role: 'doctor' },
      );
      const { members } = await doctor.members(consortium.organisationId);
      assert.deepEqual(
        members.find((m) => m.address === doctor.address),
        {
          address: doctor.address,
          role: 'doctor',
          active: true,
          encryptionKey: doctor.identity.encryption.publicKey,
        },
      );
      await assert.rejects(newActor(gateway.url).members(consortium.organisationId), { code: 'not_found' });
    });

    it('refuses an action submitted by a session other than its signer (403)', async () => {
      const doctor = await newMember(gateway.url, consortium);
      const member = newActor(gateway.url);
      const response = await call(gateway.url, 'POST', '/api/members', {
        token: await tokenOf(doctor),
        body: await addMemberBody(consortium.admin, member),
      });
      assert.match(
        assertError(response, 403, 'access_denied'),
        /signed in as .* but this member registration is signed for/,
      );
      assert.equal((await member.me()).member, null);
    });

    it('refuses a signature by another key (400, the contract error decoded)', async () => {
      const member = newActor(gateway.url);
      const response = await call(gateway.url, 'POST', '/api/members', {
        token: await tokenOf(consortium.admin),
        body: await addMemberBody(consortium.admin, member, { signer: newActor(gateway.url).identity }),
      });
      const message = assertError(response, 400, 'invalid_input');
      assert.match(message, /The signature does not come from/);
      assert.match(
        (response.body as { error: { details: string } }).error.details,
        /^SignedActionInvalidSignature\(/,
      );
      assert.equal((await member.me()).member, null);
    });

    it('refuses the same signed action twice: its nonce is used (409)', async () => {
      const member = newActor(gateway.url);
      const token = await tokenOf(consortium.admin);
      const body = await addMemberBody(consortium.admin, member);
      const first = await call(gateway.url, 'POST', '/api/members', { token, body });
      assert.equal(first.status, 201, first.text);
      const replay = await call(gateway.url, 'POST', '/api/members', { token, body });
      assert.match(assertError(replay, 409, 'conflict'), /was used already/);
      assert.equal((await member.me()).member?.organisationId, consortium.organisationId);
    });

    it('refuses a signed action past its deadline (400)', async () => {
      const member = newActor(gateway.url);
      const response = await call(gateway.url, 'POST', '/api/members', {
        token: await tokenOf(consortium.admin),
        body: await addMemberBody(consortium.admin, member, {
          deadline: BigInt(Math.floor(Date.now() / 1000) - 60),
        }),
      });
      assert.match(assertError(response, 400, 'invalid_input'), /has expired/);
      assert.equal((await member.me()).member, null);
    });

    it('refuses a member added by someone who is not the organisation’s admin (403)', async () => {
      const doctor = await newMember(gateway.url, consortium);
      const member = newActor(gateway.url);
      const response = await call(gateway.url, 'POST', '/api/members', {
        token: await tokenOf(doctor),
        body: await addMemberBody(doctor, member),
      });
      assert.match(assertError(response, 403, 'access_denied'), /is not an active administrator of/);
      // Nor may an admin add members to an organisation that does not exist.
      const elsewhere = await call(gateway.url, 'POST', '/api/members', {
        token: await tokenOf(consortium.admin),
        body: await addMemberBody(consortium.admin, member, { organisationId: 999 }),
      });
      assertError(elsewhere, 403, 'access_denied');
    });

    it('refuses the same member twice (409)', async () => {
      const doctor = await newMember(gateway.url, consortium);
      await assert.rejects(
        consortium.admin.addMember({
          organisationId: consortium.organisationId,
          member: doctor.address,
          role: 'nurse',
          encryptionKey: doctor.identity.encryption.publicKey,
        }),
        { code: 'conflict', message: /is already registered in the consortium/ },
      );
    });

    it('suspends a member once; a second suspension is a conflict and self-suspension is refused', async () => {
      const nurse = await newMember(gateway.url, consortium, 'nurse');
      const suspended = await consortium.admin.suspendMember(nurse.address);
      assert.deepEqual(
        { address: suspended.address, active: suspended.active },
        { address: nurse.address, active: false },
      );
      const { members } = await consortium.admin.members(consortium.organisationId);
      assert.equal(members.find((m) => m.address === nurse.address)?.active, false);
      assert.equal((await nurse.me()).member?.active, false);

      await assert.rejects(consortium.admin.suspendMember(nurse.address), {
        code: 'conflict',
        message: /is suspended already/,
      });
      await assert.rejects(consortium.admin.suspendMember(consortium.admin.address), {
        code: 'invalid_input',
        message: /cannot suspend itself/,
      });
      const doctor = await newMember(gateway.url, consortium);
      await assert.rejects(doctor.suspendMember(consortium.admin.address), { code: 'access_denied' });
      await assert.rejects(consortium.admin.suspendMember(newActor(gateway.url).address), {
        code: 'not_found',
      });
    });
  });

  describe('patients', () => {
    it('registers a patient with its custodian organisation, once', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const me = await patient.me();
      assert.deepEqual(me.patient, {
        registered: true,
        encryptionKey: patient.identity.encryption.publicKey,
        organisationId: consortium.organisationId,
      });
      const keys = await call(gateway.url, 'GET', `/api/patients/${patient.address}`, {
        token: await tokenOf(consortium.admin),
      });
      assert.equal(keys.status, 200);
      const ledger = (await call(gateway.url, 'GET', '/api/ledger')).body as {
        custodian: { encryptionKey: string };
      };
      assert.deepEqual(keys.body, {
        address: patient.address,
        encryptionKey: patient.identity.encryption.publicKey,
        organisationId: consortium.organisationId,
        custodian: {
          organisationId: consortium.organisationId,
          encryptionKey: ledger.custodian.encryptionKey,
        },
      });
      await assert.rejects(patient.registerPatient({ organisationId: consortium.organisationId }), {
        code: 'conflict',
      });
    });

    it('refuses a patient whose custodian organisation is not active', async () => {
      await assert.rejects(newActor(gateway.url).registerPatient({ organisationId: 999 }), {
        code: 'invalid_input',
        message: /Organisation 999 is not active/,
      });
    });
  });
});
