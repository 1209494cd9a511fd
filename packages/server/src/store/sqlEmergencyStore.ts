/**
 * The emergency store on SQL (SQLite or PostgreSQL), in the gateway's database. Addresses in lower
 * case. Justifications are encrypted at rest here (`atRest.ts`); their salts are not secret.
 */
import { defaultEmergencyWindowSeconds } from '@medledger/core';
import type { Address, Hex } from 'viem';
import { type AtRestCipher, noAtRestKey } from './atRest.ts';
import type { EmergencyIndexUpdate, EmergencyRow, EmergencyStore, Justification } from './emergencyStore.ts';
import { isStorableId, type SqlDatabase, type SqlRow } from './sqlDatabase.ts';

const lower = (value: string) => value.toLowerCase();

export class SqlEmergencyStore implements EmergencyStore {
  readonly #db: SqlDatabase;
  readonly #atRest: AtRestCipher | undefined;

  /** Without `atRest`, justifications can be neither saved nor read (`no_at_rest_key`). */
  constructor(db: SqlDatabase, atRest?: AtRestCipher) {
    this.#db = db;
    this.#atRest = atRest;
  }

  async rewindEmergencyIndex(toBlock: number | null): Promise<void> {
    if (toBlock === null) {
      await this.#db.run(`DELETE FROM emergency_meta WHERE key = 'indexed_block'`);
      return;
    }
    await this.#db.run(
      `UPDATE emergency_meta SET value = $block WHERE key = 'indexed_block' AND CAST(value AS BIGINT) > $block`,
      { block: toBlock },
    );
  }

  async emergencyIndexedBlock(): Promise<number | null> {
    const row = await this.#db.get(`SELECT value FROM emergency_meta WHERE key = 'indexed_block'`);
    return row ? Number(row.value) : null;
  }

  async applyEmergencyIndex(update: EmergencyIndexUpdate): Promise<void> {
    await this.#db.transaction(async (tx) => {
      for (const row of update.declarations) {
        await tx.run(
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
        await tx.run(
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
        await tx.run(
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
        await tx.run(
          `INSERT INTO emergency_meta VALUES ('window', $value) ON CONFLICT (key) DO UPDATE SET value = $value`,
          { value: JSON.stringify(window) },
        );
      }
      await tx.run(
        `INSERT INTO emergency_meta VALUES ('indexed_block', $block) ON CONFLICT (key) DO UPDATE SET value = $block`,
        { block: String(update.toBlock) },
      );
    });
  }

  async emergency(emergencyId: number): Promise<EmergencyRow | undefined> {
    if (!isStorableId(emergencyId)) return undefined;
    const row = await this.#db.get('SELECT * FROM emergencies WHERE emergency_id = $id', { id: emergencyId });
    return row && toEmergency(row);
  }

  async emergencies(filter: {
    member?: Address;
    patient?: Address;
    organisationIds?: number[];
  }): Promise<EmergencyRow[]> {
    const rows = await this.#db.all(
      `SELECT * FROM emergencies WHERE member = $member OR patient = $patient
         OR organisation_id IN ${this.#db.jsonList('orgs', 'integer')}
       ORDER BY emergency_id DESC`,
      {
        member: filter.member ? lower(filter.member) : null,
        patient: filter.patient ? lower(filter.patient) : null,
        orgs: JSON.stringify(filter.organisationIds ?? []),
      },
    );
    return rows.map(toEmergency);
  }

  async emergenciesToAudit(organisationIds: number[]): Promise<EmergencyRow[]> {
    if (!organisationIds.length) return [];
    const rows = await this.#db.all(
      `SELECT * FROM emergencies WHERE end_audited = 0
         AND organisation_id IN ${this.#db.jsonList('orgs', 'integer')} ORDER BY emergency_id`,
      { orgs: JSON.stringify(organisationIds) },
    );
    return rows.map(toEmergency);
  }

  async markEmergencyAudited(emergencyId: number, what: 'start' | 'end'): Promise<void> {
    const column = what === 'start' ? 'start_audited' : 'end_audited';
    await this.#db.run(`UPDATE emergencies SET ${column} = 1 WHERE emergency_id = $id`, { id: emergencyId });
  }

  async isEmergencyPrivileged(member: Address): Promise<boolean> {
    const row = await this.#db.get('SELECT privileged FROM emergency_privileges WHERE member = $member', {
      member: lower(member),
    });
    return Number(row?.privileged ?? 0) === 1;
  }

  async emergencyWindow(): Promise<{ windowSeconds: number; version: number }> {
    const row = await this.#db.get(`SELECT value FROM emergency_meta WHERE key = 'window'`);
    return row
      ? (JSON.parse(String(row.value)) as { windowSeconds: number; version: number })
      : { windowSeconds: defaultEmergencyWindowSeconds, version: 0 };
  }

  async saveJustification(justificationHash: Hex, justification: Justification): Promise<boolean> {
    if (!this.#atRest) throw noAtRestKey();
    const hash = lower(justificationHash);
    const { changes } = await this.#db.run(
      `INSERT INTO emergency_justifications (justification_hash, salt, text, sealed) VALUES ($hash, $salt, $text, 1)
       ON CONFLICT (justification_hash) DO NOTHING`,
      {
        hash,
        salt: lower(justification.salt),
        text: this.#atRest.seal('emergency_justifications', hash, justification.text),
      },
    );
    return changes > 0;
  }

  async justification(justificationHash: Hex): Promise<Justification | undefined> {
    if (!this.#atRest) throw noAtRestKey();
    const hash = lower(justificationHash);
    const row = await this.#db.get(
      'SELECT salt, text, sealed FROM emergency_justifications WHERE justification_hash = $hash',
      { hash },
    );
    if (!row) return undefined;
    // A row an earlier version wrote in clear, not sealed yet (`sealClearFreeText` seals them at open).
    const text =
      Number(row.sealed) === 1
        ? this.#atRest.open('emergency_justifications', hash, String(row.text))
        : String(row.text);
    return { salt: row.salt as Hex, text };
  }

  async forgetJustification(justificationHash: Hex): Promise<void> {
    await this.#db.run('DELETE FROM emergency_justifications WHERE justification_hash = $hash', {
      hash: lower(justificationHash),
    });
  }
}

function toEmergency(row: SqlRow): EmergencyRow {
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
