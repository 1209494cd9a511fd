/**
 * Signing in with a wallet injected into the page (EIP-1193 `window.ethereum`, e.g. MetaMask). The
 * signing key stays in the wallet: a viem account (`toAccount`) sends each signature the app needs
 * to it, the EIP-4361 sign-in as `personal_sign` and every ledger action as `eth_signTypedData_v4`.
 * The encryption key is derived from the wallet's signature of a fixed EIP-712 message
 * (core `walletEncryptionKey.ts`); it is derived again at each sign-in and never stored. Only its
 * public key is remembered in this browser, to tell at once when a wallet gives another key.
 *
 * No wallet SDK: viem's client over `custom(window.ethereum)` and its actions are enough.
 */
import type { LedgerInfo } from '@medledger/client';
import { requestGateway } from '@medledger/client';
import { deriveWalletEncryptionKey, MedledgerError, type WalletIdentity } from '@medledger/core';
import {
  type Address,
  createClient,
  custom,
  type EIP1193Provider,
  getAddress,
  type Hex,
  isAddressEqual,
} from 'viem';
import { toAccount } from 'viem/accounts';
import { getChainId, requestAddresses, signMessage, signTypedData, switchChain } from 'viem/actions';

/** EIP-1193 error codes this module tells apart (EIP-1193 and EIP-3326). */
const userRejected = 4001;

/** The wallet injected into the page, if any. */
export function injectedWallet(): EIP1193Provider | undefined {
  return (window as { ethereum?: EIP1193Provider }).ethereum;
}

/** The EIP-1193 error code anywhere in an error's chain of causes (viem wraps the wallet's error). */
export function walletErrorCode(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 20 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A request to the wallet whose refusal by the user becomes `wallet_declined`, told by its code. */
async function askWallet<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (walletErrorCode(error) === userRejected) {
      throw new MedledgerError('You declined the request in your wallet.', {
        reason: 'wallet_declined',
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * A problem with the wallet, said as it is: a `MedledgerError` of its own reason, with none of the
 * generic advice the app adds to invalid input ("Some of the information is not valid").
 */
function walletProblem(message: string, reason: string, cause?: unknown): MedledgerError {
  return new MedledgerError(message, { reason, ...(cause === undefined ? {} : { cause }) });
}

/** Where this browser remembers the public encryption key a wallet account gave (not a secret). */
function knownKeyName(chainId: number, address: Address): string {
  return `medledger:wallet-encryption-key:${chainId}:${address.toLowerCase()}`;
}

/**
 * Connects the injected wallet: asks for its account, puts it on the consortium's chain (asking the
 * wallet to switch when it is on another), and derives the account's encryption key (asking twice
 * the first time in this browser, to refuse a wallet whose signatures are randomised).
 */
export async function connectWallet(provider: EIP1193Provider): Promise<WalletIdentity> {
  const { chainId } = await requestGateway<LedgerInfo>(window.location.origin, 'GET', '/api/ledger');
  // No retries: each retry could be one more prompt in the wallet.
  const client = createClient({ transport: custom(provider, { retryCount: 0 }) });
  const [first] = await askWallet(() => requestAddresses(client));
  if (!first) throw walletProblem('Your wallet shared no account.', 'wallet_no_account');
  const address = getAddress(first);
  const current = await getChainId(client);
  if (current !== chainId) {
    try {
      await switchChain(client, { id: chainId });
    } catch (cause) {
      throw walletProblem(
        `Your wallet is on another network (chain ${current}) and did not switch to this consortium’s network (chain ${chainId}). Switch to it in your wallet (add it there first if your wallet does not know it), then sign in again.`,
        'wallet_wrong_chain',
        cause,
      );
    }
    const switched = await getChainId(client);
    if (switched !== chainId) {
      throw walletProblem(
        `Your wallet stayed on another network (chain ${switched}) instead of this consortium’s (chain ${chainId}). Switch to it in your wallet, then sign in again.`,
        'wallet_wrong_chain',
      );
    }
  }
  const account = toAccount({
    address,
    signMessage: ({ message }) => askWallet(() => signMessage(client, { account: address, message })),
    signTypedData: (typedData) =>
      askWallet(() =>
        signTypedData(client, { ...typedData, account: address } as Parameters<typeof signTypedData>[1]),
      ),
    signTransaction: () => {
      throw walletProblem('medledger never asks a wallet to sign a transaction.', 'wallet_transaction');
    },
  });
  const known = window.localStorage.getItem(knownKeyName(chainId, address)) as Hex | null;
  const encryption = await deriveWalletEncryptionKey(account, {
    chainId,
    checkDeterminism: known === null,
    ...(known === null ? {} : { expectedPublicKey: known }),
  }).catch((error: unknown) => {
    // The core refuses the wallet's signatures as invalid input; to the user it is the wallet's problem.
    if (
      error instanceof MedledgerError &&
      error.reason?.startsWith('wallet_') &&
      error.code === 'invalid_input'
    ) {
      throw walletProblem(error.shortMessage, error.reason, error);
    }
    throw error;
  });
  window.localStorage.setItem(knownKeyName(chainId, address), encryption.publicKey);
  return { address, account, encryption };
}

/**
 * Calls `onLeave` with the reason when the wallet changes account (away from `address`) or network;
 * returns the function that stops watching.
 */
export function watchWallet(
  provider: EIP1193Provider,
  address: Address,
  onLeave: (reason: string) => void,
): () => void {
  const accountsChanged = (accounts: readonly Address[]) => {
    const [next] = accounts;
    if (next && isAddressEqual(next, address)) return;
    onLeave(
      'Your wallet changed account, so you were signed out. Sign in again with the account you want to use.',
    );
  };
  const chainChanged = () =>
    onLeave(
      'Your wallet changed network, so you were signed out. Sign in again on this consortium’s network.',
    );
  provider.on('accountsChanged', accountsChanged);
  provider.on('chainChanged', chainChanged);
  return () => {
    provider.removeListener('accountsChanged', accountsChanged);
    provider.removeListener('chainChanged', chainChanged);
  };
}
