/**
 * The consortium's votes, for organisation admins (the CLI's `org approve`, `custody propose|approve`,
 * `emergency window propose|approve`, the author erasure window vote and `policy propose|approve`): what is open now, each
 * with its votes so far ("1 of 2 needed"), a button to vote for it, and forms to propose. Anything
 * passes once two thirds of the active organisations voted for it, the proposer's included.
 */
import { type ConsortiumVotes, consortiumVotes } from '@medledger/client';
import { type Category, categories, coSignatureRuleText, type Role, roles, votesText } from '@medledger/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { Badge, Button, Card, Field, Notice, Spinner, useAction, useLoad } from '../components/ui.tsx';
import { plainError } from '../errors.ts';
import { useSession } from '../session.tsx';

/** Seconds as the largest whole unit people use for it (days, hours or minutes). */
function durationText(seconds: number): string {
  if (seconds === 0) return 'never';
  for (const [unit, size] of [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size} ${unit}${seconds === size ? '' : 's'}`;
  }
  return `${seconds} seconds`;
}

function submitting(action: () => Promise<unknown>) {
  return (event: FormEvent) => {
    event.preventDefault();
    void action();
  };
}

/** What a vote or proposal came to, in words. */
function outcomeText(what: string, enacted: boolean, vote?: { approvals: number; needed: number }): string {
  if (enacted) return `${what} passed: it is in force now.`;
  return vote ? `Your vote is counted. ${what}: ${votesText(vote)}.` : `Your vote is counted. ${what}.`;
}

export function AdminVotes() {
  const { client, organisations } = useSession();
  const votes = useLoad(() => consortiumVotes(client), [client]);
  const [outcome, setOutcome] = useState<string>();
  const nameOf = (organisationId: number) =>
    organisations.find((o) => o.organisationId === organisationId)?.name ?? `organisation ${organisationId}`;

  /** Runs a vote, then tells what it came to with the fresh counts. */
  const vote = useAction(
    async (
      what: string,
      cast: () => Promise<{ enacted: boolean; proposalId?: number }>,
      pick: (fresh: ConsortiumVotes) => { approvals: number; needed: number } | undefined,
    ) => {
      setOutcome(undefined);
      const result = await cast();
      const fresh = await consortiumVotes(client);
      setOutcome(outcomeText(what, result.enacted, result.enacted ? undefined : pick(fresh)));
      votes.reload();
    },
  );

  const data = votes.data;
  return (
    <div className="stack">
      <h1>Consortium votes</h1>
      <p className="muted">
        Organisations joining, key custody, the emergency and erasure windows and co-signature policies are
        decided together: each passes once two thirds of the active organisations voted for it (the proposer’s
        included).
        {data && ` ${data.activeOrganisations} organisations are active.`}
      </p>
      {votes.loading && !data && <Spinner label="Loading the open votes…" />}
      {votes.error ? <Notice kind="error">{plainError(votes.error)}</Notice> : null}
      {vote.error && <Notice kind="error">{vote.error}</Notice>}
      {outcome && <Notice kind="success">{outcome}</Notice>}
      {data && (
        <>
          <Card title="Organisations asking to join">
            <VoteList
              label="Organisations asking to join"
              empty="No organisation is waiting to join."
              items={data.organisations.map((o) => ({
                key: `organisation-${o.organisationId}`,
                what: `${o.name} (${o.kind})`,
                vote: o,
                button: `Vote for it: ${o.name} joining`,
                cast: () =>
                  vote.run(
                    `${o.name} joining`,
                    async () => {
                      const result = await client.approveOrganisation(o.organisationId);
                      return { enacted: result.status === 'active' };
                    },
                    (fresh) => fresh.organisations.find((p) => p.organisationId === o.organisationId),
                  ),
              }))}
              busy={vote.busy}
            />
          </Card>
          <CustodyCard
            data={data}
            nameOf={nameOf}
            busy={vote.busy}
            onVote={(what, cast, pick) => void vote.run(what, cast, pick)}
          />
          <WindowCard
            title="Emergency window"
            explanation="How long an emergency a privileged member declares stays open."
            unit="hours"
            unitSeconds={3_600}
            minimum={1}
            current={() => client.emergencyWindow().then((w) => w.windowSeconds)}
            proposals={data.emergencyWindow}
            nameOf={nameOf}
            busy={vote.busy}
            propose={(seconds) =>
              vote.run(
                `The emergency window of ${durationText(seconds)}`,
                () => client.proposeEmergencyWindow(seconds),
                (fresh) => fresh.emergencyWindow.at(-1),
              )
            }
            approve={(proposalId, seconds) =>
              vote.run(
                `The emergency window of ${durationText(seconds)}`,
                () => client.approveEmergencyWindow(proposalId),
                (fresh) => fresh.emergencyWindow.find((p) => p.proposalId === proposalId),
              )
            }
          />
          <WindowCard
            title="Author erasure window"
            explanation="How long after a record is anchored its author’s organisation may erase it as entered in error (0: never)."
            unit="days"
            unitSeconds={86_400}
            minimum={0}
            current={() =>
              client
                .call<{ windowSeconds: number }>('GET', '/api/records/erasure-window', undefined, false)
                .then((w) => w.windowSeconds)
            }
            proposals={data.authorErasureWindow}
            nameOf={nameOf}
            busy={vote.busy}
            propose={(seconds) =>
              vote.run(
                `The author erasure window of ${durationText(seconds)}`,
                () => client.proposeAuthorErasureWindow(seconds),
                (fresh) => fresh.authorErasureWindow.at(-1),
              )
            }
            approve={(proposalId, seconds) =>
              vote.run(
                `The author erasure window of ${durationText(seconds)}`,
                () => client.approveAuthorErasureWindow(proposalId),
                (fresh) => fresh.authorErasureWindow.find((p) => p.proposalId === proposalId),
              )
            }
          />
          <PolicyCard
            data={data}
            nameOf={nameOf}
            busy={vote.busy}
            onVote={(what, cast, pick) => void vote.run(what, cast, pick)}
          />
        </>
      )}
    </div>
  );
}

interface VoteItem {
  key: string;
  what: ReactNode;
  vote: { approvals: number; needed: number };
  button: string;
  cast: () => void;
}

function VoteList(props: { label: string; empty: string; items: VoteItem[]; busy: boolean }) {
  if (props.items.length === 0) return <p className="empty">{props.empty}</p>;
  return (
    <table className="data-table responsive" aria-label={props.label}>
      <thead>
        <tr>
          <th scope="col">Proposal</th>
          <th scope="col">Votes</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((item) => (
          <tr key={item.key} data-vote={item.key}>
            <td data-label="Proposal">{item.what}</td>
            <td data-label="Votes">
              <Badge tone="warn">{votesText(item.vote)}</Badge>
            </td>
            <td>
              <Button onClick={item.cast} busy={props.busy} busyLabel="Voting…" label={item.button}>
                Vote for it
              </Button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type Pick = (fresh: ConsortiumVotes) => { approvals: number; needed: number } | undefined;

function CustodyCard(props: {
  data: ConsortiumVotes;
  nameOf: (organisationId: number) => string;
  busy: boolean;
  onVote: (what: string, cast: () => Promise<{ enacted: boolean }>, pick: Pick) => void;
}) {
  const { client } = useSession();
  // Asked afresh (`client.ledger()` is asked once per session): a vote may have just changed it.
  const custody = useLoad(
    () =>
      client
        .call<{ custody: { custodians: number[]; threshold: number; version: number } }>(
          'GET',
          '/api/ledger',
          undefined,
          false,
        )
        .then((info) => info.custody),
    [client, props.data],
  );
  const [custodians, setCustodians] = useState('');
  const [threshold, setThreshold] = useState(2);
  const [wrong, setWrong] = useState<string>();
  const describe = (p: { custodians: number[]; threshold: number }) =>
    `any ${p.threshold} of ${p.custodians.map(props.nameOf).join(', ')}`;
  const propose = () => {
    const ids = custodians
      .split(/[\s,;]+/)
      .filter(Boolean)
      .map(Number);
    if (ids.length === 0 || ids.some((id) => !Number.isInteger(id) || id < 1)) {
      setWrong('Custodians are organisation numbers, e.g. 1, 2, 3.');
      return;
    }
    if (threshold < 1 || threshold > ids.length) {
      setWrong(`The custodians needed for a read must be between 1 and ${ids.length}.`);
      return;
    }
    setWrong(undefined);
    props.onVote(
      `Key custody by ${describe({ custodians: ids, threshold })}`,
      () => client.proposeCustody(ids, threshold),
      (fresh) => fresh.custody.at(-1),
    );
  };
  return (
    <Card title="Key custody">
      <p className="muted">
        Which organisations hold shares of each new record’s key, and how many of them must release their
        share for a read.
        {custody.data &&
          (custody.data.version
            ? ` Now: ${describe(custody.data)}.`
            : ' None is set yet: records are sealed to the patient’s organisation alone.')}
      </p>
      <VoteList
        label="Key custody proposals"
        empty="No custody proposal is open."
        busy={props.busy}
        items={props.data.custody.map((p) => ({
          key: `custody-${p.proposalId}`,
          what: `#${p.proposalId}: ${describe(p)} (proposed by ${props.nameOf(p.proposerOrganisationId)})`,
          vote: p,
          button: `Vote for it: custody proposal ${p.proposalId}`,
          cast: () =>
            props.onVote(
              `Custody proposal #${p.proposalId}`,
              () => client.approveCustody(p.proposalId),
              (fresh) => fresh.custody.find((q) => q.proposalId === p.proposalId),
            ),
        }))}
      />
      <form className="form" aria-label="Propose key custody" onSubmit={submitting(async () => propose())}>
        <Field
          label="Custodian organisations"
          hint="Organisation numbers, separated by commas, e.g. 1, 2, 3."
        >
          {(id) => (
            <input id={id} value={custodians} onChange={(e) => setCustodians(e.target.value)} required />
          )}
        </Field>
        <Field label="Custodians needed for a read">
          {(id) => (
            <input
              id={id}
              type="number"
              min={1}
              max={16}
              value={threshold}
              onChange={(e) => setThreshold(Number(e.target.value))}
            />
          )}
        </Field>
        {wrong && <Notice kind="error">{wrong}</Notice>}
        <Button type="submit" busy={props.busy} busyLabel="Proposing…">
          Propose custody
        </Button>
      </form>
    </Card>
  );
}

