/** The patient's screens: records (with upload), access requests, sharing, and who accessed their data. */
import {
  type AccessRequest,
  type AuditEvent,
  type ImportBundleReturnType,
  type ImportProgress,
  verifyAuditTrail,
} from '@medledger/client';
import {
  type Category,
  categories,
  categoryOfResource,
  type Sensitivity,
  sensitivities,
} from '@medledger/core';
import { type FormEvent, useState } from 'react';
import { CodeField } from '../components/CodeField.tsx';
import {
  AddressText,
  Badge,
  Button,
  Card,
  Field,
  formatTime,
  Notice,
  Spinner,
  useAction,
  useLoad,
} from '../components/ui.tsx';
import { plainError, withPlainCodeErrors } from '../errors.ts';
import { useSession } from '../session.tsx';
import { AuditHistory } from './AuditHistory.tsx';
import { ChartView, categoryLabels, useChart } from './Chart.tsx';
import { DeletedRecords, RecordLifecycleActions } from './RecordLifecycle.tsx';

export function PatientRecords() {
  const { client, identity } = useSession();
  const chart = useChart(client, identity.address);
  const [version, setVersion] = useState(0);
  const changed = () => {
    chart.reload();
    setVersion((value) => value + 1);
  };
  return (
    <div className="stack">
      <h1>My records</h1>
      <Upload onDone={chart.reload} />
      <ChartView
        entries={chart.data}
        loading={chart.loading}
        error={chart.error}
        emptyText="No records yet. Upload one above, or ask your clinician to add them."
        actions={(entry) => <RecordLifecycleActions meta={entry.meta} onDone={changed} />}
      />
      <DeletedRecords version={version} onRestored={changed} />
    </div>
  );
}

