/**
 * Lab orders, prescriptions and claims through a real gateway on a real chain, with the client's
 * actions: the lab journey from order to result, refills, two pharmacies dispensing the last units
 * at once, a result from a lab the order was not sent to, a claim without consent, cancellation,
 * and who sees which order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  completeOrder,
  dispenseOrder,
  type GatewayClient,
  listOrders,
  listRecords,
  notifications,
  orderOf,
  placeOrder,
  readRecord,
  setOrderStatus,
} from '@medledger/client';
import {
  AccessDeniedError,
  type BuiltResource,
  buildDispense,
  buildLabOrder,
  buildLabResult,
  buildPrescription,
  ConflictError,
  MedledgerError,
  type OrganisationKind,
} from '@medledger/core';
import { sendRpcCalls } from '@medledger/ledger-node';
import type { Hex } from 'viem';
import { type Consortium, foundConsortium, newActor, newMember, newPatient } from './helpers/actors.ts';
import { eventually } from './helpers/emergencies.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

/** Asserts `promise` rejects with `ErrorClass` and `reason`; resolves with the error. */
async function rejectsWith(
  promise: Promise<unknown>,
  ErrorClass: typeof MedledgerError,
  reason: string,
): Promise<MedledgerError> {
  const error = await promise.then(
    () => assert.fail(`expected ${ErrorClass.name} (${reason}), but it succeeded`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${String(error)}`);
  assert.equal(error.reason, reason, `reason of: ${error.message}`);
  return error;
}

describe('orders', () => {
  let gateway: TestGateway;
  let hospital: Consortium;
  const admins: GatewayClient[] = [];
  let labA: Consortium;
  let labB: Consortium;
  let pharmacyA: Consortium;
  let pharmacyB: Consortium;
  let insurer: Consortium;
  let patient: GatewayClient;
  let doctor: GatewayClient;
  let nurse: GatewayClient;
  let labTechnician: GatewayClient;
  let labBTechnician: GatewayClient;
  let pharmacistA: GatewayClient;
  let pharmacistB: GatewayClient;
  let pharmacistWithoutConsent: GatewayClient;
  let insurerMember: GatewayClient;

  /** A new organisation, admitted by the active ones' admins. */
  async function admit(name: string, kind: OrganisationKind): Promise<Consortium> {
    const admin = newActor(gateway.url);
    const { organisationId, status } = await admin.createOrganisation({ name, kind });
    if (status !== 'active') {
      for (const approver of admins) {
        if ((await approver.approveOrganisation(organisationId)).status === 'active') break;
      }
    }
    admins.push(admin);
    return { admin, organisationId };
  }

  before(async () => {
    gateway = await startTestGateway();
    hospital = await foundConsortium(gateway.url);
    admins.push(hospital.admin);
    labA = await admit('City Lab', 'lab');
    labB = await admit('Other Lab', 'lab');
    pharmacyA = await admit('Corner Pharmacy', 'pharmacy');
    pharmacyB = await admit('Station Pharmacy', 'pharmacy');
    insurer = await admit('Health Insurer', 'insurer');
    [
      patient,
      doctor,
      nurse,
      labTechnician,
      labBTechnician,
      pharmacistA,
      pharmacistB,
      pharmacistWithoutConsent,
      insurerMember,
    ] = await Promise.all([
      newPatient(gateway.url, hospital),
      newMember(gateway.url, hospital, 'doctor'),
      newMember(gateway.url, hospital, 'nurse'),
      newMember(gateway.url, labA, 'lab'),
      newMember(gateway.url, labB, 'lab'),
      newMember(gateway.url, pharmacyA, 'pharmacist'),
      newMember(gateway.url, pharmacyB, 'pharmacist'),
      newMember(gateway.url, pharmacyA, 'pharmacist'),
      newMember(gateway.url, insurer, 'insurer'),
    ]);
    const consents: [GatewayClient, ('lab' | 'medication' | 'insurance')[]][] = [
      [doctor, ['lab', 'medication', 'insurance']],
      [nurse, ['lab']],
      [labTechnician, ['lab']],
      [labBTechnician, ['lab']],
      [pharmacistA, ['medication']],
      [pharmacistB, ['medication']],
      [insurerMember, ['insurance']],
    ];
    for (const [grantee, categories] of consents) {
      await patient.grantConsent({
        grantee: grantee.address,
        categories,
        actions: ['read', 'append'],
        expiresInSeconds: 3600,
      });
    }
  });
  after(() => gateway?.stop());

  function labOrder(test = 'Haemoglobin'): BuiltResource {
    return buildLabOrder({
      patient: patient.address,
      test,
      loincCode: '718-7',
      priority: 'routine',
      requester: 'Dr Example',
    });
  }

  function prescription(): BuiltResource {
    return buildPrescription({
      patient: patient.address,
      medicine: 'Metformin 500 mg',
      doseValue: 1,
      doseUnit: 'tablet',
      timesPerPeriod: 2,
      period: 1,
      periodUnit: 'd',
      prescriber: 'Dr Example',
    });
  }

  function dispense(pharmacist: string, quantity: number): BuiltResource {
    return buildDispense({
      patient: patient.address,
      prescription: prescription(),
      quantity,
      unit: 'tablet',
      pharmacist,
    });
  }

  function claim(): BuiltResource {
    return {
      resourceType: 'Claim',
      id: crypto.randomUUID(),
      status: 'active',
      type: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'institutional' }],
      },
      use: 'claim',
      patient: { reference: `Patient/${patient.address}` },
      created: '2026-12-03',
      provider: { display: 'St Mary Hospital' },
      priority: { coding: [{ code: 'normal' }] },
      insurance: [{ sequence: 1, focal: true, coverage: { display: 'Cover 123' } }],
    };
  }

  async function placeLabOrder(performer = labA.organisationId): Promise<Hex> {
    const { orderId } = await placeOrder(doctor, {
      patient: patient.address,
      kind: 'lab',
      performerOrganisation: performer,
      resource: labOrder(),
    });
    return orderId;
  }

  async function kindsNotified(client: GatewayClient, orderId: Hex, kind: string): Promise<boolean> {
    const { notifications: list } = await notifications(client);
    return list.some((notice) => notice.kind === kind && notice.data.orderId === orderId);
  }

  it('takes a lab order from placed to a DiagnosticReport with its Observation, notifying the requester and the patient', async () => {
    const orderId = await placeLabOrder();
    const worklist = await listOrders(labTechnician, { view: 'worklist' });
    assert.ok(worklist.some((order) => order.orderId === orderId));
    await eventually(
      async () => ((await kindsNotified(patient, orderId, 'order-placed')) ? true : undefined),
      'order-placed to the patient',
    );
    await eventually(
      async () => ((await kindsNotified(labTechnician, orderId, 'order-placed')) ? true : undefined),
      'order-placed to the lab',
    );

    assert.deepEqual(await setOrderStatus(labTechnician, { orderId, status: 'accepted' }), {
      orderId,
      status: 'accepted',
    });
    await setOrderStatus(labTechnician, { orderId, status: 'in_progress' });
    const observation = buildLabResult({
      patient: patient.address,
      orderId: orderId.slice(2),
      test: 'Haemoglobin',
      loincCode: '718-7',
      value: 13.5,
      unit: 'g/dL',
      performer: 'City Lab',
    });
    const report: BuiltResource = {
      resourceType: 'DiagnosticReport',
      id: crypto.randomUUID(),
      status: 'final',
      code: { text: 'Haemoglobin' },
      subject: { reference: `Patient/${patient.address}` },
      basedOn: [{ reference: `ServiceRequest/${orderId.slice(2)}` }],
      result: [{ reference: `urn:uuid:${observation.id}` }],
    };
    const { resultRecordIds } = await completeOrder(labTechnician, {
      orderId,
      resources: [report, observation],
    });
    assert.equal(resultRecordIds.length, 2);

    const order = await orderOf(doctor, orderId);
    assert.equal(order.kind, 'lab');
    assert.equal(order.status, 'completed');
    assert.equal(order.requestRecordId, orderId);
    assert.deepEqual(order.resultRecordIds, resultRecordIds);
    assert.equal(order.performerOrganisation, labA.organisationId);
    assert.deepEqual(
      order.steps.map((step) => [step.status, step.actor]),
      [
        ['placed', doctor.address],
        ['accepted', labTechnician.address],
        ['in_progress', labTechnician.address],
        ['completed', labTechnician.address],
      ],
    );
    assert.ok(order.steps.every((step) => step.at >= order.placedAt && step.at > 0));
    assert.deepEqual(
      order.steps.map((step) => step.actorOrganisation),
      [hospital.organisationId, labA.organisationId, labA.organisationId, labA.organisationId],
    );

    const { resource } = await readRecord(doctor, resultRecordIds[0] as Hex);
    assert.deepEqual((resource as { result: unknown }).result, [
      { reference: `Observation/${(resultRecordIds[1] as Hex).slice(2)}` },
    ]);
    const request = await readRecord(patient, orderId);
    assert.equal((request.resource as { id: string }).id, orderId.slice(2));

    for (const [client, who] of [
      [doctor, 'the requester'],
      [patient, 'the patient'],
    ] as const) {
      await eventually(
        async () => ((await kindsNotified(client, orderId, 'order-completed')) ? true : undefined),
        `order-completed to ${who}`,
      );
      await eventually(
        async () => ((await kindsNotified(client, orderId, 'order-status')) ? true : undefined),
        `order-status to ${who}`,
      );
    }
    const requested = await listOrders(doctor, { view: 'requested', status: 'completed' });
    assert.ok(requested.some((listed) => listed.orderId === orderId));
  });

  it('refuses a result posted by a lab the order was not sent to (order_not_performer), anchoring nothing', async () => {
    const orderId = await placeLabOrder();
    const before = (await listRecords(patient, patient.address)).records.length;
    const result = buildLabResult({
      patient: patient.address,
      test: 'Haemoglobin',
      value: 1,
      unit: 'g/dL',
      performer: 'Other Lab',
    });
    await rejectsWith(
      completeOrder(labBTechnician, { orderId, resources: [result] }),
      AccessDeniedError,
      'order_not_performer',
    );
    await rejectsWith(
      setOrderStatus(labBTechnician, { orderId, status: 'accepted' }),
      AccessDeniedError,
      'order_not_performer',
    );
    assert.equal((await orderOf(doctor, orderId)).status, 'placed');
    assert.equal((await listRecords(patient, patient.address)).records.length, before);
  });

  it('shows lab A’s orders to lab A only, and a prescription to the pharmacies the patient allows', async () => {
    const forLabA = await placeLabOrder(labA.organisationId);
    const forLabB = await placeLabOrder(labB.organisationId);
    const listA = (await listOrders(labTechnician, { view: 'worklist', kind: 'lab' })).map((o) => o.orderId);
    const listB = (await listOrders(labBTechnician, { view: 'worklist', kind: 'lab' })).map((o) => o.orderId);
    assert.ok(listA.includes(forLabA) && !listA.includes(forLabB));
    assert.ok(listB.includes(forLabB) && !listB.includes(forLabA));
    // Lab B's technician may read the patient's lab records, so it may see the order through the patient
    // view; a member the patient allows nothing of lab does not learn the order exists.
    await rejectsWith(orderOf(insurerMember, forLabA), MedledgerError, 'no_such_order');

    const { orderId } = await placeOrder(doctor, {
      patient: patient.address,
      kind: 'prescription',
      resource: prescription(),
      quantity: 10,
    });
    const allowed = (await listOrders(pharmacistB, { view: 'worklist' })).map((o) => o.orderId);
    assert.ok(allowed.includes(orderId));
    const notAllowed = (await listOrders(pharmacistWithoutConsent, { view: 'worklist' })).map(
      (o) => o.orderId,
    );
    assert.ok(!notAllowed.includes(orderId));
    const patientView = (await listOrders(patient, { view: 'patient' })).map((o) => o.orderId);
    assert.ok([forLabA, forLabB, orderId].every((id) => patientView.includes(id)));
  });

  it('dispenses a prescription of 60 in two fills of 30, then refuses a third (order_fills_used)', async () => {
    const { orderId } = await placeOrder(doctor, {
      patient: patient.address,
      kind: 'prescription',
      resource: prescription(),
      quantity: 60,
      fills: 2,
    });
    const first = await dispenseOrder(pharmacistA, {
      orderId,
      quantity: 30,
      resource: dispense('Corner', 30),
    });
    assert.deepEqual(first, { orderId, dispensed: 30, status: 'in_progress' });
    const second = await dispenseOrder(pharmacistB, {
      orderId,
      quantity: 30,
      resource: dispense('Station', 30),
    });
    assert.deepEqual(second, { orderId, dispensed: 60, status: 'completed' });
    await rejectsWith(
      dispenseOrder(pharmacistA, { orderId, quantity: 1, resource: dispense('Corner', 1) }),
      ConflictError,
      'order_fills_used',
    );
    const order = await orderOf(patient, orderId);
    assert.equal(order.fillsUsed, 2);
    assert.deepEqual(
      order.steps.map((step) => [step.status, step.quantity ?? null]),
      [
        ['placed', null],
        ['in_progress', 30],
        ['completed', 30],
      ],
    );
    await eventually(
      async () => ((await kindsNotified(doctor, orderId, 'order-dispensed')) ? true : undefined),
      'order-dispensed to the requester',
    );
  });

  it('lets exactly one of two pharmacies dispensing the last units at once win; the other gets 409 and leaves no record', async () => {
    const { orderId } = await placeOrder(doctor, {
      patient: patient.address,
      kind: 'prescription',
      resource: prescription(),
      quantity: 30,
      fills: 2,
    });
    const recordsOf = async (author: GatewayClient) =>
      (await listRecords(patient, patient.address)).records.filter(
        (record) => record.author === author.address,
      ).length;
    const before = { a: await recordsOf(pharmacistA), b: await recordsOf(pharmacistB) };
    const outcomes = await Promise.allSettled([
      dispenseOrder(pharmacistA, { orderId, quantity: 30, resource: dispense('Corner', 30) }),
      dispenseOrder(pharmacistB, { orderId, quantity: 30, resource: dispense('Station', 30) }),
    ]);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
    assert.equal(won.length, 1, 'exactly one dispense wins');
    assert.equal(lost.length, 1);
    const error = (lost[0] as PromiseRejectedResult).reason;
    assert.ok(error instanceof ConflictError, `the loser gets a conflict, got ${String(error)}`);
    assert.ok(['order_quantity_exceeded', 'order_fills_used'].includes(error.reason ?? ''), error.reason);

    const order = await orderOf(patient, orderId);
    assert.equal(order.dispensed, 30);
    assert.equal(order.status, 'completed');
    assert.equal(order.resultRecordIds.length, 1);
    const winner = outcomes[0]?.status === 'fulfilled' ? 'a' : 'b';
    const after = { a: await recordsOf(pharmacistA), b: await recordsOf(pharmacistB) };
    assert.equal(after[winner], before[winner] + 1);
    assert.equal(
      after[winner === 'a' ? 'b' : 'a'],
      before[winner === 'a' ? 'b' : 'a'],
      'no record of the loser',
    );
  });

  it('answers 409 to the loser also when both dispenses passed simulation and the loser reverts on chain', async () => {
    const rpc = async (method: string, params: unknown[] = []) => {
      const [outcome] = await sendRpcCalls(gateway.rpcUrl, [{ method, params }]);
      if (!outcome || 'error' in outcome) throw new Error(`${method}: ${JSON.stringify(outcome)}`);
      return outcome.result;
    };
    const { orderId } = await placeOrder(doctor, {
      patient: patient.address,
      kind: 'prescription',
      resource: prescription(),
      quantity: 20,
      fills: 3,
    });
    // The dispenses in the pool: the gateway's background transactions (audit anchors, ...) may be
    // pending too, and must not be taken for one of them.
    const orders = gateway.deployment.orders.toLowerCase();
    const dispensesPending = async () => {
      const pool = (await rpc('txpool_content')) as {
        pending: Record<string, Record<string, { to?: string }>>;
      };
      return Object.values(pool.pending)
        .flatMap((byNonce) => Object.values(byNonce))
        .filter((transaction) => transaction.to?.toLowerCase() === orders).length;
    };
    await rpc('evm_setAutomine', [false]);
    let outcomes: PromiseSettledResult<unknown>[];
    try {
      const racing = Promise.allSettled([
        dispenseOrder(pharmacistA, { orderId, quantity: 15, resource: dispense('Corner', 15) }),
        dispenseOrder(pharmacistB, { orderId, quantity: 15, resource: dispense('Station', 15) }),
      ]);
      // Both were simulated against the same state and sent: the chain alone decides between them.
      await eventually(
        async () => ((await dispensesPending()) >= 2 ? true : undefined),
        'both dispenses sent',
      );
      await rpc('evm_mine');
      outcomes = await racing;
    } finally {
      await rpc('evm_setAutomine', [true]);
    }
    assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
    const lost = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    assert.ok(lost.reason instanceof ConflictError, `the loser gets a conflict, got ${String(lost.reason)}`);
    assert.equal(lost.reason.reason, 'order_quantity_exceeded');
    const order = await orderOf(patient, orderId);
    assert.equal(order.dispensed, 15);
    assert.equal(order.resultRecordIds.length, 1);
  });

  it('takes a claim from the hospital to the insurer’s ClaimResponse', async () => {
    const { orderId } = await placeOrder(doctor, {
      patient: patient.address,
      kind: 'claim',
      performerOrganisation: insurer.organisationId,
      resource: claim(),
    });
    assert.ok(
      (await listOrders(insurerMember, { view: 'worklist', kind: 'claim' })).some(
        (o) => o.orderId === orderId,
      ),
    );
    await setOrderStatus(insurerMember, { orderId, status: 'in_progress' });
    const response: BuiltResource = {
      resourceType: 'ClaimResponse',
      id: crypto.randomUUID(),
      status: 'active',
      type: { coding: [{ code: 'institutional' }] },
      use: 'claim',
      patient: { reference: `Patient/${patient.address}` },
      created: '2026-12-03',
      insurer: { display: 'Health Insurer' },
      outcome: 'complete',
      request: { reference: `Claim/${orderId.slice(2)}` },
    };
    await completeOrder(insurerMember, { orderId, resources: [response] });
    const order = await orderOf(doctor, orderId);
    assert.equal(order.kind, 'claim');
    assert.equal(order.status, 'completed');
    await eventually(
      async () => ((await kindsNotified(patient, orderId, 'order-completed')) ? true : undefined),
      'the decided claim to the patient',
    );
  });

  it('refuses a claim by a hospital member without the patient’s consent to insurance', async () => {
    await rejectsWith(
      placeOrder(nurse, {
        patient: patient.address,
        kind: 'claim',
        performerOrganisation: insurer.organisationId,
        resource: claim(),
      }),
      AccessDeniedError,
      'no_consent',
    );
  });

  it('lets the patient cancel an order, after which the lab cannot accept it', async () => {
    const orderId = await placeLabOrder();
    assert.deepEqual(await setOrderStatus(patient, { orderId, status: 'cancelled' }), {
      orderId,
      status: 'cancelled',
    });
    await rejectsWith(
      setOrderStatus(labTechnician, { orderId, status: 'accepted' }),
      ConflictError,
      'order_not_open',
    );
    const order = await orderOf(doctor, orderId);
    assert.deepEqual(order.steps.at(-1)?.actor, patient.address);
    await eventually(
      async () => ((await kindsNotified(doctor, orderId, 'order-status')) ? true : undefined),
      'the cancellation to the requester',
    );
  });
});
