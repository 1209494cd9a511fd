/**
 * Emergency access ("break the glass") through a real gateway on a real chain: a privileged member
 * reads the emergency set of a patient and nothing else; members without the privilege, suspended
 * members and second declarations are refused; every access is audited as break-glass; the
 * member's organisation admin, and only it, reviews; the window ends by the chain's clock and by
 * the gateway's own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import type { AuditEvent, Emergency, GatewayClient } from '@medledger/client';
import { createGatewayClient } from '@medledger/client';
import { generateIdentity } from '@medledger/core';
import type { Hex } from 'viem';
import { openSqlDatabase } from '../src/store/gatewayStores.ts';
import { type Consortium, foundConsortium, newMember, newPatient, signIn } from './helpers/actors.ts';
import {
  advanceChainTime,
  type ChartEntryName,
  chartEntries,
  emergencySetEntries,
  eventually,
  latestBlockTime,
  outsideEmergencySet,
  writeChart,
} from './helpers/emergencies.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';

const fourHours = 4 * 3600;
const justification = 'Found unconscious in the emergency department; no relative reachable.';

/** A member of the consortium's organisation to whom its admin gave the emergency privilege. */
async function privilegedMember(url: string, consortium: Consortium): Promise<GatewayClient> {
  const member = await newMember(url, consortium);
  const set = await consortium.admin.setEmergencyPrivilege(member.address, true);
  assert.equal(set.privileged, true);
  return member;
}

function resourceOf(name: ChartEntryName) {
  return chartEntries.find((entry) => entry.name === name)!.resource;
}

async function endAudited(patient: GatewayClient, emergencyId: number): Promise<AuditEvent> {
  return eventually(
    async () =>
      (await patient.audit()).events.find(
        (event) => event.action === 'emergency-end' && event.reason?.startsWith(`emergency ${emergencyId}:`),
      ),
    `the end of emergency ${emergencyId} in the audit log`,
  );
}

