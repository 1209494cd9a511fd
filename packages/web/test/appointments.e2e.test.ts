/**
 * Appointments end to end in Debian's Chromium, against a real `medledger start`: a doctor publishes
 * free slots, a patient books one choosing what the doctor may see, the doctor's day list shows the
 * patient, the time and the reason read from the encrypted Appointment record (screenshot
 * "clinician-day-of-appointments"), the patient cancels and the slot is free again, the doctor's
 * list shows it cancelled, and the reason never reached the gateway in clear; the patient books
 * again and reschedules.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { createGatewayClient } from '@medledger/client';
import { generateIdentity, serializeKeyFile } from '@medledger/core';
import type { Browser, Page } from 'playwright-core';
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

const reason = `Knee pain follow-up ${randomBytes(4).toString('hex')}`;

async function importKeyFile(page: Page, label: string, keyFile: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Import identity' }).click();
  await page
    .getByLabel('Key file', { exact: true })
    .setInputFiles({ name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(keyFile) });
  await page.getByLabel('Name for this identity').fill(label);
  await page.getByLabel('Passphrase').fill('correct horse battery');
  await page.getByRole('button', { name: 'Import and sign in' }).click();
  await page.locator('.who').waitFor();
}

describe('appointments in the web app, end to end in Chromium', { timeout: 300_000 }, () => {
  let gateway: GatewayProcess;
  let browser: Browser;
  const sent: SentRequest[] = [];
  const doctorIdentity = generateIdentity();
  const patientIdentity = generateIdentity();
  let doctor: Page;
  let patient: Page;

  before(async () => {
    await clearFailureScreenshots();
    gateway = await startGatewayProcess({
      dataDir: await temporaryDirectory('web-appointments'),
      timeoutMs: 120_000,
    });
    const admin = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
    const { organisationId } = await admin.createOrganisation({ name: 'St Mary Hospital', kind: 'hospital' });
    await admin.addMember({
      organisationId,
      member: doctorIdentity.address,
      role: 'doctor',
      encryptionKey: doctorIdentity.encryption.publicKey,
    });
    await createGatewayClient({ url: gateway.url, identity: patientIdentity }).registerPatient({
      organisationId,
    });
    browser = await launchChromium();
    doctor = (await newActor(browser, gateway.url, sent)).page;
    patient = (await newActor(browser, gateway.url, sent)).page;
    await importKeyFile(doctor, 'Dr Rivera', serializeKeyFile(doctorIdentity));
    await importKeyFile(patient, 'Alex', serializeKeyFile(patientIdentity));
  });

  afterEach(async (context) => {
    if (!(context as unknown as { passed?: boolean }).passed) {
      for (const [name, page] of Object.entries({ doctor, patient })) {
        if (page) await screenshot(page, `failed-appointments-${name}`).catch(() => undefined);
      }
    }
  });

  after(async () => {
    await browser?.close();
    await cleanUp();
  });

  it('the doctor publishes three free slots for tomorrow morning', async () => {
    await nav(doctor, 'Appointments');
    const form = doctor.getByRole('form', { name: 'Publish free slots' });
    await form.getByLabel('From').fill('09:00');
    await form.getByLabel('To').fill('10:00');
    await form.getByLabel('Minutes per slot').fill('20');
    await form.getByRole('button', { name: 'Publish slots' }).click();
    await doctor.getByText('3 free slot(s) published').waitFor();
  });

  it('the patient books the first slot, sharing conditions and medications, with a reason', async () => {
    await nav(patient, 'Appointments');
    const slots = patient.getByRole('table', { name: 'Free slots' });
    await slots.getByRole('row').nth(3).waitFor();
    assert.equal(await slots.getByRole('button', { name: /^Book / }).count(), 3);
    await patient.getByLabel('Allergies').uncheck();
    await patient.getByLabel('Reason for the visit (encrypted, optional)').fill(reason);
    await slots
      .getByRole('button', { name: /^Book / })
      .first()
      .click();
    await patient.getByText(/^Booked for/).waitFor();
    await patient.getByRole('table', { name: 'My appointments' }).getByText('booked').waitFor();
    assert.equal(await slots.getByRole('button', { name: /^Book / }).count(), 2, 'the slot is taken');
  });

  it('the doctor’s day list shows the patient, the time and the reason read under the consent', async () => {
    await doctor.getByRole('button', { name: 'Refresh' }).click();
    const row = doctor.getByRole('table', { name: 'Day list' }).getByRole('row').filter({ hasText: reason });
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    assert.match(text, /booked/);
    assert.equal(
      await row.locator('.mono').getAttribute('title'),
      patientIdentity.address.toLowerCase(),
      'the patient is named',
    );
    await screenshot(doctor, 'clinician-day-of-appointments');
  });

  it('the patient cancels: the slot is free again and the doctor’s list shows it cancelled', async () => {
    await patient.getByRole('button', { name: /^Cancel / }).click();
    await patient.getByText(/^Cancelled\./).waitFor();
    const slots = patient.getByRole('table', { name: 'Free slots' });
    await patient.waitForFunction(
      () => document.querySelectorAll('table[aria-label="Free slots"] button').length === 3,
    );
    assert.equal(await slots.getByRole('button', { name: /^Book / }).count(), 3);
    await doctor.getByRole('button', { name: 'Refresh' }).click();
    await doctor.getByRole('table', { name: 'Day list' }).getByText('cancelled').waitFor();
    await screenshot(patient, 'patient-appointment-cancelled');
    const leaked = sent.filter((request) => request.body.includes(reason));
    assert.deepEqual(
      leaked.map((request) => request.url),
      [],
      'the reason is sent encrypted only',
    );
  });

  it('the patient books again and reschedules to a later slot: one booked, the old one cancelled', async () => {
    const slots = patient.getByRole('table', { name: 'Free slots' });
    await slots
      .getByRole('button', { name: /^Book / })
      .first()
      .click();
    await patient.getByText(/^Booked for/).waitFor();
    const mine = patient.getByRole('table', { name: 'My appointments' });
    await mine.getByRole('button', { name: /^Reschedule / }).click();
    await slots
      .getByRole('button', { name: /^Move to / })
      .last()
      .click();
    await patient.getByText(/^Moved to/).waitFor();
    await patient.waitForFunction(
      () =>
        [...document.querySelectorAll('table[aria-label="My appointments"] .badge')]
          .map((badge) => badge.textContent)
          .join(',') === 'cancelled,cancelled,booked',
    );
    await doctor.getByRole('button', { name: 'Refresh' }).click();
    await doctor.getByRole('table', { name: 'Day list' }).getByText('booked').waitFor();
  });
});
