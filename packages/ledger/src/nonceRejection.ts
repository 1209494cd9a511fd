/**
 * Whether the node refused a transaction for its nonce, told by viem's own node errors
 * (`NonceTooLowError`, `NonceTooHighError`, `NonceMaxValueError`), not by our reading of a message.
 */
import { BaseError, NonceMaxValueError, NonceTooHighError, NonceTooLowError } from 'viem';
import { getNodeError } from 'viem/utils';

const nonceErrors = [NonceTooLowError, NonceTooHighError, NonceMaxValueError];

/**
 * True when `error` (from `eth_sendRawTransaction`, which viem does not classify itself) is a
 * nonce refusal: the relayer's nonce counter must then be read again from the chain.
 *
 * @example
 * if (isNonceRejection(error)) nextNonce = undefined;
 */
export function isNonceRejection(error: unknown): boolean {
  if (!(error instanceof BaseError)) return false;
  const isNonceError = (cause: unknown) => nonceErrors.some((type) => cause instanceof type);
  return Boolean(error.walk(isNonceError)) || isNonceError(getNodeError(error, {}));
}
