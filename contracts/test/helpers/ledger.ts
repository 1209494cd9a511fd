/**
 * The contracts deployed on a fresh anvil, with the clients the tests use: a relayer (anvil's first
 * default account, which pays gas and has no authority) and helpers to sign typed data, send, read and
 * assert reverts.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach } from 'node:test';
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
import {
  consentsTypes,
  consortiumTypes,
  coSignaturesTypes,
  delegatesTypes,
  emergenciesTypes,
  type LedgerContract,
  ledgerDomain,
  ordersTypes,
  recordActionsTypes,
  recordsTypes,
} from '@medledger/core';
import {
  type Abi,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  getAddress,
  type Hex,
  http,
  type LocalAccount,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem';
import { foundry } from 'viem/chains';
import { type Anvil, startAnvil } from './anvil.ts';

/** Anvil's first default account. */
export const relayerAddress: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

/** Anvil's second and third default accounts (unlocked, funded): other gateways' relayers, or intruders. */
export const otherSenders: readonly Address[] = [
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
];

export const abis = {
  consortium: consortiumAbi,
  consents: consentsAbi,
  records: recordsAbi,
  auditAnchors: auditAnchorsAbi,
  coSignatures: coSignaturesAbi,
  emergencies: emergenciesAbi,
  // Orders anchors records through Records, whose errors it lets through.
  orders: [...ordersAbi, ...recordsAbi.filter((item) => item.type === 'error')],
  delegates: delegatesAbi,
  // RecordActions anchors derived records through Records, whose errors it lets through.
  recordActions: [...recordActionsAbi, ...recordsAbi.filter((item) => item.type === 'error')],
} as const;
/** Every deployed contract: those actors sign typed data for, and AuditAnchors (sent to by gateways only). */
export type TestContract = keyof typeof abis;
const typesOf = {
  consortium: consortiumTypes,
  consents: consentsTypes,
  records: recordsTypes,
  coSignatures: coSignaturesTypes,
  emergencies: emergenciesTypes,
  orders: ordersTypes,
  delegates: delegatesTypes,
  recordActions: recordActionsTypes,
} as const;
const combinedAbi = [
  ...consortiumAbi,
  ...consentsAbi,
  ...recordsAbi,
  ...auditAnchorsAbi,
  ...coSignaturesAbi,
  ...emergenciesAbi,
  ...ordersAbi,
  ...delegatesAbi,
  ...recordActionsAbi,
] as Abi;

export interface DecodedEvent {
  eventName: string;
  args: Record<string, unknown>;
  address: Address;
}

export interface WriteResult {
  receipt: TransactionReceipt;
  events: DecodedEvent[];
}

/** Where a signature is bound: defaults to the deployed contract on anvil's chain. */
export interface DomainOverride {
  chainId?: number;
  verifyingContract?: Address;
}

export type TestLedger = Awaited<ReturnType<typeof deployLedger>>;

/**
 * Starts anvil and deploys Consortium, Delegates, Consents, Records, AuditAnchors, CoSignatures, Emergencies,
 * Orders and RecordActions, in this order (Consents takes Delegates). Call `stop()` after the suite.
 */
