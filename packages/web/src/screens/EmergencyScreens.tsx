/**
 * Emergency access ("break the glass") in the browser: an organisation admin gives members the
 * emergency privilege and reviews their emergencies (unreviewed first); a privileged clinician
 * declares an emergency for a patient (reason and justification) and then reads the emergency set;
 * a patient sees every emergency declared on their record. Declarations and reviews are signed in
 * this browser; whether a member holds the privilege is read from the chain itself.
 */

import type { Emergency, GatewayClient, Organisation } from '@medledger/client';
import { type Actor, type EmergencyReason, emergencyCategories, emergencyReasons } from '@medledger/core';
import { createChainReader } from '@medledger/ledger';
import { type FormEvent, useState } from 'react';
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
import { plainError } from '../errors.ts';
import { useSession } from '../session.tsx';
import { categoryLabels } from './Chart.tsx';

export const reasonLabels: Record<EmergencyReason, string> = {
  unconscious: 'Patient unconscious',
  'cannot-consent': 'Patient cannot consent',
  'life-threatening': 'Life-threatening situation',
  other: 'Other (explained below)',
};

const emergencySetText = emergencyCategories.map((c) => categoryLabels[c].toLowerCase()).join(', ');

/** Whether `member` holds the emergency privilege, as the chain says (read through `/rpc`, like the explorer). */
async function hasEmergencyPrivilege(client: GatewayClient<Actor>, member: string): Promise<boolean> {
  const info = await client.ledger();
  const chain = createChainReader({ rpcUrl: info.rpcUrl, contracts: info.contracts });
  return chain.read('emergencies', 'isEmergencyPrivileged', [member as `0x${string}`]);
}

function EmergencyStatus(props: { emergency: Emergency }) {
  const { emergency } = props;
  return (
    <>
      {emergency.status === 'open' ? (
        <Badge tone="warn">open until {formatTime(emergency.expiresAt)}</Badge>
      ) : (
        <Badge tone="neutral">ended</Badge>
      )}{' '}
      {emergency.verdict === 'pending' ? (
        <Badge tone="warn">awaiting review</Badge>
      ) : emergency.verdict === 'justified' ? (
        <Badge tone="good">reviewed: justified</Badge>
      ) : (
        <Badge tone="bad">reviewed: not justified</Badge>
      )}
    </>
  );
}

/** An emergency's facts; `show` picks the party the reader needs to see (the other one). */
function EmergencyFacts(props: { emergency: Emergency; show: 'member' | 'patient' | 'both' }) {
  const { emergency, show } = props;
  return (
    <dl className="facts">
      {show !== 'patient' && (
        <>
          <dt>Declared by</dt>
          <dd>
            <AddressText address={emergency.member} /> (organisation {emergency.organisationId})
          </dd>
        </>
      )}
      {show !== 'member' && (
        <>
          <dt>Patient</dt>
          <dd>
            <AddressText address={emergency.patient} />
          </dd>
        </>
      )}
      <dt>Reason</dt>
      <dd>{reasonLabels[emergency.reason] ?? emergency.reason}</dd>
      {emergency.justification !== null && (
        <>
          <dt>Justification</dt>
          <dd className="justification">{emergency.justification}</dd>
        </>
      )}
      <dt>When</dt>
      <dd>
        {formatTime(emergency.declaredAt)} to {formatTime(emergency.expiresAt)}
      </dd>
      <dt>Opened</dt>
      <dd>
        read only: {emergency.categories.map((c) => categoryLabels[c].toLowerCase()).join(', ')} (
        {emergency.sensitivity} sensitivity)
      </dd>
    </dl>
  );
}

/** Admin: the privilege of each clinician of the organisation, and the emergencies to review. */
export function AdminEmergencies() {
  const { adminOf } = useSession();
  return (
    <div className="stack">
      <h1>Emergency access</h1>
      <EmergencyReviews />
      {adminOf.map((organisation) => (
        <EmergencyPrivileges key={organisation.organisationId} organisation={organisation} />
      ))}
    </div>
  );
}

