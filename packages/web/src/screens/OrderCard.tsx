/**
 * An order as the people involved see it, whatever its kind: its card (what was asked, by whom, of
 * whom, its status and each step), its outcome opened on request, orders grouped by kind with
 * "Cancel" for who may, and a performer's worklist filtered by status.
 */
import { orderOf, setOrderStatus } from '@medledger/client';
import { isOrderOpen } from '@medledger/core';
import { Fragment, type ReactNode, useState } from 'react';
import {
  AddressText,
  Badge,
  Button,
  ChipGroup,
  formatTime,
  Notice,
  Spinner,
  useAction,
  useLoad,
} from '../components/ui.tsx';
import { isDenied, plainError } from '../errors.ts';
import { conceptText, type Json } from '../records/fhirText.ts';
import { ResourceBody } from '../records/RecordView.tsx';
import { useSession } from '../session.tsx';
import { ClaimResponseView, ClaimSummary, claimTitle, LabReportView } from './OrderViews.tsx';
import {
  kindLabels,
  loadOrders,
  type OrderEntry,
  type OrderKind,
  type OrderStep,
  type OrderSummary,
  plainOrderError,
  statusText,
  statusTone,
  useOrderUpdates,
  useOrganisationName,
} from './orders.ts';
import { RecordStampLine } from './RecordStamp.tsx';

/** What an order asks for, in a few words: the test, the medicine, the claim's total. */
function orderTitle(entry: OrderEntry): string {
  const { order, request } = entry;
  if (!request) return kindLabels[order.kind];
  if (order.kind === 'lab') return conceptText(request.code) ?? 'Lab test';
  if (order.kind === 'prescription') return conceptText(request.medicationCodeableConcept) ?? 'Medication';
  return claimTitle(request);
}

function OrderStatusBadge(props: { order: OrderSummary }) {
  return (
    <Badge tone={statusTone(props.order.status)}>{statusText(props.order.kind, props.order.status)}</Badge>
  );
}

/**
 * One order: title, status, who asked whom and when, the request's content, its steps, and its
 * outcome on request. `actions` are the viewer's role's buttons and forms.
 */
export function OrderCard(props: {
  entry: OrderEntry;
  showPatient?: boolean;
  /** Shows the request record's signatures, with "Co-sign" for those who may. */
  showStamp?: boolean;
  actions?: ReactNode;
}) {
  const { order, request, requestMeta, error } = props.entry;
  const organisationName = useOrganisationName();
  return (
    <article
      className={`card order-card order-${order.kind}`}
      data-order-id={order.orderId}
      aria-label={`${kindLabels[order.kind]}: ${orderTitle(props.entry)}`}
    >
      <header className="card-header">
        <h3>
          {kindLabels[order.kind]}: {orderTitle(props.entry)}
        </h3>
        <OrderStatusBadge order={order} />
      </header>
      <dl className="facts">
        {props.showPatient && (
          <div className="facts-row">
            <dt>Patient</dt>
            <dd>
              <AddressText address={order.patient} />
            </dd>
          </div>
        )}
        <div className="facts-row">
          <dt>{order.kind === 'claim' ? 'Submitted by' : 'Ordered by'}</dt>
          <dd>
            {organisationName(order.requesterOrganisation)} (<AddressText address={order.requester} />)
          </dd>
        </div>
        <div className="facts-row">
          <dt>{order.kind === 'claim' ? 'Insurer' : order.kind === 'lab' ? 'Laboratory' : 'Pharmacy'}</dt>
          <dd>{organisationName(order.performerOrganisation)}</dd>
        </div>
        <div className="facts-row">
          <dt>Placed</dt>
          <dd>{formatTime(order.placedAt)}</dd>
        </div>
        {order.kind === 'prescription' && (
          <div className="facts-row">
            <dt>Dispensed</dt>
            <dd data-testid="dispensed">
              {order.dispensed} of {order.quantity} · {order.quantity - order.dispensed} remaining · fills
              used {order.fillsUsed} of {order.fills}
            </dd>
          </div>
        )}
      </dl>
      {request ? (
        order.kind === 'claim' ? (
          <ClaimSummary claim={request} />
        ) : (
          <ResourceBody resource={request} />
        )
      ) : (
        <Notice kind="error">{error}</Notice>
      )}
      {props.showStamp && requestMeta && <RecordStampLine meta={requestMeta} readable={Boolean(request)} />}
      <OrderSteps order={order} />
      <OrderOutcome order={order} request={request} />
      {props.actions && <div className="order-actions">{props.actions}</div>}
    </article>
  );
}

