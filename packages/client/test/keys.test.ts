/**
 * The key actions against a real gateway: backup to guardians, recovery on a new device with k of
 * them, and rotation to new keys that keep the patient's records readable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addRecord,
  approveKeyRecovery,
  backUpKey,
  createGatewayClient,
  finishKeyRecovery,
  type GatewayClient,
  keepRecordsReadable,
  keyBackupOf,
  keyRecoveryRequest,
  me,
  newPatientKeys,
  pendingKeyRecoveries,
  readRecord,
  registerPatient,
  rotateKey,
  signKeyRotation,
  startKeyRecovery,
} from '@medledger/client';
import {
  AccessDeniedError,
  bytesToBase64url,
  generateIdentity,
  IntegrityError,
  NotFoundError,
  randomBytes,
  signerAddressOf,
  UnauthenticatedError,
} from '@medledger/core';
import type { Hex } from 'viem';
import {
  type Consortium,
  foundConsortium,
  labResult,
  medication,
  newActor,
  newMember,
  newPatient,
  rejectsWith,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

describe('key actions', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let patient: GatewayClient;
  let guardians: [GatewayClient, GatewayClient, GatewayClient];
  let outsider: GatewayClient;
  let recordId: Hex;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    const [first, second, third, stranger, owner] = await Promise.all([
      newMember(gateway.url, consortium),
      newMember(gateway.url, consortium, 'nurse'),
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
      newPatient(gateway.url, consortium),
    ]);
    guardians = [first, second, third];
    outsider = stranger;
    patient = owner;
    ({ recordId } = await addRecord(patient, {
      patient: patient.address,
      category: 'lab',
      resource: labResult(),
    }));
  });
  after(() => gateway.stop());

  describe('backup and recovery', () => {
    it('backUpKey: splits the keys 2-of-3 among guardians and commits the backup on chain', async () => {
      const created = await backUpKey(patient, { guardians: guardians.map((g) => g.address), threshold: 2 });
      assert.deepEqual(
        [created.patient, created.threshold, created.guardians],
        [patient.address, 2, guardians.map((g) => g.address)],
      );
      assert.match(created.backupHash, /^0x[0-9a-f]{64}$/);
    });

    it('keyBackupOf: the patient and its guardians see the backup, checked against the chain; others do not', async () => {
      const mine = await keyBackupOf(patient, patient.address);
      assert.equal(mine.backup.threshold, 2);
      assert.deepEqual(
        mine.backup.guardians.map((g) => g.guardian),
        guardians.map((g) => g.address),
      );
      assert.equal(mine.committed.holdsCurrentKey, true);
      assert.deepEqual((await keyBackupOf(guardians[1], patient.address)).backup, mine.backup);
      await rejectsWith(keyBackupOf(outsider, patient.address), NotFoundError, 'no_such_key_backup');
    });

    it('startKeyRecovery: a device without keys asks for the shares and shows a code', async () => {
      const pending = await startKeyRecovery(gateway.url, patient.address);
      assert.deepEqual(
        [pending.server, pending.request.patient, pending.threshold, pending.guardianCount],
        [gateway.url, patient.address, 2, 3],
      );
      assert.match(pending.code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
      await rejectsWith(startKeyRecovery(gateway.url, outsider.address), NotFoundError, 'no_such_key_backup');
    });

    it('keyRecoveryRequest: a guardian sees the request with the code computed on its side', async () => {
      const pending = await startKeyRecovery(gateway.url, patient.address);
      const seen = await keyRecoveryRequest(guardians[0], pending.request.requestId);
      assert.deepEqual([seen.code, seen.request, seen.approvals], [pending.code, pending.request, []]);
      await rejectsWith(
        keyRecoveryRequest(outsider, pending.request.requestId),
        NotFoundError,
        'no_such_recovery_request',
      );
    });

    it('pendingKeyRecoveries: the open requests of the backups one guards', async () => {
      const pending = await startKeyRecovery(gateway.url, patient.address);
      const open = await pendingKeyRecoveries(guardians[2]);
      assert.ok(open.some((p) => p.request.requestId === pending.request.requestId && !p.approved));
      assert.deepEqual(await pendingKeyRecoveries(outsider), []);
    });

    it('approveKeyRecovery: a guardian with the right code seals its share; a wrong code approves nothing', async () => {
      const pending = await startKeyRecovery(gateway.url, patient.address);
      const id = pending.request.requestId;
      const other = await startKeyRecovery(gateway.url, patient.address);
      await rejectsWith(approveKeyRecovery(guardians[0], id, other.code), AccessDeniedError, undefined);
      assert.deepEqual((await keyRecoveryRequest(guardians[0], id)).approvals, []);
      const approved = await approveKeyRecovery(
        guardians[0],
        id,
        pending.code.toLowerCase().replace(/-/g, ' '),
      );
      assert.deepEqual([approved.approvals, approved.threshold], [1, 2]);
      assert.deepEqual((await keyRecoveryRequest(guardians[1], id)).approvals, [guardians[0].address]);
    });

    it('finishKeyRecovery: two guardians’ shares rebuild the keys, which read the patient’s records', async () => {
      const pending = await startKeyRecovery(gateway.url, patient.address);
      await approveKeyRecovery(guardians[1], pending.request.requestId, pending.code);
      await rejectsWith(finishKeyRecovery(pending), AccessDeniedError, undefined);
      await approveKeyRecovery(guardians[2], pending.request.requestId, pending.code);
      const recovered = await finishKeyRecovery(pending);
      assert.deepEqual(recovered, patient.identity);
      const onNewDevice = createGatewayClient({ url: gateway.url, identity: recovered });
      assert.deepEqual((await readRecord(onNewDevice, recordId)).resource, labResult());
      // The token is the device's: a changed one fetches nothing.
      await rejectsWith(
        finishKeyRecovery({ ...pending, token: bytesToBase64url(randomBytes(32)) }),
        AccessDeniedError,
        'wrong_recovery_token',
      );
    });
  });

  describe('rotation', () => {
    it('newPatientKeys: a new signing key acting for the same address, and a new encryption key', () => {
      const next = newPatientKeys(patient);
      assert.equal(next.address.toLowerCase(), patient.address);
      assert.notEqual(signerAddressOf(next), signerAddressOf(patient.identity));
      assert.notEqual(next.encryption.publicKey, patient.identity.encryption.publicKey);
    });

    it('signKeyRotation: the rotation signed by the current key and the new one, for the same patient only', async () => {
      const next = newPatientKeys(patient);
      const body = await signKeyRotation(patient, next);
      assert.deepEqual(
        [body.newSigner, body.encryptionKey],
        [signerAddressOf(next), next.encryption.publicKey],
      );
      assert.notEqual(body.signature, body.newSignerSignature);
      await rejectsWith(signKeyRotation(patient, generateIdentity()), IntegrityError, undefined);
    });

    it('rotateKey: the new keys act for the patient; the old key signs in no more', async () => {
      const owner = await newPatient(gateway.url, consortium);
      const { recordId: written } = await addRecord(owner, {
        patient: owner.address,
        category: 'medication',
        resource: medication(),
      });
      const next = newPatientKeys(owner);
      const rotated = await rotateKey(owner, next);
      assert.equal(rotated.patient, owner.address);
      const onNewKeys = createGatewayClient({ url: gateway.url, identity: next });
      assert.equal((await me(onNewKeys)).patient?.encryptionKey, next.encryption.publicKey);
      // Its custodian re-seals the record to the new key.
      assert.deepEqual((await readRecord(onNewKeys, written)).resource, medication());
      const oldKey = createGatewayClient({ url: gateway.url, identity: owner.identity });
      await rejectsWith(oldKey.signIn(), UnauthenticatedError, 'signer_rotated_out');
    });

    it('keepRecordsReadable: re-encrypts under the new keys the records no custodian holds', async () => {
      // A patient with no custodian: its records are sealed to itself only.
      const solo = newActor(gateway.url);
      await registerPatient(solo, { organisationId: 0 });
      const { recordId: sealedToSelf } = await addRecord(solo, {
        patient: solo.address,
        category: 'lab',
        resource: labResult('Glucose 5.2 mmol/L'),
      });
      const next = newPatientKeys(solo);
      await rotateKey(solo, next);
      const after = createGatewayClient({ url: gateway.url, identity: next });
      const report = await keepRecordsReadable(solo.identity, after);
      assert.deepEqual([report.readable, report.unreadable], [[], []]);
      assert.deepEqual(
        report.reencrypted.map((r) => r.recordId),
        [sealedToSelf],
      );
      const { resource } = await readRecord(after, report.reencrypted[0]!.newRecordId);
      assert.deepEqual(resource, labResult('Glucose 5.2 mmol/L'));
    });
  });
});
