/**
 * Signing in with an injected EIP-1193 wallet, end to end in Debian's Chromium against a real
 * `medledger start`. The wallet is scripted: `window.ethereum` (an init script) forwards each
 * `request` to this test process, where a viem local account really signs (`personal_sign`,
 * `eth_signTypedData_v4`, checking the typed data's chain as MetaMask does), and answers
 * `eth_requestAccounts`, `eth_chainId` and `wallet_switchEthereumChain`; `on`/`removeListener` keep
 * the page's listeners so the test can emit `accountsChanged`.
 *
 * The wallet starts on another network: a refused switch is told in plain words, an accepted one is
 * made. A declined signature (the wallet throws `{ code: 4001 }`) shows "You declined the request in
 * your wallet". The patient signs in (the encryption key derived twice the first time, and equal to
 * the core's derivation), registers, adds a record and reads it back; an action declined in the
 * wallet is shown the same way; a changed wallet account signs out; signing in again derives the
 * same key (one signature) and the record is still readable. A wallet with randomised signatures is
 * refused. A doctor signs in with another wallet, is registered as a member with its derived key,
 * requests access, the patient approves and later revokes (each signed by the wallets), and the
 * doctor reads the record, then is refused. On a new device, a wallet whose signature (valid,
 * repeatable there) gives another key than the registered one is refused after sign-in.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createGatewayClient, type GatewayClient, type RegisteredAccount } from '@medledger/client';
import { deriveWalletEncryptionKey, generateIdentity } from '@medledger/core';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Browser, Page } from 'playwright-core';
import {
  type Address,
  type Hex,
  hashTypedData,
  hexToBytes,
  hexToNumber,
  isAddressEqual,
  numberToHex,
  serializeSignature,
  type TypedDataDefinition,
  toHex,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
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

type TypedFields = Record<string, readonly { name: string; type: string }[]>;

/** An EIP-1193 error as a wallet throws it. */
class WalletRpcError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** A typed-data value as JSON carries it, with its integers back as bigints for viem. */
function revive(types: TypedFields, type: string, value: unknown): unknown {
  if (type.endsWith('[]')) return (value as unknown[]).map((item) => revive(types, type.slice(0, -2), item));
  const fields = types[type];
  if (fields) {
    const object = value as Record<string, unknown>;
    return Object.fromEntries(
      fields.map((field) => [field.name, revive(types, field.type, object[field.name])]),
    );
  }
  return /^u?int\d*$/.test(type) ? BigInt(value as string | number) : value;
}

/**
 * The wallet's side, in this process: a viem local account that signs, the chain it is on, and
 * the next requests it refuses as a user would.
 */
class ScriptedWallet {
  readonly key = generatePrivateKey();
  readonly account = privateKeyToAccount(this.key);
  chainId: number;
  refuseSwitch = false;
  /** Sign typed data with fresh randomness each time, as a wallet without RFC 6979 would. */
  randomise = false;
  /**
   * Sign with fixed extra entropy: the same signature each time within this session, but not the
   * RFC 6979 one given before (as a wallet whose signatures change between sessions would).
   */
  drifted = false;
  private readonly driftEntropy = hexToBytes(generatePrivateKey());
  /** Methods whose next request the user declines (EIP-1193 code 4001). */
  readonly declineNext = new Set<string>();
  /** Every request the page sent, in order; typed data by its primary type. */
  readonly log: string[] = [];

  constructor(chainId: number) {
    this.chainId = chainId;
  }

