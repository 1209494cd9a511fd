/**
 * The organisation admin's screens: members (register, suspend; their one-time codes at sign-in: the
 * organisation's policy, enrolment and reset), joining organisations, and access activity without
 * health content.
 */
import type { Organisation, StaffSecondFactorPolicy } from '@medledger/client';
import { type Role, roles } from '@medledger/core';
import { type FormEvent, useState } from 'react';
import { useDirectory } from '../components/directory.tsx';
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
import { plainError, withPlainCodeErrors } from '../errors.ts';
import { useSession } from '../session.tsx';
import { AuditTable } from './PatientScreens.tsx';
import { CodeField } from './PatientSettings.tsx';

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
      {adminOf.map((organisation) => (
        <OrganisationSecondFactors key={organisation.organisationId} organisation={organisation} />
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
  const [profile, setProfile] = useState(emptyProfile);
  const [editing, setEditing] = useState<string | undefined>();
  const directory = useDirectory();
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
      ...(profile.displayName.trim() ? { profile: trimmedProfile(profile) } : {}),
    });
    directory?.forget(address.trim());
    setAddress('');
    setEncryptionKey('');
    setProfile(emptyProfile);
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
                  <Button
                    kind="ghost"
                    onClick={() => setEditing(member.address)}
                    label={`Edit the profile of ${member.address}`}
                  >
                    Edit profile
                  </Button>
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
      {editing && (
        <MemberProfileForm
          key={editing}
          member={editing}
          onDone={() => {
            setEditing(undefined);
            members.reload();
          }}
        />
      )}
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
        <ProfileFields profile={profile} onChange={setProfile} />
        {add.error && <Notice kind="error">{add.error}</Notice>}
        <Button type="submit" busy={add.busy} busyLabel="Registering on the ledger…">
          Register member
        </Button>
      </form>
    </Card>
  );
}

interface ProfileInput {
  displayName: string;
  title: string;
  department: string;
}
const emptyProfile: ProfileInput = { displayName: '', title: '', department: '' };

function trimmedProfile(profile: ProfileInput) {
  return {
    displayName: profile.displayName.trim(),
    ...(profile.title.trim() ? { title: profile.title.trim() } : {}),
    ...(profile.department.trim() ? { department: profile.department.trim() } : {}),
  };
}

/** A member's public profile: shown to everyone instead of its address (staff names are not health data). */
function ProfileFields(props: {
  profile: ProfileInput;
  onChange: (profile: ProfileInput) => void;
  required?: boolean;
}) {
  const { profile, onChange } = props;
  return (
    <>
      <Field
        label="Display name"
        hint="Shown to patients and colleagues instead of the address, e.g. Ana Silva."
      >
        {(id) => (
          <input
            id={id}
            value={profile.displayName}
            maxLength={80}
            required={props.required}
            onChange={(e) => onChange({ ...profile, displayName: e.target.value })}
          />
        )}
      </Field>
      <Field label="Title" hint="Optional, e.g. Dr.">
        {(id) => (
          <input
            id={id}
            value={profile.title}
            maxLength={32}
            onChange={(e) => onChange({ ...profile, title: e.target.value })}
          />
        )}
      </Field>
      <Field label="Department" hint="Optional.">
        {(id) => (
          <input
            id={id}
            value={profile.department}
            maxLength={80}
            onChange={(e) => onChange({ ...profile, department: e.target.value })}
          />
        )}
      </Field>
    </>
  );
}

function MemberProfileForm(props: { member: string; onDone: () => void }) {
  const { client } = useSession();
  const [profile, setProfile] = useState(emptyProfile);
  const directory = useDirectory();
  const save = useAction(async () => {
    await client.setMemberProfile(props.member as `0x${string}`, trimmedProfile(profile));
    directory?.forget(props.member);
    props.onDone();
  });
  return (
    <form
      className="form"
      aria-label="Edit a member’s profile"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void save.run();
      }}
    >
      <h3>
        Profile of <AddressText address={props.member} />
      </h3>
      <ProfileFields profile={profile} onChange={setProfile} required />
      {save.error && <Notice kind="error">{save.error}</Notice>}
      <Button type="submit" busy={save.busy} busyLabel="Saving on the ledger…">
        Save profile
      </Button>
    </form>
  );
}

const policyLabels: Record<StaffSecondFactorPolicy, string> = {
  optional: 'Optional: members who enrolled give their code',
  privileged: 'Privileged: also required of admins and of members with the emergency privilege',
  all: 'All: required of every member',
};

/**
 * The organisation's policy for one-time codes at sign-in, each member's code (on, pending, off,
 * required), the admin's enrolment of a member (its setup shown once, to hand over) and reset, and
 * the admin's own code.
 */
