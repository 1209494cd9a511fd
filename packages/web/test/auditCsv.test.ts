import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEvent } from '@medledger/api';
import { auditEventsCsv, csvCell } from '../src/audit/auditCsv.ts';

test('CSV cells are quoted when they must be, and formula-like cells stay text', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('=HYPERLINK("http://evil")'), `"'=HYPERLINK(""http://evil"")"`);
  assert.equal(csvCell('+1'), "'+1");
  assert.equal(csvCell('-2'), "'-2");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell('\tx'), "'\tx");
});

test('access events become a header and one row each', () => {
  const event: AuditEvent = {
    eventId: 'e1',
    recordedAt: '2026-12-03T10:00:00.000Z',
    actor: '0x00000000000000000000000000000000000000aa',
    patient: '0x00000000000000000000000000000000000000bb',
    action: 'read',
    recordId: null,
    category: 'lab',
    sensitivity: 'normal',
    purpose: '=cmd|calc',
    outcome: 'denied',
    reason: 'no consent, sorry',
  };
  const lines = auditEventsCsv([event]).split('\r\n');
  assert.equal(
    lines[0],
    'recorded_at,actor,patient,action,category,sensitivity,purpose,outcome,reason,record_id,event_id',
  );
  assert.equal(
    lines[1],
    '2026-12-03T10:00:00.000Z,0x00000000000000000000000000000000000000aa,0x00000000000000000000000000000000000000bb,read,lab,normal,\'=cmd|calc,denied,"no consent, sorry",,e1',
  );
  assert.equal(lines.length, 3);
  assert.equal(lines[2], '');
});
