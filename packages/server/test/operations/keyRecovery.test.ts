/** The key backup and recovery operations, called without HTTP on a real gateway (anvil + SQLite). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import {
  base64urlToBytes,
  bytesToBase64url,
  bytesToHex,
  consortiumTypes,
  createKeyBackup,
  digestOf,
  generateEncryptionKeyPair,
  generateIdentity,
  parseKeyBackup,
  randomBytes,
  resealGuardianShare,
  utf8ToBytes,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import { getKeyBackup, storeKeyBackup } from '../../src/operations/keyBackups.ts';
import {
  approveKeyRecovery,
  keyRecoveryRequest,
  keyRecoveryShares,
  maxOpenRecoveryRequests,
  pendingKeyRecoveries,
  startKeyRecovery,
} from '../../src/operations/keyRecovery.ts';
import { type Consortium, foundConsortium, newActor, newMember, newPatient } from '../helpers/actors.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { sessionOf } from '../helpers/sessions.ts';

const unixNow = () => Math.floor(Date.now() / 1000);

describe('key backup and recovery operations', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let patient: GatewayClient;
  let guardians: [GatewayClient, GatewayClient, GatewayClient];
  let outsider: GatewayClient;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    const [first, second, third, owner, stranger] = await Promise.all([
      newMember(gateway.url, consortium),
      newMember(gateway.url, consortium, 'nurse'),
      newPatient(gateway.url, consortium),
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    guardians = [first, second, third];
    patient = owner;
    outsider = stranger;
  });
  after(() => gateway.stop());

  /** A backup of `owner`'s keys among `sealedTo` (guardian and the key its share is sealed to), signed by `owner`. */
  async function backupBody(owner: GatewayClient, sealedTo: { guardian: Address; publicKey: Hex }[]) {
    const { bytes, backup, backupHash } = await createKeyBackup({
      identity: owner.identity,
      guardians: sealedTo,
      threshold: 2,
    });
    const signed = await owner.signAction('consortium', consortiumTypes, 'CommitKeyBackup', {
      patient: owner.address,
      backupId: backup.backupId,
      backupHash,
    });
    return { backup, backupHash, body: { backup: bytesToBase64url(bytes), ...signed } };
  }

  const sealedToGuardians = () =>
    guardians.map((g) => ({ guardian: g.address, publicKey: g.identity.encryption.publicKey }));

  /** A device's recovery request for `owner`, as the client makes it. */
  function recoveryAsk(owner: Address) {
    const recovery = generateEncryptionKeyPair();
    const token = bytesToBase64url(randomBytes(32));
    const body = {
      requestId: bytesToHex(randomBytes(32)),
      patient: owner,
      recoveryKey: recovery.publicKey,
      createdAt: unixNow(),
      tokenHash: digestOf(utf8ToBytes(token)),
    };
    return { body, token };
  }

  async function auditedUnder(owner: GatewayClient, action: string, actor: Address, outcome: string) {
    const { events } = await owner.audit();
    return events.some(
      (e) => e.action === action && e.actor === actor.toLowerCase() && e.outcome === outcome,
    );
  }

  it('stores a backup and commits it on chain; only the patient and its guardians read it', async () => {
    const { backup, backupHash, body } = await backupBody(patient, sealedToGuardians());
    const stored = await storeKeyBackup(gateway.services, sessionOf(patient), body);
    assert.deepEqual(
      { ...stored, transactionHash: undefined, blockNumber: undefined },
      {
        patient: patient.address,
        backupId: backup.backupId,
        backupHash,
        threshold: 2,
        guardians: guardians.map((g) => g.address.toLowerCase()),
        transactionHash: undefined,
        blockNumber: undefined,
      },
    );
    for (const reader of [patient, guardians[2]]) {
      const read = await getKeyBackup(gateway.services, sessionOf(reader), { patient: patient.address });
      assert.equal(read.backup, body.backup);
      assert.deepEqual(
        { ...read.committed, signer: read.committed.signer.toLowerCase(), committedAt: undefined },
        {
          backupId: backup.backupId,
          backupHash,
          signer: patient.address,
          committedAt: undefined,
          holdsCurrentKey: true,
        },
      );
    }
    await assert.rejects(getKeyBackup(gateway.services, sessionOf(outsider), { patient: patient.address }), {
      code: 'not_found',
      reason: 'no_such_key_backup',
    });
    assert.ok(await auditedUnder(patient, 'key-backup-read', outsider.address, 'denied'));
    await assert.rejects(getKeyBackup(gateway.services, sessionOf(patient), { patient: outsider.address }), {
      code: 'not_found',
      reason: 'no_such_key_backup',
    });
  });

  it('refuses a backup of someone else, of a non-patient, or with guardians it cannot seal to', async () => {
    const other = await newPatient(gateway.url, consortium);
    const good = await backupBody(other, sealedToGuardians());
    await assert.rejects(storeKeyBackup(gateway.services, sessionOf(guardians[0]), good.body), {
      code: 'access_denied',
      reason: 'not_the_signer',
    });
    const unregistered = newActor(gateway.url);
    await assert.rejects(
      storeKeyBackup(
        gateway.services,
        sessionOf(unregistered),
        (await backupBody(unregistered, sealedToGuardians())).body,
      ),
      { code: 'not_found', reason: 'not_a_patient' },
    );
    const stranger = generateIdentity();
    await assert.rejects(
      storeKeyBackup(
        gateway.services,
        sessionOf(other),
        (
          await backupBody(other, [
            { guardian: guardians[0].address, publicKey: stranger.encryption.publicKey },
            { guardian: guardians[1].address, publicKey: guardians[1].identity.encryption.publicKey },
          ])
        ).body,
      ),
      {
        code: 'invalid_input',
        reason: 'guardian_key_mismatch',
        fields: { guardian: guardians[0].address.toLowerCase() },
      },
    );
    const nobody = newActor(gateway.url, stranger);
    await assert.rejects(
      storeKeyBackup(
        gateway.services,
        sessionOf(other),
        (
          await backupBody(other, [
            { guardian: nobody.address, publicKey: stranger.encryption.publicKey },
            { guardian: guardians[1].address, publicKey: guardians[1].identity.encryption.publicKey },
          ])
        ).body,
      ),
      {
        code: 'invalid_input',
        reason: 'guardian_not_registered',
        fields: { guardian: nobody.address.toLowerCase() },
      },
    );
  });

  it('opens a recovery request; refuses one off the clock, a reused id, and a patient without a backup', async () => {
    const { body } = recoveryAsk(patient.address);
    const started = await startKeyRecovery(gateway.services, body);
    assert.deepEqual([started.threshold, started.guardianCount], [2, 3]);
    assert.equal(started.request.requestId, body.requestId);
    assert.ok(started.expiresAt >= unixNow() + 72 * 3600 - 60);
    await assert.rejects(startKeyRecovery(gateway.services, body), {
      code: 'conflict',
      reason: 'recovery_request_exists',
    });
    const late = recoveryAsk(patient.address).body;
    await assert.rejects(startKeyRecovery(gateway.services, { ...late, createdAt: unixNow() - 3600 }), {
      code: 'invalid_input',
      reason: 'clock_skew',
    });
    await assert.rejects(startKeyRecovery(gateway.services, recoveryAsk(outsider.address).body), {
      code: 'not_found',
      reason: 'no_such_key_backup',
    });
  });

  it('lets guardians read and approve a request with their own share; the token holder fetches the shares', async () => {
    const { body, token } = recoveryAsk(patient.address);
    const { request } = await startKeyRecovery(gateway.services, body);
    const requestId = request.requestId;

    const pending = await pendingKeyRecoveries(gateway.services, sessionOf(guardians[0]));
    assert.ok(pending.requests.some((p) => p.request.requestId === requestId && !p.approved));
    assert.deepEqual((await pendingKeyRecoveries(gateway.services, sessionOf(outsider))).requests, []);

    const details = await keyRecoveryRequest(gateway.services, sessionOf(guardians[0]), requestId);
    assert.deepEqual([details.request, details.approvals], [request, []]);
    await assert.rejects(keyRecoveryRequest(gateway.services, sessionOf(outsider), requestId), {
      code: 'not_found',
      reason: 'no_such_recovery_request',
    });
    assert.ok(await auditedUnder(patient, 'key-recovery-read', outsider.address, 'denied'));
    await assert.rejects(
      keyRecoveryRequest(gateway.services, sessionOf(guardians[0]), bytesToHex(randomBytes(32))),
      {
        code: 'not_found',
        reason: 'no_such_recovery_request',
      },
    );

    const backup = parseKeyBackup(base64urlToBytes(details.backup));
    const shareOf = async (guardian: GatewayClient) => {
      const sealed = await resealGuardianShare(
        backup,
        guardian.address,
        guardian.identity.encryption.secretKey,
        request,
      );
      return { share: sealed.share, enc: bytesToBase64url(sealed.enc), ct: bytesToBase64url(sealed.ct) };
    };
    const first = await shareOf(guardians[0]);
    assert.deepEqual(await approveKeyRecovery(gateway.services, sessionOf(guardians[0]), requestId, first), {
      requestId,
      approvals: 1,
      threshold: 2,
    });
    await assert.rejects(approveKeyRecovery(gateway.services, sessionOf(guardians[0]), requestId, first), {
      code: 'conflict',
      reason: 'already_approved',
    });
    await assert.rejects(approveKeyRecovery(gateway.services, sessionOf(outsider), requestId, first), {
      code: 'access_denied',
      reason: 'not_a_guardian',
    });
    const second = await shareOf(guardians[1]);
    await assert.rejects(
      approveKeyRecovery(gateway.services, sessionOf(guardians[1]), requestId, {
        ...second,
        share: first.share,
      }),
      { code: 'access_denied', reason: 'wrong_share_index', fields: { share: second.share } },
    );
    await assert.rejects(
      approveKeyRecovery(gateway.services, sessionOf(guardians[1]), requestId, { ...second, ct: second.enc }),
      { code: 'invalid_input', reason: 'invalid_sealed_share' },
    );
    assert.ok(await auditedUnder(patient, 'key-recovery-approve', guardians[0].address, 'allowed'));
    assert.ok(await auditedUnder(patient, 'key-recovery-approve', outsider.address, 'denied'));
    assert.ok(await auditedUnder(patient, 'key-recovery-approve', guardians[1].address, 'denied'));

    await assert.rejects(
      keyRecoveryShares(gateway.services, requestId, { token: bytesToBase64url(randomBytes(32)) }),
      { code: 'access_denied', reason: 'wrong_recovery_token' },
    );
    const fetched = await keyRecoveryShares(gateway.services, requestId, { token });
    assert.deepEqual(fetched.request, request);
    assert.deepEqual(fetched.backup, {
      backupId: backup.backupId,
      patient: backup.patient,
      signer: backup.signer,
      encryptionKey: backup.encryptionKey,
      threshold: 2,
      guardianCount: 3,
    });
    assert.deepEqual(fetched.shares, [{ guardian: guardians[0].address.toLowerCase(), ...first }]);
    assert.ok(await auditedUnder(patient, 'key-recovery-shares', patient.address, 'allowed'));
    assert.ok(await auditedUnder(patient, 'key-recovery-shares', patient.address, 'denied'));
  });
  it('makes room by dropping the oldest unapproved request, refuses when all are approved, and drops requests of a replaced backup', async () => {
    const owner = await newPatient(gateway.url, consortium);
    await storeKeyBackup(
      gateway.services,
      sessionOf(owner),
      (await backupBody(owner, sealedToGuardians())).body,
    );
    const approve = async (requestId: Hex) => {
      const details = await keyRecoveryRequest(gateway.services, sessionOf(guardians[0]), requestId);
      const sealed = await resealGuardianShare(
        parseKeyBackup(base64urlToBytes(details.backup)),
        guardians[0].address,
        guardians[0].identity.encryption.secretKey,
        details.request,
      );
      await approveKeyRecovery(gateway.services, sessionOf(guardians[0]), requestId, {
        share: sealed.share,
        enc: bytesToBase64url(sealed.enc),
        ct: bytesToBase64url(sealed.ct),
      });
    };
    const open: Hex[] = [];
    for (let index = 0; index < maxOpenRecoveryRequests; index++) {
      open.push(
        (await startKeyRecovery(gateway.services, recoveryAsk(owner.address).body)).request.requestId,
      );
    }
    for (const requestId of open.slice(1)) await approve(requestId);
    // The eleventh pushes out the only unapproved one, the first.
    const eleventh = (await startKeyRecovery(gateway.services, recoveryAsk(owner.address).body)).request
      .requestId;
    await assert.rejects(keyRecoveryRequest(gateway.services, sessionOf(guardians[0]), open[0]!), {
      code: 'not_found',
      reason: 'no_such_recovery_request',
    });
    await approve(eleventh);
    await assert.rejects(startKeyRecovery(gateway.services, recoveryAsk(owner.address).body), {
      code: 'conflict',
      reason: 'too_many_recovery_requests',
      fields: { maxOpenRequests: maxOpenRecoveryRequests },
    });

    await storeKeyBackup(
      gateway.services,
      sessionOf(owner),
      (await backupBody(owner, sealedToGuardians())).body,
    );
    await assert.rejects(keyRecoveryRequest(gateway.services, sessionOf(guardians[0]), eleventh), {
      code: 'conflict',
      reason: 'key_backup_replaced',
    });
  });
});