const endings = { cancelled: 'Cancelled', rejected: 'Rejected' } as const;
const stepWords: Record<OrderKind, Partial<Record<OrderSummary['status'], string>>> = {
  lab: {
    placed: 'Ordered',
    accepted: 'Received',
    in_progress: 'In progress',
    completed: 'Result posted',
    ...endings,
  },
  prescription: { placed: 'Prescribed', in_progress: 'Dispensed', completed: 'Dispensed', ...endings },
  claim: {
    placed: 'Submitted',
    accepted: 'Received',
    in_progress: 'Under review',
    completed: 'Decided',
    ...endings,
  },
};

/** Changes whenever a step was taken (two steps can share a block's second, so not the time alone). */
function versionOf(order: OrderSummary): string {
  return `${order.status}:${order.updatedAt}:${order.dispensed}:${order.fillsUsed}:${order.resultRecordIds.length}`;
}

/**
 * Who took a step, by organisation: the step's own when the gateway names it, else the requester's
 * for placing and the performer's for the rest (a prescription open to any pharmacy names none).
 */
function stepOrganisation(order: OrderSummary, step: OrderStep): number | null {
  if (typeof step.actorOrganisation === 'number') return step.actorOrganisation;
  if (step.status === 'placed' || (step.status === 'cancelled' && sameAddress(step.actor, order.requester)))
    return order.requesterOrganisation;
  return order.performerOrganisation;
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The order's steps from the gateway's index of the chain's events: what, by whom, when. */
function OrderSteps(props: { order: OrderSummary }) {
  const { client, identity } = useSession();
  const organisationName = useOrganisationName();
  const { order } = props;
  const detail = useLoad(() => orderOf(client, order.orderId), [client, order.orderId, versionOf(order)]);
  if (!detail.data) return detail.loading ? <Spinner label="Fetching the order’s steps…" /> : null;
  return (
    <ol className="order-steps" aria-label="Steps">
      {detail.data.steps.map((step) => {
        const organisation = stepOrganisation(order, step);
        const byPatient = sameAddress(step.actor, order.patient);
        return (
          <li key={`${step.status}-${step.at}-${step.recordId ?? ''}`}>
            <span className="strong">
              {stepWords[order.kind][step.status] ?? statusText(order.kind, step.status)}
              {step.quantity ? ` ${step.quantity}` : ''}
            </span>{' '}
            <span className="muted">
              by{' '}
              {sameAddress(step.actor, identity.address)
                ? 'you'
                : byPatient
                  ? 'the patient'
                  : organisation
                    ? organisationName(organisation)
                    : 'a pharmacy'}{' '}
              (<AddressText address={step.actor} />) ·{' '}
              <time dateTime={new Date(step.at * 1000).toISOString()}>{formatTime(step.at)}</time>
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** The records an order produced: the lab's report and results, the dispensings, the insurer's answer. */
function OrderOutcome(props: { order: OrderSummary; request?: Json }) {
  const { client } = useSession();
  const { order } = props;
  const [open, setOpen] = useState(false);
  const outcome = useLoad(async () => {
    if (!open) return undefined;
    return Promise.all(
      order.resultRecordIds.map(async (id) => (await client.readRecord(id)).resource as Json),
    );
  }, [client, open, order.orderId, versionOf(order)]);
  if (order.resultRecordIds.length === 0) return null;
  const label = order.kind === 'lab' ? 'result' : order.kind === 'prescription' ? 'dispensings' : 'decision';
  if (!open)
    return (
      <Button kind="secondary" onClick={() => setOpen(true)}>
        Open {label}
      </Button>
    );
  if (outcome.error)
    return <Notice kind={isDenied(outcome.error) ? 'denied' : 'error'}>{plainError(outcome.error)}</Notice>;
  if (!outcome.data) return <Spinner label={`Fetching and decrypting the ${label}…`} />;
  const resources = outcome.data;
  return (
    <section className="order-outcome" aria-label={`The ${label}`}>
      {order.kind === 'lab' && <LabReportView resources={resources} />}
      {order.kind === 'claim' &&
        resources.map((resource) => (
          <ClaimResponseView key={String(resource.id)} response={resource} claim={props.request} />
        ))}
      {order.kind === 'prescription' &&
        resources.map((resource) => (
          <div className="bundle-entry" key={String(resource.id)}>
            <ResourceBody resource={resource} />
          </div>
        ))}
    </section>
  );
}

/** Orders grouped by kind, each group a card with its own empty text. */
export function OrderGroups(props: {
  entries: OrderEntry[];
  showPatient?: boolean;
  empty: Record<OrderKind, string>;
  onChange: () => void;
}) {
  const { identity } = useSession();
  // The requester and the patient may cancel an order while it is open.
  const mayCancel = (order: OrderSummary) =>
    isOrderOpen(order.status) &&
    (sameAddress(order.requester, identity.address) || sameAddress(order.patient, identity.address));
  return (
    <>
      {(['lab', 'prescription', 'claim'] as const).map((kind) => {
        const entries = props.entries.filter((entry) => entry.order.kind === kind);
        return (
          <section key={kind} className="stack" aria-label={groupTitles[kind]}>
            <h3>{groupTitles[kind]}</h3>
            {entries.length === 0 && <p className="empty">{props.empty[kind]}</p>}
            {entries.map((entry) => (
              <OrderCard
                key={entry.order.orderId}
                entry={entry}
                showPatient={props.showPatient}
                actions={
                  mayCancel(entry.order) ? (
                    <CancelOrder order={entry.order} onDone={props.onChange} />
                  ) : undefined
                }
              />
            ))}
          </section>
        );
      })}
    </>
  );
}

/** Cancels an open order, as its requester or its patient; a signed step like every other. */
function CancelOrder(props: { order: OrderSummary; onDone: () => void }) {
  const { client } = useSession();
  const { order } = props;
  const cancel = useAction(async () => {
    try {
      await setOrderStatus(client, { orderId: order.orderId, status: 'cancelled' });
    } catch (error) {
      throw new Error(plainOrderError(error, order));
    } finally {
      props.onDone();
    }
  });
  return (
    <>
      <Button
        kind="danger"
        busy={cancel.busy}
        busyLabel="Cancelling…"
        label={`Cancel this ${kindLabels[order.kind].toLowerCase()}`}
        onClick={() => void cancel.run()}
      >
        Cancel
      </Button>
      {cancel.error && <Notice kind="error">{cancel.error}</Notice>}
    </>
  );
}

const groupTitles: Record<OrderKind, string> = {
  lab: 'Lab tests',
  prescription: 'Prescriptions',
  claim: 'Claims',
};

/** Keeps the entries a worklist filter asks for: open ones, all, or one status. */
function filterByStatus(entries: OrderEntry[], filter: string): OrderEntry[] {
  if (filter === 'all') return entries;
  if (filter === 'open') return entries.filter((entry) => isOrderOpen(entry.order.status));
  return entries.filter((entry) => entry.order.status === filter);
}

/**
 * A performer's worklist of one kind of order: status filter chips and Refresh over the orders sent
 * to its organisation, kept up to date as steps are taken, each drawn by `card` (with the
 * performer's buttons and forms; `reload` fetches the list again).
 */
export function OrderWorklist(props: {
  kind: OrderKind;
  title: string;
  intro: string;
  filters: readonly (readonly [string, string])[];
  /** Fetches the request records' signatures, for cards that show them. */
  stamps?: boolean;
  /** What the spinner says while the orders are fetched and decrypted. */
  fetching: string;
  /** What is said when no order has the chosen status. */
  empty: string;
  /** Said above the cards, such as the outcome of the last step taken. */
  notice?: ReactNode;
  card: (entry: OrderEntry, reload: () => void) => ReactNode;
}) {
  const { client } = useSession();
  const [filter, setFilter] = useState('open');
  const orders = useLoad(
    () => loadOrders(client, { view: 'worklist', kind: props.kind }, { stamps: props.stamps ?? false }),
    [client, props.kind, props.stamps],
  );
  useOrderUpdates(orders.reload);
  const shown = orders.data ? filterByStatus(orders.data, filter) : [];
  return (
    <div className="stack">
      <h1>{props.title}</h1>
      <p className="muted">{props.intro}</p>
      <div className="list-toolbar">
        <ChipGroup legend="Filter by status" value={filter} options={props.filters} onChange={setFilter} />
        <Button kind="ghost" onClick={orders.reload}>
          Refresh
        </Button>
      </div>
      {orders.loading && !orders.data && <Spinner label={props.fetching} />}
      {orders.error ? <Notice kind="error">{plainError(orders.error)}</Notice> : null}
      {props.notice}
      {orders.data && shown.length === 0 && <p className="empty">{props.empty}</p>}
      {shown.map((entry) => (
        <Fragment key={entry.order.orderId}>{props.card(entry, orders.reload)}</Fragment>
      ))}
    </div>
  );
}
