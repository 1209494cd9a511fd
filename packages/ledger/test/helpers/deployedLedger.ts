/**
 * The contracts deployed on a real anvil, a ledger client relaying to them, and signed actions to
 * relay: what the ledger package's tests run against.
 */
import { consortiumTypes, ledgerDomain } from '@medledger/core';
import { deployContracts, fundOnDevelopmentChain, ledgerEndpoint } from '@medledger/ledger-node';
import { keccak256, type PrivateKeyAccount, toHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createLedgerClient, type Deployment, type LedgerClient } from '../../src/index.ts';

/** Deploys the contracts on the chain at `rpcUrl` with a fresh, funded relayer. */
export async function deployedLedger(
  rpcUrl: string,
  chainId: number,
): Promise<{ ledger: LedgerClient; deployment: Deployment }> {
  const relayer = privateKeyToAccount(generatePrivateKey());
  await fundOnDevelopmentChain(rpcUrl, chainId, relayer.address);
  const deployment = await deployContracts(rpcUrl, chainId, relayer);
  const ledger = createLedgerClient({ endpoint: ledgerEndpoint(rpcUrl), relayer, deployment });
  return { ledger, deployment };
}

/** A new organisation proposed by `admin`, signed with `nonce`: the first one proposed is active at once. */
export async function proposeOrganisation(
  ledger: LedgerClient,
  admin: PrivateKeyAccount = privateKeyToAccount(generatePrivateKey()),
  nonce = 1n,
) {
  const { deployment } = ledger;
  const message = {
    name: `Clinic of ${admin.address.slice(0, 8)}`,
    kind: 1,
    admin: admin.address,
    encryptionKey: keccak256(toHex(admin.address)),
    gatewayUrl: 'https://clinic.example',
    nonce,
    deadline: BigInt(Math.floor(Date.now() / 1000) + 3_600),
  };
  const signature = await admin.signTypedData({
    domain: ledgerDomain('consortium', deployment.chainId, deployment.consortium),
    types: consortiumTypes,
    primaryType: 'ProposeOrganisation',
    message,
  });
  return ledger.write('consortium', 'proposeOrganisation', [
    message.name,
    message.kind,
    message.admin,
    message.encryptionKey,
    message.gatewayUrl,
    message.nonce,
    message.deadline,
    signature,
  ]);
}
