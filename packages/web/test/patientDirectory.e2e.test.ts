/**
 * Patient profile and finding a patient (issue 14), end to end in Debian's Chromium against a real
 * `medledger start`: the patient records their profile in Settings and shows a desk code (text and
 * QR code); a doctor of the hospital redeems it on the find-patient screen and sees the patient's
 * name in the chart's header; the doctor keeps an MRN and a colleague finds the patient by it; the
 * doctor finds the patient by name among the patients who share demographics. The name never
 * appears in a request body a browser sent: the gateway gets ciphertext only. Then the patient deletes
 * a record and restores it, and erases another: it leaves the list, a read says it was erased, and the
 * history shows "Erased on … by …".
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { GoneError, generateIdentity } from '@medledger/core';
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
  nav,
  newActor,
  type SentRequest,
  screenshot,
} from './helpers/browser.ts';

const family = `Rivera${Math.random().toString(36).slice(2, 8)}`;

describe('patient profile and finding a patient, in Chromium', { timeout: 600_000 }, () => {
  let gateway: GatewayProcess;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const sent: SentRequest[] = [];
  const screenshots: string[] = [];
  const admin = generateIdentity();
  const patientIdentity = generateIdentity();
  const doctorIdentity = generateIdentity();
  const nurseIdentity = generateIdentity();
  let patientClient: GatewayClient;
  let patient: Page;
  let doctor: Page;
  let nurse: Page;
  let deskCode = '';

  before(async () => {
    await clearFailureScreenshots();
    gateway = await startGatewayProcess({
      dataDir: await temporaryDirectory('web-patient-directory'),
      timeoutMs: 120_000,
    });
    const adminClient = createGatewayClient({ url: gateway.url, identity: admin });
    const { organisationId } = await adminClient.createOrganisation({
      name: 'St Mary Hospital',
      kind: 'hospital',
    });
    for (const [identity, role] of [
      [doctorIdentity, 'doctor'],
      [nurseIdentity, 'nurse'],
    ] as const) {
      await adminClient.addMember({
        organisationId,
        member: identity.address,
        role,
        encryptionKey: identity.encryption.publicKey,
      });
    }
    patientClient = createGatewayClient({ url: gateway.url, identity: patientIdentity });
    await patientClient.registerPatient({ organisationId });
    browser = await launchChromium();
    patient = (await newActor(browser, gateway.url, sent)).page;
    doctor = (await newActor(browser, gateway.url, sent)).page;
    nurse = (await newActor(browser, gateway.url, sent)).page;
  });

  afterEach(async (context) => {
    if (!(context as unknown as { passed?: boolean }).passed) {
      for (const [name, page] of Object.entries({ patient, doctor, nurse })) {
        if (page) await screenshot(page, `failed-directory-${name}`).catch(() => undefined);
      }
    }
  });

  after(async () => {
    await browser?.close();
    await cleanUp();
    if (screenshots.length) console.log(`screenshots:\n${screenshots.join('\n')}`);
  });

  it('the patient records their profile in Settings', async () => {
    await importIdentity(patient, 'Alex', patientIdentity);
    await nav(patient, 'Settings');
    const form = patient.getByRole('form', { name: 'My profile' });
    await form.getByLabel('Given names').fill('Alex');
    await form.getByLabel('Family name').fill(family);
    await form.getByLabel('Birth date').fill('1984-02-29');
    await form.getByLabel('Gender').selectOption('female');
    await form.getByLabel('Email').fill('alex@example.org');
    await form.getByRole('button', { name: 'Save my profile' }).click();
    await patient.getByText(/Your profile is saved, encrypted, and anchored in block \d+/).waitFor();
    screenshots.push(await screenshot(patient, 'directory-01-patient-profile'));
    // Saved again: a new version, which the form then shows.
    await form.getByLabel('Given names').fill('Alex Maria');
    await form.getByRole('button', { name: 'Save my profile' }).click();
    const deadline = Date.now() + 30_000;
    let profile = await patientClient.patientProfileOf(patientClient.address);
    while (profile.name !== `Alex Maria ${family}`) {
      assert.ok(Date.now() < deadline, `the new version was not saved: ${profile.name}`);
      await patient.waitForTimeout(250);
      profile = await patientClient.patientProfileOf(patientClient.address);
    }
    await patient.getByText(/Your profile is saved/).waitFor();
    assert.equal(await form.getByLabel('Given names').inputValue(), 'Alex Maria');
    assert.equal(profile.birthDate, '1984-02-29');
  });

  it('the patient shows a desk code, as text and as a QR code', async () => {
    await patient.getByRole('button', { name: 'Show a desk code' }).click();
    const shown = (await patient.getByTestId('desk-code').textContent()) ?? '';
    assert.match(shown, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    deskCode = shown;
    await patient.getByRole('img', { name: `QR code of your desk code ${shown}` }).waitFor();
    screenshots.push(await screenshot(patient, 'directory-02-patient-desk-code'));
  });

  it('a doctor redeems the code and sees the patient’s name once the patient shares demographics', async () => {
    await patientClient.grantConsent({
      grantee: doctorIdentity.address,
      categories: ['demographics', 'lab'],
      actions: ['read'],
      expiresInSeconds: 3600,
    });
    await importIdentity(doctor, 'Dr Okafor', doctorIdentity);
    await nav(doctor, 'Patients');
    const byCode = doctor.getByRole('form', { name: 'Find by desk code' });
    await byCode.getByLabel('Desk code').fill(deskCode.toLowerCase());
    await byCode.getByRole('button', { name: 'Find' }).click();
    await doctor.waitForURL(`**/patients/${patientClient.address}`);
    await doctor.getByTestId('patient-name').getByText(`Alex Maria ${family} (born 1984-02-29)`).waitFor();
    await doctor.getByText('Fetching and decrypting records…').waitFor({ state: 'detached' });
    screenshots.push(await screenshot(doctor, 'directory-03-doctor-found-by-desk-code'));
    // Used once: the same code again is refused in plain words.
    await byCode.getByLabel('Desk code').fill(deskCode);
    await byCode.getByRole('button', { name: 'Find' }).click();
    await byCode.getByText(/This desk code is not valid/).waitFor();
  });

  it('the doctor keeps an MRN; a nurse finds the patient by it, without seeing the name', async () => {
    const keep = doctor.getByRole('form', { name: 'Keep an MRN' });
    await keep.getByLabel('New MRN').fill('MRN-0042');
    await keep.getByRole('button', { name: 'Keep MRN' }).click();
    await doctor.getByText('Kept MRN-0042 for this patient.').waitFor();

    await importIdentity(nurse, 'Nurse Lee', nurseIdentity);
    await nav(nurse, 'Patients');
    await nurse.getByRole('tab', { name: 'MRN' }).click();
    const byMrn = nurse.getByRole('form', { name: 'Find by MRN' });
    await byMrn.getByLabel('MRN', { exact: true }).fill('MRN-0042');
    await byMrn.getByRole('button', { name: 'Find' }).click();
    await nurse.waitForURL(`**/patients/${patientClient.address}`);
    await nurse.getByText('You may not see this patient’s records').waitFor();
    // The nurse holds no grant covering demographics: no name in the header.
    assert.equal(await nurse.getByTestId('patient-name').count(), 0);
    await nurse.getByText('MRN-0042').first().waitFor();
    screenshots.push(await screenshot(nurse, 'directory-04-nurse-found-by-mrn'));

    await nav(patient, 'My records');
    await nav(patient, 'Settings');
    await patient.getByText('MRN-0042').waitFor();
  });

  it('the doctor finds the patient by name among the patients sharing demographics', async () => {
    await nav(doctor, 'Patients');
    // The list of patients sharing records names those who share demographics.
    await doctor
      .getByTestId('shared-patient-name')
      .getByText(`Alex Maria ${family} (born 1984-02-29)`)
      .waitFor();
    await doctor.getByRole('tab', { name: 'Name' }).click();
    const byName = doctor.getByRole('form', { name: 'Find by name' });
    await byName.getByLabel('Name').fill(family.slice(0, 5).toLowerCase());
    await byName.getByLabel('Birth date').fill('1984-02-29');
    await byName.getByRole('button', { name: 'Search' }).click();
    const results = doctor.getByRole('region', { name: 'Patients found' });
    await results.getByText('1 of 1 patient sharing demographics with you match.').waitFor();
    screenshots.push(await screenshot(doctor, 'directory-05-doctor-found-by-name'));
    await results.getByRole('link', { name: `Alex Maria ${family}` }).click();
    await doctor.waitForURL(`**/patients/${patientClient.address}`);
    await doctor.getByTestId('patient-name').waitFor();
  });

  it('no browser sent the name or the birth date to the gateway', () => {
    assert.ok(sent.length > 0);
    for (const request of sent) {
      assert.doesNotMatch(request.body, new RegExp(family), `${request.method} ${request.url}`);
      assert.doesNotMatch(request.url, new RegExp(family));
      assert.doesNotMatch(request.body, /1984-02-29/, `${request.method} ${request.url}`);
    }
  });

  it('the patient deletes and restores a record, then erases one: gone from the list, a read says erased', async () => {
    const observation = (value: number) => ({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }] },
      valueQuantity: { value, unit: 'mmol/L' },
    });
    const { recordId: kept } = await patientClient.addRecord({
      patient: patientClient.address,
      category: 'lab',
      resource: observation(5.1),
    });
    const { recordId: erased } = await patientClient.addRecord({
      patient: patientClient.address,
      category: 'lab',
      resource: observation(6.2),
    });
    await nav(patient, 'Settings');
    await nav(patient, 'My records');
    const card = (recordId: string) => patient.locator(`article.record-card[data-record-id="${recordId}"]`);
    await card(kept).waitFor();

    await card(kept).getByRole('button', { name: 'Delete' }).click();
    await card(kept).waitFor({ state: 'detached' });
    const deleted = patient.locator(`li[data-record-id="${kept}"]`);
    await deleted.getByRole('button', { name: 'Restore' }).click();
    await card(kept).waitFor();

    await card(erased).getByRole('button', { name: 'Erase…' }).click();
    const confirmation = card(erased).getByRole('alertdialog', { name: 'Erase this record for good?' });
    await confirmation.getByText('This cannot be undone.', { exact: false }).waitFor();
    screenshots.push(await screenshot(patient, 'directory-06-patient-confirms-erasure'));
    await confirmation.getByRole('button', { name: 'Erase for good' }).click();
    await card(erased).waitFor({ state: 'detached' });
    await patient
      .locator(`li[data-record-id="${erased}"]`)
      .getByText('Erased on', { exact: false })
      .waitFor();
    screenshots.push(await screenshot(patient, 'directory-07-patient-record-erased'));
    await assert.rejects(patientClient.readRecord(erased), GoneError);
    const { records } = await patientClient.listRecords(patientClient.address);
    assert.ok(!records.some((record) => record.recordId === erased));
  });
});
