/**
 * Insurance claims: after an encounter the hospital submits a Claim (items and amounts) to the
 * patient's insurer under the patient's consent; the insurer reads the claim's items and decides
 * (approved, partly, denied, with amounts and a reason) in a ClaimResponse, which completes it.
 * How a claim and a decision read is OrderViews.tsx's.
 */
import { completeOrder, type GatewayClient, placeOrder } from '@medledger/client';
import { type Actor, buildClaim, buildClaimResponse, type ClaimDecision } from '@medledger/core';
import { useState } from 'react';
import { Button, Field, Spinner, useAction, useLoad } from '../components/ui.tsx';
import { conceptText, isObject, type Json, list } from '../records/fhirText.ts';
import { useSession } from '../session.tsx';
import { OrderCard, OrderWorklist } from './OrderCard.tsx';
import { claimTotal, moneyText } from './OrderViews.tsx';
import {
  type OrderEntry,
  plainOrderError,
  requestFhirId,
  useOrganisationName,
  useOrganisationsOfKind,
} from './orders.ts';
import { FormShell } from './RecordForms.tsx';

interface ClaimContext {
  /** The patient's Coverage: its FHIR id (record id without 0x) and insurer organisation. */
  coverage?: { fhirId: string; insurerOrganisation?: number; insurer?: string };
  /** The patient's encounters the clinician may read, newest first. */
  encounters: { fhirId: string; label: string }[];
}

/** What a claim refers to: the patient's Coverage and encounters, among the records the clinician may read. */
async function claimContext(client: GatewayClient<Actor>, patient: string): Promise<ClaimContext> {
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
  return (
    <OrderWorklist
      kind="claim"
      title="Claims"
      intro="Claims hospitals submitted to you. You see what the claim and the patient’s consent cover, nothing more."
      filters={claimFilters}
      fetching="Fetching and decrypting claims…"
      empty="No claims here."
      card={(entry, reload) => (
        <OrderCard
          entry={entry}
          showPatient
          actions={
            entry.request &&
            (entry.order.status === 'placed' ||
              entry.order.status === 'accepted' ||
              entry.order.status === 'in_progress') ? (
              <DecideClaim entry={entry} claim={entry.request} onDone={reload} />
            ) : undefined
          }
        />
      )}
    />
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
