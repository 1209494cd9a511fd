/**
 * The laboratory's and the insurer's screens end to end, in Debian's Chromium, against a real
 * `medledger start`. The consortium (a hospital, a laboratory, an insurer), its members, the
 * patient's consents, a lab order and a claim are set up through the client library, as the
 * hospital's systems would; the laboratory and the insurer then work in their browsers only:
 * - the laboratory's worklist receives the order, marks it in progress and posts a result with its
 *   reference range; the result is above the range, so the patient sees it flagged High in its
 *   orders and in its records, and the laboratory sees it flagged in the patient's chart; the
 *   order's requester (an address in the FHIR resource) shows as an address, not 42 raw characters;
 * - under the patient's consent alone, the laboratory records a result on the patient's chart; below
 *   its range, the patient sees it flagged Low;
 * - the insurer's claims list shows the submitted claim with its items; the insurer denies it with a
 *   reason, and the patient sees the decision.
 * Screenshots (test-results/): lab-insurer-*.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createGatewayClient, type GatewayClient, placeOrder } from '@medledger/client';
import {
  buildClaim,
  buildCoverage,
  buildLabOrder,
  generateIdentity,
  type Identity,
  type OrganisationKind,
  type Role,
} from '@medledger/core';
import type { Locator, Page } from 'playwright-core';
import {
  cleanUp,
  type GatewayProcess,
  startGatewayProcess,
  temporaryDirectory,
} from '../../cli/test/helpers/processes.ts';
import {
  clearFailureScreenshots,
  importIdentity,
  launchChromium,
  nav,
  newActor,
  type SentRequest,
  screenshot,
} from './helpers/browser.ts';

/** The order card whose text has `text`. */
function orderCard(page: Page, text: string): Locator {
  return page.locator('.order-card').filter({ hasText: text });
}

