import type { KeyRecoveryApproved } from '@medledger/api';
import { AccessDeniedError, bytesToBase64url, resealGuardianShare, sameRecoveryCode } from '@medledger/core';
import type { Hex } from 'viem';
import type { Transport } from '../transport.ts';
import { type KeyRecoveryRequestDetails, keyRecoveryRequest } from './keyRecoveryRequest.ts';

/**
 * As a guardian: approves a recovery request, if `code` (told by the patient out of band) is the
 * code of the request the gateway serves: opens this guardian's share and seals it to the
 * request's recovery key. Throws `AccessDeniedError` when the code differs, and approves nothing.
 *
 * @example
 * await approveKeyRecovery(guardian, requestId, '7KQ2-M9XD-4RTA-WZ1E');
 */
export async function approveKeyRecovery(
  client: Transport,
  requestId: Hex,
  code: string,
): Promise<{ details: KeyRecoveryRequestDetails; approvals: number; threshold: number }> {
  const details = await keyRecoveryRequest(client, requestId);
  if (!sameRecoveryCode(code, details.code)) {
    throw new AccessDeniedError(
      'The verification code does not match this recovery request: nothing approved.',
      {
        metaMessages: [
          'Someone other than the patient may have made this request, or the gateway changed it.',
          'Ask the patient, by a channel you trust, for the code their device shows.',
        ],
      },
    );
  }
  const share = await resealGuardianShare(
    details.backup,
    client.address,
    client.identity.encryption.secretKey,
    details.request,
  );
  const answer = await client.call<KeyRecoveryApproved>(
    'POST',
    `/api/key-recovery/requests/${details.request.requestId}/approvals`,
    { share: share.share, enc: bytesToBase64url(share.enc), ct: bytesToBase64url(share.ct) },
  );
  return { details, approvals: answer.approvals, threshold: answer.threshold };
}
