import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Address, Hex } from 'viem';
import { storeBackends } from '../../test/helpers/storeBackends.ts';
import type { GatewayStores } from './gatewayStores.ts';
import type { KeyRecoveryRequestRow } from './keyRecoveryStore.ts';

const patient = '0xA11CE00000000000000000000000000000000001' as Address;
const otherPatient = '0xB0B0000000000000000000000000000000000002' as Address;
const guardian = '0xCA20100000000000000000000000000000000003' as Address;
const otherGuardian = '0xDA7E000000000000000000000000000000000004' as Address;
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;

for (const backend of storeBackends)
  describe(`${backend.name} store: key backups and recovery requests`, () => {
    let stores: GatewayStores;
    let store: GatewayStores['store'];
    beforeEach(async () => {
      stores = await backend.open();
      store = stores.store;
    });
    afterEach(() => stores.close());

    const request = (n: number, input: Partial<KeyRecoveryRequestRow> = {}): KeyRecoveryRequestRow => ({
      requestId: hash(100 + n),
      patient,
      backupId: hash(1),
      recoveryKey: hash(200 + n),
      createdAt: 1_000 + n,
      expiresAt: 5_000,
      tokenHash: hash(300 + n),
      ...input,
    });

    it('keeps the latest backup of each patient, with its guardians', async () => {
      assert.equal(await store.keyBackup(patient), undefined);
      await store.saveKeyBackup({
        patient,
        backupId: hash(1),
        backup: '{"v":1}',
        guardians: [guardian, otherGuardian],
        storedAt: 10,
      });
      await store.saveKeyBackup({
        patient,
        backupId: hash(2),
        backup: '{"v":1,"n":2}',
        guardians: [otherGuardian],
        storedAt: 20,
      });
      assert.deepEqual(await store.keyBackup(patient.toLowerCase() as Address), {
        patient: patient.toLowerCase(),
        backupId: hash(2),
        backup: '{"v":1,"n":2}',
        guardians: [otherGuardian.toLowerCase()],
        storedAt: 20,
      });
    });

    it('lists open requests by patient and by guardian of the current backup, and keeps one answer per guardian', async () => {
      await store.saveKeyBackup({
        patient,
        backupId: hash(1),
        backup: '{}',
        guardians: [guardian],
        storedAt: 1,
      });
      await store.saveKeyRecoveryRequest(request(1));
      await store.saveKeyRecoveryRequest(request(2, { expiresAt: 2_000 }));
      await store.saveKeyRecoveryRequest(request(3, { patient: otherPatient }));
      await store.saveKeyRecoveryRequest(request(4, { backupId: hash(9) }));
      await assert.rejects(store.saveKeyRecoveryRequest(request(1)), 'a request id is used once');
      assert.deepEqual(await store.keyRecoveryRequest(hash(101)), {
        ...request(1),
        patient: patient.toLowerCase(),
      });

      const ids = (rows: KeyRecoveryRequestRow[]) => rows.map((row) => row.requestId);
      assert.deepEqual(ids(await store.openKeyRecoveryRequests({ patient }, 1_500)), [
        hash(101),
        hash(102),
        hash(104),
      ]);
      assert.deepEqual(ids(await store.openKeyRecoveryRequests({ patient }, 2_000)), [hash(101), hash(104)]);
      // A guardian sees the requests for the backup it holds a share of, not those for another one.
      assert.deepEqual(ids(await store.openKeyRecoveryRequests({ guardian }, 1_500)), [hash(101), hash(102)]);
      assert.deepEqual(ids(await store.openKeyRecoveryRequests({ guardian: otherGuardian }, 1_500)), []);

      const share = { requestId: hash(101), guardian, share: 7, enc: 'e', ct: 'c', approvedAt: 1_100 };
      assert.equal(await store.saveKeyRecoveryShare(share), true);
      assert.equal(await store.saveKeyRecoveryShare({ ...share, share: 8, ct: 'other' }), false);
      assert.deepEqual(await store.keyRecoveryShares(hash(101)), [
        { ...share, guardian: guardian.toLowerCase() },
      ]);
      assert.deepEqual(await store.keyRecoveryShares(hash(102)), []);

      await store.deleteKeyRecoveryRequest(hash(101));
      assert.equal(await store.keyRecoveryRequest(hash(101)), undefined);
      assert.deepEqual(await store.keyRecoveryShares(hash(101)), []);
    });
  });
