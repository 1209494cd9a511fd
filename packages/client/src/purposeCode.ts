import { InvalidInputError } from '@medledger/core';
import { type Hex, stringToHex } from 'viem';

/** A purpose of use (e.g. HL7 v3 ActReason `TREAT`) as the `bytes32` the ledger keeps. */
export function purposeCode(purpose: string): Hex {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(purpose)) {
    throw new InvalidInputError(`Invalid purpose "${purpose}": 1 to 32 letters, digits, _ or -.`);
  }
  return stringToHex(purpose, { size: 32 });
}
