/**
 * `medledger otp` for organisation members through the real CLI against a real gateway process: an
 * admin enrols a doctor, whose first code (`otp confirm`, which signs in with it) turns it on; admins enrol themselves
 * and require codes of admins (`otp policy privileged`); a doctor's factor is reset by an admin;
 * every later sign-in of an enrolled member needs `--otp CODE`. Each CLI run signs in anew, and a
 * code is single-use per 30-second step: each account gives at most two (this step's and the next's).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TOTP, URI } from 'otpauth';
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

function authenticator(uri: string) {
  const totp = URI.parse(uri);
  assert.ok(totp instanceof TOTP);
  return (offsetSeconds = 0) => totp.generate({ timestamp: Date.now() + offsetSeconds * 1000 });
}

function errorOf(result: CliResult): { code: string; reason?: string } {
  const line = result.stderr.trim().split('\n').at(-1) ?? '';
  return (JSON.parse(line) as { error: { code: string; reason?: string } }).error;
}

describe('medledger otp for organisation members', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let admin: Person;
  let admin2: Person;
  let doctor: Person;
  let patient: Person;
  let organisation: number;

  before(async () => {
    const dataDir = await temporaryDirectory('staff-otp-data');
    const work = await temporaryDirectory('staff-otp-files');
    gateway = await startGatewayProcess({ dataDir });
    cli = cliFor(gateway.url);
    [admin, admin2, doctor, patient] = await newPeople(cli, work, ['admin', 'admin2', 'doctor', 'patient']);
    organisation = await setUpHospital(cli, { admin, doctors: [doctor], patients: [patient] });
    await cli.json(
      'member',
      'add',
      ...['--as', admin.keyFile, '--org', String(organisation), '--role', 'admin'],
      ...['--address', admin2.address, '--encryption-key', admin2.encryptionKey],
    );
  });
  after(async () => {
    await gateway?.stop();
    await cleanUp();
  });

  test('admins enrol, require codes of admins, reset a member’s; members sign in with --otp', async () => {
    const shown = await cli.json<{ policy: string; isDefault: boolean; members: { address: string }[] }>(
      ...['otp', 'policy', '--as', admin.keyFile],
    );
    assert.deepEqual([shown.policy, shown.isDefault, shown.members.length], ['optional', true, 3]);

    // The admin enrols the doctor; the doctor's first code, at sign-in, turns it on.
    const { uri: doctorUri } = await cli.json<{ uri: string }>(
      ...['otp', 'enrol', doctor.address, '--as', admin.keyFile],
    );
    const doctorCode = authenticator(doctorUri);
    const doctorStatus = await cli.json(
      ...['otp', 'confirm', '--as', doctor.keyFile, '--code', doctorCode()],
    );
    assert.deepEqual(doctorStatus, {
      organisationId: organisation,
      policy: 'optional',
      enabled: true,
      pending: false,
      required: false,
    });
    const withoutCode = await cli.run('--json', 'otp', 'status', '--as', doctor.keyFile);
    assert.equal(withoutCode.code, 3, withoutCode.stderr);
    assert.equal(errorOf(withoutCode).reason, 'otp_required');
    const withCode = await cli.json(...['otp', 'status', '--as', doctor.keyFile, '--otp', doctorCode(30)]);
    assert.deepEqual(withCode, doctorStatus);

    // Admins enrol themselves (not yet required of them) and confirm with a first code.
    const admin2Code = authenticator(
      (await cli.json<{ uri: string }>('otp', 'enable', '--as', admin2.keyFile)).uri,
    );
    assert.equal(
      (await cli.json<{ enabled: boolean }>('otp', 'confirm', '--as', admin2.keyFile, '--code', admin2Code()))
        .enabled,
      true,
    );
    const adminCode = authenticator(
      (await cli.json<{ uri: string }>('otp', 'enable', '--as', admin.keyFile)).uri,
    );
    await cli.json('otp', 'confirm', '--as', admin.keyFile, '--code', adminCode());

    const set = await cli.json<{ policy: string }>(
      ...['otp', 'policy', 'privileged', '--as', admin2.keyFile, '--otp', admin2Code(30)],
    );
    assert.equal(set.policy, 'privileged');

    // The doctor lost its authenticator: an admin resets it; without the privilege it needs none.
    const reset = await cli.json<{ enabled: boolean; required: boolean }>(
      ...['otp', 'reset', doctor.address, '--as', admin.keyFile, '--otp', adminCode(30)],
    );
    assert.deepEqual([reset.enabled, reset.required], [false, false]);
    const afterReset = await cli.json<{ enabled: boolean; policy: string }>(
      ...['otp', 'status', '--as', doctor.keyFile],
    );
    assert.deepEqual([afterReset.enabled, afterReset.policy], [false, 'privileged']);

    // An enrolled admin signs in only with a code; the codes it gave are spent.
    for (const otp of [[], ['--otp', adminCode()]]) {
      const refused = await cli.run('--json', 'otp', 'status', '--as', admin.keyFile, ...otp);
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(errorOf(refused).reason ?? '', /^otp_(required|invalid)$/);
    }
  });

  test('a patient’s otp status is still its approval code; a wrong policy is refused before signing in', async () => {
    const status = await cli.json<{ enabled: boolean; homeGateway: boolean }>(
      ...['otp', 'status', '--as', patient.keyFile],
    );
    assert.deepEqual([status.enabled, status.homeGateway], [false, true]);
    const wrong = await cli.run('--json', 'otp', 'policy', 'sometimes', '--as', admin.keyFile);
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.equal(errorOf(wrong).code, 'invalid_input');
  });
});
