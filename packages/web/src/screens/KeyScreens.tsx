/**
 * Keys that can be recovered: a patient splits a backup of its keys among guardians (made and sealed
 * in this browser, only its hash on chain); a guardian approves a recovery request after checking the
 * code the patient told it; a new device recovers the keys with k guardians (on the welcome screen).
 */
import {
  approveKeyRecovery,
  backUpKey,
  finishKeyRecovery,
  keyBackupOf,
  type PendingKeyRecovery,
  pendingKeyRecoveries,
  startKeyRecovery,
} from '@medledger/client';
import { type Identity, isWalletIdentity, MedledgerError } from '@medledger/core';
import { type FormEvent, useState } from 'react';
import { isAddress } from 'viem';
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
import { forgetPendingRecovery, keepPendingRecovery } from '../identity/pendingRecovery.ts';
import { storeIdentity } from '../identity/vault.ts';
import { useSession } from '../session.tsx';
import { KeyRotationCard } from './KeyRotation.tsx';

function submitting(action: () => Promise<unknown>) {
  return (event: FormEvent) => {
    event.preventDefault();
    void action();
  };
}

/** Addresses from free text: one per line, or separated by commas or spaces. */
function addressesIn(text: string): `0x${string}`[] {
  const words = text.split(/[\s,;]+/).filter(Boolean);
  const wrong = words.find((word) => !isAddress(word, { strict: false }));
  if (wrong) throw new Error(`“${wrong}” is not an address (0x and 40 hex digits).`);
  return words as `0x${string}`[];
}

/** The screen "Keys": for a patient, its backup; for everyone, the recovery requests it guards. */
export function KeysScreen() {
  const session = useSession();
  return (
    <div className="stack">
      <h1>Keys</h1>
      {session.persona === 'patient' &&
        (isWalletIdentity(session.identity) ? (
          <Card title="Back up my keys">
            <p>
              You sign in with a wallet: it holds your signing key, and your encryption key comes back from
              the same wallet. Your wallet’s own recovery phrase is your backup; keep it safe.
            </p>
          </Card>
        ) : (
          <>
            <KeyBackupCard />
            <KeyRotationCard />
          </>
        ))}
      <GuardianRequests />
    </div>
  );
}

function KeyBackupCard() {
  const { client, identity } = useSession();
  const current = useLoad(async () => {
    try {
      return await keyBackupOf(client, identity.address);
    } catch (error) {
      if (error instanceof MedledgerError && error.code === 'not_found') return undefined;
      throw error;
    }
  }, [client, identity.address]);
  const [guardians, setGuardians] = useState('');
  const [threshold, setThreshold] = useState(2);
  const [done, setDone] = useState<string>();
  const backUp = useAction(async () => {
    setDone(undefined);
    const list = addressesIn(guardians);
    if (list.length < 2)
      throw new Error('Name at least two guardians: no single guardian may hold your keys.');
    if (threshold < 2 || threshold > list.length)
      throw new Error(`The number of guardians needed must be between 2 and ${list.length}.`);
    const created = await backUpKey(client, { guardians: list, threshold });
    setDone(
      `Your keys are backed up: any ${created.threshold} of your ${created.guardians.length} guardians can give them back. The backup's hash is on the ledger (block ${created.blockNumber}).`,
    );
    setGuardians('');
    current.reload();
  });
  const backup = current.data?.backup;
  return (
    <Card title="Back up my keys to guardians">
      <p className="muted">
        If you lose this device and your recovery phrase, people or organisations you trust can give your keys
        back together. Your keys are split here, in this browser: each guardian gets a share sealed to its own
        key, and fewer guardians than you choose learn nothing.
      </p>
      {current.loading && !current.data && <Spinner label="Looking for your backup…" />}
      {current.error ? <Notice kind="error">{plainError(current.error)}</Notice> : null}
      {!current.loading && !current.error && !backup && <p className="empty">You have no key backup yet.</p>}
      {backup && current.data && (
        <dl className="facts key-backup">
          <dt>Backed up</dt>
          <dd>
            {formatTime(backup.createdAt)}{' '}
            {current.data.committed.holdsCurrentKey ? (
              <Badge tone="good">current keys</Badge>
            ) : (
              <Badge tone="warn">old keys: back up again</Badge>
            )}
          </dd>
          <dt>Guardians</dt>
          <dd>
            any {backup.threshold} of{' '}
            {backup.guardians.map((guardian, index) => (
              <span key={guardian.guardian}>
                {index > 0 && ', '}
                <AddressText address={guardian.guardian} />
              </span>
            ))}
          </dd>
        </dl>
      )}
      <form className="form" onSubmit={submitting(backUp.run)}>
        <Field
          label="Guardians’ addresses"
          hint="One per line: registered members (e.g. your doctor) or patients you trust (e.g. family). A new backup replaces the previous one."
        >
          {(id) => (
            <textarea id={id} rows={3} value={guardians} onChange={(e) => setGuardians(e.target.value)} />
          )}
        </Field>
        <Field label="Guardians needed to recover">
          {(id) => (
            <input
              id={id}
              type="number"
              min={2}
              max={16}
              value={threshold}
              onChange={(e) => setThreshold(Number(e.target.value))}
            />
          )}
        </Field>
        <Button type="submit" busy={backUp.busy} busyLabel="Splitting, sealing and committing…">
          Back up my keys
        </Button>
      </form>
      {backUp.error && <Notice kind="error">{backUp.error}</Notice>}
      {done && <Notice kind="success">{done}</Notice>}
    </Card>
  );
}