  async handle(method: string, params: unknown[]): Promise<unknown> {
    if (method === 'eth_signTypedData_v4') {
      this.log.push(`${method}:${(JSON.parse(params[1] as string) as { primaryType: string }).primaryType}`);
    } else {
      this.log.push(method);
    }
    if (this.declineNext.delete(method)) throw new WalletRpcError(4001, 'User rejected the request.');
    switch (method) {
      case 'eth_requestAccounts':
      case 'eth_accounts':
        return [this.account.address];
      case 'eth_chainId':
        return toHex(this.chainId);
      case 'wallet_switchEthereumChain': {
        if (this.refuseSwitch) throw new WalletRpcError(4001, 'User rejected the request.');
        this.chainId = hexToNumber((params[0] as { chainId: Hex }).chainId);
        return null;
      }
      case 'personal_sign': {
        const [data, address] = params as [Hex, Address];
        this.assertOwn(address);
        return this.account.signMessage({ message: { raw: data } });
      }
      case 'eth_signTypedData_v4': {
        const [address, json] = params as [Address, string];
        this.assertOwn(address);
        const { domain, types, primaryType, message } = JSON.parse(json) as {
          domain: { chainId?: number | string } & Record<string, unknown>;
          types: TypedFields;
          primaryType: string;
          message: Record<string, unknown>;
        };
        if (domain.chainId !== undefined && Number(domain.chainId) !== this.chainId) {
          throw new WalletRpcError(
            -32602,
            `Provided chainId "${domain.chainId}" must match the active chainId`,
          );
        }
        const { EIP712Domain: _, ...messageTypes } = types;
        const definition = {
          domain: { ...domain, ...(domain.chainId === undefined ? {} : { chainId: Number(domain.chainId) }) },
          types: messageTypes,
          primaryType,
          message: revive(messageTypes, primaryType, message),
        } as TypedDataDefinition;
        if (!this.randomise && !this.drifted) return this.account.signTypedData(definition);
        const signature = secp256k1.Signature.fromBytes(
          secp256k1.sign(hexToBytes(hashTypedData(definition)), hexToBytes(this.key), {
            prehash: false,
            extraEntropy: this.randomise ? true : this.driftEntropy,
            format: 'recovered',
          }),
          'recovered',
        );
        return serializeSignature({
          r: numberToHex(signature.r, { size: 32 }),
          s: numberToHex(signature.s, { size: 32 }),
          yParity: signature.recovery ?? 0,
        });
      }
      default:
        throw new WalletRpcError(4200, `The scripted wallet does not support ${method}.`);
    }
  }

  private assertOwn(address: Address): void {
    if (!isAddressEqual(address, this.account.address)) throw new WalletRpcError(4100, 'Unknown account.');
  }

  /** Gives `page` a `window.ethereum` whose requests this wallet answers. */
  async inject(page: Page): Promise<void> {
    await page.exposeFunction('__walletRequest', async (method: string, params: unknown[]) => {
      try {
        return { result: await this.handle(method, params ?? []) };
      } catch (error) {
        if (error instanceof WalletRpcError) return { error: { code: error.code, message: error.message } };
        return { error: { code: -32603, message: error instanceof Error ? error.message : String(error) } };
      }
    });
    await page.addInitScript(() => {
      type Listener = (value: unknown) => void;
      const listeners = new Map<string, Set<Listener>>();
      const page = window as unknown as {
        __walletRequest(
          method: string,
          params: unknown,
        ): Promise<{ result?: unknown; error?: { code: number; message: string } }>;
        __walletEmit(event: string, value: unknown): void;
        ethereum: unknown;
      };
      page.__walletEmit = (event, value) => {
        for (const listener of listeners.get(event) ?? []) listener(value);
      };
      page.ethereum = {
        async request(args: { method: string; params?: unknown }) {
          const answer = await page.__walletRequest(args.method, args.params ?? []);
          if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
          return answer.result;
        },
        on(event: string, listener: Listener) {
          if (!listeners.has(event)) listeners.set(event, new Set());
          listeners.get(event)?.add(listener);
        },
        removeListener(event: string, listener: Listener) {
          listeners.get(event)?.delete(listener);
        },
      };
    });
  }

  /** The wallet tells the page it now uses `accounts`, as a wallet does when the user switches. */
  async emitAccountsChanged(page: Page, accounts: Address[]): Promise<void> {
    await page.evaluate(
      (value) =>
        (window as unknown as { __walletEmit(event: string, v: unknown): void }).__walletEmit(
          'accountsChanged',
          value,
        ),
      accounts,
    );
  }
}

