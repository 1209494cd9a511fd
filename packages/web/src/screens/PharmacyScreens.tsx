/**
 * Prescriptions: the doctor prescribes (medicine, dose, schedule, quantity, refills, optionally one
 * pharmacy); a pharmacy sees the prescriptions it may dispense (named to it, or to any pharmacy for
 * patients who allow it), with what remains, and dispenses. The chain decides between two
 * pharmacies dispensing at once: the second is refused, and that is said in plain words.
 */
import { dispenseOrder, placeOrder } from '@medledger/client';
import { buildDispense, buildPrescriptionOrder, type PeriodUnit } from '@medledger/core';
import { useState } from 'react';
import { Button, Field, Notice, useAction } from '../components/ui.tsx';
import { isObject } from '../records/fhirText.ts';
import { useSession } from '../session.tsx';
import { OrderCard, OrderWorklist } from './OrderCard.tsx';
import { type OrderEntry, plainOrderError, requestFhirId, useOrganisationsOfKind } from './orders.ts';
import { FormShell } from './RecordForms.tsx';

/** The doctor's prescription: what and how to take it, how much, how many fills, and where. */
export function PrescribeForm(props: { patient: string; onDone: () => void }) {
  const { client, identity } = useSession();
  const pharmacies = useOrganisationsOfKind('pharmacy');
  const [medicine, setMedicine] = useState('');
  const [dose, setDose] = useState('1');
  const [unit, setUnit] = useState('tablet');
  const [times, setTimes] = useState('1');
  const [period, setPeriod] = useState('1');
  const [periodUnit, setPeriodUnit] = useState<PeriodUnit>('d');
  const [days, setDays] = useState('');
  const [instructions, setInstructions] = useState('');
  const [quantity, setQuantity] = useState('');
  const [refills, setRefills] = useState('0');
  const [pharmacy, setPharmacy] = useState('');
  const [done, setDone] = useState<string>();
  const action = useAction(async () => {
    setDone(undefined);
    const named = pharmacies.find((o) => String(o.organisationId) === pharmacy);
    const fills = 1 + Number(refills);
    const resource = buildPrescriptionOrder({
      patient: props.patient,
      medicine,
      doseValue: Number(dose),
      doseUnit: unit,
      timesPerPeriod: Number(times),
      period: Number(period),
      periodUnit,
      ...(days ? { durationDays: Number(days) } : {}),
      ...(instructions ? { instructions } : {}),
      prescriber: identity.address,
      quantity: Number(quantity),
      unit,
      refills: Number(refills),
      ...(named ? { pharmacy: { organisationId: named.organisationId, name: named.name } } : {}),
    });
    // The ledger counts the whole prescription: every fill's quantity, over every fill.
    await placeOrder(client, {
      patient: props.patient as `0x${string}`,
      kind: 'prescription',
      ...(named ? { performerOrganisation: named.organisationId } : {}),
      resource,
      quantity: Number(quantity) * fills,
      fills,
    });
    setDone(
      `Prescribed: ${quantity} ${unit} a fill, ${fills} ${fills === 1 ? 'fill' : 'fills'} (${Number(quantity) * fills} in all), for ${named ? named.name : 'any pharmacy the patient allows'}.`,
    );
    props.onDone();
  });
  return (
    <FormShell
      title="Prescription"
      submit="Send prescription"
      busy={action.busy}
      error={action.error}
      done={done}
      onSubmit={() => void action.run()}
    >
      <Field label="Medicine and strength">
        {(id) => <input id={id} value={medicine} onChange={(e) => setMedicine(e.target.value)} required />}
      </Field>
      <div className="form-row">
        <Field label="Dose">
          {(id) => (
            <input
              id={id}
              type="number"
              min="0"
              step="any"
              value={dose}
              onChange={(e) => setDose(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label="Dose unit">
          {(id) => <input id={id} value={unit} onChange={(e) => setUnit(e.target.value)} required />}
        </Field>
      </div>
      <div className="form-row">
        <Field label="Times">
          {(id) => (
            <input
              id={id}
              type="number"
              min="1"
              value={times}
              onChange={(e) => setTimes(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label="Every">
          {(id) => (
            <input
              id={id}
              type="number"
              min="1"
              value={period}
              onChange={(e) => setPeriod(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label="Period">
          {(id) => (
            <select id={id} value={periodUnit} onChange={(e) => setPeriodUnit(e.target.value as PeriodUnit)}>
              <option value="h">hour(s)</option>
              <option value="d">day(s)</option>
              <option value="wk">week(s)</option>
            </select>
          )}
        </Field>
      </div>
      <Field label="For how many days (optional)">
        {(id) => (
          <input id={id} type="number" min="1" value={days} onChange={(e) => setDays(e.target.value)} />
        )}
      </Field>
      <Field label="Instructions for the patient (optional)">
        {(id) => <input id={id} value={instructions} onChange={(e) => setInstructions(e.target.value)} />}
      </Field>
      <div className="form-row">
        <Field label="Quantity a fill" hint="In dose units, dispensed at each fill.">
          {(id) => (
            <input
              id={id}
              type="number"
              min="1"
              value={quantity}
              onChange={(e) => setQuantity(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label="Refills">
          {(id) => (
            <input
              id={id}
              type="number"
              min="0"
              max="20"
              value={refills}
              onChange={(e) => setRefills(e.target.value)}
              required
            />
          )}
        </Field>
      </div>
      <Field label="Pharmacy" hint="Any pharmacy the patient allows may dispense, unless you name one.">
        {(id) => (
          <select id={id} value={pharmacy} onChange={(e) => setPharmacy(e.target.value)}>
            <option value="">Any pharmacy the patient allows</option>
            {pharmacies.map((o) => (
              <option key={o.organisationId} value={o.organisationId}>
                {o.name}
              </option>
            ))}
          </select>
        )}
      </Field>
    </FormShell>
  );
}

const pharmacyFilters = [
  ['open', 'To dispense'],
  ['completed', 'Dispensed'],
  ['all', 'All'],
] as const;

/** The pharmacy's prescriptions: those named to it, or to any pharmacy for patients who allow it. */
export function PharmacyWorklist() {
  const [outcome, setOutcome] = useState<{ kind: 'success' | 'error'; text: string }>();
  return (
    <OrderWorklist
      kind="prescription"
      title="Prescriptions"
      intro="Prescriptions named to your pharmacy, and those for any pharmacy of patients who allow yours to see their medications."
      filters={pharmacyFilters}
      stamps
      fetching="Fetching and decrypting prescriptions…"
      empty="No prescriptions here."
      notice={outcome && <Notice kind={outcome.kind}>{outcome.text}</Notice>}
      card={(entry, reload) => (
        <div className="prescription-card">
          <OrderCard
            entry={entry}
            showPatient
            showStamp
            actions={
              entry.request && (entry.order.status === 'placed' || entry.order.status === 'in_progress') ? (
                <DispenseForm
                  entry={entry}
                  onDone={(result) => {
                    setOutcome(result);
                    reload();
                  }}
                />
              ) : undefined
            }
          />
        </div>
      )}
    />
  );
}

/** A fill as the prescription asks it (its dispense request's quantity and unit), to prefill the dispensing. */
function prescribedFill(entry: OrderEntry): { value?: number; unit: string } {
  const request = entry.request;
  const dispenseRequest = isObject(request?.dispenseRequest) ? request.dispenseRequest : undefined;
  const quantity = isObject(dispenseRequest?.quantity) ? dispenseRequest.quantity : undefined;
  return {
    ...(typeof quantity?.value === 'number' ? { value: quantity.value } : {}),
    unit: typeof quantity?.unit === 'string' ? quantity.unit : 'unit',
  };
}

function DispenseForm(props: {
  entry: OrderEntry;
  onDone: (outcome: { kind: 'success' | 'error'; text: string }) => void;
}) {
  const { client, identity } = useSession();
  const { order } = props.entry;
  const remaining = order.quantity - order.dispensed;
  const fillsLeft = order.fills - order.fillsUsed;
  const fill = prescribedFill(props.entry);
  // A fill as prescribed, or one fill's share of what remains, never more than remains.
  const suggested = Math.min(remaining, fill.value ?? Math.ceil(remaining / Math.max(1, fillsLeft)));
  const [quantity, setQuantity] = useState(String(Math.max(1, suggested)));
  const [unit, setUnit] = useState(fill.unit);
  const action = useAction(async () => {
    const resource = buildDispense({
      patient: order.patient,
      prescription: { ...(props.entry.request ?? {}), id: requestFhirId(order.orderId) },
      quantity: Number(quantity),
      unit,
      pharmacist: identity.address,
    });
    try {
      const result = await dispenseOrder(client, {
        orderId: order.orderId,
        quantity: Number(quantity),
        resource,
      });
      props.onDone({
        kind: 'success',
        text: `Dispensed ${quantity} ${unit}: ${result.dispensed} of ${order.quantity} dispensed on this prescription${result.status === 'completed' ? ', which is now fully dispensed' : ''}.`,
      });
    } catch (error) {
      // Told on the list, which reloads: the card may leave it (another pharmacy completed it).
      props.onDone({ kind: 'error', text: plainOrderError(error, order) });
    }
  });
  return (
    <form
      className="form form-inline"
      aria-label="Dispense"
      onSubmit={(event) => {
        event.preventDefault();
        void action.run();
      }}
    >
      <p className="muted">
        {remaining} {unit} remaining · {fillsLeft} fill(s) left
      </p>
      <Field label="Quantity dispensed">
        {(id) => (
          <input
            id={id}
            type="number"
            min="1"
            max={remaining}
            value={quantity}
            onChange={(e) => setQuantity(e.target.value)}
            required
          />
        )}
      </Field>
      <Field label="Unit">
        {(id) => <input id={id} value={unit} onChange={(e) => setUnit(e.target.value)} required />}
      </Field>
      <Button type="submit" busy={action.busy} busyLabel="Dispensing…">
        Dispense
      </Button>
      {action.error && <Notice kind="error">{action.error}</Notice>}
    </form>
  );
}
