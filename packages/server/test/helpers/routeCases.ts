/**
 * Route cases shared by the validation tests and the security suite: for each signed POST route, a
 * body that passes validation (signed for someone else, so it never reaches the chain), what it gets,
 * its bounded and optional fields and bad path parameters; and the ways to get one field wrong.
 */
import { generateIdentity } from '@medledger/core';

export const someone = generateIdentity().address;
const bytes32 = `0x${'ab'.repeat(32)}`;
export const signature = `0x${'cd'.repeat(65)}`;
const signed = { nonce: '1', deadline: '99999999999', signature };

export interface RouteCase {
  method: 'POST';
  path: string;
  /** A body that passes validation, so that any 400 "Invalid request" below is the mutation's doing. */
  body: Record<string, unknown>;
  /** What the valid body gets (it is signed for someone else, so it never reaches the chain). */
  expect: { status: number; code: string };
  /** Largest allowed value of bounded fields (strings: length; integers: value). */
  max?: Record<string, number>;
  /** Fields that may be left out. */
  optional?: string[];
  /** The path with an invalid parameter, for each way of getting it wrong. */
  badPaths?: string[];
}

export function routeCases(): RouteCase[] {
  const denied = { status: 403, code: 'access_denied' };
  const recordId = `0x${'12'.repeat(32)}`;
  return [
    {
      method: 'POST',
      path: '/api/organisations',
      body: {
        name: 'Clinic',
        kind: 1,
        admin: someone,
        encryptionKey: bytes32,
        gatewayUrl: 'http://clinic.example',
        ...signed,
      },
      expect: denied,
      max: { name: 200, gatewayUrl: 500, kind: 255 },
    },
    {
      method: 'POST',
      path: '/api/organisations/1/approvals',
      body: { approver: someone, ...signed },
      expect: denied,
      badPaths: [
        '/api/organisations/x/approvals',
        '/api/organisations/-1/approvals',
        '/api/organisations/12345678901/approvals',
      ],
    },
    {
      method: 'POST',
      path: '/api/members',
      body: {
        organisationId: 1,
        member: someone,
        role: 1,
        encryptionKey: bytes32,
        admin: someone,
        ...signed,
      },
      expect: denied,
      max: { organisationId: 4_294_967_295, role: 255 },
    },
    {
      method: 'POST',
      path: `/api/members/${someone}/suspension`,
      body: { admin: someone, ...signed },
      expect: denied,
      badPaths: [
        '/api/members/0x1234/suspension',
        `/api/members/${someone}00/suspension`,
        '/api/members/nobody/suspension',
      ],
    },
    {
      method: 'POST',
      path: '/api/patients',
      body: { patient: someone, encryptionKey: bytes32, organisationId: 1, ...signed },
      expect: denied,
      max: { organisationId: 4_294_967_295 },
    },
    {
      method: 'POST',
      path: '/api/records',
      body: {
        leaf: {
          recordId,
          patient: someone,
          author: someone,
          category: 3,
          sensitivity: 0,
          contentDigest: bytes32,
          supersedes: `0x${'00'.repeat(32)}`,
          createdAt: 1_700_000_000,
        },
        signature,
        envelope: 'AAAA',
      },
      expect: denied,
      max: { 'leaf.category': 255, 'leaf.sensitivity': 255, 'leaf.createdAt': Number.MAX_SAFE_INTEGER },
    },
    {
      method: 'POST',
      path: `/api/records/${recordId}/access`,
      body: { purpose: 'TREAT' },
      expect: { status: 404, code: 'not_found' },
      max: { purpose: 64 },
      optional: ['purpose'],
      badPaths: [
        '/api/records/0x12/access',
        `/api/records/${recordId}00/access`,
        '/api/records/record/access',
      ],
    },
    {
      method: 'POST',
      path: '/api/consents',
      body: {
        patient: someone,
        grantee: someone,
        granteeOrganisation: 0,
        categories: 8,
        maxSensitivity: 0,
        actions: 1,
        purpose: bytes32,
        expiresAt: 2_000_000_000,
        requestId: '0',
        ...signed,
      },
      expect: denied,
      max: {
        granteeOrganisation: 4_294_967_295,
        categories: 4_294_967_295,
        maxSensitivity: 255,
        actions: 255,
      },
    },
    {
      method: 'POST',
      path: '/api/consents/1/revocation',
      body: { patient: someone, ...signed },
      expect: denied,
      badPaths: [
        '/api/consents/one/revocation',
        '/api/consents/1.5/revocation',
        `/api/consents/${'9'.repeat(21)}/revocation`,
      ],
    },
    {
      method: 'POST',
      path: '/api/delegates',
      body: {
        patient: someone,
        delegate: someone,
        kind: 1,
        categoryLimit: 8,
        encryptionKey: bytes32,
        ...signed,
      },
      expect: denied,
      max: { kind: 255, categoryLimit: 4_294_967_295 },
    },
    {
      method: 'POST',
      path: '/api/access-requests',
      body: {
        requester: someone,
        patient: someone,
        categories: 8,
        actions: 1,
        reason: 'follow-up',
        reasonHash: bytes32,
        ...signed,
      },
      expect: denied,
      max: { reason: 1000, categories: 4_294_967_295, actions: 255 },
    },
    {
      method: 'POST',
      path: '/api/access-requests/1/denial',
      body: { patient: someone, ...signed },
      expect: denied,
      badPaths: ['/api/access-requests/x/denial', '/api/access-requests/-2/denial'],
    },
    {
      method: 'POST',
      path: `/api/members/${someone}/emergency-privilege`,
      body: { admin: someone, privileged: true, ...signed },
      expect: denied,
      badPaths: ['/api/members/0x12/emergency-privilege', '/api/members/nobody/emergency-privilege'],
    },
    {
      method: 'POST',
      path: '/api/emergencies',
      body: {
        member: someone,
        patient: someone,
        reasonCode: 1,
        justification: 'Unconscious',
        justificationSalt: bytes32,
        justificationHash: bytes32,
        ...signed,
      },
      expect: denied,
      max: { reasonCode: 4, justification: 2000 },
    },
    {
      method: 'POST',
      path: '/api/emergencies/1/review',
      body: { reviewer: someone, verdict: 1, ...signed },
      expect: denied,
      max: { verdict: 2 },
      badPaths: ['/api/emergencies/x/review', '/api/emergencies/-1/review'],
    },
    {
      method: 'POST',
      path: '/api/emergency-window/proposals',
      body: { windowSeconds: 3600, admin: someone, ...signed },
      expect: denied,
      max: { windowSeconds: 86_400 },
    },
    {
      method: 'POST',
      path: '/api/emergency-window/proposals/1/approvals',
      body: { approver: someone, ...signed },
      expect: denied,
      badPaths: ['/api/emergency-window/proposals/x/approvals'],
    },
    ...orderRouteCases(recordId, denied),
    {
      method: 'POST',
      path: '/api/records/erase',
      body: { erasures: [{ recordId, by: someone, reason: 1, ...signed }] },
      expect: denied,
    },
    {
      method: 'POST',
      path: `/api/records/${recordId}/hide`,
      body: { by: someone, retainUntil: 0, ...signed },
      expect: denied,
      max: { retainUntil: Number.MAX_SAFE_INTEGER },
      badPaths: ['/api/records/0x12/hide', '/api/records/record/hide'],
    },
    {
      method: 'POST',
      path: `/api/records/${recordId}/unhide`,
      body: { by: someone, ...signed },
      expect: denied,
      badPaths: ['/api/records/0x12/unhide'],
    },
    {
      method: 'POST',
      path: '/api/records/erasure-window/proposals',
      body: { windowSeconds: 3600, admin: someone, ...signed },
      expect: denied,
      max: { windowSeconds: 90 * 24 * 3600 },
    },
    {
      method: 'POST',
      path: '/api/records/erasure-window/proposals/1/approvals',
      body: { approver: someone, ...signed },
      expect: denied,
      badPaths: ['/api/records/erasure-window/proposals/x/approvals'],
    },
  ];
}

