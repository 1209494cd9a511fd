/**
 * Durability of a gateway on the embedded chain: what it acknowledged survives a Ctrl-C (SIGINT)
 * and a crash (SIGKILL during concurrent writes), on restart from the same data directory.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AuditEvent, type Consent, createGatewayClient, type RecordMetadata } from '@medledger/client';
import { generateIdentity, type Identity } from '@medledger/core';
import type { Hex } from 'viem';
import { readKeyFile } from '../src/keyFile.ts';
import { labObservation, newPeople, type Person, setUpHospital, writeJsonFile } from './helpers/people.ts';
import {
  cleanUp,
  cliFor,
  type GatewayProcess,
  isRunning,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

describe('durability of the embedded node', () => {
  let dataDir: string;
  let work: string;
  let gateway: GatewayProcess;
  let admin: Person;
  let doctor: Person;
  let patient: Person;

  before(async () => {
    dataDir = await temporaryDirectory('durability-data');
    work = await temporaryDirectory('durability-files');
  });

  after(cleanUp);

  test('after Ctrl-C and a restart, every acknowledged record, consent and audit event is still there', async () => {
    gateway = await startGatewayProcess({ dataDir });
    let cli = cliFor(gateway.url);
    [admin, doctor, patient] = await newPeople(cli, work, ['admin', 'doctor', 'patient']);
    await setUpHospital(cli, { admin, doctors: [doctor], patients: [patient] });
    await cli.json(
      'consent',
      'grant',
      '--as',
      patient.keyFile,
      '--to',
      doctor.address,
      '--categories',
      'lab',
      '--actions',
      'read,append',
      '--expires',
      '1h',
    );
    const resources = [90, 104, 131].map((value) => labObservation(patient.address, value));
    const files = await Promise.all(
      resources.map((resource, index) => writeJsonFile(work, `lab-${index}.json`, resource)),
    );
    const additions = await Promise.all(
      files.map((file) =>
        cli.run(
          '--json',
          'record',
          'add',
          '--as',
          doctor.keyFile,
          '--patient',
          patient.address,
          '--category',
          'lab',
          '--file',
          file,
        ),
      ),
    );
    const acknowledged = new Map<Hex, unknown>();
    for (const [index, addition] of additions.entries()) {
      if (addition.code === 0) {
        acknowledged.set((JSON.parse(addition.stdout) as { recordId: Hex }).recordId, resources[index]);
      }
    }
    assert.equal(acknowledged.size, 3, additions.map((a) => a.stderr).join('\n'));
    const [firstRecord] = acknowledged.keys();
    const read = await cli.run('record', 'get', firstRecord!, '--as', doctor.keyFile);
    assert.equal(read.code, 0, read.stderr);

    const listArgs = ['record', 'list', '--as', patient.keyFile, '--patient', patient.address];
    const [recordsBefore, consentsBefore, auditBefore] = await Promise.all([
      cli.json<{ records: RecordMetadata[] }>(...listArgs),
      cli.json<{ given: Consent[] }>('consent', 'list', '--as', patient.keyFile),
      cli.json<{ events: AuditEvent[] }>('audit', '--as', patient.keyFile),
    ]);
    assert.equal(recordsBefore.records.length, 3);
    assert.equal(consentsBefore.given.length, 1);
    assert.ok(auditBefore.events.some((e) => e.action === 'read' && e.recordId === firstRecord));

    const exit = await gateway.stop('SIGINT');
    assert.deepEqual(exit, { code: 0, signal: null }, gateway.output().stderr);
    assert.ok(existsSync(join(dataDir, 'chain', 'state.json')), 'anvil wrote its state');

    gateway = await startGatewayProcess({ dataDir });
    cli = cliFor(gateway.url);
    const [recordsAfter, consentsAfter, auditAfter, verification] = await Promise.all([
      cli.json<{ records: RecordMetadata[] }>(...listArgs),
      cli.json<{ given: Consent[] }>('consent', 'list', '--as', patient.keyFile),
      cli.json<{ events: AuditEvent[] }>('audit', '--as', patient.keyFile),
      cli.run('--json', 'verify'),
    ]);
    assert.deepEqual(new Set(recordsAfter.records.map((r) => r.recordId)), new Set(acknowledged.keys()));
    assert.deepEqual(sortBy(recordsAfter.records, 'recordId'), sortBy(recordsBefore.records, 'recordId'));
    assert.deepEqual(consentsAfter.given, consentsBefore.given);
    const eventsAfter = new Map(auditAfter.events.map((e) => [e.eventId, e]));
    for (const event of auditBefore.events) assert.deepEqual(eventsAfter.get(event.eventId), event);
    assert.equal(verification.code, 0, `${verification.stderr}${verification.stdout}`);
    assert.equal((JSON.parse(verification.stdout) as { checkedRecords: number }).checkedRecords, 3);

    const readsAfter = await Promise.all(
      [...acknowledged.keys()].map((recordId) => cli.run('record', 'get', recordId, '--as', doctor.keyFile)),
    );
    for (const [index, [, resource]] of [...acknowledged].entries()) {
      assert.equal(readsAfter[index]?.code, 0, readsAfter[index]?.stderr);
      assert.deepEqual(JSON.parse(readsAfter[index]?.stdout ?? ''), resource);
    }
  });

  test('after kill -9 during concurrent writes, every acknowledged write and read survives', async (t) => {
    const writerCount = 4;
    const adminClient = createGatewayClient({ url: gateway.url, identity: await readKeyFile(admin.keyFile) });
    const organisationId = (await adminClient.ledger()).custodian.organisationIds[0]!;
    const writers = Array.from({ length: writerCount }, () => ({
      doctor: generateIdentity(),
      patient: generateIdentity(),
    }));
    const clientOf = (identity: Identity) => createGatewayClient({ url: gateway.url, identity });
    await Promise.all(
      writers.map(async ({ doctor, patient }) => {
        await Promise.all([
          adminClient.addMember({
            organisationId,
            member: doctor.address,
            role: 'doctor',
            encryptionKey: doctor.encryption.publicKey,
          }),
          clientOf(patient).registerPatient({ organisationId }),
        ]);
        await clientOf(patient).grantConsent({
          grantee: doctor.address,
          categories: ['lab'],
          actions: ['read', 'append'],
          expiresInSeconds: 3600,
        });
      }),
    );

    const acknowledgedWrites: { writer: number; recordId: Hex; resource: unknown }[] = [];
    const acknowledgedReads: { writer: number; recordId: Hex }[] = [];
    const failedBeforeKill: unknown[] = [];
    let failedAfterKill = 0;
    let killedAt = Number.POSITIVE_INFINITY;
    const write = async (writer: number) => {
      const { doctor, patient } = writers[writer]!;
      const client = clientOf(doctor);
      for (let n = 0; ; n += 1) {
        const resource = labObservation(patient.address, 60 + writer * 1000 + n);
        try {
          const { recordId } = await client.addRecord({
            patient: patient.address,
            category: 'lab',
            resource,
          });
          acknowledgedWrites.push({ writer, recordId, resource });
          const read = await client.readRecord(recordId);
          assert.deepEqual(read.resource, resource);
          acknowledgedReads.push({ writer, recordId });
        } catch (error) {
          if (Date.now() < killedAt) failedBeforeKill.push(error);
          else failedAfterKill += 1;
          if (Date.now() >= killedAt || failedBeforeKill.length > 3) return;
        }
      }
    };
    const writing = Promise.all(writers.map((_, index) => write(index)));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const oldAnvil = gateway.anvilPid;
    killedAt = Date.now();
    gateway.child.kill('SIGKILL');
    const exit = await gateway.exited;
    await writing;
    assert.equal(exit.signal, 'SIGKILL');
    t.diagnostic(
      `${acknowledgedWrites.length} writes and ${acknowledgedReads.length} reads acknowledged; ` +
        `${failedAfterKill} requests failed at the kill, ${failedBeforeKill.length} before it`,
    );
    assert.deepEqual(failedBeforeKill.map(String), [], 'no request fails while the gateway runs');
    assert.ok(acknowledgedWrites.length >= writerCount, 'each writer got at least one write through');

    // Restarting at once: the new gateway must itself wait for the old anvil to write its state.
    const restarted = await startGatewayProcess({ dataDir });
    assert.ok(oldAnvil && !isRunning(oldAnvil), `the old anvil ${oldAnvil} still runs`);
    await gateway.stop('SIGKILL');
    gateway = restarted;
    const verification = cliFor(gateway.url).run('--json', 'verify');

    for (const [writer, { doctor, patient }] of writers.entries()) {
      const patientClient = clientOf(patient);
      const doctorClient = clientOf(doctor);
      const writes = acknowledgedWrites.filter((w) => w.writer === writer);
      const reads = acknowledgedReads.filter((r) => r.writer === writer);
      const { events } = await patientClient.audit();
      assert.ok(events.length < 1000, 'the audit answer is not cut at its page size');
      const count = (action: string, recordId: Hex) =>
        events.filter(
          (e) =>
            e.action === action &&
            e.outcome === 'allowed' &&
            e.recordId === recordId &&
            e.actor === doctor.address.toLowerCase(),
        ).length;
      for (const { recordId } of writes) assert.equal(count('append', recordId), 1, `append of ${recordId}`);
      for (const { recordId } of reads) assert.ok(count('read', recordId) >= 1, `read of ${recordId}`);

      const listed = new Set(
        (await patientClient.listRecords(patient.address)).records.map((r) => r.recordId),
      );
      for (const { recordId } of writes) assert.ok(listed.has(recordId), `record ${recordId} is listed`);
      for (const { recordId, resource } of writes) {
        assert.deepEqual((await doctorClient.readRecord(recordId)).resource, resource);
      }
    }

    const verified = await verification;
    assert.equal(verified.code, 0, `${verified.stderr}${verified.stdout}`);
    const report = JSON.parse(verified.stdout) as { checkedRecords: number; ok: boolean };
    assert.ok(report.checkedRecords >= 3 + acknowledgedWrites.length);
  });
});

function sortBy<T>(items: T[], key: keyof T): T[] {
  return [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}
