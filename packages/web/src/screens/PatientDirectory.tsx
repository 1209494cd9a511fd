/**
 * A patient's profile and finding a patient without an address. The patient keeps their
 * demographics as an encrypted record (Settings) and shows a one-time desk code, as text and as a
 * QR code; a clinician finds the patient by that code, by an identifier (MRN) their organisation
 * keeps, or by name among the patients who share demographics with them (matched in this browser:
 * the name never goes to the gateway).
 */
import { formatDeskCode, type PatientProfile } from '@medledger/client';
import { MedledgerError, type PatientGender, patientGenders } from '@medledger/core';
import { type FormEvent, useState } from 'react';
import { QrCode } from '../components/QrCode.tsx';
import {
  AddressText,
  Button,
  Card,
  Field,
  formatTime,
  Notice,
  Spinner,
  useAction,
  useLoad,
} from '../components/ui.tsx';
import { plainError } from '../errors.ts';
import { useSession } from '../session.tsx';

const genderLabels: Record<PatientGender, string> = {
  female: 'Female',
  male: 'Male',
  other: 'Other',
  unknown: 'Prefer not to say',
};

/** The identifier system an organisation's MRNs are kept under, unless it names its own. */
export function mrnSystemOf(organisationId: number): string {
  return `urn:medledger:organisation:${organisationId}:mrn`;
}

function isReason(error: unknown, reason: string): boolean {
  return error instanceof MedledgerError && error.reason === reason;
}

function submitting(action: () => Promise<unknown>) {
  return (event: FormEvent) => {
    event.preventDefault();
    void action();
  };
}

/** The patient's own profile: shown, and saved as a new version of the demographics record. */
export function PatientProfileForm() {
  const { client } = useSession();
  const current = useLoad(async () => {
    try {
      return await client.patientProfileOf(client.address);
    } catch (error) {
      if (isReason(error, 'no_patient_profile')) return null;
      throw error;
    }
  }, [client]);
  // Kept here: a saved profile is a new record, and the fields start again from it.
  const [saved, setSaved] = useState<string>();
  return (
    <Card title="My profile">
      <p className="muted">
        Your name, birth date and contact, so that the people you share with know it is you. They are
        encrypted like your records: only you and those whose consent covers “demographics” can read them, and
        nothing of them goes on the ledger.
      </p>
      {current.loading && current.data === undefined && <Spinner label="Opening your profile…" />}
      {current.error ? <Notice kind="error">{plainError(current.error)}</Notice> : null}
      {saved && <Notice kind="success">{saved}</Notice>}
      {current.data !== undefined && (
        <ProfileFields
          key={current.data?.recordId ?? 'new'}
          profile={current.data}
          onSaving={() => setSaved(undefined)}
          onSaved={(message) => {
            setSaved(message);
            current.reload();
          }}
        />
      )}
    </Card>
  );
}

