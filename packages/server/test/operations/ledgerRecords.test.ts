/**
 * The ledger-records operation, called without HTTP on a real gateway (anvil + SQLite): the record
 * anchors the gateway indexed, a page at a time in the order of record ids, as the chain published them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { anchoredLeafHash, categoryIndex } from '@medledger/core';
import type { Hex } from 'viem';
import { indexedRecordAnchors } from '../../src/operations/ledgerRecords.ts';
import { leafOf } from '../../src/stamps.ts';
import { foundConsortium, newPatient } from '../helpers/actors.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { labResult, medication } from '../helpers/records.ts';

describe('ledger-records operation', () => {
  let gateway: TestGateway;
  let recordIds: Hex[];

  before(async () => {
    gateway = await startTestGateway();
    const consortium = await foundConsortium(gateway.url);
    const patient = await newPatient(gateway.url, consortium);
    const added = [
      await patient.addRecord({ patient: patient.address, category: 'lab', resource: labResult() }),
      await patient.addRecord({ patient: patient.address, category: 'medication', resource: medication() }),
      await patient.addRecord({ patient: patient.address, category: 'lab', resource: labResult('Sodium') }),
    ];
    recordIds = added.map((record) => record.recordId).sort();
  });
  after(() => gateway.stop());

  it('answers every indexed anchor in one page, as the chain anchors it, with codes', async () => {
    const page = await indexedRecordAnchors(gateway.services, {});
    assert.deepEqual(
      page.records.map((anchor) => anchor.recordId),
      recordIds,
    );
    assert.equal(page.next, null);
    for (const anchor of page.records) {
      assert.ok([categoryIndex('lab'), categoryIndex('medication')].includes(anchor.category));
      assert.equal(anchor.sensitivity, 0);
      assert.equal(anchor.supersedes, `0x${'00'.repeat(32)}`);
      const onChain = await gateway.services.ledger.read('records', 'anchorOf', [anchor.recordId]);
      assert.equal(onChain.leaf, anchoredLeafHash(leafOf({ ...anchor, supersededBy: null })));
      assert.equal(onChain.patient.toLowerCase(), anchor.patient);
    }
  });

  it('pages by record id: `next` is the `after` of the following page, null after the last', async () => {
    const first = await indexedRecordAnchors(gateway.services, { limit: 2 });
    assert.deepEqual(
      first.records.map((anchor) => anchor.recordId),
      recordIds.slice(0, 2),
    );
    assert.equal(first.next, recordIds[1]);
    const second = await indexedRecordAnchors(gateway.services, { after: first.next ?? undefined, limit: 2 });
    assert.deepEqual(
      second.records.map((anchor) => anchor.recordId),
      recordIds.slice(2),
    );
    assert.equal(second.next, null);
  });
});