function OrganisationSecondFactors(props: { organisation: Organisation }) {
  const { client, me } = useSession();
  const { organisationId } = props.organisation;
  const factors = useLoad(() => client.organisationSecondFactors(organisationId), [client, organisationId]);
  const [policy, setPolicy] = useState<StaffSecondFactorPolicy>();
  const [handOver, setHandOver] = useState<{ member: string; uri: string }>();
  const [ownUri, setOwnUri] = useState<string>();
  const [ownCode, setOwnCode] = useState('');
  const savePolicy = useAction(async () => {
    if (!policy) return;
    await client.setStaffOtpPolicy(organisationId, policy);
    factors.reload();
  });
  const enrol = useAction(async (member: string) => {
    setHandOver(await client.enrolMemberOtp(organisationId, member as `0x${string}`));
    factors.reload();
  });
  const reset = useAction(async (member: string) => {
    await client.resetMemberOtp(organisationId, member as `0x${string}`);
    setHandOver(undefined);
    factors.reload();
  });
  const startOwn = useAction(async () => setOwnUri((await client.startStaffOtpEnrolment()).uri));
  const confirmOwn = useAction(async () => {
    await withPlainCodeErrors(() => client.confirmStaffOtp(ownCode));
    setOwnUri(undefined);
    setOwnCode('');
    factors.reload();
  });
  const data = factors.data;
  const self = data?.members.find((member) => member.address.toLowerCase() === me.address.toLowerCase());
  const current = policy ?? data?.policy;
  return (
    <Card title={`One-time codes at sign-in: ${props.organisation.name}`}>
      {factors.loading && !data && <Spinner label="Loading second factors…" />}
      {factors.error ? <Notice kind="error">{plainError(factors.error)}</Notice> : null}
      {data && (
        <>
          <p data-testid="second-factor-policy">
            Policy: <strong>{data.policy}</strong>
            {data.isDefault ? ' (default)' : ''}
          </p>
          <form
            className="form"
            aria-label="Sign-in code policy"
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              void savePolicy.run();
            }}
          >
            <Field
              label="Who must give a one-time code at sign-in"
              hint="Turn your own code on before requiring codes of admins."
            >
              {(id) => (
                <select
                  id={id}
                  value={current}
                  onChange={(e) => setPolicy(e.target.value as StaffSecondFactorPolicy)}
                >
                  {(Object.keys(policyLabels) as StaffSecondFactorPolicy[]).map((p) => (
                    <option key={p} value={p}>
                      {policyLabels[p]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {savePolicy.error && <Notice kind="error">{savePolicy.error}</Notice>}
            <Button type="submit" busy={savePolicy.busy} busyLabel="Saving…">
              Save policy
            </Button>
          </form>
          <table className="data-table responsive" aria-label="Members’ one-time codes">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">One-time code</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.members.map((member) => {
                const isSelf = member.address === self?.address;
                return (
                  <tr key={member.address} data-member={member.address}>
                    <td data-label="Member">
                      <AddressText address={member.address} />
                    </td>
                    <td data-label="Role">
                      {roleLabels[member.role as Role] ?? member.role}
                      {member.emergencyPrivileged ? ' (emergency privilege)' : ''}
                    </td>
                    <td data-label="One-time code">
                      <Badge tone={member.enabled ? 'good' : member.required ? 'bad' : 'warn'}>
                        {member.enabled ? 'on' : member.pending ? 'pending' : 'off'}
                      </Badge>
                      {member.required ? ' required' : ''}
                    </td>
                    <td>
                      {!member.enabled && !isSelf && (
                        <Button
                          onClick={() => void enrol.run(member.address)}
                          busy={enrol.busy}
                          busyLabel="Enrolling…"
                          label={`Enrol ${member.address}`}
                        >
                          Enrol
                        </Button>
                      )}
                      {(member.enabled || member.pending) && !isSelf && (
                        <Button
                          kind="danger"
                          onClick={() => void reset.run(member.address)}
                          busy={reset.busy}
                          busyLabel="Resetting…"
                          label={`Reset ${member.address}`}
                        >
                          Reset
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {enrol.error && <Notice kind="error">{enrol.error}</Notice>}
          {reset.error && <Notice kind="error">{reset.error}</Notice>}
          {handOver && (
            <div className="stack" data-testid="member-otp-setup">
              <p>
                Hand this setup to <AddressText address={handOver.member} /> (it is shown only now): they scan
                it with an authenticator app and sign in with its first code, which turns the code on.
              </p>
              <QrCode text={handOver.uri} label="QR code of the member’s authenticator setup" />
              <code className="otpauth-uri">{handOver.uri}</code>
            </div>
          )}
          {self && !self.enabled && (
            <div className="stack">
              <h3>Your own code</h3>
              {!ownUri ? (
                <>
                  {startOwn.error && <Notice kind="error">{startOwn.error}</Notice>}
                  <Button onClick={() => void startOwn.run()} busy={startOwn.busy} busyLabel="Starting…">
                    Turn on my one-time code
                  </Button>
                </>
              ) : (
                <form
                  className="form"
                  aria-label="Your own one-time code"
                  onSubmit={(event: FormEvent) => {
                    event.preventDefault();
                    void confirmOwn.run();
                  }}
                >
                  <QrCode text={ownUri} label="QR code of your authenticator setup" />
                  <code className="otpauth-uri" data-testid="own-otpauth-uri">
                    {ownUri}
                  </code>
                  <CodeField label="First code from your app" value={ownCode} onChange={setOwnCode} />
                  {confirmOwn.error && <Notice kind="error">{confirmOwn.error}</Notice>}
                  <Button type="submit" busy={confirmOwn.busy} busyLabel="Confirming…">
                    Turn on
                  </Button>
                </form>
              )}
            </div>
          )}
        </>
      )}
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