function WindowCard(props: {
  title: string;
  explanation: string;
  unit: 'hours' | 'days';
  unitSeconds: number;
  minimum: number;
  current: () => Promise<number>;
  proposals: ConsortiumVotes['emergencyWindow'];
  nameOf: (organisationId: number) => string;
  busy: boolean;
  propose: (seconds: number) => void;
  approve: (proposalId: number, seconds: number) => void;
}) {
  const current = useLoad(props.current, [props.proposals]);
  const [amount, setAmount] = useState('');
  return (
    <Card title={props.title}>
      <p className="muted">
        {props.explanation}
        {current.data !== undefined && ` Now: ${durationText(current.data)}.`}
      </p>
      <VoteList
        label={`${props.title} proposals`}
        empty={`No ${props.title.toLowerCase()} proposal is open.`}
        busy={props.busy}
        items={props.proposals.map((p) => ({
          key: `${props.title}-${p.proposalId}`,
          what: `#${p.proposalId}: ${durationText(p.windowSeconds)} (proposed by ${props.nameOf(p.proposerOrganisationId)})`,
          vote: p,
          button: `Vote for it: ${props.title.toLowerCase()} proposal ${p.proposalId}`,
          cast: () => props.approve(p.proposalId, p.windowSeconds),
        }))}
      />
      <form
        className="form form-inline"
        aria-label={`Propose the ${props.title.toLowerCase()}`}
        onSubmit={submitting(async () => props.propose(Math.round(Number(amount) * props.unitSeconds)))}
      >
        <Field label={`New ${props.title.toLowerCase()} (${props.unit})`}>
          {(id) => (
            <input
              id={id}
              type="number"
              min={props.minimum}
              step="any"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
              required
            />
          )}
        </Field>
        <Button type="submit" busy={props.busy} busyLabel="Proposing…">
          Propose
        </Button>
      </form>
    </Card>
  );
}

