/**
 * The gateway's rate limits, all in one table: which requests are counted, by what key (the
 * client's network address, the signed-in account, the account and the patient it asks about),
 * and how many pass in a window (fixed windows). The limits against abuse (sign-in, one-time codes,
 * access requests, key recovery) are counted in the gateway's database, one statement per hit, so
 * every process of an organisation counts together; the throughput limits (`write`, `rpc`), on the
 * hot path, are counted by `@fastify/rate-limit` in this process's memory (a bounded LRU: N
 * processes allow N times the figure). A refused request answers 429 with reason `rate_limited`,
 * field `limit` naming the rule and `retryAfter` in seconds, and a `Retry-After` header.
 *
 * Counted before the body is read where the key allows it (the address, the session's account);
 * rules keyed by what the body says (the account signing in, the patient asked about) run after the
 * body is parsed, which route body limits keep small.
 */
import { normalizeIP } from '@fastify/rate-limit';
import { InvalidInputError, RateLimitedError } from '@medledger/core';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { RateLimitStore } from './store/rateLimitStore.ts';

export interface RateLimit {
  /** Requests (or, for `rpc`, chain calls) allowed per window and key. */
  max: number;
  windowSeconds: number;
}

/**
 * Defaults, per process. The clinical budgets assume a person at a screen or a bulk import by one
 * account; the sign-in budgets, a hospital's clients behind one address.
 */
export const defaultRateLimits = {
  /** `POST /api/auth/challenge`, per address: each one is a stored nonce. */
  challenge: { max: 120, windowSeconds: 60 },
  /** `POST /api/auth/session`, per address: sign-in attempts, failed or not. */
  signIn: { max: 120, windowSeconds: 60 },
  /** `POST /api/auth/session`, per account named in the message. */
  signInAccount: { max: 20, windowSeconds: 60 },
  /** Second-factor enrolment, confirmation and deactivation, per account (wrong codes also lock). */
  oneTimeCode: { max: 20, windowSeconds: 15 * 60 },
  /** Every state-changing API call, per account (per address when not signed in). */
  write: { max: 6_000, windowSeconds: 60 },
  /** `POST /api/access-requests`, per member. */
  accessRequest: { max: 30, windowSeconds: 60 * 60 },
  /** `POST /api/access-requests`, per member and patient: a patient is not flooded with requests. */
  accessRequestPerPatient: { max: 3, windowSeconds: 60 * 60 },
  /** Key recovery started from a new device (not signed in), per address. */
  keyRecovery: { max: 10, windowSeconds: 60 * 60 },
  /** Key shares fetched for a recovery (not signed in), per address. */
  keyRecoveryShares: { max: 60, windowSeconds: 60 * 60 },
  /**
   * Read-only JSON-RPC calls (a batch counts its calls), per address: 250 a second on average, in
   * windows short enough that a client's retries (`createChainReader`) outlast them.
   */
  rpc: { max: 500, windowSeconds: 2 },
  /** `GET /api/staff-otp/requirement/:address` (public, asked by other gateways), per address. */
  staffOtpRequirement: { max: 600, windowSeconds: 60 },
  /** Desk codes redeemed, per member (failures have a tighter budget: `deskCodeFailureLimit`). */
  deskCodeRedeem: { max: 120, windowSeconds: 60 * 60 },
} satisfies Record<string, RateLimit>;

export type RateLimitName = keyof typeof defaultRateLimits;

/** The limits counted in memory, per process: the others are counted in the database. */
const countedInMemory = new Set<RateLimitName>(['write', 'rpc']);
export type RateLimits = Record<RateLimitName, RateLimit>;

const rateLimitNames = Object.keys(defaultRateLimits) as RateLimitName[];

/**
 * Overrides as `name=max/seconds`, comma-separated (`--rate-limit`, `MEDLEDGER_RATE_LIMITS`).
 *
 * @example
 * parseRateLimits('signIn=100/60,write=5000/60') // { signIn: { max: 100, windowSeconds: 60 }, write: … }
 */
