/**
 * Orders on SQL (SQLite or PostgreSQL). The indexer writes them with `applyOrderEvents`, inside the
 * transaction that moves its cursor; addresses and ids are stored in lower case.
 */
import type { Address, Hex } from 'viem';
import type { OrderEvent, OrderFilter, OrderRow, OrderStepRow, OrderStore } from './orderStore.ts';
import type { SqlDatabase, SqlExecutor, SqlRow } from './sqlDatabase.ts';

const lower = <T extends string>(value: T) => value.toLowerCase() as T;
const completed = 4;
const inProgress = 3;

/** Applies Orders events in chain order (a replayed range changes nothing: steps are keyed by log). */
export async function applyOrderEvents(tx: SqlExecutor, events: readonly OrderEvent[]): Promise<void> {
  for (const event of events) {
    const orderId = lower(event.orderId);
    const step = {
      block: event.blockNumber,
      log: event.logIndex,
      id: orderId,
      actor: lower(event.actor),
      at: event.at,
    };
    const exists = await tx.get(
      'SELECT 1 AS found FROM order_steps WHERE block_number = $block AND log_index = $log',
      {
        block: step.block,
        log: step.log,
      },
    );
    if (exists) continue;
    let status: number;
    let recordIds: Hex[] = [];
    let quantity: number | null = null;
    switch (event.type) {
      case 'placed':
        status = 1;
        recordIds = [orderId];
        await tx.run(
          `INSERT INTO orders VALUES ($id, $kind, 1, $patient, $requester, $requesterOrg, $performerOrg, $quantity, 0,
             $fills, 0, $at, $at, $block) ON CONFLICT (order_id) DO NOTHING`,
          {
            id: orderId,
            kind: event.kind,
            patient: lower(event.patient),
            requester: step.actor,
            requesterOrg: event.requesterOrganisation,
            performerOrg: event.performerOrganisation,
            quantity: event.quantity,
            fills: event.fills,
            at: event.at,
            block: event.blockNumber,
          },
        );
        break;
      case 'status':
      case 'completed':
        status = event.type === 'status' ? event.status : completed;
        if (event.type === 'completed') recordIds = event.recordIds.map(lower);
        await tx.run('UPDATE orders SET status = $status, updated_at = $at WHERE order_id = $id', {
          id: orderId,
          status,
          at: event.at,
        });
        break;
      case 'dispensed': {
        recordIds = [lower(event.recordId)];
        quantity = event.quantity;
        const order = await tx.get('SELECT quantity, fills FROM orders WHERE order_id = $id', {
          id: orderId,
        });
        status =
          event.dispensed >= Number(order?.quantity ?? 0) || event.fillsUsed >= Number(order?.fills ?? 0)
            ? completed
            : inProgress;
        await tx.run(
          `UPDATE orders SET status = $status, dispensed = $dispensed, fills_used = $fillsUsed, updated_at = $at
           WHERE order_id = $id`,
          { id: orderId, status, dispensed: event.dispensed, fillsUsed: event.fillsUsed, at: event.at },
        );
        break;
      }
    }
    await tx.run(
      `INSERT INTO order_steps VALUES ($block, $log, $id, $status, $actor, $at, $records, $quantity)`,
      { ...step, status, records: recordIds.join(','), quantity },
    );
  }
}

export class SqlOrderStore implements OrderStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async order(orderId: Hex): Promise<OrderRow | undefined> {
    const row = await this.#db.get('SELECT * FROM orders WHERE order_id = $id', { id: lower(orderId) });
    return row ? toOrder(row) : undefined;
  }

  async orders(filter: OrderFilter): Promise<OrderRow[]> {
    const conditions: string[] = [];
    const params: SqlRow = {};
    if (filter.patient) {
      conditions.push('patient = $patient');
      params.patient = lower(filter.patient);
    }
    if (filter.requester) {
      conditions.push('requester = $requester');
      params.requester = lower(filter.requester);
    }
    if (filter.performerOrganisation) {
      conditions.push('performer_organisation = $performer');
      params.performer = filter.performerOrganisation;
    }
    const patients = filter.openPrescriptionsOf ?? [];
    if (patients.length) {
      const names = patients.map((_, index) => `$p${index}`);
      patients.forEach((patient, index) => {
        params[`p${index}`] = lower(patient);
      });
      conditions.push(`(kind = 2 AND performer_organisation = 0 AND patient IN (${names.join(', ')}))`);
    }
    if (!conditions.length) return [];
    let sql = `SELECT * FROM orders WHERE (${conditions.join(' OR ')})`;
    if (filter.kind) {
      sql += ' AND kind = $kind';
      params.kind = filter.kind;
    }
    if (filter.status) {
      sql += ' AND status = $status';
      params.status = filter.status;
    }
    const rows = await this.#db.all(`${sql} ORDER BY block_number DESC, order_id`, params);
    return rows.map(toOrder);
  }

  async orderSteps(orderId: Hex): Promise<OrderStepRow[]> {
    const rows = await this.#db.all(
      'SELECT * FROM order_steps WHERE order_id = $id ORDER BY block_number, log_index',
      { id: lower(orderId) },
    );
    return rows.map((row) => ({
      orderId: row.order_id as Hex,
      status: Number(row.status),
      actor: row.actor as Address,
      at: Number(row.at),
      recordIds: String(row.record_ids) ? (String(row.record_ids).split(',') as Hex[]) : [],
      quantity: row.quantity === null || row.quantity === undefined ? null : Number(row.quantity),
      blockNumber: Number(row.block_number),
      logIndex: Number(row.log_index),
    }));
  }
}

function toOrder(row: SqlRow): OrderRow {
  return {
    orderId: row.order_id as Hex,
    kind: Number(row.kind),
    status: Number(row.status),
    patient: row.patient as Address,
    requester: row.requester as Address,
    requesterOrganisation: Number(row.requester_organisation),
    performerOrganisation: Number(row.performer_organisation),
    quantity: Number(row.quantity),
    dispensed: Number(row.dispensed),
    fills: Number(row.fills),
    fillsUsed: Number(row.fills_used),
    placedAt: Number(row.placed_at),
    updatedAt: Number(row.updated_at),
    blockNumber: Number(row.block_number),
  };
}