function ProfileFields(props: {
  profile: PatientProfile | null;
  onSaving: () => void;
  onSaved: (message: string) => void;
}) {
  const { client } = useSession();
  const [given, setGiven] = useState(props.profile?.given.join(' ') ?? '');
  const [family, setFamily] = useState(props.profile?.family ?? '');
  const [birthDate, setBirthDate] = useState(props.profile?.birthDate ?? '');
  const [gender, setGender] = useState<PatientGender | ''>(props.profile?.gender ?? '');
  const [phone, setPhone] = useState(props.profile?.phone ?? '');
  const [email, setEmail] = useState(props.profile?.email ?? '');
  const save = useAction(async () => {
    props.onSaving();
    const added = await client.setPatientProfile({
      family,
      ...(given.trim() ? { given } : {}),
      ...(birthDate ? { birthDate } : {}),
      ...(gender ? { gender } : {}),
      ...(phone.trim() ? { phone } : {}),
      ...(email.trim() ? { email } : {}),
    });
    props.onSaved(`Your profile is saved, encrypted, and anchored in block ${added.blockNumber}.`);
  });
  return (
    <form className="form" aria-label="My profile" onSubmit={submitting(save.run)}>
      <div className="grid-2">
        <Field label="Given names">
          {(id) => (
            <input
              id={id}
              value={given}
              onChange={(e) => setGiven(e.target.value)}
              autoComplete="given-name"
            />
          )}
        </Field>
        <Field label="Family name">
          {(id) => (
            <input
              id={id}
              value={family}
              onChange={(e) => setFamily(e.target.value)}
              autoComplete="family-name"
              required
            />
          )}
        </Field>
        <Field label="Birth date">
          {(id) => (
            <input id={id} type="date" value={birthDate} onChange={(e) => setBirthDate(e.target.value)} />
          )}
        </Field>
        <Field label="Gender">
          {(id) => (
            <select id={id} value={gender} onChange={(e) => setGender(e.target.value as PatientGender | '')}>
              <option value="">Not given</option>
              {patientGenders.map((code) => (
                <option key={code} value={code}>
                  {genderLabels[code]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Phone">
          {(id) => <input id={id} type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} />}
        </Field>
        <Field label="Email">
          {(id) => <input id={id} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
      </div>
      {save.error && <Notice kind="error">{save.error}</Notice>}
      <Button type="submit" busy={save.busy} busyLabel="Encrypting and saving…">
        Save my profile
      </Button>
    </form>
  );
}

/** A one-time code the patient shows at a desk, as text and as a QR code. */
export function DeskCodeCard() {
  const { client } = useSession();
  const [issued, setIssued] = useState<{ code: string; expiresAt: number }>();
  const issue = useAction(async () => setIssued(await client.issueDeskCode()));
  return (
    <Card title="Desk code">
      <p className="muted">
        At a reception desk, show this code instead of your address: staff of this organisation type it or
        scan it to find you. It works once, for ten minutes; a new code replaces the last. It does not give
        anyone access to your records: that stays your consent.
      </p>
      {issued && (
        <div className="desk-code">
          <p>
            Your code:{' '}
            <strong className="mono code-text" data-testid="desk-code">
              {formatDeskCode(issued.code)}
            </strong>
          </p>
          <QrCode text={issued.code} label={`QR code of your desk code ${formatDeskCode(issued.code)}`} />
          <p className="hint">Valid until {formatTime(issued.expiresAt)}, once.</p>
        </div>
      )}
      {issue.error && <Notice kind="error">{issue.error}</Notice>}
      <Button onClick={() => void issue.run()} busy={issue.busy} busyLabel="Asking for a code…">
        {issued ? 'New desk code' : 'Show a desk code'}
      </Button>
    </Card>
  );
}

/** The identifiers (MRNs) organisations keep of the patient at this gateway. */
export function MyIdentifiers() {
  const { client, organisations } = useSession();
  const nameOf = (organisationId: number) =>
    organisations.find((organisation) => organisation.organisationId === organisationId)?.name ??
    `Organisation ${organisationId}`;
  const identifiers = useLoad(() => client.listPatientIdentifiers(client.address), [client]);
  return (
    <Card title="My identifiers">
      <p className="muted">
        Numbers organisations keep for you (for example a medical record number), in their own database and
        not on the ledger.
      </p>
      {identifiers.error ? <Notice kind="error">{plainError(identifiers.error)}</Notice> : null}
      {identifiers.data?.identifiers.length === 0 && <p className="empty">No organisation keeps one yet.</p>}
      <ul className="plain-list">
        {identifiers.data?.identifiers.map((identifier) => (
          <li key={`${identifier.organisationId}|${identifier.system}|${identifier.value}`}>
            {nameOf(identifier.organisationId)}: <span className="mono">{identifier.value}</span>{' '}
            <span className="hint">({identifier.system})</span>
          </li>
        ))}
      </ul>
    </Card>
  );
}

type FindBy = 'code' | 'mrn' | 'name';
const findByLabels: Record<FindBy, string> = { code: 'Desk code', mrn: 'MRN', name: 'Name' };

/** Finds a patient by desk code, MRN or name; `onOpen` opens the chosen patient. */
export function FindPatientBy(props: { onOpen: (patient: string) => void }) {
  const [by, setBy] = useState<FindBy>('code');
  return (
    <div className="stack">
      <div className="tabs" role="tablist" aria-label="Find by">
        {(Object.keys(findByLabels) as FindBy[]).map((way) => (
          <button
            key={way}
            type="button"
            role="tab"
            aria-selected={by === way}
            className={`tab ${by === way ? 'tab-active' : ''}`}
            onClick={() => setBy(way)}
          >
            {findByLabels[way]}
          </button>
        ))}
      </div>
      {by === 'code' && <FindByDeskCode onOpen={props.onOpen} />}
      {by === 'mrn' && <FindByMrn onOpen={props.onOpen} />}
      {by === 'name' && <FindByName onOpen={props.onOpen} />}
    </div>
  );
}

function FindByDeskCode(props: { onOpen: (patient: string) => void }) {
  const { client } = useSession();
  const [code, setCode] = useState('');
  const find = useAction(async () => props.onOpen((await client.redeemDeskCode(code)).patient));
  return (
    <form className="form form-inline" aria-label="Find by desk code" onSubmit={submitting(find.run)}>
      <Field label="Desk code" hint="The 8 characters the patient shows, e.g. K7QM-4XRT.">
        {(id) => (
          <input
            id={id}
            className="code-input"
            value={code}
            onChange={(e) => setCode(e.target.value.toUpperCase())}
            autoComplete="off"
            spellCheck={false}
            maxLength={9}
            required
          />
        )}
      </Field>
      <Button type="submit" busy={find.busy} busyLabel="Finding…">
        Find
      </Button>
      {find.error && <Notice kind="error">{find.error}</Notice>}
    </form>
  );
}

function FindByMrn(props: { onOpen: (patient: string) => void }) {
  const { client, me } = useSession();
  const [system, setSystem] = useState(mrnSystemOf(me.member?.organisationId ?? 0));
  const [value, setValue] = useState('');
  const find = useAction(async () =>
    props.onOpen((await client.findPatientByIdentifier({ system, value: value.trim() })).patient),
  );
  return (
    <form className="form form-inline" aria-label="Find by MRN" onSubmit={submitting(find.run)}>
      <Field label="MRN">
        {(id) => <input id={id} value={value} onChange={(e) => setValue(e.target.value)} required />}
      </Field>
      <Field label="Identifier system">
        {(id) => <input id={id} value={system} onChange={(e) => setSystem(e.target.value)} required />}
      </Field>
      <Button type="submit" busy={find.busy} busyLabel="Finding…">
        Find
      </Button>
      {find.error && <Notice kind="error">{find.error}</Notice>}
    </form>
  );
}

function FindByName(props: { onOpen: (patient: string) => void }) {
  const { client } = useSession();
  const [name, setName] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const search = useAction(async () =>
    client.findPatients({ ...(name.trim() ? { name } : {}), ...(birthDate ? { birthDate } : {}) }),
  );
  const [result, setResult] = useState<Awaited<ReturnType<typeof client.findPatients>>>();
  return (
    <>
      <form
        className="form form-inline"
        aria-label="Find by name"
        onSubmit={submitting(async () => setResult(await search.run()))}
      >
        <Field label="Name">
          {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Birth date">
          {(id) => (
            <input id={id} type="date" value={birthDate} onChange={(e) => setBirthDate(e.target.value)} />
          )}
        </Field>
        <Button type="submit" busy={search.busy} busyLabel="Searching your patients…">
          Search
        </Button>
      </form>
      <p className="hint">
        Searches only the patients who share their demographics with you, here in your browser: the name is
        not sent anywhere.
      </p>
      {search.error && <Notice kind="error">{search.error}</Notice>}
      {result && (
        <section className="find-results" aria-label="Patients found">
          <p className="muted">
            {result.matches.length} of {result.searched} patient{result.searched === 1 ? '' : 's'} sharing
            demographics with you match.
          </p>
          <ul className="plain-list">
            {result.matches.map((match) => (
              <li key={match.patient}>
                <a
                  href={`#${match.patient}`}
                  onClick={(event) => {
                    event.preventDefault();
                    props.onOpen(match.patient);
                  }}
                >
                  {match.name}
                </a>
                {match.birthDate && <> · born {match.birthDate}</>} · <AddressText address={match.patient} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

/** The patient's name, when their consent lets this identity read it; nothing otherwise. */
export function PatientName(props: { patient: string; testId?: string }) {
  const { client } = useSession();
  const profile = useLoad(
    () => client.patientProfileOf(props.patient as `0x${string}`),
    [client, props.patient],
  );
  if (!profile.data) return null;
  return (
    <span className="patient-name" data-testid={props.testId ?? 'patient-name'}>
      {profile.data.name}
      {profile.data.birthDate ? ` (born ${profile.data.birthDate})` : ''}
    </span>
  );
}

/** The identifiers the member's organisation keeps of a patient, and a form to keep one more. */
export function PatientIdentifiers(props: { patient: string }) {
  const { client, me } = useSession();
  const patient = props.patient as `0x${string}`;
  const identifiers = useLoad(() => client.listPatientIdentifiers(patient), [client, patient]);
  const [system, setSystem] = useState(mrnSystemOf(me.member?.organisationId ?? 0));
  const [value, setValue] = useState('');
  const [done, setDone] = useState<string>();
  const assign = useAction(async () => {
    setDone(undefined);
    const kept = await client.assignPatientIdentifier({ patient, system, value: value.trim() });
    setDone(`Kept ${kept.value} for this patient.`);
    setValue('');
    identifiers.reload();
  });
  return (
    <Card title="Identifiers your organisation keeps">
      {identifiers.error ? <Notice kind="info">{plainError(identifiers.error)}</Notice> : null}
      {identifiers.data && identifiers.data.identifiers.length === 0 && <p className="empty">None yet.</p>}
      <ul className="plain-list">
        {identifiers.data?.identifiers.map((identifier) => (
          <li key={`${identifier.system}|${identifier.value}`}>
            <span className="mono">{identifier.value}</span>{' '}
            <span className="hint">({identifier.system})</span>
          </li>
        ))}
      </ul>
      <form className="form form-inline" aria-label="Keep an MRN" onSubmit={submitting(assign.run)}>
        <Field label="New MRN">
          {(id) => <input id={id} value={value} onChange={(e) => setValue(e.target.value)} required />}
        </Field>
        <Field label="Identifier system">
          {(id) => <input id={id} value={system} onChange={(e) => setSystem(e.target.value)} required />}
        </Field>
        <Button type="submit" busy={assign.busy} busyLabel="Keeping…">
          Keep MRN
        </Button>
      </form>
      {assign.error && <Notice kind="error">{assign.error}</Notice>}
      {done && <Notice kind="success">{done}</Notice>}
    </Card>
  );
}