function Upload(props: { onDone: () => void }) {
  const { client, identity } = useSession();
  const [file, setFile] = useState<File>();
  const [category, setCategory] = useState<Category | 'auto'>('auto');
  const [progress, setProgress] = useState<string>();
  const [done, setDone] = useState<string>();
  const [summary, setSummary] = useState<ImportBundleReturnType>();
  const action = useAction(async () => {
    if (!file) throw new Error('Choose a FHIR JSON file first.');
    setDone(undefined);
    setSummary(undefined);
    let resource: unknown;
    try {
      resource = JSON.parse(await file.text());
    } catch {
      throw new Error('This file is not JSON: choose a FHIR resource or Bundle in JSON format.');
    }
    if ((resource as { resourceType?: string }).resourceType === 'Bundle' && category === 'auto') {
      // The same import as `medledger import`: one record per entry, resumable.
      setProgress('Reading the Bundle…');
      const result = await client.importBundle({
        patient: identity.address,
        bundle: resource,
        onProgress: (now: ImportProgress) => setProgress(describeImportProgress(now)),
      });
      setProgress(undefined);
      setSummary(result);
      if (result.records + result.alreadyThere === 0) {
        throw new Error('This Bundle holds no resource that could be imported: see why below.');
      }
      setDone(describeImport(result));
    } else {
      const chosen = category === 'auto' ? categoryOfResource(resource) : category;
      if (!chosen) throw new Error('Choose the category of this record: it could not be guessed.');
      setProgress('Encrypting and anchoring your record…');
      await client.addRecord({ patient: identity.address, category: chosen, resource });
      setProgress(undefined);
      setDone('Your record is encrypted and anchored on the ledger.');
    }
    props.onDone();
  });
  return (
    <Card title="Upload a record">
      <form
        className="form form-inline"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void action.run().finally(() => setProgress(undefined));
        }}
      >
        <Field label="FHIR file (a resource or a Bundle)">
          {(id) => (
            <input
              id={id}
              type="file"
              accept="application/json,application/fhir+json,.json"
              onChange={(e) => setFile(e.target.files?.[0])}
            />
          )}
        </Field>
        <Field label="Category">
          {(id) => (
            <select
              id={id}
              value={category}
              onChange={(e) => setCategory(e.target.value as Category | 'auto')}
            >
              <option value="auto">Detect from the file</option>
              {categories.map((c) => (
                <option key={c} value={c}>
                  {categoryLabels[c]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Button type="submit" busy={action.busy} busyLabel="Uploading…">
          Encrypt and upload
        </Button>
      </form>
      <p className="hint">
        The file is read and encrypted in this browser; the server only ever receives ciphertext.
      </p>
      {progress && <Spinner label={progress} />}
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {done && <Notice kind="success">{done}</Notice>}
      {summary && <ImportSummary summary={summary} />}
    </Card>
  );
}

function describeImportProgress({ done, total, skipped }: ImportProgress): string {
  const already = skipped ? ` (${skipped} already there)` : '';
  return `Encrypting and anchoring records: ${done} of ${total}${already}…`;
}

function describeImport(summary: ImportBundleReturnType): string {
  const { records, alreadyThere } = summary;
  const added =
    records === 1
      ? 'Your record is encrypted and anchored on the ledger.'
      : `${records} records are encrypted and anchored on the ledger.`;
  if (!alreadyThere) return added;
  if (!records) return `Nothing new: all ${alreadyThere} records of this Bundle were already on the ledger.`;
  return `${added} ${alreadyThere} ${alreadyThere === 1 ? 'was' : 'were'} already there from an earlier upload.`;
}

/** What the Bundle held, and each entry left out with its reason (no health data: types and reasons only). */
function ImportSummary(props: { summary: ImportBundleReturnType }) {
  const { summary } = props;
  const types = Object.entries(summary.byResourceType);
  return (
    <div className="stack">
      {types.length > 0 && (
        <p className="hint">
          In this Bundle: {types.map(([type, count]) => `${type} ${count}`).join(', ')} (
          {summary.seconds.toFixed(1)} s).
        </p>
      )}
      {summary.refused.length > 0 && (
        <Notice kind="info">
          {summary.refused.length === 1
            ? '1 entry was left out:'
            : `${summary.refused.length} entries were left out:`}
          <ul className="plain-list">
            {summary.refused.map((entry) => (
              <li key={entry.index}>
                Entry {entry.index + 1} ({entry.resourceType}): {entry.reason}
              </li>
            ))}
          </ul>
        </Notice>
      )}
    </div>
  );
}

const expiryChoices = [
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '1 week', seconds: 7 * 86_400 },
  { label: '30 days', seconds: 30 * 86_400 },
  { label: '1 year', seconds: 365 * 86_400 },
];

export function PatientRequests() {
  const { client } = useSession();
  const requests = useLoad(() => client.listAccessRequests(), [client]);
  const secondFactor = useLoad(() => client.otpStatus(), [client]);
  const pending = requests.data?.incoming.filter((r) => r.status === 'pending') ?? [];
  const answered = requests.data?.incoming.filter((r) => r.status !== 'pending') ?? [];
  return (
    <div className="stack">
      <h1>Access requests</h1>
      {requests.loading && !requests.data && <Spinner label="Loading requests…" />}
      {requests.error ? <Notice kind="error">{plainError(requests.error)}</Notice> : null}
      {requests.data && pending.length === 0 && (
        <p className="empty">No one is waiting for an answer from you.</p>
      )}
      {pending.map((request) => (
        <PendingRequest
          key={request.requestId}
          request={request}
          needsCode={secondFactor.data?.enabled ?? false}
          onDone={requests.reload}
        />
      ))}
      {answered.length > 0 && (
        <Card title="Answered">
          <ul className="plain-list">
            {answered.map((r) => (
              <li key={r.requestId}>
                <AddressText address={r.requester} /> asked for{' '}
                {r.categories.map((c) => categoryLabels[c]).join(', ')}:{' '}
                <Badge tone={r.status === 'approved' ? 'good' : 'bad'}>{r.status}</Badge>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}

function PendingRequest(props: { request: AccessRequest; needsCode: boolean; onDone: () => void }) {
  const { client } = useSession();
  const { request, needsCode } = props;
  const [expiry, setExpiry] = useState(86_400);
  const [sensitivity, setSensitivity] = useState<Sensitivity>('normal');
  const [code, setCode] = useState('');
  const approve = useAction(async () => {
    if (needsCode && !/^\d{6}$/.test(code)) {
      throw new Error('Enter the six-digit code your authenticator app shows now: your approvals need it.');
    }
    await withPlainCodeErrors(() =>
      client.approveAccessRequest(request.requestId, {
        expiresInSeconds: expiry,
        maxSensitivity: sensitivity,
        ...(needsCode ? { otp: code } : {}),
      }),
    );
    props.onDone();
  });
  const deny = useAction(async () => {
    await client.denyAccessRequest(request.requestId);
    props.onDone();
  });
  return (
    <Card title={<>Request #{request.requestId}</>} className="request-card">
      <dl className="facts">
        <dt>From</dt>
        <dd>
          <AddressText address={request.requester} />
        </dd>
        <dt>Asks to</dt>
        <dd>
          {request.actions.join(' and ')} your{' '}
          {request.categories.map((c) => categoryLabels[c].toLowerCase()).join(', ')} records
        </dd>
        <dt>Reason</dt>
        <dd>{request.reason || <span className="muted">none given</span>}</dd>
      </dl>
      <div className="form form-inline">
        <Field label="Access expires after">
          {(id) => (
            <select id={id} value={expiry} onChange={(e) => setExpiry(Number(e.target.value))}>
              {expiryChoices.map((choice) => (
                <option key={choice.seconds} value={choice.seconds}>
                  {choice.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Up to sensitivity">
          {(id) => (
            <select
              id={id}
              value={sensitivity}
              onChange={(e) => setSensitivity(e.target.value as Sensitivity)}
            >
              {sensitivities.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          )}
        </Field>
        {needsCode && <CodeField label="One-time code" value={code} onChange={setCode} />}
        <Button onClick={() => void approve.run()} busy={approve.busy} busyLabel="Signing the grant…">
          Approve
        </Button>
        <Button kind="secondary" onClick={() => void deny.run()} busy={deny.busy} busyLabel="Denying…">
          Deny
        </Button>
      </div>
      {needsCode && (
        <p className="hint">
          Your approvals need the code your authenticator app shows now; the gateway checks it before relaying
          your signed approval.
        </p>
      )}
      {(approve.error || deny.error) && <Notice kind="error">{approve.error ?? deny.error}</Notice>}
    </Card>
  );
}

export function PatientSharing() {
  const { client } = useSession();
  const consents = useLoad(() => client.listConsents(), [client]);
  const revoke = useAction(async (grantId: number) => {
    await client.revokeConsent(grantId);
    consents.reload();
  });
  const given = consents.data?.given ?? [];
  const active = given.filter((g) => g.status === 'active');
  const past = given.filter((g) => g.status !== 'active');
  return (
    <div className="stack">
      <h1>Who can see my records</h1>
      {consents.loading && !consents.data && <Spinner label="Loading your consents…" />}
      {consents.error ? <Notice kind="error">{plainError(consents.error)}</Notice> : null}
      {revoke.error && <Notice kind="error">{revoke.error}</Notice>}
      {consents.data && active.length === 0 && (
        <p className="empty">You share your records with no one right now.</p>
      )}
      {active.length > 0 && (
        <Card title="Active access">
          <table className="data-table responsive">
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Until</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {active.map((grant) => (
                <tr key={grant.grantId} data-grant-id={grant.grantId}>
                  <td data-label="Who">
                    {grant.grantee ? (
                      <AddressText address={grant.grantee} />
                    ) : (
                      `Organisation ${grant.granteeOrganisation}`
                    )}
                  </td>
                  <td data-label="What">
                    {grant.actions.join(', ')} · {grant.categories.map((c) => categoryLabels[c]).join(', ')}
                    {grant.maxSensitivity === 'restricted' ? ' · including restricted' : ''}
                  </td>
                  <td data-label="Until">{formatTime(grant.expiresAt)}</td>
                  <td>
                    <Button
                      kind="danger"
                      onClick={() => void revoke.run(grant.grantId)}
                      busy={revoke.busy}
                      busyLabel="Revoking…"
                      label={`Revoke grant ${grant.grantId}`}
                    >
                      Revoke
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      {past.length > 0 && (
        <Card title="Ended">
          <ul className="plain-list">
            {past.map((grant) => (
              <li key={grant.grantId}>
                {grant.grantee ? (
                  <AddressText address={grant.grantee} />
                ) : (
                  `Organisation ${grant.granteeOrganisation}`
                )}{' '}
                · {grant.categories.map((c) => categoryLabels[c]).join(', ')}{' '}
                <Badge tone="neutral">{grant.status}</Badge>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}

type Verification = 'verified' | 'not-verified' | 'awaiting';

/**
 * Why a decision was refused, in plain words: the audit log's reason (`no_consent`, ...); a reason
 * this screen has no words for is shown as it is.
 */
const refusalReasons: Record<string, string> = {
  no_consent: 'no consent of yours covers it',
  consent_revoked: 'you had revoked their consent',
  consent_expired: 'their consent had expired',
  emergency_expired: 'the emergency access was over',
  ledger_unavailable: 'the ledger could not be read (not their doing)',
  record_not_on_chain: 'the record was not on the ledger (not their doing)',
  not_patient_or_guardian: 'not a guardian of your key backup',
  not_a_guardian: 'not a guardian of your key backup',
  not_party_to_emergency: 'not a party to the emergency',
};

function refusalReasonText(reason: string | null): string {
  if (!reason) return 'refused';
  if (/^\d+ of \d+ records visible$/.test(reason)) return 'no consent of yours covers your records';
  return refusalReasons[reason] ?? reason.replaceAll('_', ' ');
}

/**
 * Every access decision about the patient's data, a page at a time with filters (see
 * `AuditHistory`), each marked as verified against the ledger's audit anchors.
 */
export function PatientAccessHistory() {
  const { client } = useSession();
  const [refresh, setRefresh] = useState(0);
  const verification = useLoad(async () => {
    // The gateway records a batch just after the chain has it, so a verification that races an
    // anchoring sees an event "anchored but without proof". It is tried again, briefly, before
    // the log is called not verified; a lasting mismatch is still reported.
    let attempt = 0;
    let [report, proofs] = await Promise.all([verifyAuditTrail(client), client.auditProofs()]);
    while (!report.ok && attempt < 3) {
      attempt += 1;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      [report, proofs] = await Promise.all([verifyAuditTrail(client), client.auditProofs()]);
    }
    const bad = new Set(report.problems.map((p) => p.sequence).filter((s): s is number => s !== undefined));
    const global = report.problems.some((p) => p.sequence === undefined);
    const stateOf = new Map<string, Verification>();
    for (const item of proofs.events) {
      const id = (item.event as { eventId?: string }).eventId;
      if (!id) continue;
      stateOf.set(
        id,
        global || bad.has(item.event.sequence) ? 'not-verified' : item.proof ? 'verified' : 'awaiting',
      );
    }
    return { report, stateOf };
  }, [client, refresh]);
  const report = verification.data?.report;
  return (
    <div className="stack">
      <h1>Who accessed my data</h1>
      <p className="muted">
        Every decision about your data, allowed or refused, as recorded by the gateway and checked in this
        browser against the audit anchors on the ledger.
      </p>
      <Button
        kind="secondary"
        onClick={() => setRefresh(refresh + 1)}
        busy={verification.loading}
        busyLabel="Verifying…"
      >
        Verify again
      </Button>
      {verification.loading && !verification.data && (
        <Spinner label="Fetching the audit log and verifying it against the ledger…" />
      )}
      {verification.error ? <Notice kind="error">{plainError(verification.error)}</Notice> : null}
      {report && (
        <Notice kind={report.ok ? 'success' : 'error'}>
          {report.ok
            ? `The log is intact: ${report.anchored} of ${report.events} events are anchored on the ledger and verified${report.awaitingAnchor ? `; ${report.awaitingAnchor} await their anchor` : ''}.`
            : `The log does not match the ledger: ${report.problems.map((p) => p.message).join(' ')}`}
        </Notice>
      )}
      {verification.data && (
        <AuditHistory
          refresh={refresh}
          exportName="my-access-history"
          table={(events) => <AuditTable events={events} stateOf={verification.data?.stateOf} showReason />}
        />
      )}
    </div>
  );
}

/** Access events, newest first as given. */
export function AuditTable(props: {
  events: AuditEvent[];
  stateOf?: Map<string, Verification>;
  showPatient?: boolean;
  /** A "Why" column: the reason of each refusal. */
  showReason?: boolean;
}) {
  if (props.events.length === 0) return <p className="empty">No access has been recorded.</p>;
  return (
    <table className="data-table responsive audit-table">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          {props.showPatient && <th scope="col">Patient</th>}
          <th scope="col">Action</th>
          <th scope="col">Category</th>
          <th scope="col">Outcome</th>
          {props.showReason && <th scope="col">Why</th>}
          {props.stateOf && <th scope="col">Ledger check</th>}
        </tr>
      </thead>
      <tbody>
        {props.events.map((event) => {
          const state = props.stateOf?.get(event.eventId);
          return (
            <tr
              key={event.eventId}
              data-outcome={event.outcome}
              className={event.outcome === 'denied' ? 'audit-refused' : undefined}
            >
              <td data-label="When">{formatTime(event.recordedAt)}</td>
              <td data-label="Who">
                <AddressText address={event.actor} />
              </td>
              {props.showPatient && (
                <td data-label="Patient">{event.patient ? <AddressText address={event.patient} /> : '—'}</td>
              )}
              <td data-label="Action">{event.action}</td>
              <td data-label="Category">{event.category ? categoryLabels[event.category] : '—'}</td>
              <td data-label="Outcome">
                <Badge tone={event.outcome === 'allowed' ? 'good' : 'bad'}>{event.outcome}</Badge>
              </td>
              {props.showReason && (
                <td data-label="Why">{event.outcome === 'denied' ? refusalReasonText(event.reason) : '—'}</td>
              )}
              {props.stateOf && (
                <td data-label="Ledger check">
                  {state === 'verified' ? (
                    <Badge tone="good">✓ verified</Badge>
                  ) : state === 'not-verified' ? (
                    <Badge tone="bad">✗ not verified</Badge>
                  ) : (
                    <Badge tone="warn">awaiting anchor</Badge>
                  )}
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
