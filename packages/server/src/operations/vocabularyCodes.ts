/** The names of the small integer codes the chain keeps (roles, kinds, sensitivities), for answers. */
import { IntegrityError } from '@medledger/core';

/**
 * The name at `code` in `names`. The contracts admit only known codes, so an unknown one means the
 * chain (or its index) holds what this gateway was not built for: `IntegrityError`, reason `unknown_code`.
 *
 * @example
 * nameOfCode(roles, member.role, 'role'); // 'doctor'
 */
export function nameOfCode<const N extends readonly string[]>(
  names: N,
  code: number,
  what: string,
): N[number] {
  const name = names[code];
  if (name === undefined) {
    throw new IntegrityError(`The ledger holds ${what} code ${code}, which this gateway does not know.`, {
      reason: 'unknown_code',
      fields: { what, code },
    });
  }
  return name;
}
