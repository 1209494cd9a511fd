/**
 * The record actions of a clinician's chart: copy a record for another organisation (e.g. into a
 * referral), duplicate it in the same chart, move it to the patient it belongs to. Each opens a panel
 * that says in plain words what will happen and who is told, and acts only once confirmed; the chain
 * decides who may (a copy needs the patient's consent to share, a move the record's author or an
 * admin of its organisation), and a refusal is explained here.
 */
import { deriveRecord, type RecordDerived } from '@medledger/client';
import type { DerivationKind } from '@medledger/core';
import { useId, useState } from 'react';
import { AddressText, Button, Field, Notice, useAction } from '../components/ui.tsx';
import { useSession } from '../session.tsx';
import { type ChartEntry, categoryLabels } from './Chart.tsx';

const actionLabels: Record<DerivationKind, string> = {
  copy: 'Copy to organisation',
  duplicate: 'Duplicate',
  move: 'Move to another patient',
};

/** The buttons of one record's actions, and the panel of the one chosen. */
export function RecordActionButtons(props: { entry: ChartEntry; onDone: () => void }) {
  const [open, setOpen] = useState<DerivationKind>();
  if (!props.entry.resource) return null;
  return (
    <span className="record-action-buttons">
      {(Object.keys(actionLabels) as DerivationKind[]).map((kind) => (
        <Button key={kind} kind="ghost" onClick={() => setOpen(open === kind ? undefined : kind)}>
          {actionLabels[kind]}
        </Button>
      ))}
      {open && (
        <RecordActionDialog
          kind={open}
          entry={props.entry}
          onClose={() => setOpen(undefined)}
          onDone={() => {
            setOpen(undefined);
            props.onDone();
          }}
        />
      )}
    </span>
  );
}

function RecordActionDialog(props: {
  kind: DerivationKind;
  entry: ChartEntry;
  onClose: () => void;
  onDone: () => void;
}) {
  const { client, organisations } = useSession();
  const titleId = useId();
  const { meta } = props.entry;
  const what = `this ${categoryLabels[meta.category].toLowerCase()} record`;
  const targets = organisations.filter((organisation) => organisation.status === 'active');
  const [organisation, setOrganisation] = useState<number | undefined>(targets[0]?.organisationId);
  const [referral, setReferral] = useState(true);
  const [toPatient, setToPatient] = useState('');
  const [done, setDone] = useState<RecordDerived>();
  const action = useAction(async () => {
    const derived = await deriveRecord(client, {
      kind: props.kind,
      recordId: meta.recordId as `0x${string}`,
      ...(props.kind === 'copy'
        ? { toOrganisation: organisation, ...(referral ? { reason: 'referral' } : {}) }
        : {}),
      ...(props.kind === 'move' ? { toPatient: toPatient.trim() as `0x${string}` } : {}),
    });
    setDone(derived);
    return derived;
  });
  const organisationName =
    targets.find((candidate) => candidate.organisationId === organisation)?.name ??
    `organisation #${organisation}`;
  const validPatient = /^0x[0-9a-fA-F]{40}$/.test(toPatient.trim());
  const explanation =
    props.kind === 'copy'
      ? `A copy of ${what} will be added to the patient’s chart, and the members of ${organisationName} will be able to read that copy, and nothing else of the patient’s. You need the patient’s consent to share it. The patient is told.`
      : props.kind === 'duplicate'
        ? `A duplicate of ${what} will be added to the same patient’s chart, naming this one as its source. The patient is told.`
        : `${what[0]?.toUpperCase()}${what.slice(1)} will be moved to the chart of the patient you name, and erased from this chart: nobody can read it here any more. Only its author or an admin of the author’s organisation may do this. Both patients are told.`;
  return (
    <section className="card record-action-dialog" role="dialog" aria-labelledby={titleId}>
      <h3 id={titleId}>{actionLabels[props.kind]}</h3>
      {done ? (
        <>
          <Notice kind="success">
            Done: the new record is anchored in block {done.blockNumber}
            {props.kind === 'move' && (
              <>
                {' '}
                in the chart of <AddressText address={done.patient} />
              </>
            )}
            .
          </Notice>
          <Button kind="secondary" onClick={props.onDone}>
            Close
          </Button>
        </>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void action.run();
          }}
        >
          {props.kind === 'copy' && (
            <>
              <Field label="Organisation">
                {(id) => (
                  <select
                    id={id}
                    value={organisation ?? ''}
                    onChange={(event) => setOrganisation(Number(event.target.value))}
                    required
                  >
                    {targets.map((candidate) => (
                      <option key={candidate.organisationId} value={candidate.organisationId}>
                        {candidate.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={referral}
                  onChange={(event) => setReferral(event.target.checked)}
                />{' '}
                Part of a referral
              </label>
            </>
          )}
          {props.kind === 'move' && (
            <Field label="The patient the record belongs to" hint="Their address (0x…)">
              {(id) => (
                <input
                  id={id}
                  value={toPatient}
                  onChange={(event) => setToPatient(event.target.value)}
                  required
                />
              )}
            </Field>
          )}
          <p>{explanation}</p>
          {action.error && <Notice kind="error">{action.error}</Notice>}
          <span className="form-actions">
            <Button
              type="submit"
              kind={props.kind === 'move' ? 'danger' : 'primary'}
              busy={action.busy}
              busyLabel="Encrypting and anchoring…"
              disabled={(props.kind === 'copy' && !organisation) || (props.kind === 'move' && !validPatient)}
            >
              {props.kind === 'move'
                ? 'Move and erase from this chart'
                : `Confirm: ${actionLabels[props.kind].toLowerCase()}`}
            </Button>
            <Button kind="ghost" onClick={props.onClose}>
              Cancel
            </Button>
          </span>
        </form>
      )}
    </section>
  );
}
