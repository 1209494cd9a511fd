/**
 * Delegates end to end in Debian's Chromium against a real `medledger start`: a caregiver creates its
 * identity in the web app and shows its invitation (address and encryption key); the patient adds it
 * under Settings, "Family, caregivers and researchers", and shares its medications with it; the
 * caregiver, signed in as a delegate, reads that record on its own screen and is refused a record of
 * another category.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createGatewayClient } from '@medledger/client';
import { generateIdentity } from '@medledger/core';
import type { Page } from 'playwright-core';
import type { Hex } from 'viem';
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

const aspirin = {
  resourceType: 'MedicationStatement',
  status: 'active',
  medicationCodeableConcept: { text: 'Aspirin 75 mg daily' },
  subject: { reference: 'Patient/example' },
};
const asthma = {
  resourceType: 'Condition',
  code: { text: 'Asthma' },
  subject: { reference: 'Patient/example' },
};

describe('delegates, in Chromium', { timeout: 600_000 }, () => {
  let gateway: GatewayProcess;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const sent: SentRequest[] = [];
  const patientIdentity = generateIdentity();
  const caregiverIdentity = generateIdentity();
  let patient: Page;
  let caregiver: Page;
  let conditionId: Hex;
  let invitation: { address: string; encryptionKey: string };

  before(async () => {
    await clearFailureScreenshots();
    gateway = await startGatewayProcess({
      dataDir: await temporaryDirectory('web-delegates'),
      timeoutMs: 120_000,
    });
    const admin = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
    const { organisationId } = await admin.createOrganisation({ name: 'St Mary Hospital', kind: 'hospital' });
    const patientClient = createGatewayClient({ url: gateway.url, identity: patientIdentity });
    await patientClient.registerPatient({ organisationId });
    await patientClient.addRecord({
      patient: patientClient.address,
      category: 'medication',
      resource: aspirin,
    });
    conditionId = (
      await patientClient.addRecord({
        patient: patientClient.address,
        category: 'condition',
        resource: asthma,
      })
    ).recordId;
    browser = await launchChromium();
    patient = (await newActor(browser, gateway.url, sent)).page;
    caregiver = (await newActor(browser, gateway.url, sent)).page;
  });

  afterEach(async (context) => {
    if (!(context as unknown as { passed?: boolean }).passed) {
      for (const [name, page] of Object.entries({ patient, caregiver })) {
        if (page) await screenshot(page, `failed-delegates-${name}`).catch(() => undefined);
      }
    }
  });

  after(async () => {
    await browser?.close();
    await cleanUp();
  });

  it('the caregiver shows its invitation: its address and encryption key, as text and QR code', async () => {
    await importIdentity(caregiver, 'Carer', caregiverIdentity);
    invitation = {
      address: ((await caregiver.getByTestId('invitation-address').textContent()) ?? '').trim(),
      encryptionKey: ((await caregiver.getByTestId('invitation-encryption-key').textContent()) ?? '').trim(),
    };
    assert.equal(invitation.address.toLowerCase(), caregiverIdentity.address.toLowerCase());
    assert.equal(invitation.encryptionKey, caregiverIdentity.encryption.publicKey);
    await caregiver.getByRole('img', { name: /Your invitation as a QR code/ }).waitFor();
  });

  it('the patient adds the caregiver in Settings and shares its medications with it', async () => {
    await importIdentity(patient, 'Alex', patientIdentity);
    await nav(patient, 'Settings');
    const form = patient.getByRole('form', { name: 'Add a delegate' });
    await form.getByLabel('Delegate address').fill(invitation.address);
    await form.getByLabel('Delegate encryption key').fill(invitation.encryptionKey);
    await form.getByLabel('Kind').selectOption('caregiver');
    await form.getByRole('button', { name: 'Add delegate' }).click();
    await patient.getByText('Caregiver delegate added.', { exact: false }).waitFor();
    const share = patient.getByRole('form', { name: `Share with ${invitation.address.toLowerCase()}` });
    await share.getByLabel('Medications').check();
    await share.getByRole('button', { name: 'Share' }).click();
    await patient.getByText('Shared Medications (read only).').waitFor();
    await screenshot(patient, 'delegates-01-patient-settings');
  });

  it('the caregiver, signed in as a delegate, reads the medication and is refused the condition', async () => {
    await caregiver.getByRole('button', { name: 'I have been registered: check again' }).click();
    await caregiver.locator('.role-pill', { hasText: 'Delegate' }).waitFor();
    await nav(caregiver, 'Shared with me');
    await caregiver.getByText('Aspirin 75 mg daily').first().waitFor();
    assert.equal(await caregiver.getByText('Asthma').count(), 0, 'the condition is not listed');
    await caregiver.getByLabel('Record id').fill(conditionId);
    await caregiver.getByRole('button', { name: 'Open', exact: true }).click();
    await caregiver.getByRole('alert').filter({ hasText: 'has not given you consent to see this' }).waitFor();
    await screenshot(caregiver, 'delegates-02-shared-with-me');
  });
});
