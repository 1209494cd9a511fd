/**
 * The appointment store on SQLite and PostgreSQL: one winner among concurrent holds of a slot (on
 * PostgreSQL also through two pools, as two gateway processes have), a hold that lapses frees its
 * slot by itself (no slot is held forever), a lapsed hold taken by another cannot be confirmed, and
 * a cancellation frees the slot and ends the grant.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Address, Hex } from 'viem';
import { sharedTestPostgres } from '../../test/helpers/postgres.ts';
import { storeBackends, testAtRest } from '../../test/helpers/storeBackends.ts';
import { type GatewayStores, openGatewayStores } from './gatewayStores.ts';

const practitioner = '0xd0c0000000000000000000000000000000000001' as Address;
const patients = Array.from(
  { length: 8 },
  (_, i) => `0xa11ce0000000000000000000000000000000000${i}` as Address,
);
const recordId = `0x${'ab'.repeat(32)}` as Hex;
const start = Math.floor(Date.now() / 1000) + 86_400;

for (const backend of storeBackends) {
  describe(`appointment store on ${backend.name}`, () => {
    let stores: GatewayStores;
    beforeEach(async () => {
      stores = await backend.open();
    });
    afterEach(() => stores.close());

    const publish = async () =>
      (
        await stores.appointments.addSlots(
          [{ organisationId: 1, practitioner, startsAt: start, endsAt: start + 1200 }],
          practitioner,
        )
      )[0]?.slotId ?? 0;
    const hold = (slotId: number, patient: Address, holdMs = 60_000, appointments = stores.appointments) =>
      appointments.holdSlot({
        slotId,
        patient,
        categories: 1 << 13,
        followUpSeconds: 3600,
        holdMs,
        replaces: null,
      });

    it('lets exactly one of eight concurrent holds of a slot win; the others leave no appointment', async () => {
      const slotId = await publish();
      const outcomes = await Promise.allSettled(patients.map((patient) => hold(slotId, patient)));
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') assert.equal(outcome.reason.reason, 'slot_taken');
      }
      assert.equal((await stores.appointments.appointments({ practitioner })).length, 1);
      assert.equal((await stores.appointments.slot(slotId))?.status, 'held');
    });

    it('frees a slot whose hold lapsed, and refuses to confirm it once another took it', async () => {
      const slotId = await publish();
      const lapsed = await hold(slotId, patients[0] as Address, -1);
      assert.equal((await stores.appointments.slot(slotId))?.status, 'free', 'a lapsed hold reads free');
      assert.equal(
        (await stores.appointments.slots({ practitioner, from: 0, to: start + 1, freeOnly: true, limit: 10 }))
          .length,
        1,
      );
      const taken = await hold(slotId, patients[1] as Address);
      await assert.rejects(stores.appointments.confirm(lapsed.appointmentId, 7, recordId), {
        reason: 'slot_taken',
      });
      const booked = await stores.appointments.confirm(taken.appointmentId, 8, recordId);
      assert.equal(booked.status, 'booked');
      assert.equal((await stores.appointments.slot(slotId))?.status, 'booked');
      await assert.rejects(stores.appointments.confirm(taken.appointmentId, 8, recordId), {
        reason: 'appointment_not_pending',
      });
    });

    it('cancelling frees the slot and ends the grant, once', async () => {
      const slotId = await publish();
      const held = await hold(slotId, patients[0] as Address);
      await stores.appointments.confirm(held.appointmentId, 42, recordId);
      assert.equal(await stores.appointments.isGrantEnded(42), false);
      const cancelled = await stores.appointments.cancel(held.appointmentId, {
        by: practitioner,
        reason: 'practitioner',
        recordId: null,
      });
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(await stores.appointments.isGrantEnded(42), true);
      assert.equal((await stores.appointments.slot(slotId))?.status, 'free');
      await assert.rejects(
        stores.appointments.cancel(held.appointmentId, {
          by: practitioner,
          reason: 'practitioner',
          recordId: null,
        }),
        { reason: 'appointment_cancelled' },
      );
    });
  });
}

describe('appointment store: two gateway processes on one PostgreSQL database', () => {
  it('lets one of two holds of a slot win through two pools', async () => {
    const url = await (await sharedTestPostgres()).createDatabase();
    const [first, second] = [
      await openGatewayStores(url, { atRest: testAtRest }),
      await openGatewayStores(url, { atRest: testAtRest }),
    ];
    try {
      const [slot] = await first.appointments.addSlots(
        [{ organisationId: 1, practitioner, startsAt: start, endsAt: start + 1200 }],
        practitioner,
      );
      assert.ok(slot);
      const outcomes = await Promise.allSettled(
        [first, second, first, second].map((stores, i) =>
          stores.appointments.holdSlot({
            slotId: slot.slotId,
            patient: patients[i] as Address,
            categories: 1 << 13,
            followUpSeconds: 3600,
            holdMs: 60_000,
            replaces: null,
          }),
        ),
      );
      assert.deepEqual(outcomes.map((o) => o.status).toSorted(), [
        'fulfilled',
        'rejected',
        'rejected',
        'rejected',
      ]);
      assert.equal((await second.appointments.appointments({ practitioner })).length, 1);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
