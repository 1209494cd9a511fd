import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Address, LocalAccount } from 'viem';
import {
  action,
  addMember,
  anchorRecords,
  authorisingGrant as authorisingGrantOf,
  commitKeyBackup,
  denyRequest,
  grant,
  isAuthorised,
  newAccount,
  newRecord,
  proposeOrganisation,
  randomBytes32,
  randomNonce,
  registerPatient,
  requestAccess,
  revoke,
  rotatePatientKey,
  signedRecord,
  zeroAddress,
  zeroHash,
} from './helpers/actions.ts';
import { type Consortium, setUpConsortium } from './helpers/fixtures.ts';
import {
  assertEvents,
  assertRevert,
  deployLedger,
  isolateEachTest,
  type TestLedger,
} from './helpers/ledger.ts';

describe('PatientKeys (in Consortium)', () => {
  let ledger: TestLedger;
  let c: Consortium;
  before(async () => {
    ledger = await deployLedger();
    c = await setUpConsortium(ledger);
  });
  after(() => ledger.stop());
  isolateEachTest(() => ledger);

  const signerOf = (account: Address) => ledger.read<Address>('consortium', 'signerOf', [account]);
  const patientOfSigner = (signer: Address) =>
    ledger.read<Address>('consortium', 'patientOfSigner', [signer]);
  const encryptionKeyOf = async (patient: Address) =>
    (await ledger.read<{ encryptionKey: string }>('consortium', 'patient', [patient])).encryptionKey;

  /** Rotates `c.patient` from `current` to a fresh key and returns it. */
  async function rotate(current: LocalAccount = c.patient): Promise<LocalAccount> {
    const next = newAccount();
    await rotatePatientKey(ledger, current, next, { patient: c.patient.address });
    return next;
  }

  describe('rotation', () => {
    it('moves a patient to a new signing key and encryption key, the old key signing nothing more', async () => {
      const newKey = newAccount();
      const newEncryptionKey = randomBytes32();
      const { grantId: before } = await grant(ledger, c.patient, { grantee: c.doctor.address });
      const result = await rotatePatientKey(ledger, c.patient, newKey, {
        patient: c.patient.address,
        newEncryptionKey,
      });
      assertEvents(result, [
        {
          eventName: 'PatientKeyRotated',
          args: {
            patient: c.patient.address,
            previousSigner: c.patient.address,
            newSigner: newKey.address,
            encryptionKey: newEncryptionKey,
          },
        },
      ]);
      assert.equal(await signerOf(c.patient.address), newKey.address);
      const [index] = await ledger.read<[number, Address]>('consortium', 'patientIndexOf', [
        c.patient.address,
      ]);
      assert.deepEqual(await ledger.read('consortium', 'patientSigner', [c.patient.address]), [
        index,
        newKey.address,
      ]);
      assert.equal(await patientOfSigner(newKey.address), c.patient.address);
      assert.equal(await patientOfSigner(c.patient.address), zeroAddress);
      assert.equal(await encryptionKeyOf(c.patient.address), newEncryptionKey);
      assert.equal(await signerOf(c.doctor.address), c.doctor.address, 'members sign with their own key');

      // The grant made with the old key still authorises its grantee.
      assert.equal(await isAuthorised(ledger, c.doctor.address, c.patient.address, 0, 0, 1), true);
      // The new key grants, revokes and denies for the patient; the old key cannot.
      const patient = c.patient.address;
      const { grantId } = await grant(ledger, newKey, { patient, grantee: c.nurse.address });
      await assertRevert(
        grant(ledger, c.patient, { grantee: c.nurse.address }),
        'SignedActionInvalidSignature',
        [newKey.address],
      );
      await assertRevert(revoke(ledger, c.patient, before), 'SignedActionInvalidSignature', [newKey.address]);
      await revoke(ledger, newKey, before, { patient });
      await revoke(ledger, newKey, grantId, { patient });
      const { requestId } = await requestAccess(ledger, c.doctor, { patient });
      await assertRevert(denyRequest(ledger, c.patient, requestId), 'SignedActionInvalidSignature', [
        newKey.address,
      ]);
      await denyRequest(ledger, newKey, requestId, { patient });

      // Records the patient writes are signed with its current key.
      const record = newRecord({ patient, author: patient });
      await assertRevert(
        anchorRecords(ledger, [await signedRecord(ledger, c.patient, record)]),
        'RecordsInvalidSignature',
        [record.recordId, patient],
      );
      assertEvents(await anchorRecords(ledger, [await signedRecord(ledger, newKey, record)]), [
        { eventName: 'RecordAnchored', args: { ...record, organisationId: c.hospital } },
      ]);
    });

    it('rotates again and again, each key in turn stopping, the nonces staying the patient’s', async () => {
      const nonce = randomNonce();
      await grant(ledger, c.patient, { grantee: c.doctor.address }, { nonce });
      const second = await rotate();
      await assertRevert(
        grant(ledger, second, { patient: c.patient.address, grantee: c.doctor.address }, { nonce }),
        'SignedActionNonceUsed',
        [c.patient.address, nonce],
      );
      const third = newAccount();
      assertEvents(await rotatePatientKey(ledger, second, third, { patient: c.patient.address }), [
        {
          eventName: 'PatientKeyRotated',
          args: {
            patient: c.patient.address,
            previousSigner: second.address,
            newSigner: third.address,
            encryptionKey: await encryptionKeyOf(c.patient.address),
          },
        },
      ]);
      assert.equal(await signerOf(c.patient.address), third.address);
      assert.equal(await patientOfSigner(second.address), c.patient.address, 'a retired key stays bound');
      await assertRevert(
        grant(ledger, second, { patient: c.patient.address, grantee: c.doctor.address }),
        'SignedActionInvalidSignature',
        [third.address],
      );
      await grant(ledger, third, { patient: c.patient.address, grantee: c.doctor.address });
    });

    it('needs the current key’s signature and the new key’s proof', async () => {
      const newKey = newAccount();
      const patient = c.patient.address;
      await assertRevert(
        rotatePatientKey(ledger, c.stranger, newKey, { patient }),
        'SignedActionInvalidSignature',
        [patient],
      );
      await assertRevert(
        rotatePatientKey(ledger, c.patient, newKey, { patient }, { newKeySigner: c.stranger }),
        'PatientKeysInvalidNewSignerSignature',
        [newKey.address],
      );
      // Nobody can bind someone else's key to a patient without that key's signature.
      await assertRevert(
        rotatePatientKey(ledger, c.patient, newKey, { patient, newSigner: c.stranger.address }),
        'PatientKeysInvalidNewSignerSignature',
        [c.stranger.address],
      );
      const current = await rotate();
      await assertRevert(
        rotatePatientKey(ledger, c.patient, newAccount(), { patient }),
        'SignedActionInvalidSignature',
        [current.address],
      );
    });

    it('refuses new keys that are taken or empty, and accounts that are not patients', async () => {
      const patient = c.patient.address;
      for (const taken of [c.doctor, c.hospitalAdmin, c.otherPatient, c.patient]) {
        await assertRevert(
          rotatePatientKey(ledger, c.patient, taken, { patient }),
          'ConsortiumAddressTaken',
          [taken.address],
        );
      }
      const othersKey = newAccount();
      await rotatePatientKey(ledger, c.otherPatient, othersKey, { patient: c.otherPatient.address });
      await assertRevert(
        rotatePatientKey(ledger, c.patient, othersKey, { patient }),
        'ConsortiumAddressTaken',
        [othersKey.address],
      );
      await assertRevert(
        rotatePatientKey(ledger, c.patient, newAccount(), { patient, newSigner: zeroAddress }),
        'PatientKeysZeroSigner',
      );
      await assertRevert(
        rotatePatientKey(ledger, c.patient, newAccount(), { patient, newEncryptionKey: zeroHash }),
        'PatientKeysZeroEncryptionKey',
      );
      await assertRevert(
        rotatePatientKey(ledger, c.stranger, newAccount(), { patient: c.stranger.address }),
        'PatientKeysUnknownPatient',
        [c.stranger.address],
      );
      await assertRevert(
        rotatePatientKey(ledger, c.doctor, newAccount(), { patient: c.doctor.address }),
        'PatientKeysUnknownPatient',
        [c.doctor.address],
      );
    });

    it('keeps a rotated-in key from becoming a member, a patient or an organisation admin', async () => {
      const newKey = await rotate();
      await assertRevert(registerPatient(ledger, newKey), 'ConsortiumAddressTaken', [newKey.address]);
      await assertRevert(
        addMember(ledger, c.hospitalAdmin, { organisationId: c.hospital, member: newKey.address }),
        'ConsortiumAddressTaken',
        [newKey.address],
      );
      await assertRevert(proposeOrganisation(ledger, newKey), 'ConsortiumAddressTaken', [newKey.address]);
    });
  });

  describe('key backup commitments', () => {
    it('keeps the last backup a patient committed with its current key', async () => {
      const patient = c.patient.address;
      assert.deepEqual(await ledger.read('consortium', 'keyBackupOf', [patient]), {
        backupId: zeroHash,
        backupHash: zeroHash,
        signer: zeroAddress,
        committedAt: 0n,
      });
      const backupId = randomBytes32();
      const backupHash = randomBytes32();
      const result = await commitKeyBackup(ledger, c.patient, { patient, backupId, backupHash });
      assertEvents(result, [
        { eventName: 'KeyBackupCommitted', args: { patient, backupId, backupHash, signer: patient } },
      ]);
      const committedAt = (await ledger.publicClient.getBlock({ blockNumber: result.receipt.blockNumber }))
        .timestamp;
      assert.deepEqual(await ledger.read('consortium', 'keyBackupOf', [patient]), {
        backupId,
        backupHash,
        signer: patient,
        committedAt,
      });

      const newKey = await rotate();
      await assertRevert(commitKeyBackup(ledger, c.patient, { patient }), 'SignedActionInvalidSignature', [
        newKey.address,
      ]);
      const next = { patient, backupId: randomBytes32(), backupHash: randomBytes32() };
      await commitKeyBackup(ledger, newKey, next);
      const stored = await ledger.read<{ backupId: string; signer: Address }>('consortium', 'keyBackupOf', [
        patient,
      ]);
      assert.equal(stored.backupId, next.backupId);
      assert.equal(stored.signer, newKey.address, 'the backup holds the key that committed it');
    });

    it('refuses empty backups, foreign signatures and non-patients', async () => {
      const patient = c.patient.address;
      await assertRevert(
        commitKeyBackup(ledger, c.patient, { patient, backupId: zeroHash }),
        'PatientKeysEmptyBackup',
      );
      await assertRevert(
        commitKeyBackup(ledger, c.patient, { patient, backupHash: zeroHash }),
        'PatientKeysEmptyBackup',
      );
      await assertRevert(commitKeyBackup(ledger, c.doctor, { patient }), 'SignedActionInvalidSignature', [
        patient,
      ]);
      await assertRevert(
        commitKeyBackup(ledger, c.stranger, { patient: c.stranger.address }),
        'PatientKeysUnknownPatient',
        [c.stranger.address],
      );
    });
  });

  it('grants made before and after a rotation keep authorising reads', async () => {
    const { grantId } = await grant(ledger, c.patient, {
      grantee: c.doctor.address,
      actions: action.read,
    });
    const newKey = await rotate();
    await grant(ledger, newKey, {
      patient: c.patient.address,
      granteeOrganisation: c.lab,
      actions: action.read,
    });
    const authorisingGrant = (actor: Address) =>
      authorisingGrantOf(ledger, actor, c.patient.address, 0, 0, action.read);
    assert.equal(await authorisingGrant(c.doctor.address), grantId);
    assert.notEqual(await authorisingGrant(c.labTechnician.address), 0n);
  });
});
