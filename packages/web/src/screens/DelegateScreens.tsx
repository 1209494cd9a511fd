/**
 * Delegates: family, caregivers and researchers, people who are not members of an organisation and
 * whom a patient lets read some of its records. A delegate creates its identity here (or with the
 * CLI) and shows the patient its invitation: its address and public encryption key, as text and as a
 * QR code. The patient registers it in Settings with the categories it may ever be granted, grants it
 * consents (read only) and removes it. A delegate signed in sees the patients who registered it and,
 * for each, the records they granted it, decrypted here.
 */
import type { Delegate } from '@medledger/client';
import { type Category, categories, type DelegateKind, delegateKinds, parseDuration } from '@medledger/core';
import { type FormEvent, useState } from 'react';
import type { Address, Hex } from 'viem';
import { QrCode } from '../components/QrCode.tsx';
import {
  AddressText,
  Badge,
  Button,
  Card,
  Field,
  Notice,
  Spinner,
  useAction,
  useLoad,
} from '../components/ui.tsx';
import { isDenied, plainError } from '../errors.ts';
import { RecordView } from '../records/RecordView.tsx';
import { useSession } from '../session.tsx';
import { ChartView, categoryLabels, useChart } from './Chart.tsx';

const kindLabels: Record<DelegateKind, string> = {
  family: 'Family',
  caregiver: 'Caregiver',
  researcher: 'Researcher',
};

/** What a delegate gives the patient who registers it: its address and encryption key. */
export function DelegateInvitation() {
  const { identity } = useSession();
  const invitation = JSON.stringify({
    address: identity.address,
    encryptionKey: identity.encryption.publicKey,
  });
  return (
    <Card title="I am family, a caregiver or a researcher">
      <p>
        Give the patient these two values (or let them scan the code): they register you as their delegate,
        then choose what you may read.
      </p>
      <dl className="facts">
        <dt>Address</dt>
        <dd className="mono break" data-testid="invitation-address">
          {identity.address}
        </dd>
        <dt>Encryption key</dt>
        <dd className="mono break" data-testid="invitation-encryption-key">
          {identity.encryption.publicKey}
        </dd>
      </dl>
      <QrCode text={invitation} label="Your invitation as a QR code: your address and encryption key" />
    </Card>
  );
}

