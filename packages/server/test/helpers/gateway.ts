/**
 * A real gateway for integration tests: an embedded anvil, the contracts, SQLite and HTTP, in a
 * temporary data directory that is removed when the gateway stops.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type GatewayConfigInput,
  loadGatewayConfig,
  type RunningGateway,
  startGateway,
} from '../../src/index.ts';

export interface TestGateway extends RunningGateway {
  dataDir: string;
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
  const gateway = await startGateway(
    loadGatewayConfig({ port: 0, logLevel: 'silent', ...input, dataDir }, {}),
  );
  return {
    ...gateway,
    dataDir,
    async stop() {
      await gateway.stop();
      if (!input.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