/**
 * Co-signature policies (`policy propose|approve` in the CLI): which roles must co-sign a category's
 * records before they are final. Proposed here with one requirement; the CLI takes several.
 */
function PolicyCard(props: {
  data: ConsortiumVotes;
  nameOf: (organisationId: number) => string;
  busy: boolean;
  onVote: (what: string, cast: () => Promise<{ enacted: boolean }>, pick: Pick) => void;
}) {
  const { client } = useSession();
  const [category, setCategory] = useState<Category>('lab');
  const [role, setRole] = useState<Role>('doctor');
  const [count, setCount] = useState(1);
  const [sameOrganisation, setSameOrganisation] = useState(false);
  const [patient, setPatient] = useState(false);
  const propose = () => {
    const requirements = [{ role, count, sameOrganisation }];
    props.onVote(
      `Co-signature of ${category} records by ${coSignatureRuleText({ requirements, patient })}`,
      () => client.proposePolicy({ category, requirements, patient }),
      (fresh) => fresh.coSignaturePolicies.at(-1),
    );
  };
  return (
    <Card title="Co-signature policies">
      <p className="muted">
        Which roles must co-sign a category’s records before they are final (a record stays a draft until they
        have).
      </p>
      <VoteList
        label="Co-signature policy proposals"
        empty="No co-signature policy proposal is open."
        busy={props.busy}
        items={props.data.coSignaturePolicies.map((p) => ({
          key: `policy-${p.proposalId}`,
          what: `#${p.proposalId}: ${p.category} records co-signed by ${coSignatureRuleText(p)} (proposed by ${props.nameOf(p.proposerOrganisationId)})`,
          vote: p,
          button: `Vote for it: co-signature policy proposal ${p.proposalId}`,
          cast: () =>
            props.onVote(
              `Co-signature policy proposal #${p.proposalId}`,
              () => client.approvePolicy(p.proposalId),
              (fresh) => fresh.coSignaturePolicies.find((q) => q.proposalId === p.proposalId),
            ),
        }))}
      />
      <form
        className="form"
        aria-label="Propose a co-signature policy"
        onSubmit={submitting(async () => propose())}
      >
        <div className="form-row">
          <Field label="Records of">
            {(id) => (
              <select id={id} value={category} onChange={(e) => setCategory(e.target.value as Category)}>
                {categories.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Co-signed by">
            {(id) => (
              <select id={id} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {roles.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="How many">
            {(id) => (
              <input
                id={id}
                type="number"
                min={1}
                max={16}
                value={count}
                onChange={(e) => setCount(Number(e.target.value))}
              />
            )}
          </Field>
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={sameOrganisation}
            onChange={(e) => setSameOrganisation(e.target.checked)}
          />{' '}
          Only co-signers of the author’s organisation count
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={patient} onChange={(e) => setPatient(e.target.checked)} /> The
          patient must co-sign too
        </label>
        <Button type="submit" busy={props.busy} busyLabel="Proposing…">
          Propose the policy
        </Button>
      </form>
    </Card>
  );
}
