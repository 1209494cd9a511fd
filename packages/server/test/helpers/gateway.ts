/**
 * A real gateway for integration tests: an embedded anvil, the contracts, SQLite and HTTP, in a
 * temporary data directory that is removed when the gateway stops. With `MEDLEDGER_TEST_STORE=postgres`
 * the gateway keeps its state in a database of its own on a PostgreSQL the test process starts
 * (`postgres.ts`); a gateway started again on the same data directory finds the same database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { generateIdentity } from '@medledger/core';
import { writeDeployment } from '@medledger/ledger-node';
import {
  type GatewayConfigInput,
  loadGatewayConfig,
  type RunningGateway,
  startGateway,
  unreachableRateLimits,
} from '../../src/index.ts';
import { sharedTestPostgres } from './postgres.ts';

export interface TestGateway extends RunningGateway {
  dataDir: string;
  /** Where the gateway keeps its state: the SQLite file in `dataDir`, or a PostgreSQL URL. */
  storeLocation: string;
}

/** The PostgreSQL database of each data directory, when the tests run on PostgreSQL. */
const postgresDatabaseOf = new Map<string, string>();

/** The PostgreSQL database of `dataDir` (created on first use), or undefined when the tests run on SQLite. */
async function testStoreOf(dataDir: string): Promise<string | undefined> {
  if (process.env.MEDLEDGER_TEST_STORE !== 'postgres') return undefined;
  let url = postgresDatabaseOf.get(dataDir);
  if (!url) {
    url = await (await sharedTestPostgres()).createDatabase();
    postgresDatabaseOf.set(dataDir, url);
  }
  return url;
}

/**
 * Starts a gateway on a free port. The environment is ignored so that a developer's `MEDLEDGER_*`
 * variables cannot change what the tests see.
 *
 * @example
 * const gateway = await startTestGateway();
 * after(() => gateway.stop());
 */
export async function startTestGateway(input: GatewayConfigInput = {}): Promise<TestGateway> {
  const dataDir = input.dataDir ?? (await mkdtemp(join(tmpdir(), 'medledger-gateway-test-')));
  const store = input.store ?? (await testStoreOf(dataDir));
  const gateway = await startGateway(
    loadGatewayConfig(
      // Tests of other things call from one address far faster than people: limits out of reach
      // unless a test sets them (the security suite tests the defaults).
      {
        port: 0,
        logLevel: 'silent',
        rateLimits: unreachableRateLimits,
        maxConnectionsPerAddress: 0,
        ...input,
        dataDir,
        ...(store ? { store } : {}),
      },
      {},
    ),
  );
  return {
    ...gateway,
    dataDir,
    storeLocation: store ?? join(dataDir, 'gateway.sqlite'),
    async stop() {
      await gateway.stop();
      if (!input.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestConsortium {
  /** One gateway per hospital, on one chain; hospital i (1-based) is organisation i at gateways[i - 1]. */
  gateways: TestGateway[];
  /** Each hospital's founding admin, a client of its own gateway. */
  admins: GatewayClient[];
  stop(): Promise<void>;
}

/**
 * `hospitals` gateways on one chain, each hosting one active hospital that published its gateway,
 * with record keys split `threshold` of `hospitals` across them.
 *
 * @example
 * const { gateways, admins, stop } = await startTestConsortium({ hospitals: 3, threshold: 2 });
 * after(stop);
 */
export async function startTestConsortium({
  hospitals,
  threshold,
}: {
  hospitals: number;
  threshold: number;
}): Promise<TestConsortium> {
  const first = await startTestGateway();
  const gateways = [first];
  const deploymentFile = join(first.dataDir, 'shared-deployment.json');
  await writeDeployment(deploymentFile, first.deployment);
  while (gateways.length < hospitals) {
    gateways.push(await startTestGateway({ rpcUrl: first.rpcUrl, deploymentFile }));
  }
  const admins = gateways.map((gateway) =>
    createGatewayClient({ url: gateway.url, identity: generateIdentity() }),
  );
  for (const [index, admin] of admins.entries()) {
    const { organisationId, status } = await admin.createOrganisation({
      name: `Hospital ${index + 1}`,
      kind: 'hospital',
    });
    if (status !== 'active') {
      for (const approver of admins.slice(0, index)) {
        if ((await approver.approveOrganisation(organisationId)).status === 'active') break;
      }
      await admin.publishGateway(organisationId);
    }
  }
  const custodians = admins.map((_, index) => index + 1);
  const proposal = await admins[0]!.proposeCustody(custodians, threshold);
  let enacted = proposal.enacted;
  for (const approver of admins.slice(1)) {
    if (enacted) break;
    ({ enacted } = await approver.approveCustody(proposal.proposalId));
  }
  if (!enacted) throw new Error('The test consortium’s custody configuration did not pass.');
  return {
    gateways,
    admins,
    async stop() {
      for (const gateway of gateways) await gateway.stop().catch(() => undefined);
    },
  };
}
