/**
 * The patient's access history at scale, and the patient's screens on a phone, end to end in
 * Debian's Chromium against a real `medledger start`: 60+ decisions (a doctor's allowed reads, a
 * nurse's refused ones) page 50 at a time; the "who" and outcome filters narrow them; "Export CSV"
 * downloads every event the filters match, all pages. Then the patient's screens (records with the
 * lab trend chart, sharing, access history, notifications, settings) at 390 px wide, each
 * screenshotted, checked with axe-core and free of sideways scrolling.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  artifactsDirectory,
  clearFailureScreenshots,
  importIdentity,
  launchChromium,
  nav,
  newActor,
  type SentRequest,
  screenshot,
} from './helpers/browser.ts';

/** The data rows of a CSV export (RFC 4180 as `auditCsv.ts` writes it: no line breaks in cells here). */
function csvRows(text: string): string[][] {
  const lines = text.split('\r\n').filter((line) => line.length > 0);
  return lines.slice(1).map((line) => line.split(','));
}

describe('access history pages, filters and CSV; patient screens on a phone, in Chromium', {
  timeout: 900_000,
}, () => {
  let gateway: GatewayProcess;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const sent: SentRequest[] = [];
  const admin = generateIdentity();
  const patientIdentity = generateIdentity();
  const doctorIdentity = generateIdentity();
  const nurseIdentity = generateIdentity();
  let patientClient: GatewayClient;
  let patient: Page;
  const refusedReads = 27;
  const allowedReads = 30;

  before(async () => {
    await clearFailureScreenshots();
    gateway = await startGatewayProcess({
      dataDir: await temporaryDirectory('web-access-history'),
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
    await patientClient.grantConsent({
      grantee: doctorIdentity.address,
      categories: ['lab'],
      actions: ['read', 'append'],
      expiresInSeconds: 3600,
    });
    const doctorClient = createGatewayClient({ url: gateway.url, identity: doctorIdentity });
    // Three haemoglobin results months apart: the patient's chart draws their trend.
    let recordId = '' as `0x${string}`;
    for (const [month, value] of [
      [2, 13.1],
      [5, 14.2],
      [8, 12.4],
    ] as const) {
      const resource = buildLabResult({
        patient: patientClient.address,
        test: 'Haemoglobin',
        loincCode: '718-7',
        value,
        unit: 'g/dL',
        low: 12,
        high: 16,
        performer: 'City Lab',
      });
      const at = new Date(Date.UTC(2026, month, 1, 9)).toISOString();
      ({ recordId } = await doctorClient.addRecord({
        patient: patientClient.address,
        category: 'lab',
        resource: { ...resource, effectiveDateTime: at, issued: at },
      }));
    }
    const nurseClient = createGatewayClient({ url: gateway.url, identity: nurseIdentity });
    for (let i = 0; i < allowedReads; i += 1) await doctorClient.readRecord(recordId);
    for (let i = 0; i < refusedReads; i += 1) {
      await assert.rejects(nurseClient.readRecord(recordId), { code: 'access_denied' });
    }
    browser = await launchChromium();
    const actor = await newActor(browser, gateway.url, sent);
    patient = actor.page;
    await importIdentity(patient, 'Alex', patientIdentity);
  });

  afterEach(async (context) => {
    if (!(context as unknown as { passed?: boolean }).passed && patient) {
      await screenshot(patient, 'failed-access-history').catch(() => undefined);
    }
  });

  after(async () => {
    await browser?.close();
    await cleanUp();
  });

  const rows = () => patient.locator('.audit-table tbody tr');
  const pageLabel = () => patient.getByRole('navigation', { name: 'Pages of events' });

  async function download(): Promise<string> {
    const [file] = await Promise.all([
      patient.waitForEvent('download'),
      patient.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const path = await file.path();
    assert.ok(path, 'the download was saved');
    return readFile(path, 'utf8');
  }

  it('shows the history 50 decisions a page, older pages on demand', async () => {
    await nav(patient, 'Access history');
    await patient.getByText(/The log is intact|The log does not match/).waitFor();
    await rows().nth(49).waitFor();
    assert.equal(await rows().count(), 50);
    await pageLabel().getByText('Page 1').waitFor();
    assert.ok(await patient.getByRole('button', { name: '← Newer' }).isDisabled());
    const newest = await rows().first().textContent();
    await screenshot(patient, 'access-history-page-1');
    await patient.getByRole('button', { name: 'Older →' }).click();
    await pageLabel().getByText('Page 2').waitFor();
    await patient.getByRole('button', { name: 'Older →', disabled: true }).waitFor();
    await rows().first().waitFor();
    const total = (await patientClient.auditAll()).length;
    assert.ok(total > 50 && total <= 100, `${total} events`);
    assert.equal(await rows().count(), total - 50, 'page 2 holds the rest');
    await patient.getByRole('button', { name: '← Newer' }).click();
    await pageLabel().getByText('Page 1').waitFor();
    await rows().nth(49).waitFor();
    assert.equal(await rows().first().textContent(), newest);
  });

  it('filters by who and by outcome, and exports what the filters match as CSV', async () => {
    await patient.getByLabel('Who (account address)').fill(nurseIdentity.address);
    await patient.getByRole('button', { name: 'Apply filters' }).click();
    await patient.waitForFunction(
      (count) => document.querySelectorAll('.audit-table tbody tr').length === count,
      refusedReads,
    );
    const outcomes = await rows().evaluateAll((all) => all.map((row) => row.getAttribute('data-outcome')));
    assert.ok(
      outcomes.every((outcome) => outcome === 'denied'),
      outcomes.join(),
    );
    await screenshot(patient, 'access-history-filtered');
    const nurseCsv = csvRows(await download());
    assert.equal(nurseCsv.length, refusedReads);
    for (const row of nurseCsv) {
      assert.equal(row[1], nurseIdentity.address.toLowerCase());
      assert.equal(row[3], 'read');
      assert.equal(row[7], 'denied');
    }
    // The doctor's allowed reads: the "who" filter with the outcome chips.
    await patient.getByLabel('Who (account address)').fill(doctorIdentity.address);
    await patient.getByRole('button', { name: 'Apply filters' }).click();
    await patient.getByRole('button', { name: 'Refused attempts' }).click();
    await patient.getByText('No access has been recorded.').waitFor();
    await patient.getByRole('button', { name: 'Allowed' }).click();
    const doctorAllowed = await patientClient.auditAll({ actor: doctorIdentity.address, outcome: 'allowed' });
    assert.ok(doctorAllowed.length >= allowedReads);
    await patient.waitForFunction(
      (count) => document.querySelectorAll('.audit-table tbody tr').length === count,
      doctorAllowed.length,
    );
    // Everything, all pages, in one file.
    await patient.getByRole('button', { name: 'Clear filters' }).click();
    await rows().nth(49).waitFor();
    const everything = csvRows(await download());
    const expected = await patientClient.auditAll();
    assert.deepEqual(
      everything.map((row) => row[10]),
      expected.map((event) => event.eventId),
      'every event, newest first, across pages',
    );
    await patient.getByText(`Exported ${expected.length} events to my-access-history.csv.`).waitFor();
  });

  it('the patient’s screens work on a phone: no sideways scrolling, accessible, screenshotted', async () => {
    await patient.setViewportSize({ width: 390, height: 844 });
    const fitsTheScreen = async (screen: string) => {
      const { width, widest } = await patient.evaluate(() => {
        // The innermost elements reaching past the screen's right edge, to say what overflows.
        const clipped = (element: Element) => {
          for (let parent = element.parentElement; parent; parent = parent.parentElement) {
            if (getComputedStyle(parent).overflowX !== 'visible') return true;
          }
          return false;
        };
        const over = [...document.querySelectorAll('body *')].filter(
          (element) => element.getBoundingClientRect().right > window.innerWidth + 0.5 && !clipped(element),
        );
        const innermost = over.filter(
          (element) => !over.some((other) => other !== element && element.contains(other)),
        );
        return {
          width: document.documentElement.scrollWidth,
          widest: innermost
            .slice(0, 3)
            .map((element) => `<${element.tagName.toLowerCase()} class="${element.className}">`)
            .join(', '),
        };
      });
      assert.ok(width <= 390, `${screen} is ${width}px wide on a 390px screen: ${widest}`);
    };
    await nav(patient, 'My records');
    await patient.locator('.trend svg').first().waitFor();
    assert.match((await patient.locator('.trend svg').first().textContent()) ?? '', /g\/dL.*Date/s);
    await fitsTheScreen('my records');
    await screenshot(patient, 'phone-patient-records');
    // The trend chart alone, as a phone shows it.
    await patient
      .locator('.trend')
      .first()
      .screenshot({ path: join(artifactsDirectory, 'phone-patient-chart.png') });
    for (const [link, name, ready] of [
      ['Sharing', 'sharing', 'h1'],
      ['Access history', 'access-history', '.audit-table'],
      ['Settings', 'settings', 'h1'],
    ] as const) {
      await nav(patient, link);
      await patient.locator(ready).first().waitFor();
      await fitsTheScreen(name);
      await screenshot(patient, `phone-patient-${name}`);
    }
    await patient.getByRole('button', { name: /^Notifications/ }).click();
    await patient.getByRole('region', { name: 'Notifications' }).waitFor();
    await fitsTheScreen('notifications');
    await screenshot(patient, 'phone-patient-notifications');
  });
});
