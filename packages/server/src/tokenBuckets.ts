/**
 * Rate limits as token buckets, one per key (a client's address): a bucket holds up to `capacity`
 * tokens and refills at `refillPerSecond`; a request takes what it costs, or is refused with the
 * seconds to wait. A burst up to the capacity passes; a flood is held to the refill rate.
 */
export interface TokenBucketLimits {
  capacity: number;
  refillPerSecond: number;
}

export type TokenDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Buckets kept at most; past that the least recently used are forgotten (and start full again). */
const maxBuckets = 10_000;

export class TokenBuckets {
  private readonly limits: TokenBucketLimits;
  private readonly now: () => number;
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(limits: TokenBucketLimits, now: () => number = Date.now) {
    this.limits = limits;
    this.now = now;
  }

  /**
   * @example
   * const decision = buckets.take(request.ip, 10);
   * if (!decision.allowed) reply.header('retry-after', decision.retryAfterSeconds);
   */
  take(key: string, cost = 1): TokenDecision {
    const now = this.now();
    const { capacity, refillPerSecond } = this.limits;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * refillPerSecond);
    bucket.updatedAt = now;
    this.buckets.delete(key); // re-inserted last: the map stays in order of last use
    this.buckets.set(key, bucket);
    this.forgetIdle();
    const needed = Math.min(cost, capacity);
    if (bucket.tokens < needed) {
      return { allowed: false, retryAfterSeconds: Math.ceil((needed - bucket.tokens) / refillPerSecond) };
    }
    bucket.tokens -= needed;
    return { allowed: true };
  }

  private forgetIdle(): void {
    if (this.buckets.size <= maxBuckets) return;
    for (const [key] of this.buckets) {
      if (this.buckets.size <= maxBuckets) return;
      this.buckets.delete(key);
    }
  }
}
