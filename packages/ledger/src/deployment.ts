/**
 * Where the contracts are on a chain: a deployment names the chain id and the contract addresses
 * (`deployment.json` in a gateway's data directory; deploying and the file itself are
 * `@medledger/ledger-node`'s).
 */
import { InvalidInputError } from '@medledger/core';
import { type Address, isAddress } from 'viem';

export interface Deployment {
  chainId: number;
  consortium: Address;
  consents: Address;
  records: Address;
  auditAnchors: Address;
  coSignatures: Address;
  emergencies: Address;
  orders: Address;
  delegates: Address;
  recordActions: Address;
  /** First block to read events from. */
  deployedAtBlock: bigint;
}

/**
 * Parses a deployment file's text; `source` names it in errors.
 *
 * @example
 * const deployment = parseDeployment(await (await fetch('/deployment.json')).text());
 */
export function parseDeployment(text: string, source = 'deployment'): Deployment {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`${source} is not valid JSON.`, { cause: error });
  }
  const address = (key: string): Address => {
    const value = raw[key];
    if (typeof value !== 'string' || !isAddress(value)) {
      throw new InvalidInputError(`${source}: "${key}" must be a contract address.`);
    }
    return value;
  };
  if (!Number.isSafeInteger(raw.chainId))
    throw new InvalidInputError(`${source}: "chainId" must be an integer.`);
  if (raw.orders === undefined) {
    // Orders cannot be added to a running consortium by one gateway alone (every gateway must use the
    // same contract), so a ledger deployed before it existed is refused rather than half upgraded.
    throw new InvalidInputError(
      `${source} has no "orders" contract: this ledger was deployed before lab orders, prescriptions and ` +
        'claims existed. Start a new ledger with a new data directory.',
      { reason: 'deployment_without_orders' },
    );
  }
  if (raw.delegates === undefined) {
    // Consents takes the Delegates contract at deployment, so a ledger deployed before it existed cannot
    // gain it: it is refused rather than half upgraded.
    throw new InvalidInputError(
      `${source} has no "delegates" contract: this ledger was deployed before patients could register ` +
        'delegates (family, caregivers, researchers). Start a new ledger with a new data directory.',
      { reason: 'deployment_without_delegates' },
    );
  }
  if (raw.recordActions === undefined) {
    // Like Orders: every gateway must follow the same erasures, so a ledger without the contract is refused.
    throw new InvalidInputError(
      `${source} has no "recordActions" contract: this ledger was deployed before records could be erased, ` +
        'hidden, copied or moved. Start a new ledger with a new data directory.',
      { reason: 'deployment_without_record_actions' },
    );
  }
  return {
    chainId: raw.chainId as number,
    consortium: address('consortium'),
    consents: address('consents'),
    records: address('records'),
    auditAnchors: address('auditAnchors'),
    coSignatures: address('coSignatures'),
    emergencies: address('emergencies'),
    orders: address('orders'),
    delegates: address('delegates'),
    recordActions: address('recordActions'),
    deployedAtBlock: BigInt(String(raw.deployedAtBlock ?? '0')),
  };
}
