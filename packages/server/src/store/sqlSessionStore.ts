/** Sign-in nonces and sessions on SQL (SQLite or PostgreSQL). Addresses are stored in lower case. */
import type { Address } from 'viem';
import type { SessionRow, SessionStore } from './sessionStore.ts';
import type { SqlDatabase } from './sqlDatabase.ts';

const lower = (value: string) => value.toLowerCase();

export class SqlSessionStore implements SessionStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async saveSignInNonce(
    nonce: string,
    expiresAt: number,
    bound?: { now: number; max: number },
  ): Promise<boolean> {
    if (bound) {
      const stored = async () =>
        Number((await this.#db.get('SELECT count(*) AS n FROM sign_in_nonces'))?.n ?? 0);
      if ((await stored()) >= bound.max) {
        await this.#db.run('DELETE FROM sign_in_nonces WHERE expires_at < $now', { now: bound.now });
        if ((await stored()) >= bound.max) return false;
      }
    }
    await this.#db.run('INSERT INTO sign_in_nonces VALUES ($nonce, $expires)', { nonce, expires: expiresAt });
    return true;
  }

  async consumeSignInNonce(nonce: string, now: number): Promise<boolean> {
    const row = await this.#db.get('DELETE FROM sign_in_nonces WHERE nonce = $nonce RETURNING expires_at', {
      nonce,
    });
    // Every sign-in clears the nonces that have expired (sessions: `deleteEndedSessions`).
    await this.#db.run('DELETE FROM sign_in_nonces WHERE expires_at < $now', { now });
    return row !== undefined && Number(row.expires_at) >= now;
  }

  async saveSession(session: SessionRow): Promise<void> {
    await this.#db.run(
      `INSERT INTO sessions (token_hash, address, expires_at, signer, last_used_at)
       VALUES ($hash, $address, $expires, $signer, $used)`,
      {
        hash: session.tokenHash,
        address: lower(session.address),
        expires: session.expiresAt,
        signer: lower(session.signer),
        used: session.lastUsedAt,
      },
    );
  }

  async session(tokenHash: string, now: number, idleMs: number): Promise<SessionRow | undefined> {
    const row = await this.#db.get(
      'SELECT * FROM sessions WHERE token_hash = $hash AND expires_at > $now AND last_used_at > $idleSince',
      { hash: tokenHash, now, idleSince: now - idleMs },
    );
    return (
      row && {
        tokenHash: String(row.token_hash),
        address: row.address as Address,
        // Sessions opened before signers were recorded were signed by the account's own key.
        signer: ((row.signer as string | null) ?? row.address) as Address,
        expiresAt: Number(row.expires_at),
        lastUsedAt: Number(row.last_used_at),
      }
    );
  }

  async touchSession(tokenHash: string, now: number, granularityMs: number): Promise<boolean> {
    const { changes } = await this.#db.run(
      'UPDATE sessions SET last_used_at = $now WHERE token_hash = $hash AND last_used_at <= $before',
      { hash: tokenHash, now, before: now - granularityMs },
    );
    return changes > 0;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.#db.run('DELETE FROM sessions WHERE token_hash = $hash', { hash: tokenHash });
  }

  async deleteSessionsOfSigner(signer: Address): Promise<void> {
    await this.#db.run(
      'DELETE FROM sessions WHERE signer = $signer OR (signer IS NULL AND address = $signer)',
      {
        signer: lower(signer),
      },
    );
  }

  async deleteSessionsOfAccount(address: Address): Promise<number> {
    const { changes } = await this.#db.run('DELETE FROM sessions WHERE address = $address', {
      address: lower(address),
    });
    return changes;
  }

  async deleteEndedSessions(now: number, idleMs: number): Promise<number> {
    const { changes } = await this.#db.run(
      'DELETE FROM sessions WHERE expires_at <= $now OR last_used_at <= $idleSince',
      { now, idleSince: now - idleMs },
    );
    return changes;
  }
}
