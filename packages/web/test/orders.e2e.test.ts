/**
 * The clinical workflows of issue 14 end to end, in Debian's Chromium, against a real `medledger
 * start` (real process, real anvil, temporary data directory): each role works in its own browser.
 *
 * The consortium (a hospital, a laboratory, two pharmacies, an insurer), its members and the
 * patient's consents to those organisations are set up through the client library; the workflows
 * are walked in the browsers only:
 * - a doctor orders a lab test from the laboratory; the laboratory's worklist marks it received and
 *   in progress and posts the result; the doctor and the patient see the order completed and read
 *   the result; an order the lab cannot perform it rejects, another the patient cancels, and the
 *   doctor sees both;
 * - a doctor prescribes with a refill; a pharmacy dispenses the first fill; another pharmacy
 *   dispenses the rest meanwhile, so the first pharmacy's stale second dispensing is refused in
 *   plain words; the prescription shows dispensed, with quantities and dates, to the doctor and the
 *   patient;
 * - the hospital submits a claim to the insurer; the insurer reads its items and decides it
 *   partly; the hospital and the patient see the decision.
 * Screenshots (test-results/): lab-worklist, pharmacy-dispensing, claim-decided, and more.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createGatewayClient, dispenseOrder, type GatewayClient, listOrders } from '@medledger/client';
import {
  buildCoverage,
  buildDispense,
  generateIdentity,
  type Identity,
  type OrganisationKind,
  patientReference,
  type Role,
  serializeKeyFile,
} from '@medledger/core';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  cleanUp,
  type GatewayProcess,
  startGatewayProcess,
  temporaryDirectory,
} from '../../cli/test/helpers/processes.ts';
import {
  clearFailureScreenshots,
  launchChromium,
  nav,
  newActor,
  type SentRequest,
  screenshot,
} from './helpers/browser.ts';

const passphrase = 'correct horse battery';

async function importKeyFile(page: Page, label: string, identity: Identity): Promise<void> {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Import identity' }).click();
  await page.getByLabel('Key file', { exact: true }).setInputFiles({
    name: 'key.json',
    mimeType: 'application/json',
    buffer: Buffer.from(serializeKeyFile(identity)),
  });
  await page.getByLabel('Name for this identity').fill(label);
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Import and sign in' }).click();
  await page.locator('.who').waitFor();
}

async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** The order card whose text has `text`. */
function orderCard(page: Page, text: string): Locator {
  return page.locator('.order-card').filter({ hasText: text });
}

/**
 * Waits for `target` to show; a list updates itself when a notification says an order changed, and
 * where none comes (a pharmacy is not told of a prescription for any pharmacy) its Refresh is clicked.
 */
async function shows(scope: Locator, target: Locator): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const shown = await target
      .first()
      .waitFor({ timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    if (shown) return;
    assert.ok(Date.now() < deadline, 'not shown within 60 s, even after refreshing');
    await scope.getByRole('button', { name: 'Refresh' }).click();
  }
}

/** Waits until the card's steps read as `pattern` (they load after the card's status). */
async function stepsShow(card: Locator, pattern: RegExp): Promise<void> {
  await card.getByRole('list', { name: 'Steps' }).filter({ hasText: pattern }).waitFor();
}

interface Organisation {
  id: number;
  admin: GatewayClient;
}

