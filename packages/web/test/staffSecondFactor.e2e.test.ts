/**
 * A member's one-time code at sign-in, end to end in Chromium against a real `medledger start`: the
 * hospital requires codes of admins; its admin, enrolled, imports its key and is asked for the code
 * (a wrong one is refused in plain words, the right one signs it in); in the admin screens it sees
 * the policy and the members' codes, enrols a doctor (the setup is shown once, as a QR code and a
 * link, and the doctor's first code at sign-in turns it on), resets the doctor's code, and requires
 * codes of every member. The test computes codes with `otpauth` from the setup URIs.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { generateIdentity, serializeKeyFile } from '@medledger/core';
import { TOTP, URI } from 'otpauth';
import type { Page } from 'playwright-core';
import {
  cleanUp,
  type GatewayProcess,
  startGatewayProcess,
  temporaryDirectory,
} from '../../cli/test/helpers/processes.ts';
import {
  clearFailureScreenshots,
  launchChromium,
  newActor,
  type SentRequest,
  screenshot,
} from './helpers/browser.ts';

/** The authenticator app: codes of the enrolled secret, now or `offsetSeconds` away. */
function authenticator(uri: string) {
  const totp = URI.parse(uri);
  assert.ok(totp instanceof TOTP);
  return (offsetSeconds = 0) => totp.generate({ timestamp: Date.now() + offsetSeconds * 1000 });
}

describe('staff one-time code at sign-in, in Chromium', { timeout: 600_000 }, () => {
  let gateway: GatewayProcess;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const sent: SentRequest[] = [];
  const admin = generateIdentity();
  const doctorIdentity = generateIdentity();
  let adminCode: (offsetSeconds?: number) => string;
  let adminClient: GatewayClient;
  let organisationId = 0;
  let page: Page;

  before(async () => {
    await clearFailureScreenshots();
    gateway = await startGatewayProcess({
      dataDir: await temporaryDirectory('web-staff-otp'),
      timeoutMs: 120_000,
    });
    adminClient = createGatewayClient({ url: gateway.url, identity: admin });
    ({ organisationId } = await adminClient.createOrganisation({
      name: 'St Mary Hospital',
      kind: 'hospital',
    }));
    await adminClient.addMember({
      organisationId,
      member: doctorIdentity.address,
      role: 'doctor',
      encryptionKey: doctorIdentity.encryption.publicKey,
    });
    // The admin turned its code on (this step's code spent) and requires codes of admins.
    adminCode = authenticator((await adminClient.startStaffOtpEnrolment()).uri);
    await adminClient.confirmStaffOtp(adminCode());
    await adminClient.setStaffOtpPolicy(organisationId, 'privileged');
    browser = await launchChromium();
    page = (await newActor(browser, gateway.url, sent)).page;
  });

  afterEach(async (context) => {
    if (!(context as unknown as { passed?: boolean }).passed && page) {
      await screenshot(page, 'failed-staff-otp-admin').catch(() => undefined);
    }
  });

  after(async () => {
    await browser?.close();
    await gateway?.stop();
    await cleanUp();
  });

  it('the admin signs in with its code: a wrong one is refused, the current one admits it', async () => {
    await page.goto('/');
    await page.getByRole('tab', { name: 'Import identity' }).click();
    await page.getByLabel('Key file', { exact: true }).setInputFiles({
      name: 'key.json',
      mimeType: 'application/json',
      buffer: Buffer.from(serializeKeyFile(admin)),
    });
    await page.getByLabel('Name for this identity').fill('Admin');
    await page.getByLabel('Passphrase').fill('correct horse battery');
    await page.getByRole('button', { name: 'Import and sign in' }).click();
    await page
      .getByText('Your organisation asks for the code of your authenticator app to sign in.')
      .waitFor();
    const right = adminCode(30);
    await page.getByLabel('One-time code').fill(right === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page
      .getByText(/Not signed in: the one-time code is wrong, expired or already used\..* 4 more wrong codes/)
      .waitFor();
    await page.getByLabel('One-time code').fill(right);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('.who').waitFor();
    // The code went to the gateway with the sign-in, and only there.
    assert.ok(
      sent.some((request) => request.url.endsWith('/api/auth/session') && request.body.includes(right)),
    );
  });

  it('the admin sees the members’ codes, enrols the doctor, resets its code, and requires codes of all', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await page.getByTestId('second-factor-policy').getByText('privileged').waitFor();
    const codes = page.getByRole('table', { name: 'Members’ one-time codes' });
    const doctorRow = codes.locator(`tr[data-member="${doctorIdentity.address.toLowerCase()}"]`);
    await doctorRow.getByText('off').waitFor();
    await page.getByRole('button', { name: `Enrol ${doctorIdentity.address.toLowerCase()}` }).click();
    const setup = page.getByTestId('member-otp-setup');
    await setup.getByRole('img', { name: 'QR code of the member’s authenticator setup' }).waitFor();
    const uri = (await setup.locator('.otpauth-uri').textContent()) ?? '';
    await doctorRow.getByText('pending').waitFor();

    // The doctor's first code, at its sign-in, turns the code on.
    const doctorCode = authenticator(uri);
    const doctor = createGatewayClient({ url: gateway.url, identity: doctorIdentity, otp: doctorCode() });
    assert.equal((await doctor.staffOtpStatus()).enabled, true);

    await page.getByRole('button', { name: `Reset ${doctorIdentity.address.toLowerCase()}` }).click();
    await doctorRow.getByText('off').waitFor();
    assert.equal(
      (await adminClient.organisationSecondFactors(organisationId)).members.find(
        (m) => m.address === doctorIdentity.address.toLowerCase(),
      )?.enabled,
      false,
    );

    await page.getByLabel('Who must give a one-time code at sign-in').selectOption('all');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByTestId('second-factor-policy').getByText('all').waitFor();
    await doctorRow.getByText('required').waitFor();
    await screenshot(page, 'staff-otp-admin-members');
    // The doctor, with no code any more, cannot sign in under it.
    const again = createGatewayClient({ url: gateway.url, identity: doctorIdentity });
    await assert.rejects(again.me(), { code: 'access_denied', reason: 'second_factor_enrolment_required' });
  });
});
