/**
 * "Change my keys" (the CLI's `key rotate`): a patient moves to new keys made in this browser and
 * keeps its address, records and consents. The new keys are kept in this browser's vault (under
 * the passphrase typed here) before the ledger is asked, so that they are never lost once in force;
 * if the ledger refuses, the vault gets the current keys back. Then every record is checked
 * readable with the new keys (re-encrypting those no custodian can re-seal), and the app signs in
 * again with them.
 */
import {
  createGatewayClient,
  keepRecordsReadable,
  keyBackupOf,
  newPatientKeys,
  type RecordsAfterRotation,
  rotateKey,
} from '@medledger/client';
import { type Identity, isWalletIdentity, MedledgerError, signerAddressOf } from '@medledger/core';
import { type FormEvent, useState } from 'react';
import { Button, Card, Field, Notice, useAction } from '../components/ui.tsx';
import { listStoredIdentities, storeIdentity } from '../identity/vault.ts';
import { useSession, useSessionState } from '../session.tsx';

/** Errors after which the ledger certainly did not rotate the key (anything else: it may have). */
const refusals = new Set(['invalid_input', 'access_denied', 'not_found', 'conflict', 'unauthenticated']);

interface Rotated {
  next: Identity;
  blockNumber: number;
  records: RecordsAfterRotation;
  backupHoldsOldKey: boolean;
}

/** How many records the new keys read, in words. */
function readableText(records: RecordsAfterRotation): string {
  const readable = records.readable.length + records.reencrypted.length;
  const reencrypted = records.reencrypted.length
    ? ` (${records.reencrypted.length} re-encrypted under them)`
    : '';
  if (readable === 0) return 'No record of yours was read with the new keys.';
  return readable === 1
    ? `Your record is readable with the new keys${reencrypted}.`
    : `${readable} of your records are readable with the new keys${reencrypted}.`;
}

export function KeyRotationCard() {
  const { client, identity } = useSession();
  const { signIn } = useSessionState();
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [rotated, setRotated] = useState<Rotated>();
  const rotate = useAction(async () => {
    if (isWalletIdentity(identity)) throw new Error('Your wallet holds your signing key: change it there.');
    if (passphrase.length < 8) throw new Error('Choose a passphrase of at least 8 characters.');
    if (passphrase !== again) throw new Error('The two passphrases differ.');
    const previous = identity as Identity;
    const stored = (await listStoredIdentities()).find(
      (entry) => entry.address.toLowerCase() === previous.address.toLowerCase(),
    );
    const label = stored?.label ?? 'My identity';
    const next = newPatientKeys(client);
    // Kept before the rotation: once the ledger has the new keys, losing them would lose the account.
    await storeIdentity(next, passphrase, label);
    let blockNumber: number;
    try {
      ({ blockNumber } = await rotateKey(client, next));
    } catch (error) {
      if (error instanceof MedledgerError && refusals.has(error.code)) {
        await storeIdentity(previous, passphrase, label);
        throw error;
      }
      throw new Error(
        'The ledger did not answer whether your keys changed. This browser keeps the new keys under the passphrase you just typed: sign out, unlock with it, and check your records.',
      );
    }
    const renewed = createGatewayClient({ url: client.url, identity: next });
    const records = await keepRecordsReadable(previous, renewed);
    const backup = await keyBackupOf(renewed, renewed.address).then(
      () => true,
      (error: unknown) => {
        if (error instanceof MedledgerError && error.code === 'not_found') return false;
        throw error;
      },
    );
    setRotated({ next, blockNumber, records, backupHoldsOldKey: backup });
    setPassphrase('');
    setAgain('');
  });
  if (isWalletIdentity(identity)) return null;
  return (
    <Card title="Change my keys">
      <p className="muted">
        If you fear someone saw your keys or your recovery phrase, move to new keys. Your address, records and
        sharing stay yours; the old keys can sign nothing more. The new keys are made here, in this browser,
        and kept in it under the passphrase you choose now (it replaces this identity’s passphrase).
      </p>
      {rotated ? (
        <div className="stack">
          <Notice kind="success">
            Your keys changed (block {rotated.blockNumber}): you now sign with{' '}
            <span className="mono">{signerAddressOf(rotated.next)}</span>. {readableText(rotated.records)}
          </Notice>
          {rotated.records.unreadable.length > 0 && (
            <Notice kind="error">
              {rotated.records.unreadable.length} record(s) could not be read with the new keys:{' '}
              {rotated.records.unreadable.map((r) => r.reason).join('; ')}
            </Notice>
          )}
          {rotated.backupHoldsOldKey && (
            <Notice kind="info">
              Your key backup holds the old keys: back up the new ones to your guardians again.
            </Notice>
          )}
          <Button onClick={() => void signIn(rotated.next)}>Continue with my new keys</Button>
        </div>
      ) : (
        <form
          className="form"
          aria-label="Change my keys"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void rotate.run();
          }}
        >
          <Field label="Passphrase for the new keys" hint="At least 8 characters.">
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
          <Field label="Passphrase for the new keys, again">
            {(id) => (
              <input
                id={id}
                type="password"
                autoComplete="new-password"
                value={again}
                onChange={(e) => setAgain(e.target.value)}
                required
              />
            )}
          </Field>
          {rotate.error && <Notice kind="error">{rotate.error}</Notice>}
          <Button type="submit" busy={rotate.busy} busyLabel="Changing keys and checking your records…">
            Change my keys
          </Button>
        </form>
      )}
    </Card>
  );
}
