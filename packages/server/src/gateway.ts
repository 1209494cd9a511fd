/**
 * Starting and stopping a gateway: the embedded chain (or an existing one), the contracts, the
 * store, the services and the HTTP server, and an orderly shutdown that loses nothing acknowledged.
 *
 * Data directory layout (0700; files 0600):
 *   chain/state.json   embedded anvil state (embedded mode only)
 *   chain/anvil.ipc    embedded anvil's JSON-RPC socket, the only way to it (embedded mode only)
 *   deployment.json    contract addresses on this chain
 *   gateway.sqlite     the gateway store (index, sessions, audit events, emergencies, notifications,
 *                      relay journal, and the encrypted envelopes by CID), unless `store` names a
 *                      PostgreSQL database
 *   blobs/             encrypted envelopes stored as files by earlier versions, still read (none
 *                      are written there now)
 *   keys/relayer.json  the account that pays for relayed transactions
 *   keys/custodian.json  the custodian's X25519 key pair
 *   keys/second-factor.json  the key that encrypts patients' TOTP secrets at rest
 *   keys/log-pseudonyms.json  the key of the logs' pseudonyms for addresses and ids (`logging.ts`)
 *   keys/at-rest.json  the key that encrypts emergency justifications and access-request reasons
 *                      in the store (the chain has only their hash); the stores encrypt and
 *                      decrypt, nowhere else (`store/atRest.ts`). Processes sharing a PostgreSQL
 *                      store share it like the other keys; one with another key is refused at start
 */
import { existsSync } from 'node:fs';
import { chmod, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  bytesToHex,
  encryptionPublicKeyOf,
  generateEncryptionKeyPair,
  hexToBytes,
  InvalidInputError,
  LedgerUnavailableError,
  randomBytes,
} from '@medledger/core';
import { createLedgerClient, createLedgerPublicClient, type Deployment } from '@medledger/ledger';
import {
  deployContracts,
  type EmbeddedChain,
  freePort,
  fundOnDevelopmentChain,
  isDeployed,
  ledgerEndpoint,
  readDeployment,
  startEmbeddedChain,
  writeDeployment,
} from '@medledger/ledger-node';
import type { FastifyInstance } from 'fastify';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createAccessControl } from './accessControl.ts';
import { accountKeysOf } from './accountKeys.ts';
import { guardAgainstAdminRpc } from './adminRpcGuard.ts';
import { createAnchorer } from './anchorer.ts';
import { buildApp } from './app.ts';
import { createAuditAnchorer } from './auditAnchorer.ts';
import { createAuditLog } from './auditLog.ts';
import { createAuditTagger } from './auditTagger.ts';
import { createAuthService } from './auth.ts';
import { createChainSnapshots } from './chainSnapshots.ts';
import type { GatewayConfig } from './config.ts';
import { createCoSignatureAnchorer } from './coSignatureAnchorer.ts';
import { createCustodian } from './custodian.ts';
import { makeDataDirectoryPrivate } from './dataDirectory.ts';
import { createEmergencyWatcher } from './emergencyWatcher.ts';
import { createEventFollower } from './eventFollower.ts';
import type { GatewayServices } from './gatewayServices.ts';
import { createIndexer } from './indexer.ts';
import { createLedgerGuard } from './ledgerGuard.ts';
import { openLogFile } from './logging.ts';
import { createNotifier, grantUseNotifier } from './notifier.ts';
import { destroyErasedBlobs, finaliseDueRetentions } from './operations/recordLifecycle.ts';
import { requireStaffSecondFactor } from './operations/staffSecondFactor.ts';
import { hostedOrganisation, hostedOrganisations, peerGateways } from './organisations.ts';
import { createPeriodicTask, type Exclusive } from './periodicTask.ts';
import { longestRateLimitWindowMs } from './rateLimits.ts';
import { alertRefusalsSinceCursor, isAlertedRefusal } from './refusalAlerts.ts';
import { createSecondFactor } from './secondFactor.ts';
import { createStaffAttestations } from './staffAttestation.ts';
import { createStamps } from './stamps.ts';
import { createAtRestCipher } from './store/atRest.ts';
import { FileBlobStore } from './store/blobStore.ts';
import type { LockName } from './store/coordination.ts';
import { type GatewayStores, openGatewayStores } from './store/gatewayStores.ts';
import { deskCodeKey, SqlPatientDirectoryStore } from './store/patientDirectoryStore.ts';
import { isPostgresUrl } from './store/postgresDatabase.ts';
import { createReplicationQueue, ReplicatingBlobStore } from './store/replicatingBlobStore.ts';
import { SqlBlobStore } from './store/sqlBlobStore.ts';
import { originOf } from './webApp.ts';

