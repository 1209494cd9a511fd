import type { Command } from 'commander';
import { print } from '../output.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'Start a gateway: on the embedded chain by default (anvil, state in the data directory), or on --rpc',
    )
    .option(
      '--data <dir>',
      'data directory (chain state, database, blobs, keys); env MEDLEDGER_DATA',
      undefined,
    )
    .option(
      '--store <url>',
      'keep the gateway state in this PostgreSQL database (postgres://user@host:port/db) instead of SQLite ' +
        'in the data directory; env MEDLEDGER_STORE',
    )
    .option('--port <n>', 'HTTP port on 127.0.0.1; env PORT (default 8080)')
    .option('--host <ip>', 'address to listen on; env MEDLEDGER_HOST (default 127.0.0.1)')
    .option(
      '--rpc <url>',
      'use the chain at this JSON-RPC endpoint instead of the embedded one: an http(s) URL, or an IPC socket ' +
        '(ipc:///path or /path); env MEDLEDGER_RPC_URL',
    )
    .option(
      '--allow-admin-rpc',
      'start even if the --rpc node answers administrative methods (admin_, debug_, txpool_, personal_, ' +
        'evm_/anvil_/hardhat_, unlocked eth_accounts); by default such a node is refused, since anyone ' +
        'reaching it could rewrite the ledger. For a development chain nobody else reaches; env ' +
        'MEDLEDGER_ALLOW_ADMIN_RPC=true',
    )
    .option('--deployment <file>', 'deployment.json of an existing consortium (contracts to use on --rpc)')
    .option('--public-url <url>', 'URL under which clients reach this gateway (published on chain)')
    .option(
      '--block-time <seconds>',
      'embedded chain: seconds between blocks (default: one block per transaction)',
    )
    .option('--log-level <level>', 'fatal, error, warn, info, debug (default info)')
    .option('--no-web-app', 'serve the HTTP API only, not the web app at /')
    .option(
      '--audit-anchor-interval <seconds>',
      'seconds between audit anchoring runs (also at start and stop); env MEDLEDGER_AUDIT_ANCHOR_INTERVAL (default 1)',
    )
    .option(
      '--demo-consortium',
      'start a chain and three hospitals’ gateways (separate processes) on ports N, N+1, N+2, set up as a consortium',
    )
    .action(async (options, command: Command) => {
      if (options.demoConsortium) return startDemo(options, command);
      // Loaded here so that every other command starts without the server's dependencies.
      const { loadGatewayConfig, startGateway } = await import('@medledger/server');
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
        auditAnchorIntervalSeconds: options.auditAnchorInterval,
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
        contracts: gateway.deployment,
      };
      print(
        command.optsWithGlobals(),
        {
          ...summary,
          contracts: { ...gateway.deployment, deployedAtBlock: String(gateway.deployment.deployedAtBlock) },
        },
        () =>
          [
            `medledger gateway listening on ${gateway.url}  (API docs: ${gateway.url}/docs)`,
            `chain ${gateway.chainId} at ${gateway.rpcUrl}${config.rpcUrl ? '' : ' (embedded anvil)'}; data in ${config.dataDir}`,
            `chain reads for clients (read-only JSON-RPC): ${gateway.readOnlyRpcUrl}`,
            'Stop with Ctrl-C.',
          ].join('\n'),
      );
      await untilSignalled(() => gateway.stop());
    });
}

async function startDemo(options: Record<string, string | undefined>, command: Command): Promise<void> {
  const { startDemoConsortium } = await import('../demoConsortium.ts');
  const { loadGatewayConfig } = await import('@medledger/server');
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
  print(command.optsWithGlobals(), { rpcUrl: demo.rpcUrl, gateways: demo.gateways }, () =>
    [
      `demo consortium on chain ${demo.rpcUrl} (embedded anvil), data in ${config.dataDir}`,
      ...demo.gateways.map((g) => `  ${g.name.padEnd(20)} ${g.url}   admin key: ${g.adminKeyFile}`),
      'Stop with Ctrl-C.',
    ].join('\n'),
  );
  await untilSignalled(() => demo.stop());
}

/** Waits for Ctrl-C or SIGTERM, then stops in order. */
function untilSignalled(stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stop().then(resolve, (error) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * The web app's build directory, built first if missing or older than its sources (a no-op hash
 * check otherwise). MEDLEDGER_WEB_DIR names an already built app instead.
 */
async function builtWebApp(): Promise<string> {
  if (process.env.MEDLEDGER_WEB_DIR) return process.env.MEDLEDGER_WEB_DIR;
  const { ensureWebAppBuilt } = await import('@medledger/web/build');
  return ensureWebAppBuilt({ quiet: true });
}
