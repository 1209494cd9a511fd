/**
 * Screens of the people patients share with: clinicians (find a patient, request access, see the
 * chart, write records), laboratories (orders and results), pharmacies (prescriptions and
 * dispenses) and insurers (what was shared for payment).
 */
import { type Action, buildDispense, type Category, categories } from '@medledger/core';
import { type FormEvent, useState } from 'react';
import { AddressText, Button, Card, Field, Notice, Spinner, useAction, useLoad } from '../components/ui.tsx';
import { isDenied, plainError } from '../errors.ts';
import type { Json } from '../records/fhirText.ts';
import { ResourceBody } from '../records/RecordView.tsx';
import { navigate, usePath } from '../router.tsx';
import { patientsSharingWithMe, useSession } from '../session.tsx';
import { type ChartEntry, ChartView, categoryLabels, loadChart, useChart } from './Chart.tsx';
import { DeclareEmergency } from './EmergencyScreens.tsx';
import { FindPatientBy, PatientIdentifiers, PatientName } from './PatientDirectory.tsx';
import { DiagnosisForm, LabOrderForm, LabResultForm, NoteForm, PrescriptionForm } from './RecordForms.tsx';
import { RecordStampLine } from './RecordStamp.tsx';

const addressPattern = /^0x[0-9a-fA-F]{40}$/;

/**
 * Find a patient by desk code, MRN, name among the patients who share demographics, or address;
 * the chosen patient's address goes in the URL (/patients/0x…).
 */
export function FindPatient(props: { base: string }) {
  const path = usePath();
  const selected = path.startsWith(`${props.base}/`) ? path.slice(props.base.length + 1) : '';
  const [address, setAddress] = useState(selected);
  const [error, setError] = useState<string>();
  const { client } = useSession();
  const sharing = useLoad(() => patientsSharingWithMe(client), [client]);
  const openPatient = (patient: string) => {
    setAddress(patient);
    setError(undefined);
    navigate(`${props.base}/${patient.toLowerCase()}`);
  };
  const open = (event: FormEvent) => {
    event.preventDefault();
    const value = address.trim();
    if (!addressPattern.test(value)) {
      setError('Enter the patient’s address: 0x followed by 40 hexadecimal characters.');
      return;
    }
    openPatient(value);
  };
  return (
    <div className="stack">
      <h1>Patients</h1>
      <Card title="Find a patient">
        <FindPatientBy onOpen={openPatient} />
        <form className="form form-inline" aria-label="Open by address" onSubmit={open}>
          <Field label="Patient address">
            {(id) => (
              <input
                id={id}
                value={address}
                onChange={(e) => setAddress(e.target.value)}
                placeholder="0x…"
                spellCheck={false}
              />
            )}
          </Field>
          <Button type="submit">Open</Button>
        </form>
        {error && <Notice kind="error">{error}</Notice>}
        {sharing.data && sharing.data.length > 0 && (
          <>
            <p className="muted">Patients who share records with you:</p>
            <ul className="plain-list">
              {sharing.data.map((patient) => (
                <li key={patient}>
                  <a
                    href={`${props.base}/${patient}`}
                    onClick={(e) => {
                      e.preventDefault();
                      openPatient(patient);
                    }}
                  >
                    <AddressText address={patient} />
                  </a>
                </li>
              ))}
            </ul>
          </>
        )}
      </Card>
      {addressPattern.test(selected) && <PatientChart key={selected} patient={selected} />}
      {addressPattern.test(selected) && <PatientIdentifiers key={`ids-${selected}`} patient={selected} />}
    </div>
  );
}

