/**
 * The records operations, called without HTTP on a real gateway (anvil + SQLite): anchoring,
 * listing (decided and audited by accessControl), reading and blobs. Denials are asserted by code
 * and reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import {
  base64urlToBytes,
  bytesToHex,
  bytesToUtf8,
  generateEncryptionKeyPair,
  generateIdentity,
  MedledgerError,
  openRecord,
  openResealedDataKey,
  parseEnvelope,
  randomBytes,
} from '@medledger/core';
import { createLedgerClient, httpEndpoint } from '@medledger/ledger';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createAccessControl } from '../../src/accessControl.ts';
import { addRecord, listRecords, readBlob, readRecord } from '../../src/operations/records.ts';
import { type Consortium, foundConsortium, newActor, newMember, newPatient } from '../helpers/actors.ts';
import { startTestConsortium, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { buildRecord, labResult, medication } from '../helpers/records.ts';
import { refused, sessionOf } from '../helpers/refusals.ts';

describe('records operations', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
  });
  after(() => gateway.stop());

  /** A patient with a lab record holding `resource`, and a doctor of its organisation, granted lab reads if `granted`. */
  async function labRecordAndDoctor(granted: boolean, resource: unknown = labResult()) {
    const [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    const { recordId } = await patient.addRecord({ patient: patient.address, category: 'lab', resource });
    const grant = granted
      ? await patient.grantConsent({
          grantee: doctor.address,
          categories: ['lab'],
          actions: ['read'],
          expiresInSeconds: 600,
        })
      : undefined;
    return { patient, doctor, recordId, grantId: grant?.grantId };
  }

  const listEvents = async (patient: GatewayClient) =>
    (await gateway.services.store.auditEvents({ patient: patient.address })).filter(
      (event) => event.action === 'list',
    );

  describe('addRecord', () => {
    it('anchors a record its patient signed and answers with its anchor', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const body = await buildRecord({
        url: gateway.url,
        author: patient.identity,
        patient: patient.identity,
      });
      const added = await addRecord(gateway.services, sessionOf(patient), body);
      assert.equal(added.recordId, body.leaf.recordId.toLowerCase());
      assert.equal(added.contentDigest, body.leaf.contentDigest);
      assert.equal(added.organisationId, consortium.organisationId);
      assert.ok(added.blockNumber > 0);
      assert.match(added.transactionHash, /^0x[0-9a-f]{64}$/);
      assert.deepEqual(
        await readBlob(gateway.services, { cid: added.cid, localOnly: true }),
        base64urlToBytes(body.envelope),
      );
    });

    it('refuses a member without an append grant (no_consent), a session that did not sign (not_the_signer)', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const doctor = await newMember(gateway.url, consortium);
      const byDoctor = await buildRecord({
        url: gateway.url,
        author: doctor.identity,
        patient: patient.identity,
      });
      await assert.rejects(
        addRecord(gateway.services, sessionOf(doctor), byDoctor),
        refused('access_denied', 'no_consent'),
      );
      const byPatient = await buildRecord({
        url: gateway.url,
        author: patient.identity,
        patient: patient.identity,
      });
      await assert.rejects(
        addRecord(gateway.services, sessionOf(doctor), byPatient),
        refused('access_denied', 'not_the_signer'),
      );
      assert.deepEqual(await gateway.services.store.recordsOfPatient(patient.address), []);
    });

    it('refuses an envelope that is not the signed record, or not sealed as required', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const session = sessionOf(patient);
      const options = { url: gateway.url, author: patient.identity, patient: patient.identity };
      const good = await buildRecord(options);
      const other = await buildRecord(options);
      await assert.rejects(
        addRecord(gateway.services, session, { ...good, envelope: other.envelope }),
        refused('invalid_input', 'envelope_digest_mismatch'),
      );
      const disagreeing = await buildRecord({ ...options, envelopeMetadata: { category: 'medication' } });
      await assert.rejects(
        addRecord(gateway.services, session, disagreeing),
        refused('invalid_input', 'envelope_leaf_mismatch', { mismatches: 'category' }),
      );
      const wrongKey = await buildRecord({
        ...options,
        recipients: [
          { kind: 'patient', id: patient.address, publicKey: generateEncryptionKeyPair().publicKey },
        ],
      });
      await assert.rejects(
        addRecord(gateway.services, session, wrongKey),
        refused('invalid_input', 'not_sealed_to_patient'),
      );
      const noCustodian = await buildRecord({
        ...options,
        recipients: [
          { kind: 'patient', id: patient.address, publicKey: patient.identity.encryption.publicKey },
        ],
      });
      await assert.rejects(
        addRecord(gateway.services, session, noCustodian),
        refused('invalid_input', 'not_sealed_to_custodian', { organisationId: consortium.organisationId }),
      );
    });

    it('refuses a record for someone who is not a registered patient (patient_not_registered)', async () => {
      const doctor = await newMember(gateway.url, consortium);
      const body = await buildRecord({
        url: gateway.url,
        author: doctor.identity,
        patient: generateIdentity(),
      });
      await assert.rejects(
        addRecord(gateway.services, sessionOf(doctor), body),
        refused('not_found', 'patient_not_registered'),
      );
    });
  });

  describe('listRecords', () => {
    it('lists all records to the patient and the readable ones to a grantee, with stamps, audited', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const doctor = await newMember(gateway.url, consortium);
      const lab = await patient.addRecord({
        patient: patient.address,
        category: 'lab',
        resource: labResult(),
      });
      const drug = await patient.addRecord({
        patient: patient.address,
        category: 'medication',
        resource: medication(),
      });
      await patient.grantConsent({
        grantee: doctor.address,
        categories: ['lab'],
        actions: ['read'],
        expiresInSeconds: 600,
      });

      const mine = await listRecords(gateway.services, sessionOf(patient), { patient: patient.address });
      assert.equal(mine.patient, patient.address);
      assert.deepEqual(
        mine.records.map((record) => record.recordId).sort(),
        [lab.recordId, drug.recordId].sort(),
      );
      for (const record of mine.records) {
        assert.equal(record.stamp.status, 'final');
        assert.deepEqual(
          record.stamp.signers.map((signer) => [signer.address, signer.as, signer.role]),
          [[patient.address, 'author', 'patient']],
        );
      }

      const theirs = await listRecords(gateway.services, sessionOf(doctor), { patient: patient.address });
      assert.deepEqual(
        theirs.records.map((record) => [record.recordId, record.category]),
        [[lab.recordId, 'lab']],
      );

      const events = await listEvents(patient);
      assert.ok(
        events.some(
          (e) =>
            e.actor === patient.address && e.outcome === 'allowed' && e.reason === '2 of 2 records visible',
        ),
      );
      assert.ok(
        events.some(
          (e) =>
            e.actor === doctor.address && e.outcome === 'allowed' && e.reason === '1 of 2 records visible',
        ),
      );
    });

    it('refuses a stranger when the patient has records (no_consent), audited as denied', async () => {
      const patient = await newPatient(gateway.url, consortium);
      await patient.addRecord({ patient: patient.address, category: 'lab', resource: labResult() });
      const stranger = newActor(gateway.url);
      await assert.rejects(
        listRecords(gateway.services, sessionOf(stranger), { patient: patient.address }),
        refused('access_denied', 'no_consent'),
      );
      const events = await listEvents(patient);
      assert.ok(
        events.some(
          (e) =>
            e.actor === stranger.address && e.outcome === 'denied' && e.reason === '0 of 1 records visible',
        ),
      );
    });

    it('answers an empty list for a patient without records, to anyone', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const stranger = newActor(gateway.url);
      const answer = await listRecords(gateway.services, sessionOf(stranger), { patient: patient.address });
      assert.deepEqual(answer, { patient: patient.address, records: [] });
    });
  });

  describe('readRecord', () => {
    it('lets the patient open its own slot (no sealed key) and a grantee the key re-sealed to it', async () => {
      const resource = labResult('Sodium 140 mmol/L');
      const { patient, doctor, recordId } = await labRecordAndDoctor(true, resource);

      const own = await readRecord(gateway.services, sessionOf(patient), { recordId });
      assert.equal(own.record.recordId, recordId);
      assert.equal(own.record.stamp, undefined);
      assert.deepEqual([own.sealedKey, own.sealedShare], [null, null]);

      const read = await readRecord(gateway.services, sessionOf(doctor), { recordId, purpose: 'TREAT' });
      assert.ok(read.sealedKey);
      const dataKey = await openResealedDataKey(
        { enc: base64urlToBytes(read.sealedKey.enc), ct: base64urlToBytes(read.sealedKey.ct) },
        doctor.identity.encryption.secretKey,
        recordId,
      );
      const envelope = parseEnvelope(base64urlToBytes(read.envelope));
      assert.deepEqual(JSON.parse(bytesToUtf8(openRecord(envelope, dataKey))), resource);
    });

    it('refuses a reader without a grant (no_consent), audited as denied with its purpose', async () => {
      const { patient, doctor, recordId } = await labRecordAndDoctor(false);
      await assert.rejects(
        readRecord(gateway.services, sessionOf(doctor), { recordId, purpose: 'ETREAT' }),
        refused('access_denied', 'no_consent'),
      );
      const events = await gateway.services.store.auditEvents({ patient: patient.address });
      assert.ok(
        events.some(
          (e) =>
            e.actor === doctor.address &&
            e.action === 'read' &&
            e.outcome === 'denied' &&
            e.reason === 'no_consent' &&
            e.purpose === 'ETREAT',
        ),
      );
    });

    it('stops at a revoked grant (consent_revoked) and answers record_not_found for an unknown record', async () => {
      const { patient, doctor, recordId, grantId } = await labRecordAndDoctor(true);
      assert.ok(grantId);
      await readRecord(gateway.services, sessionOf(doctor), { recordId });
      await patient.revokeConsent(grantId);
      await assert.rejects(
        readRecord(gateway.services, sessionOf(doctor), { recordId }),
        refused('access_denied', 'consent_revoked'),
      );
      await assert.rejects(
        readRecord(gateway.services, sessionOf(patient), { recordId: bytesToHex(randomBytes(32)) as Hex }),
        refused('not_found', 'record_not_found'),
      );
    });
  });

  describe('when the chain cannot be read', () => {
    it('refuses a grantee’s listing (fails closed) and audits the refusal', async () => {
      const { patient, doctor } = await labRecordAndDoctor(true);
      // The same gateway, its access decisions asked of a chain endpoint where nothing answers.
      const unreachable = createLedgerClient({
        endpoint: httpEndpoint('http://127.0.0.1:9/'),
        relayer: privateKeyToAccount(generatePrivateKey()),
        deployment: gateway.deployment,
      });
      const { store, auditLog, emergencies } = gateway.services;
      const services = {
        ...gateway.services,
        access: createAccessControl({ ledger: unreachable, auditLog, store, emergencies }),
      };
      await assert.rejects(
        listRecords(services, sessionOf(doctor), { patient: patient.address }),
        (error: unknown) => {
          assert.ok(error instanceof MedledgerError, String(error));
          assert.equal(error.code, 'ledger_unavailable');
          return true;
        },
      );
      const [last] = await store.auditEvents({ patient: patient.address, actor: doctor.address, limit: 1 });
      assert.deepEqual([last?.action, last?.outcome, last?.reason], ['list', 'denied', 'ledger_unavailable']);
      // The patient's own listing needs no chain answer.
      const own = await listRecords(services, sessionOf(patient), { patient: patient.address });
      assert.equal(own.records.length, 1);
    });
  });

  describe('readBlob', () => {
    it('serves a blob by its CID, and answers not_found for one it does not hold', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const body = await buildRecord({
        url: gateway.url,
        author: patient.identity,
        patient: patient.identity,
      });
      const { cid } = await addRecord(gateway.services, sessionOf(patient), body);
      assert.deepEqual(
        await readBlob(gateway.services, { cid, localOnly: false }),
        base64urlToBytes(body.envelope),
      );
      const other = cid.replace(/.$/, (last) => (last === 'a' ? 'b' : 'a'));
      await assert.rejects(readBlob(gateway.services, { cid: other, localOnly: true }), (error: unknown) => {
        assert.ok(error instanceof MedledgerError);
        assert.equal(error.code, 'not_found');
        return true;
      });
    });
  });
});

