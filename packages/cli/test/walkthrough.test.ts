/**
 * The README's CLI walkthrough, run as it stands there (between its `cli-walkthrough` markers) with
 * only `MEDLEDGER_CONFIG` set: after the login step no command names a gateway or a key file. Then
 * the profiles themselves: which setting wins, a broken config file, the kept session (reused by the
 * next command, replaced once expired or refused by the gateway) and logout.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TOTP, URI } from 'otpauth';
import type { Address } from 'viem';
import { labObservation } from './helpers/people.ts';
import {
  type CliResult,
  cleanUp,
  type GatewayProcess,
  runMedledger,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The walkthrough's command lines: `npx medledger` lines between the markers, comments apart. */
function walkthroughLines(): { line: string; args: string[]; expectedExit: number }[] {
  const start = readme.indexOf('<!-- cli-walkthrough:start -->');
  const end = readme.indexOf('<!-- cli-walkthrough:end -->');
  assert.ok(start >= 0 && end > start, 'README.md marks its CLI walkthrough');
  return readme
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('npx medledger '))
    .map((line) => {
      const [command = '', comment = ''] = line.split(/\s+#\s/, 2);
      const exit = /exit (\d)/.exec(comment);
      return { line, args: shellWords(command).slice(2), expectedExit: exit ? Number(exit[1]) : 0 };
    });
}

/** Words of a command line as a shell splits them (double quotes only: the README uses no others). */
function shellWords(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
}

let gateway: GatewayProcess;
let directory: string;
let configFile: string;
const env = () => ({ MEDLEDGER_CONFIG: configFile });
const medledger = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
  runMedledger(args, { cwd: directory, env: { ...env(), ...extra } });

function succeeded(result: CliResult): CliResult {
  assert.equal(result.code, 0, `medledger ${result.args.join(' ')}\n${result.stderr}${result.stdout}`);
  return result;
}

/** The address in a key file the walkthrough made. */
function addressInKeyFile(keyFile: string): Address {
  return JSON.parse(readFileSync(join(directory, keyFile), 'utf8')).address.toLowerCase();
}

function sessionOf(profile: string): { token: string; expiresAt: number; server: string } {
  return JSON.parse(readFileSync(join(directory, 'config', 'sessions', `${profile}.json`), 'utf8'));
}

before(async () => {
  directory = await temporaryDirectory('walkthrough');
  configFile = join(directory, 'config', 'config.json');
  gateway = await startGatewayProcess({ dataDir: join(directory, 'data') });
});

after(async () => {
  await cleanUp();
});