describe('emergency access', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let doctor: GatewayClient;
  let patient: GatewayClient;
  let chart: Record<ChartEntryName, Hex>;
  let declared: Emergency;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    [doctor, patient] = await Promise.all([
      privilegedMember(gateway.url, consortium),
      newPatient(gateway.url, consortium),
    ]);
    chart = await writeChart(patient);
    declared = await doctor.declareEmergency({
      patient: patient.address,
      reason: 'unconscious',
      justification,
    });
  });
  after(() => gateway.stop());

  it('opens the emergency set, normal sensitivity, to the declaring member for four hours', () => {
    assert.equal(declared.member, doctor.address);
    assert.equal(declared.patient, patient.address);
    assert.equal(declared.reason, 'unconscious');
    assert.equal(declared.justification, justification);
    assert.deepEqual(declared.categories, ['condition', 'medication', 'allergy', 'emergency']);
    assert.equal(declared.sensitivity, 'normal');
    assert.equal(declared.expiresAt - declared.declaredAt, fourHours);
    assert.equal(declared.status, 'open');
    assert.equal(declared.verdict, 'pending');
  });

  it('lets the privileged member read the emergency set and nothing else', async () => {
    for (const name of emergencySetEntries) {
      const { resource } = await doctor.readRecord(chart[name]);
      assert.deepEqual(resource, resourceOf(name), name);
    }
    for (const name of outsideEmergencySet) {
      await assert.rejects(doctor.readRecord(chart[name]), { code: 'access_denied' }, name);
    }
    // Listing shows the readable records only; appending is not part of an emergency.
    const listed = (await doctor.listRecords(patient.address)).records.map((record) => record.recordId);
    assert.deepEqual(listed.sort(), emergencySetEntries.map((name) => chart[name]).sort());
    await assert.rejects(
      doctor.addRecord({ patient: patient.address, category: 'allergy', resource: resourceOf('allergy') }),
      { code: 'access_denied' },
    );
  });

  it('audits reads under the emergency as break-glass, and the start of the emergency', async () => {
    await doctor.readRecord(chart.allergy);
    await assert.rejects(doctor.readRecord(chart.lab), { code: 'access_denied' });
    const { events } = await patient.audit();
    const allergyRead = events.find(
      (event) => event.recordId === chart.allergy && event.actor === doctor.address,
    );
    assert.ok(allergyRead, 'the read is audited');
    assert.deepEqual(
      { outcome: allergyRead.outcome, purpose: allergyRead.purpose, reason: allergyRead.reason },
      { outcome: 'allowed', purpose: 'BTG', reason: `emergency ${declared.emergencyId}` },
    );
    const labRead = events.find((event) => event.recordId === chart.lab && event.actor === doctor.address);
    assert.deepEqual(
      { outcome: labRead?.outcome, reason: labRead?.reason },
      { outcome: 'denied', reason: 'no_consent' },
    );
    const start = events.find((event) => event.action === 'emergency-start');
    assert.ok(start, 'the start is audited');
    assert.equal(start.actor, doctor.address);
    assert.equal(start.purpose, 'BTG');
    assert.match(
      start.reason ?? '',
      new RegExp(`^emergency ${declared.emergencyId}: unconscious, open until `),
    );

    const token = await signIn(gateway.url, patient.identity);
    const fhir = await call(gateway.url, 'GET', '/api/audit?format=fhir', { token });
    const bundle = fhir.body as { entry: { resource: Record<string, unknown> }[] };
    const breakGlass = bundle.entry
      .map((entry) => entry.resource)
      .find((resource) => resource.outcomeDesc === `emergency ${declared.emergencyId}`);
    assert.ok(breakGlass, 'the read is a FHIR AuditEvent');
    const btg = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG' };
    assert.deepEqual((breakGlass.purposeOfEvent as { coding: unknown[] }[])[0]?.coding[0], btg);
    assert.deepEqual((breakGlass.meta as { security: unknown[] }).security[0], {
      ...btg,
      display: 'break the glass',
    });
  });

  it('refuses a second declaration that would extend the window', async () => {
    await assert.rejects(
      doctor.declareEmergency({ patient: patient.address, reason: 'other', justification: 'Still here' }),
      { code: 'conflict', message: /An emergency \(\d+\) is already open for this patient until/ },
    );
    const [again] = (await doctor.listEmergencies()).emergencies;
    assert.equal(again?.emergencyId, declared.emergencyId);
    assert.equal(again?.expiresAt, declared.expiresAt);
  });

  it('refuses members without the privilege, and members whose privilege was taken away', async () => {
    const nurse = await newMember(gateway.url, consortium, 'nurse');
    const keptJustifications = async () => {
      const database = await openSqlDatabase(gateway.storeLocation);
      try {
        // Every row kept, opened through the gateway's store (the text is encrypted at rest).
        const rows = await database.all('SELECT justification_hash FROM emergency_justifications');
        return Promise.all(
          rows.map(
            async (row) =>
              (await gateway.services.emergencies.justification(row.justification_hash as Hex))?.text,
          ),
        );
      } finally {
        await database.close();
      }
    };
    const keptBefore = await keptJustifications();
    await assert.rejects(
      nurse.declareEmergency({
        patient: patient.address,
        reason: 'unconscious',
        justification: 'Refused text',
      }),
      { code: 'access_denied', message: /is not allowed to open emergencies/ },
    );
    // The refused declaration's justification is not kept at the gateway.
    assert.deepEqual(await keptJustifications(), keptBefore);
    assert.ok(keptBefore.includes(justification));
    await assert.rejects(nurse.readRecord(chart.allergy), { code: 'access_denied' });

    const surgeon = await privilegedMember(gateway.url, consortium);
    await consortium.admin.setEmergencyPrivilege(surgeon.address, false);
    await assert.rejects(
      surgeon.declareEmergency({ patient: patient.address, reason: 'unconscious', justification }),
      { code: 'access_denied' },
    );
    // Only an admin of the member's organisation gives the privilege.
    await assert.rejects(doctor.setEmergencyPrivilege(nurse.address, true), { code: 'access_denied' });
  });

  it('shuts out a member once suspended, emergency or not', async () => {
    const [member, other] = await Promise.all([
      privilegedMember(gateway.url, consortium),
      newPatient(gateway.url, consortium),
    ]);
    const { recordId } = await other.addRecord({
      patient: other.address,
      category: 'allergy',
      resource: resourceOf('allergy'),
    });
    await member.declareEmergency({ patient: other.address, reason: 'life-threatening', justification });
    assert.deepEqual((await member.readRecord(recordId)).resource, resourceOf('allergy'));
    await consortium.admin.suspendMember(member.address);
    await assert.rejects(member.readRecord(recordId), { code: 'access_denied' });
    await assert.rejects(
      member.declareEmergency({ patient: patient.address, reason: 'unconscious', justification }),
      { code: 'access_denied', message: /is not an active member of an organisation/ },
    );
  });

  it('queues the emergency for review by its organisation’s admin, unreviewed first', async () => {
    const pending = await consortium.admin.listEmergencies({ unreviewedOnly: true });
    const mine = pending.emergencies.find((emergency) => emergency.emergencyId === declared.emergencyId);
    assert.ok(mine, 'the admin sees the unreviewed emergency');
    assert.equal(mine.justification, justification, 'with the member’s justification');
    assert.ok(pending.emergencies.every((emergency) => emergency.verdict === 'pending'));

    // The patient sees the emergency on its record, without the member's text; strangers see nothing.
    const seenByPatient = (await patient.listEmergencies()).emergencies;
    assert.deepEqual(
      seenByPatient.map((emergency) => [emergency.emergencyId, emergency.justification]),
      [[declared.emergencyId, null]],
    );
    const stranger = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
    assert.deepEqual((await stranger.listEmergencies()).emergencies, []);
    await assert.rejects(stranger.emergency(declared.emergencyId), { code: 'not_found' });
  });

  it('takes a verdict from an admin of the member’s organisation only, once', async () => {
    const otherAdmin = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
    const other = await otherAdmin.createOrganisation({ name: 'County Hospital', kind: 'hospital' });
    await consortium.admin.approveOrganisation(other.organisationId);
    await assert.rejects(otherAdmin.reviewEmergency(declared.emergencyId, 'justified'), {
      code: 'access_denied',
    });
    await assert.rejects(doctor.reviewEmergency(declared.emergencyId, 'justified'), {
      code: 'access_denied',
    });
    assert.deepEqual((await otherAdmin.listEmergencies()).emergencies, []);

    const reviewed = await consortium.admin.reviewEmergency(declared.emergencyId, 'justified');
    assert.equal(reviewed.verdict, 'justified');
    assert.equal(reviewed.reviewer, consortium.admin.address);
    assert.equal(reviewed.status, 'open');
    await assert.rejects(consortium.admin.reviewEmergency(declared.emergencyId, 'unjustified'), {
      code: 'conflict',
    });
    // Reviewed emergencies come after the unreviewed ones, and leave the unreviewed list.
    const unreviewed = await consortium.admin.listEmergencies({ unreviewedOnly: true });
    assert.ok(!unreviewed.emergencies.some((emergency) => emergency.emergencyId === declared.emergencyId));
    const all = (await consortium.admin.listEmergencies()).emergencies.map((emergency) => emergency.verdict);
    assert.deepEqual(
      all,
      [...all].sort((a, b) => Number(a !== 'pending') - Number(b !== 'pending')),
    );
    // A justified emergency stays open.
    assert.deepEqual((await doctor.readRecord(chart.condition)).resource, resourceOf('condition'));
  });

  it('closes the emergency at once when the admin judges it unjustified, and audits its end', async () => {
    const [member, other] = await Promise.all([
      privilegedMember(gateway.url, consortium),
      newPatient(gateway.url, consortium),
    ]);
    const { recordId } = await other.addRecord({
      patient: other.address,
      category: 'condition',
      resource: resourceOf('condition'),
    });
    const emergency = await member.declareEmergency({
      patient: other.address,
      reason: 'other',
      justification,
    });
    await member.readRecord(recordId);
    const judged = await consortium.admin.reviewEmergency(emergency.emergencyId, 'unjustified');
    assert.deepEqual([judged.verdict, judged.status], ['unjustified', 'ended']);
    await assert.rejects(member.readRecord(recordId), { code: 'access_denied' });
    const end = await endAudited(other, emergency.emergencyId);
    assert.deepEqual(
      [end.actor, end.purpose, end.reason],
      [member.address, 'BTG', `emergency ${emergency.emergencyId}: judged unjustified`],
    );
  });

  it('validates every input against the schema and checks the justification’s hash', async () => {
    const token = await signIn(gateway.url, doctor.identity);
    const valid = {
      member: doctor.address,
      patient: patient.address,
      reasonCode: 1,
      justification: 'x',
      justificationSalt: `0x${'11'.repeat(32)}`,
      justificationHash: `0x${'22'.repeat(32)}`,
      nonce: '1',
      deadline: '9999999999',
      signature: `0x${'33'.repeat(65)}`,
    };
    for (const body of [
      { ...valid, extra: 1 },
      { ...valid, reasonCode: 0 },
      { ...valid, reasonCode: 5 },
      { ...valid, justification: '' },
      { ...valid, justification: 'x'.repeat(2001) },
      { ...valid, patient: 'nobody' },
    ]) {
      assertError(await call(gateway.url, 'POST', '/api/emergencies', { token, body }), 400, 'invalid_input');
    }
    const mismatch = await call(gateway.url, 'POST', '/api/emergencies', { token, body: valid });
    assert.match(assertError(mismatch, 400, 'invalid_input'), /justificationHash must be keccak256/);
    const review = await call(gateway.url, 'POST', '/api/emergencies/1/review', {
      token,
      body: { reviewer: doctor.address, verdict: 3, nonce: '1', deadline: '1', signature: valid.signature },
    });
    assertError(review, 400, 'invalid_input');
    const unauthenticated = await call(gateway.url, 'GET', '/api/emergencies');
    assertError(unauthenticated, 401, 'unauthenticated');
    // Someone else's declaration is not relayed for them.
    const notMine = await call(gateway.url, 'POST', '/api/emergencies', {
      token: await signIn(gateway.url, patient.identity),
      body: valid,
    });
    assertError(notMine, 403, 'access_denied');
  });
});

