/**
 * The gateway's configuration: the one loader. Precedence: explicit options (CLI flags), then
 * environment variables, then the embedded defaults.
 */
import { resolve } from 'node:path';
import { InvalidInputError } from '@medledger/core';
import { isRpcEndpoint } from '@medledger/ledger-node';
import { type ConnectionLimits, defaultConnectionLimits } from './connectionLimits.ts';
import { defaultLogFileBytes, defaultLogFileCount } from './logging.ts';
import { parseRateLimits, type RateLimits, rateLimitsWith } from './rateLimits.ts';
import { isPostgresUrl } from './store/postgresDatabase.ts';

export interface GatewayConfig {
  /** Directory of the chain state (embedded mode), the database, blobs and keys. */
  dataDir: string;
  /**
   * The PostgreSQL database (`postgres://…`) that holds the gateway's state; unset: SQLite, in
   * `gateway.sqlite` in the data directory.
   */
  store: string | undefined;
  host: string;
  port: number;
  /**
   * JSON-RPC endpoint of an existing chain: an http(s) URL, or an IPC socket as `ipc:///path` or
   * `/path`; unset starts the embedded anvil.
   */
  rpcUrl: string | undefined;
  /**
   * Start even though the `rpcUrl` node answers administrative methods (admin_, debug_, txpool_,
   * personal_, evm_/anvil_..., unlocked accounts); otherwise such a node is refused.
   */
  allowAdminRpc: boolean;
  /** Deployment file naming the contracts of an existing consortium. */
  deploymentFile: string | undefined;
  /** The URL clients use to reach this gateway (published on chain for new organisations). */
  publicUrl: string;
  /** Embedded chain: seconds between blocks (unset: a block per transaction). */
  blockTimeSeconds: number | undefined;
  /**
   * Seconds a session may go unused before it ends (default 900, 15 minutes). The gateway records
   * a session's last use at most once per `sessionTouchMs(idle)`, so a session ends between that
   * much less than this and this after its last request.
   */
  sessionIdleSeconds: number;
  /** Seconds after sign-in at which a session ends however much it is used (default 43,200, 12 hours). */
  sessionLifetimeSeconds: number;
  logLevel: string;
  /** Log files (issue 12): unset `logFile` logs to standard error; else a file rotated at `logFileBytes`, `logFileCount` old ones kept. */
  logFile: string | undefined;
  logFileBytes: number;
  logFileCount: number;
  /** Seconds between runs of the audit anchorer (it also runs at start and at stop). */
  auditAnchorIntervalSeconds: number;
  /** The built web app served at `/` (unset: the gateway serves the API only). */
  webAppDir: string | undefined;
  /** Serve HTTPS with this certificate chain and key (PEM files); unset: HTTP. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** Reverse proxies trusted to name the client in X-Forwarded-For (see `BuildAppOptions.trustProxy`). */
  trustProxy: string | undefined;
  rateLimits: RateLimits;
  connectionLimits: ConnectionLimits;
}

export interface GatewayConfigInput {
  dataDir?: string;
  store?: string;
  host?: string;
  port?: number | string;
  rpcUrl?: string;
  allowAdminRpc?: boolean;
  deploymentFile?: string;
  publicUrl?: string;
  blockTimeSeconds?: number | string;
  sessionIdleSeconds?: number | string;
  sessionLifetimeSeconds?: number | string;
  logLevel?: string;
  logFile?: string;
  logFileBytes?: number | string;
  logFileCount?: number | string;
  auditAnchorIntervalSeconds?: number | string;
  webAppDir?: string;
  tlsCert?: string;
  tlsKey?: string;
  trustProxy?: string;
  /** `name=max/seconds,…` (see `parseRateLimits`), or the overrides themselves. */
  rateLimits?: string | Partial<RateLimits>;
  maxConnections?: number | string;
  maxConnectionsPerAddress?: number | string;
  maxRequestsInFlight?: number | string;
}