export function parseRateLimits(text: string): Partial<RateLimits> {
  const limits: Partial<RateLimits> = {};
  for (const item of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z]+)=(\d{1,9})\/(\d{1,7})$/.exec(item);
    const name = match?.[1] as RateLimitName | undefined;
    if (!match || !name || !rateLimitNames.includes(name) || Number(match[3]) < 1) {
      throw new InvalidInputError(
        `A rate limit is name=max/seconds with name one of ${rateLimitNames.join(', ')}, got "${item}".`,
        { reason: 'bad_rate_limit' },
      );
    }
    limits[name] = { max: Number(match[2]), windowSeconds: Number(match[3]) };
  }
  return limits;
}

/**
 * Every limit raised beyond reach, as `MEDLEDGER_RATE_LIMITS` takes it: for the tests and
 * benchmarks of everything else, which call from one address far faster than people do. Never for
 * a deployment; the limits themselves are tested with their defaults.
 */
export const unreachableRateLimits = rateLimitNames.map((name) => `${name}=999999999/1`).join(',');

export function rateLimitsWith(overrides: Partial<RateLimits> = {}): RateLimits {
  return { ...defaultRateLimits, ...overrides };
}

/** What a rule counts by: the client's address, the signed-in account, or what the body names. */
type KeyOf = (request: FastifyRequest) => string;

const byAddress: KeyOf = (request) => normalizeIP(request.ip);
const byAccount: KeyOf = (request) => request.session?.address.toLowerCase() ?? `ip:${byAddress(request)}`;
/** The account an EIP-4361 message signs in: its second line. */
const bySignInAccount: KeyOf = (request) => {
  const message = (request.body as { message?: unknown } | undefined)?.message;
  const account = typeof message === 'string' ? /\n(0x[0-9a-fA-F]{40})\n/.exec(message)?.[1] : undefined;
  return account?.toLowerCase() ?? `ip:${byAddress(request)}`;
};
const byAccountAndPatient: KeyOf = (request) => {
  const patient = (request.body as { patient?: unknown } | undefined)?.patient;
  return `${byAccount(request)}>${typeof patient === 'string' ? patient.toLowerCase() : ''}`;
};

interface Rule {
  limit: RateLimitName;
  keyOf: KeyOf;
  /** Rules keyed by the body run once it is parsed; the others before it is read. */
  afterBody?: true;
}

/** Rules by route (`METHOD path`), besides `write` on every state-changing API call. */
const rulesByRoute: Record<string, Rule[]> = {
  'POST /api/auth/challenge': [{ limit: 'challenge', keyOf: byAddress }],
  'POST /api/auth/session': [
    { limit: 'signIn', keyOf: byAddress },
    { limit: 'signInAccount', keyOf: bySignInAccount, afterBody: true },
  ],
  'POST /api/otp/enrolment': [{ limit: 'oneTimeCode', keyOf: byAccount }],
  'POST /api/otp/confirmation': [{ limit: 'oneTimeCode', keyOf: byAccount }],
  'POST /api/otp/deactivation': [{ limit: 'oneTimeCode', keyOf: byAccount }],
  'POST /api/staff-otp/enrolment': [{ limit: 'oneTimeCode', keyOf: byAccount }],
  'POST /api/staff-otp/confirmation': [{ limit: 'oneTimeCode', keyOf: byAccount }],
  'POST /api/staff-otp/deactivation': [{ limit: 'oneTimeCode', keyOf: byAccount }],
  'POST /api/organisations/:id/second-factor/members/:address/enrolment': [
    { limit: 'oneTimeCode', keyOf: byAccount },
  ],
  'GET /api/staff-otp/requirement/:address': [{ limit: 'staffOtpRequirement', keyOf: byAddress }],
  'POST /api/access-requests': [
    { limit: 'accessRequest', keyOf: byAccount },
    { limit: 'accessRequestPerPatient', keyOf: byAccountAndPatient, afterBody: true },
  ],
  'POST /api/key-recovery/requests': [{ limit: 'keyRecovery', keyOf: byAddress }],
  'POST /api/key-recovery/requests/:id/shares': [{ limit: 'keyRecoveryShares', keyOf: byAddress }],
  'POST /api/patient-directory/desk-codes/redemption': [{ limit: 'deskCodeRedeem', keyOf: byAccount }],
};

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Routes whose own limit replaces `write`: sign-in is not a write, and the RPC counts calls. */
const notWrites = new Set(['POST /api/auth/challenge', 'POST /api/auth/session', 'POST /rpc']);

