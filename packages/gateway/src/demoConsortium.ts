/**
 * `medledger-gateway --demo-consortium` (or `medledger start --demo-consortium`): one chain and
 * three hospitals, each with its own gateway process (`medledger-gateway --rpc ...`), data
 * directory, database, blobs and keys, for people who want to see a consortium work on one
 * machine. Ports N, N+1, N+2; the chain is the embedded anvil in `DATA/chain`.
 *
 * On the first start the three hospitals are set up as a real consortium would be: hospital 1
 * founds it, hospitals 2 and 3 join with the approval of two thirds of the active organisations.
 * Each publishes its gateway on chain, and the consortium splits record keys 2 of 3 across the
 * hospitals. Their admins' key files are in `DATA/demo-keys/`. Later starts find everything as it
 * was after a stop (Ctrl-C, SIGTERM): the demo saves the chain's state (`DATA/chain/state.json`)
 * once set up and again when it stops. The gateways reach the chain through its IPC socket
 * (`--rpc ipc://DATA/chain/anvil.ipc`).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import {
  generateIdentity,
  type Identity,
  InvalidInputError,
  LedgerUnavailableError,
  parseKeyFile,
  serializeKeyFile,
} from '@medledger/core';
import { type EmbeddedChain, spawnWithParentDeathSignal, startEmbeddedChain } from '@medledger/ledger-node';

export interface DemoConsortiumOptions {
  dataDir: string;
  port: number;
  logLevel: string;
}

export interface RunningDemoConsortium {
  rpcUrl: string;
  gateways: { name: string; url: string; dataDir: string; adminKeyFile: string }[];
  stop(): Promise<void>;
}

const hospitals = ['St Mary Hospital', 'Riverside Hospital', 'Hillview Hospital'];
const binPath = fileURLToPath(new URL('../bin/medledger-gateway.ts', import.meta.url));

export async function startDemoConsortium(options: DemoConsortiumOptions): Promise<RunningDemoConsortium> {
  const dataDir = resolve(options.dataDir);
  const chain = await startEmbeddedChain({ directory: join(dataDir, 'chain') });
  if (!chain.isolated) {
    process.stderr.write(
      'SECURITY WARNING: the embedded chain could not get a network namespace of its own (unshare --net): ' +
        'its HTTP JSON-RPC is open to every local user on 127.0.0.1, admin methods included.\n',
    );
  }
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    try {
      await saveChainState(chain);
    } finally {
      await chain.stop();
    }
  };
  try {
    const gateways = hospitals.map((name, index) => ({
      name,
      url: `http://127.0.0.1:${options.port + index}`,
      dataDir: join(dataDir, `hospital-${index + 1}`),
      adminKeyFile: join(dataDir, 'demo-keys', `admin-${index + 1}.json`),
    }));
    const deploymentFile = join(gateways[0]!.dataDir, 'deployment.json');
    for (const [index, gateway] of gateways.entries()) {
      const args = [binPath, '--rpc', chain.rpcUrl, '--data', gateway.dataDir];
      args.push(
        '--port',
        String(options.port + index),
        '--public-url',
        gateway.url,
        '--log-level',
        options.logLevel,
      );
      // The first gateway deploys the contracts; the others use its deployment.
      if (index > 0) args.push('--deployment', deploymentFile);
      const child = spawnWithParentDeathSignal(process.execPath, args, ['ignore', 'ignore', 'inherit']);
      children.push(child);
      await waitForHealth(gateway.url, child);
    }
    await setUpConsortium(gateways, join(dataDir, 'demo-keys'));
    await saveChainState(chain);
    return { rpcUrl: chain.rpcUrl, gateways, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Saves the chain for the next start. Its gateways use it over --rpc, so none of them saves it as
 * a gateway saves its own embedded chain: the demo does, once set up and again when stopping (after
 * its gateways, when nothing writes). A crash of the demo loses what was written since.
 */
async function saveChainState(chain: EmbeddedChain): Promise<void> {
  const { saved } = await chain.saveState();
  if (!saved) throw new LedgerUnavailableError('The demo chain changed while its state was saved.');
}

/** Hospital 1 founds the consortium; each later one joins with two thirds of the active ones approving. */
async function setUpConsortium(
  gateways: { url: string; name: string; adminKeyFile: string }[],
  keyDir: string,
) {
  await mkdir(keyDir, { recursive: true });
  const admins: GatewayClient[] = [];
  for (const gateway of gateways) {
    admins.push(
      createGatewayClient({ url: gateway.url, identity: await adminIdentity(gateway.adminKeyFile) }),
    );
  }
  const { organisations } = await admins[0]!.organisations();
  for (const [index, admin] of admins.entries()) {
    const gateway = gateways[index]!;
    const existing = organisations.find((organisation) => organisation.gatewayUrl === gateway.url);
    if (existing?.status === 'active') continue;
    const organisationId =
      existing?.organisationId ??
      (await admin.createOrganisation({ name: gateway.name, kind: 'hospital', gatewayUrl: gateway.url }))
        .organisationId;
    for (const approver of admins.slice(0, index)) {
      const { status } = await approver.approveOrganisation(organisationId);
      if (status === 'active') break;
    }
    // The founder published its gateway when it founded; a joining hospital does once active.
    if (index > 0) await admin.publishGateway(organisationId, { gatewayUrl: gateway.url });
  }
  const { custody } = await admins[0]!.ledger();
  if (custody.version === 0) {
    // Keys split 2 of 3 across the hospitals: two thirds of three organisations must agree.
    const { proposalId, enacted } = await admins[0]!.proposeCustody([1, 2, 3], 2);
    if (!enacted) await admins[1]!.approveCustody(proposalId);
  }
}

/**
 * The admin's identity from its key file (the format of `medledger key new`, so that `medledger
 * --as` acts as the admin), written on the first start: mode 0600, synced before any use on chain.
 */
async function adminIdentity(keyFile: string): Promise<Identity> {
  const text = await readFile(keyFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text !== undefined) {
    try {
      return parseKeyFile(text);
    } catch (error) {
      throw new InvalidInputError(`The demo's key file ${keyFile} is not a key file.`, { cause: error });
    }
  }
  const identity = generateIdentity();
  const file = await open(keyFile, 'wx', 0o600);
  try {
    await file.writeFile(serializeKeyFile(identity));
    await file.sync();
  } finally {
    await file.close();
  }
  return identity;
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new LedgerUnavailableError(`The gateway for ${url} exited at start.`);
    const ok = await fetch(`${url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new LedgerUnavailableError(`The gateway for ${url} did not become healthy within 60 s.`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
