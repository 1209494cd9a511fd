import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorReport } from './errorReport.ts';
import { AccessDeniedError } from './errors.ts';
import { describedReasons, describeRefusal } from './refusalWords.ts';
import { withArticle } from './words.ts';

const contractPrefix =
  /^(audit_anchors|co_signatures|consents|consortium|delegates|emergencies|order|patient_keys|record|records|signed_action|string_too|invalid_short)_/;

describe('describeRefusal', () => {
  it('words a reason from its fields: what happened and what to do', () => {
    assert.equal(
      describeRefusal('consortium_organisation_not_pending', { organisationId: 4 }),
      'Organisation 4 is not waiting for approval: it is approved already, or was never proposed. Check its number in the list of organisations.',
    );
    assert.equal(
      describeRefusal('consent_revoked', { revokedAt: 1_767_225_600 }),
      'The patient revoked your consent on 2026-01-01 00:00 UTC, so you can no longer see or add these records. If you still need access, ask the patient again (an access request).',
    );
  });

  it('answers undefined for a reason it does not know, or none', () => {
    assert.equal(describeRefusal('some_new_reason', {}), undefined);
    assert.equal(describeRefusal(undefined), undefined);
    assert.equal(describeRefusal('toString'), undefined);
  });

  it("writes the gateway's refusals as sentences, even without their fields", () => {
    // Contract errors always carry their arguments (the ledger's test words each with them); the
    // gateway's reasons may come without fields, from an older gateway or another throw site.
    const gatewayReasons = describedReasons().filter((reason) => !contractPrefix.test(reason));
    assert.ok(gatewayReasons.includes('consent_revoked') && gatewayReasons.includes('no_such_order'));
    for (const reason of gatewayReasons) {
      const words = describeRefusal(reason, {}) ?? '';
      assert.match(words, /^[A-Z0-9].*\.$/s, `${reason}: ${words}`);
      assert.doesNotMatch(words, /undefined|NaN|null| {2}/, `${reason}: ${words}`);
    }
  });

  it('leaves the details line out of what a person reads, and keeps it for programs', () => {
    const error = new AccessDeniedError('x', {
      reason: 'emergencies_not_privileged',
      details: 'EmergenciesNotPrivileged(0x8Bd1…)',
      fields: { member: '0x8bd1c3e9a6b2f0d4e5a7b8c9d0e1f2a3b4c5d6e7' },
    });
    assert.equal(errorReport(error, false), 'error: x\n');
    assert.equal(JSON.parse(errorReport(error, true)).error.details, 'EmergenciesNotPrivileged(0x8Bd1…)');
  });
});

describe('withArticle', () => {
  it('puts "an" before a vowel and "a" before a consonant', () => {
    assert.deepEqual(['insurer', 'admin', 'doctor', 'lab', 'pharmacist'].map(withArticle), [
      'an insurer',
      'an admin',
      'a doctor',
      'a lab',
      'a pharmacist',
    ]);
  });
});
