/**
 * Keys end to end in Debian's Chromium against a real `medledger start`: a recovery with guardians
 * started on a new device survives a reload of the page (the request is kept in the browser,
 * encrypted), the guardians approve it meanwhile, and the recovered identity reads its records; the
 * kept request is gone once the recovery is done. A patient changes its keys in the browser (the
 * CLI's `key rotate`): its records stay readable and its old key is refused.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { approveKeyRecovery, backUpKey, createGatewayClient } from '@medledger/client';
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

const asthma = {
  resourceType: 'Condition',
  code: { text: 'Asthma' },
  subject: { reference: 'Patient/example' },
};
const hayFever = {
  resourceType: 'Condition',
  code: { text: 'Hay fever' },
  subject: { reference: 'Patient/example' },
};

/**
 * What this page's browser keeps of a recovery in progress (its own IndexedDB database): the
 * stored entry's field names, and whether its key could be read out; undefined when none is kept.
 */
function keptRecovery(page: Page): Promise<{ fields: string[]; extractable: boolean } | undefined> {
  return page.evaluate(
    () =>
      new Promise<{ fields: string[]; extractable: boolean } | undefined>((resolve, reject) => {
        const open = indexedDB.open('medledger-recovery', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('pending', { keyPath: 'id' });
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const read = open.result.transaction('pending').objectStore('pending').get('current');
          read.onsuccess = () => {
            open.result.close();
            const entry = read.result as { key: CryptoKey } | undefined;
            resolve(entry && { fields: Object.keys(entry).sort(), extractable: entry.key.extractable });
          };
          read.onerror = () => reject(read.error);
        };
      }),
  );
}

