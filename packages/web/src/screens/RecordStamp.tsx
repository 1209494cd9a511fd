/**
 * A record's multi-signature stamp as the ledger tells it: final or draft under its category's
 * co-signature policy, who signed it (its author, then its co-signers), and a "Co-sign" action for
 * those who may add their signature (the patient, clinicians, the laboratory, the pharmacy). The
 * co-signature is an EIP-712 signature made in this browser; the gateway only relays it.
 */
import type { RecordMetadata, Stamp, StampSigner } from '@medledger/client';
import { useEffect, useState } from 'react';
import { AddressText, Badge, Button, Notice, useAction } from '../components/ui.tsx';
import { type Persona, type Session, useSession } from '../session.tsx';

const roleLabels: Record<string, string> = {
  patient: 'patient',
  doctor: 'doctor',
  nurse: 'nurse',
  lab: 'laboratory',
  pharmacist: 'pharmacist',
  insurer: 'insurer',
  admin: 'administrator',
};

/** Personas that take part in care and may vouch for a record they can read. */
const coSigningPersonas = new Set<Persona>(['doctor', 'nurse', 'lab', 'pharmacist']);

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Whether the signed-in identity may add its co-signature to a record it can read. */
export function mayCoSign(session: Session, meta: RecordMetadata, stamp: Stamp | undefined): boolean {
  const me = session.identity.address;
  const isPatient = sameAddress(meta.patient, me);
  if (!isPatient && !coSigningPersonas.has(session.persona)) return false;
  if (sameAddress(meta.author, me)) return false;
  return !(stamp?.signers ?? []).some((signer) => sameAddress(signer.address, me));
}

/** The stamp a list delivered with the record, replaced by the chain's latest after a co-signature here. */
export function useStamp(meta: RecordMetadata) {
  const [stamp, setStamp] = useState<Stamp | undefined>(meta.stamp);
  useEffect(() => setStamp(meta.stamp), [meta.stamp]);
  return [stamp, setStamp] as const;
}

/** Status and signers on one line, for cards that show a record outside the chart (orders, prescriptions). */
export function RecordStampLine(props: { meta: RecordMetadata; readable: boolean }) {
  const [stamp, setStamp] = useStamp(props.meta);
  return (
    <div className="stamp-line">
      <StampBadge stamp={stamp} />
      <RecordSignatures meta={props.meta} stamp={stamp} readable={props.readable} onStamp={setStamp} />
    </div>
  );
}

export function StampBadge(props: { stamp: Stamp | undefined }) {
  const { stamp } = props;
  if (!stamp) return <Badge tone="neutral">status unknown</Badge>;
  return stamp.status === 'final' ? (
    <Badge tone="good">final</Badge>
  ) : (
    <Badge tone="warn">draft · awaiting co-signature</Badge>
  );
}

function SignerText(props: { signer: StampSigner; me: string }) {
  const { signer } = props;
  return (
    <span className="signer" data-signer={signer.address.toLowerCase()}>
      <AddressText address={signer.address} />
      {sameAddress(signer.address, props.me) ? ' (you)' : ''} · {roleLabels[signer.role] ?? signer.role}
    </span>
  );
}

/** The record's signers and, for those eligible, the co-sign action; keeps the stamp current after signing. */
export function RecordSignatures(props: {
  meta: RecordMetadata;
  readable: boolean;
  onStamp: (stamp: Stamp) => void;
  stamp: Stamp | undefined;
}) {
  const session = useSession();
  const { meta, stamp } = props;
  const [done, setDone] = useState<string>();
  const coSign = useAction(async () => {
    const result = await session.client.coSignRecord(meta.recordId);
    const { recordId: _, ...latest } = await session.client.stamp(meta.recordId);
    props.onStamp(latest);
    const wasFinal = stamp?.status === 'final';
    setDone(
      `Co-signed in block ${result.blockNumber}: ${
        !result.finalised
          ? 'the record still awaits other co-signatures.'
          : wasFinal
            ? 'your signature is added to the final record.'
            : 'the record is now final.'
      }`,
    );
  });
  const author = stamp?.signers.find((signer) => signer.as === 'author');
  const coSigners = stamp?.signers.filter((signer) => signer.as === 'co-signer') ?? [];
  const me = session.identity.address;
  return (
    <div className="signatures">
      <span>
        Signed by {author ? <SignerText signer={author} me={me} /> : <AddressText address={meta.author} />}
      </span>
      {coSigners.length > 0 && (
        <span>
          Co-signed by{' '}
          {coSigners.map((signer, index) => (
            <span key={signer.address}>
              {index > 0 && ', '}
              <SignerText signer={signer} me={me} />
            </span>
          ))}
        </span>
      )}
      {props.readable && mayCoSign(session, meta, stamp) && (
        <Button
          kind="secondary"
          onClick={() => void coSign.run()}
          busy={coSign.busy}
          busyLabel="Signing and anchoring…"
          label="Co-sign this record"
        >
          Co-sign
        </Button>
      )}
      {coSign.error && <Notice kind="error">{coSign.error}</Notice>}
      {done && <Notice kind="success">{done}</Notice>}
    </div>
  );
}
