/**
 * Before sign-in: sign in with a wallet injected into the page (when there is one), unlock an
 * identity kept in this browser, create a new one, or import one.
 */
import { type Actor, type Identity, parseKeyFile } from '@medledger/core';
import { type FormEvent, Suspense, useState } from 'react';
import { AddressText, Button, Card, Field, Notice, Spinner, useAction, useLoad } from '../components/ui.tsx';
import { pendingRecovery } from '../identity/pendingRecovery.ts';
import { identityFromRecoveryPhrase, newRecoveryPhrase } from '../identity/recoveryPhrase.ts';
import {
  listStoredIdentities,
  type StoredIdentity,
  storeIdentity,
  unlockIdentity,
} from '../identity/vault.ts';
import { RecoverWithGuardians } from '../lazyScreens.tsx';
import { useSessionState } from '../session.tsx';
import { SignInCode } from './SignInCode.tsx';

type Mode = 'unlock' | 'create' | 'import' | 'recover';

const tabLabels: Record<Mode, string> = {
  unlock: 'Unlock',
  create: 'Create identity',
  import: 'Import identity',
  recover: 'Recover with guardians',
};

export function Welcome() {
  const { signIn, signedOutReason, codeRequest } = useSessionState();
  const stored = useLoad(listStoredIdentities, []);
  // A recovery started before a reload continues where it was.
  const recovering = useLoad(pendingRecovery, []);
  const [mode, setMode] = useState<Mode | undefined>();
  const current: Mode = mode ?? (recovering.data ? 'recover' : stored.data?.length ? 'unlock' : 'create');
  const ready = stored.data && !recovering.loading;
  return (
    <div className="welcome">
      <div className="welcome-intro">
        <h1>Your health records, shared on your terms</h1>
        <p>
          Records are encrypted in this browser before they leave it. Who may read them is decided on a shared
          ledger that every access is checked against and recorded on.
        </p>
      </div>
      {signedOutReason && <Notice kind="info">{signedOutReason}</Notice>}
      {'ethereum' in window && <WalletSignIn onSignIn={signIn} />}
      {codeRequest && <SignInCode />}
      <div className="tabs" role="tablist" aria-label="Identity">
        {(['unlock', 'create', 'import', 'recover'] as const).map((tab) => (
          <button
            key={tab}
            type="button"
            role="tab"
            aria-selected={current === tab}
            className={`tab ${current === tab ? 'tab-active' : ''}`}
            onClick={() => setMode(tab)}
          >
            {tabLabels[tab]}
          </button>
        ))}
      </div>
      {stored.loading && !stored.data ? <Spinner label="Opening this browser's key vault…" /> : null}
      {ready && current === 'unlock' && <Unlock entries={stored.data ?? []} onSignIn={signIn} />}
      {ready && current === 'create' && <Create onSignIn={signIn} />}
      {ready && current === 'import' && <Import onSignIn={signIn} />}
      {ready && current === 'recover' && (
        <Suspense fallback={<Spinner label="Loading…" />}>
          <RecoverWithGuardians onSignIn={signIn} inProgress={recovering.data} />
        </Suspense>
      )}
    </div>
  );
}

function WalletSignIn(props: { onSignIn: (identity: Actor) => Promise<void> }) {
  const action = useAction(async () => {
    // Loaded on demand: the wallet code is no weight for those who do not use one.
    const { connectWallet, injectedWallet } = await import('../identity/wallet.ts');
    const provider = injectedWallet();
    if (!provider) throw new Error('No wallet is connected to this browser.');
    await props.onSignIn(await connectWallet(provider));
  });
  return (
    <Card title="Sign in with a wallet">
      <p>
        Your wallet signs everything you do here; its signing key never leaves it. Your encryption key is
        derived from your wallet's signature of a fixed message, so the same wallet gives it back on any
        device. The first time, your wallet asks you to sign that message twice.
      </p>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <Button busy={action.busy} busyLabel="Waiting for your wallet…" onClick={() => void action.run()}>
        Sign in with a wallet
      </Button>
    </Card>
  );
}

function Unlock(props: { entries: StoredIdentity[]; onSignIn: (identity: Identity) => Promise<void> }) {
  const [address, setAddress] = useState<string>(props.entries[0]?.address ?? '');
  const [passphrase, setPassphrase] = useState('');
  const action = useAction(async () => {
    const entry = props.entries.find((e) => e.address === address) ?? props.entries[0];
    if (!entry) throw new Error('No identity is kept in this browser yet: create or import one.');
    await props.onSignIn(await unlockIdentity(entry, passphrase));
  });
  if (props.entries.length === 0)
    return <Card title="Unlock">No identity is kept in this browser yet: create or import one.</Card>;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <Card title="Unlock your identity">
      <form onSubmit={submit} className="form">
        <Field label="Identity">
          {(id) => (
            <select id={id} value={address} onChange={(e) => setAddress(e.target.value)}>
              {props.entries.map((entry) => (
                <option key={entry.address} value={entry.address}>
                  {entry.label} ({entry.address.slice(0, 8)}…)
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Passphrase">
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="current-password"
              value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)}
              required
            />
          )}
        </Field>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <Button type="submit" busy={action.busy} busyLabel="Unlocking and signing in…">
          Unlock and sign in
        </Button>
      </form>
    </Card>
  );
}