export interface RunningGateway {
  url: string;
  /** The chain's own endpoint (the embedded anvil's `ipc://` socket), private to the gateway. */
  rpcUrl: string;
  /** This gateway's read-only JSON-RPC endpoint for clients (`POST /rpc` at the public URL). */
  readOnlyRpcUrl: string;
  chainId: number;
  deployment: Deployment;
  app: FastifyInstance;
  /** The gateway's services, as its routes get them: operations can be called on them directly. */
  services: GatewayServices;
  /** Stops taking requests, finishes those under way, then closes the store and the chain. */
  stop(): Promise<void>;
}

export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  await makeDataDirectoryPrivate(config.dataDir);
  const keys = await loadOrCreateKeys(join(config.dataDir, 'keys'));
  let chain: EmbeddedChain | undefined;
  let stopping: Promise<void> | undefined;
  let followersStarted = false;
  const stopChain = async () => chain?.stop();
  let stores: GatewayStores | undefined;
  const logFile = config.logFile
    ? openLogFile(config.logFile, { maxBytes: config.logFileBytes, keep: config.logFileCount })
    : undefined;

  try {
    let rpcUrl = config.rpcUrl;
    const chainOptions = {
      directory: join(config.dataDir, 'chain'),
      ...(config.blockTimeSeconds ? { blockTimeSeconds: config.blockTimeSeconds } : {}),
    };
    if (!rpcUrl) {
      chain = await startEmbeddedChain(chainOptions);
      rpcUrl = chain.rpcUrl;
    }
    const chainId = await readChainId(rpcUrl);
    const startupWarnings = [
      chain?.isolated === false
        ? `The embedded chain could not get a network namespace of its own (unshare --net): its HTTP ` +
          'JSON-RPC is open to every local user on 127.0.0.1, admin methods included.'
        : undefined,
      config.rpcUrl ? await guardAgainstAdminRpc(config.rpcUrl, config.allowAdminRpc) : undefined,
    ].filter((warning): warning is string => warning !== undefined);
    const relayer = privateKeyToAccount(keys.relayerKey);
    await fundOnDevelopmentChain(rpcUrl, chainId, relayer.address);
    const { deployment, fresh } = await resolveDeployment(config, rpcUrl, chainId, relayer);
    if (chain && fresh) {
      // The contracts, which the relay journal does not re-apply, are on disk before anything is acknowledged.
      const saved = await chain.saveState();
      if (!saved.saved)
        throw new LedgerUnavailableError('The embedded chain changed while its state was saved.');
    }

    stores = await openGatewayStores(config.store ?? join(config.dataDir, 'gateway.sqlite'), {
      atRest: createAtRestCipher(hexToBytes(keys.atRestKey, 32, 'at-rest key')),
      // The session proving this process alive was lost: others may have taken over its pending
      // actions, so it re-applies what is its own again before it relays anything.
      onReregistered: () => void guard.recover('restarted'),
      onError: (error) => app?.log.error({ err: error }, 'the connection to the shared store failed'),
    });
    const { store, emergencies, journal, coordination, appointments } = stores;
    const exclusively =
      (lock: LockName): Exclusive =>
      (work) =>
        coordination.exclusive(lock, work);
    const sharedStore = config.store !== undefined && isPostgresUrl(config.store);
    const notifier = createNotifier({ store: stores.notifications, coordination });
    const ledger = createLedgerClient({
      endpoint: ledgerEndpoint(rpcUrl),
      relayer,
      deployment,
      journal,
      // Other processes may relay for the same account: one sends at a time, with the chain's nonce.
      ...(sharedStore ? { relayLock: exclusively('relay') } : {}),
    });
    const snapshots = createChainSnapshots({
      ledger,
      chain: () => chain,
      onError: (error) => app?.log.warn({ err: error }, 'saving the embedded chain state failed'),
      onSlow: ({ durationMs, bytes }) =>
        app?.log.warn(
          { durationMs, bytes },
          'the embedded chain took long to save and answered nothing meanwhile: it has outgrown the embedded default; run the consortium on a node that persists itself (README, "Deploying on a consortium network")',
        ),
    });
    // Patients are alerted of refused access from the committed audit log, after a cursor moved with
    // the alerts (see refusalAlerts.ts): at once when a batch holds a refusal, and every 2 s for the
    // events other processes sharing the store committed or a stopped process left.
    const alertingFailed = (error: unknown) =>
      app?.log.warn(
        { err: error },
        'alerting patients of refused access failed; retried from the same cursor',
      );
    const notificationStore = stores.notifications;
    const refusalAlerts = createPeriodicTask(
      () =>
        alertRefusalsSinceCursor(
          {
            store: notificationStore,
            auditEventsAfter: (after, limit) => store.auditEventsFrom(after + 1, limit),
            organisationOf: async (address) => (await store.member(address))?.organisationId || null,
            announce: () => coordination.announce('notifications'),
          },
          Date.now(),
        ),
      2_000,
      alertingFailed,
      exclusively('refusal-alerts'),
    );
    const auditLog = createAuditLog(store, {
      onCommitted: (events) => {
        if (events.some(isAlertedRefusal)) refusalAlerts.runNow().catch(alertingFailed);
      },
    });
    const blobs = new ReplicatingBlobStore({
      // In the database, with its other writes; blobs stored as files before are still served.
      local: new SqlBlobStore(stores.database, { legacy: new FileBlobStore(join(config.dataDir, 'blobs')) }),
      peers: async () => peerGateways(await store.organisations(), publicUrl.origin),
      // An erased record's blob is never kept, fetched or served again (see recordLifecycle.ts).
      isErased: (cid) => store.isErasedCid(cid),
    });
    const destroyErased = () =>
      destroyErasedBlobs(store, blobs).catch((error) =>
        app?.log.warn(
          { err: error },
          'destroying the blobs of erased records failed; retried at the next erasure',
        ),
      );
    // Every gateway keeps a copy of every record's blob: fetched from a peer as soon as the record
    // is anchored, so reads and custodians need not wait for it, and copies survive a lost gateway.
    const replication = createReplicationQueue(blobs);
    const guard = createLedgerGuard({
      ledger,
      journal,
      indexedCheckpoint: () => store.indexedCheckpoint(),
      async reindex(intactBlock) {
        // The followers stop first: a run under way must not store a range after the reset.
        await Promise.all([indexer.stop(), eventFollower.stop()]);
        let indexedBefore: Hex[] = [];
        try {
          indexedBefore = await coordination.exclusive('index', async () => {
            const before = await store.resetChainIndex();
            const cursor = intactBlock ?? null;
            await coordination.exclusive('follow', async () => {
              await emergencies.rewindEmergencyIndex(cursor);
              await notifier.rewindNotifiedBlock(cursor);
            });
            await indexer.rebuild();
            return before;
          });
        } finally {
          if (followersStarted && !stopping) {
            indexer.start();
            eventFollower.start();
          }
        }
        const missing: Hex[] = [];
        for (const recordId of indexedBefore) if (!(await store.record(recordId))) missing.push(recordId);
        return missing;
      },
      async admins() {
        const organisations = await store.organisations();
        const hosted = new Set(hostedOrganisations(organisations, custodian.publicKey));
        return organisations.filter((o) => hosted.has(o.organisationId)).map((o) => o.admin as Hex);
      },
      notify: async (drafts) => void (await notifier.add(drafts)),
      exclusive: exclusively('recovery'),
      log: {
        warn: (data, message) => (app ? app.log.warn(data, message) : console.warn(message, data)),
        error: (data, message) => (app ? app.log.error(data, message) : console.error(message, data)),
      },
    });
    const indexer = createIndexer({
      ledger,
      store,
      onRecords: (records) => replication.add(records.map((r) => r.cid)),
      onErasures: () => void destroyErased(),
      assertIntact: guard.assertIntact,
      exclusive: exclusively('index'),
    });
    const anchorer = createAnchorer({ ledger, store });
    const coSignatureAnchorer = createCoSignatureAnchorer({ ledger });
    const custodian = await createCustodian(keys.custodian);
    // Sign-in messages name the port, so port 0 ("any free port") is resolved before the domains are fixed.
    const port = config.port || (await freePort());
    const publicUrl = new URL(config.publicUrl);
    if (publicUrl.port === '0') publicUrl.port = String(port);
    const publicHost = publicUrl.host;
    const readOnlyRpcUrl = `${publicUrl.href.replace(/\/+$/, '')}/rpc`;
    const secondFactor = createSecondFactor({ store, key: hexToBytes(keys.secondFactorKey) });
    const staffAttestations = createStaffAttestations({ relayer, chainId });
    const auth = createAuthService({
      store,
      chainId,
      domains: [publicHost, `127.0.0.1:${port}`, `localhost:${port}`],
      sessionIdleSeconds: config.sessionIdleSeconds,
      sessionLifetimeSeconds: config.sessionLifetimeSeconds,
      keysOf: (account) => accountKeysOf(ledger, account),
      checkSecondFactor: (account, otp, attestation) =>
        requireStaffSecondFactor(
          { ledger, store, secondFactor, staffAttestations, custodianKey: custodian.publicKey },
          account,
          otp,
          attestation,
        ),
    });
    const access = createAccessControl({
      ledger,
      auditLog,
      store,
      emergencies,
      assertIntact: guard.assertIntact,
      syncIndex: () => indexer.sync(),
      isGrantEnded: (grantId) => appointments.isGrantEnded(grantId),
      onAllowed: grantUseNotifier(notifier, (error) =>
        app?.log.warn({ err: error }, 'a notification failed'),
      ),
    });
    const eventFollower = createEventFollower({
      ledger,
      store,
      emergencies,
      notifier,
      onError: (error) => app?.log.warn({ err: error }, 'following emergencies and notifications failed'),
      exclusive: exclusively('follow'),
    });
    const emergencyWatcher = createEmergencyWatcher({
      ledger,
      emergencies,
      auditLog,
      notifier,
      hostedOrganisations: async () => hostedOrganisations(await store.organisations(), custodian.publicKey),
      onError: (error) => app?.log.warn({ err: error }, 'auditing emergencies failed'),
      exclusive: exclusively('emergency-watch'),
    });
    const auditAnchorer = createAuditAnchorer({
      ledger,
      store,
      tagger: createAuditTagger({ ledger, custodianKeys: keys.custodian }),
      intervalMs: config.auditAnchorIntervalSeconds * 1000,
      organisationId: async () => hostedOrganisation(await store.organisations(), custodian.publicKey),
      onError: (error) =>
        app?.log.warn({ err: error }, 'anchoring audit events failed; they stay in the outbox'),
      exclusive: exclusively('audit-anchor'),
    });
    // Before serving: the journal re-applied where the chain lacks it, the index checked against the chain.
    let app: Awaited<ReturnType<typeof buildApp>> | undefined;
    await guard.recover('start');
    await indexer.sync();
    await destroyErased();

    const services: GatewayServices = {
      ledger,
      store,
      blobs,
      auth,
      auditLog,
      access,
      anchorer,
      indexer,
      custodian,
      coSignatureAnchorer,
      stamps: createStamps({ ledger, store }),
      secondFactor,
      staffAttestations,
      emergencies,
      notifier,
      eventFollower,
      emergencyWatcher,
      guard,
      readOnlyRpcUrl,
      patientDirectory: new SqlPatientDirectoryStore(stores.database, deskCodeKey(keys.atRestKey)),
      appointments,
    };
    app = await buildApp({
      services,
      logLevel: config.logLevel,
      rateLimits: config.rateLimits,
      connectionLimits: config.connectionLimits,
      ...(config.tls
        ? {
            tls: { cert: await readTlsFile(config.tls.certFile), key: await readTlsFile(config.tls.keyFile) },
          }
        : { httpsBehindProxy: publicUrl.protocol === 'https:' }),
      ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
      logging: {
        pseudonymKey: hexToBytes(keys.logPseudonymKey, 32, 'log pseudonym key'),
        ...(logFile ? { destination: logFile.stream } : {}),
      },
      peerOrigins: async () =>
        peerGateways(await store.organisations(), publicUrl.origin)
          .map(originOf)
          .filter((origin): origin is string => origin !== undefined),
      ...(config.webAppDir
        ? {
            webApp: {
              directory: config.webAppDir,
              connectOrigins: async () =>
                [readOnlyRpcUrl, ...(await store.organisations()).map((o) => o.gatewayUrl)]
                  .map(originOf)
                  .filter((origin): origin is string => origin !== undefined),
            },
          }
        : {}),
    });
    for (const warning of startupWarnings) app.log.warn(`SECURITY WARNING: ${warning}`);
    // With processes sharing the store, those that end leave actions for the others to apply.
    const orphans = createPeriodicTask(
      () => guard.adoptOrphans(),
      2_000,
      (error) => app?.log.warn({ err: error }, 'taking over the actions of an ended gateway process failed'),
    );
    if (sharedStore) orphans.start();
    // Sign-ins remove ended sessions too; this removes them when nobody signs in for a while.
    const sessionPurge = createPeriodicTask(
      async () => {
        await auth.purgeEndedSessions();
        await store.deleteRateLimitWindows(Date.now() - longestRateLimitWindowMs(config.rateLimits));
      },
      60_000,
      (error) => app?.log.warn({ err: error }, 'removing ended sessions and rate-limit windows failed'),
    );
    sessionPurge.start();
    // Hidden records whose retention ended are erased by whichever gateway sees them first.
    const retentions = createPeriodicTask(
      () => finaliseDueRetentions(services).then(() => undefined),
      5_000,
      (error) => app?.log.warn({ err: error }, 'erasing hidden records whose retention ended failed'),
    );
    retentions.start();
    refusalAlerts.start();
    indexer.start();
    auditAnchorer.start();
    eventFollower.start();
    followersStarted = true;
    if (chain) snapshots.start();
    emergencyWatcher.start();
    await app.listen({ port, host: config.host });
    const served = app;

    /** The embedded chain is the gateway's child: if it dies, it is started again and the ledger recovered. */
    const superviseChain = (running: EmbeddedChain) => {
      running.exited.then(async () => {
        if (stopping) return;
        served.log.error({ pid: running.pid }, 'the embedded chain stopped unexpectedly; starting it again');
        guard.markUnavailable();
        // Same directory, same socket: the ledger client reconnects to the new node by itself.
        for (;;) {
          try {
            chain = await startEmbeddedChain(chainOptions);
            break;
          } catch (error) {
            if (stopping) return;
            served.log.error({ err: error }, 'starting the embedded chain again failed; retrying');
            await new Promise((resolve) => setTimeout(resolve, 1_000));
          }
        }
        if (stopping) return;
        superviseChain(chain);
        await fundOnDevelopmentChain(rpcUrl, chainId, relayer.address).catch(() => undefined);
        const outcome = await guard.recover('restarted');
        served.log.warn({ durationMs: outcome.durationMs }, 'the embedded chain is back; serving again');
      });
    };
    if (chain) superviseChain(chain);

    return {
      url: `${config.tls ? 'https' : 'http'}://${config.host}:${port}`,
      rpcUrl,
      readOnlyRpcUrl,
      chainId,
      deployment,
      app: served as unknown as FastifyInstance,
      services,
      stop() {
        stopping ??= (async () => {
          guard.stop();
          await orphans.stop();
          await sessionPurge.stop();
          await retentions.stop();
          await served.close();
          // Whatever it leaves is alerted at the next start, from the same cursor.
          await refusalAlerts.stop();
          await replication.stop();
          await anchorer.drain();
          await coSignatureAnchorer.drain();
          await auditAnchorer.stop();
          await indexer.stop();
          await eventFollower.stop();
          await emergencyWatcher.stop();
          await snapshots.stop();
          if (chain && !(await snapshots.saveUntilSaved())) {
            served.log.error(
              {},
              'the embedded chain state could not be saved; the journal will re-apply what it lacks',
            );
          }
          await stores?.close();
          await stopChain();
          await logFile?.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await stores?.close();
    await stopChain();
    await logFile?.close();
    throw error;
  }
}

async function readChainId(rpcUrl: string): Promise<number> {
  try {
    return await createLedgerPublicClient(ledgerEndpoint(rpcUrl), 1).getChainId();
  } catch (error) {
    throw new LedgerUnavailableError(`No chain answers at ${rpcUrl}.`, { cause: error });
  }
}

/**
 * The contracts this gateway uses: a given deployment file, else the one saved in the data
 * directory, else (on a chain that has none yet) a fresh deployment that is then saved.
 */
async function resolveDeployment(
  config: GatewayConfig,
  rpcUrl: string,
  chainId: number,
  relayer: ReturnType<typeof privateKeyToAccount>,
): Promise<{ deployment: Deployment; fresh: boolean }> {
  const savedPath = join(config.dataDir, 'deployment.json');
  const deployment =
    (config.deploymentFile && (await readDeployment(config.deploymentFile))) ||
    (await readDeployment(savedPath));
  if (config.deploymentFile && !existsSync(config.deploymentFile)) {
    throw new InvalidInputError(`The deployment file ${config.deploymentFile} does not exist.`);
  }
  if (deployment) {
    if (deployment.chainId !== chainId) {
      throw new InvalidInputError(
        `The deployment is for chain ${deployment.chainId}, but ${rpcUrl} is chain ${chainId}.`,
      );
    }
    if (!(await isDeployed(rpcUrl, deployment))) {
      throw new LedgerUnavailableError(
        `The contracts of ${config.deploymentFile ?? savedPath} are not on the chain at ${rpcUrl}. ` +
          'Was the chain reset? Use a new data directory to start a new ledger.',
      );
    }
    if (config.deploymentFile) await writeDeployment(savedPath, deployment);
    return { deployment, fresh: false };
  }
  const deployed = await deployContracts(rpcUrl, chainId, relayer);
  await writeDeployment(savedPath, deployed);
  return { deployment: deployed, fresh: true };
}

interface GatewayKeys {
  relayerKey: Hex;
  secondFactorKey: Hex;
  atRestKey: Hex;
  logPseudonymKey: Hex;
  custodian: { secretKey: Hex; publicKey: Hex };
}

async function loadOrCreateKeys(directory: string): Promise<GatewayKeys> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const relayerPath = join(directory, 'relayer.json');
  const custodianPath = join(directory, 'custodian.json');
  const relayer = await readOrCreate(relayerPath, () => ({ privateKey: generatePrivateKey() }));
  const custodian = await readOrCreate(custodianPath, () => generateEncryptionKeyPair());
  const custodianSecret = custodian.secretKey as Hex;
  const secondFactor = await readOrCreate(join(directory, 'second-factor.json'), () => ({
    key: bytesToHex(randomBytes(32)),
  }));
  const atRest = await readOrCreate(join(directory, 'at-rest.json'), () => ({
    key: bytesToHex(randomBytes(32)),
  }));
  const logPseudonyms = await readOrCreate(join(directory, 'log-pseudonyms.json'), () => ({
    key: bytesToHex(randomBytes(32)),
  }));
  return {
    relayerKey: relayer.privateKey as Hex,
    secondFactorKey: secondFactor.key as Hex,
    atRestKey: atRest.key as Hex,
    logPseudonymKey: logPseudonyms.key as Hex,
    custodian: { secretKey: custodianSecret, publicKey: encryptionPublicKeyOf(custodianSecret) },
  };
}

/** A certificate or key file for HTTPS, or a clear error naming it. */
async function readTlsFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new InvalidInputError(`Cannot read the TLS file ${path}.`, {
      reason: 'tls_unreadable',
      cause: error,
    });
  }
}

/**
 * Reads the key file at `path`, or creates it. Creation is exclusive (a hard link of a complete
 * temporary file, which fails if `path` exists): of processes that start at once on one `keys/`
 * directory, one creates the file and the others read it, so they never hold different keys.
 */
async function readOrCreate<T extends object>(
  path: string,
  create: () => T,
): Promise<Record<string, unknown>> {
  if (existsSync(path)) return JSON.parse(await readFile(path, 'utf8'));
  const value = create();
  const temporary = `${path}.${process.pid}.${bytesToHex(randomBytes(4)).slice(2)}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  try {
    await chmod(temporary, 0o600);
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(await readFile(path, 'utf8'));
  } finally {
    await rm(temporary, { force: true });
  }
  return value as Record<string, unknown>;
}
