/**
 * The patient directory on SQL (SQLite or PostgreSQL), in the gateway's database, never on chain:
 * desk codes a patient shows at a desk, and the identifiers (MRNs) an organisation keeps for its
 * patients. A desk code is kept only as its HMAC-SHA-256 under a key of this gateway, so that a copy
 * of the database does not give the live codes away (a bare hash of 8 characters is quickly
 * brute-forced); a patient has at most one live code, and redeeming deletes it (single use).
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { Address, Hex } from 'viem';
import type { SqlDatabase, SqlRow } from './sqlDatabase.ts';

/** An identifier an organisation keeps for a patient: unique per organisation, system and value. */
export interface PatientIdentifierRow {
  organisationId: number;
  system: string;
  value: string;
  patient: Address;
  assignedBy: Address;
  /** Unix milliseconds. */
  assignedAt: number;
}

/** The key desk codes are hashed under: derived from the gateway's at-rest key, for this use alone. */
export function deskCodeKey(atRestKey: Hex): Uint8Array {
  const key = Buffer.from(atRestKey.slice(2), 'hex');
  return new Uint8Array(hkdfSync('sha256', key, new Uint8Array(0), 'medledger/v1 desk-code key', 32));
}

export class SqlPatientDirectoryStore {
  readonly #db: SqlDatabase;
  readonly #codeKey: Uint8Array;

  /** `codeKey` keys the hash of desk codes (32 bytes, this gateway's own). */
  constructor(db: SqlDatabase, codeKey: Uint8Array) {
    this.#db = db;
    this.#codeKey = codeKey;
  }

  #hash(code: string): string {
    return createHmac('sha256', this.#codeKey).update(`medledger/v1 desk-code\n${code}`).digest('hex');
  }

  /**
   * Keeps `code` as the patient's one live desk code until `expiresAt` (Unix ms), replacing any
   * earlier one; expired codes of every patient are dropped on the way.
   */
  async saveDeskCode(patient: Address, code: string, now: number, expiresAt: number): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.run('DELETE FROM desk_codes WHERE expires_at <= $now', { now });
      // One row per patient: two requests at once leave the later code, never an error.
      await tx.run(
        `INSERT INTO desk_codes (code_hash, patient, created_at, expires_at) VALUES ($hash, $patient, $now, $expiresAt)
         ON CONFLICT (patient) DO UPDATE SET code_hash = $hash, created_at = $now, expires_at = $expiresAt`,
        { hash: this.#hash(code), patient: patient.toLowerCase(), now, expiresAt },
      );
    });
  }

  /**
   * Takes the live code `code` (deleting it: a code is used once) and answers its patient; undefined
   * when no live code is `code` (never issued, already used, replaced or expired). Expired codes
   * are deleted on the way.
   */
  async takeDeskCode(code: string, now: number): Promise<Address | undefined> {
    return this.#db.transaction(async (tx) => {
      await tx.run('DELETE FROM desk_codes WHERE expires_at <= $now', { now });
      const row = await tx.get('DELETE FROM desk_codes WHERE code_hash = $hash RETURNING patient', {
        hash: this.#hash(code),
      });
      return row ? (String(row.patient) as Address) : undefined;
    });
  }

  /**
   * The rate-limit window `key` counts in (`rate_limit_windows`, counted by `countRateLimitHit`),
   * without counting a hit: to refuse before trying when an account has failed too often.
   */
  async rateLimitWindow(key: string): Promise<{ hits: number; windowStart: number } | undefined> {
    const row = await this.#db.get('SELECT hits, window_start FROM rate_limit_windows WHERE key = $key', {
      key,
    });
    return row ? { hits: Number(row.hits), windowStart: Number(row.window_start) } : undefined;
  }

  /**
   * Keeps an identifier for a patient. Resolves with the row now stored under its organisation,
   * system and value (which names another patient when the identifier was already taken), and
   * whether this call stored it.
   */
  async assignIdentifier(
    identifier: PatientIdentifierRow,
  ): Promise<{ stored: PatientIdentifierRow; created: boolean }> {
    return this.#db.transaction(async (tx) => {
      const { changes } = await tx.run(
        `INSERT INTO patient_identifiers (organisation_id, system, value, patient, assigned_by, assigned_at)
         VALUES ($organisationId, $system, $value, $patient, $assignedBy, $assignedAt)
         ON CONFLICT (organisation_id, system, value) DO NOTHING`,
        {
          organisationId: identifier.organisationId,
          system: identifier.system,
          value: identifier.value,
          patient: identifier.patient.toLowerCase(),
          assignedBy: identifier.assignedBy.toLowerCase(),
          assignedAt: identifier.assignedAt,
        },
      );
      const row = await tx.get(
        `SELECT * FROM patient_identifiers
         WHERE organisation_id = $organisationId AND system = $system AND value = $value`,
        { organisationId: identifier.organisationId, system: identifier.system, value: identifier.value },
      );
      return { stored: toIdentifier(row as SqlRow), created: changes > 0 };
    });
  }

  async identifier(
    organisationId: number,
    system: string,
    value: string,
  ): Promise<PatientIdentifierRow | undefined> {
    const row = await this.#db.get(
      `SELECT * FROM patient_identifiers
       WHERE organisation_id = $organisationId AND system = $system AND value = $value`,
      { organisationId, system, value },
    );
    return row ? toIdentifier(row) : undefined;
  }

  /** The identifiers kept for `patient`, by organisation, system and value. */
  async identifiersOf(patient: Address): Promise<PatientIdentifierRow[]> {
    const rows = await this.#db.all(
      `SELECT * FROM patient_identifiers WHERE patient = $patient
       ORDER BY organisation_id, system, value`,
      { patient: patient.toLowerCase() },
    );
    return rows.map(toIdentifier);
  }
}

function toIdentifier(row: SqlRow): PatientIdentifierRow {
  return {
    organisationId: Number(row.organisation_id),
    system: String(row.system),
    value: String(row.value),
    patient: String(row.patient) as Address,
    assignedBy: String(row.assigned_by) as Address,
    assignedAt: Number(row.assigned_at),
  };
}