function EmergencyPrivileges(props: { organisation: Organisation }) {
  const { client } = useSession();
  const { organisation } = props;
  const members = useLoad(async () => {
    const { members } = await client.members(organisation.organisationId);
    const active = members.filter((member) => member.active && member.role !== 'admin');
    return Promise.all(
      active.map(async (member) => ({
        ...member,
        privileged: await hasEmergencyPrivilege(client, member.address),
      })),
    );
  }, [client, organisation.organisationId]);
  const toggle = useAction(async (member: string, privileged: boolean) => {
    await client.setEmergencyPrivilege(member as `0x${string}`, privileged);
    members.reload();
  });
  return (
    <Card title={`Emergency privilege at ${organisation.name}`}>
      <p className="muted">
        A privileged member can declare an emergency when a patient cannot consent, opening the patient’s{' '}
        {emergencySetText} for a limited time. Every emergency is notified to the patient and waits for your
        review.
      </p>
      {members.loading && !members.data && <Spinner label="Reading privileges from the ledger…" />}
      {members.error ? <Notice kind="error">{plainError(members.error)}</Notice> : null}
      {members.data?.length === 0 && <p className="empty">No active members besides admins.</p>}
      {members.data && members.data.length > 0 && (
        <table className="data-table responsive">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col">Emergency privilege</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.data.map((member) => (
              <tr key={member.address} data-member={member.address.toLowerCase()}>
                <td data-label="Member">
                  <AddressText address={member.address} />
                </td>
                <td data-label="Role">{member.role}</td>
                <td data-label="Emergency privilege">
                  {member.privileged ? <Badge tone="warn">privileged</Badge> : <Badge>none</Badge>}
                </td>
                <td>
                  <Button
                    kind={member.privileged ? 'danger' : 'secondary'}
                    onClick={() => void toggle.run(member.address, !member.privileged)}
                    busy={toggle.busy}
                    busyLabel="Signing…"
                    label={`${member.privileged ? 'Take away' : 'Grant'} emergency privilege ${member.address}`}
                  >
                    {member.privileged ? 'Take away' : 'Grant'}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {toggle.error && <Notice kind="error">{toggle.error}</Notice>}
    </Card>
  );
}

function EmergencyReviews() {
  const { client } = useSession();
  const list = useLoad(() => client.listEmergencies(), [client]);
  const review = useAction(async (emergencyId: number, verdict: 'justified' | 'unjustified') => {
    await client.reviewEmergency(emergencyId, verdict);
    list.reload();
  });
  const emergencies = list.data?.emergencies ?? [];
  const unreviewed = emergencies.filter((e) => e.verdict === 'pending').length;
  return (
    <Card
      title="Emergencies to review"
      actions={list.data && <Badge tone={unreviewed ? 'warn' : 'good'}>{unreviewed} unreviewed</Badge>}
    >
      {list.loading && !list.data && <Spinner label="Loading emergencies…" />}
      {list.error ? <Notice kind="error">{plainError(list.error)}</Notice> : null}
      {list.data && emergencies.length === 0 && (
        <p className="empty">No member of your organisation has declared an emergency.</p>
      )}
      {emergencies.map((emergency) => (
        <article
          key={emergency.emergencyId}
          className="emergency"
          data-emergency-id={emergency.emergencyId}
          aria-label={`Emergency ${emergency.emergencyId}`}
        >
          <h3>
            Emergency #{emergency.emergencyId} <EmergencyStatus emergency={emergency} />
          </h3>
          <EmergencyFacts emergency={emergency} show="both" />
          {emergency.verdict === 'pending' && (
            <div className="form form-inline">
              <Button
                onClick={() => void review.run(emergency.emergencyId, 'justified')}
                busy={review.busy}
                busyLabel="Signing the review…"
              >
                Justified
              </Button>
              <Button
                kind="danger"
                onClick={() => void review.run(emergency.emergencyId, 'unjustified')}
                busy={review.busy}
                busyLabel="Signing the review…"
              >
                Not justified
              </Button>
              <p className="hint">“Not justified” also closes the emergency’s access at once.</p>
            </div>
          )}
        </article>
      ))}
      {review.error && <Notice kind="error">{review.error}</Notice>}
    </Card>
  );
}

/**
 * On a clinician's view of a patient: for a privileged member, declare an emergency; shows the
 * member's open emergency for this patient, if any.
 */
export function DeclareEmergency(props: { patient: string; onDeclared: () => void }) {
  const { client, identity } = useSession();
  const state = useLoad(async () => {
    const [privileged, { emergencies }] = await Promise.all([
      hasEmergencyPrivilege(client, identity.address),
      client.listEmergencies(),
    ]);
    const open = emergencies.find(
      (e) =>
        e.status === 'open' &&
        e.patient.toLowerCase() === props.patient.toLowerCase() &&
        e.member.toLowerCase() === identity.address.toLowerCase(),
    );
    return { privileged, open };
  }, [client, identity.address, props.patient]);
  const [reason, setReason] = useState<EmergencyReason>('unconscious');
  const [justification, setJustification] = useState('');
  const declare = useAction(async () => {
    if (!justification.trim())
      throw new Error('Explain why this is an emergency: your admin will review it.');
    await client.declareEmergency({
      patient: props.patient as `0x${string}`,
      reason,
      justification: justification.trim(),
    });
    setJustification('');
    state.reload();
    props.onDeclared();
  });
  if (!state.data?.privileged && !state.data?.open) return null;
  const open = state.data.open;
  return (
    <Card title="Emergency access" className="emergency-card">
      {open ? (
        <Notice kind="info">
          Emergency #{open.emergencyId} is open: you can read this patient’s {emergencySetText} until{' '}
          {formatTime(open.expiresAt)}. The patient has been notified and your organisation’s admin will
          review it.
        </Notice>
      ) : (
        <form
          className="form"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void declare.run();
          }}
        >
          <p className="muted">
            Only when the patient cannot consent and care cannot wait. Declaring opens the patient’s{' '}
            {emergencySetText} (normal sensitivity, read only) to you for a limited time; the patient is
            notified at once, and your organisation’s admin reviews every emergency.
          </p>
          <Field label="Emergency reason">
            {(id) => (
              <select id={id} value={reason} onChange={(e) => setReason(e.target.value as EmergencyReason)}>
                {emergencyReasons.map((r) => (
                  <option key={r} value={r}>
                    {reasonLabels[r]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Justification"
            hint="Kept at this gateway for the reviewer; the ledger keeps only its hash."
          >
            {(id) => (
              <textarea
                id={id}
                rows={3}
                maxLength={2000}
                value={justification}
                onChange={(e) => setJustification(e.target.value)}
                required
              />
            )}
          </Field>
          <Button type="submit" kind="danger" busy={declare.busy} busyLabel="Declaring on the ledger…">
            Declare emergency
          </Button>
        </form>
      )}
      {declare.error && <Notice kind="error">{declare.error}</Notice>}
    </Card>
  );
}

/** The patient: every emergency declared on their record. */
export function PatientEmergencies() {
  const { client } = useSession();
  const list = useLoad(() => client.listEmergencies(), [client]);
  const emergencies = list.data?.emergencies ?? [];
  return (
    <div className="stack">
      <h1>Emergencies on my record</h1>
      <p className="muted">
        When you cannot consent, a clinician with the emergency privilege may open your {emergencySetText} for
        a few hours. Each time is recorded on the ledger, notified to you, and reviewed by the clinician’s
        organisation.
      </p>
      {list.loading && !list.data && <Spinner label="Loading emergencies…" />}
      {list.error ? <Notice kind="error">{plainError(list.error)}</Notice> : null}
      {list.data && emergencies.length === 0 && (
        <p className="empty">No emergency has been declared on your record.</p>
      )}
      {emergencies.map((emergency) => (
        <Card
          key={emergency.emergencyId}
          className="emergency"
          title={
            <>
              Emergency #{emergency.emergencyId} <EmergencyStatus emergency={emergency} />
            </>
          }
        >
          <EmergencyFacts emergency={emergency} show="member" />
        </Card>
      ))}
    </div>
  );
}
