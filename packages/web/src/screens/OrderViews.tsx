/**
 * What an order's card shows of each kind in its own terms, read-only: a claim's items and total,
 * the insurer's decision, the lab's report and results. The card and the kinds' screens share these.
 */
import { type ClaimDecision, claimDecisionOf } from '@medledger/core';
import { Badge } from '../components/ui.tsx';
import { conceptText, isObject, type Json, list } from '../records/fhirText.ts';
import { ResourceBody } from '../records/RecordView.tsx';

interface Money {
  value: number;
  currency: string;
}

function moneyOf(value: unknown): Money | undefined {
  if (!isObject(value) || typeof value.value !== 'number') return undefined;
  return { value: value.value, currency: typeof value.currency === 'string' ? value.currency : '' };
}

export function moneyText(money: Money | undefined): string {
  if (!money) return '—';
  return `${money.value.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${money.currency}`.trim();
}

/** A claim's items as service and amount, read from the FHIR Claim. */
function claimItems(claim: Json): { sequence: number; service: string; amount?: Money }[] {
  return list(claim.item).map((item, index) => ({
    sequence: typeof item.sequence === 'number' ? item.sequence : index + 1,
    service: conceptText(item.productOrService) ?? 'Service',
    amount: moneyOf(item.net) ?? moneyOf(item.unitPrice),
  }));
}

export function claimTotal(claim: Json): Money | undefined {
  const total = moneyOf(claim.total);
  if (total) return total;
  const amounts = claimItems(claim).flatMap((item) => (item.amount ? [item.amount] : []));
  if (amounts.length === 0) return undefined;
  return { value: amounts.reduce((sum, a) => sum + a.value, 0), currency: amounts[0]?.currency ?? '' };
}

export function claimTitle(claim: Json): string {
  const items = claimItems(claim).length;
  return `${items} ${items === 1 ? 'item' : 'items'}, ${moneyText(claimTotal(claim))}`;
}

/** The claim's items and amounts. */
export function ClaimSummary(props: { claim: Json }) {
  const items = claimItems(props.claim);
  return (
    <table className="data-table claim-items">
      <caption className="visually-hidden">Claimed items</caption>
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Amount</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item.sequence}>
            <td>{item.service}</td>
            <td>{moneyText(item.amount)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">Total</th>
          <td className="strong">{moneyText(claimTotal(props.claim))}</td>
        </tr>
      </tbody>
    </table>
  );
}

function adjudicated(entries: unknown, category: string): Money | undefined {
  for (const entry of list(entries)) {
    const codes = list(isObject(entry.category) ? entry.category.coding : undefined).map((c) => c.code);
    if (codes.includes(category)) return moneyOf(entry.amount);
  }
  return undefined;
}

const decisionWords: Record<ClaimDecision, string> = {
  approved: 'approved',
  partial: 'partly approved',
  denied: 'denied',
};

/** The insurer's answer: the decision, the amounts per item, and the reason. */
export function ClaimResponseView(props: { response: Json; claim?: Json }) {
  const { response } = props;
  const services = new Map(
    props.claim ? claimItems(props.claim).map((item) => [item.sequence, item.service] as const) : [],
  );
  const decision = claimDecisionOf(response);
  return (
    <div className="claim-decision">
      <p>
        Decision:{' '}
        <Badge tone={decision === 'approved' ? 'good' : decision === 'denied' ? 'bad' : 'warn'}>
          {decision ? decisionWords[decision] : String(response.outcome ?? 'unknown')}
        </Badge>{' '}
        · approved {moneyText(adjudicated(response.total, 'benefit'))} of{' '}
        {moneyText(adjudicated(response.total, 'submitted'))}
      </p>
      {typeof response.disposition === 'string' && <p>{response.disposition}</p>}
      <table className="data-table">
        <caption className="visually-hidden">Decided amounts per item</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Claimed</th>
            <th scope="col">Approved</th>
          </tr>
        </thead>
        <tbody>
          {list(response.item).map((item) => (
            <tr key={String(item.itemSequence)}>
              <td>{services.get(Number(item.itemSequence)) ?? `#${String(item.itemSequence)}`}</td>
              <td>{moneyText(adjudicated(item.adjudication, 'submitted'))}</td>
              <td>{moneyText(adjudicated(item.adjudication, 'benefit'))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A lab's answer: the report's conclusion, then each result with its range. */
export function LabReportView(props: { resources: Json[] }) {
  const report = props.resources.find((r) => r.resourceType === 'DiagnosticReport');
  const results = props.resources.filter((r) => r.resourceType !== 'DiagnosticReport');
  return (
    <div className="lab-report">
      {report && (
        <dl className="facts">
          <dt>Report</dt>
          <dd className="strong">{conceptText(report.code) ?? 'Lab report'}</dd>
          {typeof report.conclusion === 'string' && (
            <div className="facts-row">
              <dt>Conclusion</dt>
              <dd>{report.conclusion}</dd>
            </div>
          )}
        </dl>
      )}
      {results.map((resource) => (
        <ResourceBody key={String(resource.id)} resource={resource} />
      ))}
    </div>
  );
}