function Create(props: { onSignIn: (identity: Identity) => Promise<void> }) {
  const [phrase] = useState(newRecoveryPhrase);
  const [label, setLabel] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [written, setWritten] = useState(false);
  const action = useAction(async () => {
    if (passphrase !== confirm) throw new Error('The two passphrases differ.');
    if (!written) throw new Error('Confirm that you have written down your recovery phrase.');
    const identity = identityFromRecoveryPhrase(phrase);
    await storeIdentity(identity, passphrase, label);
    await props.onSignIn(identity);
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <Card title="Create a new identity">
      <p>Your keys are made here, in this browser, and never leave it unencrypted.</p>
      <h3>Your recovery phrase</h3>
      <ol className="phrase">
        {phrase.split(' ').map((word, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a phrase may repeat a word; its position is its identity.
          <li key={index} className="phrase-word">
            {word}
          </li>
        ))}
      </ol>
      <p className="hint">
        Write these 12 words down and keep them safe: they restore your identity on any device. Anyone who has
        them can act as you.
      </p>
      <form onSubmit={submit} className="form">
        <Field
          label="Name for this identity"
          hint="Only shown in this browser, e.g. “Me” or “Dr Rivera at St Mary”."
        >
          {(id) => <input id={id} value={label} onChange={(e) => setLabel(e.target.value)} required />}
        </Field>
        <Field label="Passphrase" hint="At least 8 characters; protects the keys kept in this browser.">
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              minLength={8}
              value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label="Passphrase again">
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              required
            />
          )}
        </Field>
        <label className="check">
          <input type="checkbox" checked={written} onChange={(e) => setWritten(e.target.checked)} /> I have
          written down my recovery phrase
        </label>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <Button type="submit" busy={action.busy} busyLabel="Creating your identity…">
          Create identity
        </Button>
      </form>
    </Card>
  );
}

function Import(props: { onSignIn: (identity: Identity) => Promise<void> }) {
  const [source, setSource] = useState<'file' | 'phrase'>('file');
  const [phrase, setPhrase] = useState('');
  const [fileText, setFileText] = useState<string>();
  const [label, setLabel] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [preview, setPreview] = useState<string>();
  const action = useAction(async () => {
    const identity = source === 'phrase' ? identityFromRecoveryPhrase(phrase) : parseKeyFile(fileText ?? '');
    await storeIdentity(identity, passphrase, label);
    await props.onSignIn(identity);
  });
  const readFile = async (file: File | undefined) => {
    if (!file) return;
    const text = await file.text();
    setFileText(text);
    try {
      setPreview(parseKeyFile(text).address);
      action.setError(undefined);
    } catch (error) {
      setPreview(undefined);
      action.setError(error instanceof Error ? error.message : 'Not a key file.');
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <Card title="Import an identity">
      <form onSubmit={submit} className="form">
        <fieldset className="radio-row">
          <legend>From</legend>
          <label className="check">
            <input
              type="radio"
              name="source"
              checked={source === 'file'}
              onChange={() => setSource('file')}
            />{' '}
            a key file (from <code>medledger key new</code>)
          </label>
          <label className="check">
            <input
              type="radio"
              name="source"
              checked={source === 'phrase'}
              onChange={() => setSource('phrase')}
            />{' '}
            a recovery phrase
          </label>
        </fieldset>
        {source === 'file' ? (
          <Field label="Key file">
            {(id) => (
              <input
                id={id}
                type="file"
                accept="application/json,.json"
                onChange={(e) => void readFile(e.target.files?.[0])}
              />
            )}
          </Field>
        ) : (
          <Field label="Recovery phrase" hint="12 or 24 words separated by spaces.">
            {(id) => (
              <textarea
                id={id}
                rows={3}
                value={phrase}
                onChange={(e) => setPhrase(e.target.value)}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
        )}
        {preview && source === 'file' && (
          <p>
            Identity <AddressText address={preview} />
          </p>
        )}
        <Field label="Name for this identity">
          {(id) => <input id={id} value={label} onChange={(e) => setLabel(e.target.value)} required />}
        </Field>
        <Field label="Passphrase" hint="At least 8 characters; protects the keys kept in this browser.">
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              minLength={8}
              value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)}
              required
            />
          )}
        </Field>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <Button type="submit" busy={action.busy} busyLabel="Importing…">
          Import and sign in
        </Button>
      </form>
    </Card>
  );
}
