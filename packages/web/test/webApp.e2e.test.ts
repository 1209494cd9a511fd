/**
 * The web app end to end, in Debian's Chromium, against a real `medledger start` (real process,
 * real anvil, temporary data directory, free port): a patient creates an identity and uploads a
 * record; a doctor requests access; the patient approves with an expiry; the doctor sees the record
 * rendered and prescribes; a pharmacy sees the prescription and dispenses it; the
 * patient revokes and the doctor is refused; the patient's access history shows these accesses as
 * verified against the ledger. The hospital admin registers members and approves the pharmacy's
 * organisation in the admin screens.
 *
 * Issue 4 in the same story: the consortium's policy says a prescription is final only once a
 * pharmacist co-signed it, so the doctor's prescription shows as a draft until the pharmacist
 * co-signs it in the browser, and then as final with its signers. The patient turns on the one-time
 * code (the test computes codes with `otpauth` from the URI the app shows), a wrong code is refused
 * with a plain message, the current one approves the pharmacy's request, and a valid code turns the
 * second factor off again. The patient backs up its keys to the doctor and the pharmacist and
 * recovers them in a new browser profile with both, across a reload of its page (a wrong code and
 * a single approval are not enough). The admin grants the doctor the emergency privilege; the
 * doctor, refused after the revocation, declares an emergency and reads the emergency set
 * (medications, not lab results); the patient's header shows it live; the admin reviews it and the
 * patient is notified of the review.
 *
 * It also proves that the gateway receives only ciphertext: a plaintext marker in the uploaded
 * record and in the prescription never appears in a request body the browsers sent, nor in any
 * file of the gateway's data directory (SQLite database, where the blobs are, and its WAL, chain
 * state).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, afterEach, before, describe, it } from 'node:test';
import { createGatewayClient } from '@medledger/client';
import { generateIdentity, serializeKeyFile } from '@medledger/core';
import { TOTP, URI } from 'otpauth';
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

const marker = `PLAINTEXT-MARKER-${randomBytes(6).toString('hex')}`;
const medicineMarker = `Amoxicillin 500 mg ${marker}`;

async function createIdentity(page: Page, label: string): Promise<string> {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Create identity' }).click();
  await page.getByLabel('Name for this identity').fill(label);
  await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
  await page.getByLabel('Passphrase again').fill('correct horse battery');
  await page.getByLabel('I have written down my recovery phrase').check();
  await page.getByRole('button', { name: 'Create identity' }).click();
  await page.locator('.who').waitFor();
  return (await page.locator('.who .mono').getAttribute('title')) ?? '';
}

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

async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** The authenticator's code `steps` 30-second steps from now. */
function codeAt(authenticator: TOTP, steps: number): string {
  return authenticator.generate({ timestamp: Date.now() + steps * authenticator.period * 1000 });
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('web app, end to end in Chromium', { timeout: 600_000 }, () => {
  let gateway: GatewayProcess;
  let browser: Browser;
  const sent: SentRequest[] = [];
  const screenshots: string[] = [];
  const admin = generateIdentity();
  const pharmacyAdmin = generateIdentity();
  let pharmacyId = 0;
  let patient: Page;
  let doctor: Page;
  let pharmacist: Page;
  let hospitalAdmin: Page;
  let patientAddress = '';
  let doctorAddress = '';
  /** The directory shows the doctor by the profile the admin registers, never by its address. */
  const doctorName = 'Dr Elena Rivera (doctor, St Mary Hospital)';
  const hidesDoctorAddress = (text: string) =>
    assert.ok(!text.toLowerCase().includes(doctorAddress.slice(0, 6).toLowerCase()), text);
  let pharmacistAddress = '';

  before(async () => {
    await clearFailureScreenshots();
    gateway = await startGatewayProcess({ dataDir: await temporaryDirectory('web-e2e'), timeoutMs: 120_000 });
    const adminClient = createGatewayClient({ url: gateway.url, identity: admin });
    await adminClient.createOrganisation({ name: 'St Mary Hospital', kind: 'hospital' });
    // While the hospital is the only organisation, its vote alone enacts the policy.
    const policy = await adminClient.proposePolicy({
      category: 'medication',
      requirements: [{ role: 'pharmacist', count: 1 }],
    });
    assert.equal(policy.enacted, true);
    const pharmacyClient = createGatewayClient({ url: gateway.url, identity: pharmacyAdmin });
    const pharmacy = await pharmacyClient.createOrganisation({ name: 'Corner Pharmacy', kind: 'pharmacy' });
    assert.equal(pharmacy.status, 'pending');
    pharmacyId = pharmacy.organisationId;
    browser = await launchChromium();
    patient = (await newActor(browser, gateway.url, sent)).page;
    doctor = (await newActor(browser, gateway.url, sent)).page;
    pharmacist = (await newActor(browser, gateway.url, sent)).page;
    hospitalAdmin = (await newActor(browser, gateway.url, sent)).page;
  });

  afterEach(async (context) => {
    // A failing step leaves a picture of every actor's screen beside the other artifacts.
    if (!(context as unknown as { passed?: boolean }).passed) {
      for (const [name, page] of Object.entries({ patient, doctor, pharmacist, hospitalAdmin })) {
        if (page) await screenshot(page, `failed-${name}`).catch(() => undefined);
      }
    }
  });

  after(async () => {
    await browser?.close();
    await cleanUp();
    if (screenshots.length) console.log(`screenshots:\n${screenshots.join('\n')}`);
  });

  it('serves the app with a strict Content-Security-Policy and the SPA fallback', async () => {
    const response = await fetch(`${gateway.url}/patients/0x${'ab'.repeat(20)}`);
    assert.equal(response.status, 200);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(await response.text(), /<div id="root">/);
    const api = await fetch(`${gateway.url}/api/nothing-here`);
    assert.equal(api.status, 404);
    assert.equal((await api.json()).error.code, 'not_found');
  });

  it('a patient creates an identity in the browser, registers and uploads a record', async () => {
    patientAddress = await createIdentity(patient, 'Alex');
    await screenshot(patient, '01-patient-get-started').then((p) => screenshots.push(p));
    await patient.getByLabel('Register with').selectOption({ label: 'St Mary Hospital (hospital)' });
    await patient.getByRole('button', { name: 'Register as a patient' }).click();
    await patient.getByRole('heading', { name: 'My records' }).waitFor();
    const observation = {
      resourceType: 'Observation',
      status: 'final',
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
          ],
        },
      ],
      code: {
        coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }],
        text: 'Hemoglobin A1c',
      },
      effectiveDateTime: '2026-01-10T09:00:00Z',
      valueQuantity: { value: 7.9, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
      referenceRange: [{ low: { value: 4, unit: '%' }, high: { value: 5.6, unit: '%' } }],
      note: [{ text: marker }],
    };
    await patient.getByLabel('FHIR file (a resource or a Bundle)').setInputFiles({
      name: 'hba1c.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(observation)),
    });
    await patient.getByRole('button', { name: 'Encrypt and upload' }).click();
    await patient.getByText('Your record is encrypted and anchored on the ledger.').waitFor();
    await patient.locator('.record-card').filter({ hasText: 'Hemoglobin A1c' }).waitFor();
    assert.match(await textOf(patient.locator('.record-card').first()), /7\.9 %[\s\S]*High[\s\S]*4 – 5\.6 %/);
    // Earlier results arrive as a FHIR Bundle: split into records, and a trend appears.
    const earlier = [6.8, 7.2].map((value, index) => ({
      ...observation,
      id: `hba1c-${index}`,
      effectiveDateTime: `2025-0${index + 3}-10T09:00:00Z`,
      valueQuantity: { ...observation.valueQuantity, value },
    }));
    await patient.getByLabel('FHIR file (a resource or a Bundle)').setInputFiles({
      name: 'history.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'collection',
          entry: earlier.map((resource) => ({ resource })),
        }),
      ),
    });
    await patient.getByRole('button', { name: 'Encrypt and upload' }).click();
    await patient.getByText('2 records are encrypted and anchored on the ledger.').waitFor();
    await patient.getByRole('button', { name: 'All (3)' }).waitFor();
    await patient.getByRole('img', { name: /Hemoglobin A1c over time: .*6\.8 %.*7\.2 %.*7\.9 %/ }).waitFor();
    screenshots.push(await screenshot(patient, '02-patient-records'));
  });

  it('the hospital admin registers a doctor in the admin screens', async () => {
    doctorAddress = await createIdentity(doctor, 'Dr Rivera');
    const encryptionKey = await textOf(doctor.getByTestId('my-encryption-key'));
    await importKeyFile(hospitalAdmin, 'St Mary admin', serializeKeyFile(admin));
    await nav(hospitalAdmin, 'Members');
    await hospitalAdmin.getByLabel('Member address').fill(doctorAddress);
    await hospitalAdmin.getByLabel('Member encryption key').fill(encryptionKey);
    await hospitalAdmin.getByLabel('Role').selectOption('doctor');
    await hospitalAdmin.getByLabel('Display name').fill('Elena Rivera');
    await hospitalAdmin.getByLabel('Title', { exact: true }).fill('Dr');
    await hospitalAdmin.getByRole('button', { name: 'Register member' }).click();
    await hospitalAdmin.locator('tr', { hasText: 'Doctor' }).getByText('active').waitFor();
    screenshots.push(await screenshot(hospitalAdmin, '03-admin-members'));
  });

  it('the doctor is refused without consent and requests access with a reason', async () => {
    await doctor.getByRole('button', { name: 'I have been registered: check again' }).click();
    await nav(doctor, 'Patients');
    await doctor.getByLabel('Patient address').fill(patientAddress);
    await doctor.getByRole('button', { name: 'Open' }).click();
    await doctor.getByText('You may not see this patient’s records').waitFor();
    screenshots.push(await screenshot(doctor, '04-doctor-refused'));
    await doctor.getByLabel('Reason').fill('Diabetes follow-up');
    await doctor.getByRole('button', { name: 'Send request' }).click();
    await doctor.getByText(/Request #\d+ sent/).waitFor();
  });

  it('the patient approves the request with an expiry', async () => {
    await nav(patient, 'Requests');
    const card = patient.locator('.request-card').filter({ hasText: 'Diabetes follow-up' });
    await card.getByLabel('Access expires after').selectOption({ label: '1 week' });
    screenshots.push(await screenshot(patient, '05-patient-requests'));
    await card.getByRole('button', { name: 'Approve' }).click();
    await patient.getByText('No one is waiting for an answer from you.').waitFor();
    await nav(patient, 'Sharing');
    const row = patient.locator('tr', { hasText: doctorName });
    await row.waitFor();
    assert.match(await textOf(row), /read, append/);
  });

  it('the doctor sees the record rendered and adds a prescription', async () => {
    await doctor.reload();
    await doctor
      .locator('.who')
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    // A reload drops the keys from memory: the doctor unlocks again.
    await doctor.getByRole('button', { name: 'Unlock and sign in' }).waitFor();
    await doctor.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
    await doctor.getByRole('button', { name: 'Unlock and sign in' }).click();
    await doctor.locator('.record-card').filter({ hasText: 'Hemoglobin A1c' }).first().waitFor();
    assert.equal(await doctor.locator('.record-card').filter({ hasText: 'Hemoglobin A1c' }).count(), 3);
    assert.match(await textOf(doctor.locator('.record-card').first()), /7\.9 %/);
    screenshots.push(await screenshot(doctor, '06-doctor-chart'));
    await doctor.getByRole('button', { name: 'Prescribe', exact: true }).click();
    await doctor.getByLabel('Medicine and strength').fill(medicineMarker);
    await doctor.getByLabel('Dose', { exact: true }).fill('1');
    await doctor.getByLabel('Dose unit').fill('capsule');
    await doctor.getByLabel('Times').fill('3');
    await doctor.getByLabel('Quantity a fill').fill('21');
    await doctor.getByRole('button', { name: 'Send prescription' }).click();
    await doctor
      .getByText(/Prescribed: 21 capsule a fill, 1 fill \(21 in all\), for any pharmacy the patient allows\./)
      .waitFor();
    await doctor.locator('.record-card').filter({ hasText: medicineMarker }).waitFor();
    const prescription = await textOf(doctor.locator('.record-card').filter({ hasText: medicineMarker }));
    assert.match(prescription, /1 capsule, 3 times a day/);
    assert.match(prescription, /draft · awaiting co-signature/);
    assert.match(prescription, /Signed by .*\(you\) · doctor/);
    await doctor.locator('.record-card').filter({ hasText: medicineMarker }).getByText(doctorName).waitFor();
    hidesDoctorAddress(
      await textOf(doctor.locator('.record-card').filter({ hasText: medicineMarker }).locator('.signatures')),
    );
    // The lab result has no co-signature policy: final at once, signed by the patient who uploaded it.
    assert.match(
      await textOf(doctor.locator('.record-card').filter({ hasText: '7.9 %' })),
      /final[\s\S]*Signed by .* · patient/,
    );
  });

  it('the pharmacy joins, its pharmacist gets consent, sees the prescription and records a dispense', async () => {
    await nav(hospitalAdmin, 'Consortium');
    await hospitalAdmin.getByRole('button', { name: 'Approve Corner Pharmacy' }).click();
    await hospitalAdmin.locator('tr', { hasText: 'Corner Pharmacy' }).getByText('active').waitFor();
    screenshots.push(await screenshot(hospitalAdmin, '07-admin-consortium'));
    pharmacistAddress = await createIdentity(pharmacist, 'Corner Pharmacy counter');
    const encryptionKey = await textOf(pharmacist.getByTestId('my-encryption-key'));
    const pharmacyClient = createGatewayClient({ url: gateway.url, identity: pharmacyAdmin });
    await pharmacyClient.publishGateway(pharmacyId);
    await pharmacyClient.addMember({
      organisationId: pharmacyId,
      member: pharmacistAddress as `0x${string}`,
      role: 'pharmacist',
      encryptionKey: encryptionKey as `0x${string}`,
    });
    await pharmacist.getByRole('button', { name: 'I have been registered: check again' }).click();
    await nav(pharmacist, 'Patients');
    await pharmacist.getByLabel('Patient address').fill(patientAddress);
    await pharmacist.getByRole('button', { name: 'Open' }).click();
    await pharmacist.getByText('You may not see this patient’s records').waitFor();
    const form = pharmacist.locator('form', { hasText: 'Send request' });
    for (const box of await form.getByRole('checkbox').all()) await box.uncheck();
    await form.getByLabel('Medications').check();
    await form.getByLabel(/Also add records/).check();
    await form.getByLabel('Reason').fill('Dispense prescription');
    await form.getByRole('button', { name: 'Send request' }).click();
    await pharmacist.getByText(/Request #\d+ sent/).waitFor();

    // The patient turns on the one-time code before answering.
    await nav(patient, 'Settings');
    await patient.getByRole('button', { name: 'Turn on the one-time code' }).click();
    await patient.getByRole('img', { name: 'QR code of your authenticator setup' }).waitFor();
    const uri = await textOf(patient.getByTestId('otpauth-uri'));
    const authenticator = URI.parse(uri);
    assert.ok(authenticator instanceof TOTP);
    assert.match(uri, new RegExp(patientAddress.toLowerCase()));
    screenshots.push(await screenshot(patient, '14-patient-second-factor-setup'));
    // Each code below is of a later 30-second step than the one before, so none counts as reused.
    await patient.getByLabel('First code from your app').fill(codeAt(authenticator, -1));
    await patient.getByRole('button', { name: 'Confirm and turn on' }).click();
    await patient.getByText('The one-time code is on').waitFor();

    await nav(patient, 'Requests');
    const request = patient.locator('.request-card').filter({ hasText: 'Dispense prescription' });
    await request.getByRole('button', { name: 'Approve' }).click();
    await request.getByText('Enter the six-digit code your authenticator app shows now').waitFor();
    await request.getByLabel('One-time code').fill(codeAt(authenticator, -20));
    await request.getByRole('button', { name: 'Approve' }).click();
    await request
      .getByText(
        'Not approved: the one-time code is wrong or has expired. Enter the code your authenticator app shows now. 4 more wrong codes within 15 minutes will lock approvals for 15 minutes.',
      )
      .waitFor();
    screenshots.push(await screenshot(patient, '15-patient-wrong-code-refused'));
    await request.getByLabel('One-time code').fill(codeAt(authenticator, 0));
    await request.getByRole('button', { name: 'Approve' }).click();
    await patient.getByText('No one is waiting for an answer from you.').waitFor();

    await nav(patient, 'Settings');
    await patient.getByLabel('Current code').fill(codeAt(authenticator, 1));
    await patient.getByRole('button', { name: 'Turn off' }).click();
    await patient.getByText('The one-time code is off').waitFor();

    await nav(pharmacist, 'Prescriptions');
    const card = pharmacist.locator('.prescription-card').filter({ hasText: medicineMarker });
    await card.waitFor();
    // The policy wants a pharmacist's co-signature: the pharmacist reads the prescription and signs.
    assert.match(await textOf(card), /draft · awaiting co-signature/);
    await card.getByRole('button', { name: 'Co-sign this record' }).click();
    await card.getByText(/Co-signed in block \d+: the record is now final\./).waitFor();
    assert.match(await textOf(card), /final[\s\S]*Co-signed by .*\(you\) · pharmacist/);
    assert.equal(await card.getByRole('button', { name: 'Co-sign this record' }).count(), 0);
    assert.equal(await card.getByLabel('Quantity dispensed').inputValue(), '21');
    assert.equal(await card.getByLabel('Unit').inputValue(), 'capsule');
    screenshots.push(await screenshot(pharmacist, '08-pharmacy-prescriptions'));
    await card.getByRole('button', { name: 'Dispense', exact: true }).click();
    await pharmacist
      .getByText(
        'Dispensed 21 capsule: 21 of 21 dispensed on this prescription, which is now fully dispensed.',
      )
      .waitFor();

    await nav(patient, 'My records');
    await patient.locator('.record-card').filter({ hasText: 'Dispensed' }).waitFor();
    const signed = patient
      .locator('.record-card')
      .filter({ hasText: medicineMarker, hasNotText: 'Dispensed' });
    assert.match(
      await textOf(signed),
      /final[\s\S]*Signed by .* · doctor[\s\S]*Co-signed by .* · pharmacist/,
    );
    // The patient may add their own co-signature; the record's stamp then lists them too.
    await signed.getByRole('button', { name: 'Co-sign this record' }).click();
    await signed.getByText(/Co-signed in block \d+/).waitFor();
    assert.match(await textOf(signed), /Co-signed by .* · pharmacist, .*\(you\) · patient/);
    screenshots.push(await screenshot(patient, '16-patient-record-stamp'));
    assert.match(
      await textOf(patient.locator('.record-card').filter({ hasText: 'Dispensed' })),
      /21 capsule/,
    );
  });

  it('the patient revokes and the doctor’s view is refused', async () => {
    await nav(patient, 'Sharing');
    const row = patient.locator('tr', { hasText: doctorName });
    await row.getByRole('button', { name: /Revoke grant/ }).click();
    await row.waitFor({ state: 'detached' });
    screenshots.push(await screenshot(patient, '09-patient-sharing'));
    await nav(doctor, 'Patients');
    await doctor.getByLabel('Patient address').fill(patientAddress);
    await doctor.getByRole('button', { name: 'Open' }).click();
    await doctor.getByText('You may not see this patient’s records').waitFor();
    assert.equal(await doctor.locator('.record-card').count(), 0);
  });

  it('the patient’s access history shows these accesses, verified against the ledger', async () => {
    await nav(patient, 'Access history');
    const doctorRows = patient.locator('tr', { hasText: doctorName });
    const deadline = Date.now() + 60_000;
    for (;;) {
      await patient.getByText(/The log is intact/).waitFor();
      const awaiting = await patient.getByText('awaiting anchor').count();
      if (awaiting === 0 && (await doctorRows.count()) > 0) break;
      assert.ok(Date.now() < deadline, 'audit events were not anchored within 60 s');
      await patient.waitForTimeout(1500);
      await patient.getByRole('button', { name: 'Verify again' }).click();
    }
    const texts = await doctorRows.allInnerTexts();
    assert.ok(
      texts.some((t) => /read/.test(t) && /allowed/.test(t) && /verified/.test(t)),
      texts.join('\n'),
    );
    assert.ok(
      texts.some((t) => /denied/.test(t) && /no consent of yours covers/.test(t) && /verified/.test(t)),
      'the refusal is in the history too, with why',
    );
    assert.ok(texts.every((t) => /✓ verified/.test(t)));
    for (const text of texts) hidesDoctorAddress(text);
    screenshots.push(await screenshot(patient, '10-patient-access-history'));
    // The refused attempts alone, set apart.
    await patient.getByRole('button', { name: /^Refused attempts/ }).click();
    const refusedRows = patient.locator('.audit-table tbody tr');
    await refusedRows.first().waitFor();
    const outcomes = await refusedRows.evaluateAll((rows) =>
      rows.map((row) => row.getAttribute('data-outcome')),
    );
    assert.ok(outcomes.length > 0 && outcomes.every((outcome) => outcome === 'denied'), outcomes.join());
    assert.ok(
      (await patient.locator('.audit-table tr.audit-refused', { hasText: doctorName }).count()) > 0,
      'the doctor’s refused attempt, shown as refused',
    );
    await patient.getByRole('button', { name: 'All decisions' }).click();
  });

  it('the admin sees the organisation’s access activity without health content', async () => {
    await nav(hospitalAdmin, 'Activity');
    await hospitalAdmin.locator('tr', { hasText: doctorName }).first().waitFor();
    const text = await textOf(hospitalAdmin.locator('main'));
    assert.ok(!text.includes('Hemoglobin') && !text.includes(marker));
    screenshots.push(await screenshot(hospitalAdmin, '11-admin-activity'));
  });

  it('an admin grants the emergency privilege; the doctor declares an emergency and reads the emergency set; the patient is notified live; the admin reviews it', async () => {
    await nav(hospitalAdmin, 'Emergencies');
    const doctorRow = hospitalAdmin.locator(`tr[data-member="${doctorAddress.toLowerCase()}"]`);
    await doctorRow.getByText('none').waitFor();
    await doctorRow.getByRole('button', { name: /^Grant emergency privilege/ }).click();
    await doctorRow.getByText('privileged').waitFor();

    // The doctor, whose consent was revoked, is refused the chart, but may break the glass.
    await nav(doctor, 'Patients');
    await doctor.getByLabel('Patient address').fill(patientAddress);
    await doctor.getByRole('button', { name: 'Open' }).click();
    await doctor.getByText('You may not see this patient’s records').waitFor();
    await doctor.getByLabel('Emergency reason').selectOption({ label: 'Patient unconscious' });
    await doctor
      .getByLabel('Justification')
      .fill('Found unconscious in the waiting room; no relative reachable.');
    await doctor.getByRole('button', { name: 'Declare emergency' }).click();
    await doctor.getByText(/Emergency #\d+ is open: you can read this patient’s/).waitFor();
    // The emergency set: the medications are readable now, the lab results are not.
    await doctor.locator('.record-card').filter({ hasText: medicineMarker }).first().waitFor();
    assert.equal(await doctor.locator('.record-card').filter({ hasText: 'Hemoglobin' }).count(), 0);
    screenshots.push(await screenshot(doctor, '20-doctor-emergency-set'));

    // The patient's header shows it at once, from the live stream.
    const bell = patient.getByRole('button', { name: /^Notifications, [1-9]\d* new$/ });
    await bell.waitFor();
    await bell.click();
    const panel = patient.getByRole('region', { name: 'Notifications' });
    await panel.getByText(/Emergency access to your record: .* opened your .*medications/).waitFor();
    await panel.getByText(`Emergency access to your record: ${doctorName} opened`).waitFor();
    hidesDoctorAddress(await textOf(panel));
    screenshots.push(await screenshot(patient, '21-patient-notifications'));
    await nav(patient, 'Emergencies');
    await patient.getByText('awaiting review').waitFor();
    assert.match(await textOf(patient.locator('main')), /Patient unconscious/);

    await nav(hospitalAdmin, 'Members');
    await nav(hospitalAdmin, 'Emergencies');
    const emergency = hospitalAdmin.locator('article.emergency').first();
    await emergency.getByText('Found unconscious in the waiting room; no relative reachable.').waitFor();
    await emergency.getByText('awaiting review').waitFor();
    screenshots.push(await screenshot(hospitalAdmin, '22-admin-emergency-review'));
    await emergency.getByRole('button', { name: 'Justified', exact: true }).click();
    await emergency.getByText('reviewed: justified').waitFor();
    await hospitalAdmin.getByText('0 unreviewed').waitFor();
    // The review reaches the patient live: a new notification in the header.
    await patient.getByRole('button', { name: /^Notifications, [1-9]\d* new$/ }).click();
    await panel.getByText(/Emergency #\d+ was reviewed: justified\./).waitFor();
    await patient.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });

  it('the patient backs up its keys to two guardians, and recovers them on a new device with both, across a reload', async () => {
    await nav(patient, 'Keys');
    await patient.getByText('You have no key backup yet.').waitFor();
    await patient.getByLabel('Guardians’ addresses').fill(`${doctorAddress}\n${pharmacistAddress}`);
    await patient.getByLabel('Guardians needed to recover').fill('2');
    await patient.getByRole('button', { name: 'Back up my keys' }).click();
    await patient
      .getByText(/Your keys are backed up: any 2 of your 2 guardians can give them back/)
      .waitFor();
    await patient.getByText('current keys').waitFor();
    screenshots.push(await screenshot(patient, '17-patient-key-backup'));

    const device = await newActor(browser, gateway.url, sent);
    await device.page.goto('/');
    await device.page.getByRole('tab', { name: 'Recover with guardians' }).click();
    await device.page.getByLabel('Your address').fill(patientAddress);
    await device.page.getByRole('button', { name: 'Ask my guardians' }).click();
    const code = await textOf(device.page.getByTestId('recovery-code'));
    const requestId = await textOf(device.page.getByTestId('recovery-request-id'));
    assert.match(requestId, /^0x[0-9a-f]{64}$/);
    screenshots.push(await screenshot(device.page, '18-new-device-recovery'));

    // A guardian told a wrong code approves nothing.
    await nav(doctor, 'Keys');
    const doctorView = doctor.locator(`[data-request-id="${requestId}"]`);
    await doctorView.getByLabel('Code the patient told you').fill('0000-0000-0000-0000');
    await doctorView.getByRole('button', { name: 'Approve recovery' }).click();
    await doctorView.getByText('The verification code does not match this recovery request').waitFor();
    await doctorView.getByLabel('Code the patient told you').fill(code);
    await doctorView.getByRole('button', { name: 'Approve recovery' }).click();
    await doctorView.getByText(/Approved: .* Approvals so far: 1 of the 2 needed\./).waitFor();
    screenshots.push(await screenshot(doctor, '19-guardian-approves'));

    // A reload does not lose the recovery: the browser keeps the request, encrypted.
    await device.page.reload();
    await device.page.getByRole('heading', { name: 'Recovery in progress' }).waitFor();
    assert.equal(await textOf(device.page.getByTestId('recovery-code')), code);

    // One guardian of two is not enough.
    await device.page.getByLabel('Name for this identity').fill('Alex (new phone)');
    await device.page.getByLabel('New passphrase').fill('another good passphrase');
    await device.page.getByRole('button', { name: 'My guardians approved: recover my keys' }).click();
    await device.page.getByText('Not enough guardians have approved yet: 2 of your 2 must.').waitFor();

    await nav(pharmacist, 'Keys');
    const pharmacistView = pharmacist.locator(`[data-request-id="${requestId}"]`);
    await pharmacistView.getByLabel('Code the patient told you').fill(code);
    await pharmacistView.getByRole('button', { name: 'Approve recovery' }).click();
    await pharmacistView.getByText(/Approvals so far: 2 of the 2 needed\./).waitFor();

    await device.page.getByRole('button', { name: 'My guardians approved: recover my keys' }).click();
    await device.page.getByRole('heading', { name: 'My records' }).waitFor();
    assert.equal(
      (await device.page.locator('.who .mono').getAttribute('title'))?.toLowerCase(),
      patientAddress.toLowerCase(),
    );
    await device.page.locator('.record-card').filter({ hasText: 'Hemoglobin A1c' }).first().waitFor();
    await device.context.close();
  });

  it('the ledger explorer verifies the chain in the browser', async () => {
    await nav(patient, 'Ledger');
    await patient.getByRole('heading', { name: 'Recent record anchors' }).waitFor();
    await patient.getByRole('button', { name: 'Check the whole chain' }).click();
    await patient.getByText(/Verified: \d+ record\(s\) and \d+ block\(s\) match the chain/).waitFor();
    screenshots.push(await screenshot(patient, '12-ledger-explorer'));
  });

  it('works on a phone-sized screen', async () => {
    const phone = await newActor(browser, gateway.url, sent, { width: 390, height: 844 });
    await phone.page.goto('/');
    await phone.page.getByRole('tab', { name: 'Import identity' }).waitFor();
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width}px wide on a 390px screen`);
    screenshots.push(await screenshot(phone.page, '13-phone-welcome'));
    await phone.context.close();
  });

  it('signing out everywhere ends the account’s sessions on other devices too', async () => {
    const identity = generateIdentity();
    const otherDevice = createGatewayClient({ url: gateway.url, identity });
    const { token } = await otherDevice.signIn();
    const bystander = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
    const bystanderToken = (await bystander.signIn()).token;
    const device = await newActor(browser, gateway.url, sent);
    await importKeyFile(device.page, 'Two devices', serializeKeyFile(identity));
    await device.page.getByRole('button', { name: 'Sign out everywhere', exact: false }).click();
    await device.page.getByText('You signed out everywhere: 2 sessions of this account ended').waitFor();
    await device.page.getByRole('tab', { name: 'Import identity' }).waitFor();
    const refused = await fetch(`${gateway.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(refused.status, 401);
    assert.equal((await refused.json()).error.reason, 'session_unknown');
    const kept = await fetch(`${gateway.url}/api/me`, {
      headers: { authorization: `Bearer ${bystanderToken}` },
    });
    assert.equal(kept.status, 200, 'another account’s session is untouched');
    await device.context.close();
  });

  it('the gateway received only ciphertext: no request body and no stored file holds the plaintext', async () => {
    const bodies = sent.filter((request) => request.body);
    assert.ok(
      bodies.some((request) => request.url.endsWith('/api/records')),
      'records were uploaded',
    );
    for (const request of bodies) {
      assert.ok(!request.body.includes(marker), `${request.method} ${request.url} carried the plaintext`);
      assert.ok(
        !request.body.includes('Hemoglobin'),
        `${request.method} ${request.url} carried the plaintext`,
      );
    }
    const files = await filesUnder(gateway.dataDir);
    // The blobs are in the database, whose file and WAL are among the files searched.
    const database = new DatabaseSync(join(gateway.dataDir, 'gateway.sqlite'), { readOnly: true });
    try {
      const blobs = database.prepare('SELECT COUNT(*) AS n FROM blobs').get() as { n: number };
      assert.ok(blobs.n > 0, 'blobs are stored');
    } finally {
      database.close();
    }
    assert.ok(
      files.some((file) => file.endsWith('gateway.sqlite')),
      'the database is among the files searched',
    );
    for (const file of files) {
      const bytes = await readFile(file);
      assert.ok(!bytes.includes(marker), `${file} holds the plaintext marker`);
      assert.ok(!bytes.includes('Amoxicillin'), `${file} holds the prescription in plaintext`);
    }
  });
});
