/**
 * What the client decides on its own in finding a patient: how a typed desk code is read, and how
 * a profile matches a search by name and birth date (done here, so the name never leaves).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDeskCode, normalizeDeskCode, type PatientProfile, profileMatches } from '@medledger/client';
import { InvalidInputError } from '@medledger/core';

const profile: PatientProfile = {
  patient: `0x${'ab'.repeat(20)}`,
  recordId: `0x${'12'.repeat(32)}`,
  updatedAt: 0,
  name: 'José María Núñez-Rivera',
  given: ['José', 'María'],
  family: 'Núñez-Rivera',
  birthDate: '1984-02-29',
  resource: {},
};

describe('desk codes as people type them', () => {
  it('ignores case, spaces and the hyphen', () => {
    assert.equal(normalizeDeskCode(' k7qm-4xrt '), 'K7QM4XRT');
    assert.equal(normalizeDeskCode('K7QM 4XRT'), 'K7QM4XRT');
    assert.equal(formatDeskCode('K7QM4XRT'), 'K7QM-4XRT');
  });

  it('refuses what no code can be: ambiguous characters, wrong length', () => {
    for (const typed of ['K7QM-4XR', 'K7QM-4XRTT', 'O7QM-4XRT', 'K1QM-4XRT', 'KIQM-4XRT', 'K7QL-4XRT', '']) {
      assert.throws(
        () => normalizeDeskCode(typed),
        (error: unknown) => error instanceof InvalidInputError && error.reason === 'malformed_desk_code',
        typed,
      );
    }
  });
});

describe('matching a profile', () => {
  it('matches every word at the start of a name part, whatever the case and accents', () => {
    assert.ok(profileMatches(profile, { name: 'jose nunez' }));
    assert.ok(profileMatches(profile, { name: 'RIV' }));
    assert.ok(profileMatches(profile, { name: 'maría', birthDate: '1984-02-29' }));
    assert.ok(profileMatches(profile, { birthDate: '1984-02-29' }));
  });

  it('does not match another name, a word inside a part, or another birth date', () => {
    assert.equal(profileMatches(profile, { name: 'jose smith' }), false);
    assert.equal(profileMatches(profile, { name: 'vera' }), false);
    assert.equal(profileMatches(profile, { name: 'jose', birthDate: '1984-03-01' }), false);
  });
});
