/**
 * The consortium's votes in Debian's Chromium against a real `medledger start`, with two active
 * organisations (a hospital and a laboratory: two thirds of two is two votes): the hospital's admin
 * sees a pharmacy asking to join with "0 of 2 needed", votes ("1 of 2 needed"), and the lab's admin's
 * vote lets it in. With three active organisations two thirds is still two: the hospital's admin
 * proposes an emergency window (its own vote counts: "1 of 2 needed") and the lab's admin passes it; the lab's admin proposes an author erasure window that the hospital's admin
 * passes; the hospital's admin proposes key custody, passed by the lab's vote from the CLI's client.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { consortiumVotes, createGatewayClient } from '@medledger/client';
import { generateIdentity } from '@medledger/core';
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

/** Opens the votes screen afresh (a reload would sign out: keys live in the page's memory only). */
async function revisitVotes(page: Page): Promise<void> {
  await nav(page, 'Consortium');
  await page.getByRole('heading', { name: 'Consortium', exact: true }).waitFor();
  await nav(page, 'Votes');
  await page.getByRole('heading', { name: 'Consortium votes' }).waitFor();
}

describe('consortium votes in Chromium: each shows its votes so far, then passes', {
  timeout: 600_000,
}, () => {
  let gateway: GatewayProcess;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const sent: SentRequest[] = [];
  const hospitalAdmin = generateIdentity();
  const labAdmin = generateIdentity();
  const pharmacyAdmin = generateIdentity();
  let hospital: Page;
  let lab: Page;

  before(async () => {
    await clearFailureScreenshots();
    gateway = await startGatewayProcess({
      dataDir: await temporaryDirectory('web-votes'),
      timeoutMs: 120_000,
    });
    const hospitalClient = createGatewayClient({ url: gateway.url, identity: hospitalAdmin });
    await hospitalClient.createOrganisation({ name: 'St Mary Hospital', kind: 'hospital' });
    const labClient = createGatewayClient({ url: gateway.url, identity: labAdmin });
    const labOrganisation = await labClient.createOrganisation({ name: 'City Lab', kind: 'lab' });
    // With one active organisation, its vote alone lets the lab in.
    assert.equal((await hospitalClient.approveOrganisation(labOrganisation.organisationId)).status, 'active');
    const pharmacyClient = createGatewayClient({ url: gateway.url, identity: pharmacyAdmin });
    assert.equal(
      (await pharmacyClient.createOrganisation({ name: 'Corner Pharmacy', kind: 'pharmacy' })).status,
      'pending',
    );
    browser = await launchChromium();
    hospital = (await newActor(browser, gateway.url, sent)).page;
    lab = (await newActor(browser, gateway.url, sent)).page;
    await importIdentity(hospital, 'Hospital admin', hospitalAdmin);
    await importIdentity(lab, 'Lab admin', labAdmin);
  });

  afterEach(async (context) => {
    if (!(context as unknown as { passed?: boolean }).passed) {
      for (const [name, page] of Object.entries({ hospital, lab })) {
        if (page) await screenshot(page, `failed-votes-${name}`).catch(() => undefined);
      }
    }
  });

  after(async () => {
    await browser?.close();
    await cleanUp();
  });

  it('an organisation asking to join shows "1 of 2 needed" after one vote, and joins with the second', async () => {
    await nav(hospital, 'Votes');
    await hospital.getByRole('heading', { name: 'Consortium votes' }).waitFor();
    const joining = hospital.getByRole('table', { name: 'Organisations asking to join' });
    await joining.getByRole('row', { name: /Corner Pharmacy \(pharmacy\).*0 of 2 needed/ }).waitFor();
    await joining.getByRole('button', { name: 'Vote for it: Corner Pharmacy joining' }).click();
    await hospital.getByText('Your vote is counted. Corner Pharmacy joining: 1 of 2 needed.').waitFor();
    await joining.getByRole('row', { name: /Corner Pharmacy.*1 of 2 needed/ }).waitFor();
    await screenshot(hospital, 'votes-01-one-of-two-needed');

    await nav(lab, 'Votes');
    await lab.getByRole('row', { name: /Corner Pharmacy.*1 of 2 needed/ }).waitFor();
    await lab.getByRole('button', { name: 'Vote for it: Corner Pharmacy joining' }).click();
    await lab.getByText('Corner Pharmacy joining passed: it is in force now.').waitFor();
    await lab.getByText('No organisation is waiting to join.').waitFor();
    const pharmacy = (
      await createGatewayClient({ url: gateway.url, identity: labAdmin }).organisations()
    ).organisations.find((o) => o.name === 'Corner Pharmacy');
    assert.equal(pharmacy?.status, 'active');
  });

  it('an emergency window proposed in the browser counts its proposer, then passes with a second vote', async () => {
    await revisitVotes(hospital);
    // Three organisations are active now: two thirds is two votes.
    await hospital.getByText('3 organisations are active.', { exact: false }).waitFor();
    const form = hospital.getByRole('form', { name: 'Propose the emergency window' });
    await form.getByLabel('New emergency window (hours)').fill('2');
    await form.getByRole('button', { name: 'Propose' }).click();
    await hospital
      .getByText('Your vote is counted. The emergency window of 2 hours: 1 of 2 needed.')
      .waitFor();
    await hospital
      .getByRole('table', { name: 'Emergency window proposals' })
      .getByRole('row', { name: /2 hours \(proposed by St Mary Hospital\).*1 of 2 needed/ })
      .waitFor();
    await screenshot(hospital, 'votes-02-emergency-window-proposed');

    await revisitVotes(lab);
    const proposals = lab.getByRole('table', { name: 'Emergency window proposals' });
    await proposals.getByRole('row', { name: /2 hours.*1 of 2 needed/ }).waitFor();
    await proposals.getByRole('button', { name: /^Vote for it: emergency window proposal \d+$/ }).click();
    await lab.getByText('The emergency window of 2 hours passed: it is in force now.').waitFor();
    await lab.getByText('No emergency window proposal is open.').waitFor();
    const window = await createGatewayClient({ url: gateway.url, identity: labAdmin }).emergencyWindow();
    assert.equal(window.windowSeconds, 7_200);
  });

  it('an author erasure window and key custody pass the same way', async () => {
    const erasure = lab.getByRole('form', { name: 'Propose the author erasure window' });
    await erasure.getByLabel('New author erasure window (days)').fill('7');
    await erasure.getByRole('button', { name: 'Propose' }).click();
    await lab
      .getByText('Your vote is counted. The author erasure window of 7 days: 1 of 2 needed.')
      .waitFor();

    await revisitVotes(hospital);
    const erasureProposals = hospital.getByRole('table', { name: 'Author erasure window proposals' });
    await erasureProposals
      .getByRole('row', { name: /7 days \(proposed by City Lab\).*1 of 2 needed/ })
      .waitFor();
    await erasureProposals
      .getByRole('button', { name: /^Vote for it: author erasure window proposal \d+$/ })
      .click();
    await hospital.getByText('The author erasure window of 7 days passed: it is in force now.').waitFor();

    const custody = hospital.getByRole('form', { name: 'Propose key custody' });
    await custody.getByLabel('Custodian organisations').fill('1, 2');
    await custody.getByLabel('Custodians needed for a read').fill('2');
    await custody.getByRole('button', { name: 'Propose custody' }).click();
    await hospital
      .getByText('Your vote is counted. Key custody by any 2 of St Mary Hospital, City Lab: 1 of 2 needed.')
      .waitFor();
    const labClient = createGatewayClient({ url: gateway.url, identity: labAdmin });
    const [open] = (await consortiumVotes(labClient)).custody;
    assert.ok(open);
    assert.deepEqual([open.approvals, open.needed], [1, 2]);
    assert.equal((await labClient.approveCustody(open.proposalId)).enacted, true);
    await revisitVotes(hospital);
    await hospital.getByText('No custody proposal is open.').waitFor();
    await hospital.getByText('Now: any 2 of St Mary Hospital, City Lab.', { exact: false }).waitFor();
    await screenshot(hospital, 'votes-03-all-passed');
  });

  it('a co-signature policy proposed in the browser shows its votes, then passes with a second vote', async () => {
    const form = hospital.getByRole('form', { name: 'Propose a co-signature policy' });
    await form.getByLabel('Records of').selectOption('lab');
    await form.getByLabel('Co-signed by').selectOption('doctor');
    await form.getByLabel('How many').fill('1');
    await form.getByLabel('Only co-signers of the author’s organisation count').check();
    await form.getByRole('button', { name: 'Propose the policy' }).click();
    await hospital
      .getByText(
        'Your vote is counted. Co-signature of lab records by 1 doctor of the author’s organisation: 1 of 2 needed.',
      )
      .waitFor();
    await screenshot(hospital, 'votes-04-policy-proposed');

    await revisitVotes(lab);
    const proposals = lab.getByRole('table', { name: 'Co-signature policy proposals' });
    await proposals
      .getByRole('row', {
        name: /lab records co-signed by 1 doctor of the author’s organisation \(proposed by St Mary Hospital\).*1 of 2 needed/,
      })
      .waitFor();
    await proposals.getByRole('button', { name: /^Vote for it: co-signature policy proposal \d+$/ }).click();
    await lab.getByText(/Co-signature policy proposal #\d+ passed: it is in force now\./).waitFor();
    await lab.getByText('No co-signature policy proposal is open.').waitFor();
    const { policies } = await createGatewayClient({ url: gateway.url, identity: labAdmin }).policies();
    const labPolicy = policies.find((p) => p.category === 'lab');
    assert.deepEqual(labPolicy?.requirements, [{ role: 'doctor', count: 1, sameOrganisation: true }]);
  });
});
