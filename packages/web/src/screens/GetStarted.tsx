/**
 * An identity the ledger does not know yet (keys held here or a wallet): register as a patient with
 * an organisation, hand one's keys to an organisation's admin to be registered as a member, or found /
 * propose an organisation.
 */
import { isWalletIdentity, type OrganisationKind, organisationKinds } from '@medledger/core';
import { type FormEvent, useState } from 'react';
import { Button, Card, Field, Notice, useAction } from '../components/ui.tsx';
import { useSession } from '../session.tsx';
import { DelegateInvitation } from './DelegateScreens.tsx';

export function GetStarted() {
  const session = useSession();
  const active = session.organisations.filter((o) => o.status === 'active');
  const [organisationId, setOrganisationId] = useState<number>(active[0]?.organisationId ?? 0);
  const register = useAction(async () => {
    await session.client.registerPatient({ organisationId });
    await session.refresh();
  });
  return (
    <div className="stack">
      <h1>Welcome</h1>
      <p>The ledger does not know this identity yet. Choose how you will use medledger.</p>
      {isWalletIdentity(session.identity) && (
        <p className="muted">
          You signed in with your wallet: it signs your registration, and your encryption key below comes from
          your wallet's signature.
        </p>
      )}
      <div className="grid-2">
        <Card title="I am a patient">
          {active.length === 0 ? (
            <p>No organisation has joined the consortium yet; a patient registers with one of them.</p>
          ) : (
            <form
              className="form"
              onSubmit={(event: FormEvent) => {
                event.preventDefault();
                void register.run();
              }}
            >
              <Field
                label="Register with"
                hint="This organisation holds a share of your records' keys for you."
              >
                {(id) => (
                  <select
                    id={id}
                    value={organisationId}
                    onChange={(e) => setOrganisationId(Number(e.target.value))}
                  >
                    {active.map((o) => (
                      <option key={o.organisationId} value={o.organisationId}>
                        {o.name} ({o.kind})
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {register.error && <Notice kind="error">{register.error}</Notice>}
              <Button type="submit" busy={register.busy} busyLabel="Registering on the ledger…">
                Register as a patient
              </Button>
            </form>
          )}
        </Card>
        <Card title="I work for an organisation">
          <p>Give these two values to your organisation's administrator, who registers you with your role.</p>
          <dl className="facts">
            <dt>Address</dt>
            <dd className="mono break" data-testid="my-address">
              {session.identity.address}
            </dd>
            <dt>Encryption key</dt>
            <dd className="mono break" data-testid="my-encryption-key">
              {session.identity.encryption.publicKey}
            </dd>
          </dl>
          <Button kind="secondary" onClick={() => void session.refresh()}>
            I have been registered: check again
          </Button>
        </Card>
      </div>
      <DelegateInvitation />
      <ProposeOrganisation />
    </div>
  );
}

function ProposeOrganisation() {
  const session = useSession();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<OrganisationKind>('hospital');
  const [result, setResult] = useState<string>();
  const action = useAction(async () => {
    const created = await session.client.createOrganisation({ name, kind });
    setResult(
      created.status === 'active'
        ? `${name} founded the consortium and is active. You are its administrator.`
        : `${name} is proposed; it becomes active once two thirds of the member organisations approve.`,
    );
    await session.refresh();
  });
  return (
    <Card title="Found or join with an organisation">
      <p className="muted">
        For an organisation's administrator. This gateway will be the organisation's gateway.
      </p>
      <form
        className="form form-inline"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void action.run();
        }}
      >
        <Field label="Organisation name">
          {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Kind">
          {(id) => (
            <select id={id} value={kind} onChange={(e) => setKind(e.target.value as OrganisationKind)}>
              {organisationKinds.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          )}
        </Field>
        <Button type="submit" busy={action.busy} busyLabel="Proposing on the ledger…">
          Propose organisation
        </Button>
      </form>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {result && <Notice kind="success">{result}</Notice>}
    </Card>
  );
}
