/**
 * Insurance claims: after an encounter the hospital submits a Claim (items and amounts) to the
 * patient's insurer under the patient's consent; the insurer reads the claim's items and decides
 * (approved, partly, denied, with amounts and a reason) in a ClaimResponse, which completes it.
 */
import { completeOrder, placeOrder } from '@medledger/client';
import { buildClaim, buildClaimResponse } from '@medledger/core';
import { useState } from 'react';
import { Badge, Button, Field, Notice, Spinner, useAction, useLoad } from '../components/ui.tsx';
import { plainError } from '../errors.ts';
import { conceptText, isObject, type Json, list } from '../records/fhirText.ts';
import { useSession } from '../session.tsx';
import { filterByStatus, OrderCard, StatusFilter } from './OrderScreens.tsx';
import {
  loadOrders,
  type OrderEntry,
  plainOrderError,
  requestFhirId,
  useOrganisationName,
  useOrganisationsOfKind,
} from './orders.ts';
import { FormShell } from './RecordForms.tsx';

interface Money {
  value: number;
  currency: string;
}

function moneyOf(value: unknown): Money | undefined {
  if (!isObject(value) || typeof value.value !== 'number') return undefined;
  return { value: value.value, currency: typeof value.currency === 'string' ? value.currency : '' };
}

function moneyText(money: Money | undefined): string {
  if (!money) return '—';
  return `${money.value.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${money.currency}`.trim();
}

/** A claim's items as service and amount, read from the FHIR Claim. */
export function claimItems(claim: Json): { sequence: number; service: string; amount?: Money }[] {
  return list(claim.item).map((item, index) => ({
    sequence: typeof item.sequence === 'number' ? item.sequence : index + 1,
    service: conceptText(item.productOrService) ?? 'Service',
    amount: moneyOf(item.net) ?? moneyOf(item.unitPrice),
  }));
}

function claimTotal(claim: Json): Money | undefined {
  const total = moneyOf(claim.total);
  if (total) return total;
  const amounts = claimItems(claim).flatMap((item) => (item.amount ? [item.amount] : []));
  if (amounts.length === 0) return undefined;
  return { value: amounts.reduce((sum, a) => sum + a.value, 0), currency: amounts[0]?.currency ?? '' };
}

export function claimTitle(claim: Json): string {
  const items = claimItems(claim).length;
  return `${items} ${items === 1 ? 'item' : 'items'}, ${moneyText(claimTotal(claim))}`;
}

/** The claim's items and amounts. */
export function ClaimSummary(props: { claim: Json }) {
  const items = claimItems(props.claim);
  return (
    <table className="data-table claim-items">
      <caption className="visually-hidden">Claimed items</caption>
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Amount</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item.sequence}>
            <td>{item.service}</td>
            <td>{moneyText(item.amount)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">Total</th>
          <td className="strong">{moneyText(claimTotal(props.claim))}</td>
        </tr>
      </tbody>
    </table>
  );
}

function adjudicated(entries: unknown, category: string): Money | undefined {
  for (const entry of list(entries)) {
    const codes = list(isObject(entry.category) ? entry.category.coding : undefined).map((c) => c.code);
    if (codes.includes(category)) return moneyOf(entry.amount);
  }
  return undefined;
}

/** The insurer's decision in words: approved when it pays what was claimed, denied when nothing, else partly. */
export function decisionOf(response: Json): 'approved' | 'partly approved' | 'denied' | undefined {
  const benefit = adjudicated(response.total, 'benefit');
  const submitted = adjudicated(response.total, 'submitted');
  if (!benefit) return undefined;
  if (benefit.value === 0) return 'denied';
  if (submitted && benefit.value >= submitted.value) return 'approved';
  return 'partly approved';
}

