import type { KeyRecoveryShares } from '@medledger/api';
import {
  base64urlToBytes,
  type Identity,
  IntegrityError,
  recoverIdentity,
  recoveryRequestCode,
} from '@medledger/core';
import { createTransport, requestGateway } from '../transport.ts';
import type { PendingKeyRecovery } from './startKeyRecovery.ts';

/**
 * On the new device: rebuilds the patient's keys from the guardians' shares (k at least; else
 * `AccessDeniedError`), checks them against the backup (`IntegrityError`), and signs in with them.
 *
 * @example
 * const identity = await finishKeyRecovery(pending);
 */
export async function finishKeyRecovery(pending: PendingKeyRecovery): Promise<Identity> {
  const { request } = pending;
  const answer = await requestGateway<KeyRecoveryShares>(
    pending.server,
    'POST',
    `/api/key-recovery/requests/${request.requestId}/shares`,
    { body: { token: pending.token } },
  );
  if (recoveryRequestCode(answer.request) !== pending.code) {
    throw new IntegrityError('The gateway served another recovery request than the one made.');
  }
  const identity = await recoverIdentity(
    request,
    answer.backup,
    answer.shares.map((s) => ({
      share: s.share,
      enc: base64urlToBytes(s.enc, 'enc'),
      ct: base64urlToBytes(s.ct, 'ct'),
    })),
    pending.recoverySecretKey,
  );
  // The chain must accept the key for the patient: a backup of a key rotated out would not sign in.
  await createTransport({ url: pending.server, identity }).signIn();
  return identity;
}
