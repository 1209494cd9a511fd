/**
 * Lab orders: the clinician orders a test from a chosen laboratory; the laboratory's worklist of
 * orders sent to it, where it marks them received, in progress or rejected and posts the result
 * (a DiagnosticReport with its Observation), which completes the order. The result as read back is
 * LabReportView's (OrderViews.tsx).
 */
import { completeOrder, placeOrder, setOrderStatus } from '@medledger/client';
import { buildDiagnosticReport, buildLabOrder, buildLabResult, isOrderOpen } from '@medledger/core';
import { useState } from 'react';
import { Button, Field, Notice, useAction } from '../components/ui.tsx';
import { conceptText } from '../records/fhirText.ts';
import { useSession } from '../session.tsx';
import { OrderCard, OrderWorklist } from './OrderCard.tsx';
import { type OrderEntry, plainOrderError, requestFhirId, useOrganisationsOfKind } from './orders.ts';
import { FormShell, LabValueFields } from './RecordForms.tsx';

/** The clinician's lab order: a test (LOINC code), a reason, a priority, and the laboratory that performs it. */
export function LabOrderForm(props: { patient: string; onDone: () => void }) {
  const { client, identity } = useSession();
  const labs = useOrganisationsOfKind('lab');
  const [lab, setLab] = useState('');
  const [test, setTest] = useState('');
  const [code, setCode] = useState('');
  const [reason, setReason] = useState('');
  const [priority, setPriority] = useState<'routine' | 'urgent' | 'asap' | 'stat'>('routine');
  const [done, setDone] = useState<string>();
  const action = useAction(async () => {
    setDone(undefined);
    const performer = labs.find((o) => String(o.organisationId) === lab);
    if (!performer) throw new Error('Choose the laboratory that performs the test.');
    const resource = {
      ...buildLabOrder({
        patient: props.patient,
        test,
        loincCode: code,
        reason,
        priority,
        requester: identity.address,
      }),
      performer: [{ display: performer.name }],
    };
    await placeOrder(client, {
      patient: props.patient as `0x${string}`,
      kind: 'lab',
      performerOrganisation: performer.organisationId,
      resource,
    });
    setDone(`Lab order sent to ${performer.name}. Its status follows below.`);
    props.onDone();
  });
  return (
    <FormShell
      title="Lab order"
      submit="Order test"
      busy={action.busy}
      error={action.error}
      done={done}
      onSubmit={() => void action.run()}
    >
      <Field label="Laboratory">
        {(id) => (
          <select id={id} value={lab} onChange={(e) => setLab(e.target.value)} required>
            <option value="">Choose a laboratory…</option>
            {labs.map((o) => (
              <option key={o.organisationId} value={o.organisationId}>
                {o.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Test">
        {(id) => <input id={id} value={test} onChange={(e) => setTest(e.target.value)} required />}
      </Field>
      <Field label="LOINC code (optional)">
        {(id) => (
          <input id={id} value={code} pattern="\d{1,7}-\d" onChange={(e) => setCode(e.target.value)} />
        )}
      </Field>
      <Field label="Reason">
        {(id) => <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <Field label="Priority">
        {(id) => (
          <select id={id} value={priority} onChange={(e) => setPriority(e.target.value as typeof priority)}>
            <option>routine</option>
            <option>urgent</option>
            <option>asap</option>
            <option>stat</option>
          </select>
        )}
      </Field>
    </FormShell>
  );
}

const labFilters = [
  ['open', 'Open'],
  ['placed', 'New'],
  ['accepted', 'Received'],
  ['in_progress', 'In progress'],
  ['completed', 'Completed'],
  ['rejected', 'Rejected'],
  ['all', 'All'],
] as const;

/** The laboratory's worklist: orders sent to its organisation, filtered by status. */
export function LabWorklist() {
  return (
    <OrderWorklist
      kind="lab"
      title="Lab worklist"
      intro="Tests clinicians ordered from your laboratory. Each step you take is signed by you."
      filters={labFilters}
      fetching="Fetching and decrypting orders…"
      empty="No orders with this status."
      card={(entry, reload) => (
        <OrderCard entry={entry} showPatient actions={<LabActions entry={entry} onDone={reload} />} />
      )}
    />
  );
}

function LabActions(props: { entry: OrderEntry; onDone: () => void }) {
  const { client } = useSession();
  const { order } = props.entry;
  const [posting, setPosting] = useState(false);
  const step = useAction(async (status: 'accepted' | 'in_progress' | 'rejected') => {
    try {
      await setOrderStatus(client, { orderId: order.orderId, status });
    } catch (error) {
      throw new Error(plainOrderError(error, order));
    } finally {
      props.onDone();
    }
  });
  if (!isOrderOpen(order.status)) return null;
  return (
    <>
      <div className="card-actions">
        {order.status === 'placed' && (
          <Button kind="secondary" busy={step.busy} onClick={() => void step.run('accepted')}>
            Mark received
          </Button>
        )}
        {order.status !== 'in_progress' && (
          <Button kind="secondary" busy={step.busy} onClick={() => void step.run('in_progress')}>
            Mark in progress
          </Button>
        )}
        <Button kind="danger" busy={step.busy} onClick={() => void step.run('rejected')}>
          Reject
        </Button>
        {!posting && <Button onClick={() => setPosting(true)}>Post result</Button>}
      </div>
      {step.error && <Notice kind="error">{step.error}</Notice>}
      {posting && <PostResultForm entry={props.entry} onDone={props.onDone} />}
    </>
  );
}

/** The result: a value with its unit and reference range, and a conclusion; posting it completes the order. */
function PostResultForm(props: { entry: OrderEntry; onDone: () => void }) {
  const { client, identity } = useSession();
  const { order, request } = props.entry;
  const orderCode = request?.code as { text?: string; coding?: { code?: string }[] } | undefined;
  const [value, setValue] = useState('');
  const [unit, setUnit] = useState('');
  const [low, setLow] = useState('');
  const [high, setHigh] = useState('');
  const [conclusion, setConclusion] = useState('');
  const action = useAction(async () => {
    const test = conceptText(request?.code) ?? 'Lab test';
    const loincCode = orderCode?.coding?.[0]?.code;
    const observation = buildLabResult({
      patient: order.patient,
      orderId: requestFhirId(order.orderId),
      test,
      ...(loincCode ? { loincCode } : {}),
      value: Number(value),
      unit,
      ...(low ? { low: Number(low) } : {}),
      ...(high ? { high: Number(high) } : {}),
      performer: identity.address,
    });
    const report = buildDiagnosticReport({
      patient: order.patient,
      orderId: requestFhirId(order.orderId),
      test,
      ...(loincCode ? { loincCode } : {}),
      results: [observation],
      ...(conclusion ? { conclusion } : {}),
      performer: identity.address,
    });
    try {
      await completeOrder(client, { orderId: order.orderId, resources: [report, observation] });
    } catch (error) {
      throw new Error(plainOrderError(error, order));
    }
    props.onDone();
  });
  return (
    <FormShell
      title="Result"
      submit="Post result"
      busy={action.busy}
      error={action.error}
      onSubmit={() => void action.run()}
    >
      <LabValueFields
        value={[value, setValue]}
        unit={[unit, setUnit]}
        low={[low, setLow]}
        high={[high, setHigh]}
      />
      <Field label="Conclusion">
        {(id) => (
          <textarea id={id} rows={2} value={conclusion} onChange={(e) => setConclusion(e.target.value)} />
        )}
      </Field>
    </FormShell>
  );
}