/** The insurer's answer: the decision, the amounts per item, and the reason. */
export function ClaimResponseView(props: { response: Json }) {
  const { response } = props;
  const decision = decisionOf(response);
  return (
    <div className="claim-decision">
      <p>
        Decision:{' '}
        <Badge tone={decision === 'approved' ? 'good' : decision === 'denied' ? 'bad' : 'warn'}>
          {decision ?? String(response.outcome ?? 'unknown')}
        </Badge>{' '}
        · approved {moneyText(adjudicated(response.total, 'benefit'))} of{' '}
        {moneyText(adjudicated(response.total, 'submitted'))}
      </p>
      {typeof response.disposition === 'string' && <p>Reason: {response.disposition}</p>}
      <table className="data-table">
        <caption className="visually-hidden">Decided amounts per item</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Claimed</th>
            <th scope="col">Approved</th>
          </tr>
        </thead>
        <tbody>
          {list(response.item).map((item) => (
            <tr key={String(item.itemSequence)}>
              <td>#{String(item.itemSequence)}</td>
              <td>{moneyText(adjudicated(item.adjudication, 'submitted'))}</td>
              <td>{moneyText(adjudicated(item.adjudication, 'benefit'))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The insurer named in the patient's Coverage, if the clinician may read it; to preselect. */
async function coveredBy(
  client: ReturnType<typeof useSession>['client'],
  patient: string,
): Promise<string | undefined> {
  const { records } = await client.listRecords(patient as `0x${string}`);
  for (const meta of records.filter((r) => r.category === 'insurance' && !r.supersededBy)) {
    try {
      const { resource } = await client.readRecord(meta.recordId);
      const coverage = resource as Json;
      if (coverage.resourceType !== 'Coverage') continue;
      const payor = list(coverage.payor)[0];
      if (typeof payor?.display === 'string') return payor.display;
    } catch {
      // A record the clinician may not read names no insurer for this purpose.
    }
  }
  return undefined;
}

interface ItemDraft {
  service: string;
  amount: string;
}

/** The hospital's claim after an encounter: items with amounts, to the patient's insurer. */
export function ClaimForm(props: { patient: string; onDone: () => void }) {
  const { client, identity, me } = useSession();
  const organisationName = useOrganisationName();
  const insurers = useOrganisationsOfKind('insurer');
  const coverage = useLoad(() => coveredBy(client, props.patient), [client, props.patient]);
  const [insurer, setInsurer] = useState('');
  const [encounter, setEncounter] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [items, setItems] = useState<ItemDraft[]>([{ service: '', amount: '' }]);
  const [done, setDone] = useState<string>();
  const covered = insurers.find((o) => o.name === coverage.data);
  const chosen = insurer || (covered ? String(covered.organisationId) : '');
  const action = useAction(async () => {
    setDone(undefined);
    const payer = insurers.find((o) => String(o.organisationId) === chosen);
    if (!payer) throw new Error('Choose the patient’s insurer.');
    const resource = buildClaim({
      patient: props.patient,
      provider: organisationName(me.member?.organisationId),
      insurer: payer.name,
      ...(encounter ? { encounter } : {}),
      currency,
      items: items.map((item) => ({ service: item.service, amount: Number(item.amount) })),
      author: identity.address,
    });
    await placeOrder(client, {
      patient: props.patient as `0x${string}`,
      kind: 'claim',
      performerOrganisation: payer.organisationId,
      resource,
    });
    setDone(`Claim submitted to ${payer.name}. Its status follows below.`);
    props.onDone();
  });
  const setItem = (index: number, change: Partial<ItemDraft>) =>
    setItems((all) => all.map((item, i) => (i === index ? { ...item, ...change } : item)));
  return (
    <FormShell
      title="Claim"
      submit="Submit claim"
      busy={action.busy}
      error={action.error}
      done={done}
      onSubmit={() => void action.run()}
    >
      <Field
        label="Insurer"
        hint={
          coverage.data
            ? `The patient’s coverage names ${coverage.data}.`
            : 'The patient’s insurer; the claim needs the patient’s consent to add insurance records.'
        }
      >
        {(id) => (
          <select id={id} value={chosen} onChange={(e) => setInsurer(e.target.value)} required>
            <option value="">Choose an insurer…</option>
            {insurers.map((o) => (
              <option key={o.organisationId} value={o.organisationId}>
                {o.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Encounter (optional)" hint="The visit this claim is for, e.g. the date and reason.">
        {(id) => <input id={id} value={encounter} onChange={(e) => setEncounter(e.target.value)} />}
      </Field>
      <Field label="Currency">
        {(id) => (
          <input id={id} value={currency} pattern="[A-Z]{3}" onChange={(e) => setCurrency(e.target.value)} />
        )}
      </Field>
      {items.map((item, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: items are edited in place and never reordered.
        <div className="form-row" key={index}>
          <Field label={`Service ${index + 1}`}>
            {(id) => (
              <input
                id={id}
                value={item.service}
                onChange={(e) => setItem(index, { service: e.target.value })}
                required
              />
            )}
          </Field>
          <Field label={`Amount ${index + 1}`}>
            {(id) => (
              <input
                id={id}
                type="number"
                min="0"
                step="0.01"
                value={item.amount}
                onChange={(e) => setItem(index, { amount: e.target.value })}
                required
              />
            )}
          </Field>
        </div>
      ))}
      <Button kind="ghost" onClick={() => setItems((all) => [...all, { service: '', amount: '' }])}>
        Add an item
      </Button>
      {coverage.loading && <Spinner label="Looking for the patient’s coverage…" />}
    </FormShell>
  );
}

const claimFilters = [
  ['open', 'To decide'],
  ['completed', 'Decided'],
  ['rejected', 'Rejected'],
  ['all', 'All'],
] as const;

/** The insurer's claims: those submitted to it, with items and amounts, to decide. */
export function InsurerClaims() {
  const { client } = useSession();
  const [filter, setFilter] = useState<(typeof claimFilters)[number][0]>('open');
  const orders = useLoad(() => loadOrders(client, { view: 'worklist', kind: 'claim' }), [client]);
  const shown = orders.data ? filterByStatus(orders.data, filter) : [];
  return (
    <div className="stack">
      <h1>Claims</h1>
      <p className="muted">
        Claims hospitals submitted to you. You see what the claim and the patient’s consent cover, nothing
        more.
      </p>
      <StatusFilter value={filter} options={claimFilters} onChange={setFilter} />
      <Button kind="ghost" onClick={orders.reload}>
        Refresh
      </Button>
      {orders.loading && !orders.data && <Spinner label="Fetching and decrypting claims…" />}
      {orders.error ? <Notice kind="error">{plainError(orders.error)}</Notice> : null}
      {orders.data && shown.length === 0 && <p className="empty">No claims here.</p>}
      {shown.map((entry) => (
        <OrderCard
          key={entry.order.orderId}
          entry={entry}
          showPatient
          actions={
            entry.request &&
            (entry.order.status === 'placed' ||
              entry.order.status === 'accepted' ||
              entry.order.status === 'in_progress') ? (
              <DecideClaim entry={entry} claim={entry.request} onDone={orders.reload} />
            ) : undefined
          }
        />
      ))}
    </div>
  );
}

type Decision = 'approved' | 'partly' | 'denied';

/** Approve (every amount), approve partly (the amounts given) or deny (nothing), with a reason. */
function DecideClaim(props: { entry: OrderEntry; claim: Json; onDone: () => void }) {
  const { client, identity } = useSession();
  const { order } = props.entry;
  const items = claimItems(props.claim);
  const currency = claimTotal(props.claim)?.currency || 'EUR';
  const [decision, setDecision] = useState<Decision>('approved');
  const [approved, setApproved] = useState(items.map((item) => String(item.amount?.value ?? 0)));
  const [reason, setReason] = useState('');
  const amountOf = (index: number) =>
    decision === 'approved'
      ? (items[index]?.amount?.value ?? 0)
      : decision === 'denied'
        ? 0
        : Number(approved[index] ?? 0);
  const action = useAction(async () => {
    const response = buildClaimResponse({
      patient: order.patient,
      claimId: requestFhirId(order.orderId),
      decision,
      currency,
      items: items.map((item, index) => ({
        sequence: item.sequence,
        claimed: item.amount?.value ?? 0,
        approved: amountOf(index),
      })),
      ...(reason ? { reason } : {}),
      author: identity.address,
    });
    try {
      await completeOrder(client, { orderId: order.orderId, resources: [response] });
    } catch (error) {
      throw new Error(plainOrderError(error, order));
    }
    props.onDone();
  });
  return (
    <FormShell
      title="Decision"
      submit="Decide claim"
      busy={action.busy}
      error={action.error}
      onSubmit={() => void action.run()}
    >
      <fieldset className="checks">
        <legend>Decision</legend>
        {(
          [
            ['approved', 'Approve'],
            ['partly', 'Approve partly'],
            ['denied', 'Deny'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="check">
            <input
              type="radio"
              name={`decision-${order.orderId}`}
              checked={decision === value}
              onChange={() => setDecision(value)}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
      {items.map((item, index) => (
        <Field
          key={item.sequence}
          label={`Approved for ${item.service}`}
          hint={`Claimed ${moneyText(item.amount)}`}
        >
          {(id) => (
            <input
              id={id}
              type="number"
              min="0"
              step="0.01"
              max={item.amount?.value}
              value={decision === 'partly' ? (approved[index] ?? '') : String(amountOf(index))}
              disabled={decision !== 'partly'}
              onChange={(e) =>
                setApproved((all) => all.map((value, i) => (i === index ? e.target.value : value)))
              }
            />
          )}
        </Field>
      ))}
      <Field label="Reason" hint="The hospital and the patient read it.">
        {(id) => (
          <input
            id={id}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required={decision !== 'approved'}
          />
        )}
      </Field>
    </FormShell>
  );
}