function GuardianRequests() {
  const { client } = useSession();
  const requests = useLoad(() => pendingKeyRecoveries(client), [client]);
  return (
    <Card title="Recovery requests you guard">
      <p className="muted">
        When someone who chose you as a guardian asks for their keys back on a new device, the request appears
        here. Approve it only with the code they tell you themselves, in person or by phone.
      </p>
      {requests.loading && !requests.data && <Spinner label="Loading recovery requests…" />}
      {requests.error ? <Notice kind="error">{plainError(requests.error)}</Notice> : null}
      {requests.data?.length === 0 && <p className="empty">No one is asking for their keys back.</p>}
      {requests.data?.map((item) => (
        <GuardianRequest
          key={item.request.requestId}
          requestId={item.request.requestId}
          patient={item.request.patient}
          expiresAt={item.expiresAt}
          approved={item.approved}
        />
      ))}
    </Card>
  );
}

function GuardianRequest(props: {
  requestId: `0x${string}`;
  patient: string;
  expiresAt: number;
  approved: boolean;
}) {
  const { client } = useSession();
  const [code, setCode] = useState('');
  const [done, setDone] = useState<string>();
  const approve = useAction(async () => {
    const result = await approveKeyRecovery(client, props.requestId, code);
    setDone(
      `Approved: your share is sealed to the new device. Approvals so far: ${result.approvals} of the ${result.threshold} needed.`,
    );
  });
  return (
    <article className="recovery-request" data-request-id={props.requestId}>
      <dl className="facts">
        <dt>Patient</dt>
        <dd>
          <AddressText address={props.patient} />
        </dd>
        <dt>Request</dt>
        <dd className="mono">{props.requestId}</dd>
        <dt>Open until</dt>
        <dd>{formatTime(props.expiresAt)}</dd>
      </dl>
      {props.approved || done ? (
        <Notice kind="success">{done ?? 'You approved this request.'}</Notice>
      ) : (
        <form className="form form-inline" onSubmit={submitting(approve.run)}>
          <Field label="Code the patient told you">
            {(id) => (
              <input
                id={id}
                autoComplete="off"
                spellCheck={false}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                required
              />
            )}
          </Field>
          <Button type="submit" busy={approve.busy} busyLabel="Checking and sealing…">
            Approve recovery
          </Button>
        </form>
      )}
      {approve.error && <Notice kind="denied">{approve.error}</Notice>}
    </article>
  );
}

