/**
 * The words of the record actions in the web app: the patient's reports (notifications of a copy, a
 * duplicate, a move, from each patient's side) and a derived record's provenance in the chart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildLabResult, deriveResource } from '@medledger/core';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import './helpers/tsxHooks.ts';

const { describeNotification } = await import('../src/screens/Notifications.tsx');
const { RecordProvenance } = await import('../src/screens/Chart.tsx');

const wrong = '0xa11ce00000000000000000000000000000000001';
const right = '0xb0b0000000000000000000000000000000000002';
const doctor = '0xd0c0000000000000000000000000000000000003';
const sourceId = `0x${'12'.repeat(32)}`;

function notice(kind: string, data: Record<string, string | number>) {
  return { id: 1, kind, createdAt: '2026-01-01T00:00:00Z', data };
}

describe('record action reports to the patient', () => {
  const data = { by: doctor, sourceId, recordId: `0x${'34'.repeat(32)}`, category: 'lab', toOrganisation: 2 };

  it('says who copied which kind of record for which organisation, and who may read the copy', () => {
    assert.match(
      describeNotification(notice('record-copied', { ...data, fromPatient: wrong, toPatient: wrong }), wrong),
      /^0xd0c0…0003 copied a lab record of yours for organisation #2: its members may read that copy\.$/,
    );
  });

  it('says a duplicate was added', () => {
    assert.match(
      describeNotification(notice('record-duplicated', data), wrong),
      /duplicated a lab record in your chart/,
    );
  });

  it('tells each patient of a move from its own side', () => {
    const moved = notice('record-moved', {
      ...data,
      toOrganisation: 0,
      fromPatient: wrong,
      toPatient: right,
    });
    assert.match(
      describeNotification(moved, wrong),
      /moved a lab record out of your chart: .* erased from yours/,
    );
    assert.match(
      describeNotification(moved, right),
      /moved a lab record into your chart from another patient’s/,
    );
  });
});

describe('a derived record’s provenance in the chart', () => {
  const lab = buildLabResult({ patient: wrong, test: 'HbA1c', value: 6.1, unit: '%', performer: 'City Lab' });
  const render = (resource: unknown) =>
    renderToStaticMarkup(createElement(RecordProvenance, { resource: resource as never }));

  it('names the source of a copy for a referral, a duplicate, and the record a move replaces', () => {
    assert.match(
      render(deriveResource({ resource: lab, kind: 'copy', sourceRecordId: sourceId, reason: 'referral' })),
      /copy of record 0x121212… for a referral/,
    );
    assert.match(
      render(deriveResource({ resource: lab, kind: 'duplicate', sourceRecordId: sourceId })),
      /duplicate of record 0x121212…/,
    );
    assert.match(
      render(
        deriveResource({
          resource: lab,
          kind: 'move',
          sourceRecordId: sourceId,
          fromPatient: wrong,
          toPatient: right,
        }),
      ),
      /moved here from another patient’s chart \(replaces record 0x121212…\)/,
    );
  });

  it('shows nothing for a record that was not derived', () => {
    assert.equal(render(lab), '');
  });
});
