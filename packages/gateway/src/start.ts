/**
 * Starting a gateway (`medledger-gateway`, `medledger start`): a single gateway serving the HTTP API
 * and the web app, or with --demo-consortium a chain and three hospitals' gateways. Prints where
 * it listens, then runs until Ctrl-C or SIGTERM and stops in order.
 */
import { loadGatewayConfig, startGateway } from '@medledger/server';
import type { StartOptions } from './options.ts';
import { type OutputOptions, print } from './output.ts';
import { untilSignalled } from './signals.ts';
import { builtWebApp } from './webApp.ts';

/** Starts what `options` ask for and resolves once it has stopped after a signal. */
export async function runGateway(options: StartOptions, output: OutputOptions): Promise<void> {
  if (options.demoConsortium) return runDemoConsortium(options, output);
  const webAppDir = options.webApp === false ? undefined : await builtWebApp();
  const config = loadGatewayConfig({
    ...(webAppDir ? { webAppDir } : {}),
    dataDir: options.data,
    store: options.store,
    port: options.port,
    host: options.host,
    rpcUrl: options.rpc,
    ...(options.allowAdminRpc ? { allowAdminRpc: true } : {}),
    deploymentFile: options.deployment,
    publicUrl: options.publicUrl,
    blockTimeSeconds: options.blockTime,
    logLevel: options.logLevel,
    logFile: options.logFile,
    logFileBytes: options.logFileSize,
    logFileCount: options.logFileCount,
    auditAnchorIntervalSeconds: options.auditAnchorInterval,
    tlsCert: options.tlsCert,
    tlsKey: options.tlsKey,
    trustProxy: options.trustProxy,
    rateLimits: options.rateLimit?.join(','),
    maxConnections: options.maxConnections,
    maxConnectionsPerAddress: options.maxConnectionsPerAddress,
    maxRequestsInFlight: options.maxInFlight,
    sessionIdleSeconds: options.sessionIdle,
    sessionLifetimeSeconds: options.sessionLifetime,
  });
  const gateway = await startGateway(config);
  const summary = {
    url: gateway.url,
    docs: `${gateway.url}/docs`,
    ...(config.webAppDir ? { app: `${gateway.url}/` } : {}),
    chainId: gateway.chainId,
    rpcUrl: gateway.rpcUrl,
    readOnlyRpcUrl: gateway.readOnlyRpcUrl,
    dataDir: config.dataDir,
    contracts: { ...gateway.deployment, deployedAtBlock: String(gateway.deployment.deployedAtBlock) },
    ...(output.usage ? { usage: output.usage({ url: gateway.url }) } : {}),
  };
  print(output, summary, () =>
    [
      `medledger gateway listening on ${gateway.url}  (API docs: ${gateway.url}/docs)`,
      `chain ${gateway.chainId} at ${gateway.rpcUrl}${config.rpcUrl ? '' : ' (embedded anvil)'}; data in ${config.dataDir}`,
      `chain reads for clients (read-only JSON-RPC): ${gateway.readOnlyRpcUrl}`,
      ...(summary.usage ? [summary.usage] : []),
      'Stop with Ctrl-C.',
    ].join('\n'),
  );
  await untilSignalled(() => gateway.stop());
}

async function runDemoConsortium(options: StartOptions, output: OutputOptions): Promise<void> {
  const { startDemoConsortium } = await import('./demoConsortium.ts');
  const config = loadGatewayConfig({
    dataDir: options.data,
    port: options.port,
    logLevel: options.logLevel ?? 'warn',
  });
  const demo = await startDemoConsortium({
    dataDir: config.dataDir,
    port: config.port,
    logLevel: config.logLevel,
  });
  const first = demo.gateways[0];
  const usage = first && output.usage?.({ url: first.url, keyFile: first.adminKeyFile });
  print(output, { rpcUrl: demo.rpcUrl, gateways: demo.gateways, ...(usage ? { usage } : {}) }, () =>
    [
      `demo consortium on chain ${demo.rpcUrl} (embedded anvil), data in ${config.dataDir}`,
      ...demo.gateways.map((g) => `  ${g.name.padEnd(20)} ${g.url}   admin key: ${g.adminKeyFile}`),
      ...(usage ? [usage] : []),
      'Stop with Ctrl-C.',
    ].join('\n'),
  );
  await untilSignalled(() => demo.stop());
}