describe('the end of an emergency', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let doctor: GatewayClient;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    doctor = await privilegedMember(gateway.url, consortium);
  });
  after(() => gateway.stop());

  /** A patient with an allergy record, and the doctor's emergency for it, read once. */
  async function openEmergency() {
    const patient = await newPatient(gateway.url, consortium);
    const { recordId } = await patient.addRecord({
      patient: patient.address,
      category: 'allergy',
      resource: resourceOf('allergy'),
    });
    const emergency = await doctor.declareEmergency({
      patient: patient.address,
      reason: 'unconscious',
      justification,
    });
    assert.deepEqual((await doctor.readRecord(recordId)).resource, resourceOf('allergy'));
    return { patient, recordId, emergency };
  }

  it('is held to the gateway’s clock while the chain’s clock stands still', async () => {
    const { patient, recordId, emergency } = await openEmergency();
    const chainTime = await latestBlockTime(gateway.rpcUrl);
    const realNow = Date.now.bind(Date);
    const clock = mock.method(Date, 'now', () => realNow() + (fourHours + 60) * 1000);
    try {
      await assert.rejects(doctor.readRecord(recordId), {
        code: 'access_denied',
        message: /emergency access to this patient is over/,
      });
      // The chain has not moved: it would still say yes; the gateway's clock said no.
      assert.equal(await latestBlockTime(gateway.rpcUrl), chainTime);
      const denied = (await patient.audit()).events.find(
        (event) => event.recordId === recordId && event.outcome === 'denied',
      );
      assert.equal(denied?.reason, 'emergency_expired');
      const end = await endAudited(patient, emergency.emergencyId);
      assert.deepEqual([end.purpose, end.reason], ['BTG', `emergency ${emergency.emergencyId}: window over`]);
    } finally {
      clock.mock.restore();
    }
  });

  it('ends at the deadline by the chain’s clock, and the end is audited', async () => {
    const { patient, recordId, emergency } = await openEmergency();
    await advanceChainTime(gateway.rpcUrl, fourHours - 120);
    assert.deepEqual((await doctor.readRecord(recordId)).resource, resourceOf('allergy'));
    await advanceChainTime(gateway.rpcUrl, 121);
    assert.ok((await latestBlockTime(gateway.rpcUrl)) >= emergency.expiresAt);
    // The gateway's own clock still says open: the refusal is the chain's.
    assert.ok(emergency.expiresAt > Date.now() / 1000);
    await assert.rejects(doctor.readRecord(recordId), {
      code: 'access_denied',
      message: /has not given you consent/,
    });
    const end = await endAudited(patient, emergency.emergencyId);
    assert.deepEqual(
      [end.actor, end.reason],
      [doctor.address, `emergency ${emergency.emergencyId}: window over`],
    );
    assert.equal((await patient.emergency(emergency.emergencyId)).status, 'ended');
  });
});