describe('the laboratory and the insurer, in Chromium', { timeout: 600_000 }, () => {
  let gateway: GatewayProcess;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const sent: SentRequest[] = [];
  const people = {
    doctor: generateIdentity(),
    lab: generateIdentity(),
    insurer: generateIdentity(),
    patient: generateIdentity(),
  };
  let lab: Page;
  let insurer: Page;
  let patient: Page;

  before(async () => {
    await clearFailureScreenshots();
    gateway = await startGatewayProcess({
      dataDir: await temporaryDirectory('web-lab-insurer'),
      timeoutMs: 120_000,
    });
    const admins: GatewayClient[] = [];
    /** A new organisation, approved by the admins of those before it until it is active. */
    const organisation = async (name: string, kind: OrganisationKind) => {
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
    const member = (org: { id: number; admin: GatewayClient }, identity: Identity, role: Role) =>
      org.admin.addMember({
        organisationId: org.id,
        member: identity.address,
        role,
        encryptionKey: identity.encryption.publicKey,
      });
    const hospital = await organisation('St Mary Hospital', 'hospital');
    const cityLab = await organisation('City Lab', 'lab');
    const mutual = await organisation('Mutual Health', 'insurer');
    await member(hospital, people.doctor, 'doctor');
    await member(cityLab, people.lab, 'lab');
    await member(mutual, people.insurer, 'insurer');

    const patientClient = createGatewayClient({ url: gateway.url, identity: people.patient });
    const patientAddress = patientClient.address;
    await patientClient.registerPatient({ organisationId: hospital.id });
    for (const [organisation, categories] of [
      [hospital, ['lab', 'insurance', 'encounter']],
      [cityLab, ['lab']],
      [mutual, ['insurance']],
    ] as const) {
      await patientClient.grantConsent({
        granteeOrganisation: organisation.id,
        categories: [...categories],
        actions: ['read', 'append'],
        expiresInSeconds: 24 * 3600,
      });
    }
    await patientClient.addRecord({
      patient: patientAddress,
      category: 'insurance',
      resource: buildCoverage({
        patient: patientAddress,
        insurer: 'Mutual Health',
        insurerOrganisation: mutual.id,
      }),
    });

    // The hospital's systems order a test from the laboratory and claim the visit from the insurer.
    const doctorClient = createGatewayClient({ url: gateway.url, identity: people.doctor });
    await placeOrder(doctorClient, {
      patient: patientAddress,
      kind: 'lab',
      performerOrganisation: cityLab.id,
      resource: {
        ...buildLabOrder({
          patient: patientAddress,
          test: 'Hemoglobin A1c',
          loincCode: '4548-4',
          reason: 'Diabetes follow-up',
          priority: 'routine',
          requester: people.doctor.address,
        }),
        performer: [{ display: 'City Lab' }],
      },
    });
    await placeOrder(doctorClient, {
      patient: patientAddress,
      kind: 'claim',
      performerOrganisation: mutual.id,
      resource: buildClaim({
        patient: patientAddress,
        provider: 'St Mary Hospital',
        providerOrganisation: hospital.id,
        insurer: 'Mutual Health',
        insurerOrganisation: mutual.id,
        currency: 'EUR',
        items: [
          { code: '99213', description: 'Consultation', amount: 80 },
          { code: '83036', description: 'HbA1c test', amount: 25 },
        ],
      }),
    });

    browser = await launchChromium();
    lab = (await newActor(browser, gateway.url, sent)).page;
    insurer = (await newActor(browser, gateway.url, sent)).page;
    patient = (await newActor(browser, gateway.url, sent)).page;
    await importIdentity(lab, 'City Lab bench', people.lab);
    await importIdentity(insurer, 'Mutual Health claims', people.insurer);
    await importIdentity(patient, 'Alex', people.patient);
  });

  afterEach(async (context) => {
    if (!(context as unknown as { passed?: boolean }).passed) {
      for (const [name, page] of Object.entries({ lab, insurer, patient })) {
        if (page) await screenshot(page, `failed-lab-insurer-${name}`).catch(() => undefined);
      }
    }
  });

  after(async () => {
    await browser?.close();
    await cleanUp();
  });

  it('the laboratory receives the order and posts a result with its reference range; the patient sees it flagged High', async () => {
    await nav(lab, 'Worklist');
    const card = orderCard(lab, 'Hemoglobin A1c');
    await card.getByText('Diabetes follow-up').waitFor();
    await card.getByRole('button', { name: 'Mark received' }).click();
    await card.getByText('received', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Mark in progress' }).click();
    await card.getByText('in progress', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Post result' }).click();
    await card.getByLabel('Value').fill('8.2');
    await card.getByLabel('Unit').fill('%');
    await card.getByLabel('Reference low').fill('4');
    await card.getByLabel('Reference high').fill('5.6');
    await card.getByLabel('Conclusion').fill('Above target.');
    await screenshot(lab, 'lab-insurer-01-lab-posts-result');
    await card.getByRole('button', { name: 'Post result' }).click();
    await card.waitFor({ state: 'detached' });
    await lab.getByRole('button', { name: 'Completed', exact: true }).click();
    await orderCard(lab, 'Hemoglobin A1c').getByText('completed · result posted').waitFor();

    await nav(patient, 'Orders and claims');
    const mine = orderCard(patient, 'Hemoglobin A1c');
    await mine.getByText('completed · result posted').waitFor();
    await mine.getByRole('button', { name: 'Open result' }).click();
    await mine.getByText('Above target.').waitFor();
    // Who ordered it reads as an address (named where the directory knows it), not 42 raw characters.
    await mine.getByText('Ordered', { exact: true }).first().waitFor();
    assert.equal(await mine.getByText(people.doctor.address).count(), 0);
    const flagged = mine.locator('tr.out-of-range').filter({ hasText: '8.2 %' });
    await flagged.locator('.flag-high', { hasText: 'High' }).waitFor();
    assert.match((await flagged.textContent()) ?? '', /4 – 5\.6 %/);
    await screenshot(patient, 'lab-insurer-02-patient-sees-high-flag');

    await nav(patient, 'My records');
    await patient
      .locator('.record-card')
      .filter({ hasText: '8.2 %' })
      .locator('.flag-high', { hasText: 'High' })
      .first()
      .waitFor();
    await screenshot(patient, 'lab-insurer-03-patient-records');

    // The laboratory's consent covers lab results: the patient's chart shows the flagged result too.
    await nav(lab, 'Patients');
    await lab.getByLabel('Patient address').fill(people.patient.address);
    await lab.getByRole('button', { name: 'Open' }).click();
    await lab.locator('.flag-high', { hasText: 'High' }).first().waitFor();
  });

  it('under the patient’s consent alone (no order), the laboratory records a result below its range; the patient sees it flagged Low', async () => {
    const form = lab.getByRole('form', { name: 'Lab result' });
    await form.getByLabel('Test', { exact: true }).fill('Ferritin');
    await form.getByLabel('LOINC code (optional)').fill('2276-4');
    await form.getByLabel('Value').fill('9');
    await form.getByLabel('Unit').fill('ng/mL');
    await form.getByLabel('Reference low').fill('15');
    await form.getByLabel('Reference high').fill('150');
    await form.getByRole('button', { name: 'Save result' }).click();
    await form.getByText(/Result saved: encrypted and anchored in block \d+\./).waitFor();
    await lab.locator('.record-card').filter({ hasText: 'Ferritin' }).locator('.flag-low').first().waitFor();
    await screenshot(lab, 'lab-insurer-04-lab-result-under-consent');

    await nav(patient, 'Orders and claims');
    await nav(patient, 'My records');
    const ferritin = patient.locator('.record-card').filter({ hasText: 'Ferritin' }).first();
    await ferritin.locator('.flag-low', { hasText: 'Low' }).waitFor();
    assert.match((await ferritin.textContent()) ?? '', /9 ng\/mL[\s\S]*15 – 150 ng\/mL/);
  });

  it('the insurer reads the submitted claim and denies it with a reason; the patient sees the decision', async () => {
    await nav(insurer, 'Claims');
    const card = orderCard(insurer, '105.00 EUR');
    await card.getByText('submitted', { exact: true }).waitFor();
    assert.match((await card.textContent()) ?? '', /Consultation\s*80\.00 EUR[\s\S]*HbA1c test\s*25\.00 EUR/);
    await card.getByLabel('Deny').check();
    await card.getByLabel('Reason').fill('Not covered by this plan.');
    await screenshot(insurer, 'lab-insurer-05-insurer-decides');
    await card.getByRole('button', { name: 'Decide claim' }).click();
    await card.waitFor({ state: 'detached' });
    await insurer.getByRole('button', { name: 'Decided', exact: true }).click();
    const decided = orderCard(insurer, '105.00 EUR');
    await decided.getByText('decided', { exact: true }).waitFor();
    await decided.getByRole('button', { name: 'Open decision' }).click();
    await decided.getByText('denied', { exact: true }).waitFor();

    await nav(patient, 'Orders and claims');
    const mine = orderCard(patient, '105.00 EUR');
    await mine.getByText('decided', { exact: true }).waitFor();
    await mine.getByRole('button', { name: 'Open decision' }).click();
    await mine.getByText('Not covered by this plan.', { exact: false }).waitFor();
    await screenshot(patient, 'lab-insurer-06-patient-sees-decision');
  });
});
