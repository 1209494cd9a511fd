/**
 * Screens of the people patients share with: clinicians find a patient, request access, see the
 * chart, write records and place orders (OrderScreens.tsx); laboratories, pharmacies and insurers
 * find a patient here too, and work on their orders in LabScreens, PharmacyScreens, ClaimScreens.
 */
import { type Action, type Category, categories } from '@medledger/core';
import { type FormEvent, useState } from 'react';
import {
  AddressText,
  Button,
  Card,
  ChipGroup,
  Field,
  Notice,
  useAction,
  useLoad,
} from '../components/ui.tsx';
import { isDenied } from '../errors.ts';
import { navigate, usePath } from '../router.tsx';
import { patientsSharingWithMe, useSession } from '../session.tsx';
import { type ChartEntry, ChartView, categoryLabels, useChart } from './Chart.tsx';
import { DeclareEmergency } from './EmergencyScreens.tsx';
import { ChartOrders } from './OrderScreens.tsx';
import { FindPatientBy, PatientIdentifiers, PatientName } from './PatientDirectory.tsx';
import { RecordActionButtons } from './RecordActionDialogs.tsx';
import { DiagnosisForm, LabResultForm, NoteForm } from './RecordForms.tsx';

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
              {sharing.data.map(({ patient, sharesDemographics }) => (
                <li key={patient}>
                  <a
                    href={`${props.base}/${patient}`}
                    onClick={(e) => {
                      e.preventDefault();
                      openPatient(patient);
                    }}
                  >
                    {/* Named only where the patient shares demographics: no refused read otherwise. */}
                    {sharesDemographics && <PatientName patient={patient} testId="shared-patient-name" />}{' '}
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
  const [form, setForm] = useState<'note' | 'diagnosis' | undefined>();
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
            {...(writesRecords
              ? {
                  actions: (entry: ChartEntry) => <RecordActionButtons entry={entry} onDone={chart.reload} />,
                }
              : {})}
          />
        )}
      </Card>
      <DeclareEmergency patient={props.patient} onDeclared={chart.reload} />
      {!denied && chart.data && writesRecords && (
        <Card title="Add to the record">
          <ChipGroup
            legend="Record to add"
            value={form}
            options={[
              ['note', 'Clinical note'],
              ['diagnosis', 'Diagnosis'],
            ]}
            onChange={setForm}
          />
          {form === 'note' && <NoteForm patient={props.patient} onDone={chart.reload} />}
          {form === 'diagnosis' && <DiagnosisForm patient={props.patient} onDone={chart.reload} />}
          <p className="hint">
            Writing needs the patient’s consent to append in that category; a refusal is explained here.
          </p>
        </Card>
      )}
      {!denied && chart.data && persona === 'lab' && (
        <Card title="Add a result">
          <LabResultForm patient={props.patient} onDone={chart.reload} />
          <p className="hint">
            Writing needs the patient’s consent to add lab results; a refusal is explained here.
          </p>
        </Card>
      )}
      {!denied && chart.data && writesRecords && (
        <ChartOrders patient={props.patient} onPlaced={chart.reload} />
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
