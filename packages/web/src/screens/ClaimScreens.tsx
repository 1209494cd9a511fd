/**
 * Insurance claims: after an encounter the hospital submits a Claim (items and amounts) to the
 * patient's insurer under the patient's consent; the insurer reads the claim's items and decides
 * (approved, partly, denied, with amounts and a reason) in a ClaimResponse, which completes it.
 */
import { completeOrder, type GatewayClient, placeOrder } from '@medledger/client';
import { buildClaim, buildClaimResponse, type ClaimDecision, claimDecisionOf } from '@medledger/core';
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
  useOrderUpdates,
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

const decisionWords: Record<ClaimDecision, string> = {
  approved: 'approved',
  partial: 'partly approved',
  denied: 'denied',
};

/** The insurer's answer: the decision, the amounts per item, and the reason. */
export function ClaimResponseView(props: { response: Json; claim?: Json }) {
  const { response } = props;
  const services = new Map(
    props.claim ? claimItems(props.claim).map((item) => [item.sequence, item.service] as const) : [],
  );
  const decision = claimDecisionOf(response);
  return (
    <div className="claim-decision">
      <p>
        Decision:{' '}
        <Badge tone={decision === 'approved' ? 'good' : decision === 'denied' ? 'bad' : 'warn'}>
          {decision ? decisionWords[decision] : String(response.outcome ?? 'unknown')}
        </Badge>{' '}
        · approved {moneyText(adjudicated(response.total, 'benefit'))} of{' '}
        {moneyText(adjudicated(response.total, 'submitted'))}
      </p>
      {typeof response.disposition === 'string' && <p>{response.disposition}</p>}
      <table className="data-table">
        <caption className="visually-hidden">Decided amounts per item</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Claimed</th>
            <th scope="col">Approved</th>
          </tr>
        </thead>
        <tbody>
          {list(response.item).map((item) => (
            <tr key={String(item.itemSequence)}>
              <td>{services.get(Number(item.itemSequence)) ?? `#${String(item.itemSequence)}`}</td>
              <td>{moneyText(adjudicated(item.adjudication, 'submitted'))}</td>
              <td>{moneyText(adjudicated(item.adjudication, 'benefit'))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface ClaimContext {
  /** The patient's Coverage: its FHIR id (record id without 0x) and insurer organisation. */
  coverage?: { fhirId: string; insurerOrganisation?: number; insurer?: string };
  /** The patient's encounters the clinician may read, newest first. */
  encounters: { fhirId: string; label: string }[];
}

/** What a claim refers to: the patient's Coverage and encounters, among the records the clinician may read. */
async function claimContext(client: GatewayClient, patient: string): Promise<ClaimContext> {
  const { records } = await client.listRecords(patient as `0x${string}`);
  const wanted = records
    .filter((r) => (r.category === 'insurance' || r.category === 'encounter') && !r.supersededBy)
    .sort((a, b) => b.createdAt - a.createdAt);
  const context: ClaimContext = { encounters: [] };
  for (const meta of wanted) {
    let resource: Json;
    try {
      resource = (await client.readRecord(meta.recordId)).resource as Json;
    } catch {
      continue; // One the clinician may not read is no part of the claim.
    }
    const fhirId = requestFhirId(meta.recordId);
    if (resource.resourceType === 'Coverage' && !context.coverage) {
      const payor = list(resource.payor)[0];
      const identifier = isObject(payor?.identifier) ? payor.identifier : undefined;
      context.coverage = {
        fhirId,
        ...(identifier?.value ? { insurerOrganisation: Number(identifier.value) } : {}),
        ...(typeof payor?.display === 'string' ? { insurer: payor.display } : {}),
      };
    }
    if (resource.resourceType === 'Encounter') {
      const period = isObject(resource.period) ? resource.period : {};
      const what =
        list(resource.type).map(conceptText).find(Boolean) ??
        list(resource.reasonCode).map(conceptText).find(Boolean);
      const when = typeof period.start === 'string' ? new Date(period.start).toLocaleDateString() : '';
      context.encounters.push({ fhirId, label: [when, what ?? 'Encounter'].filter(Boolean).join(' · ') });
    }
  }
  return context;
}

interface ItemDraft {
  code: string;
  description: string;
  amount: string;
}

const emptyItem: ItemDraft = { code: '', description: '', amount: '' };

/** The hospital's claim after an encounter: billed services with amounts, to the patient's insurer. */
export function ClaimForm(props: { patient: string; onDone: () => void }) {
  const { client, me } = useSession();
  const organisationName = useOrganisationName();
  const insurers = useOrganisationsOfKind('insurer');
  const context = useLoad(() => claimContext(client, props.patient), [client, props.patient]);
  const [insurer, setInsurer] = useState('');
  const [encounter, setEncounter] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [items, setItems] = useState<ItemDraft[]>([emptyItem]);
  const [done, setDone] = useState<string>();
  const coverage = context.data?.coverage;
  const covered = insurers.find((o) => o.organisationId === coverage?.insurerOrganisation);
  const chosen = insurer || (covered ? String(covered.organisationId) : '');
  const action = useAction(async () => {
    setDone(undefined);
    const payer = insurers.find((o) => String(o.organisationId) === chosen);
    if (!payer) throw new Error('Choose the patient’s insurer.');
    const providerOrganisation = me.member?.organisationId;
    const resource = buildClaim({
      patient: props.patient,
      provider: organisationName(providerOrganisation),
      ...(providerOrganisation ? { providerOrganisation } : {}),
      insurer: payer.name,
      insurerOrganisation: payer.organisationId,
      ...(coverage && coverage.insurerOrganisation === payer.organisationId
        ? { coverage: coverage.fhirId }
        : {}),
      ...(encounter ? { encounter } : {}),
      currency,
      items: items.map((item) => ({
        code: item.code,
        description: item.description,
        amount: Number(item.amount),
      })),
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
      {context.loading && <Spinner label="Looking for the patient’s coverage and encounters…" />}
      <Field
        label="Insurer"
        hint={
          coverage?.insurer
            ? `The patient’s coverage names ${coverage.insurer}.`
            : 'No coverage of the patient is readable: choose their insurer. The claim needs the patient’s consent to add insurance records.'
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
      <Field label="Encounter" hint="The visit the services were given in, from the patient’s encounters.">
        {(id) => (
          <select id={id} value={encounter} onChange={(e) => setEncounter(e.target.value)}>
            <option value="">Not recorded</option>
            {context.data?.encounters.map((e) => (
              <option key={e.fhirId} value={e.fhirId}>
                {e.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Currency">
        {(id) => (
          <input id={id} value={currency} pattern="[A-Z]{3}" onChange={(e) => setCurrency(e.target.value)} />
        )}
      </Field>
      {items.map((item, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: items are edited in place and never reordered.
        <div className="form-row" key={index}>
          <Field label={`Code ${index + 1}`}>
            {(id) => (
              <input
                id={id}
                value={item.code}
                onChange={(e) => setItem(index, { code: e.target.value })}
                required
              />
            )}
          </Field>
          <Field label={`Service ${index + 1}`}>
            {(id) => (
              <input
                id={id}
                value={item.description}
                onChange={(e) => setItem(index, { description: e.target.value })}
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
      <Button kind="ghost" onClick={() => setItems((all) => [...all, emptyItem])}>
        Add an item
      </Button>
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
  useOrderUpdates(orders.reload);
  const shown = orders.data ? filterByStatus(orders.data, filter) : [];
  return (
    <div className="stack">
      <h1>Claims</h1>
      <p className="muted">
        Claims hospitals submitted to you. You see what the claim and the patient’s consent cover, nothing
        more.
      </p>
      <div className="list-toolbar">
        <StatusFilter value={filter} options={claimFilters} onChange={setFilter} />
        <Button kind="ghost" onClick={orders.reload}>
          Refresh
        </Button>
      </div>
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

/** Approve (the whole claim), approve partly (the amount paid) or deny (nothing), with a reason. */
function DecideClaim(props: { entry: OrderEntry; claim: Json; onDone: () => void }) {
  const { client, me } = useSession();
  const organisationName = useOrganisationName();
  const { order } = props.entry;
  const total = claimTotal(props.claim);
  const [decision, setDecision] = useState<ClaimDecision>('approved');
  const [paid, setPaid] = useState('');
  const [reason, setReason] = useState('');
  const action = useAction(async () => {
    const insurerOrganisation = me.member?.organisationId;
    const response = buildClaimResponse({
      patient: order.patient,
      claim: props.claim,
      claimId: requestFhirId(order.orderId),
      insurer: organisationName(insurerOrganisation),
      ...(insurerOrganisation ? { insurerOrganisation } : {}),
      decision,
      ...(decision === 'partial' ? { benefit: Number(paid) } : {}),
      ...(reason ? { reason } : {}),
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
            ['partial', 'Approve partly'],
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
      {decision === 'partial' && (
        <Field
          label="Amount paid"
          hint={`Of the ${moneyText(total)} claimed; spread over the items in order.`}
        >
          {(id) => (
            <input
              id={id}
              type="number"
              min="0"
              step="0.01"
              max={total?.value}
              value={paid}
              onChange={(e) => setPaid(e.target.value)}
              required
            />
          )}
        </Field>
      )}
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