/** The patient's "Family, caregivers and researchers" card in Settings: add, list, grant, remove. */
export function PatientDelegates() {
  const { client, identity } = useSession();
  const delegates = useLoad(() => client.listDelegates(identity.address as Address), [client]);
  const [done, setDone] = useState<string>();
  const remove = useAction(async (delegate: Address) => {
    setDone(undefined);
    await client.removeDelegate(delegate);
    setDone('Removed: what you shared with them no longer applies.');
    delegates.reload();
  });
  const active = (delegates.data?.delegates ?? []).filter((d) => d.active);
  return (
    <Card title="Family, caregivers and researchers">
      <p>
        People who are not members of an organisation can read the records you grant them. Ask them for their
        invitation (their address and encryption key, shown when they create their identity).
      </p>
      <AddDelegateForm
        onAdded={(message) => {
          setDone(message);
          delegates.reload();
        }}
      />
      {done && <Notice kind="success">{done}</Notice>}
      {remove.error && <Notice kind="error">{remove.error}</Notice>}
      {delegates.loading && !delegates.data && <Spinner label="Loading your delegates…" />}
      {delegates.error ? <Notice kind="error">{plainError(delegates.error)}</Notice> : null}
      {delegates.data && active.length === 0 && <p className="empty">You have no delegates.</p>}
      {active.length > 0 && (
        <ul className="plain-list" aria-label="Your delegates">
          {active.map((delegate) => (
            <li key={delegate.delegate} data-delegate={delegate.delegate}>
              <AddressText address={delegate.delegate} />{' '}
              <Badge tone="neutral">{kindLabels[delegate.kind]}</Badge> may be granted{' '}
              {delegate.categoryLimit.length === categories.length
                ? 'any category'
                : delegate.categoryLimit.map((c) => categoryLabels[c]).join(', ')}
              <GrantToDelegate delegate={delegate} onGranted={setDone} />
              <Button
                kind="danger"
                onClick={() => void remove.run(delegate.delegate)}
                busy={remove.busy}
                busyLabel="Removing…"
                label={`Remove delegate ${delegate.delegate}`}
              >
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function AddDelegateForm(props: { onAdded: (message: string) => void }) {
  const { client } = useSession();
  const [address, setAddress] = useState('');
  const [encryptionKey, setEncryptionKey] = useState('');
  const [kind, setKind] = useState<DelegateKind>('family');
  const [limit, setLimit] = useState<Category[]>([]);
  const add = useAction(async () => {
    if (!/^0x[0-9a-fA-F]{40}$/.test(address.trim()))
      throw new Error('The address must be 0x followed by 40 hexadecimal characters.');
    if (!/^0x[0-9a-fA-F]{64}$/.test(encryptionKey.trim()))
      throw new Error('The encryption key must be 0x followed by 64 hexadecimal characters.');
    await client.addDelegate({
      delegate: address.trim().toLowerCase() as Address,
      kind,
      encryptionKey: encryptionKey.trim().toLowerCase() as Hex,
      ...(limit.length ? { categories: limit } : {}),
    });
    setAddress('');
    setEncryptionKey('');
    setLimit([]);
    props.onAdded(`${kindLabels[kind]} delegate added. Grant them what they may read below.`);
  });
  return (
    <form
      className="form"
      aria-label="Add a delegate"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void add.run();
      }}
    >
      <Field label="Delegate address">
        {(id) => (
          <input id={id} className="mono" value={address} onChange={(e) => setAddress(e.target.value)} />
        )}
      </Field>
      <Field label="Delegate encryption key" hint="From their invitation.">
        {(id) => (
          <input
            id={id}
            className="mono"
            value={encryptionKey}
            onChange={(e) => setEncryptionKey(e.target.value)}
          />
        )}
      </Field>
      <Field label="Kind">
        {(id) => (
          <select id={id} value={kind} onChange={(e) => setKind(e.target.value as DelegateKind)}>
            {delegateKinds.map((k) => (
              <option key={k} value={k}>
                {kindLabels[k]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <CategoryChoice
        legend="Categories they may ever be granted (none chosen: every category)"
        allowed={categories}
        chosen={limit}
        onChange={setLimit}
      />
      {add.error && <Notice kind="error">{add.error}</Notice>}
      <Button type="submit" busy={add.busy} busyLabel="Registering on the ledger…">
        Add delegate
      </Button>
    </form>
  );
}

function GrantToDelegate(props: { delegate: Delegate; onGranted: (message: string) => void }) {
  const { client } = useSession();
  const [chosen, setChosen] = useState<Category[]>([]);
  const [duration, setDuration] = useState('30d');
  const grant = useAction(async () => {
    if (chosen.length === 0) throw new Error('Choose at least one category to share.');
    await client.grantConsent({
      grantee: props.delegate.delegate,
      categories: chosen,
      actions: ['read'],
      expiresInSeconds: parseDuration(duration),
    });
    setChosen([]);
    props.onGranted(`Shared ${chosen.map((c) => categoryLabels[c]).join(', ')} (read only).`);
  });
  return (
    <form
      className="form form-inline"
      aria-label={`Share with ${props.delegate.delegate}`}
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void grant.run();
      }}
    >
      <CategoryChoice
        legend="Share (read only)"
        allowed={props.delegate.categoryLimit}
        chosen={chosen}
        onChange={setChosen}
      />
      <Field label="For" hint="e.g. 1h, 7d, 30d">
        {(id) => <input id={id} value={duration} onChange={(e) => setDuration(e.target.value)} size={6} />}
      </Field>
      {grant.error && <Notice kind="error">{grant.error}</Notice>}
      <Button type="submit" kind="secondary" busy={grant.busy} busyLabel="Granting…">
        Share
      </Button>
    </form>
  );
}

function CategoryChoice(props: {
  legend: string;
  allowed: readonly Category[];
  chosen: Category[];
  onChange: (chosen: Category[]) => void;
}) {
  return (
    <fieldset className="filters">
      <legend>{props.legend}</legend>
      {props.allowed.map((category) => (
        <label key={category} className="chip-check">
          <input
            type="checkbox"
            checked={props.chosen.includes(category)}
            onChange={(e) =>
              props.onChange(
                e.target.checked ? [...props.chosen, category] : props.chosen.filter((c) => c !== category),
              )
            }
          />{' '}
          {categoryLabels[category]}
        </label>
      ))}
    </fieldset>
  );
}

/** The delegate's own screen: the patients who registered it, and what each shares with it. */
export function DelegateHome() {
  const { me } = useSession();
  return (
    <div className="stack">
      <h1>Shared with me</h1>
      {me.delegateOf.length === 0 && <p className="empty">No patient has registered you as a delegate.</p>}
      {me.delegateOf.map((entry) => (
        <SharedByPatient key={entry.patient} patient={entry.patient} kind={entry.kind} />
      ))}
      <OpenRecord />
    </div>
  );
}

function SharedByPatient(props: { patient: Address; kind: DelegateKind }) {
  const { client } = useSession();
  const chart = useChart(client, props.patient);
  return (
    <Card
      title={
        <>
          Patient <AddressText address={props.patient} />
        </>
      }
      actions={<Badge tone="neutral">you are: {kindLabels[props.kind].toLowerCase()}</Badge>}
    >
      <ChartView
        entries={chart.data}
        loading={chart.loading}
        error={chart.error}
        emptyText="This patient shares no records with you right now."
      />
    </Card>
  );
}

/** Opens one record by its id (one a patient sent): the gateway decides, and audits, whether it may be read. */
function OpenRecord() {
  const { client } = useSession();
  const [recordId, setRecordId] = useState('');
  const [resource, setResource] = useState<unknown>();
  const [denied, setDenied] = useState<string>();
  const open = useAction(async () => {
    setResource(undefined);
    setDenied(undefined);
    if (!/^0x[0-9a-fA-F]{64}$/.test(recordId.trim()))
      throw new Error('A record id is 0x followed by 64 hexadecimal characters.');
    try {
      setResource((await client.readRecord(recordId.trim() as Hex)).resource);
    } catch (error) {
      if (!isDenied(error)) throw error;
      setDenied(plainError(error));
    }
  });
  return (
    <Card title="Open a record by its id">
      <form
        className="form form-inline"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void open.run();
        }}
      >
        <Field label="Record id">
          {(id) => (
            <input id={id} className="mono" value={recordId} onChange={(e) => setRecordId(e.target.value)} />
          )}
        </Field>
        <Button type="submit" busy={open.busy} busyLabel="Opening…">
          Open
        </Button>
      </form>
      {open.error && <Notice kind="error">{open.error}</Notice>}
      {denied && <Notice kind="denied">{denied}</Notice>}
      {resource !== undefined && <RecordView resource={resource} />}
    </Card>
  );
}
