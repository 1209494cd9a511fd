/**
 * The second step of a member's sign-in: the one-time code of its authenticator app, asked for when
 * the gateway answers that this member signs in only with one (its organisation's policy, or its
 * own enrolment), or the first code of an enrolment its admin started.
 */
import { MedledgerError } from '@medledger/core';
import { type FormEvent, useState } from 'react';
import { CodeField } from '../components/CodeField.tsx';
import { Button, Card, Notice, useAction } from '../components/ui.tsx';
import { plainError } from '../errors.ts';
import { useSessionState } from '../session.tsx';

/** A refused sign-in code in plain words: wrong (with the tries left), or locked until a time. */
export function plainSignInCodeError(error: unknown): string {
  if (!(error instanceof MedledgerError)) return plainError(error);
  switch (error.reason) {
    case 'otp_invalid': {
      const left = error.fields?.attemptsLeft;
      const warning =
        typeof left === 'number'
          ? ` ${left} more wrong ${left === 1 ? 'code' : 'codes'} within 15 minutes will lock signing in for 15 minutes.`
          : '';
      return `Not signed in: the one-time code is wrong, expired or already used. Enter the code your authenticator app shows now.${warning}`;
    }
    case 'otp_locked': {
      const lockedUntil = error.fields?.lockedUntil;
      const when =
        typeof lockedUntil === 'number'
          ? new Date(lockedUntil * 1000).toLocaleString(undefined, {
              dateStyle: 'medium',
              timeStyle: 'short',
            })
          : 'a quarter of an hour from now';
      return `Not signed in: too many wrong one-time codes. Signing in is locked until ${when}; even the right code is refused until then.`;
    }
    default:
      return plainError(error);
  }
}

export function SignInCode() {
  const { codeRequest, signInWithCode, cancelCodeRequest } = useSessionState();
  const [code, setCode] = useState('');
  const action = useAction(async () => {
    try {
      await signInWithCode(code.trim());
    } catch (error) {
      setCode('');
      throw new Error(plainSignInCodeError(error));
    }
  });
  if (!codeRequest) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <Card title="One-time code">
      <p>
        {codeRequest.enrolment === 'pending'
          ? 'An admin of your organisation enrolled an authenticator app for you. Enter its first code: it turns the code on and signs you in.'
          : 'Your organisation asks for the code of your authenticator app to sign in.'}
      </p>
      <form onSubmit={submit} className="form">
        <CodeField label="One-time code" value={code} onChange={setCode} />
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <Button type="submit" busy={action.busy} busyLabel="Signing in…">
          Sign in
        </Button>
        <Button kind="secondary" onClick={cancelCodeRequest}>
          Cancel
        </Button>
      </form>
    </Card>
  );
}