test('the README walkthrough runs as written, with no --server or --as after the login step', async () => {
  const lines = walkthroughLines();
  assert.ok(lines.length >= 15, 'the walkthrough has its commands');
  const values = new Map<string, string>();
  const people = new Map<string, { address: Address; encryptionKey: string }>();
  let loggedIn = false;
  for (const { line, args, expectedExit } of lines) {
    if (loggedIn && args[0] !== 'login') {
      assert.ok(!args.includes('--server') && !args.includes('--as'), `after login, "${line}" names neither`);
    }
    if (args[0] === 'login') loggedIn = true;
    if (args.includes('hba1c.json')) {
      const patient = people.get('patient.json');
      assert.ok(patient, 'the patient has a key before a record is added');
      await writeFile(join(directory, 'hba1c.json'), JSON.stringify(labObservation(patient.address, 6.9)));
    }
    const substituted = args.map((arg) =>
      arg === 'http://127.0.0.1:8080' ? gateway.url : (values.get(arg) ?? arg),
    );
    const result = await medledger(substituted);
    assert.equal(
      result.code,
      expectedExit,
      `"${line}" exited ${result.code}, not ${expectedExit}\n${result.stderr}${result.stdout}`,
    );
    if (args[0] === 'key' && args[1] === 'new') {
      const address = /address:\s+(0x[0-9a-f]{40})/i.exec(result.stdout)?.[1] as Address;
      const encryptionKey = /encryptionKey:\s+(0x[0-9a-f]{64})/i.exec(result.stdout)?.[1] ?? '';
      people.set(args[3] ?? '', { address, encryptionKey });
      if (args[3] === 'doctor.json') {
        values.set('0xDOCTOR', address);
        values.set('0xKEY', encryptionKey);
      }
      if (args[3] === 'patient.json') values.set('0xPATIENT', address);
    }
    if (args[0] === 'record' && args[1] === 'add') {
      const recordId = /recordId: (0x[0-9a-f]{64})/.exec(result.stdout)?.[1];
      assert.ok(recordId, `record add printed its id:\n${result.stdout}`);
      assert.match(result.stdout, /category: lab \(detected/);
      values.set('0xRECORD_ID', recordId);
    }
    if (args[0] === 'record' && args[1] === 'list') assert.match(result.stdout, /lab\/normal/);
    if (args[0] === 'audit' && args.at(-1) === 'admin') {
      // The admin's organisation's activity, without --org: the doctor's reads, allowed and refused.
      assert.match(result.stdout, /allowed\s+read/);
      assert.match(result.stdout, /denied\s+read/);
    }
    if (args[0] === 'audit' && args.at(-1) === 'patient' && !args.includes('--verify')) {
      // The patient's history names the doctor the admin registered, not its address.
      assert.match(result.stdout, /allowed\s+read\s+Dr Ana Silva \(doctor, St Mary\)/);
    }
    if (args[0] === 'record' && args[1] === 'get' && result.code !== 0) {
      // The refusal after the revocation, in plain words.
      assert.match(result.stderr, /^error: The patient revoked your consent on /);
    }
    if (args[0] === 'audit' && args.includes('--verify')) {
      assert.match(result.stdout, /(verified|awaiting anchor)\s+#\d+ .* (allowed|denied)\s+read/);
    }
  }
});

test('medledger start prints the line that points the CLI at it', () => {
  assert.ok(
    gateway.output().stdout.includes(`medledger login --server ${gateway.url} --key KEYFILE`),
    gateway.output().stdout,
  );
});

test('login writes the profile and its session readable by their owner only', () => {
  const config = JSON.parse(readFileSync(configFile, 'utf8'));
  assert.equal(config.profiles.admin.server, gateway.url);
  assert.equal(config.profiles.admin.keyFile, join(directory, 'admin.json'));
  assert.equal(statSync(configFile).mode & 0o777, 0o600);
  assert.equal(statSync(join(directory, 'config', 'sessions', 'patient.json')).mode & 0o777, 0o600);
  assert.equal(sessionOf('patient').server, gateway.url);
});

test('the flag wins over the environment, the environment over the profile, the profile over the default', async () => {
  const show = async (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    JSON.parse(succeeded(await medledger(['--json', 'config', 'show', ...args], extra)).stdout);
  const fromProfile = await show(['--profile', 'admin']);
  assert.equal(fromProfile.server, gateway.url);
  assert.equal(fromProfile.sources.server, 'profile');
  assert.equal(fromProfile.keyFile, join(directory, 'admin.json'));
  const fromEnvironment = await show(['--profile', 'admin'], { MEDLEDGER_SERVER: 'http://127.0.0.1:1' });
  assert.equal(fromEnvironment.server, 'http://127.0.0.1:1');
  assert.equal(fromEnvironment.sources.server, 'environment');
  const fromFlag = await show(['--profile', 'admin', '--server', 'http://127.0.0.1:2'], {
    MEDLEDGER_SERVER: 'http://127.0.0.1:1',
  });
  assert.equal(fromFlag.server, 'http://127.0.0.1:2');
  assert.equal(fromFlag.sources.server, 'flag');
  const byEnvironment = await show([], { MEDLEDGER_PROFILE: 'doctor' });
  assert.equal(byEnvironment.profile, 'doctor');
  assert.equal(byEnvironment.keyFile, join(directory, 'doctor.json'));
  const byFlag = await show(['--profile', 'admin'], { MEDLEDGER_PROFILE: 'doctor' });
  assert.equal(byFlag.profile, 'admin');
  const unknown = await show(['--profile', 'nobody']);
  assert.equal(unknown.server, 'http://127.0.0.1:8080');
  assert.equal(unknown.sources.server, 'default');
  assert.equal(unknown.keyFile, null);
  const refused = await medledger(['--json', 'record', 'list', '--profile', 'nobody']);
  assert.equal(refused.code, 2);
  assert.equal(JSON.parse(refused.stderr).error.reason, 'identity_missing');
});

test('a broken config file is refused with reason config_invalid, naming the file', async () => {
  const broken = join(directory, 'broken.json');
  for (const text of [
    '{',
    '{"version":2,"profiles":{}}',
    '{"version":1,"profiles":{"a":{"server":"ftp://x"}}}',
  ]) {
    await writeFile(broken, text);
    const result = await medledger(['--json', 'record', 'list'], { MEDLEDGER_CONFIG: broken });
    assert.equal(result.code, 2, result.stderr);
    const { error } = JSON.parse(result.stderr);
    assert.equal(error.reason, 'config_invalid');
    assert.ok(error.message.includes(broken), error.message);
  }
});

test('a second command reuses the kept session instead of signing in again', async () => {
  const before = sessionOf('patient').token;
  succeeded(await medledger(['record', 'list', '--profile', 'patient']));
  succeeded(await medledger(['consent', 'list', '--profile', 'patient']));
  assert.equal(sessionOf('patient').token, before);
});

test('an expired session is replaced by a new sign-in', async () => {
  const file = join(directory, 'config', 'sessions', 'patient.json');
  const kept = sessionOf('patient');
  await writeFile(file, JSON.stringify({ ...kept, expiresAt: Date.now() - 1000 }), { mode: 0o600 });
  succeeded(await medledger(['record', 'list', '--profile', 'patient']));
  const renewed = sessionOf('patient');
  assert.notEqual(renewed.token, kept.token);
  assert.ok(renewed.expiresAt > Date.now());
});

test('a session the gateway no longer knows (401) is replaced by a new sign-in', async () => {
  const file = join(directory, 'config', 'sessions', 'patient.json');
  const kept = sessionOf('patient');
  // Well-formed, but no session of the gateway's (ended elsewhere, say).
  const unknownToken = 'A'.repeat(43);
  await writeFile(file, JSON.stringify({ ...kept, token: unknownToken }), { mode: 0o600 });
  succeeded(await medledger(['record', 'list', '--profile', 'patient']));
  const renewed = sessionOf('patient').token;
  assert.notEqual(renewed, unknownToken);
  assert.notEqual(renewed, kept.token);
});

test('logout ends the session at the gateway and deletes it; the next command signs in again', async () => {
  const { token } = sessionOf('patient');
  assert.equal(
    (await fetch(`${gateway.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status,
    200,
  );
  succeeded(await medledger(['logout', '--profile', 'patient']));
  await assert.rejects(readFile(join(directory, 'config', 'sessions', 'patient.json')), { code: 'ENOENT' });
  assert.equal(
    (await fetch(`${gateway.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status,
    401,
  );
  const again = succeeded(await medledger(['logout', '--profile', 'patient']));
  assert.match(again.stdout, /had no session/);
  succeeded(await medledger(['record', 'list', '--profile', 'patient']));
  assert.notEqual(sessionOf('patient').token, token);
});

test('a member whose organisation asks for a code gives it at login, not again on each command', async () => {
  const doctorAddress = addressInKeyFile('doctor.json');
  const enrolled = JSON.parse(
    succeeded(await medledger(['--json', 'otp', 'enrol', doctorAddress, '--profile', 'admin'])).stdout,
  );
  const totp = URI.parse(enrolled.uri);
  assert.ok(totp instanceof TOTP);
  // The first code turns the factor on (and signs in with it); the next step's code is the login's.
  succeeded(await medledger(['otp', 'confirm', '--code', totp.generate(), '--profile', 'doctor']));
  succeeded(await medledger(['logout', '--profile', 'doctor']));
  succeeded(
    await medledger([
      'login',
      '--profile',
      'doctor',
      '--otp',
      totp.generate({ timestamp: Date.now() + 30_000 }),
    ]),
  );
  // Without a kept session (another key file path, so not the profile's), a sign-in needs a code.
  const withoutSession = await medledger(['--json', 'otp', 'status', '--as', 'doctor.json']);
  assert.equal(withoutSession.code, 3, withoutSession.stderr);
  assert.equal(JSON.parse(withoutSession.stderr).error.reason, 'otp_required');
  for (let run = 0; run < 2; run++) {
    const status = JSON.parse(
      succeeded(await medledger(['--json', 'otp', 'status', '--profile', 'doctor'])).stdout,
    );
    assert.equal(status.enabled, true);
  }
});

test('without --patient, staff are asked whose records to list', async () => {
  const refused = await medledger(['--json', 'record', 'list', '--profile', 'admin']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(JSON.parse(refused.stderr).error.reason, 'patient_required');
});

test('org approve prints the votes the organisation has and needs', async () => {
  succeeded(await medledger(['key', 'new', '--out', 'lab-admin.json']));
  const created = JSON.parse(
    succeeded(
      await medledger([
        '--json',
        'org',
        'create',
        '--name',
        'North Lab',
        '--kind',
        'lab',
        '--as',
        'lab-admin.json',
        '--server',
        gateway.url,
      ]),
    ).stdout,
  );
  assert.equal(created.status, 'pending');
  const approved = succeeded(
    await medledger(['org', 'approve', String(created.organisationId), '--profile', 'admin']),
  );
  assert.match(approved.stdout, /is active \(votes: 1 of 1 needed\)/);
});

test('config list, use and remove manage the profiles', async () => {
  const listed = JSON.parse(succeeded(await medledger(['--json', 'config', 'list'])).stdout);
  assert.deepEqual(listed.profiles.map((profile: { name: string }) => profile.name).sort(), [
    'admin',
    'doctor',
    'patient',
  ]);
  succeeded(await medledger(['config', 'use', 'admin']));
  assert.equal(JSON.parse(succeeded(await medledger(['--json', 'config', 'show'])).stdout).profile, 'admin');
  const unknown = await medledger(['--json', 'config', 'use', 'nobody']);
  assert.equal(JSON.parse(unknown.stderr).error.reason, 'profile_unknown');
  succeeded(await medledger(['config', 'remove', 'doctor']));
  const after = JSON.parse(readFileSync(configFile, 'utf8'));
  assert.equal(after.profiles.doctor, undefined);
});