/** The orders routes: their records are shaped as `POST /api/records` takes them. */
function orderRouteCases(recordId: string, denied: RouteCase['expect']): RouteCase[] {
  const record = {
    leaf: {
      recordId,
      patient: someone,
      author: someone,
      category: 3,
      sensitivity: 0,
      contentDigest: bytes32,
      supersedes: `0x${'00'.repeat(32)}`,
      createdAt: 1_700_000_000,
    },
    signature,
    envelope: 'AAAA',
  };
  const noSuchOrder = { status: 404, code: 'not_found' };
  return [
    {
      method: 'POST',
      path: '/api/orders',
      body: { kind: 'lab', record, performerOrganisation: 2, quantity: 0, fills: 0, ...signed },
      expect: denied,
      max: { performerOrganisation: 4_294_967_295, quantity: 4_294_967_295, fills: 65_535 },
    },
    {
      method: 'POST',
      path: `/api/orders/${recordId}/status`,
      body: { status: 'accepted', actor: someone, ...signed },
      expect: denied,
      optional: ['actor'],
      badPaths: ['/api/orders/0x12/status', '/api/orders/order/status'],
    },
    {
      method: 'POST',
      path: `/api/orders/${recordId}/complete`,
      body: { results: [record], ...signed },
      expect: noSuchOrder,
      badPaths: ['/api/orders/0x12/complete'],
    },
    {
      method: 'POST',
      path: `/api/orders/${recordId}/dispense`,
      body: { quantity: 1, record, ...signed },
      expect: noSuchOrder,
      max: { quantity: 4_294_967_295 },
      badPaths: ['/api/orders/0x12/dispense'],
    },
  ];
}

