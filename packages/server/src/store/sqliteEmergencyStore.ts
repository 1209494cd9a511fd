/** The emergency store on SQLite, in the gateway's database file. Addresses are stored in lower case. */
import { defaultEmergencyWindowSeconds } from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { EmergencyIndexUpdate, EmergencyRow, EmergencyStore, Justification } from './emergencyStore.ts';
import { SqliteDatabase, type SqliteRow } from './sqliteDatabase.ts';

const schema = `
CREATE TABLE IF NOT EXISTS emergency_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS emergencies (
  emergency_id INTEGER PRIMARY KEY, member TEXT NOT NULL, patient TEXT NOT NULL, organisation_id INTEGER NOT NULL,
  reason_code INTEGER NOT NULL, justification_hash TEXT NOT NULL, declared_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, block_number INTEGER NOT NULL, transaction_hash TEXT NOT NULL,
  verdict INTEGER NOT NULL DEFAULT 0, reviewer TEXT, reviewed_at INTEGER,
  start_audited INTEGER NOT NULL DEFAULT 0, end_audited INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS emergencies_by_member ON emergencies (member);
CREATE INDEX IF NOT EXISTS emergencies_by_patient ON emergencies (patient);
CREATE INDEX IF NOT EXISTS emergencies_by_organisation ON emergencies (organisation_id);
CREATE INDEX IF NOT EXISTS emergencies_to_audit ON emergencies (end_audited, organisation_id);
CREATE TABLE IF NOT EXISTS emergency_privileges (
  member TEXT PRIMARY KEY, organisation_id INTEGER NOT NULL, privileged INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS emergency_justifications (
  justification_hash TEXT PRIMARY KEY, salt TEXT NOT NULL, text TEXT NOT NULL);
`;

const lower = (value: string) => value.toLowerCase();

export class SqliteEmergencyStore implements EmergencyStore {
  readonly #db: SqliteDatabase;

  constructor(path: string) {
    this.#db = new SqliteDatabase(path, schema);
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  async rewindEmergencyIndex(toBlock: number | null): Promise<void> {
    if (toBlock === null) {
      this.#db.run(`DELETE FROM emergency_meta WHERE key = 'indexed_block'`);
      return;
    }
    this.#db.run(
      `UPDATE emergency_meta SET value = $block WHERE key = 'indexed_block' AND CAST(value AS INTEGER) > $block`,
      { block: toBlock },
    );
  }

  async emergencyIndexedBlock(): Promise<number | null> {
    const row = this.#db.get(`SELECT value FROM emergency_meta WHERE key = 'indexed_block'`);
    return row ? Number(row.value) : null;
  }

