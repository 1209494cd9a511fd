/**
 * Property-based tests: random sequences of grants, revocations, access requests and their answers,
 * record anchoring and time passing, by random actors (patients, members, a suspended member, a stranger),
 * run against the contracts and against a small model of what they must do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { anchoredLeafHash } from '@medledger/core';
import fc from 'fast-check';
import type { Address, Hex, LocalAccount } from 'viem';
import {
  addMember,
  allCategories,
  anchorRecords,
  categoryCount,
  denyRequest,
  grant,
  newAccount,
  newRecord,
  type RecordLeaf,
  requestAccess,
  revoke,
  role,
  signedRecord,
  suspendMember,
  zeroAddress,
  zeroHash,
} from './helpers/actions.ts';
import { setUpConsortium } from './helpers/fixtures.ts';
import { assertRevert, deployLedger, type TestLedger } from './helpers/ledger.ts';

const appendAction = 2;
const timeStep = 1000;

interface Actor {
  name: string;
  account: LocalAccount;
  /** Organisation of an active member, 0 for anyone else. */
  organisationId: number;
}

interface ModelGrant {
  id: bigint;
  patient: Address;
  grantee: Address;
  granteeOrganisation: number;
  categories: number;
  maxSensitivity: number;
  actions: number;
  expiresAt: bigint;
  revoked: boolean;
}

interface ModelRequest {
  id: bigint;
  requester: Address;
  patient: Address;
  status: number;
}

interface ModelRecord {
  record: RecordLeaf;
  anchor: { leaf: Hex; patient: Address; anchoredAt: bigint; supersededBy: Hex };
}

interface Model {
  now: bigint;
  grants: ModelGrant[];
  requests: ModelRequest[];
  records: ModelRecord[];
}

/** `arbitrary` once in `1 + nullWeight` draws, else null. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, nullWeight: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: nullWeight, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
}

/** A signer: the patient concerned (most often) or any actor. */
const signerArbitrary = fc.oneof(
  { weight: 3, arbitrary: fc.constant('concerned' as const) },
  { weight: 2, arbitrary: fc.nat(6) },
);

const command = {
  grant: fc.record({
    type: fc.constant('grant' as const),
    signer: signerArbitrary,
    patient: fc.nat(1),
    target: fc.nat(5),
    categories: fc.integer({ min: 1, max: allCategories }),
    maxSensitivity: fc.nat(1),
    actions: fc.integer({ min: 1, max: 7 }),
    lifetime: fc.integer({ min: 1, max: 3 }),
  }),
  revoke: fc.record({
    type: fc.constant('revoke' as const),
    signer: signerArbitrary,
    grant: fc.nat(),
    claimsOwnGrant: fc.boolean(),
  }),
  request: fc.record({
    type: fc.constant('request' as const),
    requester: fc.nat(6),
    patient: fc.nat(1),
    categories: fc.integer({ min: 1, max: allCategories }),
  }),
  answer: fc.record({
    type: fc.constant('answer' as const),
    signer: signerArbitrary,
    request: fc.nat(),
    approve: fc.boolean(),
    categories: fc.integer({ min: 1, max: allCategories }),
    actions: fc.integer({ min: 1, max: 7 }),
  }),
  anchor: fc.record({
    type: fc.constant('anchor' as const),
    author: fc.oneof(
      { weight: 1, arbitrary: fc.constant('concerned' as const) },
      { weight: 2, arbitrary: fc.nat(6) },
    ),
    patient: fc.nat(1),
    category: fc.nat(categoryCount - 1),
    sensitivity: fc.nat(1),
    grant: fc.nat(),
    supersedes: sometimes(fc.nat(), 1),
    reanchor: sometimes(fc.nat(), 6),
  }),
  time: fc.record({ type: fc.constant('time' as const), steps: fc.integer({ min: 1, max: 3 }) }),
};
type Command = {
  [K in keyof typeof command]: (typeof command)[K] extends fc.Arbitrary<infer C> ? C : never;
}[keyof typeof command];

