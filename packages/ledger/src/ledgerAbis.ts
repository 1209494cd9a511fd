/** The contracts' ABIs (generated in `@medledger/contracts`), by contract and combined. */
import {
  auditAnchorsAbi,
  consentsAbi,
  consortiumAbi,
  coSignaturesAbi,
  delegatesAbi,
  emergenciesAbi,
  ordersAbi,
  recordActionsAbi,
  recordsAbi,
} from '@medledger/contracts';
import { InvalidInputError } from '@medledger/core';
import { type Abi, type Address, type ContractFunctionName, encodeFunctionData, type Hex } from 'viem';

/** Each contract's ABI, by the name the ledger knows it by. */
export const ledgerAbis = {
  consortium: consortiumAbi,
  consents: consentsAbi,
  records: recordsAbi,
  auditAnchors: auditAnchorsAbi,
  coSignatures: coSignaturesAbi,
  emergencies: emergenciesAbi,
  orders: ordersAbi,
  delegates: delegatesAbi,
  recordActions: recordActionsAbi,
} as const;

/** A contract of the ledger: `consortium`, `consents`, `records`, ... */
export type LedgerContractName = keyof typeof ledgerAbis;

/** The ABI of contract `C`. */
export type LedgerAbi<C extends LedgerContractName> = (typeof ledgerAbis)[C];

/** The functions of contract `C` that write (sent as transactions). */
export type WriteFunctionName<C extends LedgerContractName> = ContractFunctionName<
  LedgerAbi<C>,
  'nonpayable' | 'payable'
>;
/** The view functions of contract `C` (read with `eth_call`). */
export type ReadFunctionName<C extends LedgerContractName> = ContractFunctionName<
  LedgerAbi<C>,
  'view' | 'pure'
>;

/** Where each contract is on a chain (a `Deployment`'s addresses, or `GET /api/ledger`'s `contracts`). */
export type LedgerContracts = Record<LedgerContractName, Address>;

/** Every function, event and error of the contracts, for decoding logs and reverts. */
export const combinedAbi = [
  ...consortiumAbi,
  ...consentsAbi,
  ...recordsAbi,
  ...auditAnchorsAbi,
  ...coSignaturesAbi,
  ...emergenciesAbi,
  ...ordersAbi,
  ...delegatesAbi,
  ...recordActionsAbi,
] as const;

/**
 * The call data of `contract.functionName(args)`; arguments the ABI cannot encode (e.g. 2^32 for a
 * uint32) are invalid input, not an outage.
 *
 * @example
 * const data = encodeLedgerCall('consents', 'isAuthorised', [[grantId], actor, patient, 3, 0, 1]);
 */
export function encodeLedgerCall(
  contract: LedgerContractName,
  functionName: string,
  args: readonly unknown[],
): Hex {
  try {
    return encodeFunctionData({ abi: ledgerAbis[contract] as Abi, functionName, args });
  } catch (error) {
    throw new InvalidInputError(`Invalid arguments for ${contract}.${functionName}.`, {
      details: (error as { shortMessage?: string }).shortMessage ?? String(error),
      cause: error,
    });
  }
}
