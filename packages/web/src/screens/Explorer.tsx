/**
 * The ledger explorer, for everyone: recent blocks and record anchors read from the chain (through
 * the gateway's read-only JSON-RPC endpoint, which forwards reads and nothing else), a record's
 * proof, and verification recomputed in this browser.
 */
import { type LedgerInfo, type VerificationReport, verifyLedger } from '@medledger/client';
import { categories } from '@medledger/core';
import { createChainReader } from '@medledger/ledger';
import { type FormEvent, useState } from 'react';
import type { Hex } from 'viem';
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
import { useSession } from '../session.tsx';
import { categoryLabels } from './Chart.tsx';

async function loadLedger(ledger: () => Promise<LedgerInfo>) {
  const info = await ledger();
  const chain = createChainReader({ rpcUrl: info.rpcUrl, contracts: info.contracts });
  const latest = await chain.blockNumber();
  const numbers = Array.from(
    { length: Number(latest < 8n ? latest + 1n : 8n) },
    (_, i) => latest - BigInt(i),
  );
  const blocks = await Promise.all(numbers.map((blockNumber) => chain.block(blockNumber)));
  const from = latest > 500n ? latest - 500n : 0n;
  const anchors = await chain.events('records', 'RecordAnchored', { fromBlock: from, toBlock: latest });
  return { info, blocks, anchors: anchors.slice(-15).reverse() };
}

export function Explorer() {
  const { client } = useSession();
  const ledger = useLoad(() => loadLedger(client.ledger), [client]);
  const [recordId, setRecordId] = useState('');
  const [report, setReport] = useState<VerificationReport>();
  const verify = useAction(async (only?: Hex) => {
    setReport(undefined);
    setReport(await verifyLedger({ gatewayUrl: client.url, ...(only ? { recordId: only } : {}) }));
  });
  const anchor = ledger.data?.anchors.find(
    (a) => a.args.recordId.toLowerCase() === recordId.trim().toLowerCase(),
  );
  return (
    <div className="stack">
      <h1>Ledger explorer</h1>
      {ledger.loading && !ledger.data && <Spinner label="Reading the chain…" />}
      {ledger.error ? <Notice kind="error">{plainError(ledger.error)}</Notice> : null}
      <Card
        title="Verify the ledger"
        actions={
          <Button
            kind="secondary"
            onClick={() => void verify.run()}
            busy={verify.busy}
            busyLabel="Recomputing…"
          >
            Check the whole chain
          </Button>
        }
      >
        <p className="muted">
          Recomputes in this browser, from the chain: each record’s author signature (from the anchoring
          transaction), its leaf hash, the hash of the ciphertext the gateway stores, and the hash links
          between the blocks.
        </p>
        <form
          className="form form-inline"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void verify.run(recordId.trim() as Hex);
          }}
        >
          <Field label="Record id">
            {(id) => (
              <input
                id={id}
                value={recordId}
                onChange={(e) => setRecordId(e.target.value)}
                placeholder="0x…"
                spellCheck={false}
              />
            )}
          </Field>
          <Button type="submit" busy={verify.busy} busyLabel="Verifying…">
            Verify record
          </Button>
        </form>
        {anchor && (
          <dl className="facts">
            <dt>Anchored in block</dt>
            <dd>{String(anchor.blockNumber)}</dd>
            <dt>Transaction</dt>
            <dd className="mono break">{anchor.transactionHash}</dd>
            <dt>Content digest</dt>
            <dd className="mono break">{anchor.args.contentDigest}</dd>
          </dl>
        )}
        {verify.error && <Notice kind="error">{verify.error}</Notice>}
        {report && (
          <Notice kind={report.ok ? 'success' : 'error'}>
            {report.ok
              ? `Verified: ${report.checkedRecords} record(s) and ${report.checkedBlocks} block(s) match the chain.`
              : `Verification failed: ${report.problems.map((p) => p.problem).join(' ')}`}
          </Notice>
        )}
      </Card>
      {ledger.data && (
        <div className="grid-2">
          <Card title="Recent blocks">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Block</th>
                  <th scope="col">Time</th>
                  <th scope="col">Transactions</th>
                </tr>
              </thead>
              <tbody>
                {ledger.data.blocks.map((block) => (
                  <tr key={String(block.number)}>
                    <td>
                      {String(block.number)}{' '}
                      <span className="mono muted" title={block.hash ?? ''}>
                        {block.hash?.slice(0, 10)}…
                      </span>
                    </td>
                    <td>{formatTime(Number(block.timestamp))}</td>
                    <td>{block.transactions.length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card title="Recent record anchors">
            {ledger.data.anchors.length === 0 && <p className="empty">No records anchored yet.</p>}
            <ul className="plain-list">
              {ledger.data.anchors.map((a) => (
                <li key={`${a.transactionHash}-${a.logIndex}`}>
                  <button
                    type="button"
                    className="link-button mono"
                    onClick={() => setRecordId(a.args.recordId)}
                  >
                    {a.args.recordId?.slice(0, 12)}…
                  </button>{' '}
                  <Badge>{categoryLabels[categories[Number(a.args.category)] ?? 'note']}</Badge> by{' '}
                  <AddressText address={a.args.author ?? ''} /> · block {String(a.blockNumber)}
                </li>
              ))}
            </ul>
          </Card>
        </div>
      )}
    </div>
  );
}
