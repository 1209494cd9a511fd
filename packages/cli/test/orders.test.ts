/**
 * The clinical workflows through the real CLI against a gateway process and its chain: a lab order
 * from the doctor's order to the lab's result, a prescription with a refill dispensed by two
 * pharmacies and refused a third time, and a claim from the hospital decided by the insurer. Each
 * step is run as its actor would, in human and JSON output, and refusals are checked by exit code
 * and reason.
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

interface Order {
  orderId: string;
  kind: string;
  status: string;
  patient: string;
  requester: string;
  performerOrganisation: number | null;
  quantity: number;
  dispensed: number;
  fills: number;
  fillsUsed: number;
  resultRecordIds: string[];
  steps?: { status: string; actor: string; at: number; quantity?: number }[];
}

/** The JSON error a refused command prints on standard error with --json. */
function errorOf(result: CliResult): { code: string; reason?: string; message: string } {
  return (JSON.parse(result.stderr.trim().split('\n').at(-1) ?? '{}') as { error: never }).error;
}

describe('clinical workflows through the CLI: lab order, prescription, claim', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let patient: Person;
  let doctor: Person;
  let technician: Person;
  let pharmacist1: Person;
  let pharmacist2: Person;
  let agent: Person;
  let otherTechnician: Person;
  let otherPatient: Person;
  const organisation = { hospital: 0, lab: 0, pharmacy1: 0, pharmacy2: 0, insurer: 0, otherLab: 0 };

  before(async () => {
    const dataDir = await temporaryDirectory('orders-data');
    const work = await temporaryDirectory('orders-files');
    gateway = await startGatewayProcess({ dataDir });
    cli = cliFor(gateway.url);
    const people = await newPeople(cli, work, [
      'admin',
      'doctor',
      'patient',
      'lab-admin',
      'technician',
      'pharmacy1-admin',
      'pharmacist1',
      'pharmacy2-admin',
      'pharmacist2',
      'insurer-admin',
      'agent',
      'other-lab-admin',
      'other-technician',
      'other-patient',
    ]);
    const [admin, , , labAdmin, , pharmacy1Admin, , pharmacy2Admin, , insurerAdmin] = people;
    [
      ,
      doctor,
      patient,
      ,
      technician,
      ,
      pharmacist1,
      ,
      pharmacist2,
      ,
      agent,
      ,
      otherTechnician,
      otherPatient,
    ] = people;
    const otherLabAdmin = people[11];
    organisation.hospital = await setUpHospital(cli, {
      admin,
      doctors: [doctor],
      patients: [patient, otherPatient],
    });
    const admins = [admin];
    /** Creates an organisation, approved by the active ones' admins until it is active, with one member. */
    const join = async (name: string, kind: string, founder: Person, role: string, member: Person) => {
      const created = await cli.json<{ organisationId: number }>(
        'org',
        'create',
        '--name',
        name,
        '--kind',
        kind,
        '--as',
        founder.keyFile,
      );
      const id = String(created.organisationId);
      for (const approver of admins) {
        const approved = await cli.json<{ status: string }>('org', 'approve', id, '--as', approver.keyFile);
        if (approved.status === 'active') break;
      }
      admins.push(founder);
      await cli.json(
        'member',
        'add',
        '--org',
        id,
        '--role',
        role,
        '--address',
        member.address,
        '--encryption-key',
        member.encryptionKey,
        '--as',
        founder.keyFile,
      );
      return created.organisationId;
    };
    organisation.lab = await join('City Lab', 'lab', labAdmin, 'lab', technician);
    organisation.pharmacy1 = await join(
      'Corner Pharmacy',
      'pharmacy',
      pharmacy1Admin,
      'pharmacist',
      pharmacist1,
    );
    organisation.pharmacy2 = await join(
      'Station Pharmacy',
      'pharmacy',
      pharmacy2Admin,
      'pharmacist',
      pharmacist2,
    );
    organisation.insurer = await join('Acme Health', 'insurer', insurerAdmin, 'insurer', agent);
    organisation.otherLab = await join('Other Lab', 'lab', otherLabAdmin, 'lab', otherTechnician);
    const grants: [number, string][] = [
      [organisation.hospital, 'lab,medication,insurance'],
      [organisation.lab, 'lab'],
      [organisation.pharmacy1, 'medication'],
      [organisation.pharmacy2, 'medication'],
      [organisation.insurer, 'insurance'],
      // Another lab the patient lets read and add lab records: it sees the orders, but posts no result to one sent elsewhere.
      [organisation.otherLab, 'lab'],
    ];
    for (const [org, categories] of grants) {
      await cli.json(
        'consent',
        'grant',
        '--to-org',
        String(org),
        '--categories',
        categories,
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

  test('every workflow command says what it does and who may run it', async () => {
    for (const [args, pattern] of [
      [['order', 'create'], /As a doctor or nurse/],
      [['order', 'result'], /As a member of the order’s lab/],
      [['prescription', 'dispense'], /As a pharmacist/],
      [['claim', 'respond'], /As a member of the claim’s insurer/],
      [['claim', 'submit'], /As a member of a hospital/],
    ] as const) {
      const help = await cli.run(...args, '--help');
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout.replace(/\s+/g, ' '), pattern);
      assert.match(help.stdout, /--as <keyfile>/);
    }
  });

  test('a lab order: the doctor orders, the lab receives, works on it and posts the result (another lab may not); the doctor and the patient see it', async () => {
    const placed = await cli.json<{ orderId: string; status: string }>(
      'order',
      'create',
      '--patient',
      patient.address,
      '--lab',
      String(organisation.lab),
      '--test',
      'Hemoglobin A1c',
      '--loinc',
      '4548-4',
      '--reason',
      'diabetes follow-up',
      '--as',
      doctor.keyFile,
    );
    assert.match(placed.orderId, /^0x[0-9a-f]{64}$/);
    assert.equal(placed.status, 'placed');
    const id = placed.orderId;

    const worklist = await cli.json<{ orders: (Order & { test: string })[] }>(
      'order',
      'list',
      '--as',
      technician.keyFile,
    );
    const listed = worklist.orders.find((order) => order.orderId === id);
    assert.deepEqual(
      listed && { status: listed.status, test: listed.test, lab: listed.performerOrganisation },
      { status: 'placed', test: 'Hemoglobin A1c (LOINC 4548-4)', lab: organisation.lab },
    );
    const human = await cli.run('order', 'list', '--worklist', '--as', technician.keyFile);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      new RegExp(
        `^${id}  placed .* Hemoglobin A1c \\(LOINC 4548-4\\)  patient ${patient.address.toLowerCase()}`,
        'mi',
      ),
    );

    const notTheLab = await cli.run('--json', 'order', 'accept', id, '--as', doctor.keyFile);
    assert.equal(notTheLab.code, 3);
    assert.equal(errorOf(notTheLab).reason, 'order_not_performer');
    assert.match(
      errorOf(notTheLab).message,
      /^Only a member of City Lab \(organisation \d+\), which lab order/,
    );

    const accepted = await cli.run('order', 'accept', id, '--as', technician.keyFile);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.equal(accepted.stdout.trim(), `lab order ${id} received`);
    const started = await cli.run('order', 'start', id, '--as', technician.keyFile);
    assert.equal(started.stdout.trim(), `lab order ${id} in progress`);

    const refused = await cli.run(
      '--json',
      'order',
      'result',
      id,
      '--value',
      'high',
      '--unit',
      '%',
      '--as',
      technician.keyFile,
    );
    assert.equal(refused.code, 2);
    assert.equal(errorOf(refused).code, 'invalid_input');

    const foreign = await cli.run(
      '--json',
      'order',
      'result',
      id,
      '--value',
      '5',
      '--unit',
      '%',
      '--as',
      otherTechnician.keyFile,
    );
    assert.equal(foreign.code, 3);
    assert.equal(errorOf(foreign).reason, 'order_not_performer');

    const result = await cli.json<{ resultRecordIds: string[]; status: string }>(
      'order',
      'result',
      id,
      '--value',
      '7.1',
      '--unit',
      '%',
      '--low',
      '4',
      '--high',
      '5.6',
      '--conclusion',
      'Above target',
      '--as',
      technician.keyFile,
    );
    assert.equal(result.resultRecordIds.length, 2);
    assert.equal(result.status, 'completed');

    const shown = await cli.json<
      Order & { request: Record<string, unknown>; results: Record<string, unknown>[] }
    >('order', 'show', id, '--as', doctor.keyFile);
    assert.equal(shown.status, 'completed');
    assert.deepEqual(shown.resultRecordIds, result.resultRecordIds);
    assert.deepEqual(
      shown.steps?.map((step) => step.status),
      ['placed', 'accepted', 'in_progress', 'completed'],
    );
    const [report, observation] = shown.results;
    assert.equal(report?.resourceType, 'DiagnosticReport');
    assert.deepEqual(report?.basedOn, [{ reference: `ServiceRequest/${id.slice(2)}` }]);
    assert.equal(report?.conclusion, 'Above target');
    assert.deepEqual(observation?.valueQuantity, { value: 7.1, unit: '%' });

    const forPatient = await cli.run('order', 'show', id, '--as', patient.keyFile);
    assert.equal(forPatient.code, 0, forPatient.stderr);
    assert.match(forPatient.stdout, /^status +completed \(result posted\)$/m);
    assert.match(forPatient.stdout, /^test +Hemoglobin A1c \(LOINC 4548-4\), routine$/m);
    assert.match(forPatient.stdout, /Hemoglobin A1c: 7\.1 % \(reference 4–5\.6\) HIGH/);
    assert.match(forPatient.stdout, /conclusion: Above target/);
    assert.match(
      forPatient.stdout,
      /\d{4}-\d\d-\d\d \d\d:\d\d UTC +received +by 0x[0-9a-f]{40} of City Lab \(organisation \d+\)$/m,
    );
    const mine = await cli.json<{ orders: Order[] }>('order', 'list', '--as', patient.keyFile);
    assert.equal(mine.orders.find((order) => order.orderId === id)?.status, 'completed');

    const again = await cli.run(
      '--json',
      'order',
      'result',
      id,
      '--value',
      '7',
      '--unit',
      '%',
      '--as',
      technician.keyFile,
    );
    assert.equal(again.code, 1);
    assert.equal(errorOf(again).reason, 'order_not_open');
  });

  test('a prescription with one refill: a pharmacy dispenses a fill, two race for the refill and one wins, a third dispense is refused in plain words', async () => {
    const placed = await cli.json<{ orderId: string; quantity: number; fills: number }>(
      'prescription',
      'create',
      '--patient',
      patient.address,
      '--medicine',
      'Amoxicillin 500 mg capsule',
      '--rxnorm',
      '308191',
      '--dose',
      '1 capsule',
      '--frequency',
      '3/d',
      '--days',
      '7',
      '--quantity',
      '21',
      '--refills',
      '1',
      '--as',
      doctor.keyFile,
    );
    assert.deepEqual({ quantity: placed.quantity, fills: placed.fills }, { quantity: 42, fills: 2 });
    const id = placed.orderId;

    const worklist = await cli.json<{ orders: (Order & { medicine: string })[] }>(
      'prescription',
      'list',
      '--as',
      pharmacist1.keyFile,
    );
    assert.equal(
      worklist.orders.find((order) => order.orderId === id)?.medicine,
      'Amoxicillin 500 mg capsule (RxNorm 308191)',
    );

    const first = await cli.run(
      'prescription',
      'dispense',
      id,
      '--quantity',
      '21',
      '--as',
      pharmacist1.keyFile,
    );
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^21 of 42 capsule dispensed, fill 1 of 2: partly dispensed$/m);
    const tooMuch = await cli.run(
      'prescription',
      'dispense',
      id,
      '--quantity',
      '30',
      '--as',
      pharmacist2.keyFile,
    );
    assert.equal(tooMuch.code, 1);
    assert.match(
      tooMuch.stderr,
      /^error: Not dispensed: prescription 0x[0-9a-f]{64} has only 21 capsule left to dispense \(21 of 42 capsule dispensed, fill 1 of 2\), by another pharmacy; you asked for 30 capsule\.$/m,
    );
    // The last fill, by both pharmacies at the same moment: the ledger lets one dispense it.
    const pharmacists = [pharmacist1, pharmacist2];
    const race = await Promise.all(
      pharmacists.map((pharmacist) =>
        cli.run('prescription', 'dispense', id, '--quantity', '21', '--as', pharmacist.keyFile),
      ),
    );
    assert.deepEqual(
      race.map((result) => result.code).sort(),
      [0, 1],
      race.map((result) => result.stderr).join('\n'),
    );
    const winnerIndex = race.findIndex((result) => result.code === 0);
    const winner = pharmacists[winnerIndex] as Person;
    const loser = pharmacists[1 - winnerIndex] as Person;
    assert.match(race[winnerIndex]?.stdout ?? '', /^42 of 42 capsule dispensed, fill 2 of 2: dispensed$/m);
    const alreadyDispensed = (asked: number) =>
      new RegExp(
        `^error: Not dispensed: prescription 0x[0-9a-f]{64} was already dispensed in full \\(42 of 42 capsule dispensed, fill 2 of 2\\), (partly )?by another pharmacy; you asked for ${asked} capsule\\.$`,
        'm',
      );
    assert.match(race[1 - winnerIndex]?.stderr ?? '', alreadyDispensed(21));

    const third = await cli.run('prescription', 'dispense', id, '--quantity', '1', '--as', loser.keyFile);
    assert.equal(third.code, 1);
    assert.match(third.stderr, alreadyDispensed(1));
    assert.match(
      third.stderr,
      /^Dispensed: 21 capsule on .*; 21 capsule on .* by another pharmacy: (Corner|Station) Pharmacy \(organisation \d+\), pharmacist 0x[0-9a-f]{40}\.$/m,
    );
    const thirdJson = await cli.run(
      '--json',
      'prescription',
      'dispense',
      id,
      '--quantity',
      '1',
      '--as',
      winner.keyFile,
    );
    assert.equal(thirdJson.code, 1);
    assert.deepEqual(
      { code: errorOf(thirdJson).code, reason: errorOf(thirdJson).reason },
      { code: 'conflict', reason: 'order_not_open' },
    );

    const shown = await cli.run('prescription', 'show', id, '--as', patient.keyFile);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^status +dispensed$/m);
    assert.match(shown.stdout, /^medicine +Amoxicillin 500 mg capsule \(RxNorm 308191\)$/m);
    assert.match(shown.stdout, /^dose +1 capsule 3 times every day$/m);
    assert.match(shown.stdout, /^dispensed +42 of 42 capsule dispensed, fill 2 of 2$/m);
    const json = await cli.json<Order>('prescription', 'show', id, '--as', doctor.keyFile);
    assert.deepEqual(
      json.steps?.filter((step) => step.quantity).map((step) => [step.actor.toLowerCase(), step.quantity]),
      [
        [pharmacist1.address.toLowerCase(), 21],
        [winner.address.toLowerCase(), 21],
      ],
    );
  });

  test('a claim: the patient records the insurer, the hospital claims, the insurer partly approves; a claim without consent is refused', async () => {
    const coverage = await cli.json<{ recordId: string }>(
      'claim',
      'coverage',
      '--insurer',
      String(organisation.insurer),
      '--member-id',
      'ACME-0042',
      '--as',
      patient.keyFile,
    );
    const submitted = await cli.json<{
      orderId: string;
      total: { value: number; currency: string };
      coverageRecordId: string;
    }>(
      'claim',
      'submit',
      '--patient',
      patient.address,
      '--insurer',
      String(organisation.insurer),
      '--item',
      '99213:Consultation:80',
      '--item',
      '83036:HbA1c test:40.50',
      '--as',
      doctor.keyFile,
    );
    assert.deepEqual(submitted.total, { value: 120.5, currency: 'EUR' });
    assert.equal(submitted.coverageRecordId, coverage.recordId);
    const id = submitted.orderId;

    const worklist = await cli.run('claim', 'list', '--as', agent.keyFile);
    assert.equal(worklist.code, 0, worklist.stderr);
    assert.match(worklist.stdout, new RegExp(`^${id}  submitted, 120\\.50 EUR claimed  patient`, 'm'));

    const received = await cli.run('claim', 'accept', id, '--as', agent.keyFile);
    assert.equal(received.stdout.trim(), `claim ${id} received`, received.stderr);
    const inReview = await cli.run('claim', 'start', id, '--as', agent.keyFile);
    assert.equal(inReview.stdout.trim(), `claim ${id} in review`, inReview.stderr);

    const denied = await cli.run(
      '--json',
      'claim',
      'respond',
      id,
      '--outcome',
      'partial',
      '--as',
      agent.keyFile,
    );
    assert.equal(denied.code, 2);
    const responded = await cli.json<{ decision: string; benefit: number; status: string }>(
      'claim',
      'respond',
      id,
      '--outcome',
      'partial',
      '--amount',
      '100',
      '--reason',
      'HbA1c covered up to 20 EUR',
      '--as',
      agent.keyFile,
    );
    assert.deepEqual(
      { decision: responded.decision, benefit: responded.benefit, status: responded.status },
      { decision: 'partial', benefit: 100, status: 'completed' },
    );

    const shown = await cli.json<
      Order & { decision: string; benefit: number; response: Record<string, unknown> }
    >('claim', 'show', id, '--as', doctor.keyFile);
    assert.equal(shown.status, 'completed');
    assert.equal(shown.decision, 'partial');
    assert.equal(shown.response.disposition, 'Claim partly approved: HbA1c covered up to 20 EUR');
    assert.deepEqual(shown.response.request, { reference: `Claim/${id.slice(2)}` });
    const forPatient = await cli.run('claim', 'show', id, '--as', patient.keyFile);
    assert.match(forPatient.stdout, /^claim +partly approved, 100\.00 of 120\.50 EUR paid$/m);
    assert.match(forPatient.stdout, /2\. 83036 HbA1c test +40\.50 EUR +paid 20\.00 EUR/);

    const withoutConsent = await cli.run(
      '--json',
      'claim',
      'submit',
      '--patient',
      otherPatient.address,
      '--insurer',
      String(organisation.insurer),
      '--item',
      '99213:Consultation:80',
      '--as',
      doctor.keyFile,
    );
    assert.equal(withoutConsent.code, 3);
    assert.deepEqual(
      { code: errorOf(withoutConsent).code, reason: errorOf(withoutConsent).reason },
      { code: 'access_denied', reason: 'no_consent' },
    );

    const twice = await cli.run(
      '--json',
      'claim',
      'respond',
      id,
      '--outcome',
      'approved',
      '--as',
      agent.keyFile,
    );
    assert.equal(twice.code, 1);
    assert.equal(errorOf(twice).reason, 'order_not_open');
    assert.match(errorOf(twice).message, /^Claim 0x[0-9a-f]{64} is decided since /);
  });

  test('verifies, from the chain alone, every record the workflows anchored through Orders', async () => {
    const verified = await cli.json<{ ok: boolean; checkedRecords: number; problems: unknown[] }>('verify');
    assert.deepEqual(verified.problems, []);
    assert.equal(verified.ok, true);
    // The lab order, its report and observation; the prescription and its two dispensings; the
    // coverage, the claim and its decision: nine at least, all checked.
    assert.ok(verified.checkedRecords >= 9, `checked ${verified.checkedRecords}`);
  });
});
