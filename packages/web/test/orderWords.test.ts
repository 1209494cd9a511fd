/**
 * The order screens' words: refusals of a step told apart by the gateway's reason (another pharmacy
 * was first, the order was not sent here), order notifications from the reader's side, and an
 * insurer's decision read back from the ClaimResponse that core's builder writes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AccessDeniedError,
  buildClaim,
  buildClaimResponse,
  ConflictError,
  NotFoundError,
} from '@medledger/core';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import './helpers/tsxHooks.ts';

const { plainOrderError, describeOrderNotification, statusText } = await import('../src/screens/orders.ts');
const { ClaimResponseView, claimTitle } = await import('../src/screens/OrderViews.tsx');

const patient = '0xa11ce00000000000000000000000000000000001';
const me = '0xb0b0000000000000000000000000000000000002';
const short = (value: unknown) => String(value).slice(0, 6);

describe('refusals of an order step in plain words', () => {
  it('says that another pharmacy dispensed what remains, with what is left when something is', () => {
    const none = new ConflictError('quantity exceeded', {
      reason: 'order_quantity_exceeded',
      fields: { requested: 30, remaining: 0 },
    });
    assert.match(plainOrderError(none), /^Not dispensed: nothing remains .*another pharmacy dispensed it/);
    const some = new ConflictError('quantity exceeded', {
      reason: 'order_quantity_exceeded',
      fields: { requested: 30, remaining: 12 },
    });
    assert.match(
      plainOrderError(some),
      /^Not dispensed: only 12 remain on this prescription; another pharmacy/,
    );
    const fills = new ConflictError('fills used', { reason: 'order_fills_used', fields: { fills: 2 } });
    assert.match(
      plainOrderError(fills),
      /^Not dispensed: every fill .* another pharmacy dispensed the last one/,
    );
  });

  it('tells a cancelled or rejected order, and an order sent elsewhere, apart from other errors', () => {
    const notOpen = new ConflictError('not open', { reason: 'order_not_open' });
    assert.match(
      plainOrderError(notOpen, { kind: 'lab' } as Parameters<typeof plainOrderError>[1]),
      /this lab test was cancelled or rejected/,
    );
    const elsewhere = new AccessDeniedError('not performer', { reason: 'order_not_performer' });
    assert.equal(plainOrderError(elsewhere), 'Refused: this order was not sent to your organisation.');
    // Other refusals in the catalogue's words, from the reason and fields, not the message.
    const other = new NotFoundError('Order 0x12 is unknown', { reason: 'order_unknown_order' });
    assert.equal(plainOrderError(other), 'There is no such order on the ledger. Check the order id.');
    const withId = new NotFoundError('unknown', {
      reason: 'order_unknown_order',
      fields: { orderId: '0x12' },
    });
    assert.equal(plainOrderError(withId), 'There is no order 0x12 on the ledger. Check the order id.');
  });
});

describe('order notifications and statuses in words', () => {
  it('says each order notification from the reader’s side', () => {
    assert.equal(
      describeOrderNotification('order-placed', { kind: 'lab', patient, requester: me }, patient, short),
      `${short(me)} placed a lab test for you.`,
    );
    assert.equal(
      describeOrderNotification('order-placed', { kind: 'lab', patient, requester: me }, me, short),
      `New lab test for your organisation from ${short(me)}.`,
    );
    assert.equal(
      describeOrderNotification(
        'order-status',
        { kind: 'lab', status: 'accepted', orderId: '0xabc' },
        me,
        short,
      ),
      `Your lab test ${short('0xabc')} is now received.`,
    );
    assert.equal(
      describeOrderNotification('order-completed', { kind: 'claim', orderId: '0xabc' }, me, short),
      `Your claim ${short('0xabc')} was decided.`,
    );
    assert.equal(
      describeOrderNotification(
        'order-dispensed',
        { orderId: '0xabc', quantity: 30, dispensed: 60 },
        me,
        short,
      ),
      `30 dispensed on prescription ${short('0xabc')} (60 in all).`,
    );
    assert.equal(describeOrderNotification('record-added', {}, me, short), undefined);
  });

  it('names statuses per kind', () => {
    assert.equal(statusText('lab', 'accepted'), 'received');
    assert.equal(statusText('prescription', 'in_progress'), 'partly dispensed');
    assert.equal(statusText('claim', 'completed'), 'decided');
  });
});

describe('an insurer’s decision read back', () => {
  const claim = buildClaim({
    patient,
    provider: 'St Mary Hospital',
    insurer: 'Mutual Health',
    insurerOrganisation: 4,
    currency: 'EUR',
    items: [
      { code: '99213', description: 'Consultation', amount: 80 },
      { code: '83036', description: 'HbA1c test', amount: 25 },
    ],
  });

  it('titles a claim by its items and total', () => {
    assert.match(claimTitle(claim), /^2 items, 105(\.00)? EUR$/);
  });

  for (const [decision, benefit, words, paid] of [
    [
      'approved',
      undefined,
      'approved',
      /80(\.00)? EUR<\/td><td>80(\.00)? EUR[\s\S]*25(\.00)? EUR<\/td><td>25(\.00)? EUR/,
    ],
    [
      'partial',
      95,
      'partly approved',
      /80(\.00)? EUR<\/td><td>80(\.00)? EUR[\s\S]*25(\.00)? EUR<\/td><td>15(\.00)? EUR/,
    ],
    [
      'denied',
      undefined,
      'denied',
      /80(\.00)? EUR<\/td><td>0(\.00)? EUR[\s\S]*25(\.00)? EUR<\/td><td>0(\.00)? EUR/,
    ],
  ] as const) {
    it(`shows a claim ${words}, with each service's claimed and approved amounts`, () => {
      const response = buildClaimResponse({
        patient,
        claim,
        claimId: 'ab'.repeat(32),
        insurer: 'Mutual Health',
        decision,
        ...(benefit === undefined ? {} : { benefit }),
        reason: 'Covered as the policy says.',
      });
      const html = renderToStaticMarkup(createElement(ClaimResponseView, { response, claim }));
      assert.match(html, new RegExp(`Decision: <span class="badge [^"]+">${words}</span>`));
      assert.match(html, /Consultation<\/td>[\s\S]*HbA1c test<\/td>/);
      assert.match(html, paid);
      assert.match(html, /Covered as the policy says\./);
    });
  }
});
