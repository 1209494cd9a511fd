/**
 * The key operations, called without HTTP on a real gateway (anvil, SQLite): a patient's key
 * rotation, relayed for the patient's own session only, and the registered keys of members and
 * patients, with refusals told apart by code and reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type GatewayClient, newPatientKeys, signKeyRotation } from '@medledger/client';
import { type Identity, signerAddressOf } from '@medledger/core';
import { registeredEncryptionKey, rotatePatientKey } from '../../src/operations/keyRotation.ts';
import { type Consortium, foundConsortium, newActor, newMember, newPatient } from '../helpers/actors.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { sessionOf } from '../helpers/sessions.ts';

describe('key operations', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
  });
  after(() => gateway.stop());

  /** The rotation of `patient` to `next`, signed by both keys, with the patient its path names. */
  async function signedRotation(patient: GatewayClient, next: Identity) {
    return { patient: patient.address, ...(await signKeyRotation(patient, next)) };
  }

  it('rotates a patient’s keys: its address stays, its new encryption key is the registered one', async () => {
    const patient = await newPatient(gateway.url, consortium);
    const next = newPatientKeys(patient);
    const rotated = await rotatePatientKey(
      gateway.services,
      sessionOf(patient),
      await signedRotation(patient, next),
    );
    assert.deepEqual(
      { patient: rotated.patient, signer: rotated.signer, encryptionKey: rotated.encryptionKey },
      {
        patient: patient.address,
        signer: signerAddressOf(next).toLowerCase(),
        encryptionKey: next.encryption.publicKey.toLowerCase(),
      },
    );
    assert.deepEqual(await registeredEncryptionKey(gateway.services, patient.address), {
      address: patient.address,
      kind: 'patient',
      active: true,
      encryptionKey: next.encryption.publicKey.toLowerCase(),
    });
  });

  it('refuses a rotation submitted by another session (not_the_signer); the keys stay', async () => {
    const [patient, other] = await Promise.all([
      newPatient(gateway.url, consortium),
      newPatient(gateway.url, consortium),
    ]);
    await assert.rejects(
      rotatePatientKey(
        gateway.services,
        sessionOf(other),
        await signedRotation(patient, newPatientKeys(patient)),
      ),
      { code: 'access_denied', reason: 'not_the_signer' },
    );
    assert.equal(
      (await registeredEncryptionKey(gateway.services, patient.address)).encryptionKey,
      patient.identity.encryption.publicKey.toLowerCase(),
    );
  });

  it('answers a member’s registered key, inactive once suspended, and not_registered for anyone else', async () => {
    const doctor = await newMember(gateway.url, consortium);
    const expected = {
      address: doctor.address,
      kind: 'member',
      active: true,
      encryptionKey: doctor.identity.encryption.publicKey.toLowerCase(),
    };
    assert.deepEqual(await registeredEncryptionKey(gateway.services, doctor.address), expected);
    await consortium.admin.suspendMember(doctor.address);
    assert.deepEqual(await registeredEncryptionKey(gateway.services, doctor.address), {
      ...expected,
      active: false,
    });
    const stranger = newActor(gateway.url);
    await assert.rejects(registeredEncryptionKey(gateway.services, stranger.address), {
      code: 'not_found',
      reason: 'not_registered',
      fields: { address: stranger.address },
    });
  });
});