const observation = {
  resourceType: 'Observation',
  status: 'final',
  category: [
    {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }],
    },
  ],
  code: {
    coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }],
    text: 'Hemoglobin A1c',
  },
  effectiveDateTime: '2026-01-10T09:00:00Z',
  valueQuantity: { value: 6.1, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
};

async function uploadObservation(page: Page, resource: object): Promise<void> {
  await page.getByLabel('FHIR file (a resource or a Bundle)').setInputFiles({
    name: 'observation.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(resource)),
  });
  await page.getByRole('button', { name: 'Encrypt and upload' }).click();
}

/** Opens a patient's chart afresh (away and back, so the chart is loaded again). */
async function openChart(page: Page, patient: Address): Promise<void> {
  await nav(page, 'Appointments');
  await nav(page, 'Patients');
  await page.getByLabel('Patient address').fill(patient);
  await page.getByRole('button', { name: 'Open' }).click();
}

describe('signing in with an injected wallet, end to end in Chromium', { timeout: 300_000 }, () => {
  let gateway: GatewayProcess;
  let browser: Browser;
  let patient: Page;
  let chainId = 0;
  let admin: GatewayClient;
  let organisationId = 0;
  let doctor: Page;
  const sent: SentRequest[] = [];
  const wallet = new ScriptedWallet(1);
  let doctorWallet: ScriptedWallet;

  before(async () => {
    await clearFailureScreenshots();
    gateway = await startGatewayProcess({
      dataDir: await temporaryDirectory('web-wallet'),
      timeoutMs: 120_000,
    });
    chainId = ((await (await fetch(`${gateway.url}/api/ledger`)).json()) as { chainId: number }).chainId;
    admin = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
    ({ organisationId } = await admin.createOrganisation({ name: 'St Mary Hospital', kind: 'hospital' }));
    doctorWallet = new ScriptedWallet(chainId);
    browser = await launchChromium();
    patient = (await newActor(browser, gateway.url, sent)).page;
    await wallet.inject(patient);
    await patient.goto('/');
    doctor = (await newActor(browser, gateway.url, sent)).page;
    await doctorWallet.inject(doctor);
    await doctor.goto('/');
  });

  afterEach(async (context) => {
    if (!(context as unknown as { passed?: boolean }).passed) {
      for (const [name, page] of Object.entries({ patient, doctor })) {
        if (page) await screenshot(page, `failed-wallet-${name}`).catch(() => undefined);
      }
    }
  });

  after(async () => {
    await browser?.close();
    await cleanUp();
  });

  it('a wallet on another network that refuses to switch is told so in plain words', async () => {
    assert.notEqual(wallet.chainId, chainId);
    wallet.refuseSwitch = true;
    await patient.getByRole('button', { name: 'Sign in with a wallet' }).click();
    await patient
      .getByText(
        `Your wallet is on another network (chain 1) and did not switch to this consortium’s network (chain ${chainId}). Switch to it in your wallet (add it there first if your wallet does not know it), then sign in again.`,
        { exact: true },
      )
      .waitFor();
    assert.deepEqual(wallet.log, ['eth_requestAccounts', 'eth_chainId', 'wallet_switchEthereumChain']);
    assert.equal(wallet.chainId, 1);
  });

  it('the wallet is switched to the consortium’s chain; a declined signature is shown in plain words', async () => {
    wallet.refuseSwitch = false;
    wallet.log.length = 0;
    wallet.declineNext.add('eth_signTypedData_v4');
    await patient.getByRole('button', { name: 'Sign in with a wallet' }).click();
    await patient.getByText('You declined the request in your wallet.', { exact: true }).waitFor();
    assert.equal(wallet.chainId, chainId, 'the wallet switched');
    assert.deepEqual(wallet.log, [
      'eth_requestAccounts',
      'eth_chainId',
      'wallet_switchEthereumChain',
      'eth_chainId',
      'eth_signTypedData_v4:EncryptionKey',
    ]);
    await screenshot(patient, 'wallet-declined');
  });

  it('a wallet whose signatures are randomised is refused: it could not keep the encryption key', async () => {
    wallet.randomise = true;
    wallet.log.length = 0;
    await patient.getByRole('button', { name: 'Sign in with a wallet' }).click();
    await patient
      .getByText(
        'This wallet signs the same message differently each time, so it cannot keep your encryption key',
        {
          exact: false,
        },
      )
      .waitFor();
    assert.equal(wallet.log.filter((method) => method === 'eth_signTypedData_v4:EncryptionKey').length, 2);
    assert.equal(wallet.log.includes('personal_sign'), false, 'not signed in');
    wallet.randomise = false;
  });

  it('the patient signs in with the wallet, registers, adds a record and reads it back', async () => {
    wallet.log.length = 0;
    await patient.getByRole('button', { name: 'Sign in with a wallet' }).click();
    await patient.locator('.who').waitFor();
    // The first use in this browser asks twice (determinism), then the EIP-4361 sign-in.
    assert.deepEqual(
      wallet.log.filter((method) => method !== 'eth_chainId'),
      [
        'eth_requestAccounts',
        'eth_signTypedData_v4:EncryptionKey',
        'eth_signTypedData_v4:EncryptionKey',
        'personal_sign',
      ],
    );
    assert.equal(
      (await patient.getByTestId('my-address').textContent())?.trim(),
      wallet.account.address,
      'the wallet address is the identity',
    );
    const expected = await deriveWalletEncryptionKey(wallet.account, { chainId, checkDeterminism: false });
    assert.equal((await patient.getByTestId('my-encryption-key').textContent())?.trim(), expected.publicKey);
    await screenshot(patient, 'wallet-get-started');

    wallet.log.length = 0;
    await patient.getByLabel('Register with').selectOption({ label: 'St Mary Hospital (hospital)' });
    await patient.getByRole('button', { name: 'Register as a patient' }).click();
    await patient.getByRole('heading', { name: 'My records' }).waitFor();
    assert.ok(wallet.log.includes('eth_signTypedData_v4:RegisterPatient'), wallet.log.join(', '));
    const registered = await admin.call<RegisteredAccount>(
      'GET',
      `/api/accounts/${wallet.account.address.toLowerCase()}/encryption-key`,
    );
    assert.equal(
      registered.encryptionKey.toLowerCase(),
      expected.publicKey,
      'registered with the derived key',
    );

    wallet.log.length = 0;
    await uploadObservation(patient, observation);
    await patient.getByText('Your record is encrypted and anchored on the ledger.').waitFor();
    assert.ok(wallet.log.includes('eth_signTypedData_v4:Record'), wallet.log.join(', '));
    const card = patient.locator('.record-card').filter({ hasText: 'Hemoglobin A1c' });
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', /6\.1 %/);
    await screenshot(patient, 'wallet-patient-records');
  });

  it('an action declined in the wallet is shown in plain words and changes nothing', async () => {
    wallet.declineNext.add('eth_signTypedData_v4');
    await uploadObservation(patient, {
      ...observation,
      valueQuantity: { ...observation.valueQuantity, value: 5.4 },
    });
    await patient.getByText('You declined the request in your wallet.', { exact: false }).waitFor();
    assert.equal(await patient.locator('.record-card').filter({ hasText: '5.4 %' }).count(), 0);
  });

  it('a changed wallet account signs out; the same wallet signs in again and reads the record', async () => {
    await wallet.emitAccountsChanged(patient, [privateKeyToAccount(generatePrivateKey()).address]);
    await patient
      .getByText('Your wallet changed account, so you were signed out.', { exact: false })
      .waitFor();
    assert.equal(await patient.locator('.who').count(), 0);

    wallet.log.length = 0;
    await patient.getByRole('button', { name: 'Sign in with a wallet' }).click();
    await patient.getByRole('heading', { name: 'My records' }).waitFor();
    // Known in this browser: the key is derived with one signature and checked against the one before.
    assert.equal(wallet.log.filter((method) => method === 'eth_signTypedData_v4:EncryptionKey').length, 1);
    const card = patient.locator('.record-card').filter({ hasText: 'Hemoglobin A1c' });
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', /6\.1 %/);
    await screenshot(patient, 'wallet-signed-in-again');
  });

  it('a doctor signs in with a wallet, is registered with its derived key and reads the record under consent', async () => {
    await doctor.getByRole('button', { name: 'Sign in with a wallet' }).click();
    await doctor.getByTestId('my-encryption-key').waitFor();
    const encryptionKey = ((await doctor.getByTestId('my-encryption-key').textContent()) ?? '').trim() as Hex;
    const expected = await deriveWalletEncryptionKey(doctorWallet.account, {
      chainId,
      checkDeterminism: false,
    });
    assert.equal(encryptionKey, expected.publicKey);
    await admin.addMember({
      organisationId,
      member: doctorWallet.account.address,
      role: 'doctor',
      encryptionKey,
    });
    await doctor.getByRole('button', { name: 'I have been registered: check again' }).click();
    await openChart(doctor, wallet.account.address);
    await doctor.getByText('You may not see this patient’s records').waitFor();
    doctorWallet.log.length = 0;
    await doctor.getByLabel('Reason').fill('Diabetes follow-up');
    await doctor.getByRole('button', { name: 'Send request' }).click();
    await doctor.getByText(/Request #\d+ sent/).waitFor();
    assert.ok(
      doctorWallet.log.some((method) => method.startsWith('eth_signTypedData_v4:')),
      doctorWallet.log.join(', '),
    );

    wallet.log.length = 0;
    await nav(patient, 'Requests');
    const card = patient.locator('.request-card').filter({ hasText: 'Diabetes follow-up' });
    await card.getByRole('button', { name: 'Approve' }).click();
    await patient.getByText('No one is waiting for an answer from you.').waitFor();
    assert.ok(
      wallet.log.some((method) => method.startsWith('eth_signTypedData_v4:')),
      wallet.log.join(', '),
    );

    await openChart(doctor, wallet.account.address);
    const record = doctor.locator('.record-card').filter({ hasText: 'Hemoglobin A1c' });
    await record.waitFor();
    assert.match((await record.textContent()) ?? '', /6\.1 %/);
    await screenshot(doctor, 'wallet-doctor-chart');
  });

  it('the patient revokes with a wallet signature and the doctor is refused', async () => {
    wallet.log.length = 0;
    await nav(patient, 'Sharing');
    const row = patient.locator('tr', { hasText: doctorWallet.account.address.slice(0, 6) });
    await row.getByRole('button', { name: /Revoke grant/ }).click();
    await row.waitFor({ state: 'detached' });
    assert.ok(wallet.log.includes('eth_signTypedData_v4:Revoke'), wallet.log.join(', '));
    await openChart(doctor, wallet.account.address);
    await doctor.getByText('You may not see this patient’s records').waitFor();
    assert.equal(await doctor.locator('.record-card').count(), 0);
  });

  it('the Keys screen tells a wallet patient that the wallet is the backup', async () => {
    await nav(patient, 'Keys');
    await patient.getByText('Your wallet’s own recovery phrase is your backup', { exact: false }).waitFor();
    assert.equal(await patient.getByLabel('Guardians’ addresses').count(), 0);
  });

  it('a wallet that gives another key than the registered one on a new device is refused', async () => {
    const elsewhere = (await newActor(browser, gateway.url, sent)).page;
    await wallet.inject(elsewhere);
    await elsewhere.goto('/');
    wallet.drifted = true;
    try {
      await elsewhere.getByRole('button', { name: 'Sign in with a wallet' }).click();
      await elsewhere
        .getByText(
          'Your wallet gives another encryption key than the one the ledger holds for this account',
          {
            exact: false,
          },
        )
        .waitFor();
      assert.equal(await elsewhere.locator('.who').count(), 0, 'not signed in');
    } catch (error) {
      await screenshot(elsewhere, 'failed-wallet-elsewhere');
      throw error;
    } finally {
      wallet.drifted = false;
      await elsewhere.context().close();
    }
  });
});
