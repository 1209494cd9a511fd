/**
 * Turns a contract's custom error (decoded from revert data) into the medledger error a user
 * understands: a denial stays a denial (exit 3 / HTTP 403), a duplicate a conflict, and so on.
 */
import {
  auditAnchorsAbi,
  consentsAbi,
  consortiumAbi,
  coSignaturesAbi,
  emergenciesAbi,
  recordsAbi,
} from '@medledger/contracts';
import {
  AccessDeniedError,
  ConflictError,
  InvalidInputError,
  type MedledgerError,
  NotFoundError,
} from '@medledger/core';
import { BaseError, decodeErrorResult, type Hex } from 'viem';

const errorAbi = [
  ...consortiumAbi,
  ...consentsAbi,
  ...recordsAbi,
  ...auditAnchorsAbi,
  ...coSignaturesAbi,
  ...emergenciesAbi,
].filter((item) => item.type === 'error');

export interface DecodedContractError {
  name: string;
  args: readonly unknown[];
}

const denial =
  /NotAdmin|NotActiveAdmin|NotAuthorised|NotPatient|NotGrantPatient|NotRequestPatient|Suspended|NotMember|NotRequester|NotActiveMember|NotPrivileged|SelfReview/;
const absent = /Unknown/;
const duplicate = /Already|Taken|NonceUsed/;

/** Finds revert data in a viem error and decodes it with the contracts' ABIs. */
export function decodeContractError(error: unknown): DecodedContractError | undefined {
  const data = revertData(error);
  if (!data || data === '0x') return undefined;
  try {
    const decoded = decodeErrorResult({ abi: errorAbi, data });
    return { name: decoded.errorName, args: decoded.args ?? [] };
  } catch {
    return undefined;
  }
}

export function contractErrorFrom(error: unknown): MedledgerError | undefined {
  const decoded = decodeContractError(error);
  if (!decoded) return undefined;
  const message = describeContractError(decoded);
  const options = { details: `${decoded.name}(${decoded.args.map(String).join(', ')})`, cause: error };
  // Duplicates first: "MemberAlreadySuspended" is a conflict, not a denial.
  const result = duplicate.test(decoded.name)
    ? new ConflictError(message, options)
    : denial.test(decoded.name)
      ? new AccessDeniedError(message, options)
      : absent.test(decoded.name)
        ? new NotFoundError(message, options)
        : new InvalidInputError(message, options);
  return Object.assign(result, { contractError: decoded });
}

/** "ConsentsAlreadyRevoked" with args [3] becomes "The ledger refused: consents already revoked (3)." */
export function describeContractError({ name, args }: DecodedContractError): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/^signed action /, 'signature ');
  const detail = args.length ? ` (${args.map(String).join(', ')})` : '';
  return `The ledger refused: ${words}${detail}.`;
}

function revertData(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return findData(error);
  let found: Hex | undefined;
  error.walk((cause) => {
    found ??= findData(cause);
    return false;
  });
  return found ?? findData(error);
}

function findData(value: unknown): Hex | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const data = (value as { data?: unknown }).data;
  if (typeof data === 'string' && /^0x[0-9a-fA-F]*$/.test(data)) return data as Hex;
  if (data && typeof data === 'object' && typeof (data as { data?: unknown }).data === 'string') {
    return (data as { data: Hex }).data;
  }
  return undefined;
}
