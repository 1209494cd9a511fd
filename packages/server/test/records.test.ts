/**
 * Records end to end with the client library: encryption on the client, anchoring on the real
 * chain, access decided by the consents contract, every decision audited, blobs verified.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import {
  base64urlToBytes,
  bytesToHex,
  bytesToUtf8,
  digestOf,
  generateEncryptionKeyPair,
  generateIdentity,
  openRecord,
  openResealedDataKey,
  parseEnvelope,
  randomBytes,
} from '@medledger/core';
import type { Hex } from 'viem';
import { FileBlobStore } from '../src/store/blobStore.ts';
import {
  type Consortium,
  foundConsortium,
  newActor,
  newMember,
  newPatient,
  signIn,
} from './helpers/actors.ts';
import { alterStoredBlob } from './helpers/blobs.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';
import { buildRecord, labResult, medication } from './helpers/records.ts';

describe('records', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let custodianKey: Hex;
  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    custodianKey = (
      (await call(gateway.url, 'GET', '/api/ledger')).body as { custodian: { encryptionKey: Hex } }
    ).custodian.encryptionKey;
  });
  after(() => gateway.stop());

  async function patientAndDoctor(): Promise<{ patient: GatewayClient; doctor: GatewayClient }> {
    const [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    return { patient, doctor };
  }

  async function auditOf(patient: GatewayClient) {
    return (await patient.audit()).events;
  }

  async function submit(author: GatewayClient, body: unknown) {
    return call(gateway.url, 'POST', '/api/records', {
      token: await signIn(gateway.url, author.identity),
      body,
    });
  }

  describe('adding', () => {
    it('lets a patient add its own record, anchored, listed, readable and served as ciphertext', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const resource = labResult();
      const added = await patient.addRecord({ patient: patient.address, category: 'lab', resource });
      assert.match(added.recordId, /^0x[0-9a-f]{64}$/);
      assert.equal(added.organisationId, consortium.organisationId);
      assert.ok(added.blockNumber > 0);

      const { records } = await patient.listRecords(patient.address);
      assert.equal(records.length, 1);
      assert.deepEqual(
        {
          recordId: records[0]?.recordId,
          author: records[0]?.author,
          category: records[0]?.category,
          sensitivity: records[0]?.sensitivity,
          cid: records[0]?.cid,
          contentDigest: records[0]?.contentDigest,
          supersedes: records[0]?.supersedes,
        },
        {
          recordId: added.recordId,
          author: patient.address,
          category: 'lab',
          sensitivity: 'normal',
          cid: added.cid,
          contentDigest: added.contentDigest,
          supersedes: null,
        },
      );

      const read = await patient.readRecord(added.recordId);
      assert.deepEqual(read.resource, resource);

      const blob = await fetch(`${gateway.url}/api/blobs/${added.cid}`);
      assert.equal(blob.status, 200);
      assert.equal(blob.headers.get('content-type'), 'application/octet-stream');
      const bytes = new Uint8Array(await blob.arrayBuffer());
      assert.equal(digestOf(bytes), added.contentDigest);
      assert.ok(!Buffer.from(bytes).toString('latin1').includes('Haemoglobin'), 'the blob holds plaintext');

      const events = await auditOf(patient);
      assert.ok(
        events.some((e) => e.action === 'append' && e.outcome === 'allowed' && e.reason === 'patient'),
      );
    });

    it('refuses a member without an append grant (403), audited as denied, and anchors nothing', async () => {
      const { patient, doctor } = await patientAndDoctor();
      await assert.rejects(
        doctor.addRecord({ patient: patient.address, category: 'lab', resource: labResult() }),
        {
          code: 'access_denied',
          message: /has not given you consent to add lab records/,
        },
      );
      const denied = (await auditOf(patient)).filter((e) => e.actor === doctor.address);
      assert.equal(denied.length, 1);
      assert.deepEqual(
        {
          action: denied[0]?.action,
          category: denied[0]?.category,
          outcome: denied[0]?.outcome,
          reason: denied[0]?.reason,
        },
        { action: 'append', category: 'lab', outcome: 'denied', reason: 'no_consent' },
      );
      assert.deepEqual((await patient.listRecords(patient.address)).records, []);
    });

    it('accepts a record from a member with an append grant (201)', async () => {
      const { patient, doctor } = await patientAndDoctor();
      const { grantId } = await patient.grantConsent({
        grantee: doctor.address,
        categories: ['lab'],
        actions: ['append'],
        expiresInSeconds: 3600,
      });
      assert.ok(grantId && grantId > 0);
      const body = await buildRecord({
        url: gateway.url,
        author: doctor.identity,
        patient: patient.identity,
      });
      const response = await submit(doctor, body);
      assert.equal(response.status, 201, response.text);
      assert.equal((response.body as { recordId: string }).recordId, body.leaf.recordId);
      const [record] = (await patient.listRecords(patient.address)).records;
      assert.equal(record?.author, doctor.address);
      const allowed = (await auditOf(patient)).find((e) => e.actor === doctor.address);
      assert.deepEqual(
        { outcome: allowed?.outcome, reason: allowed?.reason },
        { outcome: 'allowed', reason: `grant ${grantId}` },
      );

      // The same record cannot be anchored twice.
      assertError(await submit(doctor, body), 409, 'conflict');
      // The grant covers lab results only.
      await assert.rejects(
        doctor.addRecord({ patient: patient.address, category: 'medication', resource: medication() }),
        { code: 'access_denied' },
      );
    });

    it('refuses an envelope that does not match the leaf’s content digest (400)', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const body = await buildRecord({
        url: gateway.url,
        author: patient.identity,
        patient: patient.identity,
        leaf: { contentDigest: bytesToHex(randomBytes(32)) },
      });
      assert.match(
        assertError(await submit(patient, body), 400, 'invalid_input'),
        /does not match the content digest/,
      );
      // Nor one whose bytes were changed after signing.
      const genuine = await buildRecord({
        url: gateway.url,
        author: patient.identity,
        patient: patient.identity,
      });
      const bytes = base64urlToBytes(genuine.envelope);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      const tampered = { ...genuine, envelope: Buffer.from(bytes).toString('base64url') };
      assert.match(assertError(await submit(patient, tampered), 400, 'invalid_input'), /does not match/);
      assert.deepEqual((await patient.listRecords(patient.address)).records, []);
    });

    it('refuses an envelope whose metadata disagrees with the signed leaf (400)', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const cases = [
        [{ category: 'medication' as const }, /disagree on: category/],
        [{ sensitivity: 'restricted' as const }, /disagree on: sensitivity/],
        [{ recordId: bytesToHex(randomBytes(32)) }, /disagree on: recordId/],
        [{ createdAt: 1_000 }, /disagree on: createdAt/],
        [{ author: generateIdentity().address.toLowerCase() as Hex }, /disagree on: author/],
      ] as const;
      for (const [envelopeMetadata, expected] of cases) {
        const body = await buildRecord({
          url: gateway.url,
          author: patient.identity,
          patient: patient.identity,
          envelopeMetadata,
        });
        assert.match(assertError(await submit(patient, body), 400, 'invalid_input'), expected);
      }
    });

    it('refuses an envelope not sealed to the patient’s registered key or to its custodian (400)', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const patientId = patient.address;
      const organisationId = String(consortium.organisationId);
      const wrongKey = generateEncryptionKeyPair().publicKey;
      const cases = [
        [
          [
            { kind: 'patient' as const, id: patientId, publicKey: wrongKey },
            { kind: 'custodian' as const, id: organisationId, publicKey: custodianKey },
          ],
          /not sealed to the patient’s registered encryption key/,
        ],
        [
          [{ kind: 'custodian' as const, id: organisationId, publicKey: custodianKey }],
          /not sealed to the patient’s registered encryption key/,
        ],
        [
          [{ kind: 'patient' as const, id: patientId, publicKey: patient.identity.encryption.publicKey }],
          /not sealed to the custodian/,
        ],
        [
          [
            { kind: 'patient' as const, id: patientId, publicKey: patient.identity.encryption.publicKey },
            { kind: 'custodian' as const, id: organisationId, publicKey: wrongKey },
          ],
          /not sealed to the custodian/,
        ],
      ] as const;
      for (const [recipients, expected] of cases) {
        const body = await buildRecord({
          url: gateway.url,
          author: patient.identity,
          patient: patient.identity,
          recipients: [...recipients],
        });
        assert.match(assertError(await submit(patient, body), 400, 'invalid_input'), expected);
      }
    });

    it('refuses a leaf signed by another key (400) or submitted by another session (403)', async () => {
      const { patient, doctor } = await patientAndDoctor();
      const forged = await buildRecord({
        url: gateway.url,
        author: patient.identity,
        patient: patient.identity,
      });
      const otherKey = await buildRecord({
        url: gateway.url,
        author: generateIdentity(),
        patient: patient.identity,
        leaf: { author: patient.address.toLowerCase() as Hex },
        envelopeMetadata: { author: patient.address.toLowerCase() as Hex },
      });
      assert.match(assertError(await submit(patient, otherKey), 400, 'invalid_input'), /does not check out/);
      assert.match(
        assertError(await submit(doctor, forged), 403, 'access_denied'),
        /submit your own actions/,
      );
      assert.deepEqual((await patient.listRecords(patient.address)).records, []);
    });

    it('refuses a record for someone who is not a registered patient (404)', async () => {
      const doctor = await newMember(gateway.url, consortium);
      const stranger = generateIdentity();
      const body = await buildRecord({ url: gateway.url, author: doctor.identity, patient: stranger });
      assert.match(assertError(await submit(doctor, body), 404, 'not_found'), /not a registered patient/);
    });
  });

  describe('reading', () => {
    it('answers 404 for an unknown record', async () => {
      const patient = await newPatient(gateway.url, consortium);
      await assert.rejects(patient.readRecord(bytesToHex(randomBytes(32))), { code: 'not_found' });
    });

    it('refuses a reader without a read grant (403), audited as denied', async () => {
      const { patient, doctor } = await patientAndDoctor();
      const { recordId } = await patient.addRecord({
        patient: patient.address,
        category: 'lab',
        resource: labResult(),
      });
      await assert.rejects(doctor.readRecord(recordId), { code: 'access_denied' });
      const token = await signIn(gateway.url, doctor.identity);
      const raw = await call(gateway.url, 'POST', `/api/records/${recordId}/access`, { token, body: {} });
      assertError(raw, 403, 'access_denied');
      assert.equal((raw.body as Record<string, unknown>).envelope, undefined);
      // The refusal says nothing about the record: not whose it is, what kind, or how sensitive.
      const said = JSON.stringify(raw.body).toLowerCase();
      for (const detail of [patient.address.toLowerCase(), 'lab', 'normal', 'restricted']) {
        assert.ok(!said.includes(detail), `the refusal names ${detail}: ${said}`);
      }

      const denied = (await auditOf(patient)).filter(
        (e) => e.actor === doctor.address && e.action === 'read',
      );
      assert.equal(denied.length, 2);
      for (const event of denied) {
        assert.deepEqual(
          { recordId: event.recordId, outcome: event.outcome, reason: event.reason, purpose: event.purpose },
          { recordId, outcome: 'denied', reason: 'no_consent', purpose: 'TREAT' },
        );
      }
    });

    it('gives a reader with a read grant the data key sealed to it, which opens the same resource', async () => {
      const { patient, doctor } = await patientAndDoctor();
      const resource = labResult('Potassium 4.1 mmol/L');
      const { recordId } = await patient.addRecord({ patient: patient.address, category: 'lab', resource });
      await patient.grantConsent({
        grantee: doctor.address,
        categories: ['lab'],
        actions: ['read'],
        expiresInSeconds: 600,
      });

      const token = await signIn(gateway.url, doctor.identity);
      const raw = await call(gateway.url, 'POST', `/api/records/${recordId}/access`, {
        token,
        body: { purpose: 'TREAT' },
      });
      assert.equal(raw.status, 200, raw.text);
      const answer = raw.body as { sealedKey: { enc: string; ct: string } | null; envelope: string };
      assert.ok(answer.sealedKey, 'a reader other than the patient gets a sealed key');
      assert.match(answer.sealedKey.enc, /^[A-Za-z0-9_-]+$/);

      const envelope = parseEnvelope(base64urlToBytes(answer.envelope));
      const sealed = {
        enc: base64urlToBytes(answer.sealedKey.enc),
        ct: base64urlToBytes(answer.sealedKey.ct),
      };
      const dataKey = await openResealedDataKey(sealed, doctor.identity.encryption.secretKey, recordId);
      assert.deepEqual(JSON.parse(bytesToUtf8(openRecord(envelope, dataKey))), resource);
      // The key is sealed to the doctor's registered key: no other key opens it.
      await assert.rejects(openResealedDataKey(sealed, generateEncryptionKeyPair().secretKey, recordId), /./);
      // The client library does the same.
      const read = await doctor.readRecord(recordId, 'TREAT');
      assert.deepEqual(read.resource, resource);

      const allowed = (await auditOf(patient)).filter(
        (e) => e.actor === doctor.address && e.outcome === 'allowed',
      );
      assert.ok(allowed.length >= 2);
      assert.ok(allowed.every((e) => e.recordId === recordId && e.action === 'read'));
    });

    it('stops releasing keys once the patient revokes the grant', async () => {
      const { patient, doctor } = await patientAndDoctor();
      const { recordId } = await patient.addRecord({
        patient: patient.address,
        category: 'lab',
        resource: labResult(),
      });
      const { grantId } = await patient.grantConsent({
        grantee: doctor.address,
        categories: ['lab'],
        actions: ['read'],
        expiresInSeconds: 600,
      });
      await doctor.readRecord(recordId);
      await patient.revokeConsent(grantId as number);
      await assert.rejects(doctor.readRecord(recordId), { code: 'access_denied' });
      await assert.rejects(patient.revokeConsent(grantId as number), { code: 'conflict' });
      await assert.rejects(doctor.revokeConsent(grantId as number), { code: 'access_denied' });
    });

    it('serves a blob by CID and refuses a stored copy that was altered (422 integrity)', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const { recordId, cid } = await patient.addRecord({
        patient: patient.address,
        category: 'lab',
        resource: labResult(),
      });
      const before = await fetch(`${gateway.url}/api/blobs/${cid}`);
      assert.equal(before.status, 200);
      await alterStoredBlob(gateway.storeLocation, cid);

      const tampered = await call(gateway.url, 'GET', `/api/blobs/${cid}`);
      assert.match(assertError(tampered, 422, 'integrity'), /altered/);
      await assert.rejects(patient.readRecord(recordId), { code: 'integrity' });
    });

    it('still serves a blob stored as a file by an earlier version, under DATA/blobs', async () => {
      const bytes = randomBytes(2000);
      const cid = await new FileBlobStore(join(gateway.dataDir, 'blobs')).put(bytes);
      const answer = await fetch(`${gateway.url}/api/blobs/${cid}`);
      assert.equal(answer.status, 200);
      assert.deepEqual(new Uint8Array(await answer.arrayBuffer()), bytes);
    });

    it('answers 404 for a blob it does not hold', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const { cid } = await patient.addRecord({
        patient: patient.address,
        category: 'lab',
        resource: labResult(),
      });
      const other = cid.replace(/.$/, (last) => (last === 'a' ? 'b' : 'a'));
      assertError(await call(gateway.url, 'GET', `/api/blobs/${other}`), 404, 'not_found');
    });
  });

  describe('listing', () => {
    it('shows a grantee only the categories it may read, and refuses a stranger (403)', async () => {
      const { patient, doctor } = await patientAndDoctor();
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

      const mine = await patient.listRecords(patient.address);
      assert.deepEqual(mine.records.map((r) => r.recordId).sort(), [lab.recordId, drug.recordId].sort());

      const theirs = await doctor.listRecords(patient.address);
      assert.deepEqual(
        theirs.records.map((r) => r.recordId),
        [lab.recordId],
      );
      await assert.rejects(doctor.readRecord(drug.recordId), { code: 'access_denied' });

      const stranger = newActor(gateway.url);
      await assert.rejects(stranger.listRecords(patient.address), { code: 'access_denied' });

      const lists = (await auditOf(patient)).filter((e) => e.action === 'list');
      assert.ok(
        lists.some(
          (e) =>
            e.actor === doctor.address && e.outcome === 'allowed' && e.reason === '1 of 2 records visible',
        ),
      );
      assert.ok(lists.some((e) => e.actor === stranger.address && e.outcome === 'denied'));
    });

    it('keeps each patient’s audit trail to that patient', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const other = await newPatient(gateway.url, consortium);
      await assert.rejects(other.audit({ patient: patient.address }), { code: 'access_denied' });
      const fhir = await call(gateway.url, 'GET', '/api/audit?format=fhir', {
        token: await signIn(gateway.url, patient.identity),
      });
      assert.equal(fhir.status, 200);
      assert.equal((fhir.body as { resourceType: string }).resourceType, 'Bundle');
    });
  });
});
