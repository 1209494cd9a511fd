import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { defaultEmergencyWindowSeconds } from '@medledger/core';
import type { Address, Hex } from 'viem';
import { storeBackends } from '../../test/helpers/storeBackends.ts';
import type { EmergencyDeclarationRow, EmergencyIndexUpdate } from './emergencyStore.ts';
import type { GatewayStores } from './gatewayStores.ts';

const member = '0xB0B0000000000000000000000000000000000002' as Address;
const patient = '0xA11CE00000000000000000000000000000000001' as Address;
const reviewer = '0xCA20100000000000000000000000000000000003' as Address;
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;

function declaration(emergencyId: number, organisationId = 1): EmergencyDeclarationRow {
  return {
    emergencyId,
    member,
    patient,
    organisationId,
    reasonCode: 1,
    justificationHash: hash(100 + emergencyId),
    declaredAt: 1_700_000_000,
    expiresAt: 1_700_003_600,
    blockNumber: 10 + emergencyId,
    transactionHash: hash(200 + emergencyId),
  };
}

const update = (toBlock: number, changes: Partial<EmergencyIndexUpdate> = {}): EmergencyIndexUpdate => ({
  toBlock,
  declarations: [],
  reviews: [],
  privileges: [],
  windows: [],
  ...changes,
});

for (const backend of storeBackends) {
  describe(`emergency store on ${backend.name}`, () => {
    let stores: GatewayStores;
    beforeEach(async () => {
      stores = await backend.open();
    });
    afterEach(() => stores.close());

    it('indexes declarations, reviews, privileges and the window with the cursor, idempotently', async () => {
      const { emergencies } = stores;
      assert.equal(await emergencies.emergencyIndexedBlock(), null);
      assert.deepEqual(await emergencies.emergencyWindow(), {
        windowSeconds: defaultEmergencyWindowSeconds,
        version: 0,
      });
      const full = update(30, {
        declarations: [declaration(1), declaration(2, 2)],
        reviews: [{ emergencyId: 1, verdict: 1, reviewer, reviewedAt: 1_700_000_100 }],
        privileges: [
          { member, organisationId: 1, privileged: true },
          { member: reviewer, organisationId: 1, privileged: true },
          { member: reviewer, organisationId: 1, privileged: false },
        ],
        windows: [{ version: 1, windowSeconds: 7200 }],
      });
      await emergencies.applyEmergencyIndex(full);
      await emergencies.applyEmergencyIndex(full);
      assert.equal(await emergencies.emergencyIndexedBlock(), 30);
      const first = await emergencies.emergency(1);
      assert.equal(first?.member, member.toLowerCase());
      assert.deepEqual([first?.verdict, first?.reviewer], [1, reviewer.toLowerCase()]);
      assert.equal(await emergencies.isEmergencyPrivileged(member), true);
      assert.equal(await emergencies.isEmergencyPrivileged(reviewer), false, 'the last change wins');
      assert.deepEqual(await emergencies.emergencyWindow(), { windowSeconds: 7200, version: 1 });
      assert.deepEqual(
        (await emergencies.emergencies({ organisationIds: [2] })).map((e) => e.emergencyId),
        [2],
      );
      assert.deepEqual(
        (await emergencies.emergencies({ patient })).map((e) => e.emergencyId),
        [2, 1],
      );
      await emergencies.rewindEmergencyIndex(20);
      assert.equal(await emergencies.emergencyIndexedBlock(), 20);
    });

    it('tracks what was audited, and keeps justifications once', async () => {
      const { emergencies } = stores;
      await emergencies.applyEmergencyIndex(
        update(30, { declarations: [declaration(1), declaration(2, 2)] }),
      );
      await emergencies.markEmergencyAudited(1, 'start');
      await emergencies.markEmergencyAudited(2, 'end');
      assert.deepEqual(
        (await emergencies.emergenciesToAudit([1, 2])).map((e) => [e.emergencyId, e.startAudited]),
        [[1, true]],
      );
      assert.deepEqual(await emergencies.emergenciesToAudit([]), []);

      const justification = { salt: hash(7), text: 'Unconscious on arrival' };
      assert.equal(await emergencies.saveJustification(hash(101), justification), true);
      assert.equal(
        await emergencies.saveJustification(hash(101), { ...justification, text: 'other' }),
        false,
      );
      assert.deepEqual(await emergencies.justification(hash(101)), justification);
      await emergencies.forgetJustification(hash(101));
      assert.equal(await emergencies.justification(hash(101)), undefined);
    });
  });
}
