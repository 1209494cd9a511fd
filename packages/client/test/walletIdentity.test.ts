/**
 * A wallet identity (core `WalletIdentity`) acting through the client against a real gateway: its
 * signatures come from a viem account that is not a private-key account (as in the browser, where
 * `toAccount` forwards to `window.ethereum`), its encryption key is derived from the wallet. It
 * signs in, registers, adds and reads records, and a doctor's wallet reads under consent; backing
 * up keys to guardians is refused by reason; a key rotation is signed by the wallet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  backUpKey,
  createGatewayClient,
  type GatewayClient,
  newPatientKeys,
  signKeyRotation,
} from '@medledger/client';
import {
  type Actor,
  consortiumTypes,
  deriveWalletEncryptionKey,
  InvalidInputError,
  ledgerDomain,
  type WalletIdentity,
} from '@medledger/core';
import { type LocalAccount, recoverTypedDataAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount, toAccount } from 'viem/accounts';
import {
  type Consortium,
  foundConsortium,
  labResult,
  rejectsWith,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

/** A wallet: an account with no key in sight, counting the signatures it is asked for. */
function scriptedWallet(): { account: LocalAccount; asked: string[] } {
  const key = privateKeyToAccount(generatePrivateKey());
  const asked: string[] = [];
  const account = toAccount({
    address: key.address,
    signMessage: (parameters) => {
      asked.push('personal_sign');
      return key.signMessage(parameters);
    },
    signTypedData: (typedData) => {
      asked.push(`typedData:${String(typedData.primaryType)}`);
      return key.signTypedData(typedData);
    },
    signTransaction: () => Promise.reject(new Error('no transactions')),
  });
  return { account, asked };
}

async function walletIdentity(account: LocalAccount, chainId: number): Promise<WalletIdentity> {
  const encryption = await deriveWalletEncryptionKey(account, { chainId, checkDeterminism: true });
  return { address: account.address, account, encryption };
}

describe('a wallet identity through the client', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let chainId: number;
  const patientWallet = scriptedWallet();
  const doctorWallet = scriptedWallet();
  let patient: GatewayClient<Actor>;
  let doctor: GatewayClient<Actor>;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    ({ chainId } = await consortium.admin.ledger());
    patient = createGatewayClient<Actor>({
      url: gateway.url,
      identity: await walletIdentity(patientWallet.account, chainId),
    });
    doctor = createGatewayClient<Actor>({
      url: gateway.url,
      identity: await walletIdentity(doctorWallet.account, chainId),
    });
  });

  after(() => gateway.stop());

  it('signs in and registers as a patient with the derived encryption key, every signature by the wallet', async () => {
    patientWallet.asked.length = 0;
    await patient.registerPatient({ organisationId: consortium.organisationId });
    assert.deepEqual([...patientWallet.asked].sort(), ['personal_sign', 'typedData:RegisterPatient']);
    const me = await patient.me();
    assert.equal(me.patient?.registered, true);
    const registered = await consortium.admin.call<{ encryptionKey: string }>(
      'GET',
      `/api/accounts/${patient.address}/encryption-key`,
    );
    assert.equal(registered.encryptionKey.toLowerCase(), patient.identity.encryption.publicKey);
  });

  it('adds a record and reads it back; a doctor’s wallet reads it under consent', async () => {
    const { recordId } = await patient.addRecord({
      patient: patient.address,
      category: 'lab',
      resource: labResult('Sodium 140 mmol/L'),
    });
    assert.ok(patientWallet.asked.includes('typedData:Record'));
    const own = await patient.readRecord(recordId);
    assert.match(JSON.stringify(own.resource), /Sodium 140 mmol\/L/);

    await consortium.admin.addMember({
      organisationId: consortium.organisationId,
      member: doctor.address,
      role: 'doctor',
      encryptionKey: doctor.identity.encryption.publicKey,
    });
    await patient.grantConsent({
      grantee: doctor.address,
      categories: ['lab'],
      actions: ['read'],
      expiresInSeconds: 3600,
    });
    const read = await doctor.readRecord(recordId);
    assert.match(JSON.stringify(read.resource), /Sodium 140 mmol\/L/);
    assert.ok(doctorWallet.asked.includes('personal_sign'));
  });

  it('refuses to back up a wallet identity’s keys to guardians', async () => {
    await rejectsWith(
      backUpKey(patient, { guardians: [doctor.address], threshold: 1 }),
      InvalidInputError,
      'wallet_identity_backup',
    );
  });

  it('has the wallet sign a key rotation as the current key', async () => {
    const body = await signKeyRotation(patient, newPatientKeys(patient));
    const info = await patient.ledger();
    const signer = await recoverTypedDataAddress({
      domain: ledgerDomain('consortium', info.chainId, info.contracts.consortium),
      types: consortiumTypes,
      primaryType: 'RotatePatientKey',
      message: {
        patient: patient.address,
        newSigner: body.newSigner,
        newEncryptionKey: body.encryptionKey,
        nonce: BigInt(body.nonce),
        deadline: BigInt(body.deadline),
      },
      signature: body.signature,
    });
    assert.equal(signer, patientWallet.account.address);
  });
});
