/** Key backups and recovery requests on SQL (SQLite or PostgreSQL). Addresses and ids in lower case. */
import type { Address, Hex } from 'viem';
import type {
  KeyBackupRow,
  KeyRecoveryRequestRow,
  KeyRecoveryShareRow,
  KeyRecoveryStore,
} from './keyRecoveryStore.ts';
import type { SqlDatabase, SqlRow } from './sqlDatabase.ts';

const lower = (value: string) => value.toLowerCase();

export class SqlKeyRecoveryStore implements KeyRecoveryStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async saveKeyBackup(backup: KeyBackupRow): Promise<void> {
    const patient = lower(backup.patient);
    await this.#db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO key_backups VALUES ($patient, $id, $backup, $at)
         ON CONFLICT (patient) DO UPDATE SET backup_id = $id, backup = $backup, stored_at = $at`,
        { patient, id: lower(backup.backupId), backup: backup.backup, at: backup.storedAt },
      );
      await tx.run('DELETE FROM key_backup_guardians WHERE patient = $patient', { patient });
      for (const guardian of backup.guardians) {
        await tx.run('INSERT INTO key_backup_guardians VALUES ($patient, $guardian)', {
          patient,
          guardian: lower(guardian),
        });
      }
    });
  }

  async keyBackup(patient: Address): Promise<KeyBackupRow | undefined> {
    // One statement: the backup and its guardians are read from the same committed save.
    const rows = await this.#db.all(
      `SELECT b.*, g.guardian FROM key_backups b
         LEFT JOIN key_backup_guardians g ON g.patient = b.patient
       WHERE b.patient = $patient ORDER BY g.guardian`,
      { patient: lower(patient) },
    );
    const [row] = rows;
    if (!row) return undefined;
    return {
      patient: row.patient as Address,
      backupId: row.backup_id as Hex,
      backup: String(row.backup),
      guardians: rows.flatMap((g) => (g.guardian === null ? [] : [g.guardian as Address])),
      storedAt: Number(row.stored_at),
    };
  }

  async saveKeyRecoveryRequest(request: KeyRecoveryRequestRow): Promise<void> {
    await this.#db.run(
      `INSERT INTO key_recovery_requests VALUES ($id, $patient, $backup, $key, $created, $expires, $token)`,
      {
        id: lower(request.requestId),
        patient: lower(request.patient),
        backup: lower(request.backupId),
        key: lower(request.recoveryKey),
        created: request.createdAt,
        expires: request.expiresAt,
        token: lower(request.tokenHash),
      },
    );
  }

  async keyRecoveryRequest(requestId: Hex): Promise<KeyRecoveryRequestRow | undefined> {
    const row = await this.#db.get('SELECT * FROM key_recovery_requests WHERE request_id = $id', {
      id: lower(requestId),
    });
    return row && toKeyRecoveryRequest(row);
  }

  async deleteKeyRecoveryRequest(requestId: Hex): Promise<void> {
    const id = lower(requestId);
    await this.#db.transaction(async (tx) => {
      await tx.run('DELETE FROM key_recovery_shares WHERE request_id = $id', { id });
      await tx.run('DELETE FROM key_recovery_requests WHERE request_id = $id', { id });
    });
  }

  async openKeyRecoveryRequests(
    filter: { patient?: Address; guardian?: Address },
    now: number,
  ): Promise<KeyRecoveryRequestRow[]> {
    if (filter.guardian) {
      const rows = await this.#db.all(
        `SELECT r.* FROM key_recovery_requests r
           JOIN key_backups b ON b.patient = r.patient AND b.backup_id = r.backup_id
           JOIN key_backup_guardians g ON g.patient = r.patient
         WHERE g.guardian = $guardian AND r.expires_at > $now ORDER BY r.created_at`,
        { guardian: lower(filter.guardian), now },
      );
      return rows.map(toKeyRecoveryRequest);
    }
    const rows = await this.#db.all(
      'SELECT * FROM key_recovery_requests WHERE patient = $patient AND expires_at > $now ORDER BY created_at',
      { patient: lower(filter.patient ?? ''), now },
    );
    return rows.map(toKeyRecoveryRequest);
  }

  async saveKeyRecoveryShare(share: KeyRecoveryShareRow): Promise<boolean> {
    const inserted = await this.#db.get(
      `INSERT INTO key_recovery_shares VALUES ($id, $guardian, $share, $enc, $ct, $at)
       ON CONFLICT (request_id, guardian) DO NOTHING RETURNING share`,
      {
        id: lower(share.requestId),
        guardian: lower(share.guardian),
        share: share.share,
        enc: share.enc,
        ct: share.ct,
        at: share.approvedAt,
      },
    );
    return inserted !== undefined;
  }

  async keyRecoveryShares(requestId: Hex): Promise<KeyRecoveryShareRow[]> {
    const rows = await this.#db.all(
      'SELECT * FROM key_recovery_shares WHERE request_id = $id ORDER BY approved_at',
      { id: lower(requestId) },
    );
    return rows.map((row) => ({
      requestId: row.request_id as Hex,
      guardian: row.guardian as Address,
      share: Number(row.share),
      enc: String(row.enc),
      ct: String(row.ct),
      approvedAt: Number(row.approved_at),
    }));
  }
}

function toKeyRecoveryRequest(row: SqlRow): KeyRecoveryRequestRow {
  return {
    requestId: row.request_id as Hex,
    patient: row.patient as Address,
    backupId: row.backup_id as Hex,
    recoveryKey: row.recovery_key as Hex,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    tokenHash: row.token_hash as Hex,
  };
}