/** Ways to get one field wrong, by the shape of its valid value. */
export function wrongValues(value: unknown, max: number | undefined): unknown[] {
  const wrongTypes = [null, true, [], {}];
  if (typeof value === 'boolean') return [null, [], {}, String(value), 1];
  if (typeof value === 'number') {
    const values: unknown[] = [...wrongTypes, -1, 1.5, String(value), 'one'];
    if (max !== undefined) values.push(max + 1);
    return values;
  }
  if (typeof value !== 'string') return wrongTypes;
  const values: unknown[] = [...wrongTypes, 12];
  if (/^0x[0-9a-f]+$/i.test(value)) {
    values.push(
      `0x${'z'.repeat(value.length - 2)}`, // bad hex
      value.slice(0, -2), // a byte short
      `${value}ab`, // a byte long
      value.slice(2), // no 0x
      '',
    );
  } else if (/^[0-9]+$/.test(value)) {
    values.push('-1', '1.5', '1e3', '0x10', '', ' 1', '9'.repeat(79));
  }
  if (max !== undefined) values.push('x'.repeat(max + 1));
  return values;
}

/** Copies of `body` with one field (nested ones too) missing, wrong, or with an extra field. */
export function mutations(
  body: Record<string, unknown>,
  max: Record<string, number> = {},
  optional: string[] = [],
  prefix = '',
) {
  const result: { what: string; body: unknown }[] = [
    { what: `${prefix}extra field`, body: { ...body, extra: 1 } },
  ];
  for (const [key, value] of Object.entries(body)) {
    const name = `${prefix}${key}`;
    const { [key]: _omitted, ...without } = body;
    if (!optional.includes(name)) result.push({ what: `${name} missing`, body: without });
    for (const wrong of wrongValues(value, max[name])) {
      result.push({
        what: `${name} = ${JSON.stringify(wrong).slice(0, 40)}`,
        body: { ...body, [key]: wrong },
      });
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const inner of mutations(value as Record<string, unknown>, max, optional, `${name}.`)) {
        result.push({ what: inner.what, body: { ...body, [key]: inner.body } });
      }
    }
  }
  return result;
}
