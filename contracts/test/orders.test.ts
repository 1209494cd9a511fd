import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Address, Hex, LocalAccount } from 'viem';
import {
  action,
  addMember,
  approveOrganisation,
  grant,
  kind,
  newAccount,
  newRecord,
  proposeOrganisation,
  type RecordInput,
  randomBytes32,
  role,
  rotatePatientKey,
  signedRecord,
  suspendMember,
} from './helpers/actions.ts';
import { type Consortium, setUpConsortium } from './helpers/fixtures.ts';
import {
  abis,
  assertRevert,
  deployLedger,
  eventsNamed,
  isolateEachTest,
  type TestLedger,
} from './helpers/ledger.ts';
import {
  completeOrder,
  dispenseArguments,
  dispenseOrder,
  type Order,
  orderKind,
  orderStatus,
  placeOrder,
  setOrderStatus,
} from './helpers/orderActions.ts';

const category = { condition: 0, medication: 1, lab: 3, insurance: 7 } as const;

describe('Orders', () => {
  let ledger: TestLedger;
  let c: Consortium;
  let labB: number;
  let pharmacyA: number;
  let pharmacyB: number;
  let insurer: number;
  let labBTechnician: LocalAccount;
  let pharmacistA: LocalAccount;
  let pharmacistB: LocalAccount;
  let pharmacyAdmin: LocalAccount;
  let insurerMember: LocalAccount;
  const grants = new Map<Address, bigint>();
  const gas: Record<string, bigint> = {};

  /** Proposes an organisation and has the active ones' admins approve it until it is active. */
  async function admit(admins: LocalAccount[], admin: LocalAccount, kindCode: number, name: string) {
    const { organisationId } = await proposeOrganisation(ledger, admin, { name, kind: kindCode });
    for (const approver of admins) {
      const { status } = await ledger.read<{ status: number }>('consortium', 'organisation', [
        organisationId,
      ]);
      if (status === 2) break;
      await approveOrganisation(ledger, approver, organisationId);
    }
    return organisationId;
  }

  before(async () => {
    ledger = await deployLedger();
    c = await setUpConsortium(ledger);
    const labBAdmin = newAccount();
    const pharmacyBAdmin = newAccount();
    const insurerAdmin = newAccount();
    pharmacyAdmin = newAccount();
    const admins = [c.hospitalAdmin, c.labAdmin];
    labB = await admit(admins, labBAdmin, kind.lab, 'Other Lab');
    admins.push(labBAdmin);
    pharmacyA = await admit(admins, pharmacyAdmin, kind.pharmacy, 'Pharmacy A');
    admins.push(pharmacyAdmin);
    pharmacyB = await admit(admins, pharmacyBAdmin, kind.pharmacy, 'Pharmacy B');
    admins.push(pharmacyBAdmin);
    insurer = await admit(admins, insurerAdmin, kind.insurer, 'Insurer');

    labBTechnician = newAccount();
    pharmacistA = newAccount();
    pharmacistB = newAccount();
    insurerMember = newAccount();
    await addMember(ledger, labBAdmin, {
      organisationId: labB,
      member: labBTechnician.address,
      role: role.lab,
    });
    await addMember(ledger, pharmacyAdmin, {
      organisationId: pharmacyA,
      member: pharmacistA.address,
      role: role.pharmacist,
    });
    await addMember(ledger, pharmacyBAdmin, {
      organisationId: pharmacyB,
      member: pharmacistB.address,
      role: role.pharmacist,
    });
    await addMember(ledger, insurerAdmin, {
      organisationId: insurer,
      member: insurerMember.address,
      role: role.insurer,
    });

    const scopes: [Address, number][] = [
      [c.doctor.address, (1 << category.lab) | (1 << category.medication) | (1 << category.insurance)],
      [c.nurse.address, 1 << category.lab],
      [c.labTechnician.address, (1 << category.lab) | (1 << category.condition)],
      [labBTechnician.address, 1 << category.lab],
      [pharmacistA.address, 1 << category.medication],
      [pharmacistB.address, 1 << category.medication],
      [pharmacyAdmin.address, 1 << category.medication],
      [insurerMember.address, 1 << category.insurance],
    ];
    for (const [grantee, categories] of scopes) {
      const { grantId } = await grant(ledger, c.patient, {
        grantee,
        categories,
        actions: action.read | action.append,
      });
      grants.set(grantee, grantId);
    }
  });
  after(async () => {
    console.log(
      `gas per step: ${JSON.stringify(gas, (_, value) => (typeof value === 'bigint' ? Number(value) : value))}`,
    );
    await ledger.stop();
  });
  isolateEachTest(() => ledger);

  /** A record of `c.patient` by `author`, signed, with the author's grant. */
  function record(author: LocalAccount, categoryCode: number, patient: Address = c.patient.address) {
    return signedRecord(
      ledger,
      author,
      newRecord({ patient, author: author.address, category: categoryCode }),
      grants.get(author.address) ?? 0n,
    );
  }

  function orderOf(orderId: Hex): Promise<Order> {
    return ledger.read<Order>('orders', 'orderOf', [orderId]);
  }

  async function placeLabOrder(requester: LocalAccount = c.doctor, performer: number = c.lab): Promise<Hex> {
    const request = await record(requester, category.lab);
    await placeOrder(ledger, requester, { request, kind: orderKind.lab, performerOrganisation: performer });
    return request.record.recordId;
  }

  async function prescribe(quantity: number, fills: number, performer = 0): Promise<Hex> {
    const request = await record(c.doctor, category.medication);
    await placeOrder(ledger, c.doctor, {
      request,
      kind: orderKind.prescription,
      performerOrganisation: performer,
      quantity,
      fills,
    });
    return request.record.recordId;
  }

  async function dispense(pharmacist: LocalAccount, orderId: Hex, quantity: number) {
    return dispenseOrder(
      ledger,
      pharmacist,
      orderId,
      quantity,
      await record(pharmacist, category.medication),
    );
  }

  describe('place', () => {
    it('places a lab order and anchors its ServiceRequest in the same transaction', async () => {
      const request = await record(c.doctor, category.lab);
      const orderId = request.record.recordId;
      const result = await placeOrder(ledger, c.doctor, {
        request,
        kind: orderKind.lab,
        performerOrganisation: c.lab,
      });
      gas.place = result.receipt.gasUsed;
      assert.deepEqual(eventsNamed(result, 'OrderPlaced'), [
        {
          orderId,
          patient: c.patient.address,
          requester: c.doctor.address,
          requesterOrganisation: c.hospital,
          performerOrganisation: c.lab,
          kind: orderKind.lab,
          quantity: 0,
          fills: 0,
        },
      ]);
      assert.equal(eventsNamed(result, 'RecordAnchored')[0]?.recordId, orderId);
      assert.equal(await ledger.read('records', 'isAnchored', [orderId]), true);
      const order = await orderOf(orderId);
      const { timestamp } = await ledger.publicClient.getBlock({ blockNumber: result.receipt.blockNumber });
      assert.deepEqual(order, {
        patient: c.patient.address,
        requester: c.doctor.address,
        requesterOrganisation: c.hospital,
        performerOrganisation: c.lab,
        kind: orderKind.lab,
        status: orderStatus.placed,
        quantity: 0,
        dispensed: 0,
        fills: 0,
        fillsUsed: 0,
        placedAt: timestamp,
        updatedAt: timestamp,
      });
      assert.equal(await ledger.read('orders', 'orderCount'), 1n);
    });

    it('lets a nurse order a test but not prescribe', async () => {
      await placeLabOrder(c.nurse);
      const request = await record(c.nurse, category.lab);
      await assertRevert(
        placeOrder(ledger, c.nurse, {
          request,
          kind: orderKind.prescription,
          performerOrganisation: 0,
          quantity: 1,
          fills: 1,
        }),
        'OrdersNotRequester',
        [request.record.recordId, c.nurse.address],
      );
    });

    it('refuses an order placed twice', async () => {
      const request = await record(c.doctor, category.lab);
      await placeOrder(ledger, c.doctor, { request, kind: orderKind.lab, performerOrganisation: c.lab });
      await assertRevert(
        placeOrder(ledger, c.doctor, { request, kind: orderKind.lab, performerOrganisation: c.lab }),
        'OrdersAlreadyPlaced',
        [request.record.recordId],
      );
    });

    it('refuses a kind that does not exist', async () => {
      for (const kindCode of [0, 4]) {
        const request = await record(c.doctor, category.lab);
        await assertRevert(
          placeOrder(ledger, c.doctor, { request, kind: kindCode, performerOrganisation: c.lab }),
          'OrdersInvalidKind',
          [request.record.recordId, kindCode],
        );
      }
    });

    it('refuses a requester whose role or organisation does not fit the kind', async () => {
      const labRequest = await record(c.labTechnician, category.lab);
      await assertRevert(
        placeOrder(ledger, c.labTechnician, {
          request: labRequest,
          kind: orderKind.lab,
          performerOrganisation: c.lab,
        }),
        'OrdersNotRequester',
        [labRequest.record.recordId, c.labTechnician.address],
      );
      const claim = await record(insurerMember, category.insurance);
      await assertRevert(
        placeOrder(ledger, insurerMember, {
          request: claim,
          kind: orderKind.claim,
          performerOrganisation: insurer,
        }),
        'OrdersNotRequester',
        [claim.record.recordId, insurerMember.address],
      );
      await suspendMember(ledger, c.hospitalAdmin, c.doctor.address);
      const request = await record(c.doctor, category.lab);
      await assertRevert(
        placeOrder(ledger, c.doctor, { request, kind: orderKind.lab, performerOrganisation: c.lab }),
        'OrdersNotRequester',
        [request.record.recordId, c.doctor.address],
      );
    });

    it('refuses a performer that is not an active organisation of the kind the order needs', async () => {
      const cases: [number, number, number, number][] = [
        [orderKind.lab, category.lab, pharmacyA, 0],
        [orderKind.lab, category.lab, 0, 0],
        [orderKind.lab, category.lab, 99, 0],
        [orderKind.prescription, category.medication, c.lab, 1],
        [orderKind.claim, category.insurance, c.hospital, 0],
      ];
      for (const [kindCode, categoryCode, performer, amount] of cases) {
        const request = await record(c.doctor, categoryCode);
        await assertRevert(
          placeOrder(ledger, c.doctor, {
            request,
            kind: kindCode,
            performerOrganisation: performer,
            quantity: amount,
            fills: amount,
          }),
          'OrdersInvalidPerformer',
          [request.record.recordId, performer],
        );
      }
    });

    it('refuses quantities that do not fit the kind', async () => {
      const cases: [number, number, number, number, number][] = [
        [orderKind.lab, category.lab, c.lab, 1, 0],
        [orderKind.lab, category.lab, c.lab, 0, 1],
        [orderKind.prescription, category.medication, 0, 0, 1],
        [orderKind.prescription, category.medication, 0, 30, 0],
        [orderKind.claim, category.insurance, insurer, 5, 0],
      ];
      for (const [kindCode, categoryCode, performer, quantity, fills] of cases) {
        const request = await record(c.doctor, categoryCode);
        await assertRevert(
          placeOrder(ledger, c.doctor, {
            request,
            kind: kindCode,
            performerOrganisation: performer,
            quantity,
            fills,
          }),
          'OrdersInvalidQuantity',
          [request.record.recordId, quantity, fills],
        );
      }
    });

    it("refuses a request record whose category is not the kind's", async () => {
      const request = await record(c.doctor, category.medication);
      await assertRevert(
        placeOrder(ledger, c.doctor, { request, kind: orderKind.lab, performerOrganisation: c.lab }),
        'OrdersRecordMismatch',
        [request.record.recordId, request.record.recordId],
      );
    });

    it('refuses a signature that is not the request author’s, an expired one and a reused nonce', async () => {
      const request = await record(c.doctor, category.lab);
      const input = { request, kind: orderKind.lab, performerOrganisation: c.lab };
      await assertRevert(placeOrder(ledger, c.nurse, input), 'SignedActionInvalidSignature', [
        c.doctor.address,
      ]);
      const past = (await ledger.now()) - 1n;
      await assertRevert(placeOrder(ledger, c.doctor, input, { deadline: past }), 'SignedActionExpired', [
        past,
      ]);
      const nonce = 7n;
      await placeLabOrderWithNonce(nonce);
      await assertRevert(placeOrder(ledger, c.doctor, input, { nonce }), 'SignedActionNonceUsed', [
        c.doctor.address,
        nonce,
      ]);
    });

    async function placeLabOrderWithNonce(nonce: bigint) {
      const request = await record(c.doctor, category.lab);
      await placeOrder(
        ledger,
        c.doctor,
        { request, kind: orderKind.lab, performerOrganisation: c.lab },
        { nonce },
      );
    }

    it('reverts, placing nothing, when the requester may not append to the patient’s records', async () => {
      const request = await signedRecord(
        ledger,
        c.doctor,
        newRecord({ patient: c.otherPatient.address, author: c.doctor.address, category: category.lab }),
        grants.get(c.doctor.address),
      );
      await assertRevert(
        placeOrder(ledger, c.doctor, { request, kind: orderKind.lab, performerOrganisation: c.lab }),
        'RecordsNotAuthorised',
        [request.record.recordId, c.doctor.address],
      );
      assert.equal((await orderOf(request.record.recordId)).status, 0);
      assert.equal(await ledger.read('orders', 'orderCount'), 0n);
    });
  });

  describe('lab orders', () => {
    it('goes placed, accepted, in progress, completed with a DiagnosticReport and an Observation', async () => {
      const orderId = await placeLabOrder();
      const accepted = await setOrderStatus(ledger, c.labTechnician, orderId, orderStatus.accepted);
      gas.setStatus = accepted.receipt.gasUsed;
      assert.deepEqual(eventsNamed(accepted, 'OrderStatusChanged'), [
        { orderId, status: orderStatus.accepted, actor: c.labTechnician.address },
      ]);
      await setOrderStatus(ledger, c.labTechnician, orderId, orderStatus.inProgress);
      assert.equal((await orderOf(orderId)).status, orderStatus.inProgress);

      const report = await record(c.labTechnician, category.lab);
      const observation = await record(c.labTechnician, category.lab);
      const completed = await completeOrder(ledger, c.labTechnician, orderId, [report, observation]);
      gas.complete2Records = completed.receipt.gasUsed;
      assert.deepEqual(eventsNamed(completed, 'OrderCompleted'), [
        { orderId, actor: c.labTechnician.address, result: report.record.recordId },
      ]);
      assert.deepEqual(
        eventsNamed(completed, 'RecordAnchored').map((event) => event.recordId),
        [report.record.recordId, observation.record.recordId],
      );
      const order = await orderOf(orderId);
      assert.equal(order.status, orderStatus.completed);
      assert.ok(order.updatedAt >= order.placedAt);
    });

    it('accepts results whose others are of another category (an Observation filed as condition)', async () => {
      const orderId = await placeLabOrder();
      const report = await record(c.labTechnician, category.lab);
      const other = await record(c.labTechnician, category.condition);
      await completeOrder(ledger, c.labTechnician, orderId, [report, other]);
      assert.equal((await orderOf(orderId)).status, orderStatus.completed);
    });

    it('goes from placed straight to in progress, and refuses going back or staying', async () => {
      const orderId = await placeLabOrder();
      await setOrderStatus(ledger, c.labTechnician, orderId, orderStatus.inProgress);
      await assertRevert(
        setOrderStatus(ledger, c.labTechnician, orderId, orderStatus.accepted),
        'OrdersInvalidTransition',
        [orderId, orderStatus.inProgress, orderStatus.accepted],
      );
      await assertRevert(
        setOrderStatus(ledger, c.labTechnician, orderId, orderStatus.inProgress),
        'OrdersInvalidTransition',
        [orderId, orderStatus.inProgress, orderStatus.inProgress],
      );
    });

    it('refuses statuses one does not set: placed, completed, none, unknown', async () => {
      const orderId = await placeLabOrder();
      await setOrderStatus(ledger, c.labTechnician, orderId, orderStatus.accepted);
      for (const status of [0, orderStatus.placed, orderStatus.accepted, orderStatus.completed, 7]) {
        await assertRevert(
          setOrderStatus(ledger, c.labTechnician, orderId, status),
          'OrdersInvalidTransition',
          [orderId, orderStatus.accepted, status],
        );
      }
    });

    it('lets the performer reject an open order, after which nothing moves it', async () => {
      const orderId = await placeLabOrder();
      await setOrderStatus(ledger, c.labTechnician, orderId, orderStatus.rejected);
      await assertRevert(
        setOrderStatus(ledger, c.labTechnician, orderId, orderStatus.accepted),
        'OrdersNotOpen',
        [orderId, orderStatus.rejected],
      );
      await assertRevert(
        completeOrder(ledger, c.labTechnician, orderId, [await record(c.labTechnician, category.lab)]),
        'OrdersNotOpen',
        [orderId, orderStatus.rejected],
      );
    });

    it('refuses a status change by a lab the order was not sent to', async () => {
      const orderId = await placeLabOrder();
      await assertRevert(
        setOrderStatus(ledger, labBTechnician, orderId, orderStatus.accepted),
        'OrdersNotPerformer',
        [orderId, labBTechnician.address],
      );
      await assertRevert(
        setOrderStatus(ledger, c.doctor, orderId, orderStatus.rejected),
        'OrdersNotPerformer',
        [orderId, c.doctor.address],
      );
    });

    it('refuses a result posted by a lab that was not sent the order, anchoring nothing', async () => {
      const orderId = await placeLabOrder();
      const report = await record(labBTechnician, category.lab);
      await assertRevert(completeOrder(ledger, labBTechnician, orderId, [report]), 'OrdersNotPerformer', [
        orderId,
        labBTechnician.address,
      ]);
      assert.equal(await ledger.read('records', 'isAnchored', [report.record.recordId]), false);
      assert.equal((await orderOf(orderId)).status, orderStatus.placed);
    });

    it('refuses no results, results of another patient or author, and a first result of another category', async () => {
      const orderId = await placeLabOrder();
      await assertRevert(completeOrder(ledger, c.labTechnician, orderId, []), 'OrdersNoResults', [orderId]);
      const otherPatients = await record(c.labTechnician, category.lab, c.otherPatient.address);
      await assertRevert(
        completeOrder(ledger, c.labTechnician, orderId, [otherPatients]),
        'OrdersRecordMismatch',
        [orderId, otherPatients.record.recordId],
      );
      const report = await record(c.labTechnician, category.lab);
      const byDoctor = await record(c.doctor, category.lab);
      await assertRevert(
        completeOrder(ledger, c.labTechnician, orderId, [report, byDoctor]),
        'OrdersRecordMismatch',
        [orderId, byDoctor.record.recordId],
      );
      const condition = await record(c.labTechnician, category.condition);
      await assertRevert(
        completeOrder(ledger, c.labTechnician, orderId, [condition]),
        'OrdersRecordMismatch',
        [orderId, condition.record.recordId],
      );
    });

    it('refuses steps of an order that was never placed', async () => {
      const orderId = randomBytes32();
      await assertRevert(
        setOrderStatus(ledger, c.labTechnician, orderId, orderStatus.accepted),
        'OrdersUnknownOrder',
        [orderId],
      );
      await assertRevert(
        completeOrder(ledger, c.labTechnician, orderId, [await record(c.labTechnician, category.lab)]),
        'OrdersUnknownOrder',
        [orderId],
      );
      await assertRevert(dispense(pharmacistA, orderId, 1), 'OrdersUnknownOrder', [orderId]);
    });
  });

  describe('cancel', () => {
    it('lets the patient cancel, signing with its current key after a rotation', async () => {
      const orderId = await placeLabOrder();
      const newKey = newAccount();
      await rotatePatientKey(ledger, c.patient, newKey, { patient: c.patient.address });
      await assertRevert(
        setOrderStatus(ledger, c.patient, orderId, orderStatus.cancelled),
        'SignedActionInvalidSignature',
        [newKey.address],
      );
      const cancelled = await setOrderStatus(ledger, newKey, orderId, orderStatus.cancelled, {
        actor: c.patient.address,
      });
      assert.deepEqual(eventsNamed(cancelled, 'OrderStatusChanged'), [
        { orderId, status: orderStatus.cancelled, actor: c.patient.address },
      ]);
      assert.equal((await orderOf(orderId)).status, orderStatus.cancelled);
      await assertRevert(
        setOrderStatus(ledger, c.labTechnician, orderId, orderStatus.accepted),
        'OrdersNotOpen',
        [orderId, orderStatus.cancelled],
      );
    });

    it('lets the requester cancel while an active member, and nobody else', async () => {
      const orderId = await placeLabOrder();
      for (const actor of [c.nurse, c.labTechnician, c.otherPatient]) {
        await assertRevert(
          setOrderStatus(ledger, actor, orderId, orderStatus.cancelled),
          'OrdersNotRequesterOrPatient',
          [orderId, actor.address],
        );
      }
      await setOrderStatus(ledger, c.doctor, orderId, orderStatus.cancelled);
      await assertRevert(setOrderStatus(ledger, c.doctor, orderId, orderStatus.cancelled), 'OrdersNotOpen', [
        orderId,
        orderStatus.cancelled,
      ]);

      const other = await placeLabOrder();
      await suspendMember(ledger, c.hospitalAdmin, c.doctor.address);
      await assertRevert(
        setOrderStatus(ledger, c.doctor, other, orderStatus.cancelled),
        'OrdersNotRequesterOrPatient',
        [other, c.doctor.address],
      );
    });
  });

  describe('prescriptions', () => {
    it('dispenses 30 and 30 of 60 in two fills, then refuses a third', async () => {
      const orderId = await prescribe(60, 2);
      const first = await dispense(pharmacistA, orderId, 30);
      gas.dispense = first.receipt.gasUsed;
      const [dispensed] = eventsNamed(first, 'OrderDispensed');
      assert.equal(dispensed?.dispensed, 30);
      assert.equal(dispensed?.fillsUsed, 1);
      assert.equal((await orderOf(orderId)).status, orderStatus.inProgress);
      await dispense(pharmacistB, orderId, 30);
      const order = await orderOf(orderId);
      assert.equal(order.status, orderStatus.completed);
      assert.equal(order.dispensed, 60);
      assert.equal(order.fillsUsed, 2);
      await assertRevert(dispense(pharmacistA, orderId, 1), 'OrdersFillsUsed', [orderId, 2]);
    });

    it('refuses more than remains, and completes when every fill is used', async () => {
      const orderId = await prescribe(60, 2);
      await dispense(pharmacistA, orderId, 50);
      await assertRevert(dispense(pharmacistA, orderId, 20), 'OrdersQuantityExceeded', [orderId, 20, 10]);
      await dispense(pharmacistA, orderId, 5);
      const order = await orderOf(orderId);
      assert.equal(order.status, orderStatus.completed);
      assert.equal(order.dispensed, 55);
    });

    it('of two dispenses for the last units in one block, the second reverts and leaves no record', async () => {
      const orderId = await prescribe(30, 3);
      const recordA = await record(pharmacistA, category.medication);
      const recordB = await record(pharmacistB, category.medication);
      const argsA = await dispenseArguments(ledger, pharmacistA, orderId, 30, recordA);
      const argsB = await dispenseArguments(ledger, pharmacistB, orderId, 20, recordB);
      await ledger.testClient.setAutomine(false);
      try {
        const send = (args: readonly unknown[]) =>
          ledger.walletClient.writeContract({
            address: ledger.addresses.orders,
            abi: abis.orders,
            functionName: 'dispense',
            args: args as never,
            gas: 1_000_000n,
          });
        const hashA = await send(argsA);
        const hashB = await send(argsB);
        await ledger.testClient.mine({ blocks: 1 });
        const receiptA = await ledger.publicClient.waitForTransactionReceipt({ hash: hashA });
        const receiptB = await ledger.publicClient.waitForTransactionReceipt({ hash: hashB });
        assert.equal(receiptA.blockNumber, receiptB.blockNumber);
        assert.equal(receiptA.status, 'success');
        assert.equal(receiptB.status, 'reverted');
      } finally {
        await ledger.testClient.setAutomine(true);
      }
      assert.equal(await ledger.read('records', 'isAnchored', [recordA.record.recordId]), true);
      assert.equal(await ledger.read('records', 'isAnchored', [recordB.record.recordId]), false);
      const order = await orderOf(orderId);
      assert.equal(order.dispensed, 30);
      assert.equal(order.status, orderStatus.completed);
      // Sent again, the loser's dispense says why it lost.
      await assertRevert(ledger.write('orders', 'dispense', argsB), 'OrdersQuantityExceeded', [
        orderId,
        20,
        0,
      ]);
    });

    it('refuses a dispenser that is not an active pharmacist of a pharmacy, or of the pharmacy named', async () => {
      const anyPharmacy = await prescribe(10, 1);
      for (const actor of [pharmacyAdmin, c.doctor]) {
        await assertRevert(dispense(actor, anyPharmacy, 1), 'OrdersNotPerformer', [
          anyPharmacy,
          actor.address,
        ]);
      }
      const toPharmacyA = await prescribe(10, 1, pharmacyA);
      await assertRevert(dispense(pharmacistB, toPharmacyA, 1), 'OrdersNotPerformer', [
        toPharmacyA,
        pharmacistB.address,
      ]);
      await dispense(pharmacistA, toPharmacyA, 10);
    });

    it('refuses a dispense record that is not the prescription patient’s medication record', async () => {
      const orderId = await prescribe(10, 1);
      const wrongCategory = await record(pharmacistA, category.lab);
      await assertRevert(
        dispenseOrder(ledger, pharmacistA, orderId, 1, wrongCategory),
        'OrdersRecordMismatch',
        [orderId, wrongCategory.record.recordId],
      );
      const otherPatients = await record(pharmacistA, category.medication, c.otherPatient.address);
      await assertRevert(
        dispenseOrder(ledger, pharmacistA, orderId, 1, otherPatients),
        'OrdersRecordMismatch',
        [orderId, otherPatients.record.recordId],
      );
    });

    it('refuses a zero quantity, a cancelled prescription, and a dispense of a lab order', async () => {
      const orderId = await prescribe(10, 2);
      await assertRevert(dispense(pharmacistA, orderId, 0), 'OrdersInvalidQuantity', [orderId, 0, 2]);
      await setOrderStatus(ledger, c.patient, orderId, orderStatus.cancelled);
      await assertRevert(dispense(pharmacistA, orderId, 1), 'OrdersNotOpen', [
        orderId,
        orderStatus.cancelled,
      ]);
      const labOrder = await placeLabOrder();
      await assertRevert(dispense(pharmacistA, labOrder, 1), 'OrdersWrongKind', [labOrder, orderKind.lab]);
    });

    it('refuses status changes and results for a prescription', async () => {
      const orderId = await prescribe(10, 1);
      await assertRevert(
        setOrderStatus(ledger, pharmacistA, orderId, orderStatus.accepted),
        'OrdersInvalidTransition',
        [orderId, orderStatus.placed, orderStatus.accepted],
      );
      await assertRevert(
        completeOrder(ledger, pharmacistA, orderId, [await record(pharmacistA, category.medication)]),
        'OrdersWrongKind',
        [orderId, orderKind.prescription],
      );
    });

    it('reverts a dispense by a pharmacy the patient does not allow (Records: no append grant)', async () => {
      const orderId = await prescribe(10, 1);
      const pharmacist = newAccount();
      await addMember(ledger, pharmacyAdmin, {
        organisationId: pharmacyA,
        member: pharmacist.address,
        role: role.pharmacist,
      });
      const unauthorised = await signedRecord(
        ledger,
        pharmacist,
        newRecord({ patient: c.patient.address, author: pharmacist.address, category: category.medication }),
      );
      await assertRevert(
        dispenseOrder(ledger, pharmacist, orderId, 1, unauthorised),
        'RecordsNotAuthorised',
        [unauthorised.record.recordId, pharmacist.address],
      );
      assert.equal((await orderOf(orderId)).dispensed, 0);
    });
  });

  describe('claims', () => {
    it('goes from the hospital’s Claim to the insurer’s ClaimResponse', async () => {
      const claim = await record(c.doctor, category.insurance);
      const orderId = claim.record.recordId;
      await placeOrder(ledger, c.doctor, {
        request: claim,
        kind: orderKind.claim,
        performerOrganisation: insurer,
      });
      await setOrderStatus(ledger, insurerMember, orderId, orderStatus.inProgress);
      const response = await record(insurerMember, category.insurance);
      await completeOrder(ledger, insurerMember, orderId, [response]);
      const order = await orderOf(orderId);
      assert.equal(order.kind, orderKind.claim);
      assert.equal(order.status, orderStatus.completed);
      assert.equal(order.requesterOrganisation, c.hospital);
      assert.equal(order.performerOrganisation, insurer);
    });

    it('reverts a claim whose author has no append grant on insurance (Records), placing nothing', async () => {
      const claim: RecordInput = await signedRecord(
        ledger,
        c.nurse,
        newRecord({ patient: c.patient.address, author: c.nurse.address, category: category.insurance }),
        grants.get(c.nurse.address),
      );
      await assertRevert(
        placeOrder(ledger, c.nurse, {
          request: claim,
          kind: orderKind.claim,
          performerOrganisation: insurer,
        }),
        'RecordsNotAuthorised',
        [claim.record.recordId, c.nurse.address],
      );
      assert.equal((await orderOf(claim.record.recordId)).status, 0);
    });

    it('refuses a ClaimResponse by another organisation than the insurer', async () => {
      const claim = await record(c.doctor, category.insurance);
      await placeOrder(ledger, c.doctor, {
        request: claim,
        kind: orderKind.claim,
        performerOrganisation: insurer,
      });
      const response = await record(c.doctor, category.insurance);
      await assertRevert(
        completeOrder(ledger, c.doctor, claim.record.recordId, [response]),
        'OrdersNotPerformer',
        [claim.record.recordId, c.doctor.address],
      );
    });
  });
});
