/**
 * Which chain events notify whom, with what. One entry per event name; the event follower calls
 * the entry of each event it reads, after the index has caught up with it (so entries may look up
 * rows of the same block range).
 *
 * To notify of one more kind of chain event, add an entry named after the event (the contract must
 * be among the ledger client's addresses so that its events are read).
 *
 * Data are ids, addresses, category names and times: never health content.
 */
import {
  actionsOfMask,
  categories,
  categoriesOfMask,
  derivationKindOfCode,
  emergencyCategories,
  emergencyVerdicts,
  erasureReasonCode,
  erasureReasonOfCode,
  orderKindOfCode,
  orderStatusOfCode,
  roleCode,
} from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import type { EmergencyStore } from './store/emergencyStore.ts';
import type { GatewayStore } from './store/gatewayStore.ts';
import type { NotificationData, NotificationDraft } from './store/notificationStore.ts';

export type LedgerEvent = Awaited<ReturnType<LedgerClient['events']>>[number];
type EventNamed<N extends LedgerEvent['eventName']> = Extract<LedgerEvent, { eventName: N }>;

export interface NotificationContext {
  store: GatewayStore;
  emergencies: EmergencyStore;
}

export interface Notice {
  recipient: Address;
  kind: string;
  data: NotificationData;
}

export type NotificationRules = {
  [N in LedgerEvent['eventName']]?: (
    event: EventNamed<N>,
    context: NotificationContext,
  ) => Notice[] | Promise<Notice[]>;
};

/** The requester and the patient of an indexed order, but `actor` (who knows what it did). */
async function orderParties(store: GatewayStore, orderId: Hex, actor: Address) {
  const order = await store.order(orderId);
  if (!order) return { order: undefined, recipients: [] as Address[] };
  const recipients = [order.requester, order.patient].filter(
    (recipient) => recipient.toLowerCase() !== actor.toLowerCase(),
  );
  return { order, recipients };
}

