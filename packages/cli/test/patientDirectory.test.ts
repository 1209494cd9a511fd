/**
 * `medledger patient profile|code|find|identifier` through the real CLI against a real gateway
 * process: a patient records its profile and shows a desk code; a doctor without a demographics
 * grant is refused the profile (exit 3), finds the patient by the code once, by name once the
 * patient shares demographics, and by the MRN a colleague keeps; wrong command lines exit 2.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newPeople, type Person, setUpHospital } from './helpers/people.ts';
import {
  type Cli,
  type CliResult,
  cleanUp,
  cliFor,
  type GatewayProcess,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

function errorOf(result: CliResult): { code: string; reason?: string } {
  const line = result.stderr.trim().split('\n').at(-1) ?? '';
  return (JSON.parse(line) as { error: { code: string; reason?: string } }).error;
}

describe('medledger patient profile, code, find and identifier', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let admin: Person;
  let doctor: Person;
  let clerk: Person;
  let patient: Person;

  before(async () => {
    const dataDir = await temporaryDirectory('patient-directory-data');
    const work = await temporaryDirectory('patient-directory-files');
    gateway = await startGatewayProcess({ dataDir });
    cli = cliFor(gateway.url);
    [admin, doctor, clerk, patient] = await newPeople(cli, work, ['admin', 'doctor', 'clerk', 'patient']);
    await setUpHospital(cli, { admin, doctors: [doctor, clerk], patients: [patient] });
  });
  after(async () => {
    await gateway?.stop();
    await cleanUp();
  });

  test('a patient records its profile; a new version supersedes the last', async () => {
    const first = await cli.json<{ recordId: string; supersedes: string | null }>(
      'patient',
      'profile',
      'set',
      '--as',
      patient.keyFile,
      '--given',
      'Alex',
      '--family',
      'Rivera',
      '--birth-date',
      '1984-02-29',
    );
    assert.equal(first.supersedes, null);
    const second = await cli.json<{ recordId: string; supersedes: string | null }>(
      'patient',
      'profile',
      'set',
      '--as',
      patient.keyFile,
      '--given',
      'Alex Maria',
      '--family',
      'Rivera',
      '--birth-date',
      '1984-02-29',
      '--gender',
      'female',
      '--email',
      'alex@example.org',
    );
    assert.equal(second.supersedes, first.recordId);
    const shown = await cli.run('patient', 'profile', 'show', '--as', patient.keyFile);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /name: +Alex Maria Rivera\nbirth date: 1984-02-29\ngender: +female/);
    assert.match(shown.stdout, new RegExp(`record: +${second.recordId}`));

    const wrong = await cli.run(
      '--json',
      'patient',
      'profile',
      'set',
      '--as',
      patient.keyFile,
      '--family',
      'R',
      '--birth-date',
      '29/02/1984',
    );
    assert.equal(wrong.code, 2);
    assert.equal(errorOf(wrong).reason, 'invalid_birth_date');
  });

  test('a doctor without a demographics grant is refused the profile (exit 3)', async () => {
    const refused = await cli.run(
      '--json',
      'patient',
      'profile',
      'show',
      '--as',
      doctor.keyFile,
      '--patient',
      patient.address,
    );
    assert.equal(refused.code, 3, refused.stderr);
    assert.deepEqual(errorOf(refused), {
      ...errorOf(refused),
      code: 'access_denied',
      reason: 'no_demographics_consent',
    });
  });

  test('a desk code finds the patient once', async () => {
    const human = await cli.run('patient', 'code', '--as', patient.keyFile);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^desk code: [2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\n/);
    const shown = human.stdout.slice('desk code: '.length, 'desk code: '.length + 9);
    const found = await cli.json<{ patient: string; organisationId: number }>(
      'patient',
      'find',
      '--as',
      doctor.keyFile,
      '--code',
      shown,
    );
    assert.deepEqual(found, { patient: patient.address.toLowerCase(), organisationId: 1 });
    const again = await cli.run('--json', 'patient', 'find', '--as', doctor.keyFile, '--code', shown);
    assert.equal(again.code, 1);
    assert.equal(errorOf(again).reason, 'no_such_desk_code');
    const json = await cli.json<{ code: string; expiresAt: number }>(
      'patient',
      'code',
      '--as',
      patient.keyFile,
    );
    assert.match(json.code, /^[2-9A-HJKMNP-Z]{8}$/);
    const malformed = await cli.run(
      '--json',
      'patient',
      'find',
      '--as',
      doctor.keyFile,
      '--code',
      'O0I1-LLLL',
    );
    assert.equal(malformed.code, 2);
    assert.equal(errorOf(malformed).reason, 'malformed_desk_code');
  });

  test('a doctor finds by name among the patients sharing demographics with it', async () => {
    const none = await cli.json<{ matches: unknown[]; searched: number }>(
      'patient',
      'find',
      '--as',
      doctor.keyFile,
      '--name',
      'rivera',
    );
    assert.deepEqual(none, { matches: [], unreadable: [], searched: 0 });
    await cli.json(
      'consent',
      'grant',
      '--as',
      patient.keyFile,
      '--to',
      doctor.address,
      '--categories',
      'demographics',
      '--actions',
      'read',
      '--expires',
      '1h',
    );
    const found = await cli.json<{ matches: { patient: string; name: string; birthDate: string }[] }>(
      'patient',
      'find',
      '--as',
      doctor.keyFile,
      '--name',
      'alex riv',
      '--birth-date',
      '1984-02-29',
    );
    assert.deepEqual(
      found.matches.map(({ patient: address, name, birthDate }) => ({ address, name, birthDate })),
      [{ address: patient.address.toLowerCase(), name: 'Alex Maria Rivera', birthDate: '1984-02-29' }],
    );
    const human = await cli.run('patient', 'find', '--as', doctor.keyFile, '--name', 'Rivera');
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      new RegExp(`${patient.address.toLowerCase()}  Alex Maria Rivera  born 1984-02-29`),
    );
    assert.match(human.stdout, /1 of 1 patient sharing demographics with you match/);
    const shown = await cli.json<{ name: string }>(
      'patient',
      'profile',
      'show',
      '--as',
      doctor.keyFile,
      '--patient',
      patient.address,
    );
    assert.equal(shown.name, 'Alex Maria Rivera');
  });

  test('a member keeps an MRN; colleagues find the patient by it; the patient sees it', async () => {
    const added = await cli.json<{ organisationId: number; system: string; value: string; patient: string }>(
      'patient',
      'identifier',
      'add',
      '--as',
      clerk.keyFile,
      '--patient',
      patient.address,
      '--system',
      'urn:st-elsewhere:mrn',
      '--value',
      'MRN-0042',
    );
    assert.deepEqual(
      { ...added, assignedAt: undefined, assignedBy: undefined },
      {
        organisationId: 1,
        system: 'urn:st-elsewhere:mrn',
        value: 'MRN-0042',
        patient: patient.address.toLowerCase(),
        assignedAt: undefined,
        assignedBy: undefined,
      },
    );
    const found = await cli.run(
      'patient',
      'find',
      '--as',
      doctor.keyFile,
      '--mrn',
      'urn:st-elsewhere:mrn|MRN-0042',
    );
    assert.equal(found.code, 0, found.stderr);
    assert.equal(found.stdout, `patient ${patient.address.toLowerCase()} (urn:st-elsewhere:mrn|MRN-0042)\n`);
    const missing = await cli.run(
      '--json',
      'patient',
      'find',
      '--as',
      doctor.keyFile,
      '--mrn',
      'urn:st-elsewhere:mrn|MRN-9',
    );
    assert.equal(missing.code, 1);
    assert.equal(errorOf(missing).reason, 'no_such_identifier');
    const listed = await cli.run('patient', 'identifier', 'list', '--as', patient.keyFile);
    assert.equal(listed.stdout, 'organisation 1  urn:st-elsewhere:mrn|MRN-0042\n');
    // A patient keeps no identifiers for an organisation.
    const refused = await cli.run(
      '--json',
      'patient',
      'identifier',
      'add',
      '--as',
      patient.keyFile,
      '--patient',
      patient.address,
      '--system',
      'x',
      '--value',
      'y',
    );
    assert.equal(refused.code, 3);
    assert.equal(errorOf(refused).reason, 'not_organisation_member');
  });

  test('wrong command lines exit 2', async () => {
    for (const args of [
      ['patient', 'find', '--as', doctor.keyFile],
      ['patient', 'find', '--as', doctor.keyFile, '--code', 'ABCD-EFGH', '--name', 'x'],
      ['patient', 'find', '--as', doctor.keyFile, '--mrn', 'no-bar'],
      ['patient', 'profile', 'set', '--as', patient.keyFile, '--family', 'R', '--gender', 'x'],
      ['patient', 'identifier', 'add', '--as', clerk.keyFile, '--patient', patient.address],
    ]) {
      const result = await cli.run('--json', ...args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    }
    const help = await cli.run('patient', 'find', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--code <code>[\s\S]*--mrn <system\|value>[\s\S]*--name <text>/);
  });
});
