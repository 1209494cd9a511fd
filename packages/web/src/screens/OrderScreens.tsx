/**
 * Orders where they are placed and followed: the patient's own screen of their orders, prescriptions
 * and claims, and the clinician's section of a patient's chart where new ones are placed with each
 * kind's form.
 */
import { useState } from 'react';
import { Button, Card, ChipGroup, Notice, Spinner, useLoad } from '../components/ui.tsx';
import { isDenied, plainError } from '../errors.ts';
import { useSession } from '../session.tsx';
import { ClaimForm } from './ClaimScreens.tsx';
import { LabOrderForm } from './LabScreens.tsx';
import { OrderGroups } from './OrderCard.tsx';
import { loadOrders, useOrderUpdates } from './orders.ts';
import { PrescribeForm } from './PharmacyScreens.tsx';

/** The patient's own orders, prescriptions and claims, with status, who, when and the outcome. */
export function MyOrders() {
  const { client, identity } = useSession();
  const orders = useLoad(
    () => loadOrders(client, { view: 'patient', patient: identity.address }),
    [client, identity.address],
  );
  useOrderUpdates(orders.reload);
  return (
    <div className="stack">
      <h1>Orders and claims</h1>
      <p className="muted">
        What your clinicians ordered for you, what pharmacies dispensed, and what your insurer decided. Each
        step is signed by who did it and recorded on the ledger.
      </p>
      <div>
        <Button kind="ghost" onClick={orders.reload}>
          Refresh
        </Button>
      </div>
      {orders.loading && !orders.data && <Spinner label="Fetching and decrypting your orders…" />}
      {orders.error ? <Notice kind="error">{plainError(orders.error)}</Notice> : null}
      {orders.data && (
        <OrderGroups
          entries={orders.data}
          onChange={orders.reload}
          empty={{
            lab: 'No lab tests have been ordered for you.',
            prescription: 'You have no prescriptions.',
            claim: 'No claims have been submitted for your care.',
          }}
        />
      )}
    </div>
  );
}

/**
 * The orders section of a patient's chart: the patient's orders, prescriptions and claims the
 * clinician may see, and forms to order a test, prescribe or submit a claim.
 */
export function ChartOrders(props: { patient: string; onPlaced: () => void }) {
  const { client, persona } = useSession();
  const [form, setForm] = useState<'lab' | 'prescription' | 'claim' | undefined>();
  const orders = useLoad(
    () => loadOrders(client, { view: 'patient', patient: props.patient as `0x${string}` }),
    [client, props.patient],
  );
  useOrderUpdates(orders.reload);
  // A new order's request is a record of the chart too.
  const placed = () => {
    orders.reload();
    props.onPlaced();
  };
  const choices = [
    ['lab', 'Order a lab test'],
    ...(persona === 'doctor' ? [['prescription', 'Prescribe']] : []),
    ['claim', 'Submit a claim'],
  ] as ['lab' | 'prescription' | 'claim', string][];
  return (
    <Card title="Orders, prescriptions and claims">
      <ChipGroup legend="New order" value={form} options={choices} onChange={setForm} />
      {form === 'lab' && <LabOrderForm patient={props.patient} onDone={placed} />}
      {form === 'prescription' && <PrescribeForm patient={props.patient} onDone={placed} />}
      {form === 'claim' && <ClaimForm patient={props.patient} onDone={placed} />}
      {orders.loading && !orders.data && <Spinner label="Fetching and decrypting orders…" />}
      {orders.error ? (
        <Notice kind={isDenied(orders.error) ? 'denied' : 'error'}>{plainError(orders.error)}</Notice>
      ) : null}
      {orders.data && (
        <OrderGroups
          entries={orders.data}
          onChange={orders.reload}
          empty={{
            lab: 'No lab tests you may see.',
            prescription: 'No prescriptions you may see.',
            claim: 'No claims you may see.',
          }}
        />
      )}
      <Button kind="ghost" onClick={orders.reload}>
        Refresh
      </Button>
    </Card>
  );
}
