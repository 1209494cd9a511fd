/**
 * The record actions in the clinician's chart, end to end in Debian's Chromium against a real
 * `medledger start`: a doctor duplicates a lab result and copies it for another organisation as a
 * referral, each after a confirmation in plain words; the chart then shows where each new record came
 * from, and the patient sees the same provenance in their own records.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { buildLabResult, generateIdentity } from '@medledger/core';
import type { Page } from 'playwright-core';
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
  newActor,
  type SentRequest,
  screenshot,
} from './helpers/browser.ts';

describe('copy and duplicate in the clinician’s chart, in Chromium', { timeout: 600_000 }, () => {
  let gateway: GatewayProcess;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const sent: SentRequest[] = [];
  const admin = generateIdentity();
  const clinicAdmin = generateIdentity();
  const patientIdentity = generateIdentity();
  const doctorIdentity = generateIdentity();
  let patientClient: GatewayClient;
  let sourceId = '';
  let doctor: Page;
  let patient: Page;

  before(async () => {
    await clearFailureScreenshots();
    gateway = await startGatewayProcess({
      dataDir: await temporaryDirectory('web-record-actions'),
      timeoutMs: 120_000,
    });
    const adminClient = createGatewayClient({ url: gateway.url, identity: admin });
    const { organisationId } = await adminClient.createOrganisation({
      name: 'St Mary Hospital',
      kind: 'hospital',
    });
    await adminClient.addMember({
      organisationId,
      member: doctorIdentity.address,
      role: 'doctor',
      encryptionKey: doctorIdentity.encryption.publicKey,
    });
    const clinic = await createGatewayClient({ url: gateway.url, identity: clinicAdmin }).createOrganisation({
      name: 'Riverside Clinic',
      kind: 'hospital',
    });
    if (clinic.status !== 'active') await adminClient.approveOrganisation(clinic.organisationId);
    patientClient = createGatewayClient({ url: gateway.url, identity: patientIdentity });
    await patientClient.registerPatient({ organisationId });
    await patientClient.grantConsent({
      grantee: doctorIdentity.address,
      categories: ['lab'],
      actions: ['read', 'append', 'share'],
      expiresInSeconds: 3600,
    });
    const doctorClient = createGatewayClient({ url: gateway.url, identity: doctorIdentity });
    const added = await doctorClient.addRecord({
      patient: patientClient.address,
      category: 'lab',
      resource: buildLabResult({
        patient: patientClient.address,
        test: 'Haemoglobin',
        value: 13.5,
        unit: 'g/dL',
        performer: 'City Lab',
      }),
    });
    sourceId = added.recordId;
    browser = await launchChromium();
    doctor = (await newActor(browser, gateway.url, sent)).page;
    patient = (await newActor(browser, gateway.url, sent)).page;
  });

  afterEach(async (context) => {
    if (!(context as unknown as { passed?: boolean }).passed) {
      for (const [name, page] of Object.entries({ doctor, patient })) {
        if (page) await screenshot(page, `failed-record-actions-${name}`).catch(() => undefined);
      }
    }
  });

  after(async () => {
    await browser?.close();
    await cleanUp();
  });

  function sourceCard(page: Page) {
    return page.locator(`article[data-record-id="${sourceId}"]`);
  }

  it('the doctor duplicates a lab result after reading what will happen', async () => {
    await importIdentity(doctor, 'Dr Okafor', doctorIdentity);
    await doctor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' }).click();
    await doctor.getByLabel('Patient address').fill(patientClient.address);
    await doctor.getByRole('button', { name: 'Open' }).click();
    await doctor.getByText('Fetching and decrypting records…').waitFor({ state: 'detached' });
    await sourceCard(doctor).getByRole('button', { name: 'Duplicate' }).click();
    const dialog = doctor.getByRole('dialog', { name: 'Duplicate' });
    await dialog
      .getByText(/A duplicate of this lab record will be added to the same patient’s chart/)
      .waitFor();
    await dialog.getByRole('button', { name: 'Confirm: duplicate' }).click();
    await dialog.getByText(/Done: the new record is anchored in block \d+/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await doctor.getByText(`duplicate of record ${sourceId.slice(0, 8)}…`).waitFor();
  });

  it('the doctor copies it for another organisation as a referral', async () => {
    await sourceCard(doctor).getByRole('button', { name: 'Copy to organisation' }).click();
    const dialog = doctor.getByRole('dialog', { name: 'Copy to organisation' });
    await dialog.getByLabel('Organisation').selectOption({ label: 'Riverside Clinic' });
    await dialog.getByText(/the members of Riverside Clinic will be able to read that copy/).waitFor();
    await dialog.getByRole('button', { name: 'Confirm: copy to organisation' }).click();
    await dialog.getByText(/Done: the new record is anchored in block \d+/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await doctor.getByText(`copy of record ${sourceId.slice(0, 8)}… for a referral`).waitFor();
  });

  it('the patient sees where each new record came from', async () => {
    await importIdentity(patient, 'Alex', patientIdentity);
    await patient.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My records' }).click();
    await patient.getByText(`duplicate of record ${sourceId.slice(0, 8)}…`).waitFor();
    await patient.getByText(`copy of record ${sourceId.slice(0, 8)}… for a referral`).waitFor();
    const { records } = await patientClient.listRecords(patientClient.address);
    assert.equal(records.length, 3);
  });
});
