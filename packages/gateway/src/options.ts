/**
 * The options of starting a gateway, the same for `medledger-gateway` and `medledger start`. This
 * module defines them and imports nothing at run time, so the CLI lists them in its `--help`
 * without loading the server.
 */
import type { Command } from 'commander';

/** The options as commander parses them (strings, as given; `loadGatewayConfig` checks them). */
export interface StartOptions {
  data?: string;
  store?: string;
  port?: string;
  host?: string;
  rpc?: string;
  allowAdminRpc?: boolean;
  deployment?: string;
  publicUrl?: string;
  blockTime?: string;
  logLevel?: string;
  logFile?: string;
  logFileSize?: string;
  logFileCount?: string;
  /** false with --no-web-app */
  webApp?: boolean;
  auditAnchorInterval?: string;
  sessionIdle?: string;
  sessionLifetime?: string;
  demoConsortium?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  trustProxy?: string;
  rateLimit?: string[];
  maxConnections?: string;
  maxConnectionsPerAddress?: string;
  maxInFlight?: string;
}

export const startDescription =
  'Start a gateway: on the embedded chain by default (anvil, state in the data directory), or on --rpc';

/** Adds the start options to `command` (`medledger-gateway` itself, or `medledger start`). */
export function withStartOptions(command: Command): Command {
  return command
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
    .option(
      '--log-file <path>',
      'write logs to this file, rotated by size, instead of standard error; env MEDLEDGER_LOG_FILE',
    )
    .option(
      '--log-file-size <bytes>',
      'rotate the log file at this size; env MEDLEDGER_LOG_FILE_SIZE (default 10485760, 10 MiB)',
    )
    .option(
      '--log-file-count <n>',
      'rotated log files kept (FILE.1 … FILE.n); env MEDLEDGER_LOG_FILE_COUNT (default 5)',
    )
    .option('--no-web-app', 'serve the HTTP API only, not the web app at /')
    .option(
      '--audit-anchor-interval <seconds>',
      'seconds between audit anchoring runs (also at start and stop); env MEDLEDGER_AUDIT_ANCHOR_INTERVAL (default 1)',
    )
    .option('--tls-cert <file>', 'serve HTTPS with this certificate chain (PEM), HSTS on; env TLS_CERT')
    .option('--tls-key <file>', 'the private key (PEM) of --tls-cert; env TLS_KEY')
    .option(
      '--trust-proxy <addresses>',
      'reverse proxies (addresses or subnets, comma separated, or "loopback") whose X-Forwarded-For names the ' +
        'client, for rate limits per client address; env MEDLEDGER_TRUST_PROXY',
    )
    .option(
      '--rate-limit <name=max/seconds>',
      'change a rate limit, e.g. signIn=30/60 (repeatable; names: challenge, signIn, signInAccount, oneTimeCode, ' +
        'write, accessRequest, accessRequestPerPatient, keyRecovery, keyRecoveryShares, rpc); env ' +
        'MEDLEDGER_RATE_LIMITS=name=max/seconds,…',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--max-connections <n>', 'open connections in all (default 4096); env MEDLEDGER_MAX_CONNECTIONS')
    .option(
      '--max-connections-per-address <n>',
      'open connections per client address, 0 for none (default 128; behind a reverse proxy use 0); env ' +
        'MEDLEDGER_MAX_CONNECTIONS_PER_ADDRESS',
    )
    .option(
      '--max-in-flight <n>',
      'API requests answered at once; more are refused with 503 overloaded (default 1024); env MEDLEDGER_MAX_IN_FLIGHT',
    )
    .option(
      '--session-idle <seconds>',
      'a session unused this long ends (60 to 86400, at most --session-lifetime); env MEDLEDGER_SESSION_IDLE ' +
        '(default 900, 15 minutes)',
    )
    .option(
      '--session-lifetime <seconds>',
      'a session ends this long after sign-in however much it is used (60 to 604800); env ' +
        'MEDLEDGER_SESSION_LIFETIME (default 43200, 12 hours)',
    )
    .option(
      '--demo-consortium',
      'start a chain and three hospitals’ gateways (separate processes) on ports N, N+1, N+2, set up as a consortium',
    );
}
