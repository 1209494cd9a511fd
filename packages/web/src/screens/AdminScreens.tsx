/** The organisation admin's screens: members (register, suspend), joining organisations, and access activity without health content. */
import type { Organisation } from '@medledger/client';
import { type Role, roles } from '@medledger/core';
import { type FormEvent, useState } from 'react';
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
import { plainError } from '../errors.ts';
import { useSession } from '../session.tsx';
import { AuditTable } from './PatientScreens.tsx';

const roleLabels: Record<Role, string> = {
  doctor: 'Doctor',
  nurse: 'Nurse',
  lab: 'Laboratory technician',
  pharmacist: 'Pharmacist',
  insurer: 'Insurer agent',
  admin: 'Administrator',
};

export function AdminMembers() {
  const { adminOf } = useSession();
  return (
    <div className="stack">
      <h1>Members</h1>
      {adminOf.map((organisation) => (
        <OrganisationMembers key={organisation.organisationId} organisation={organisation} />
      ))}
    </div>
  );
}

function OrganisationMembers(props: { organisation: Organisation }) {
  const { client } = useSession();
  const { organisation } = props;
  const members = useLoad(
    () => client.members(organisation.organisationId),
    [client, organisation.organisationId],
  );
  const [address, setAddress] = useState('');
  const [encryptionKey, setEncryptionKey] = useState('');
  const [role, setRole] = useState<Role>('doctor');
  const add = useAction(async () => {
    if (!/^0x[0-9a-fA-F]{40}$/.test(address.trim()))
      throw new Error('The address must be 0x followed by 40 hexadecimal characters.');
    if (!/^0x[0-9a-fA-F]{64}$/.test(encryptionKey.trim()))
      throw new Error('The encryption key must be 0x followed by 64 hexadecimal characters.');
    await client.addMember({
      organisationId: organisation.organisationId,
      member: address.trim() as `0x${string}`,
      role,
      encryptionKey: encryptionKey.trim() as `0x${string}`,
    });
    setAddress('');
    setEncryptionKey('');
    members.reload();
  });
  const suspend = useAction(async (member: string) => {
    await client.suspendMember(member as `0x${string}`);
    members.reload();
  });
  return (
    <Card title={`${organisation.name} (${organisation.kind})`}>
      {members.loading && !members.data && <Spinner label="Loading members…" />}
      {members.error ? <Notice kind="error">{plainError(members.error)}</Notice> : null}
      {members.data && members.data.members.length === 0 && <p className="empty">No members yet.</p>}
      {members.data && members.data.members.length > 0 && (
        <table className="data-table responsive">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.data.members.map((member) => (
              <tr key={member.address}>
                <td data-label="Member">
                  <AddressText address={member.address} />
                </td>
                <td data-label="Role">{roleLabels[member.role as Role] ?? member.role}</td>
                <td data-label="Status">
                  <Badge tone={member.active ? 'good' : 'bad'}>
                    {member.active ? 'active' : 'suspended'}
                  </Badge>
                </td>
                <td>
                  {member.active && (
                    <Button
                      kind="danger"
                      onClick={() => void suspend.run(member.address)}
                      busy={suspend.busy}
                      busyLabel="Suspending…"
                      label={`Suspend ${member.address}`}
                    >
                      Suspend
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {suspend.error && <Notice kind="error">{suspend.error}</Notice>}
      <form
        className="form"
        aria-label="Register a member"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void add.run();
        }}
      >
        <h3>Register a member</h3>
        <Field label="Member address">
          {(id) => (
            <input
              id={id}
              value={address}
              onChange={(e) => setAddress(e.target.value)}
              placeholder="0x…"
              spellCheck={false}
              required
            />
          )}
        </Field>
        <Field label="Member encryption key" hint="Shown to the member on their first sign-in.">
          {(id) => (
            <input
              id={id}
              value={encryptionKey}
              onChange={(e) => setEncryptionKey(e.target.value)}
              placeholder="0x…"
              spellCheck={false}
              required
            />
          )}
        </Field>
        <Field label="Role">
          {(id) => (
            <select id={id} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleLabels[r]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {add.error && <Notice kind="error">{add.error}</Notice>}
        <Button type="submit" busy={add.busy} busyLabel="Registering on the ledger…">
          Register member
        </Button>
      </form>
    </Card>
  );
}

export function AdminConsortium() {
  const session = useSession();
  const organisations = useLoad(() => session.client.organisations(), [session.client]);
  const approve = useAction(async (organisationId: number) => {
    const result = await session.client.approveOrganisation(organisationId);
    organisations.reload();
    return result;
  });
  const list = organisations.data?.organisations ?? [];
  return (
    <div className="stack">
      <h1>Consortium</h1>
      {organisations.loading && !organisations.data && <Spinner label="Loading organisations…" />}
      {approve.error && <Notice kind="error">{approve.error}</Notice>}
      <Card title="Organisations">
        <table className="data-table responsive">
          <thead>
            <tr>
              <th scope="col">Organisation</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((o) => (
              <tr key={o.organisationId}>
                <td data-label="Organisation">{o.name}</td>
                <td data-label="Kind">{o.kind}</td>
                <td data-label="Status">
                  <Badge tone={o.status === 'active' ? 'good' : 'warn'}>{o.status}</Badge>
                </td>
                <td>
                  {o.status === 'pending' && (
                    <Button
                      onClick={() => void approve.run(o.organisationId)}
                      busy={approve.busy}
                      busyLabel="Approving…"
                      label={`Approve ${o.name}`}
                    >
                      Approve joining
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}

export function AdminActivity() {
  const { client, adminOf } = useSession();
  const organisation = adminOf[0];
  const activity = useLoad(
    () =>
      organisation
        ? client.audit({ organisation: organisation.organisationId })
        : Promise.resolve({ events: [] }),
    [client, organisation?.organisationId],
  );
  return (
    <div className="stack">
      <h1>Access activity</h1>
      <p className="muted">
        Who accessed which patient’s records, when, in which category and with what outcome. No health content
        is shown.
      </p>
      {activity.loading && !activity.data && <Spinner label="Loading activity…" />}
      {activity.error ? <Notice kind="error">{plainError(activity.error)}</Notice> : null}
      {activity.data && <AuditTable events={activity.data.events} showPatient />}
    </div>
  );
}
