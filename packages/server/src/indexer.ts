/**
 * The indexer follows the contracts' events into the gateway store, so that lists (records,
 * consents, requests, members) need no chain scans. It only feeds listings: every access decision
 * still asks the chain itself (see accessControl.ts).
 */
import { cidFromDigest, LedgerUnavailableError } from '@medledger/core';
import { type LedgerClient, ledgerRecovering } from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import { createPeriodicTask, type Exclusive } from './periodicTask.ts';
import type { ChainIndexUpdate, GatewayStore } from './store/gatewayStore.ts';

export interface IndexerOptions {
  ledger: LedgerClient;
  store: GatewayStore;
  /**
   * Taken around each run, so that one process of those sharing the store writes the index at a
   * time (`rebuild` runs under it already: recovery holds it).
   */
  exclusive?: Exclusive;
  intervalMs?: number;
  /** Blocks per `eth_getLogs` request at most (fewer while ranges hold many events; see `indexTo`). */
  maxRange?: bigint;
  onError?: (error: unknown) => void;
  /** Told of the records of each indexed range (e.g. to replicate their blobs). */
  onRecords?: (records: ChainIndexUpdate['records']) => void;
  /** Told when an indexed range erased records (to destroy their blobs here). */
  onErasures?: () => void;
  /** Checked before each run: throws when the chain no longer holds what was indexed (see ledgerGuard.ts). */
  assertIntact?: () => Promise<void>;
}

export type Indexer = ReturnType<typeof createIndexer>;

/** Events one `eth_getLogs` should return at most (a node answers 5,000 logs in well under a second). */
export const eventsPerRequest = 5_000;

export function createIndexer({
  ledger,
  store,
  intervalMs = 200,
  maxRange = 5_000n,
  onError,
  onRecords,
  onErasures,
  assertIntact,
  exclusive,
}: IndexerOptions) {
  /** Blocks asked for in the next `eth_getLogs` (adapted to how many events ranges hold). */
  let range = maxRange;

  /**
   * Indexes every block up to the chain's head; resolves when the store has caught up. Each range
   * is stored with the hash of its last block, read before and after its events: if the two differ
   * the chain changed under the read, and nothing is stored.
   *
   * Ranges adapt to the events they hold: a range that held more than `eventsPerRequest` events
   * halves the next, one that held under a quarter of that doubles it (up to `maxRange`), and a
   * request the node fails (a timeout, or a node refusing that many logs) is asked again for half
   * the blocks, down to one block, before the failure is reported. So a chain holding hundreds of
   * thousands of records is indexed in requests the node answers, not one that never returns.
   */
  async function syncOnce(): Promise<void> {
    await assertIntact?.();
    const indexHead = async () => indexTo(await ledger.blockNumber());
    await (exclusive ? exclusive(indexHead) : indexHead());
  }

  async function indexTo(head: bigint): Promise<void> {
    const indexed = await store.indexedBlock();
    let from = indexed === null ? ledger.deployment.deployedAtBlock : BigInt(indexed) + 1n;
    while (from <= head) {
      const to = from + range - 1n < head ? from + range - 1n : head;
      const hashBefore = await ledger.blockHash(to);
      let events: LedgerEvents;
      try {
        events = await ledger.events(from, to);
      } catch (error) {
        if (to === from || !(error instanceof LedgerUnavailableError)) throw error;
        range = halved(to - from + 1n);
        continue;
      }
      if (events.length > eventsPerRequest) range = halved(to - from + 1n);
      else if (events.length < eventsPerRequest / 4 && to - from + 1n === range) range = doubled(range);
      const hashAfter = await ledger.blockHash(to);
      if (!hashBefore || hashBefore !== hashAfter) {
        throw new LedgerUnavailableError('The chain changed while it was being indexed.', {
          reason: ledgerRecovering,
        });
      }
      const blockTimes = await orderBlockTimes(events);
      const update = { ...toIndexUpdate(events, Number(to), blockTimes), toBlockHash: hashBefore };
      await store.applyChainIndex(update);
      if (update.records.length) onRecords?.(update.records);
      if (update.recordLifecycle?.some((event) => event.type === 'erased')) onErasures?.();
      from = to + 1n;
    }
  }

  /** The times of the blocks that hold Orders events or erasures (both are dated by their block). */
  async function orderBlockTimes(events: LedgerEvents): Promise<Map<bigint, number>> {
    const blocks = new Set(
      events
        .filter((event) => orderEventNames.has(event.eventName) || event.eventName === 'RecordErased')
        .map((e) => e.blockNumber),
    );
    const times = new Map<bigint, number>();
    for (const number of blocks) times.set(number, Number((await ledger.block(number)).timestamp));
    return times;
  }

  const halved = (blocks: bigint) => (blocks > 1n ? blocks / 2n : 1n);
  const doubled = (blocks: bigint) => (blocks * 2n < maxRange ? blocks * 2n : maxRange);

  const task = createPeriodicTask(syncOnce, intervalMs, onError);

  /**
   * The indexed record, indexing the chain first when the index does not have it yet: a record
   * anchored through another gateway is asked for (by a reader gathering key shares, say) as soon
   * as it is mined, often before this gateway's next run. Throws when the chain cannot be read.
   */
  async function record(recordId: Hex) {
    const indexed = await store.record(recordId);
    if (indexed) return indexed;
    await task.runNow();
    return store.record(recordId);
  }

  return {
    sync: task.runNow,
    /** Indexes up to the head without the intactness check (recovery rebuilds the index with it). */
    rebuild: async () => indexTo(await ledger.blockNumber()),
    start: task.start,
    stop: task.stop,
    record,
  };
}

