/**
 * Through the real CLI against a gateway process: the consortium sets a co-signature policy, a lab result
 * stays a draft until a doctor co-signs it (`record sign`), `record list|get` show it, `verify` checks the
 * co-signature; a patient turns on a one-time code (`otp enable`) that its consents then need.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RecordAdded, RecordMetadata } from '@medledger/client';
import { type TOTP, URI } from 'otpauth';
import { labObservation, newPeople, type Person, setUpHospital, writeJsonFile } from './helpers/people.ts';
import {
  type Cli,
  cleanUp,
  cliFor,
  type GatewayProcess,
  sleep,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

describe('multi-signature stamps and the second factor through the CLI', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let work: string;
  let admin: Person;
  let labAdmin: Person;
  let technician: Person;
  let doctor: Person;
  let patient: Person;

  before(async () => {
    const dataDir = await temporaryDirectory('stamps-data');
    work = await temporaryDirectory('stamps-files');
    gateway = await startGatewayProcess({ dataDir });
    cli = cliFor(gateway.url);
    [admin, labAdmin, technician, doctor, patient] = await newPeople(cli, work, [
      'admin',
      'lab-admin',
      'technician',
      'doctor',
      'patient',
    ]);
    await setUpHospital(cli, { admin, doctors: [doctor], patients: [patient] });
    const lab = await cli.json<{ organisationId: number }>(
      'org',
      'create',
      '--name',
      'City Lab',
      '--kind',
      'lab',
      '--as',
      labAdmin.keyFile,
    );
    await cli.json('org', 'approve', String(lab.organisationId), '--as', admin.keyFile);
    await cli.json(
      'member',
      'add',
      '--org',
      String(lab.organisationId),
      '--role',
      'lab',
      '--address',
      technician.address,
      '--encryption-key',
      technician.encryptionKey,
      '--as',
      labAdmin.keyFile,
    );
    for (const org of ['1', String(lab.organisationId)]) {
      await cli.json(
        'consent',
        'grant',
        '--to-org',
        org,
        '--categories',
        'lab',
        '--actions',
        'read,append',
        '--expires',
        '1h',
        '--as',
        patient.keyFile,
      );
    }
  });
  after(async () => {
    await gateway?.stop('SIGINT');
    await cleanUp();
  });

  test('a lab result is a draft until a doctor co-signs it, and verify checks the co-signature', async () => {
    const proposed = await cli.run(
      'policy',
      'propose',
      '--category',
      'lab',
      '--require',
      'lab:1,doctor:1',
      '--as',
      admin.keyFile,
    );
    assert.equal(proposed.code, 0, proposed.stderr);
    assert.equal(
      proposed.stdout.trim(),
      'policy proposal 1 awaits the other organisations’ approval (votes: 1 of 2 needed)',
    );
    const approved = await cli.json<{ enacted: boolean }>('policy', 'approve', '1', '--as', labAdmin.keyFile);
    assert.equal(approved.enacted, true);
    const shown = await cli.run('policy', 'show');
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^lab\tversion 1\t1 lab and 1 doctor$/m);
    assert.match(shown.stdout, /proposal 1\tenacted/);
    const badRule = await cli.run(
      'policy',
      'propose',
      '--category',
      'lab',
      '--require',
      'surgeon:2',
      '--as',
      admin.keyFile,
    );
    assert.equal(badRule.code, 2);
    assert.match(badRule.stderr, /Invalid requirement "surgeon:2"/);

    // A policy applies to records anchored at a later block timestamp than its enactment; anvil's
    // clock runs up to a second behind the wall clock.
    await sleep(2100);
    const file = await writeJsonFile(work, 'potassium.json', labObservation(patient.address, 90));
    const added = await cli.json<RecordAdded>(
      'record',
      'add',
      '--patient',
      patient.address,
      '--category',
      'lab',
      '--file',
      file,
      '--as',
      technician.keyFile,
    );
    const list = await cli.run('record', 'list', '--patient', patient.address, '--as', patient.keyFile);
    assert.match(list.stdout, new RegExp(`${added.recordId}  lab/normal  by .*  draft \\(1 signer\\)$`, 'm'));
    const draft = await cli.run('record', 'get', added.recordId, '--as', doctor.keyFile);
    assert.equal(draft.code, 0, draft.stderr);
    assert.equal(JSON.parse(draft.stdout).resourceType, 'Observation');
    assert.match(draft.stderr, /status: draft/);

    const signed = await cli.run('record', 'sign', added.recordId, '--as', doctor.keyFile);
    assert.equal(signed.code, 0, signed.stderr);
    assert.match(signed.stdout, /status: final/);
    assert.match(signed.stdout, new RegExp(`co-signer doctor\\t${doctor.address.toLowerCase()}`));
    const again = await cli.run('record', 'sign', added.recordId, '--as', doctor.keyFile);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /has already co-signed/);
    const listed = await cli.json<{ records: RecordMetadata[] }>(
      'record',
      'list',
      '--patient',
      patient.address,
      '--as',
      doctor.keyFile,
    );
    assert.deepEqual(
      listed.records[0]?.stamp?.signers.map((signer) => [signer.as, signer.role]),
      [
        ['author', 'lab'],
        ['co-signer', 'doctor'],
      ],
    );
    const verified = await cli.json<{ ok: boolean; checkedCoSignatures: number }>('verify');
    assert.deepEqual(
      { ok: verified.ok, checkedCoSignatures: verified.checkedCoSignatures },
      { ok: true, checkedCoSignatures: 1 },
    );
  });

  test('once the patient turns on a one-time code, its consents need it', async () => {
    const enrolment = await cli.json<{ uri: string; homeGateway: boolean }>(
      'otp',
      'enable',
      '--as',
      patient.keyFile,
    );
    assert.equal(enrolment.homeGateway, true);
    const totp = URI.parse(enrolment.uri) as TOTP;
    const code = (offsetSeconds = 0) => totp.generate({ timestamp: Date.now() + offsetSeconds * 1000 });
    const enabled = await cli.run('otp', 'enable', '--code', code(), '--as', patient.keyFile);
    assert.equal(enabled.code, 0, enabled.stderr);
    assert.match(enabled.stdout, /only through this gateway/);

    const grant = (...extra: string[]) =>
      cli.run(
        'consent',
        'grant',
        '--to',
        doctor.address,
        '--categories',
        'allergy',
        '--actions',
        'read',
        '--expires',
        '1h',
        '--as',
        patient.keyFile,
        ...extra,
      );
    const withoutCode = await grant();
    assert.equal(withoutCode.code, 3);
    assert.match(withoutCode.stderr, /one-time code/);
    const malformed = await grant('--otp', '12ab');
    assert.equal(malformed.code, 2);
    const withCode = await grant('--otp', code(30));
    assert.equal(withCode.code, 0, withCode.stderr);
    assert.match(withCode.stdout, /consent \d+ granted/);

    // The grant spent the next step's code: turning the code off needs a later one, so wait for a new step.
    await sleep(30_000 - (Date.now() % 30_000) + 200);
    const disabled = await cli.run('otp', 'disable', '--code', code(30), '--as', patient.keyFile);
    assert.equal(disabled.code, 0, disabled.stderr);
    const status = await cli.run('otp', 'status', '--as', patient.keyFile);
    assert.match(status.stdout, /one-time code: off\nconsents relayed only by your home gateway: no/);
    assert.equal((await grant()).code, 0);
  });
});
