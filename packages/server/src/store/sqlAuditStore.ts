/**
 * The audit log on SQL (SQLite or PostgreSQL). Events are numbered by the store, 1, 2, 3, … in
 * `seq` (sequences 0, 1, 2, … outside), each the largest number plus one, taken while appends are
 * serialised: numbers follow commit order and a rolled-back append leaves no gap, also with
 * several gateway processes on one PostgreSQL.
 */
import type { Address, Hex } from 'viem';
import type { AuditBatchRow, AuditEventRow, AuditLeafRow, AuditQuery, AuditStore } from './auditStore.ts';
import type { SqlDatabase, SqlRow } from './sqlDatabase.ts';

const lower = (value: string) => value.toLowerCase();

export class SqlAuditStore implements AuditStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async appendAuditEvents(events: AuditEventRow[]): Promise<void> {
    if (!events.length) return;
    await this.#db.transaction(async (tx) => {
      await tx.serialiseAppends('audit_events');
      for (const event of events) {
        await tx.run(
          `INSERT INTO audit_events (seq, event_id, recorded_at, actor, patient, action, record_id, category,
             sensitivity, purpose, outcome, reason)
           VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_events), $id, $at, $actor, $patient, $action,
             $record, $category, $sensitivity, $purpose, $outcome, $reason)`,
          {
            id: event.eventId,
            at: event.recordedAt,
            actor: lower(event.actor),
            patient: event.patient ? lower(event.patient) : null,
            action: event.action,
            record: event.recordId,
            category: event.category,
            sensitivity: event.sensitivity,
            purpose: event.purpose,
            outcome: event.outcome,
            reason: event.reason,
          },
        );
      }
    });
  }

  async auditEvents(query: AuditQuery): Promise<AuditEventRow[]> {
    const conditions: string[] = [];
    const params: SqlRow = { limit: query.limit ?? 1000 };
    if (query.patient) {
      conditions.push('patient = $patient');
      params.patient = lower(query.patient);
    }
    if (query.actor) {
      conditions.push('actor = $actor');
      params.actor = lower(query.actor);
    }
    if (query.outcome) {
      conditions.push('outcome = $outcome');
      params.outcome = query.outcome;
    }
    if (query.category !== undefined) {
      conditions.push('category = $category');
      params.category = query.category;
    }
    if (query.since !== undefined) {
      conditions.push('recorded_at >= $since');
      params.since = query.since;
    }
    if (query.until !== undefined) {
      conditions.push('recorded_at < $until');
      params.until = query.until;
    }
    if (query.beforeSequence !== undefined) {
      // `seq` is the sequence plus one.
      conditions.push('seq <= $before');
      params.before = query.beforeSequence;
    }
    if (query.actors) {
      if (!query.actors.length) return [];
      conditions.push(`actor IN ${this.#db.jsonList('actors', 'text')}`);
      params.actors = JSON.stringify(query.actors.map(lower));
    }
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.#db.all(
      `SELECT * FROM audit_events ${where} ORDER BY seq DESC LIMIT $limit`,
      params,
    );
    return rows.map(toAuditEvent);
  }

  async auditEventsFrom(firstSequence: number, limit: number): Promise<AuditEventRow[]> {
    const rows = await this.#db.all(
      'SELECT * FROM audit_events WHERE seq > $from ORDER BY seq LIMIT $limit',
      {
        from: firstSequence,
        limit,
      },
    );
    return rows.map(toAuditEvent);
  }

  async saveAuditLeaves(leaves: AuditLeafRow[]): Promise<void> {
    if (!leaves.length) return;
    await this.#db.transaction(async (tx) => {
      for (const leaf of leaves) {
        await tx.run(
          'INSERT INTO audit_leaves VALUES ($sequence, $hash, $tag) ON CONFLICT (sequence) DO NOTHING',
          { sequence: leaf.sequence, hash: leaf.eventHash.toLowerCase(), tag: leaf.tag.toLowerCase() },
        );
      }
    });
  }

  async auditLeaves(firstSequence: number, limit: number): Promise<AuditLeafRow[]> {
    const rows = await this.#db.all(
      'SELECT * FROM audit_leaves WHERE sequence >= $from ORDER BY sequence LIMIT $limit',
      { from: firstSequence, limit },
    );
    return rows.map((row) => ({
      sequence: Number(row.sequence),
      eventHash: row.event_hash as Hex,
      tag: row.tag as Hex,
    }));
  }

  async saveAuditBatch(batch: AuditBatchRow): Promise<void> {
    await this.#db.run(
      `INSERT INTO audit_batches VALUES ($index, $first, $count, $root, $tx, $block)
       ON CONFLICT (batch_index) DO NOTHING`,
      {
        index: batch.batchIndex,
        first: batch.firstSequence,
        count: batch.count,
        root: batch.root,
        tx: batch.transactionHash,
        block: batch.blockNumber,
      },
    );
  }

  async auditBatches(): Promise<AuditBatchRow[]> {
    return (await this.#db.all('SELECT * FROM audit_batches ORDER BY batch_index')).map((row) => ({
      batchIndex: Number(row.batch_index),
      firstSequence: Number(row.first_sequence),
      count: Number(row.count),
      root: row.root as Hex,
      transactionHash: row.transaction_hash as Hex,
      blockNumber: Number(row.block_number),
    }));
  }
}

/** `seq` counts from 1; sequences from 0. */
function toAuditEvent(row: SqlRow): AuditEventRow {
  return {
    sequence: Number(row.seq) - 1,
    eventId: String(row.event_id),
    recordedAt: Number(row.recorded_at),
    actor: row.actor as Address,
    patient: (row.patient as Address | null) ?? null,
    action: String(row.action),
    recordId: (row.record_id as Hex | null) ?? null,
    category: row.category === null ? null : Number(row.category),
    sensitivity: row.sensitivity === null ? null : Number(row.sensitivity),
    purpose: (row.purpose as string | null) ?? null,
    outcome: row.outcome as AuditEventRow['outcome'],
    reason: (row.reason as string | null) ?? null,
  };
}
