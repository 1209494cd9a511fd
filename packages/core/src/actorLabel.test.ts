import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actorLabel, shortAddress } from './actorLabel.ts';

const address = '0xbb90aa0000000000000000000000000000005c76';
const stMary = { id: 1, name: 'St Mary', kind: 'hospital' };

describe('actorLabel', () => {
  it('names a member by its profile, role and organisation', () => {
    assert.equal(
      actorLabel({
        address,
        kind: 'member',
        title: 'Dr',
        displayName: 'Ana Silva',
        role: 'doctor',
        organisation: stMary,
      }),
      'Dr Ana Silva (doctor, St Mary)',
    );
    assert.equal(
      actorLabel({ address, kind: 'member', displayName: 'Rui Costa', role: 'nurse', organisation: stMary }),
      'Rui Costa (nurse, St Mary)',
    );
  });

  it('describes a member without a profile by its role, organisation and short address', () => {
    assert.equal(
      actorLabel({ address, kind: 'member', role: 'insurer', organisation: stMary }),
      'An insurer of St Mary (0xbb90…5c76)',
    );
  });

  it('never names a patient, and names unknown addresses by their short address', () => {
    assert.equal(actorLabel({ address, kind: 'patient' }), 'a patient');
    assert.equal(actorLabel({ address, kind: 'delegate' }), 'a delegate');
    assert.equal(actorLabel({ address, kind: 'delegate', delegateOf: address }), 'a delegate of 0xbb90…5c76');
    assert.equal(
      actorLabel({ address, kind: 'organisation-gateway', organisation: stMary }),
      'the gateway of St Mary',
    );
    assert.equal(actorLabel({ address, kind: 'unknown' }), 'Unknown 0xbb90…5c76');
    assert.equal(shortAddress(address), '0xbb90…5c76');
  });
});
