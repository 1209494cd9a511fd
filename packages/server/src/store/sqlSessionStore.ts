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

  async saveSignInNonce(nonce: string, expiresAt: number): Promise<void> {
    await this.#db.run('INSERT INTO sign_in_nonces VALUES ($nonce, $expires)', { nonce, expires: expiresAt });
  }

  async consumeSignInNonce(nonce: string, now: number): Promise<boolean> {
    const row = await this.#db.get('DELETE FROM sign_in_nonces WHERE nonce = $nonce RETURNING expires_at', {
      nonce,
    });
    // Every sign-in clears what has expired: nonces, and sessions (which are never found again).
    await this.#db.run('DELETE FROM sign_in_nonces WHERE expires_at < $now', { now });
    await this.#db.run('DELETE FROM sessions WHERE expires_at < $now', { now });
    return row !== undefined && Number(row.expires_at) >= now;
  }

  async saveSession(session: SessionRow): Promise<void> {
    await this.#db.run(
      'INSERT INTO sessions (token_hash, address, expires_at, signer) VALUES ($hash, $address, $expires, $signer)',
      {
        hash: session.tokenHash,
        address: lower(session.address),
        expires: session.expiresAt,
        signer: lower(session.signer),
      },
    );
  }

  async session(tokenHash: string, now: number): Promise<SessionRow | undefined> {
    const row = await this.#db.get('SELECT * FROM sessions WHERE token_hash = $hash AND expires_at >= $now', {
      hash: tokenHash,
      now,
    });
    return (
      row && {
        tokenHash: String(row.token_hash),
        address: row.address as Address,
        // Sessions opened before signers were recorded were signed by the account's own key.
        signer: ((row.signer as string | null) ?? row.address) as Address,
        expiresAt: Number(row.expires_at),
      }
    );
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
}
