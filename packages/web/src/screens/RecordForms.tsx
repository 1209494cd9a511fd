/**
 * Forms that write records: each builds valid FHIR, encrypts it in the browser and anchors it. The
 * forms of orders, prescriptions and claims, which are workflows with a status, use `FormShell` too.
 */
import {
  type BuiltResource,
  buildClinicalNote,
  buildDiagnosis,
  buildLabResult,
  type Category,
  loadFhirDefinitions,
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
    await loadFhirDefinitions();
    validateResource(resource, category);
    const added = await client.addRecord({ patient: patient as `0x${string}`, category, resource });
    setDone(`${what} saved: encrypted and anchored in block ${added.blockNumber}.`);
    onDone();
  });
  return { ...action, done };
}

export function FormShell(props: {
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

/** A laboratory's result with no order (under the patient's consent): a value, its unit and reference range. */
export function LabResultForm(props: { patient: string; onDone: () => void }) {
  const { identity } = useSession();
  const [test, setTest] = useState('');
  const [code, setCode] = useState('');
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
            test,
            ...(code ? { loincCode: code } : {}),
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
      <Field label="LOINC code (optional)">
        {(id) => (
          <input id={id} value={code} pattern="\d{1,7}-\d" onChange={(e) => setCode(e.target.value)} />
        )}
      </Field>
      <LabValueFields
        value={[value, setValue]}
        unit={[unit, setUnit]}
        low={[low, setLow]}
        high={[high, setHigh]}
      />
    </FormShell>
  );
}

type TextState = readonly [string, (text: string) => void];

/** A lab result's value, unit and reference range, as every form that records one asks for them. */
export function LabValueFields(props: {
  value: TextState;
  unit: TextState;
  low: TextState;
  high: TextState;
}) {
  const [value, setValue] = props.value;
  const [unit, setUnit] = props.unit;
  const [low, setLow] = props.low;
  const [high, setHigh] = props.high;
  return (
    <>
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
    </>
  );
}