describe('keys in Chromium: a recovery survives a reload; a patient changes its keys', {
  timeout: 600_000,
}, () => {
  let gateway: GatewayProcess;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const sent: SentRequest[] = [];
  const recovering = generateIdentity();
  const rotating = generateIdentity();
  const guardians = [generateIdentity(), generateIdentity()];
  let device: Page;
  let rotator: Page;

  before(async () => {
    await clearFailureScreenshots();
    gateway = await startGatewayProcess({
      dataDir: await temporaryDirectory('web-keys'),
      timeoutMs: 120_000,
    });
    const admin = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
    const { organisationId } = await admin.createOrganisation({ name: 'St Mary Hospital', kind: 'hospital' });
    for (const identity of [...guardians, recovering, rotating]) {
      await createGatewayClient({ url: gateway.url, identity }).registerPatient({ organisationId });
    }
    const recoveringClient = createGatewayClient({ url: gateway.url, identity: recovering });
    await recoveringClient.addRecord({
      patient: recovering.address,
      category: 'condition',
      resource: asthma,
    });
    await backUpKey(recoveringClient, { guardians: guardians.map((g) => g.address), threshold: 2 });
    const rotatingClient = createGatewayClient({ url: gateway.url, identity: rotating });
    await rotatingClient.addRecord({ patient: rotating.address, category: 'condition', resource: hayFever });
    browser = await launchChromium();
    device = (await newActor(browser, gateway.url, sent)).page;
    rotator = (await newActor(browser, gateway.url, sent)).page;
  });

  afterEach(async (context) => {
    if (!(context as unknown as { passed?: boolean }).passed) {
      for (const [name, page] of Object.entries({ device, rotator })) {
        if (page) await screenshot(page, `failed-keys-${name}`).catch(() => undefined);
      }
    }
  });

  after(async () => {
    await browser?.close();
    await cleanUp();
  });

  it('a recovery started on a new device survives a reload; the guardians approve; the identity reads its records', async () => {
    await device.goto('/');
    await device.getByRole('tab', { name: 'Recover with guardians' }).click();
    await device.getByLabel('Your address').fill(recovering.address);
    await device.getByRole('button', { name: 'Ask my guardians' }).click();
    await device.getByRole('heading', { name: 'Recovery in progress' }).waitFor();
    const code = ((await device.getByTestId('recovery-code').textContent()) ?? '').trim();
    const requestId = ((await device.getByTestId('recovery-request-id').textContent()) ?? '').trim() as Hex;
    assert.match(requestId, /^0x[0-9a-f]{64}$/);
    // Kept encrypted: an id, a non-extractable key, an IV and the ciphertext; no secret in clear.
    assert.deepEqual(await keptRecovery(device), {
      fields: ['ciphertext', 'id', 'iv', 'key'],
      extractable: false,
    });

    await device.reload();
    await device.getByRole('heading', { name: 'Recovery in progress' }).waitFor();
    assert.equal(
      await device.getByRole('tab', { name: 'Recover with guardians' }).getAttribute('aria-selected'),
      'true',
    );
    assert.equal(((await device.getByTestId('recovery-code').textContent()) ?? '').trim(), code);
    assert.equal(((await device.getByTestId('recovery-request-id').textContent()) ?? '').trim(), requestId);
    await screenshot(device, 'keys-01-recovery-in-progress-after-reload');

    for (const guardian of guardians) {
      await approveKeyRecovery(
        createGatewayClient({ url: gateway.url, identity: guardian }),
        requestId,
        code,
      );
    }

    await device.getByLabel('Name for this identity').fill('Alex (new phone)');
    await device.getByLabel('New passphrase').fill('another good passphrase');
    await device.getByRole('button', { name: 'My guardians approved: recover my keys' }).click();
    await device.getByRole('heading', { name: 'My records' }).waitFor();
    assert.equal(
      (await device.locator('.who .mono').getAttribute('title'))?.toLowerCase(),
      recovering.address.toLowerCase(),
    );
    await device.locator('.record-card').filter({ hasText: 'Asthma' }).first().waitFor();
    await screenshot(device, 'keys-02-recovered-records');
    assert.equal(await keptRecovery(device), undefined, 'the finished recovery is no longer kept');
  });

  it('a recovery can be cancelled, and a reload then starts afresh', async () => {
    const { page } = await newActor(browser, gateway.url, sent);
    await page.goto('/');
    await page.getByRole('tab', { name: 'Recover with guardians' }).click();
    await page.getByLabel('Your address').fill(recovering.address);
    await page.getByRole('button', { name: 'Ask my guardians' }).click();
    await page.getByRole('heading', { name: 'Recovery in progress' }).waitFor();
    await page.getByRole('button', { name: 'Cancel this recovery' }).click();
    await page.getByLabel('Your address').waitFor();
    assert.equal(await keptRecovery(page), undefined);
    await page.reload();
    await page.getByRole('tab', { name: 'Create identity' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Recovery in progress' }).count(), 0);
    await page.context().close();
  });

  it('a patient changes its keys in the browser: its records stay readable and the old key is refused', async () => {
    await importIdentity(rotator, 'Sam', rotating);
    await nav(rotator, 'Keys');
    const form = rotator.getByRole('form', { name: 'Change my keys' });
    await form.getByLabel('Passphrase for the new keys', { exact: true }).fill('a brand new passphrase');
    await form.getByLabel('Passphrase for the new keys, again').fill('a brand new passphrase');
    await form.getByRole('button', { name: 'Change my keys' }).click();
    await rotator
      .getByText(
        /Your keys changed \(block \d+\): you now sign with 0x[0-9a-fA-F]{40}\. Your record is readable with the new keys\./,
      )
      .waitFor();
    await screenshot(rotator, 'keys-03-keys-changed');
    await rotator.getByRole('button', { name: 'Continue with my new keys' }).click();
    await nav(rotator, 'My records');
    await rotator.locator('.record-card').filter({ hasText: 'Hay fever' }).first().waitFor();

    await assert.rejects(createGatewayClient({ url: gateway.url, identity: rotating }).signIn());

    // The vault holds the new keys under the new passphrase: unlocking after a sign-out works.
    await rotator.getByRole('button', { name: 'Sign out', exact: true }).click();
    await rotator.getByLabel('Passphrase').fill('a brand new passphrase');
    await rotator.getByRole('button', { name: /^Unlock/ }).click();
    await rotator.getByRole('heading', { name: 'My records' }).waitFor();
    await rotator.locator('.record-card').filter({ hasText: 'Hay fever' }).first().waitFor();
  });
});
