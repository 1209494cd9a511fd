/**
 * The patient's controls over its own records: delete (hide, restorable), erase (for good, after a
 * plain-words confirmation of what cannot be undone), restore a deleted record, and the history of
 * deleted and erased records ("Erased on … by …").
 */
import type { RecordList, RecordMetadata } from '@medledger/client';
import type { ErasureReason } from '@medledger/core';
import { useState } from 'react';
import { AddressText, Button, Card, formatTime, Notice, useAction, useLoad } from '../components/ui.tsx';
import { useSession } from '../session.tsx';
import { categoryLabels } from './Chart.tsx';

const reasonText: Record<ErasureReason, string> = {
  'patient-request': 'at your request',
  'entered-in-error': 'entered in error',
  moved: 'moved to another patient’s record',
  'retention-ended': 'its retention ended after it was deleted',
};

/** Delete and Erase buttons of one of the patient's records; `onDone` reloads the chart. */
export function RecordLifecycleActions(props: { meta: RecordMetadata; onDone: () => void }) {
  const { client } = useSession();
  const [confirming, setConfirming] = useState(false);
  const hide = useAction(async () => {
    await client.hideRecord(props.meta.recordId as `0x${string}`);
    props.onDone();
  });
  const erase = useAction(async () => {
    await client.eraseRecord(props.meta.recordId as `0x${string}`);
    props.onDone();
  });
  if (confirming) {
    return (
      <span className="stack" role="alertdialog" aria-label="Erase this record for good?">
        <Notice kind="info">
          Erase this record for good? Every organisation’s gateway will destroy its encrypted copy and will
          never give anyone its key again, you included. This cannot be undone. It cannot reach a copy someone
          already opened, backups a gateway made before, or the record’s entry on the ledger, which stays so
          that the history can still be checked.
        </Notice>
        <span>
          <Button kind="danger" busy={erase.busy} busyLabel="Erasing…" onClick={() => erase.run()}>
            Erase for good
          </Button>{' '}
          <Button kind="ghost" onClick={() => setConfirming(false)}>
            Keep it
          </Button>
        </span>
        {erase.error && <Notice kind="error">{erase.error}</Notice>}
      </span>
    );
  }
  return (
    <>
      <Button kind="secondary" busy={hide.busy} busyLabel="Deleting…" onClick={() => hide.run()}>
        Delete
      </Button>{' '}
      <Button kind="danger" onClick={() => setConfirming(true)}>
        Erase…
      </Button>
      {hide.error && <Notice kind="error">{hide.error}</Notice>}
    </>
  );
}

/** The patient's deleted records (with Restore) and erased ones, newest first. */
export function DeletedRecords(props: { version: number; onRestored: () => void }) {
  const { client, identity } = useSession();
  const list = useLoad(
    () => client.listRecords(identity.address as `0x${string}`, { includeHidden: true }),
    [client, identity.address, props.version],
  );
  const records = (list.data?.records ?? []).filter((record) => record.hidden || record.erased);
  if (!records.length) return null;
  return (
    <Card title="Deleted and erased records">
      <ul className="plain-list">
        {records.map((record) => (
          <li key={record.recordId} data-record-id={record.recordId}>
            {categoryLabels[record.category]} record of {formatTime(record.createdAt)}:{' '}
            {record.erased ? (
              <span>
                Erased on {formatTime(record.erased.erasedAt)} by <AddressText address={record.erased.by} /> (
                {reasonText[record.erased.reason]})
              </span>
            ) : (
              <DeletedRecord record={record} onRestored={props.onRestored} />
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function DeletedRecord(props: { record: RecordList['records'][number]; onRestored: () => void }) {
  const { client } = useSession();
  const restore = useAction(async () => {
    await client.unhideRecord(props.record.recordId as `0x${string}`);
    props.onRestored();
  });
  const retainUntil = props.record.hidden?.retainUntil ?? 0;
  return (
    <span>
      deleted{retainUntil ? `, erased for good after ${formatTime(retainUntil)}` : ''}{' '}
      <Button kind="secondary" busy={restore.busy} busyLabel="Restoring…" onClick={() => restore.run()}>
        Restore
      </Button>
      {restore.error && <Notice kind="error">{restore.error}</Notice>}
    </span>
  );
}