export function loadGatewayConfig(
  input: GatewayConfigInput = {},
  env: Record<string, string | undefined> = process.env,
): GatewayConfig {
  const port = integer(input.port ?? env.PORT ?? 8080, 'port', 0, 65_535);
  const host = input.host ?? env.MEDLEDGER_HOST ?? '127.0.0.1';
  const rpcUrl = input.rpcUrl ?? env.MEDLEDGER_RPC_URL;
  if (rpcUrl !== undefined && !isRpcEndpoint(rpcUrl)) {
    throw new InvalidInputError(
      `--rpc must be an http(s) URL or an IPC socket (ipc:///path or /path), got "${rpcUrl}".`,
    );
  }
  const store = input.store ?? env.MEDLEDGER_STORE;
  if (store !== undefined && !isPostgresUrl(store)) {
    throw new InvalidInputError(
      '--store must be a PostgreSQL URL (postgres://user@host:port/database); unset keeps SQLite in the data directory.',
    );
  }
  const blockTime = input.blockTimeSeconds ?? env.MEDLEDGER_BLOCK_TIME;
  const tlsCert = input.tlsCert ?? env.TLS_CERT;
  const tlsKey = input.tlsKey ?? env.TLS_KEY;
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new InvalidInputError(
      '--tls-cert and --tls-key go together: give both files, or neither for HTTP.',
      {
        reason: 'tls_incomplete',
      },
    );
  }
  const tls = tlsCert && tlsKey ? { certFile: resolve(tlsCert), keyFile: resolve(tlsKey) } : undefined;
  const rateLimitOverrides = input.rateLimits ?? env.MEDLEDGER_RATE_LIMITS ?? {};
  if (env.MEDLEDGER_SESSION_TTL !== undefined) {
    // An operator who shortened sessions must not silently get the longer defaults.
    throw new InvalidInputError(
      'MEDLEDGER_SESSION_TTL is no longer read: set MEDLEDGER_SESSION_IDLE (seconds unused, default 900) ' +
        'and MEDLEDGER_SESSION_LIFETIME (seconds after sign-in, default 43200) instead.',
      { reason: 'session_ttl_replaced' },
    );
  }
  const sessionIdleSeconds = integer(
    input.sessionIdleSeconds ?? env.MEDLEDGER_SESSION_IDLE ?? 900,
    'session idle timeout (--session-idle)',
    60,
    86_400,
  );
  const sessionLifetimeSeconds = integer(
    input.sessionLifetimeSeconds ?? env.MEDLEDGER_SESSION_LIFETIME ?? 43_200,
    'session lifetime (--session-lifetime)',
    60,
    7 * 86_400,
  );
  if (sessionIdleSeconds > sessionLifetimeSeconds) {
    throw new InvalidInputError(
      `The session idle timeout (${sessionIdleSeconds} s) must not exceed the session lifetime (${sessionLifetimeSeconds} s).`,
      { reason: 'session_idle_exceeds_lifetime' },
    );
  }
  const deploymentFile = input.deploymentFile ?? env.MEDLEDGER_DEPLOYMENT;
  return {
    dataDir: resolve(input.dataDir ?? env.MEDLEDGER_DATA ?? 'data'),
    store,
    host,
    port,
    rpcUrl,
    allowAdminRpc: input.allowAdminRpc ?? env.MEDLEDGER_ALLOW_ADMIN_RPC === 'true',
    deploymentFile: deploymentFile ? resolve(deploymentFile) : undefined,
    publicUrl: input.publicUrl ?? env.MEDLEDGER_PUBLIC_URL ?? `${tls ? 'https' : 'http'}://${host}:${port}`,
    blockTimeSeconds: blockTime === undefined ? undefined : integer(blockTime, 'block time', 1, 3600),
    sessionIdleSeconds,
    sessionLifetimeSeconds,
    logLevel: input.logLevel ?? env.MEDLEDGER_LOG_LEVEL ?? 'info',
    ...logFileConfig(input, env),
    auditAnchorIntervalSeconds: integer(
      input.auditAnchorIntervalSeconds ?? env.MEDLEDGER_AUDIT_ANCHOR_INTERVAL ?? 1,
      'audit anchor interval',
      1,
      86_400,
    ),
    webAppDir:
      (input.webAppDir ?? env.MEDLEDGER_WEB_DIR)
        ? resolve(input.webAppDir ?? env.MEDLEDGER_WEB_DIR ?? '')
        : undefined,
    tls,
    trustProxy: input.trustProxy ?? env.MEDLEDGER_TRUST_PROXY,
    rateLimits: rateLimitsWith(
      typeof rateLimitOverrides === 'string' ? parseRateLimits(rateLimitOverrides) : rateLimitOverrides,
    ),
    connectionLimits: {
      maxConnections: integer(
        input.maxConnections ?? env.MEDLEDGER_MAX_CONNECTIONS ?? defaultConnectionLimits.maxConnections,
        'connection cap',
        1,
        1_000_000,
      ),
      maxConnectionsPerAddress: integer(
        input.maxConnectionsPerAddress ??
          env.MEDLEDGER_MAX_CONNECTIONS_PER_ADDRESS ??
          defaultConnectionLimits.maxConnectionsPerAddress,
        'connection cap per address',
        0,
        1_000_000,
      ),
      maxRequestsInFlight: integer(
        input.maxRequestsInFlight ??
          env.MEDLEDGER_MAX_IN_FLIGHT ??
          defaultConnectionLimits.maxRequestsInFlight,
        'cap on requests in flight',
        1,
        1_000_000,
      ),
    },
  };
}

/** `--log-file`, `--log-file-size` (bytes), `--log-file-count`, and their environment variables. */
function logFileConfig(
  input: GatewayConfigInput,
  env: Record<string, string | undefined>,
): Pick<GatewayConfig, 'logFile' | 'logFileBytes' | 'logFileCount'> {
  const logFile = input.logFile ?? env.MEDLEDGER_LOG_FILE;
  return {
    logFile: logFile ? resolve(logFile) : undefined,
    logFileBytes: integer(
      input.logFileBytes ?? env.MEDLEDGER_LOG_FILE_SIZE ?? defaultLogFileBytes,
      'log file size',
      1024,
      2 ** 40,
    ),
    logFileCount: integer(
      input.logFileCount ?? env.MEDLEDGER_LOG_FILE_COUNT ?? defaultLogFileCount,
      'log file count',
      1,
      1000,
    ),
  };
}

function integer(value: number | string, what: string, min: number, max: number): number {
  const number = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new InvalidInputError(`The ${what} must be an integer from ${min} to ${max}, got "${value}".`);
  }
  return number;
}