const probeArbitrary = fc.record({
  actor: fc.nat(6),
  patient: fc.nat(1),
  category: fc.nat(categoryCount - 1),
  sensitivity: fc.nat(1),
  actions: fc.integer({ min: 1, max: 7 }),
});
type Probe = typeof probeArbitrary extends fc.Arbitrary<infer P> ? P : never;

function tally(outcomes: Map<string, number>, outcome: string): void {
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
}

/** The commands run, by outcome, so a reader can see that every path was exercised. */
function describeOutcomes(outcomes: Map<string, number>): string {
  const sorted = [...outcomes].sort(([a], [b]) => (a < b ? -1 : 1));
  return `outcomes: ${sorted.map(([outcome, count]) => `${outcome} ${count}`).join(', ')}`;
}

describe('properties', () => {
  let ledger: TestLedger;
  let snapshot: Hex;
  let patients: Actor[];
  /** Patients first, then active members, a suspended member and a stranger. */
  let actors: Actor[];
  let organisations: number[];
  /** Grants in force at the start of every run, so that members' appends have something to rely on. */
  let standingGrants: ModelGrant[];
  before(async () => {
    ledger = await deployLedger();
    const c = await setUpConsortium(ledger);
    const suspended = newAccount();
    await addMember(ledger, c.hospitalAdmin, {
      organisationId: c.hospital,
      member: suspended.address,
      role: role.doctor,
    });
    await suspendMember(ledger, c.hospitalAdmin, suspended.address);
    patients = [
      { name: 'patient', account: c.patient, organisationId: 0 },
      { name: 'other patient', account: c.otherPatient, organisationId: 0 },
    ];
    actors = [
      ...patients,
      { name: 'doctor', account: c.doctor, organisationId: c.hospital },
      { name: 'nurse', account: c.nurse, organisationId: c.hospital },
      { name: 'lab technician', account: c.labTechnician, organisationId: c.lab },
      { name: 'suspended doctor', account: suspended, organisationId: 0 },
      { name: 'stranger', account: c.stranger, organisationId: 0 },
    ];
    organisations = [c.hospital, c.lab];
    const standing = [
      {
        patient: c.patient,
        grantee: c.doctor.address,
        categories: allCategories,
        maxSensitivity: 1,
        actions: 0b011,
      },
      {
        patient: c.patient,
        granteeOrganisation: c.lab,
        categories: 0b1000,
        maxSensitivity: 0,
        actions: 0b011,
      },
      {
        patient: c.otherPatient,
        grantee: c.nurse.address,
        categories: 0x0ff,
        maxSensitivity: 0,
        actions: 0b001,
      },
      {
        patient: c.otherPatient,
        granteeOrganisation: c.hospital,
        categories: 0xf0f,
        maxSensitivity: 1,
        actions: 0b110,
      },
    ];
    standingGrants = [];
    for (const { patient, ...scope } of standing) {
      const input = { grantee: zeroAddress, granteeOrganisation: 0, expiresAt: 2n ** 40n, ...scope };
      const { grantId } = await grant(ledger, patient, input);
      standingGrants.push({ id: grantId, patient: patient.address, ...input, revoked: false });
    }
    snapshot = await ledger.snapshot();
  });
  after(() => ledger.stop());

  /** Starts a run from the snapshot, with the clock at a known time. */
  async function freshModel(): Promise<Model> {
    await ledger.revert(snapshot);
    snapshot = await ledger.snapshot();
    await ledger.testClient.mine({ blocks: 1 });
    return {
      now: await ledger.now(),
      grants: standingGrants.map((g) => ({ ...g })),
      requests: [],
      records: [],
    };
  }

  function inForce(g: ModelGrant, model: Model): boolean {
    return !g.revoked && model.now < g.expiresAt;
  }

  /** What the contracts must answer to isAuthorised / the grant a record author needs. */
  function covers(
    g: ModelGrant,
    actor: Actor,
    patient: Address,
    category: number,
    sensitivity: number,
    actions: number,
    model: Model,
  ) {
    return (
      actor.organisationId !== 0 &&
      inForce(g, model) &&
      g.patient === patient &&
      (g.grantee === actor.account.address || g.granteeOrganisation === actor.organisationId) &&
      (g.categories >> category) & 1 &&
      sensitivity <= g.maxSensitivity &&
      (g.actions & actions) === actions
    );
  }

  function pick<T>(list: readonly T[], index: number): T | undefined {
    return list.length === 0 ? undefined : list[index % list.length];
  }

  async function counts() {
    return Promise.all([
      ledger.read<bigint>('consents', 'grantCount'),
      ledger.read<bigint>('consents', 'requestCount'),
      ledger.read<bigint>('records', 'recordCount'),
    ]);
  }

  /** Runs one command on the chain and on the model; returns its outcome (`ok` or the expected error). */
  async function run(model: Model, cmd: Command): Promise<string> {
    const rejected = async (attempt: Promise<unknown>, errorName: string, args: readonly unknown[]) => {
      await assertRevert(attempt, errorName, args);
      return errorName;
    };
    switch (cmd.type) {
      case 'time': {
        await ledger.increaseTime(cmd.steps * timeStep);
        model.now += BigInt(cmd.steps * timeStep);
        return 'ok';
      }
      case 'grant': {
        const patient = patients[cmd.patient]!;
        const signer = cmd.signer === 'concerned' ? patient : actors[cmd.signer]!;
        const member = cmd.target < 4 ? actors[2 + cmd.target]! : undefined;
        const organisationId = member ? 0 : organisations[cmd.target - 4]!;
        const input = {
          patient: patient.account.address,
          grantee: member?.account.address ?? zeroAddress,
          granteeOrganisation: organisationId,
          categories: cmd.categories,
          maxSensitivity: cmd.maxSensitivity,
          actions: cmd.actions,
          expiresAt: model.now + BigInt(cmd.lifetime * timeStep),
        };
        const attempt = grant(ledger, signer.account, input);
        if (signer !== patient) return rejected(attempt, 'SignedActionInvalidSignature', [input.patient]);
        if (member && member.organisationId === 0) {
          return rejected(attempt, 'ConsentsInactiveMember', [input.grantee]);
        }
        const { grantId } = await attempt;
        assert.equal(grantId, BigInt(model.grants.length + 1));
        model.grants.push({ id: grantId, ...input, revoked: false });
        return 'ok';
      }
      case 'revoke': {
        const target = pick(model.grants, cmd.grant);
        if (!target) return 'skipped';
        const owner = actors.find((actor) => actor.account.address === target.patient)!;
        const signer = cmd.signer === 'concerned' ? owner : actors[cmd.signer]!;
        const claimed = cmd.claimsOwnGrant ? signer.account.address : target.patient;
        const attempt = revoke(ledger, signer.account, target.id, { patient: claimed });
        if (signer.account.address !== claimed)
          return rejected(attempt, 'SignedActionInvalidSignature', [claimed]);
        if (claimed !== target.patient)
          return rejected(attempt, 'ConsentsNotGrantPatient', [target.id, claimed]);
        if (target.revoked) return rejected(attempt, 'ConsentsAlreadyRevoked', [target.id]);
        await attempt;
        target.revoked = true;
        return 'ok';
      }
      case 'request': {
        const requester = actors[cmd.requester]!;
        const patient = patients[cmd.patient]!.account.address;
        const attempt = requestAccess(ledger, requester.account, { patient, categories: cmd.categories });
        if (requester.organisationId === 0) {
          return rejected(attempt, 'ConsentsInactiveMember', [requester.account.address]);
        }
        const { requestId } = await attempt;
        assert.equal(requestId, BigInt(model.requests.length + 1));
        model.requests.push({ id: requestId, requester: requester.account.address, patient, status: 1 });
        return 'ok';
      }
      case 'answer': {
        const request = pick(model.requests, cmd.request);
        if (!request) return 'skipped';
        const patient = actors.find((actor) => actor.account.address === request.patient)!;
        const signer = cmd.signer === 'concerned' ? patient : actors[cmd.signer]!;
        const expiresAt = model.now + BigInt(timeStep);
        const scope = {
          patient: request.patient,
          categories: cmd.categories,
          actions: cmd.actions,
          expiresAt,
        };
        const attempt = cmd.approve
          ? grant(ledger, signer.account, { ...scope, grantee: request.requester, requestId: request.id })
          : denyRequest(ledger, signer.account, request.id, { patient: request.patient });
        if (signer !== patient) return rejected(attempt, 'SignedActionInvalidSignature', [request.patient]);
        if (request.status !== 1) {
          return rejected(attempt, 'ConsentsRequestNotPending', [request.id, request.status]);
        }
        await attempt;
        request.status = cmd.approve ? 2 : 3;
        if (cmd.approve) {
          model.grants.push({
            id: BigInt(model.grants.length + 1),
            ...scope,
            grantee: request.requester,
            granteeOrganisation: 0,
            maxSensitivity: 0,
            revoked: false,
          });
        }
        return 'ok';
      }
      case 'anchor': {
        const patient = patients[cmd.patient]!;
        const author = cmd.author === 'concerned' ? patient : actors[cmd.author]!;
        const existing = cmd.reanchor === null ? undefined : pick(model.records, cmd.reanchor);
        // Mostly a record of the same patient, so that amendment chains grow.
        const samePatient = model.records.filter((r) => r.record.patient === patient.account.address);
        const superseded =
          cmd.supersedes === null
            ? undefined
            : pick(
                samePatient.length > 0 && cmd.supersedes % 4 !== 0 ? samePatient : model.records,
                cmd.supersedes,
              );
        // Mostly a grant that could apply, and a record it could cover, so that members' appends are
        // exercised as well as their rejections.
        const applicable = model.grants.filter(
          (g) =>
            g.patient === patient.account.address &&
            (g.grantee === author.account.address || g.granteeOrganisation === author.organisationId),
        );
        const aimed = applicable.length > 0 && cmd.grant % 4 !== 0;
        const candidate = pick(aimed ? applicable : model.grants, cmd.grant);
        const coveredCategories = [...Array(categoryCount).keys()].filter(
          (bit) => ((candidate?.categories ?? 0) >> bit) & 1,
        );
        const record = existing
          ? { ...existing.record, contentDigest: newRecord(existing.record).contentDigest }
          : newRecord({
              patient: patient.account.address,
              author: author.account.address,
              category: aimed ? pick(coveredCategories, cmd.category)! : cmd.category,
              sensitivity: aimed ? Math.min(cmd.sensitivity, candidate!.maxSensitivity) : cmd.sensitivity,
              supersedes: superseded?.record.recordId ?? zeroHash,
            });
        const attempt = anchorRecords(ledger, [
          await signedRecord(
            ledger,
            existing ? actors.find((a) => a.account.address === record.author)!.account : author.account,
            record,
            candidate?.id ?? 0n,
          ),
        ]);
        if (existing) return rejected(attempt, 'RecordsAlreadyAnchored', [record.recordId]);
        const authorised =
          author === patient ||
          (candidate !== undefined &&
            covers(
              candidate,
              author,
              record.patient,
              record.category,
              record.sensitivity,
              appendAction,
              model,
            ));
        if (!authorised) return rejected(attempt, 'RecordsNotAuthorised', [record.recordId, record.author]);
        if (superseded && superseded.record.patient !== record.patient) {
          return rejected(attempt, 'RecordsSupersedesOtherPatient', [record.recordId, record.supersedes]);
        }
        if (superseded && superseded.anchor.supersededBy !== zeroHash) {
          return rejected(attempt, 'RecordsAlreadySuperseded', [
            record.recordId,
            record.supersedes,
            superseded.anchor.supersededBy,
          ]);
        }
        await attempt;
        const anchor = await ledger.read<ModelRecord['anchor']>('records', 'anchorOf', [record.recordId]);
        assert.equal(anchor.leaf, anchoredLeafHash(record));
        model.records.push({ record, anchor });
        if (superseded) superseded.anchor = { ...superseded.anchor, supersededBy: record.recordId };
        return author === patient ? 'ok by the patient' : 'ok by a member';
      }
    }
  }

  /** Everything the chain says agrees with the model; nothing else changed. */
  async function checkAgainstModel(model: Model, probes: Probe[]): Promise<void> {
    const grantChecks = model.grants.map(async (g) => {
      const holder =
        actors.find((actor) => actor.account.address === g.grantee) ??
        actors.find((actor) => actor.organisationId === g.granteeOrganisation)!;
      const category = Math.log2(g.categories & -g.categories);
      const scope = [holder.account.address, g.patient, category, g.maxSensitivity, g.actions];
      const [authorises, onChain] = await Promise.all([
        ledger.read<boolean>('consents', 'checkGrant', [g.id, ...scope]),
        ledger.read<{ revoked: boolean; patient: Address }>('consents', 'grantOf', [g.id]),
      ]);
      // A revoked or expired grant never authorises; one in force does, for all it covers.
      assert.equal(authorises, inForce(g, model), `checkGrant of grant ${g.id}`);
      assert.deepEqual([onChain.revoked, onChain.patient], [g.revoked, g.patient]);
    });
    const requestChecks = model.requests.map(async (request) => {
      const onChain = await ledger.read<{ status: number }>('consents', 'requestOf', [request.id]);
      assert.equal(onChain.status, request.status, `status of request ${request.id}`);
    });
    const recordChecks = model.records.map(async ({ record, anchor }) => {
      assert.deepEqual(await ledger.read('records', 'anchorOf', [record.recordId]), anchor);
    });
    const probeChecks = probes.map(async (probe) => {
      const actor = actors[probe.actor]!;
      const patient = patients[probe.patient]!.account.address;
      const expected =
        actor.account.address === patient ||
        model.grants.some((g) =>
          covers(g, actor, patient, probe.category, probe.sensitivity, probe.actions, model),
        );
      // Every grant is a candidate: the chain alone decides which, if any, authorises.
      const answer = await ledger.read<boolean>('consents', 'isAuthorised', [
        model.grants.map((g) => g.id).reverse(),
        actor.account.address,
        patient,
        probe.category,
        probe.sensitivity,
        probe.actions,
      ]);
      assert.equal(answer, expected, `isAuthorised(${actor.name}, ${JSON.stringify(probe)})`);
    });
    const countCheck = counts().then((onChain) =>
      assert.deepEqual(onChain, [
        BigInt(model.grants.length),
        BigInt(model.requests.length),
        BigInt(model.records.length),
      ]),
    );
    await Promise.all([countCheck, ...grantChecks, ...requestChecks, ...recordChecks, ...probeChecks]);
  }

  it('keeps consents in the patient hands and grants in force only while valid', async (t) => {
    const outcomes = new Map<string, number>();
    const commands = fc.array(
      fc.oneof(
        { weight: 4, arbitrary: command.grant },
        { weight: 3, arbitrary: command.revoke },
        { weight: 2, arbitrary: command.request },
        { weight: 2, arbitrary: command.answer },
        { weight: 3, arbitrary: command.anchor },
        { weight: 2, arbitrary: command.time },
      ),
      { minLength: 1, maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(commands, fc.array(probeArbitrary, { maxLength: 3 }), async (sequence, probes) => {
        const model = await freshModel();
        for (const cmd of sequence) tally(outcomes, `${cmd.type} ${await run(model, cmd)}`);
        await checkAgainstModel(model, probes);
      }),
      { numRuns: 600 },
    );
    t.diagnostic(describeOutcomes(outcomes));
  });

  it('never overwrites an anchored record and supersedes each at most once', async (t) => {
    const outcomes = new Map<string, number>();
    const commands = fc.array(
      fc.oneof(
        { weight: 6, arbitrary: command.anchor },
        { weight: 2, arbitrary: command.grant },
        { weight: 1, arbitrary: command.revoke },
        { weight: 1, arbitrary: command.time },
      ),
      { minLength: 1, maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(commands, async (sequence) => {
        const model = await freshModel();
        for (const cmd of sequence) tally(outcomes, `${cmd.type} ${await run(model, cmd)}`);
        await checkAgainstModel(model, []);
      }),
      { numRuns: 400 },
    );
    t.diagnostic(describeOutcomes(outcomes));
  });
});