  async applyEmergencyIndex(update: EmergencyIndexUpdate): Promise<void> {
    this.#db.transaction(() => {
      for (const row of update.declarations) {
        this.#db.run(
          `INSERT INTO emergencies (emergency_id, member, patient, organisation_id, reason_code, justification_hash,
             declared_at, expires_at, block_number, transaction_hash)
           VALUES ($id, $member, $patient, $org, $reason, $hash, $declared, $expires, $block, $tx)
           ON CONFLICT (emergency_id) DO NOTHING`,
          {
            id: row.emergencyId,
            member: lower(row.member),
            patient: lower(row.patient),
            org: row.organisationId,
            reason: row.reasonCode,
            hash: lower(row.justificationHash),
            declared: row.declaredAt,
            expires: row.expiresAt,
            block: row.blockNumber,
            tx: row.transactionHash,
          },
        );
      }
      for (const review of update.reviews) {
        this.#db.run(
          `UPDATE emergencies SET verdict = $verdict, reviewer = $reviewer, reviewed_at = $at
           WHERE emergency_id = $id`,
          {
            id: review.emergencyId,
            verdict: review.verdict,
            reviewer: lower(review.reviewer),
            at: review.reviewedAt,
          },
        );
      }
      for (const privilege of update.privileges) {
        this.#db.run(
          `INSERT INTO emergency_privileges VALUES ($member, $org, $privileged)
           ON CONFLICT (member) DO UPDATE SET organisation_id = $org, privileged = $privileged`,
          {
            member: lower(privilege.member),
            org: privilege.organisationId,
            privileged: privilege.privileged ? 1 : 0,
          },
        );
      }
      for (const window of update.windows) {
        this.#db.run(
          `INSERT INTO emergency_meta VALUES ('window', $value) ON CONFLICT (key) DO UPDATE SET value = $value`,
          { value: JSON.stringify(window) },
        );
      }
      this.#db.run(
        `INSERT INTO emergency_meta VALUES ('indexed_block', $block) ON CONFLICT (key) DO UPDATE SET value = $block`,
        { block: String(update.toBlock) },
      );
    });
  }

  async emergency(emergencyId: number): Promise<EmergencyRow | undefined> {
    const row = this.#db.get('SELECT * FROM emergencies WHERE emergency_id = $id', { id: emergencyId });
    return row && toEmergency(row);
  }

  async emergencies(filter: {
    member?: Address;
    patient?: Address;
    organisationIds?: number[];
  }): Promise<EmergencyRow[]> {
    return this.#db
      .all(
        `SELECT * FROM emergencies WHERE member = $member OR patient = $patient
           OR organisation_id IN (SELECT value FROM json_each($orgs))
         ORDER BY emergency_id DESC`,
        {
          member: filter.member ? lower(filter.member) : null,
          patient: filter.patient ? lower(filter.patient) : null,
          orgs: JSON.stringify(filter.organisationIds ?? []),
        },
      )
      .map(toEmergency);
  }

  async emergenciesToAudit(organisationIds: number[]): Promise<EmergencyRow[]> {
    if (!organisationIds.length) return [];
    return this.#db
      .all(
        `SELECT * FROM emergencies WHERE end_audited = 0
           AND organisation_id IN (SELECT value FROM json_each($orgs)) ORDER BY emergency_id`,
        { orgs: JSON.stringify(organisationIds) },
      )
      .map(toEmergency);
  }

  async markEmergencyAudited(emergencyId: number, what: 'start' | 'end'): Promise<void> {
    const column = what === 'start' ? 'start_audited' : 'end_audited';
    this.#db.run(`UPDATE emergencies SET ${column} = 1 WHERE emergency_id = $id`, { id: emergencyId });
  }

  async isEmergencyPrivileged(member: Address): Promise<boolean> {
    const row = this.#db.get('SELECT privileged FROM emergency_privileges WHERE member = $member', {
      member: lower(member),
    });
    return Number(row?.privileged ?? 0) === 1;
  }

  async emergencyWindow(): Promise<{ windowSeconds: number; version: number }> {
    const row = this.#db.get(`SELECT value FROM emergency_meta WHERE key = 'window'`);
    return row
      ? (JSON.parse(String(row.value)) as { windowSeconds: number; version: number })
      : { windowSeconds: defaultEmergencyWindowSeconds, version: 0 };
  }

  async saveJustification(justificationHash: Hex, justification: Justification): Promise<boolean> {
    const { changes } = this.#db.run(
      `INSERT INTO emergency_justifications VALUES ($hash, $salt, $text)
       ON CONFLICT (justification_hash) DO NOTHING`,
      { hash: lower(justificationHash), salt: lower(justification.salt), text: justification.text },
    );
    return changes > 0;
  }

  async justification(justificationHash: Hex): Promise<Justification | undefined> {
    const row = this.#db.get('SELECT * FROM emergency_justifications WHERE justification_hash = $hash', {
      hash: lower(justificationHash),
    });
    return row && { salt: row.salt as Hex, text: String(row.text) };
  }

  async forgetJustification(justificationHash: Hex): Promise<void> {
    this.#db.run('DELETE FROM emergency_justifications WHERE justification_hash = $hash', {
      hash: lower(justificationHash),
    });
  }
}

function toEmergency(row: SqliteRow): EmergencyRow {
  return {
    emergencyId: Number(row.emergency_id),
    member: row.member as Address,
    patient: row.patient as Address,
    organisationId: Number(row.organisation_id),
    reasonCode: Number(row.reason_code),
    justificationHash: row.justification_hash as Hex,
    declaredAt: Number(row.declared_at),
    expiresAt: Number(row.expires_at),
    blockNumber: Number(row.block_number),
    transactionHash: row.transaction_hash as Hex,
    verdict: Number(row.verdict),
    reviewer: (row.reviewer as Address | null) ?? null,
    reviewedAt: row.reviewed_at === null ? null : Number(row.reviewed_at),
    startAudited: Number(row.start_audited) === 1,
    endAudited: Number(row.end_audited) === 1,
  };
}