export async function deployLedger() {
  const anvil: Anvil = await startAnvil();
  const transport = http(anvil.rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ chain: foundry, transport, pollingInterval: 5 });
  const walletClient = createWalletClient({ chain: foundry, transport, account: relayerAddress });
  const testClient = createTestClient({ chain: foundry, mode: 'anvil', transport });

  async function deploy(abi: Abi, bytecode: Hex, args: readonly unknown[]): Promise<Address> {
    const hash = await walletClient.deployContract({ abi, bytecode, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.ok(receipt.contractAddress, 'deployment has no contract address');
    return getAddress(receipt.contractAddress);
  }

  const consortium = await deploy(consortiumAbi, consortiumBytecode, []);
  const delegates = await deploy(delegatesAbi, delegatesBytecode, [consortium]);
  const consents = await deploy(consentsAbi, consentsBytecode, [consortium, delegates]);
  const records = await deploy(recordsAbi, recordsBytecode, [consortium, consents]);
  const auditAnchors = await deploy(auditAnchorsAbi, auditAnchorsBytecode, [consortium]);
  const coSignatures = await deploy(coSignaturesAbi, coSignaturesBytecode, [consortium, consents, records]);
  const emergencies = await deploy(emergenciesAbi, emergenciesBytecode, [consortium]);
  const orders = await deploy(ordersAbi, ordersBytecode, [consortium, records]);
  const recordActions = await deploy(recordActionsAbi, recordActionsBytecode, [
    consortium,
    consents,
    records,
  ]);
  const addresses: Record<TestContract, Address> = {
    consortium,
    consents,
    records,
    auditAnchors,
    coSignatures,
    emergencies,
    orders,
    delegates,
    recordActions,
  };

  return {
    anvil,
    chainId: foundry.id as number,
    publicClient,
    walletClient,
    testClient,
    addresses,
    deploy,

    /**
     * Sends a transaction from the relayer (or `from`, another unlocked anvil account); throws (with the
     * decoded revert) if it fails.
     */
    async write(
      contract: TestContract,
      functionName: string,
      args: readonly unknown[],
      address: Address = addresses[contract],
      from: Address = relayerAddress,
    ): Promise<WriteResult> {
      const call = { address, abi: abis[contract] as Abi, functionName, args, account: from };
      // Simulating first surfaces the decoded revert; anvil would otherwise mine a failed transaction.
      await publicClient.simulateContract(call);
      // Anvil's estimate is sometimes exactly the gas used, which then runs out (a status change's
      // SSTORE needs 2,300 gas left): leave a margin, as the gateway's relayer does.
      const gas = ((await publicClient.estimateContractGas(call)) * 12n) / 10n;
      const hash = await walletClient.writeContract({ ...call, gas });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      assert.equal(receipt.status, 'success', `${functionName} was mined but reverted`);
      const events = parseEventLogs({ abi: combinedAbi, logs: receipt.logs }).map((log) => ({
        eventName: log.eventName,
        args: log.args as Record<string, unknown>,
        address: log.address,
      }));
      return { receipt, events };
    },

    /** Calls a view function. */
    read<T>(
      contract: TestContract,
      functionName: string,
      args: readonly unknown[] = [],
      address: Address = addresses[contract],
    ): Promise<T> {
      return publicClient.readContract({
        address,
        abi: abis[contract] as Abi,
        functionName,
        args,
      }) as Promise<T>;
    },

    /** Signs typed data of `contract` (types from packages/core) as `account`. */
    sign(
      account: LocalAccount,
      contract: LedgerContract,
      primaryType: string,
      message: Record<string, unknown>,
      domain: DomainOverride = {},
    ): Promise<Hex> {
      return account.signTypedData!({
        domain: ledgerDomain(
          contract,
          domain.chainId ?? foundry.id,
          domain.verifyingContract ?? addresses[contract],
        ),
        types: typesOf[contract],
        primaryType,
        message,
      } as Parameters<NonNullable<LocalAccount['signTypedData']>>[0]);
    },

    /** The latest block's timestamp. */
    async now(): Promise<bigint> {
      return (await publicClient.getBlock()).timestamp;
    },

    /** Moves the chain's clock forward and mines a block. */
    async increaseTime(seconds: number): Promise<void> {
      await testClient.increaseTime({ seconds });
      await testClient.mine({ blocks: 1 });
    },

    snapshot(): Promise<Hex> {
      return testClient.snapshot();
    },

    async revert(id: Hex): Promise<void> {
      await testClient.revert({ id });
    },

    stop(): Promise<void> {
      return anvil.stop();
    },
  };
}

/** The events named `eventName` in a write's result, as their decoded arguments. */
export function eventsNamed(result: WriteResult, eventName: string): Record<string, unknown>[] {
  return result.events.filter((event) => event.eventName === eventName).map((event) => event.args);
}

/** Asserts the result holds exactly these events, in this order, with these arguments. */
export function assertEvents(
  result: WriteResult,
  expected: { eventName: string; args: Record<string, unknown> }[],
) {
  assert.deepEqual(
    result.events.map(({ eventName, args }) => ({ eventName, args })),
    expected,
  );
}

/** Asserts `action` reverts with the custom error `errorName` and exactly `args`. */
export async function assertRevert(
  action: Promise<unknown>,
  errorName: string,
  args: readonly unknown[] = [],
): Promise<void> {
  let failure: unknown;
  try {
    await action;
  } catch (error) {
    failure = error;
  }
  assert.ok(failure !== undefined, `expected a revert with ${errorName}, but the call succeeded`);
  const reverted =
    failure instanceof BaseError
      ? failure.walk((cause) => cause instanceof ContractFunctionRevertedError)
      : null;
  assert.ok(
    reverted instanceof ContractFunctionRevertedError,
    `expected ${errorName}, got: ${String(failure)}`,
  );
  assert.equal(reverted.data?.errorName, errorName, `expected ${errorName}, got: ${reverted.shortMessage}`);
  assert.deepEqual(reverted.data?.args ?? [], args);
}

/** Runs each test of the enclosing suite on a snapshot of the chain, reverted afterwards. */
export function isolateEachTest(ledger: () => TestLedger): void {
  let snapshot: Hex;
  beforeEach(async () => {
    snapshot = await ledger().snapshot();
  });
  afterEach(async () => {
    await ledger().revert(snapshot);
  });
}
