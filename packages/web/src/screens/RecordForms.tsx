/** Forms that write records: each builds valid FHIR, encrypts it in the browser and anchors it. */
import {
  type BuiltResource,
  buildClinicalNote,
  buildDiagnosis,
  buildLabOrder,
  buildLabResult,
  buildPrescription,
  type Category,
  type PeriodUnit,
  validateResource,
} from '@medledger/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { Button, Field, Notice, useAction } from '../components/ui.tsx';
import { useSession } from '../session.tsx';

/** Encrypts and anchors a built resource for a patient; shows progress and the outcome. */
function useWriteRecord(patient: string, category: Category, onDone: () => void) {
  const { client } = useSession();
  const [done, setDone] = useState<string>();
  const action = useAction(async (resource: BuiltResource, what: string) => {
    setDone(undefined);
    validateResource(resource, category);
    const added = await client.addRecord({ patient: patient as `0x${string}`, category, resource });
    setDone(`${what} saved: encrypted and anchored in block ${added.blockNumber}.`);
    onDone();
  });
  return { ...action, done };
}

function FormShell(props: {
  title: string;
  onSubmit: () => void;
  busy: boolean;
  error?: string;
  done?: string;
  submit: string;
  children: ReactNode;
}) {
  return (
    <form
      className="form record-form"
      aria-label={props.title}
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      <h3>{props.title}</h3>
      {props.children}
      {props.error && <Notice kind="error">{props.error}</Notice>}
      {props.done && <Notice kind="success">{props.done}</Notice>}
      <Button type="submit" busy={props.busy} busyLabel="Encrypting and anchoring…">
        {props.submit}
      </Button>
    </form>
  );
}

export function NoteForm(props: { patient: string; onDone: () => void }) {
  const { identity } = useSession();
  const [title, setTitle] = useState('Consultation');
  const [text, setText] = useState('');
  const write = useWriteRecord(props.patient, 'note', props.onDone);
  return (
    <FormShell
      title="Clinical note"
      submit="Save note"
      {...write}
      onSubmit={() =>
        void write.run(
          buildClinicalNote({ patient: props.patient, title, text, author: identity.address }),
          'Note',
        )
      }
    >
      <Field label="Title">
        {(id) => <input id={id} value={title} onChange={(e) => setTitle(e.target.value)} required />}
      </Field>
      <Field label="Note">
        {(id) => (
          <textarea id={id} rows={5} value={text} onChange={(e) => setText(e.target.value)} required />
        )}
      </Field>
    </FormShell>
  );
}

export function DiagnosisForm(props: { patient: string; onDone: () => void }) {
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [status, setStatus] = useState<'active' | 'resolved' | 'remission' | 'recurrence'>('active');
  const [onset, setOnset] = useState('');
  const write = useWriteRecord(props.patient, 'condition', props.onDone);
  return (
    <FormShell
      title="Diagnosis"
      submit="Save diagnosis"
      {...write}
      onSubmit={() =>
        void write.run(
          buildDiagnosis({
            patient: props.patient,
            name,
            snomedCode: code,
            clinicalStatus: status,
            ...(onset ? { onset } : {}),
          }),
          'Diagnosis',
        )
      }
    >
      <Field label="Diagnosis">
        {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <Field label="SNOMED CT code (optional)">
        {(id) => (
          <input
            id={id}
            value={code}
            inputMode="numeric"
            pattern="\d{6,18}"
            onChange={(e) => setCode(e.target.value)}
          />
        )}
      </Field>
      <Field label="Clinical status">
        {(id) => (
          <select id={id} value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
            <option value="active">active</option>
            <option value="recurrence">recurrence</option>
            <option value="remission">remission</option>
            <option value="resolved">resolved</option>
          </select>
        )}
      </Field>
      <Field label="Onset date (optional)">
        {(id) => <input id={id} type="date" value={onset} onChange={(e) => setOnset(e.target.value)} />}
      </Field>
    </FormShell>
  );
}

export function PrescriptionForm(props: { patient: string; onDone: () => void }) {
  const { identity } = useSession();
  const [medicine, setMedicine] = useState('');
  const [dose, setDose] = useState('1');
  const [unit, setUnit] = useState('tablet');
  const [times, setTimes] = useState('1');
  const [period, setPeriod] = useState('1');
  const [periodUnit, setPeriodUnit] = useState<PeriodUnit>('d');
  const [days, setDays] = useState('');
  const [instructions, setInstructions] = useState('');
  const write = useWriteRecord(props.patient, 'medication', props.onDone);
  return (
    <FormShell
      title="Prescription"
      submit="Save prescription"
      {...write}
      onSubmit={() =>
        void write.run(
          buildPrescription({
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
          }),
          'Prescription',
        )
      }
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
    </FormShell>
  );
}

export function LabOrderForm(props: { patient: string; onDone: () => void }) {
  const { identity } = useSession();
  const [test, setTest] = useState('');
  const [code, setCode] = useState('');
  const [reason, setReason] = useState('');
  const [priority, setPriority] = useState<'routine' | 'urgent' | 'asap' | 'stat'>('routine');
  const write = useWriteRecord(props.patient, 'lab', props.onDone);
  return (
    <FormShell
      title="Lab order"
      submit="Order test"
      {...write}
      onSubmit={() =>
        void write.run(
          buildLabOrder({
            patient: props.patient,
            test,
            loincCode: code,
            reason,
            priority,
            requester: identity.address,
          }),
          'Lab order',
        )
      }
    >
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

export function LabResultForm(props: {
  patient: string;
  order?: BuiltResource | Record<string, unknown>;
  onDone: () => void;
}) {
  const { identity } = useSession();
  const orderCode = props.order?.code as { text?: string; coding?: { code?: string }[] } | undefined;
  const [test, setTest] = useState(orderCode?.text ?? '');
  const [value, setValue] = useState('');
  const [unit, setUnit] = useState('');
  const [low, setLow] = useState('');
  const [high, setHigh] = useState('');
  const write = useWriteRecord(props.patient, 'lab', props.onDone);
  return (
    <FormShell
      title="Lab result"
      submit="Save result"
      {...write}
      onSubmit={() =>
        void write.run(
          buildLabResult({
            patient: props.patient,
            ...(props.order ? { orderId: String(props.order.id) } : {}),
            test,
            ...(orderCode?.coding?.[0]?.code ? { loincCode: orderCode.coding[0].code } : {}),
            value: Number(value),
            unit,
            ...(low ? { low: Number(low) } : {}),
            ...(high ? { high: Number(high) } : {}),
            performer: identity.address,
          }),
          'Result',
        )
      }
    >
      <Field label="Test">
        {(id) => <input id={id} value={test} onChange={(e) => setTest(e.target.value)} required />}
      </Field>
      <div className="form-row">
        <Field label="Value">
          {(id) => (
            <input
              id={id}
              type="number"
              step="any"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label="Unit">
          {(id) => <input id={id} value={unit} onChange={(e) => setUnit(e.target.value)} required />}
        </Field>
      </div>
      <div className="form-row">
        <Field label="Reference low">
          {(id) => (
            <input id={id} type="number" step="any" value={low} onChange={(e) => setLow(e.target.value)} />
          )}
        </Field>
        <Field label="Reference high">
          {(id) => (
            <input id={id} type="number" step="any" value={high} onChange={(e) => setHigh(e.target.value)} />
          )}
        </Field>
      </div>
    </FormShell>
  );
}
