/** The names of the small integer codes the chain keeps (roles, kinds, sensitivities), for answers. */
import { IntegrityError } from '@medledger/core';

/**
 * `name`, the decoding of the chain's `code` for `what`. The contracts admit only known codes, so an
 * unknown one (undefined) means the chain or its index holds what this gateway was not built for:
 * `IntegrityError`, reason `unknown_code`.
 *
 * @example
 * knownName(roleOfCode(member.role), 'role', member.role); // 'doctor'
 */
export function knownName<N extends string>(name: N | undefined, what: string, code: number): N {
  if (name === undefined) {
    throw new IntegrityError(`The ledger holds ${what} code ${code}, which this gateway does not know.`, {
      reason: 'unknown_code',
      fields: { what, code },
    });
  }
  return name;
}
