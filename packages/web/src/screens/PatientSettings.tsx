/**
 * The patient's settings: their profile (demographics, an encrypted record), a desk code to show
 * at a reception desk, the identifiers organisations keep of them, and the second factor for approvals (TOTP, RFC 6238). Turning it on shows the
 * authenticator's `otpauth://` URI once, as a QR code and as text, and is confirmed with a first
 * code; from then on approving a request needs the current code, which the gateway checks before it
 * relays the signed grant. Turning it off needs a valid code too.
 */
import { type FormEvent, useState } from 'react';
import { CodeField } from '../components/CodeField.tsx';
import { QrCode } from '../components/QrCode.tsx';
import { Badge, Button, Card, Notice, Spinner, useAction, useLoad } from '../components/ui.tsx';
import { plainError, withPlainCodeErrors } from '../errors.ts';
import { useSession } from '../session.tsx';
import { PatientDelegates } from './DelegateScreens.tsx';
import { DeskCodeCard, MyIdentifiers, PatientProfileForm } from './PatientDirectory.tsx';

export function PatientSettings() {
  const { client } = useSession();
  const status = useLoad(() => client.otpStatus(), [client]);
  const [uri, setUri] = useState<string>();
  const [code, setCode] = useState('');
  const [done, setDone] = useState<string>();
  const start = useAction(async () => {
    setDone(undefined);
    setCode('');
    setUri((await client.startOtpEnrolment()).uri);
  });
  const confirm = useAction(async () => {
    await withPlainCodeErrors(() => client.confirmOtp(code));
    setUri(undefined);
    setCode('');
    setDone('The one-time code is on: approving a request now needs the code your app shows.');
    status.reload();
  });
  const disable = useAction(async () => {
    await withPlainCodeErrors(() => client.disableOtp(code));
    setCode('');
    setDone('The one-time code is off: approvals need only your signature again.');
    status.reload();
  });
  const submit = (action: () => Promise<unknown>) => (event: FormEvent) => {
    event.preventDefault();
    void action();
  };
  const enabled = status.data?.enabled ?? false;
  return (
    <div className="stack">
      <h1>Settings</h1>
      <PatientProfileForm />
      <DeskCodeCard />
      <MyIdentifiers />
      <PatientDelegates />
      <Card
        title="One-time code for approvals"
        actions={
          status.data && (
            <Badge tone={enabled ? 'good' : 'neutral'}>{enabled ? 'on' : uri ? 'setting up' : 'off'}</Badge>
          )
        }
      >
        <p className="muted">
          A second factor: with it on, approving an access request also needs the six-digit code your
          authenticator app shows (it changes every 30 seconds). Someone who takes your unlocked identity
          still cannot give your records away without your phone.
        </p>
        {status.loading && !status.data && <Spinner label="Checking your second factor…" />}
        {status.error ? <Notice kind="error">{plainError(status.error)}</Notice> : null}
        {done && <Notice kind="success">{done}</Notice>}
        {status.data && !enabled && !uri && (
          <>
            {status.data.pending && (
              <p className="hint">
                A setup was started but never confirmed. Start again to get a new QR code.
              </p>
            )}
            <Button onClick={() => void start.run()} busy={start.busy} busyLabel="Preparing…">
              Turn on the one-time code
            </Button>
            {start.error && <Notice kind="error">{start.error}</Notice>}
          </>
        )}
        {status.data && !enabled && uri && (
          <form className="form otp-enrolment" onSubmit={submit(confirm.run)}>
            <ol className="steps">
              <li>
                Scan this QR code with an authenticator app (for example FreeOTP, Aegis or Google
                Authenticator). It is shown only now.
                <QrCode text={uri} label="QR code of your authenticator setup" />
              </li>
              <li>
                Or enter this setup link in the app:
                <code className="otpauth-uri" data-testid="otpauth-uri">
                  {uri}
                </code>
              </li>
              <li>Type the code the app shows to confirm.</li>
            </ol>
            <CodeField label="First code from your app" value={code} onChange={setCode} />
            <Button type="submit" busy={confirm.busy} busyLabel="Confirming…">
              Confirm and turn on
            </Button>
            {confirm.error && <Notice kind="error">{confirm.error}</Notice>}
          </form>
        )}
        {enabled && (
          <form className="form form-inline" onSubmit={submit(disable.run)}>
            <CodeField
              label="Current code"
              value={code}
              onChange={setCode}
              hint="Turning the one-time code off needs a valid code."
            />
            <Button type="submit" kind="danger" busy={disable.busy} busyLabel="Turning off…">
              Turn off
            </Button>
            {disable.error && <Notice kind="error">{disable.error}</Notice>}
          </form>
        )}
      </Card>
    </div>
  );
}
