/**
 * A gateway in a process of its own, for tests that run several: `node gatewayProcess.ts CONFIG`
 * with the `GatewayConfigInput` as JSON. It prints `{"url": …}` on one line once it listens, and
 * stops in order on SIGTERM.
 */
import { loadGatewayConfig, startGateway, unreachableRateLimits } from '../../src/index.ts';

const input = JSON.parse(process.argv[2] ?? '{}');
// Limits out of reach unless the test sets them, as in `startTestGateway`.
const gateway = await startGateway(
  loadGatewayConfig({ rateLimits: unreachableRateLimits, maxConnectionsPerAddress: 0, ...input }, {}),
);
process.stdout.write(`${JSON.stringify({ url: gateway.url })}\n`);
process.once('SIGTERM', () => {
  gateway.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
