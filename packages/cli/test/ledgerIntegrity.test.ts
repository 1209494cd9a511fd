/**
 * Nothing acknowledged is ever lost, and nobody can quietly rewrite the ledger (issue 9), with real
 * processes: a gateway (`medledger start`) and its embedded anvil.
 *
 * 1,000 record writes go out at once; after K of them are acknowledged (K = 1, 300, 700: counted,
 * not timed) the chain, the gateway and the chain together, or the gateway alone are killed with
 * SIGKILL. Every request must then be answered; every record answered 201 must come back listed,
 * readable by the doctor and the patient exactly as written, anchored, and verified by `medledger
 * verify`, after the gateway recovers by itself (when it survived) and after `medledger start` on
 * the same data. Last, a chain state restored from before a set of writes and a revocation: the
 * gateway must notice, serve nothing chain-dependent until it has re-applied its journal, and then
 * hold everything, the revocation included, and tell the organisation's admin; an action whose
 * deadline passed before it could be re-applied is told to its author.
 *
 * The chain is read only through the gateway and the RPC URL it names, as `medledger verify` does.
 */
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { createGatewayClient } from '@medledger/client';
import { AccessDeniedError, type Identity } from '@medledger/core';
import type { Hex } from 'viem';
import { createKeyFile } from '../src/keyFile.ts';
import {
  countsOf,
  examples,
  foundHospital,
  type HealthAnswer,
  type Hospital,
  killEmbeddedChain,
  recordsNotListed,
  recordsNotReadable,
  recordsOnChain,
  seconds,
  stopWithin,
  unexpectedWhileNotServing,
  verifyWithCli,
  waitUntilServing,
  watchWhileRecovering,
  writeRecords,
  writeRecordsAtOnce,
} from './helpers/ledgerIntegrity.ts';
import {
  cleanUp,
  type GatewayProcess,
  sleep,
  spawnGatewayProcess,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

const recordsPerBurst = 1000;
/** Acknowledgements before the kill, one round each. */
const killMoments = [1, 300, 700];
/** Flags of every gateway started here. */
const gatewayArgs = ['--no-web-app'];
/** Bounds on waiting, generous for a loaded 2-core machine; none is a pause. */
const settleWithinMs = 120_000;
const recoverWithinMs = 60_000;
const serveWithinMs = 90_000;
const stopWithinMs = 30_000;
/** Seconds an action signed to expire soon stays valid: enough to be relayed on a loaded machine. */
const shortLifetimeSeconds = 8;

after(cleanUp);

interface Kill {
  title: string;
  label: string;
  kill(gateway: GatewayProcess): void;
  /** Whether the gateway process lives through it (and must recover by itself). */
  gatewaySurvives: boolean;
}

const kills: Kill[] = [
  {
    title: 'SIGKILL of the chain during 1,000 concurrent record writes',
    label: 'chain',
    kill: killEmbeddedChain,
    gatewaySurvives: true,
  },
  {
    title: 'SIGKILL of the gateway and its chain together during 1,000 concurrent record writes',
    label: 'both',
    kill(gateway) {
      // The chain first, so that it dies before its parent's death could make it write its state.
      killEmbeddedChain(gateway);
      process.kill(gateway.pid, 'SIGKILL');
    },
    gatewaySurvives: false,
  },
  {
    title: 'SIGKILL of the gateway alone during 1,000 concurrent record writes',
    label: 'gateway',
    kill: (gateway) => process.kill(gateway.pid, 'SIGKILL'),
    gatewaySurvives: false,
  },
];

for (const kind of kills) {
  describe(kind.title, () => {
    let dataDir: string;
    let gateway: GatewayProcess;
    let port: number;
    let hospital: Hospital;
    /** Every record acknowledged in this scenario so far, with the resource written. */
    const acknowledged = new Map<Hex, unknown>();
    const as = (identity: Identity) => createGatewayClient({ url: gateway.url, identity });

    before(async () => {
      dataDir = await temporaryDirectory(`integrity-${kind.label}`);
      gateway = await startGatewayProcess({ dataDir, args: gatewayArgs });
      port = Number(new URL(gateway.url).port);
      hospital = await foundHospital(gateway.url, await temporaryDirectory(`integrity-${kind.label}-keys`));
      // A stop and a start write the chain's state: the contracts' deployment, which the gateway
      // does not relay and so does not journal, is then on disk whatever the periodic dump's timing.
      await stopWithin(gateway, 'SIGTERM', stopWithinMs);
      gateway = await startGatewayProcess({ dataDir, port, args: gatewayArgs });
    });

    after(async () => {
      if (gateway) await stopWithin(gateway, 'SIGTERM', stopWithinMs);
    });

    for (const killAfter of killMoments) {
      test(`killed after ${killAfter} acknowledged: every acknowledged record survives`, async (t) => {
        const round = new Map<Hex, unknown>();
        const burst = await writeRecordsAtOnce({
          client: as(hospital.doctor),
          patient: hospital.patient.address,
          count: recordsPerBurst,
          label: `${kind.label}-${killAfter}`,
          killAfter,
          kill: () => kind.kill(gateway),
          settleWithinMs,
          acknowledged: round,
        });
        t.diagnostic(
          `killed after ${burst.killedAfter ?? '-'} acknowledgements, ${seconds(burst.killedAfterMs)} into the burst; of ${recordsPerBurst}: ` +
            `${round.size} acknowledged, failed: ${countsOf(burst.failures)}; ${burst.unsettled} unanswered; ` +
            `all answered ${seconds(burst.settledMs)} after the kill`,
        );
        assert.ok(
          burst.killedAt !== undefined,
          `the kill never came: ${round.size} acknowledged, failed: ${countsOf(burst.failures)}`,
        );

        await t.test('every request under way is answered', () => {
          assert.equal(
            burst.unsettled,
            0,
            `${burst.unsettled} requests unanswered ${seconds(settleWithinMs)} after the kill`,
          );
        });

        if (kind.gatewaySurvives) {
          await t.test('the gateway restarts its chain and serves again by itself', async (t) => {
            const { meanwhile } = await waitUntilServing(gateway, recoverWithinMs);
            t.diagnostic(
              `serving again ${seconds(performance.now() - (burst.killedAt ?? 0))} after the kill; ` +
                `health meanwhile: ${countsOf(meanwhile)}`,
            );
            assert.deepEqual(unexpectedWhileNotServing(meanwhile), [], 'health while recovering');
            const everything = allOf(acknowledged, round);
            const unlisted = await recordsNotListed(as(hospital.patient), everything.keys());
            assert.equal(
              unlisted.length,
              0,
              `${unlisted.length} of ${everything.size} acknowledged records are not listed, e.g.:\n${examples(unlisted)}`,
            );
          });
          const { exit, forced } = await stopWithin(gateway, 'SIGTERM', stopWithinMs);
          t.diagnostic(`stopped with SIGTERM: ${JSON.stringify(exit)}${forced ? ', SIGKILL needed' : ''}`);
        } else {
          await stopWithin(gateway, 'SIGKILL', stopWithinMs);
        }
        for (const [recordId, resource] of round) acknowledged.set(recordId, resource);

        const restartedAt = performance.now();
        gateway = await spawnGatewayProcess({ dataDir, port, args: gatewayArgs });
        await t.test('medledger start on the same data serves again', async (t) => {
          const { health, meanwhile } = await waitUntilServing(gateway, serveWithinMs);
          t.diagnostic(
            `serving ${seconds(performance.now() - restartedAt)} after medledger start; ` +
              `health meanwhile: ${countsOf(meanwhile)}`,
          );
          assert.deepEqual(unexpectedWhileNotServing(meanwhile), [], 'health while starting');
          assertServingHealth(health);
        });

        // This round's records are read back; those of earlier rounds are checked in the list and on
        // the chain, so that a round does not take longer for every round before it. Verification
        // reads the whole chain in a process of its own: under way while the reads are.
        const verified = assertVerified(gateway.url, acknowledged);
        verified.catch(() => undefined);
        const checks =
          'every acknowledged record is listed and reads back as written, by the doctor and the patient';
        await t.test(checks, async (t) => {
          const patient = as(hospital.patient);
          const unlisted = await recordsNotListed(patient, acknowledged.keys());
          const byDoctor = await recordsNotReadable(as(hospital.doctor), round);
          const byPatient = await recordsNotReadable(patient, round);
          const problems = [...unlisted, ...byDoctor, ...byPatient];
          const lost = new Set(problems.map((p) => p.recordId).filter((recordId) => round.has(recordId)));
          const lostBefore = new Set(
            unlisted.map((p) => p.recordId).filter((recordId) => !round.has(recordId)),
          );
          t.diagnostic(
            `${round.size} acknowledged in this round, ${lost.size} of them lost; ` +
              `${lostBefore.size} of the ${acknowledged.size - round.size} acknowledged before no longer listed`,
          );
          assert.deepEqual(
            { lost: lost.size, lostBefore: lostBefore.size },
            { lost: 0, lostBefore: 0 },
            `acknowledged records lost, e.g.:\n${examples(problems)}`,
          );
        });

        await t.test(
          'medledger verify: ok, every acknowledged record anchored and checked, none anchored without its event',
          () => verified,
        );
      });
    }
  });
}

describe('a chain state restored from before some writes and a revocation', () => {
  test('the gateway serves nothing chain-dependent until it has re-applied its journal; then everything acknowledged is there, the revocation holds, and the admin and the author of an expired action are told', async (t) => {
    const dataDir = await temporaryDirectory('integrity-restore');
    const keys = await temporaryDirectory('integrity-restore-keys');
    let gateway = await startGatewayProcess({ dataDir, args: gatewayArgs });
    const port = Number(new URL(gateway.url).port);
    const hospital = await foundHospital(gateway.url, keys);
    const secondDoctor = await createKeyFile(join(keys, 'second-doctor.json'));
    let as = (identity: Identity) => createGatewayClient({ url: gateway.url, identity });
    await as(hospital.admin).addMember({
      organisationId: hospital.organisationId,
      member: secondDoctor.address,
      role: 'doctor',
      encryptionKey: secondDoctor.encryption.publicKey,
    });

    const setA = await writeRecords(as(hospital.doctor), hospital.patient.address, 'A', 20);
    await stopWithin(gateway, 'SIGTERM', stopWithinMs);
    const statePath = join(dataDir, 'chain', 'state.json');
    const olderState = await readFile(statePath);

    gateway = await startGatewayProcess({ dataDir, port, args: gatewayArgs });
    const setB = await writeRecords(as(hospital.doctor), hospital.patient.address, 'B', 20);
    const [firstA] = setA.keys();
    const [firstB] = setB.keys();
    assert.ok(firstA && firstB);
    // An action signed to expire soon, in the middle of the later set: it cannot be re-applied.
    const shortLived = createGatewayClient({
      url: gateway.url,
      identity: secondDoctor,
      signatureLifetimeSeconds: shortLifetimeSeconds,
    });
    await shortLived.requestAccess({ patient: hospital.patient.address, categories: ['lab'] });
    const shortLivedExpiredAt = Date.now() + (shortLifetimeSeconds + 1) * 1000;
    const { grantId: secondGrant } = await as(hospital.patient).grantConsent({
      grantee: secondDoctor.address,
      categories: ['lab'],
      actions: ['read'],
      expiresInSeconds: 24 * 3600,
    });
    await as(secondDoctor).readRecord(firstB);
    await as(hospital.patient).revokeConsent(hospital.grantId);
    await as(hospital.patient).revokeConsent(secondGrant);
    await assert.rejects(as(hospital.doctor).accessRecord(firstA), AccessDeniedError);
    await stopWithin(gateway, 'SIGTERM', stopWithinMs);

    // The older state is what the chain loads: as state.json and as the last good copy beside it.
    await writeFile(statePath, olderState);
    await copyFile(statePath, `${statePath}.bak`);
    while (Date.now() < shortLivedExpiredAt) await sleep(100);

    const restartedAt = performance.now();
    gateway = await spawnGatewayProcess({ dataDir, port, args: gatewayArgs });
    as = (identity: Identity) => createGatewayClient({ url: gateway.url, identity });
    const watch = await watchWhileRecovering(gateway, {
      patient: as(hospital.patient),
      revokedDoctor: as(hospital.doctor),
      acknowledged: allOf(setA, setB),
      recordOfA: firstA,
      recordOfB: firstB,
      revokedGrants: [hospital.grantId, secondGrant],
      timeoutMs: serveWithinMs,
    });
    const everything = allOf(allOf(setA, setB), watch.written);
    t.diagnostic(
      `after medledger start: listening ${seconds(watch.listeningAt && watch.listeningAt - restartedAt)}, ` +
        `serving ${seconds(watch.servingAt && watch.servingAt - restartedAt)}; answers meanwhile: ${countsOf(watch.answers)}`,
    );

    await t.test(
      'while recovering, no answer is partial or stale: each is complete or a 503 that says why',
      () => {
        assert.deepEqual(
          watch.violations.slice(0, 20),
          [],
          `${watch.violations.length} partial or stale answers`,
        );
      },
    );

    await t.test('the gateway serves again', () => {
      assert.ok(watch.health?.status === 200, `health last answered ${JSON.stringify(watch.health)}`);
      assertServingHealth(watch.health);
    });

    await t.test(
      'every record of both sets (and written since) is listed and reads back as written',
      async () => {
        const patient = as(hospital.patient);
        const problems = [
          ...(await recordsNotListed(patient, everything.keys())),
          ...(await recordsNotReadable(patient, everything)),
        ];
        assert.equal(
          problems.length,
          0,
          `of ${everything.size} acknowledged records:\n${examples(problems)}`,
        );
      },
    );

    await t.test(
      'medledger verify: ok, every acknowledged record anchored and checked, none anchored without its event',
      async () => {
        await assertVerified(gateway.url, everything);
      },
    );

    await t.test(
      'the revocations hold: both doctors are denied (403), and both grants are revoked',
      async () => {
        await assert.rejects(as(hospital.doctor).accessRecord(firstA), AccessDeniedError);
        await assert.rejects(as(hospital.doctor).accessRecord(firstB), AccessDeniedError);
        await assert.rejects(as(secondDoctor).accessRecord(firstB), AccessDeniedError);
        const { given } = await as(hospital.patient).listConsents();
        const statuses = Object.fromEntries(given.map((consent) => [consent.grantId, consent.status]));
        assert.deepEqual(statuses, { [hospital.grantId]: 'revoked', [secondGrant]: 'revoked' });
      },
    );

    await t.test('the author of the action that expired before it could be re-applied is told', async () => {
      const { notifications } = await as(secondDoctor).notifications();
      assert.ok(
        notifications.some((notification) => notification.kind === 'action-expired'),
        `the second doctor's notifications: ${notifications.map((n) => n.kind).join(', ') || 'none'}`,
      );
    });

    await t.test('the organisation’s admin is notified that the ledger was rewound', async () => {
      const { notifications } = await as(hospital.admin).notifications();
      assert.ok(
        notifications.some((notification) => notification.kind === 'ledger-rewound'),
        `the admin's notifications: ${notifications.map((n) => n.kind).join(', ') || 'none'}`,
      );
    });

    await stopWithin(gateway, 'SIGTERM', stopWithinMs);
  });
});

/** A map holding the entries of both. */
function allOf<K, V>(first: Map<K, V>, second: Map<K, V>): Map<K, V> {
  return new Map([...first, ...second]);
}

/** Health while serving, as the contract says: 200, the chain, and the ledger's state ok. */
function assertServingHealth(health: HealthAnswer | undefined): void {
  const body = health?.body;
  assert.equal(health?.status, 200);
  assert.equal(body?.status, 'ok');
  assert.equal(typeof body?.chainId, 'number');
  assert.equal(typeof body?.blockNumber, 'number');
  assert.equal(body?.ledger?.state, 'ok', `health answered ${JSON.stringify(body)}`);
  assert.equal(typeof body?.ledger?.pendingActions, 'number', `health answered ${JSON.stringify(body)}`);
  assert.equal(typeof body?.ledger?.checkpointBlock, 'number', `health answered ${JSON.stringify(body)}`);
  assert.ok(
    (body?.ledger?.checkpointBlock ?? 0) <= (body?.blockNumber ?? 0),
    `a serving gateway's checkpoint is at or below the chain's head: ${JSON.stringify(body)}`,
  );
}

/**
 * `medledger verify --json` passes and checked every record the chain holds, every record in
 * `expected` has its anchoring event, and the contract counts no record without one.
 */
async function assertVerified(url: string, expected: Map<Hex, unknown>): Promise<void> {
  const verification = await verifyWithCli(url);
  assert.equal(verification.code, 0, verification.output.slice(-3000));
  assert.equal(verification.report.ok, true, JSON.stringify(verification.report.problems.slice(0, 5)));
  const chain = await recordsOnChain(url);
  const missing = [...expected.keys()].filter((recordId) => !chain.withEvent.has(recordId));
  if (missing.length) {
    const inStorage = await chain.inStorage(missing);
    assert.fail(
      `${missing.length} of ${expected.size} acknowledged records are in no block's RecordAnchored event ` +
        `(${inStorage.length} of them anchored in the contract's storage all the same), e.g.:\n${missing.slice(0, 5).join('\n')}`,
    );
  }
  // A record in the contract's storage that no block's event holds: the chain's state is not the
  // result of its blocks, and neither the index nor verify can see the record.
  assert.equal(
    chain.count,
    chain.withEvent.size,
    `the Records contract counts ${chain.count} records, but only ${chain.withEvent.size} have a RecordAnchored event`,
  );
  assert.equal(
    verification.report.checkedRecords,
    chain.withEvent.size,
    'verify checked every anchored record',
  );
}
