/**
 * Rate-limit windows kept in the gateway's database, for the limits that must hold across every
 * process of an organisation (sign-in, one-time codes, access requests, key recovery): a fixed
 * window per key, counted in one statement so that processes sharing PostgreSQL count together.
 */
export interface RateLimitWindow {
  /** Hits in the current window, this one included. */
  hits: number;
  /** When the current window began (Unix ms). */
  windowStart: number;
}

export interface RateLimitStore {
  /**
   * Counts a hit on `key`: in the window begun at most `windowMs` before `now`, or in a new one
   * begun now.
   */
  countRateLimitHit(key: string, windowMs: number, now: number): Promise<RateLimitWindow>;
  /** Removes the windows begun before `before` (ended for every limit); returns how many. */
  deleteRateLimitWindows(before: number): Promise<number>;
}
