/**
 * The web app's words for refused one-time codes, from the gateway's real second factor (its SQLite
 * store, its clock moved by the test) and the error as the browser's client rebuilds it from the
 * HTTP answer: missing, wrong or expired, already used, and locked until a time.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { errorFromResponse } from '@medledger/client';
import { MedledgerError } from '@medledger/core';
import { TOTP, URI } from 'otpauth';
import type { Address } from 'viem';
import { createSecondFactor, failureWindowMs, maxFailures } from '../../server/src/secondFactor.ts';
import { SqliteGatewayStore } from '../../server/src/store/sqliteStore.ts';
import { plainCodeError, plainError, withPlainCodeErrors } from '../src/errors.ts';

const patient = '0xA11CE00000000000000000000000000000000001' as Address;

/** What the browser's client throws for a refusal: the gateway's HTTP error body, rebuilt. */
async function refusal(action: () => Promise<unknown>): Promise<MedledgerError> {
  try {
    await action();
  } catch (error) {
    assert.ok(error instanceof MedledgerError);
    const status = error.code === 'rate_limited' ? 429 : 403;
    return errorFromResponse(status, {
      error: {
        code: error.code,
        reason: error.reason ?? error.code,
        message: error.shortMessage,
        ...(error.fields ? { fields: error.fields } : {}),
      },
    });
  }
  assert.fail('the code was accepted');
}

describe('plain words for refused one-time codes', () => {
  const store = new SqliteGatewayStore(':memory:');
  let clock = Date.parse('2026-03-01T10:00:00Z');
  const secondFactor = createSecondFactor({ store, key: randomBytes(32), now: () => clock });
  let authenticator: TOTP;
  const codeAt = (steps: number) => authenticator.generate({ timestamp: clock + steps * 30_000 });

  before(async () => {
    const { uri } = await secondFactor.startEnrolment(patient);
    const parsed = URI.parse(uri);
    assert.ok(parsed instanceof TOTP);
    authenticator = parsed;
    await secondFactor.confirmEnrolment(patient, codeAt(0));
  });
  after(() => store.close());

  it('asks for the code when an approval comes without one', async () => {
    const error = await refusal(() => secondFactor.requireCode(patient, undefined));
    assert.equal(
      plainCodeError(error),
      'Not approved: your approvals need the current one-time code from your authenticator app.',
    );
  });

  it('says a code was already used, and what to do', async () => {
    const error = await refusal(() => secondFactor.requireCode(patient, codeAt(0)));
    assert.equal(
      plainCodeError(error),
      'Not approved: this code was already used. Wait for the next code in your authenticator app (a new one every 30 seconds) and enter it.',
    );
  });

  it('says a code is wrong or expired, and how many tries are left', async () => {
    const error = await refusal(() => secondFactor.requireCode(patient, codeAt(-10)));
    assert.equal(
      plainCodeError(error),
      'Not approved: the one-time code is wrong or has expired. Enter the code your authenticator app shows now. 3 more wrong codes within 15 minutes will lock approvals for 15 minutes.',
    );
  });

  it('says until when approvals are locked, in the reader’s time', async () => {
    // Two failures so far (reused, wrong); three more complete the count.
    let last: MedledgerError | undefined;
    for (let attempt = 2; attempt < maxFailures; attempt++) {
      clock += 1000;
      last = await refusal(() => secondFactor.requireCode(patient, codeAt(-10)));
    }
    assert.equal(last?.code, 'rate_limited');
    // Even the right code is refused while locked.
    const locked = await refusal(() => secondFactor.requireCode(patient, codeAt(1)));
    assert.equal(locked.code, 'rate_limited');
    const firstFailure = clock - 3000;
    const until = new Date(firstFailure + failureWindowMs).toLocaleString(undefined, {
      dateStyle: 'medium',
      timeStyle: 'short',
    });
    assert.equal(
      plainCodeError(locked),
      `Not approved: too many wrong one-time codes. To protect your records, approvals are locked until ${until}; even the right code is refused until then.`,
    );
  });

  it('decides by reason and fields, whatever the message says', () => {
    const reworded = (reason: string, fields?: Record<string, number>) =>
      errorFromResponse(403, {
        error: { code: 'access_denied', reason, message: 'Reworded.', ...(fields ? { fields } : {}) },
      });
    assert.equal(
      plainCodeError(reworded('otp_wrong', { attemptsLeft: 1 })),
      'Not approved: the one-time code is wrong or has expired. Enter the code your authenticator app shows now. 1 more wrong code within 15 minutes will lock approvals for 15 minutes.',
    );
    assert.match(plainCodeError(reworded('otp_code_used')), /^Not approved: this code was already used\./);
    assert.match(plainCodeError(reworded('otp_required')), /^Not approved: your approvals need/);
    // A message that reads like a refused code but carries another reason is not one.
    const lookalike = errorFromResponse(403, {
      error: {
        code: 'access_denied',
        reason: 'no_consent',
        message: 'The one-time code is wrong or expired.',
      },
    });
    assert.match(plainCodeError(lookalike), /^The patient has not given you consent to see this\./);
  });

  it('leaves other errors to the general wording, and rethrows refusals in plain words', async () => {
    const denied = errorFromResponse(403, {
      error: { code: 'access_denied', message: 'The request is not pending.' },
    });
    assert.match(plainCodeError(denied), /^The request is not pending\. You do not have permission/);
    await assert.rejects(
      withPlainCodeErrors(() => secondFactor.requireCode(patient, codeAt(1))),
      (error: Error) => error.message.startsWith('Not approved: too many wrong one-time codes.'),
    );
  });
});

describe('plainError', () => {
  it("words a refusal by its reason and fields from the core catalogue, not the gateway's text", () => {
    const revoked = errorFromResponse(403, {
      error: {
        code: 'access_denied',
        reason: 'consent_revoked',
        message: 'whatever the gateway said',
        fields: { grantId: 4, revokedAt: 1_767_225_600 },
      },
    });
    assert.match(plainError(revoked), /^The patient revoked your consent on 2026-01-01 00:00 UTC, /);
    const contract = errorFromResponse(400, {
      error: {
        code: 'invalid_input',
        reason: 'consortium_organisation_not_pending',
        message: 'x',
        details: 'ConsortiumOrganisationNotPending(4)',
        fields: { contractError: 'ConsortiumOrganisationNotPending', organisationId: 4 },
      },
    });
    assert.match(plainError(contract), /^Organisation 4 is not waiting for approval/);
    assert.doesNotMatch(plainError(contract), /ConsortiumOrganisationNotPending|not pending/);
  });

  it('keeps the per-code advice for a reason the catalogue does not know', () => {
    const other = errorFromResponse(409, {
      error: { code: 'conflict', reason: 'some_new_reason', message: 'Slot 3 is taken.' },
    });
    assert.equal(
      plainError(other),
      'Slot 3 is taken. This has already been done or changed in the meantime. Refresh and try again.',
    );
  });
});