function PatientChart(props: { patient: string }) {
  const { client, persona } = useSession();
  const chart = useChart(client, props.patient);
  const writesRecords = persona === 'doctor' || persona === 'nurse';
  const [form, setForm] = useState<'note' | 'diagnosis' | 'prescription' | 'lab-order' | undefined>();
  const denied = chart.error && isDenied(chart.error);
  return (
    <div className="stack">
      <Card
        title={
          <>
            Chart of <PatientName patient={props.patient} /> <AddressText address={props.patient} />
          </>
        }
      >
        {denied ? (
          <Notice kind="denied">
            You may not see this patient’s records: there is no active consent from them (or it was revoked or
            has expired). Ask for access below; the patient decides.
          </Notice>
        ) : (
          <ChartView
            entries={chart.data}
            loading={chart.loading}
            error={chart.error}
            emptyText="You can see no records of this patient. Records in categories the patient has not shared with you are not shown."
          />
        )}
      </Card>
      <DeclareEmergency patient={props.patient} onDeclared={chart.reload} />
      {!denied && chart.data && writesRecords && (
        <Card title="Add to the record">
          <fieldset className="filters">
            <legend className="visually-hidden">Record to add</legend>
            {(
              [
                ['note', 'Clinical note'],
                ['diagnosis', 'Diagnosis'],
                ['prescription', 'Prescription'],
                ['lab-order', 'Lab order'],
              ] as const
            ).map(([key, label]) => (
              <button
                key={key}
                type="button"
                className={`chip ${form === key ? 'chip-active' : ''}`}
                aria-pressed={form === key}
                onClick={() => setForm(key)}
              >
                {label}
              </button>
            ))}
          </fieldset>
          {form === 'note' && <NoteForm patient={props.patient} onDone={chart.reload} />}
          {form === 'diagnosis' && <DiagnosisForm patient={props.patient} onDone={chart.reload} />}
          {form === 'prescription' && <PrescriptionForm patient={props.patient} onDone={chart.reload} />}
          {form === 'lab-order' && <LabOrderForm patient={props.patient} onDone={chart.reload} />}
          <p className="hint">
            Writing needs the patient’s consent to append in that category; a refusal is explained here.
          </p>
        </Card>
      )}
      <RequestAccess patient={props.patient} />
    </div>
  );
}

function RequestAccess(props: { patient: string }) {
  const { client } = useSession();
  const [chosen, setChosen] = useState<Category[]>(['condition', 'medication', 'lab', 'note']);
  const [append, setAppend] = useState(true);
  const [reason, setReason] = useState('');
  const [sent, setSent] = useState<number>();
  const action = useAction(async () => {
    if (chosen.length === 0) throw new Error('Choose at least one category.');
    const actions: Action[] = append ? ['read', 'append'] : ['read'];
    const { requestId } = await client.requestAccess({
      patient: props.patient as `0x${string}`,
      categories: chosen,
      actions,
      reason,
    });
    setSent(requestId);
  });
  const toggle = (category: Category) =>
    setChosen((list) => (list.includes(category) ? list.filter((c) => c !== category) : [...list, category]));
  return (
    <Card title="Request access">
      <form
        className="form"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void action.run();
        }}
      >
        <fieldset className="checks">
          <legend>Categories</legend>
          {categories.map((category) => (
            <label key={category} className="check">
              <input type="checkbox" checked={chosen.includes(category)} onChange={() => toggle(category)} />{' '}
              {categoryLabels[category]}
            </label>
          ))}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={append} onChange={(e) => setAppend(e.target.checked)} /> Also add
          records (notes, diagnoses, prescriptions)
        </label>
        <Field label="Reason" hint="The patient sees this; only its hash goes on the ledger.">
          {(id) => <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} required />}
        </Field>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        {sent !== undefined && (
          <Notice kind="success">
            Request #{sent} sent. The patient will see it in their access requests.
          </Notice>
        )}
        <Button type="submit" busy={action.busy} busyLabel="Signing the request…">
          Send request
        </Button>
      </form>
    </Card>
  );
}

/** Records of every patient who shares with this identity, filtered to what this screen is about. */
function useSharedRecords(filter: (entry: ChartEntry) => boolean) {
  const { client } = useSession();
  return useLoad(async () => {
    const patients = await patientsSharingWithMe(client);
    const charts = await Promise.all(
      patients.map(async (patient) => {
        try {
          return { patient, entries: (await loadChart(client, patient)).filter(filter) };
        } catch (error) {
          return { patient, entries: [] as ChartEntry[], error: plainError(error) };
        }
      }),
    );
    return charts;
  }, [client]);
}

const isOrder = (entry: ChartEntry) => entry.resource?.resourceType === 'ServiceRequest';
const isPrescription = (entry: ChartEntry) => entry.resource?.resourceType === 'MedicationRequest';

