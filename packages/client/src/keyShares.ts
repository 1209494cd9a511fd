/**
 * Gathering a record's key shares from its k-of-n custodians, each at its own gateway, for
 * `readRecord`.
 */

import type { RecordAccess } from '@medledger/api';
import {
  AccessDeniedError,
  base64urlToBytes,
  type EnvelopeV2,
  LedgerUnavailableError,
  MedledgerError,
  NotFoundError,
  type ResealedShare,
} from '@medledger/core';
import { accessRecord } from './actions/accessRecord.ts';
import { staffAttestation } from './actions/staffSecondFactor.ts';
import { organisationsById } from './lookups.ts';
import { createTransport, type Transport } from './transport.ts';

/**
 * Asks the record's custodians, each at its own gateway, for their shares, in parallel, and
 * resolves once k have answered. Each custodian checks the chain and audits on its own; fewer
 * than k answers fail closed, saying why each custodian refused. A member signs in at the other
 * custodians with its home gateway's second-factor attestation when they ask for it.
 */
export async function gatherShares(
  client: Transport,
  envelope: EnvelopeV2,
  first: RecordAccess,
  purpose?: string,
): Promise<ResealedShare[]> {
  const threshold = envelope.custody.threshold;
  const shares: ResealedShare[] = [];
  const toShare = (sealed: { share: number; enc: string; ct: string }): ResealedShare => ({
    share: sealed.share,
    enc: base64urlToBytes(sealed.enc),
    ct: base64urlToBytes(sealed.ct),
  });
  if (first.sealedShare) shares.push(toShare(first.sealedShare));
  const organisations = await organisationsById(client);
  const firstShare = first.sealedShare?.share;
  const others = envelope.keys.filter(
    (key) => key.kind === 'custodian' && 'share' in key && key.share !== firstShare,
  );
  const failures: string[] = [];
  /** Whether a custodian refused by policy (then the read is denied, not merely unavailable). */
  let refused = false;
  const ask = async (custodian: (typeof others)[number]): Promise<ResealedShare> => {
    const url = organisations.get(Number(custodian.id))?.gatewayUrl;
    if (!url) throw new NotFoundError(`organisation ${custodian.id} publishes no gateway`);
    const peer = client.cached(`peer:${url}`, () =>
      createTransport({
        url,
        identity: client.identity,
        signatureLifetimeSeconds: client.signatureLifetimeSeconds,
        // A member's code is checked at its own organisation's gateway (the client's): the others
        // take that gateway's attestation.
        attestation: () => staffAttestation(client),
      }),
    );
    const answer = await accessRecord(peer, envelope.meta.recordId, purpose);
    if (!answer.sealedShare) throw new NotFoundError(`organisation ${custodian.id}'s gateway holds no share`);
    return toShare(answer.sealedShare);
  };
  // Ask as many custodians as shares are still missing, in parallel; ask the next ones only for
  // those that fail, so that a read costs k custodian requests when all is well.
  const queue = [...others];
  const worker = async (): Promise<void> => {
    for (let custodian = queue.shift(); custodian; custodian = queue.shift()) {
      try {
        shares.push(await ask(custodian));
        return;
      } catch (error) {
        if (error instanceof MedledgerError && error.code === 'access_denied') refused = true;
        failures.push(
          `organisation ${custodian.id}: ${error instanceof MedledgerError ? error.shortMessage : String(error)}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, threshold - shares.length) }, worker));
  if (shares.length < threshold) {
    const ErrorClass = refused ? AccessDeniedError : LedgerUnavailableError;
    throw new ErrorClass(
      `Only ${shares.length} of the ${threshold} key shares needed could be had; the record stays closed.`,
      { metaMessages: failures },
    );
  }
  return shares.slice(0, threshold);
}
