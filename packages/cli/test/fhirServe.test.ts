/**
 * `medledger fhir serve` as a real process against a real gateway: it prints its base URL, answers
 * FHIR there as the key file's identity, warns when bound beyond loopback, and stops cleanly on
 * SIGTERM and SIGINT.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { newPeople, type Person, setUpHospital } from './helpers/people.ts';
import {
  type Cli,
  cleanUp,
  cliFor,
  type GatewayProcess,
  medledgerBin,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

interface Serving {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
}

/** Every server started, to stop those a failing test leaves running. */
const children: ChildProcessWithoutNullStreams[] = [];

/** `medledger fhir serve …` until its first line of standard output (or its exit). */
async function serve(server: string, ...args: string[]): Promise<Serving> {
  const child = spawn(process.execPath, [medledgerBin, '--server', server, ...args], {
    env: { ...process.env, MEDLEDGER_SERVER: '' },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`fhir serve exited ${code}: ${stderr}`)));
  });
  return { child, stdout: () => stdout, stderr: () => stderr };
}

async function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('medledger fhir serve', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let patient: Person;

  before(async () => {
    gateway = await startGatewayProcess({ dataDir: await temporaryDirectory('fhir-serve-data') });
    cli = cliFor(gateway.url);
    const work = await temporaryDirectory('fhir-serve-files');
    let admin: Person;
    [admin, patient] = await newPeople(cli, work, ['admin', 'patient']);
    await setUpHospital(cli, { admin, doctors: [], patients: [patient] });
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await gateway?.stop();
    await cleanUp();
  });

  test('prints its base URL on loopback, serves FHIR as --as, and stops on SIGTERM', async () => {
    const serving = await serve(
      gateway.url,
      '--json',
      'fhir',
      'serve',
      '--as',
      patient.keyFile,
      '--port',
      '0',
    );
    const { baseUrl, as } = JSON.parse(serving.stdout()) as { baseUrl: string; as: string };
    assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    assert.equal(as, patient.address.toLowerCase());
    assert.equal(serving.stderr(), '', 'no warning on loopback');

    const metadata = await fetch(`${baseUrl}/metadata`);
    assert.equal(metadata.status, 200);
    assert.equal(((await metadata.json()) as { resourceType: string }).resourceType, 'CapabilityStatement');
    const me = await fetch(`${baseUrl}/Patient/${patient.address}`);
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { id: string }).id, patient.address.toLowerCase());
    const observations = await fetch(`${baseUrl}/Observation`);
    assert.equal(((await observations.json()) as { total: number }).total, 0);

    serving.child.kill('SIGTERM');
    assert.equal(await exitOf(serving.child), 0);
    await assert.rejects(fetch(`${baseUrl}/metadata`), 'nothing listens any more');
  });

  test('warns loudly when bound beyond loopback, and stops on SIGINT', async () => {
    const serving = await serve(
      gateway.url,
      'fhir',
      'serve',
      '--as',
      patient.keyFile,
      '--port',
      '0',
      '--host',
      '0.0.0.0',
    );
    assert.match(serving.stderr(), /WARNING: listening on 0\.0\.0\.0, not on loopback/);
    assert.match(serving.stdout(), /^FHIR server for 0x[0-9a-f]{40} at http:\/\/0\.0\.0\.0:\d+\/fhir\n$/);
    serving.child.kill('SIGINT');
    assert.equal(await exitOf(serving.child), 0);
  });
});
