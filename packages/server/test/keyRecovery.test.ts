/**
 * Key backup to guardians and recovery on a new device, through a real gateway and chain: two of
 * three guardians recover the patient's keys, one does not; only guardians see the backup and the
 * requests; a wrong code approves nothing; a backup changed at the gateway is caught against the
 * chain; a backup of a key rotated out serves no more.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  approveKeyRecovery,
  backUpKey,
  createGatewayClient,
  finishKeyRecovery,
  type GatewayClient,
  keyBackupOf,
  keyRecoveryRequest,
  newPatientKeys,
  pendingKeyRecoveries,
  rotateKey,
  startKeyRecovery,
} from '@medledger/client';
import {
  AccessDeniedError,
  bytesToBase64url,
  bytesToHex,
  ConflictError,
  consortiumTypes,
  createKeyBackup,
  generateIdentity,
  IntegrityError,
  InvalidInputError,
  keyBackupHash,
  NotFoundError,
  randomBytes,
  recoveryRequestCode,
} from '@medledger/core';
import type { Hex } from 'viem';
import { openSqlDatabase } from '../src/store/gatewayStores.ts';
import { type Consortium, foundConsortium, newMember, newPatient, signIn } from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';
import { labResult } from './helpers/records.ts';

let gateway: TestGateway;
let consortium: Consortium;
let patient: GatewayClient;
let guardians: [GatewayClient, GatewayClient, GatewayClient];
let outsider: GatewayClient;
let recordId: Hex;

before(async () => {
  gateway = await startTestGateway();
  consortium = await foundConsortium(gateway.url);
  const [first, second, outsiderMember, third, owner] = await Promise.all([
    newMember(gateway.url, consortium),
    newMember(gateway.url, consortium, 'nurse'),
    newMember(gateway.url, consortium),
    newPatient(gateway.url, consortium),
    newPatient(gateway.url, consortium),
  ]);
  guardians = [first, second, third];
  outsider = outsiderMember;
  patient = owner;
  ({ recordId } = await patient.addRecord({
    patient: patient.address,
    category: 'lab',
    resource: labResult(),
  }));
  await backUpKey(patient, { guardians: guardians.map((g) => g.address), threshold: 2 });
});

after(() => gateway?.stop());

describe('key backup and recovery', () => {
  it('stores the backup, commits its hash on chain, and shows it to the patient and its guardians', async () => {
    const mine = await keyBackupOf(patient, patient.address);
    assert.equal(mine.backup.threshold, 2);
    assert.deepEqual(
      mine.backup.guardians.map((g) => g.guardian),
      guardians.map((g) => g.address.toLowerCase()),
    );
    assert.equal(mine.committed.holdsCurrentKey, true);
    assert.equal(mine.committed.signer.toLowerCase(), patient.address);
    const seenByGuardian = await keyBackupOf(guardians[2], patient.address);
    assert.deepEqual(seenByGuardian.backup, mine.backup);
    await assert.rejects(keyBackupOf(outsider, patient.address), NotFoundError);
  });

  it('recovers the patient’s keys on a new device with two of its three guardians', async () => {
    const pending = await startKeyRecovery(gateway.url, patient.address);
    assert.equal(pending.threshold, 2);
    assert.equal(pending.guardianCount, 3);
    assert.equal(pending.code, recoveryRequestCode(pending.request));

    // A guardian sees the request, with the code computed on its side, before approving.
    const seen = await keyRecoveryRequest(guardians[0], pending.request.requestId);
    assert.equal(seen.code, pending.code);
    assert.equal(seen.request.patient, patient.address);
    assert.deepEqual(
      (await pendingKeyRecoveries(guardians[1])).map((p) => p.request.requestId),
      [pending.request.requestId],
    );

    const first = await approveKeyRecovery(guardians[0], pending.request.requestId, pending.code);
    assert.deepEqual([first.approvals, first.threshold], [1, 2]);
    // The code as a person types it is accepted.
    await approveKeyRecovery(
      guardians[2],
      pending.request.requestId,
      pending.code.toLowerCase().replace(/-/g, ' '),
    );

    const recovered = await finishKeyRecovery(pending);
    assert.deepEqual(recovered, patient.identity);
    const onNewDevice = createGatewayClient({ url: gateway.url, identity: recovered });
    assert.deepEqual((await onNewDevice.readRecord(recordId)).resource, labResult());

    // The approvals are in the patient's audit trail.
    const { events } = await onNewDevice.audit();
    const approvals = events.filter((e) => e.action === 'key-recovery-approve' && e.outcome === 'allowed');
    assert.deepEqual(
      approvals.map((e) => e.actor).sort(),
      [guardians[0].address, guardians[2].address].map((a) => a.toLowerCase()).sort(),
    );
  });

  it('fails clearly with one guardian short', async () => {
    const pending = await startKeyRecovery(gateway.url, patient.address);
    await approveKeyRecovery(guardians[1], pending.request.requestId, pending.code);
    await assert.rejects(finishKeyRecovery(pending), (error: unknown) => {
      assert.ok(error instanceof AccessDeniedError, String(error));
      assert.match(error.shortMessage, /Only 1 of the 2 guardian shares/);
      return true;
    });
  });

  it('approves nothing when the code does not match the request', async () => {
    const pending = await startKeyRecovery(gateway.url, patient.address);
    // The code of the same request with another recovery key: what a swapped request would show.
    const swapped = recoveryRequestCode({ ...pending.request, recoveryKey: bytesToHex(randomBytes(32)) });
    await assert.rejects(
      approveKeyRecovery(guardians[0], pending.request.requestId, swapped),
      AccessDeniedError,
    );
    assert.deepEqual((await keyRecoveryRequest(guardians[0], pending.request.requestId)).approvals, []);
  });

  it('lets only guardians read a request, each post only its own share, once, and only the device fetch them', async () => {
    const pending = await startKeyRecovery(gateway.url, patient.address);
    const id = pending.request.requestId;
    await assert.rejects(keyRecoveryRequest(outsider, id), NotFoundError);
    assert.deepEqual(await pendingKeyRecoveries(outsider), []);

    const share = { share: 1, enc: bytesToBase64url(randomBytes(32)), ct: bytesToBase64url(randomBytes(80)) };
    const outsiderToken = await signIn(gateway.url, outsider.identity);
    assertError(
      await call(gateway.url, 'POST', `/api/key-recovery/requests/${id}/approvals`, {
        token: outsiderToken,
        body: share,
      }),
      403,
      'access_denied',
    );
    const { backup } = await keyRecoveryRequest(guardians[0], id);
    const indexOf = (g: GatewayClient) =>
      backup.guardians.find((e) => e.guardian === g.address.toLowerCase())!.share;
    const guardianToken = await signIn(gateway.url, guardians[0].identity);
    assertError(
      await call(gateway.url, 'POST', `/api/key-recovery/requests/${id}/approvals`, {
        token: guardianToken,
        body: { ...share, share: indexOf(guardians[1]) },
      }),
      403,
      'access_denied',
    );
    await approveKeyRecovery(guardians[0], id, pending.code);
    await assert.rejects(approveKeyRecovery(guardians[0], id, pending.code), ConflictError);

    const wrongToken = bytesToBase64url(randomBytes(32));
    assertError(
      await call(gateway.url, 'POST', `/api/key-recovery/requests/${id}/shares`, {
        body: { token: wrongToken },
      }),
      403,
      'access_denied',
    );
    assertError(
      await call(gateway.url, 'POST', `/api/key-recovery/requests/${bytesToHex(randomBytes(32))}/shares`, {
        body: { token: wrongToken },
      }),
      404,
      'not_found',
    );
    const { events } = await patient.audit();
    assert.ok(
      events.some(
        (e) => e.action === 'key-recovery-read' && e.actor === outsider.address && e.outcome === 'denied',
      ),
    );
    assert.ok(
      events.some(
        (e) => e.action === 'key-recovery-approve' && e.actor === outsider.address && e.outcome === 'denied',
      ),
    );
  });

  it('refuses requests for patients without a backup; a flood of requests pushes out only unapproved ones', async () => {
    await assert.rejects(startKeyRecovery(gateway.url, outsider.address), NotFoundError);
    const other = await newPatient(gateway.url, consortium);
    await backUpKey(other, { guardians: [guardians[0].address, guardians[1].address], threshold: 2 });
    const approved = await startKeyRecovery(gateway.url, other.address);
    await approveKeyRecovery(guardians[0], approved.request.requestId, approved.code);
    const flood = [];
    for (let i = 0; i < 10; i++) flood.push(await startKeyRecovery(gateway.url, other.address));
    // At most ten are open: the last request pushed out the oldest unapproved one, not the approved one.
    await assert.rejects(keyRecoveryRequest(guardians[0], flood[0]!.request.requestId), NotFoundError);
    assert.equal(
      (await keyRecoveryRequest(guardians[0], flood[1]!.request.requestId)).request.patient,
      other.address,
    );
    await approveKeyRecovery(guardians[1], approved.request.requestId, approved.code);
    assert.deepEqual(await finishKeyRecovery(approved), other.identity);
  });

  it('checks backups: guardians must be registered, with their registered keys, and k at least 2', async () => {
    const stranger = generateIdentity();
    await assert.rejects(
      backUpKey(patient, { guardians: [guardians[0].address, stranger.address], threshold: 2 }),
      NotFoundError,
    );
    await assert.rejects(
      backUpKey(patient, { guardians: [guardians[0].address, guardians[1].address], threshold: 1 }),
      InvalidInputError,
    );
    // A backup sealed to a key the guardian did not register is refused by the gateway.
    const { bytes, backup } = await createKeyBackup({
      identity: patient.identity,
      guardians: [
        { guardian: guardians[0].address, publicKey: stranger.encryption.publicKey },
        { guardian: guardians[1].address, publicKey: guardians[1].identity.encryption.publicKey },
      ],
      threshold: 2,
    });
    const body = {
      backup: bytesToBase64url(bytes),
      ...(await patient.signAction('consortium', consortiumTypes, 'CommitKeyBackup', {
        patient: patient.address,
        backupId: backup.backupId,
        backupHash: keyBackupHash(bytes),
      })),
    };
    await assert.rejects(patient.call('POST', '/api/key-backups', body), (error: unknown) => {
      assert.ok(error instanceof InvalidInputError, String(error));
      assert.match(error.shortMessage, /not sealed to its registered key/);
      return true;
    });
    // Nobody but the patient stores a backup of the patient's keys.
    const impostorToken = await signIn(gateway.url, guardians[0].identity);
    assertError(
      await call(gateway.url, 'POST', '/api/key-backups', { token: impostorToken, body }),
      403,
      'access_denied',
    );
    assert.equal((await keyBackupOf(patient, patient.address)).committed.holdsCurrentKey, true);
  });

  it('detects a backup changed at the gateway against the chain', async () => {
    const pending = await startKeyRecovery(gateway.url, patient.address);
    const database = await openSqlDatabase(gateway.storeLocation);
    try {
      const backup = String(
        (
          await database.get('SELECT backup FROM key_backups WHERE patient = $patient', {
            patient: patient.address,
          })
        )?.backup,
      );
      const changed = JSON.parse(backup);
      changed.guardians[0].ct = bytesToBase64url(randomBytes(80));
      await database.run('UPDATE key_backups SET backup = $backup WHERE patient = $patient', {
        backup: JSON.stringify(changed),
        patient: patient.address,
      });
      await assert.rejects(keyBackupOf(patient, patient.address), IntegrityError);
      await assert.rejects(
        approveKeyRecovery(guardians[0], pending.request.requestId, pending.code),
        IntegrityError,
      );
      await database.run('UPDATE key_backups SET backup = $backup WHERE patient = $patient', {
        backup,
        patient: patient.address,
      });
    } finally {
      await database.close();
    }
    await approveKeyRecovery(guardians[0], pending.request.requestId, pending.code);
  });

  it('stops serving a backup of a key rotated out; the new key is backed up and recovered the same way', async () => {
    const other = await newPatient(gateway.url, consortium);
    await backUpKey(other, { guardians: [guardians[0].address, guardians[2].address], threshold: 2 });
    const next = newPatientKeys(other);
    await rotateKey(other, next);
    await assert.rejects(startKeyRecovery(gateway.url, other.address), (error: unknown) => {
      assert.ok(error instanceof ConflictError, String(error));
      assert.match(error.shortMessage, /rotated out/);
      return true;
    });
    const rotated = createGatewayClient({ url: gateway.url, identity: next });
    await backUpKey(rotated, { guardians: [guardians[0].address, guardians[2].address], threshold: 2 });
    const pending = await startKeyRecovery(gateway.url, other.address);
    for (const guardian of [guardians[0], guardians[2]]) {
      await approveKeyRecovery(guardian, pending.request.requestId, pending.code);
    }
    const recovered = await finishKeyRecovery(pending);
    assert.deepEqual(recovered, next);
    assert.equal(recovered.address, other.identity.address, 'the patient keeps its id');
  });
});