describe('clinical workflows (orders, prescriptions, claims), end to end in Chromium', {
  timeout: 900_000,
}, () => {
  let gateway: GatewayProcess;
  let browser: Browser;
  const sent: SentRequest[] = [];
  const screenshots: string[] = [];
  const pages: Record<string, Page> = {};
  const people = {
    doctor: generateIdentity(),
    lab: generateIdentity(),
    pharmacist: generateIdentity(),
    otherPharmacist: generateIdentity(),
    insurer: generateIdentity(),
    patient: generateIdentity(),
  };
  let patientAddress = '';
  let insurerId = 0;
  let doctor: Page;
  let lab: Page;
  let pharmacist: Page;
  let insurer: Page;
  let patient: Page;

  before(async () => {
    await clearFailureScreenshots();
    gateway = await startGatewayProcess({
      dataDir: await temporaryDirectory('orders-e2e'),
      timeoutMs: 180_000,
    });
    const admins: GatewayClient[] = [];
    /** A new organisation, approved by the admins of those before it until it is active, with its gateway published. */
    const organisation = async (name: string, kind: OrganisationKind): Promise<Organisation> => {
      const admin = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
      const created = await admin.createOrganisation({ name, kind });
      let status = created.status;
      for (const approver of admins) {
        if (status === 'active') break;
        status = (await approver.approveOrganisation(created.organisationId)).status;
      }
      assert.equal(status, 'active', `${name} was admitted`);
      admins.push(admin);
      await admin.publishGateway(created.organisationId);
      return { id: created.organisationId, admin };
    };
    const member = (org: Organisation, identity: Identity, role: Role) =>
      org.admin.addMember({
        organisationId: org.id,
        member: createGatewayClient({ url: gateway.url, identity }).address,
        role,
        encryptionKey: identity.encryption.publicKey,
      });
    const hospital = await organisation('St Mary Hospital', 'hospital');
    const cityLab = await organisation('City Lab', 'lab');
    const corner = await organisation('Corner Pharmacy', 'pharmacy');
    const harbour = await organisation('Harbour Pharmacy', 'pharmacy');
    const mutual = await organisation('Mutual Health', 'insurer');
    await member(hospital, people.doctor, 'doctor');
    await member(cityLab, people.lab, 'lab');
    await member(corner, people.pharmacist, 'pharmacist');
    await member(harbour, people.otherPharmacist, 'pharmacist');
    await member(mutual, people.insurer, 'insurer');

    // The patient registers with the hospital and consents to each organisation's part.
    const patientClient = createGatewayClient({ url: gateway.url, identity: people.patient });
    patientAddress = patientClient.address;
    await patientClient.registerPatient({ organisationId: hospital.id });
    const day = 24 * 3600;
    for (const [organisation, categories] of [
      [hospital, ['lab', 'medication', 'insurance', 'encounter']],
      [cityLab, ['lab']],
      [corner, ['medication']],
      [harbour, ['medication']],
      [mutual, ['insurance']],
    ] as const) {
      await patientClient.grantConsent({
        granteeOrganisation: organisation.id,
        categories: [...categories],
        actions: ['read', 'append'],
        expiresInSeconds: day,
      });
    }

    // The patient's insurance, and the visit the hospital will claim for.
    await patientClient.addRecord({
      patient: patientClient.address,
      category: 'insurance',
      resource: buildCoverage({
        patient: patientAddress,
        insurer: 'Mutual Health',
        insurerOrganisation: mutual.id,
      }),
    });
    insurerId = mutual.id;
    const doctorClient = createGatewayClient({ url: gateway.url, identity: people.doctor });
    await doctorClient.addRecord({
      patient: patientClient.address,
      category: 'encounter',
      resource: {
        resourceType: 'Encounter',
        id: 'visit',
        status: 'finished',
        class: {
          system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
          code: 'AMB',
          display: 'ambulatory',
        },
        type: [{ text: 'Diabetes consultation' }],
        subject: patientReference(patientAddress),
        period: { start: '2026-12-03T09:00:00Z', end: '2026-12-03T09:30:00Z' },
      },
    });

    browser = await launchChromium();
    for (const name of ['doctor', 'lab', 'pharmacist', 'insurer', 'patient'] as const) {
      pages[name] = (await newActor(browser, gateway.url, sent)).page;
    }
    doctor = pages.doctor as Page;
    lab = pages.lab as Page;
    pharmacist = pages.pharmacist as Page;
    insurer = pages.insurer as Page;
    patient = pages.patient as Page;
    await Promise.all([
      importKeyFile(doctor, 'Dr Rivera', people.doctor),
      importKeyFile(lab, 'City Lab bench', people.lab),
      importKeyFile(pharmacist, 'Corner Pharmacy counter', people.pharmacist),
      importKeyFile(insurer, 'Mutual Health claims', people.insurer),
      importKeyFile(patient, 'Alex', people.patient),
    ]);
    // The doctor opens the patient's chart once; its orders section stays open for the three workflows.
    await nav(doctor, 'Patients');
    await doctor.getByLabel('Patient address').fill(patientAddress);
    await doctor.getByRole('button', { name: 'Open' }).click();
    await doctor.getByRole('heading', { name: 'Orders, prescriptions and claims' }).waitFor();
  });

  afterEach(async (context) => {
    if (!(context as unknown as { passed?: boolean }).passed) {
      for (const [name, page] of Object.entries(pages)) {
        await screenshot(page, `failed-orders-${name}`).catch(() => undefined);
      }
    }
  });

  after(async () => {
    await browser?.close();
    await cleanUp();
    if (screenshots.length) console.log(`screenshots:\n${screenshots.join('\n')}`);
  });

  const chartOrders = () =>
    doctor
      .locator('section.card')
      .filter({ has: doctor.getByRole('heading', { name: 'Orders, prescriptions and claims' }) });

  it('a doctor orders a lab test from City Lab; the lab receives it and posts the result; the doctor and the patient see it completed', async () => {
    await doctor.getByRole('button', { name: 'Order a lab test' }).click();
    const form = doctor.getByRole('form', { name: 'Lab order' });
    await form.getByLabel('Laboratory').selectOption({ label: 'City Lab' });
    await form.getByLabel('Test', { exact: true }).fill('Hemoglobin A1c');
    await form.getByLabel('LOINC code (optional)').fill('4548-4');
    await form.getByLabel('Reason').fill('Diabetes follow-up');
    await form.getByRole('button', { name: 'Order test' }).click();
    await form.getByText(/Lab order sent to City Lab\./).waitFor();
    const doctorsOrder = orderCard(doctor, 'Hemoglobin A1c');
    await doctorsOrder.getByText('sent to the lab', { exact: true }).waitFor();
    assert.match(await textOf(doctorsOrder), /Ordered by\s*St Mary Hospital[\s\S]*Laboratory\s*City Lab/);

    await nav(lab, 'Worklist');
    const card = orderCard(lab, 'Hemoglobin A1c');
    await shows(lab.locator('main'), card);
    assert.match(await textOf(card), /Patient/);
    await card.getByRole('button', { name: 'Mark received' }).click();
    await card.getByText('received', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Mark in progress' }).click();
    await card.getByText('in progress', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Post result' }).click();
    await card.getByLabel('Value').fill('7.1');
    await card.getByLabel('Unit').fill('%');
    await card.getByLabel('Reference low').fill('4');
    await card.getByLabel('Reference high').fill('5.6');
    await card.getByLabel('Conclusion').fill('Above target: adjust the treatment.');
    screenshots.push(await screenshot(lab, 'lab-worklist'));
    await card.getByRole('button', { name: 'Post result' }).click();
    await card.waitFor({ state: 'detached' });
    await lab.getByRole('button', { name: 'Completed', exact: true }).click();
    await orderCard(lab, 'Hemoglobin A1c').getByText('completed · result posted').waitFor();
    screenshots.push(await screenshot(lab, 'lab-worklist-completed'));

    await shows(chartOrders(), doctorsOrder.getByText('completed · result posted', { exact: true }));
    await stepsShow(doctorsOrder, /Ordered[\s\S]*Received[\s\S]*In progress[\s\S]*Result posted/);
    await doctorsOrder.getByRole('button', { name: 'Open result' }).click();
    await doctorsOrder.getByText('Above target: adjust the treatment.').waitFor();
    assert.match(await textOf(doctorsOrder), /7\.1 %[\s\S]*4 – 5\.6 %/);

    await nav(patient, 'Orders and claims');
    const mine = orderCard(patient, 'Hemoglobin A1c');
    await mine.getByText('completed · result posted').waitFor();
    await mine.getByRole('button', { name: 'Open result' }).click();
    await mine.getByText('Above target: adjust the treatment.').waitFor();
    assert.match(await textOf(mine), /7\.1 %/);
    screenshots.push(await screenshot(patient, 'patient-lab-result'));
  });

  it('the lab rejects an order it cannot perform, the patient cancels another; the doctor sees both', async () => {
    await doctor.getByRole('button', { name: 'Order a lab test' }).click();
    const form = doctor.getByRole('form', { name: 'Lab order' });
    await form.getByLabel('Laboratory').selectOption({ label: 'City Lab' });
    await form.getByLabel('Test', { exact: true }).fill('Genetic panel');
    await form.getByRole('button', { name: 'Order test' }).click();
    await orderCard(doctor, 'Genetic panel').getByText('sent to the lab', { exact: true }).waitFor();

    await lab.getByRole('button', { name: 'Open', exact: true }).click();
    const card = orderCard(lab, 'Genetic panel');
    await shows(lab.locator('main'), card);
    await card.getByRole('button', { name: 'Reject' }).click();
    await card.waitFor({ state: 'detached' });
    await lab.getByRole('button', { name: 'Rejected', exact: true }).click();
    await orderCard(lab, 'Genetic panel').getByText('rejected', { exact: true }).waitFor();
    assert.equal(
      await orderCard(lab, 'Genetic panel').getByRole('button', { name: 'Post result' }).count(),
      0,
    );

    const doctorsOrder = orderCard(doctor, 'Genetic panel');
    await shows(chartOrders(), doctorsOrder.getByText('rejected', { exact: true }));
    await stepsShow(doctorsOrder, /Ordered[\s\S]*Rejected by City Lab/);

    await doctor.getByRole('button', { name: 'Order a lab test' }).click();
    await form.getByLabel('Laboratory').selectOption({ label: 'City Lab' });
    await form.getByLabel('Test', { exact: true }).fill('Vitamin D');
    await form.getByRole('button', { name: 'Order test' }).click();
    await orderCard(doctor, 'Vitamin D').getByText('sent to the lab', { exact: true }).waitFor();
    await nav(patient, 'My records');
    await nav(patient, 'Orders and claims');
    const mine = orderCard(patient, 'Vitamin D');
    await mine.getByRole('button', { name: 'Cancel this lab test' }).click();
    await mine.getByText('cancelled', { exact: true }).waitFor();
    await stepsShow(mine, /Cancelled by you/);
    await shows(chartOrders(), orderCard(doctor, 'Vitamin D').getByText('cancelled', { exact: true }));
    await stepsShow(orderCard(doctor, 'Vitamin D'), /Cancelled by the patient/);
  });

  it('a doctor prescribes with a refill; a pharmacy dispenses; a stale second dispensing after another pharmacy is refused in plain words; the prescription shows dispensed with quantities and dates', async () => {
    await doctor.getByRole('button', { name: 'Prescribe', exact: true }).click();
    const form = doctor.getByRole('form', { name: 'Prescription' });
    await form.getByLabel('Medicine and strength').fill('Metformin 500 mg');
    await form.getByLabel('Dose', { exact: true }).fill('1');
    await form.getByLabel('Dose unit').fill('tablet');
    await form.getByLabel('Times').fill('2');
    await form.getByLabel('Quantity a fill').fill('30');
    await form.getByLabel('Refills').fill('1');
    await form.getByRole('button', { name: 'Send prescription' }).click();
    await form
      .getByText(/Prescribed: 30 tablet a fill, 2 fills \(60 in all\), for any pharmacy the patient allows\./)
      .waitFor();
    const doctorsPrescription = orderCard(doctor, 'Metformin 500 mg');
    await doctorsPrescription.getByText('not dispensed yet', { exact: true }).waitFor();

    await nav(pharmacist, 'Prescriptions');
    const card = orderCard(pharmacist, 'Metformin 500 mg');
    await shows(pharmacist.locator('main'), card);
    assert.match(await textOf(card), /0 of 60 · 60 remaining · fills used 0 of 2/);
    assert.equal(await card.getByLabel('Quantity dispensed').inputValue(), '30');
    await card.getByRole('button', { name: 'Dispense', exact: true }).click();
    await pharmacist.getByText('Dispensed 30 tablet: 30 of 60 dispensed on this prescription.').waitFor();
    await card.getByText('partly dispensed', { exact: true }).waitFor();
    assert.match(await textOf(card), /30 of 60 · 30 remaining · fills used 1 of 2/);
    screenshots.push(await screenshot(pharmacist, 'pharmacy-dispensing'));

    // Meanwhile Harbour Pharmacy dispenses the rest: the chain takes it, and Corner's page is stale.
    const harbour = createGatewayClient({ url: gateway.url, identity: people.otherPharmacist });
    const [prescription] = await listOrders(harbour, { view: 'worklist', kind: 'prescription' });
    assert.ok(prescription, 'Harbour Pharmacy sees the prescription');
    const { resource } = await harbour.readRecord(prescription.requestRecordId);
    await dispenseOrder(harbour, {
      orderId: prescription.orderId,
      quantity: 30,
      resource: buildDispense({
        patient: patientAddress,
        prescription: { ...(resource as Record<string, unknown>), id: prescription.orderId.slice(2) },
        quantity: 30,
        unit: 'tablet',
        pharmacist: harbour.address,
      }),
    });
    await card.getByRole('button', { name: 'Dispense', exact: true }).click();
    await pharmacist.getByRole('alert').filter({ hasText: 'Not dispensed:' }).waitFor();
    assert.match(
      await textOf(pharmacist.getByRole('alert').filter({ hasText: 'Not dispensed:' })),
      /another pharmacy/,
    );
    screenshots.push(await screenshot(pharmacist, 'pharmacy-dispensing-refused'));
    await pharmacist.getByRole('button', { name: 'Dispensed', exact: true }).click();
    await orderCard(pharmacist, 'Metformin 500 mg')
      .getByText('60 of 60 · 0 remaining · fills used 2 of 2')
      .waitFor();

    await shows(chartOrders(), doctorsPrescription.getByText('dispensed', { exact: true }));
    await stepsShow(
      doctorsPrescription,
      /Prescribed[\s\S]*Dispensed 30 by .*·.*\d{4}[\s\S]*Dispensed 30 by .*·.*\d{4}/,
    );
    assert.match(await textOf(doctorsPrescription), /60 of 60/);

    await nav(patient, 'My records');
    await nav(patient, 'Orders and claims');
    const mine = orderCard(patient, 'Metformin 500 mg');
    await mine.getByText('dispensed', { exact: true }).waitFor();
    // Each dispensing names its pharmacy, with the date.
    await stepsShow(
      mine,
      /Dispensed 30 by Corner Pharmacy .*· .*\d{4}[\s\S]*Dispensed 30 by Harbour Pharmacy .*· .*\d{4}/,
    );
    await mine.getByRole('button', { name: 'Open dispensings' }).click();
    await mine
      .getByText(/30 tablet/)
      .first()
      .waitFor();
    screenshots.push(await screenshot(patient, 'patient-prescription-dispensed'));
  });

  it('the hospital submits a claim to Mutual Health; the insurer decides it partly; the hospital and the patient see the decision', async () => {
    await doctor.getByRole('button', { name: 'Submit a claim' }).click();
    const form = doctor.getByRole('form', { name: 'Claim' });
    // The patient's Coverage names the insurer, and the doctor's encounter is there to claim for.
    await form.getByText('The patient’s coverage names Mutual Health.').waitFor();
    assert.equal(await form.getByLabel('Insurer').inputValue(), String(insurerId));
    await form.getByLabel('Encounter').selectOption({ index: 1 });
    assert.match(await textOf(form.getByLabel('Encounter')), /Diabetes consultation/);
    await form.getByLabel('Code 1').fill('99213');
    await form.getByLabel('Service 1').fill('Consultation');
    await form.getByLabel('Amount 1').fill('80');
    await form.getByRole('button', { name: 'Add an item' }).click();
    await form.getByLabel('Code 2').fill('83036');
    await form.getByLabel('Service 2').fill('HbA1c test');
    await form.getByLabel('Amount 2').fill('25');
    await form.getByRole('button', { name: 'Submit claim' }).click();
    await form.getByText(/Claim submitted to Mutual Health\./).waitFor();
    const doctorsClaim = orderCard(doctor, '105.00 EUR');
    await doctorsClaim.getByText('submitted', { exact: true }).waitFor();

    await nav(insurer, 'Claims');
    const card = orderCard(insurer, '105.00 EUR');
    await shows(insurer.locator('main'), card);
    assert.match(await textOf(card), /Consultation\s*80\.00 EUR[\s\S]*HbA1c test\s*25\.00 EUR/);
    assert.match(await textOf(card), /Submitted by\s*St Mary Hospital/);
    await card.getByLabel('Approve partly').check();
    await card.getByLabel('Amount paid').fill('95');
    await card.getByLabel('Reason').fill('HbA1c tests are covered up to 15 EUR.');
    await card.getByRole('button', { name: 'Decide claim' }).click();
    await card.waitFor({ state: 'detached' });
    await insurer.getByRole('button', { name: 'Decided', exact: true }).click();
    const decided = orderCard(insurer, '105.00 EUR');
    await decided.getByText('decided', { exact: true }).waitFor();
    await decided.getByRole('button', { name: 'Open decision' }).click();
    await decided.getByText('partly approved', { exact: true }).waitFor();
    assert.match(await textOf(decided), /approved 95\.00 EUR of 105\.00 EUR/);
    screenshots.push(await screenshot(insurer, 'claim-decided'));

    await shows(chartOrders(), doctorsClaim.getByText('decided', { exact: true }));
    await doctorsClaim.getByRole('button', { name: 'Open decision' }).click();
    await doctorsClaim.getByText('Claim partly approved: HbA1c tests are covered up to 15 EUR.').waitFor();
    assert.match(await textOf(doctorsClaim), /partly approved[\s\S]*95\.00 EUR of 105\.00 EUR/);

    await nav(patient, 'My records');
    await nav(patient, 'Orders and claims');
    const mine = orderCard(patient, '105.00 EUR');
    await mine.getByText('decided', { exact: true }).waitFor();
    await mine.getByRole('button', { name: 'Open decision' }).click();
    await mine.getByText('partly approved', { exact: true }).waitFor();
    screenshots.push(await screenshot(patient, 'patient-orders'));
  });

  it('the ledger explorer verifies every record the workflows anchored, in the browser', async () => {
    await nav(patient, 'Ledger');
    await patient.getByRole('button', { name: 'Check the whole chain' }).click();
    const outcome = patient
      .getByText(/Verified: \d+ record\(s\) and \d+ block\(s\) match the chain/)
      .or(patient.getByText(/^Verification failed/));
    await outcome.first().waitFor();
    assert.match(await textOf(outcome.first()), /^Verified: /);
  });

  it('the gateway received no plaintext of the orders', () => {
    const bodies = sent.filter((request) => request.body);
    assert.ok(
      bodies.some((request) => request.url.includes('/api/orders')),
      'orders were sent',
    );
    for (const request of bodies) {
      for (const secret of ['Hemoglobin', 'Metformin', 'HbA1c', 'Above target']) {
        assert.ok(!request.body.includes(secret), `${request.method} ${request.url} carried “${secret}”`);
      }
    }
  });
});