export const chainNotificationRules: NotificationRules = {
  // The patient's report of what happened to its record: who erased or hid it, why, until when. A move's
  // erasure is reported once, by its `RecordDerived` entry (record-moved), not here as well.
  RecordErased: (event) =>
    event.args.reason === erasureReasonCode('moved')
      ? []
      : [
          {
            recipient: event.args.patient,
            kind: 'record-erased',
            data: {
              recordId: event.args.recordId,
              by: event.args.by,
              reason: erasureReasonOfCode(event.args.reason) ?? String(event.args.reason),
            },
          },
        ],

  RecordHidden: (event) => [
    {
      recipient: event.args.patient,
      kind: 'record-hidden',
      data: { recordId: event.args.recordId, by: event.args.by, retainUntil: Number(event.args.retainUntil) },
    },
  ],

  OrderPlaced: async (event, { store }) => {
    const { orderId, patient, requester, requesterOrganisation, performerOrganisation, kind } = event.args;
    const data = {
      orderId,
      kind: orderKindOfCode(kind) ?? String(kind),
      patient,
      requester,
      requesterOrganisation,
      performerOrganisation,
    };
    const performers = performerOrganisation
      ? (await store.membersOf(performerOrganisation)).filter((member) => member.active)
      : [];
    return [patient, ...performers.map((member) => member.address)].map((recipient) => ({
      recipient,
      kind: 'order-placed',
      data,
    }));
  },

  OrderStatusChanged: async (event, { store }) => {
    const { orderId, status, actor } = event.args;
    const { order, recipients } = await orderParties(store, orderId, actor);
    const data = {
      orderId,
      kind: order ? (orderKindOfCode(order.kind) ?? null) : null,
      status: orderStatusOfCode(status) ?? String(status),
      actor,
    };
    return recipients.map((recipient) => ({ recipient, kind: 'order-status', data }));
  },

  OrderCompleted: async (event, { store }) => {
    const { orderId, actor, result } = event.args;
    const { order, recipients } = await orderParties(store, orderId, actor);
    const data = { orderId, kind: order ? (orderKindOfCode(order.kind) ?? null) : null, actor, result };
    return recipients.map((recipient) => ({ recipient, kind: 'order-completed', data }));
  },

  OrderDispensed: async (event, { store }) => {
    const { orderId, actor, quantity, dispensed, fillsUsed, record } = event.args;
    const { order, recipients } = await orderParties(store, orderId, actor);
    const data = {
      orderId,
      actor,
      quantity,
      dispensed,
      fillsUsed,
      record,
      status: order ? (orderStatusOfCode(order.status) ?? null) : null,
    };
    return recipients.map((recipient) => ({ recipient, kind: 'order-dispensed', data }));
  },

  AccessRequested: (event) => [
    {
      recipient: event.args.patient,
      kind: 'access-requested',
      data: {
        requestId: Number(event.args.requestId),
        requester: event.args.requester,
        categories: categoriesOfMask(event.args.categories),
        actions: actionsOfMask(event.args.actions),
      },
    },
  ],

  ConsentGranted: (event) =>
    event.args.requestId === 0n
      ? []
      : [
          {
            recipient: event.args.grantee,
            kind: 'access-request-approved',
            data: {
              requestId: Number(event.args.requestId),
              grantId: Number(event.args.grantId),
              patient: event.args.patient,
              categories: categoriesOfMask(event.args.categories),
              expiresAt: Number(event.args.expiresAt),
            },
          },
        ],

  AccessRequestDenied: async (event, { store }) => {
    const request = await store.accessRequest(Number(event.args.requestId));
    if (!request) return [];
    return [
      {
        recipient: request.requester,
        kind: 'access-request-denied',
        data: { requestId: request.requestId, patient: event.args.patient },
      },
    ];
  },

  RecordCoSigned: async (event, { store }) => {
    const { recordId, patient, signer, organisationId, finalised } = event.args;
    const data = { recordId, signer, organisationId, finalised };
    const author = (await store.record(recordId))?.author;
    const recipients = [patient, author].filter(
      (recipient, index, all): recipient is Address =>
        recipient !== undefined &&
        recipient.toLowerCase() !== signer.toLowerCase() &&
        all.findIndex((other) => other?.toLowerCase() === recipient.toLowerCase()) === index,
    );
    return recipients.map((recipient) => ({ recipient, kind: 'record-co-signed', data }));
  },
  // A copy, duplicate or moved record is reported by its `RecordDerived` entry instead.
  RecordAnchored: async (event, { store }) =>
    event.args.author.toLowerCase() === event.args.patient.toLowerCase() ||
    (await store.derivation(event.args.recordId))
      ? []
      : [
          {
            recipient: event.args.patient,
            kind: 'record-added',
            data: {
              recordId: event.args.recordId,
              author: event.args.author,
              organisationId: event.args.organisationId,
              category: categories[event.args.category] ?? null,
            },
          },
        ],

  /** The patient's report of a copy, duplicate or move of its record (both patients for a move), but to whoever did it. */
  RecordDerived: async (event, { store }) => {
    const { kind, sourceId, newRecordId, by, toOrganisation } = event.args;
    const name = derivationKindOfCode(kind);
    if (!name) return [];
    const [source, derived] = await Promise.all([store.record(sourceId), store.record(newRecordId)]);
    const fromPatient = source?.patient ?? null;
    const toPatient = derived?.patient ?? null;
    const data = {
      sourceId,
      recordId: newRecordId,
      by,
      toOrganisation,
      category: derived ? (categories[derived.category] ?? null) : null,
      fromPatient,
      toPatient,
    };
    const recipients = [fromPatient, toPatient].filter(
      (recipient, index, all): recipient is Address =>
        recipient !== null &&
        recipient.toLowerCase() !== by.toLowerCase() &&
        all.findIndex((other) => other?.toLowerCase() === recipient.toLowerCase()) === index,
    );
    const notice = { copy: 'record-copied', duplicate: 'record-duplicated', move: 'record-moved' }[name];
    return recipients.map((recipient) => ({ recipient, kind: notice, data }));
  },

  EmergencyDeclared: async (event, { store }) => {
    const admins = (await store.membersOf(event.args.organisationId)).filter(
      (member) => member.active && member.role === roleCode('admin'),
    );
    const data = {
      emergencyId: Number(event.args.emergencyId),
      patient: event.args.patient,
      member: event.args.member,
      organisationId: event.args.organisationId,
      categories: [...emergencyCategories],
      declaredAt: Number(event.args.declaredAt),
      expiresAt: Number(event.args.expiresAt),
    };
    return [event.args.patient, ...admins.map((admin) => admin.address)].map((recipient) => ({
      recipient,
      kind: 'emergency-declared',
      data,
    }));
  },

  EmergencyReviewed: async (event, { emergencies }) => {
    const emergency = await emergencies.emergency(Number(event.args.emergencyId));
    if (!emergency) return [];
    const data = {
      emergencyId: emergency.emergencyId,
      patient: emergency.patient,
      member: emergency.member,
      reviewer: event.args.reviewer,
      verdict: emergencyVerdicts[event.args.verdict] ?? String(event.args.verdict),
    };
    return [emergency.member, emergency.patient].map((recipient) => ({
      recipient,
      kind: 'emergency-reviewed',
      data,
    }));
  },

  EmergencyPrivilegeSet: (event) => [
    {
      recipient: event.args.member,
      kind: 'emergency-privilege-set',
      data: {
        privileged: event.args.privileged,
        organisationId: event.args.organisationId,
        admin: event.args.admin,
      },
    },
  ],
};

/** The notifications the rules derive from `events`, each keyed by its event and recipient. */
export async function notificationsOfEvents(
  events: readonly LedgerEvent[],
  context: NotificationContext,
  rules: NotificationRules = chainNotificationRules,
): Promise<NotificationDraft[]> {
  const drafts: NotificationDraft[] = [];
  for (const event of events) {
    const rule = rules[event.eventName] as
      | ((event: LedgerEvent, context: NotificationContext) => Notice[] | Promise<Notice[]>)
      | undefined;
    if (!rule) continue;
    for (const notice of await rule(event, context)) {
      const recipient = notice.recipient.toLowerCase() as Address;
      drafts.push({
        ...notice,
        recipient,
        data: { ...lowerCaseAddresses(notice.data), blockNumber: Number(event.blockNumber) },
        key: `${event.transactionHash}:${event.logIndex}:${notice.kind}:${recipient}`,
      });
    }
  }
  return drafts;
}

/** Addresses in lower case, as everywhere in the gateway's answers (events give them checksummed). */
function lowerCaseAddresses(data: NotificationData): NotificationData {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [
      key,
      typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value) ? value.toLowerCase() : value,
    ]),
  );
}