export type RateLimiter = (request: FastifyRequest, cost?: number) => Promise<void>;

/** The longest window of `limits`: a window begun longer ago than this has ended for every rule. */
export function longestRateLimitWindowMs(limits: RateLimits): number {
  return Math.max(...Object.values(limits).map((limit) => limit.windowSeconds * 1000));
}

/**
 * Installs the rules on `app` (which has `@fastify/rate-limit` registered): every route added
 * after this gets its rules' hooks. Returns a limiter by name for routes that count a cost
 * themselves (the RPC's calls per batch).
 */
export function installRateLimits(app: FastifyInstance, limits: RateLimits, store: RateLimitStore) {
  /** One budget per rule name, shared by every route it applies to; each name has one key. */
  const limiters = new Map<RateLimitName, RateLimiter>();

  function limiter(name: RateLimitName, keyOf: KeyOf): RateLimiter {
    const existing = limiters.get(name);
    if (existing) return existing;
    const { max, windowSeconds } = limits[name];
    const windowMs = windowSeconds * 1000;
    /** Counts one hit; the seconds to wait when it is over the limit. */
    const hit: (request: FastifyRequest) => Promise<number | undefined> = countedInMemory.has(name)
      ? (() => {
          const count = app.createRateLimit({
            max,
            timeWindow: windowMs,
            keyGenerator: (request) => `${name}|${keyOf(request)}`,
          });
          return async (request) => {
            const result = await count(request);
            return !result.isAllowed && result.isExceeded ? result.ttlInSeconds : undefined;
          };
        })()
      : async (request) => {
          const now = Date.now();
          const window = await store.countRateLimitHit(`${name}|${keyOf(request)}`, windowMs, now);
          return window.hits > max ? Math.ceil((window.windowStart + windowMs - now) / 1000) : undefined;
        };
    const take: RateLimiter = async (request, cost = 1) => {
      for (let taken = 0; taken < cost; taken++) {
        const wait = await hit(request);
        if (wait !== undefined) {
          const retryAfter = Math.max(1, wait);
          throw new RateLimitedError(`Too many requests (${name}); try again in ${retryAfter} s.`, {
            reason: 'rate_limited',
            fields: { limit: name, retryAfter },
          });
        }
      }
    };
    limiters.set(name, take);
    return take;
  }

  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      const key = `${method} ${route.url}`;
      const rules = [...(rulesByRoute[key] ?? [])];
      if (stateChanging.has(method) && route.url.startsWith('/api/') && !notWrites.has(key)) {
        rules.push({ limit: 'write', keyOf: byAccount });
      }
      for (const rule of rules) {
        const take = limiter(rule.limit, rule.keyOf);
        const hook = async (request: FastifyRequest) => take(request);
        const stage = rule.afterBody ? 'preHandler' : 'onRequest';
        route[stage] = [...[route[stage] ?? []].flat(), hook] as never;
      }
    }
  });

  return {
    /** Counts `cost` against `name`'s budget for the client's address. */
    byAddress: (name: RateLimitName) => limiter(name, byAddress),
  };
}

export type InstalledRateLimits = ReturnType<typeof installRateLimits>;