export function LabOrders() {
  const orders = useSharedRecords(isOrder);
  const [open, setOpen] = useState<string>();
  return (
    <div className="stack">
      <h1>Lab orders</h1>
      {orders.loading && !orders.data && <Spinner label="Fetching and decrypting orders…" />}
      {orders.error ? <Notice kind="error">{plainError(orders.error)}</Notice> : null}
      {orders.data?.every((chart) => chart.entries.length === 0) && (
        <p className="empty">No lab orders have been shared with you.</p>
      )}
      {orders.data?.map((chart) =>
        chart.entries.map((entry) => (
          <Card
            key={entry.meta.recordId}
            title={
              <>
                Order for <AddressText address={chart.patient} />
              </>
            }
          >
            <ResourceBody resource={entry.resource as Json} />
            <RecordStampLine meta={entry.meta} readable />
            {open === entry.meta.recordId ? (
              <LabResultForm patient={chart.patient} order={entry.resource} onDone={orders.reload} />
            ) : (
              <Button kind="secondary" onClick={() => setOpen(entry.meta.recordId)}>
                Record result
              </Button>
            )}
          </Card>
        )),
      )}
    </div>
  );
}

export function PharmacyPrescriptions() {
  const prescriptions = useSharedRecords(isPrescription);
  return (
    <div className="stack">
      <h1>Prescriptions</h1>
      {prescriptions.loading && !prescriptions.data && (
        <Spinner label="Fetching and decrypting prescriptions…" />
      )}
      {prescriptions.error ? <Notice kind="error">{plainError(prescriptions.error)}</Notice> : null}
      {prescriptions.data?.every((chart) => chart.entries.length === 0) && (
        <p className="empty">No prescriptions have been shared with you.</p>
      )}
      {prescriptions.data?.map((chart) =>
        chart.entries.map((entry) => (
          <Card
            key={entry.meta.recordId}
            title={
              <>
                Prescription for <AddressText address={chart.patient} />
              </>
            }
            className="prescription-card"
          >
            <ResourceBody resource={entry.resource as Json} />
            <RecordStampLine meta={entry.meta} readable />
            <DispenseForm
              patient={chart.patient}
              prescription={entry.resource as Json}
              onDone={prescriptions.reload}
            />
          </Card>
        )),
      )}
    </div>
  );
}

function DispenseForm(props: { patient: string; prescription: Json; onDone: () => void }) {
  const { client, identity } = useSession();
  const [quantity, setQuantity] = useState('30');
  const [unit, setUnit] = useState('tablet');
  const [done, setDone] = useState<string>();
  const action = useAction(async () => {
    const resource = buildDispense({
      patient: props.patient,
      prescription: props.prescription,
      quantity: Number(quantity),
      unit,
      pharmacist: identity.address,
    });
    const added = await client.addRecord({
      patient: props.patient as `0x${string}`,
      category: 'medication',
      resource,
    });
    setDone(`Dispense recorded and anchored in block ${added.blockNumber}.`);
    props.onDone();
  });
  return (
    <form
      className="form form-inline"
      aria-label="Record a dispense"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void action.run();
      }}
    >
      <Field label="Quantity dispensed">
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
      <Field label="Unit">
        {(id) => <input id={id} value={unit} onChange={(e) => setUnit(e.target.value)} required />}
      </Field>
      <Button type="submit" busy={action.busy} busyLabel="Recording…">
        Record dispense
      </Button>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {done && <Notice kind="success">{done}</Notice>}
    </form>
  );
}

export function InsurerShared() {
  const shared = useSharedRecords(() => true);
  return (
    <div className="stack">
      <h1>Shared with us</h1>
      <p className="muted">Records patients have shared with you, for example for payment of a claim.</p>
      {shared.loading && !shared.data && <Spinner label="Fetching and decrypting shared records…" />}
      {shared.error ? <Notice kind="error">{plainError(shared.error)}</Notice> : null}
      {shared.data?.length === 0 && <p className="empty">No patient shares records with you.</p>}
      {shared.data?.map((chart) => (
        <Card
          key={chart.patient}
          title={
            <>
              Patient <AddressText address={chart.patient} />
            </>
          }
        >
          {chart.error ? (
            <Notice kind="error">{chart.error}</Notice>
          ) : (
            <ChartView entries={chart.entries} loading={false} emptyText="Nothing shared." />
          )}
        </Card>
      ))}
    </div>
  );
}