type LedgerEvents = Awaited<ReturnType<LedgerClient['events']>>;

const orderEventNames = new Set(['OrderPlaced', 'OrderStatusChanged', 'OrderCompleted', 'OrderDispensed']);

/** `blockTimes`: the times (unix seconds) of the blocks that hold Orders events and erasures, to date them. */
export function toIndexUpdate(
  events: LedgerEvents,
  toBlock: number,
  blockTimes: ReadonlyMap<bigint, number> = new Map(),
): ChainIndexUpdate {
  const update: ChainIndexUpdate = {
    toBlock,
    organisations: [],
    organisationActivations: [],
    members: [],
    memberSuspensions: [],
    memberProfiles: [],
    patients: [],
    grants: [],
    revocations: [],
    requests: [],
    requestDenials: [],
    records: [],
    supersessions: [],
    patientKeyRotations: [],
    orderEvents: [],
    delegateEvents: [],
    derivations: [],
    recordLifecycle: [],
  };
  const orderEvents = update.orderEvents ?? [];
  const delegateEvents = update.delegateEvents ?? [];
  const recordLifecycle = update.recordLifecycle ?? [];
  /** Records anchored by each transaction: an order's results are those of the step's transaction. */
  const recordsOfTransaction = new Map<Hex, Hex[]>();
  for (const event of events) {
    if (event.eventName !== 'RecordAnchored') continue;
    const list = recordsOfTransaction.get(event.transactionHash) ?? [];
    list.push(event.args.recordId);
    recordsOfTransaction.set(event.transactionHash, list);
  }
  const zero = '0x0000000000000000000000000000000000000000';
  for (const event of events) {
    const blockNumber = Number(event.blockNumber);
    const step = {
      at: blockTimes.get(event.blockNumber) ?? 0,
      blockNumber,
      logIndex: event.logIndex,
    };
    switch (event.eventName) {
      case 'OrderPlaced':
        orderEvents.push({
          type: 'placed',
          ...step,
          orderId: event.args.orderId,
          actor: event.args.requester,
          patient: event.args.patient,
          requesterOrganisation: event.args.requesterOrganisation,
          performerOrganisation: event.args.performerOrganisation,
          kind: event.args.kind,
          quantity: event.args.quantity,
          fills: event.args.fills,
        });
        break;
      case 'OrderStatusChanged':
        orderEvents.push({
          type: 'status',
          ...step,
          orderId: event.args.orderId,
          actor: event.args.actor,
          status: event.args.status,
        });
        break;
      case 'OrderCompleted':
        orderEvents.push({
          type: 'completed',
          ...step,
          orderId: event.args.orderId,
          actor: event.args.actor,
          recordIds: recordsOfTransaction.get(event.transactionHash) ?? [event.args.result],
        });
        break;
      case 'OrderDispensed':
        orderEvents.push({
          type: 'dispensed',
          ...step,
          orderId: event.args.orderId,
          actor: event.args.actor,
          quantity: event.args.quantity,
          dispensed: event.args.dispensed,
          fillsUsed: event.args.fillsUsed,
          recordId: event.args.record,
        });
        break;
      case 'DelegateAdded':
        delegateEvents.push({
          type: 'added',
          patient: event.args.patient,
          delegate: event.args.delegate,
          kind: event.args.kind,
          categoryLimit: event.args.categoryLimit,
          encryptionKey: event.args.encryptionKey,
          addedAtBlock: blockNumber,
        });
        break;
      case 'DelegateRemoved':
        delegateEvents.push({ type: 'removed', patient: event.args.patient, delegate: event.args.delegate });
        break;
      case 'OrganisationProposed':
        update.organisations.push({
          organisationId: event.args.organisationId,
          name: event.args.name,
          kind: event.args.kind,
          admin: event.args.admin,
          encryptionKey: event.args.encryptionKey,
          gatewayUrl: event.args.gatewayUrl,
          active: false,
        });
        break;
      case 'OrganisationActivated':
        update.organisationActivations.push(event.args.organisationId);
        break;
      case 'MemberAdded':
        update.members.push({
          address: event.args.member,
          organisationId: event.args.organisationId,
          role: event.args.role,
          encryptionKey: event.args.encryptionKey,
          active: true,
        });
        break;
      case 'MemberSuspended':
        update.memberSuspensions.push(event.args.member);
        break;
      case 'MemberProfileSet':
        update.memberProfiles?.push({
          address: event.args.member,
          organisationId: event.args.organisationId,
          name: event.args.name,
          title: event.args.title,
          department: event.args.department,
        });
        break;
      case 'PatientRegistered':
        update.patients.push({
          address: event.args.patient,
          organisationId: event.args.organisationId,
          encryptionKey: event.args.encryptionKey,
        });
        break;
      case 'ConsentGranted':
        update.grants.push({
          grantId: Number(event.args.grantId),
          patient: event.args.patient,
          grantee: event.args.grantee === zero ? null : (event.args.grantee as Address),
          granteeOrganisation: event.args.granteeOrganisation,
          categories: event.args.categories,
          maxSensitivity: event.args.maxSensitivity,
          actions: event.args.actions,
          purpose: event.args.purpose,
          expiresAt: Number(event.args.expiresAt),
          requestId: Number(event.args.requestId),
          grantedAtBlock: blockNumber,
          revokedAtBlock: null,
        });
        break;
      case 'ConsentRevoked':
        update.revocations.push({ grantId: Number(event.args.grantId), blockNumber });
        break;
      case 'AccessRequested':
        update.requests.push({
          requestId: Number(event.args.requestId),
          patient: event.args.patient,
          requester: event.args.requester,
          categories: event.args.categories,
          actions: event.args.actions,
          reasonHash: event.args.reasonHash,
          status: 'pending',
          grantId: null,
          blockNumber,
        });
        break;
      case 'AccessRequestDenied':
        update.requestDenials.push(Number(event.args.requestId));
        break;
      case 'RecordAnchored':
        update.records.push({
          recordId: event.args.recordId,
          patient: event.args.patient,
          author: event.args.author,
          organisationId: event.args.organisationId,
          category: event.args.category,
          sensitivity: event.args.sensitivity,
          contentDigest: event.args.contentDigest,
          cid: cidFromDigest(event.args.contentDigest),
          supersedes: event.args.supersedes,
          supersededBy: null,
          createdAt: Number(event.args.createdAt),
          blockNumber,
          transactionHash: event.transactionHash,
        });
        break;
      case 'PatientKeyRotated':
        update.patientKeyRotations?.push({
          patient: event.args.patient,
          previousSigner: event.args.previousSigner,
          encryptionKey: event.args.encryptionKey,
        });
        break;
      case 'RecordDerived':
        update.derivations?.push({
          recordId: event.args.newRecordId,
          kind: event.args.kind,
          sourceId: event.args.sourceId,
          by: event.args.by,
          toOrganisation: event.args.toOrganisation,
          blockNumber,
          logIndex: event.logIndex,
          transactionHash: event.transactionHash,
        });
        break;
      case 'RecordErased':
        recordLifecycle.push({
          type: 'erased',
          recordId: event.args.recordId,
          patient: event.args.patient,
          by: event.args.by,
          reason: event.args.reason,
          erasedAt: step.at,
          blockNumber,
        });
        break;
      case 'RecordHidden':
        recordLifecycle.push({
          type: 'hidden',
          recordId: event.args.recordId,
          patient: event.args.patient,
          by: event.args.by,
          retainUntil: Number(event.args.retainUntil),
          blockNumber,
        });
        break;
      case 'RecordUnhidden':
        recordLifecycle.push({ type: 'unhidden', recordId: event.args.recordId });
        break;
      case 'RecordSuperseded':
        update.supersessions.push({ recordId: event.args.recordId, supersededBy: event.args.supersededBy });
        break;
    }
  }
  return update;
}