/**
 * On a new device, before sign-in: asks the guardians for the keys of a patient, then rebuilds them
 * from k approvals. The request in progress (its recovery key and token) is kept in this browser,
 * encrypted, until it is finished or cancelled: a reload continues it (`identity/pendingRecovery.ts`).
 */
export function RecoverWithGuardians(props: {
  onSignIn: (identity: Identity) => Promise<void>;
  /** A recovery this browser had started before the page was loaded. */
  inProgress?: PendingKeyRecovery;
}) {
  const [patient, setPatient] = useState('');
  const [pending, setPending] = useState<PendingKeyRecovery | undefined>(props.inProgress);
  const [label, setLabel] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const start = useAction(async () => {
    const [address] = addressesIn(patient);
    if (!address) throw new Error('Enter the address of the identity to recover.');
    const started = await startKeyRecovery(window.location.origin, address);
    await keepPendingRecovery(started);
    setPending(started);
  });
  const cancel = useAction(async () => {
    await forgetPendingRecovery();
    setPending(undefined);
  });
  const finish = useAction(async () => {
    if (!pending) return;
    if (passphrase.length < 8) throw new Error('Choose a passphrase of at least 8 characters.');
    let identity: Identity;
    try {
      identity = await finishKeyRecovery(pending);
    } catch (error) {
      if (error instanceof MedledgerError && error.code === 'access_denied')
        throw new Error(
          `Not enough guardians have approved yet: ${pending.threshold} of your ${pending.guardianCount} must. Ask them, then try again.`,
        );
      throw error;
    }
    await storeIdentity(identity, passphrase, label);
    await forgetPendingRecovery();
    await props.onSignIn(identity);
  });
  if (!pending) {
    return (
      <Card title="Recover your keys with your guardians">
        <p>
          Lost your device and your recovery phrase? If you backed up your keys to guardians, enough of them
          can give them back to this browser.
        </p>
        <form className="form" onSubmit={submitting(start.run)}>
          <Field label="Your address" hint="The address of the identity you backed up (0x…).">
            {(id) => (
              <input
                id={id}
                className="mono"
                value={patient}
                onChange={(e) => setPatient(e.target.value.trim())}
                required
              />
            )}
          </Field>
          {start.error && <Notice kind="error">{start.error}</Notice>}
          <Button type="submit" busy={start.busy} busyLabel="Asking…">
            Ask my guardians
          </Button>
        </form>
      </Card>
    );
  }
  return (
    <Card title="Recovery in progress">
      <p>
        Tell {pending.threshold} of your {pending.guardianCount} guardians, yourself (in person or by phone),
        this request and its code. Each approves it on their “Keys” page. This browser keeps the request,
        encrypted, until you finish or cancel it: you may close or reload this page meanwhile.
      </p>
      <dl className="facts">
        <dt>Identity</dt>
        <dd>
          <AddressText address={pending.request.patient} />
        </dd>
        <dt>Request</dt>
        <dd className="mono" data-testid="recovery-request-id">
          {pending.request.requestId}
        </dd>
        <dt>Code</dt>
        <dd className="mono strong" data-testid="recovery-code">
          {pending.code}
        </dd>
        <dt>Open until</dt>
        <dd>{formatTime(pending.expiresAt)}</dd>
      </dl>
      <form className="form" onSubmit={submitting(finish.run)}>
        <Field label="Name for this identity" hint="Only shown in this browser.">
          {(id) => <input id={id} value={label} onChange={(e) => setLabel(e.target.value)} />}
        </Field>
        <Field label="New passphrase" hint="Protects your keys in this browser; at least 8 characters.">
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)}
              required
            />
          )}
        </Field>
        {finish.error && <Notice kind="error">{finish.error}</Notice>}
        <Button type="submit" busy={finish.busy} busyLabel="Gathering shares and rebuilding…">
          My guardians approved: recover my keys
        </Button>
      </form>
      {cancel.error && <Notice kind="error">{cancel.error}</Notice>}
      <Button kind="ghost" busy={cancel.busy} busyLabel="Cancelling…" onClick={() => void cancel.run()}>
        Cancel this recovery
      </Button>
    </Card>
  );
}