describe('records operations under k-of-n custody', () => {
  let consortium: Awaited<ReturnType<typeof startTestConsortium>>;
  let home: TestGateway;
  let patient: GatewayClient;
  let doctor: GatewayClient;

  before(async () => {
    consortium = await startTestConsortium({ hospitals: 2, threshold: 2 });
    home = consortium.gateways[0]!;
    patient = createGatewayClient({ url: home.url, identity: generateIdentity() });
    doctor = createGatewayClient({ url: home.url, identity: generateIdentity() });
    await consortium.admins[0]!.addMember({
      organisationId: 1,
      member: doctor.address,
      role: 'doctor',
      encryptionKey: doctor.identity.encryption.publicKey,
    });
    await patient.registerPatient({ organisationId: 1 });
    await patient.grantConsent({
      grantee: doctor.address,
      categories: ['lab'],
      actions: ['read'],
      expiresInSeconds: 600,
    });
  });
  after(() => consortium.stop());

  it('refuses a record whose data key is not split among the custodians (custody_shares_required)', async () => {
    const whole = await buildRecord({ url: home.url, author: patient.identity, patient: patient.identity });
    await assert.rejects(
      addRecord(home.services, sessionOf(patient), whole),
      refused('invalid_input', 'custody_shares_required', { threshold: 2, custodians: 2 }),
    );
  });

  it('refuses key shares that are not k of n to the current custodians (custody_shares_mismatch)', async () => {
    const first = await home.services.store.organisation(1);
    assert.ok(first);
    // Two shares, as k requires, but to organisation 1 and to an organisation that is no custodian.
    const wrongCustodians = await buildRecord({
      url: home.url,
      author: patient.identity,
      patient: patient.identity,
      recipients: [
        { kind: 'patient', id: patient.address, publicKey: patient.identity.encryption.publicKey },
      ],
      custody: {
        threshold: 2,
        custodians: [
          { kind: 'custodian', id: '1', publicKey: first.encryptionKey },
          { kind: 'custodian', id: '9', publicKey: generateEncryptionKeyPair().publicKey },
        ],
      },
    });
    await assert.rejects(
      addRecord(home.services, sessionOf(patient), wrongCustodians),
      refused('invalid_input', 'custody_shares_mismatch', { threshold: 2, custodians: '1,2' }),
    );
  });

  it('gives a reader this gateway’s key share only, re-sealed to it', async () => {
    const { recordId } = await patient.addRecord({
      patient: patient.address,
      category: 'lab',
      resource: labResult(),
    });
    const read = await readRecord(home.services, sessionOf(doctor), { recordId });
    assert.equal(read.sealedKey, null);
    assert.ok(read.sealedShare, 'a share of the data key');
    const envelope = parseEnvelope(base64urlToBytes(read.envelope));
    assert.equal(envelope.v, 2);
    const ownSlot = envelope.keys.find((key) => key.kind === 'custodian' && key.id === '1');
    assert.ok(ownSlot && 'share' in ownSlot);
    assert.equal(read.sealedShare.share, ownSlot.share, 'this gateway’s own share');
  });
});
