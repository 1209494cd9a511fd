/**
 * Deploying the contracts once per chain and remembering where they are.
 *
 * A deployment file (`deployment.json` in the gateway's data directory) names the chain id and
 * the contract addresses. A gateway that joins an existing consortium is given that file. The
 * `Deployment` itself and its parsing are `@medledger/ledger`'s (browser-safe).
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  auditAnchorsAbi,
  auditAnchorsBytecode,
  consentsAbi,
  consentsBytecode,
  consortiumAbi,
  consortiumBytecode,
  coSignaturesAbi,
  coSignaturesBytecode,
  delegatesAbi,
  delegatesBytecode,
  emergenciesAbi,
  emergenciesBytecode,
  ordersAbi,
  ordersBytecode,
  recordActionsAbi,
  recordActionsBytecode,
  recordsAbi,
  recordsBytecode,
} from '@medledger/contracts';
import { LedgerUnavailableError } from '@medledger/core';
import {
  createLedgerPublicClient,
  type Deployment,
  parseDeployment,
  suggestGasPrice,
} from '@medledger/ledger';
import { type Abi, type Address, encodeDeployData, type Hex, type LocalAccount } from 'viem';
import { ledgerEndpoint } from './rpcEndpoint.ts';

/**
 * Deploys Consortium, Delegates, Consents, Records, AuditAnchors, CoSignatures, Emergencies, Orders and
 * RecordActions with the relayer account (Delegates before Consents, which takes it).
 */
export async function deployContracts(
  rpcUrl: string,
  chainId: number,
  relayer: LocalAccount,
): Promise<Deployment> {
  const client = createLedgerPublicClient(ledgerEndpoint(rpcUrl), chainId);
  let nonce = await client.getTransactionCount({ address: relayer.address, blockTag: 'pending' });
  const gasPrice = await suggestGasPrice(client);

  async function deploy(abi: Abi, bytecode: Hex, args: readonly unknown[]) {
    const data = encodeDeployData({ abi, bytecode, args });
    const gas = await client.estimateGas({ account: relayer.address, data });
    const serializedTransaction = await relayer.signTransaction({
      chainId,
      type: 'legacy',
      data,
      gas: (gas * 12n) / 10n,
      gasPrice,
      nonce: nonce++,
    });
    const hash = await client.sendRawTransaction({ serializedTransaction });
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: 120_000 });
    if (receipt.status !== 'success' || !receipt.contractAddress) {
      throw new LedgerUnavailableError('Deploying the contracts failed.', { details: hash });
    }
    return receipt;
  }

  const consortium = await deploy(consortiumAbi, consortiumBytecode, []);
  const delegates = await deploy(delegatesAbi, delegatesBytecode, [consortium.contractAddress]);
  const consents = await deploy(consentsAbi, consentsBytecode, [
    consortium.contractAddress,
    delegates.contractAddress,
  ]);
  const records = await deploy(recordsAbi, recordsBytecode, [
    consortium.contractAddress,
    consents.contractAddress,
  ]);
  const auditAnchors = await deploy(auditAnchorsAbi, auditAnchorsBytecode, [consortium.contractAddress]);
  const coSignatures = await deploy(coSignaturesAbi, coSignaturesBytecode, [
    consortium.contractAddress,
    consents.contractAddress,
    records.contractAddress,
  ]);
  const emergencies = await deploy(emergenciesAbi, emergenciesBytecode, [consortium.contractAddress]);
  const orders = await deploy(ordersAbi, ordersBytecode, [
    consortium.contractAddress,
    records.contractAddress,
  ]);
  const recordActions = await deploy(recordActionsAbi, recordActionsBytecode, [
    consortium.contractAddress,
    consents.contractAddress,
    records.contractAddress,
  ]);
  return {
    chainId,
    consortium: consortium.contractAddress!,
    consents: consents.contractAddress!,
    records: records.contractAddress!,
    auditAnchors: auditAnchors.contractAddress!,
    coSignatures: coSignatures.contractAddress!,
    emergencies: emergencies.contractAddress!,
    orders: orders.contractAddress!,
    delegates: delegates.contractAddress!,
    recordActions: recordActions.contractAddress!,
    deployedAtBlock: consortium.blockNumber,
  };
}

export async function readDeployment(path: string): Promise<Deployment | undefined> {
  if (!existsSync(path)) return undefined;
  return parseDeployment(await readFile(path, 'utf8'), path);
}

export async function writeDeployment(path: string, deployment: Deployment): Promise<void> {
  const text = `${JSON.stringify({ ...deployment, deployedAtBlock: deployment.deployedAtBlock.toString() }, null, 2)}\n`;
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

/** True when the deployment's contracts have code on the chain at `rpcUrl`. */
export async function isDeployed(rpcUrl: string, deployment: Deployment): Promise<boolean> {
  const client = createLedgerPublicClient(ledgerEndpoint(rpcUrl), deployment.chainId);
  const codes = await Promise.all(
    [
      deployment.consortium,
      deployment.consents,
      deployment.records,
      deployment.auditAnchors,
      deployment.coSignatures,
      deployment.emergencies,
      deployment.orders,
      deployment.delegates,
      deployment.recordActions,
    ].map((address) => client.getCode({ address })),
  );
  return codes.every((code) => code !== undefined && code !== '0x');
}

/** On an anvil chain, gives the relayer ether; other chains must fund it (or run without gas fees). */
export async function fundOnDevelopmentChain(
  rpcUrl: string,
  chainId: number,
  address: Address,
): Promise<void> {
  const client = createLedgerPublicClient(ledgerEndpoint(rpcUrl), chainId);
  const version = await client.request({ method: 'web3_clientVersion' } as never).catch(() => '');
  if (!String(version).toLowerCase().startsWith('anvil')) return;
  const balance = await client.getBalance({ address });
  if (balance >= 10n ** 21n) return;
  await client.request({
    method: 'anvil_setBalance',
    params: [address, `0x${(10n ** 24n).toString(16)}`],
  } as never);
}
